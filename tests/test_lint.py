"""The tree is lint-clean: ruff's checks and formatting, and no copy-paste twins.

These run under ``make test`` (and so in CI), so a lint error fails the suite like a
broken test. Fix with ``ruff check --fix .`` and ``ruff format .``; a duplicate-code
report names both places: factor them into one function.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

#: Where the Python code lives (lessons are Markdown; pylint would not read them).
PYTHON_FOLDERS = ["widgets", "tests", "apps", "binder", "tools", "benchmarks", "jupyter-book/_ext"]
#: Shortest run of identical lines (imports, docstrings and comments aside) reported as a
#: copy: 6 passes today; the 5-line loopback-server fixture tail in tests/vo is the
#: longest accepted twin.
MIN_SIMILAR_LINES = 6


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=" ".join)
def test_ruff(command):
    result = subprocess.run(
        [_ruff(), *command, "--no-cache", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"ruff {' '.join(command)} failed (fix: ruff check --fix . / ruff format .):\n"
        + result.stdout[-6000:]
        + result.stderr[-2000:]
    )


def _duplicates(*paths: str) -> subprocess.CompletedProcess:
    """pylint's duplicate-code check alone, on ``paths`` (run from the repository)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            "--recursive=y",
            "--disable=all",
            "--enable=duplicate-code",
            f"--min-similarity-lines={MIN_SIMILAR_LINES}",
            "--score=n",
            *paths,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_no_copy_paste_twins():
    result = _duplicates(*[folder for folder in PYTHON_FOLDERS if (REPO / folder).is_dir()])
    assert "R0801" not in result.stdout and result.returncode == 0, (
        "copied code (pylint duplicate-code): factor each pair into one function:\n"
        + result.stdout[-8000:]
        + result.stderr[-2000:]
    )


def test_the_duplicate_check_finds_a_twin(tmp_path):
    """The same pylint call reports a copied function (so a pass above means something)."""
    body = "".join(f"    v{i} = value * {i} + {i * 7}\n" for i in range(MIN_SIMILAR_LINES + 1))
    for name in ("first", "second"):
        (tmp_path / f"{name}.py").write_text(f"def {name}(value):\n{body}    return v1\n")
    assert "R0801" in _duplicates(str(tmp_path)).stdout
