"""Fixtures for the course-website tests: the book is built once per session, offline.

The build goes to the checkout's ``jupyter-book/_build`` (git-ignored) so its
jupyter-cache is reused by later runs and by ``astrolearn book``: in CI every notebook
is executed once, here. A page-by-page browser audit of that build is also made once.
Test modules import helpers with ``from bookutil import ...``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bookutil import BOOK, HERE, Build, build_book, require, run_offline


@pytest.fixture(scope="session")
def built_book() -> Build:
    """The course website, built offline from this checkout (once per session)."""
    return build_book(BOOK)


@pytest.fixture(scope="session")
def built_instructor_book(built_book) -> Build:
    """``astrolearn book --instructor``, after the public build (whose executions it reuses)."""
    return build_book(BOOK, instructor=True)


@pytest.fixture(scope="session")
def site_audit(built_book, artifacts_dir) -> dict[str, dict]:
    """What real Chromium saw on every page of the site, network cut (once per session).

    Maps each page (path relative to the HTML root) to failed requests, page errors,
    widget views embedded / rendered and axe-core's serious or critical violations.
    """
    require(Path("/usr/bin/chromium").exists(), "Chromium", "apt-get install -y chromium")
    assert built_book.returncode == 0, built_book.log[-3000:]
    report = artifacts_dir / "book-browser-audit.json"
    shots = artifacts_dir / "book-pages"
    completed = run_offline(
        [
            sys.executable,
            str(HERE / "browse_site.py"),
            str(built_book.html),
            str(report),
            str(shots),
        ],
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(report.read_text(encoding="utf-8"))
