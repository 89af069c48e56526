# The two commands of the README:  `make serve`  and  `make test`.
# Each creates (or reuses) the virtual environment .venv and installs what it needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint system venv clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "astrolearn needs $(PYTHON): apt-get install python3.11 python3.11-venv"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $(STAMP)

venv: $(STAMP)

## Serve the lessons and apps locally on bundled data (no network needed).
serve: $(STAMP)
	$(BIN)/astrolearn serve $(SERVE_ARGS)

## Install the system parts the tests need when root, then run the whole test suite.
test: $(STAMP)
	bash tools/install-system.sh
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) jupyter-book/_build test-artifacts
