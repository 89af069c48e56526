"""The course website builds offline, warnings are errors, and every lesson is in it."""

from __future__ import annotations

import re
import shutil

import pytest
from astrolearn.book import failed_notebooks
from bookutil import BOOK, build_book, lesson_sources

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

CDN_HOSTS = ("unpkg.com", "jsdelivr.net", "cdnjs.cloudflare.com", "esm.sh", "googleapis.com")


def test_book_builds_offline_with_warnings_as_errors(built_book):
    assert built_book.returncode == 0, built_book.log[-4000:]
    # Sphinx's warnings ("file:line: WARNING: ..."), not a kernel's log lines.
    assert re.search(r"(^|: )(WARNING|ERROR): ", built_book.log, re.MULTILINE) is None
    assert (built_book.html / "index.html").is_file()


def test_every_lesson_has_an_executed_page(built_book):
    lessons = lesson_sources()
    assert lessons, "no lessons/NN-slug/lesson.md found"
    for source in lessons:
        page = built_book.html / "lessons" / source.parent.name / "lesson.html"
        assert page.is_file(), f"{source} has no page in the book"
        html = page.read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", source.read_text(encoding="utf-8"), re.MULTILINE)
        assert title, f"{source} has no '# Title' line"
        # The page's <h1> carries the lesson's title (Sphinx escapes & < >).
        assert _plain(title.group(1))[:25] in _plain(re.sub("<[^>]+>", "", html))
        if "{code-cell}" in source.read_text(encoding="utf-8"):
            assert 'class="cell_output' in html, f"{page.name}: no executed output"
        assert "Traceback (most recent call last)" not in html, page


def test_execution_cache_holds_every_notebook(built_book):
    assert built_book.returncode == 0, built_book.log[-4000:]
    assert failed_notebooks(built_book.cache) == {}
    from jupyter_cache import get_cache

    executed = {record.uri for record in get_cache(str(built_book.cache)).list_project_records()}
    for source in lesson_sources():
        linked = str(BOOK / "lessons" / source.parent.name / "lesson.md")
        assert linked in executed, f"{source} was not executed by the book build"


def test_hidden_tests_and_solution_markers_never_shown(built_book):
    """exercise-test cells are remove-input: hidden tests must not reach the pages."""
    for page in built_book.html.rglob("*.html"):
        if "_sources" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        assert "BEGIN HIDDEN TESTS" not in html, page
        # A written exercise's "### BEGIN SOLUTION" must not become a heading.
        assert 'id="begin-solution' not in html, page


def test_exercise_solutions_are_behind_a_toggle(built_book):
    """Cells tagged `exercise` render collapsed (the book adds hide-input), solution inside.

    Written exercises show their model answer in a drop-down.
    """
    found = 0
    for source in lesson_sources():
        page = built_book.html / "lessons" / source.parent.name / "lesson.html"
        html = page.read_text(encoding="utf-8")
        for cell in re.finditer(r'<div class="cell (tag_[^"]*)"', html):
            tags = cell.group(1)
            if "tag_exercise " in tags + " ":
                assert "tag_hide-input" in tags, f"{page}: an exercise cell is not hidden"
                found += 1
        if "tag_exercise-written" in html or "exercise-written" in source.read_text():
            assert "Model answer" in html, f"{page}: a written exercise's answer is not folded"
    if not found:
        pytest.skip("no lesson has exercise cells yet")


def test_pages_load_nothing_from_a_cdn(built_book):
    attribute = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"')
    for page in built_book.html.rglob("*.html"):
        for url in attribute.findall(page.read_text(encoding="utf-8")):
            assert not any(host in url for host in CDN_HOSTS), f"{page}: loads {url}"


def test_a_failing_notebook_fails_the_build(tmp_path):
    """Jupyter Book 1 alone can pass a book whose notebook raised: astrolearn book fails."""
    book = _tiny_book(tmp_path, "x = 1\nraise ValueError('deliberate failure for the test')")
    result = build_book(book)
    assert result.returncode == 1
    assert "failed to execute" in result.log
    assert "page.md" in result.log and "deliberate failure for the test" in result.log
    assert set(failed_notebooks(result.cache)) == {str(book / "page.md")}

    # Fixed, it builds; built again, nothing is executed (the jupyter-cache answers).
    _tiny_book(tmp_path, "x = 1\nx")
    assert build_book(book).returncode == 0
    again = build_book(book)
    assert again.returncode == 0, again.log[-3000:]
    if "the astrolearn package changed" in again.log:
        pytest.skip("astrolearn was edited during the test, so the cache was emptied on purpose")
    assert "Executing notebook" not in again.log
    assert failed_notebooks(again.cache) == {}


def test_a_broken_link_fails_the_build(tmp_path):
    book = _tiny_book(tmp_path, "x = 1", extra="See [the missing page](missing.md).")
    result = build_book(book)
    assert result.returncode == 1
    assert "missing" in result.log and "WARNING" in result.log


def _tiny_book(tmp_path, code: str, extra: str = ""):
    """A one-page book with this project's configuration and one code cell."""
    book = tmp_path / "book"
    if not book.exists():
        book.mkdir()
        for name in ("_config.yml", "_assets", "_ext", "_templates"):
            source = BOOK / name
            if source.is_dir():
                shutil.copytree(source, book / name)
            else:
                shutil.copy(source, book / name)
        (book / "_toc.yml").write_text("format: jb-book\nroot: page\n", encoding="utf-8")
    (book / "page.md").write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        f"# A page\n\n{extra}\n\n```{{code-cell}} ipython3\n{code}\n```\n",
        encoding="utf-8",
    )
    return book


def _plain(text: str) -> str:
    """Text without markup and HTML escapes, for comparing titles."""
    text = re.sub(r"[*_`]", "", text)
    for entity, char in (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&#8217;", "'")):
        text = text.replace(entity, char)
    return " ".join(text.split())
