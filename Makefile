# The two commands of the README:  `make serve`  and  `make test`.
# Each creates (or reuses) the virtual environment .venv and installs what it needs,
# at the versions the lock (constraints.txt) pins: a fresh machine gets what passed.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := constraints.txt
# LATEST=1 installs the newest releases instead of the lock (make test-latest).
VERSIONS = $(if $(LATEST),--upgrade --upgrade-strategy eager,--constraint $(LOCK))
# PARALLEL="--numprocesses=2 --no-loadscope-reorder" runs two workers, each test folder
# whole in one (tests/conftest.py): 28 instead of 42 minutes on two cores. Not yet the
# default: under that load a browser test's 30 s wait ran out once in two runs.
PARALLEL ?=

.PHONY: serve test test-latest lock lint system venv clean

$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "astrolearn needs $(PYTHON): apt-get install python3.11 python3.11-venv"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(VERSIONS) -e ".[all]"
	touch $(STAMP)

venv: $(STAMP)

## Serve the lessons and apps locally on bundled data (no network needed).
serve: $(STAMP)
	$(BIN)/astrolearn serve $(SERVE_ARGS)

## Install the system parts the tests need when root, then run the whole test suite.
test: $(STAMP)
	bash tools/install-system.sh
	ASTROLEARN_VERSIONS=$(if $(LATEST),latest,locked) $(BIN)/python -m pytest $(PARALLEL)

## The suite on the newest releases (own venv); a failure names the upgrade that broke it.
test-latest:
	$(PYTHON) tools/test_latest.py

## Refresh the lock to the newest releases. Commit it on its own, after `make test` passed.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra all --universal --python-version 3.11 \
	  --upgrade --custom-compile-command "make lock" --output-file $(LOCK)

## ruff (check and format) and the copy-paste check; `make test` runs them too.
lint: $(STAMP)
	$(BIN)/python -m pytest tests/test_lint.py

clean:
	rm -rf $(VENV) .venv-latest .venv-bisect jupyter-book/_build test-artifacts
