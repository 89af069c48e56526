"""Helpers of the course-website tests: where things are, and building a book offline."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BOOK = REPO / "jupyter-book"
LESSONS = REPO / "lessons"
# A cold build executes every lesson (budget: the whole book in ~5 min on 2 cores).
BUILD_TIMEOUT = 1200


def copy_book_settings(folder: Path) -> None:
    """Copy this project's book configuration, extension and assets into ``folder``."""
    for name in ("_config.yml", "_assets", "_ext", "_templates"):
        source = BOOK / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy(source, folder / name)


#: What makes a Markdown page a MyST notebook that the book executes.
MYST_NOTEBOOK_HEADER = """\
---
jupytext:
  text_representation: {format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

"""


def build_one_page_book(folder: Path, name: str, source: str) -> Build:
    """Build, with this project's settings, a book of one notebook page ``name``.

    ``source`` is the page's MyST Markdown, without the notebook header.
    """
    book = folder / "jupyter-book"
    book.mkdir()
    copy_book_settings(book)
    (book / "_toc.yml").write_text(f"format: jb-book\nroot: {name}\n", encoding="utf-8")
    (book / f"{name}.md").write_text(MYST_NOTEBOOK_HEADER + source, encoding="utf-8")
    return build_book(book)


def load_module(path: Path, name: str):
    """Import a file by path under a unique module name (conftests share one name)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_root = load_module(REPO / "tests" / "conftest.py", "astrolearn_book_tests_root")
require = _root.require
run_offline = _root.run_offline


def lesson_sources() -> list[Path]:
    """Every lesson's MyST source, in course order."""
    return sorted(LESSONS.glob("*/lesson.md"))


@dataclass
class Build:
    """One run of ``astrolearn book``."""

    returncode: int
    log: str
    html: Path
    cache: Path


def build_book(
    book: Path,
    output: Path | None = None,
    timeout: float = BUILD_TIMEOUT,
    *,
    instructor: bool = False,
) -> Build:
    """Run ``astrolearn book`` (``--instructor``) with the network cut; return what it did."""
    args = [sys.executable, "-m", "astrolearn.cli", "book", "--book", str(book)]
    if output is not None:
        args += ["--output", str(output)]
    if instructor:
        args.append("--instructor")
    completed = run_offline(args, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})
    if output is None and instructor:
        output = book / "_build" / "instructor"
    build_dir = (output or book) / "_build"
    return Build(
        returncode=completed.returncode,
        log=completed.stdout + completed.stderr,
        html=build_dir / "html",
        cache=build_dir / ".jupyter_cache",
    )
