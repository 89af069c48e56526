"""The course website builds offline, warnings are errors, and every lesson is in it."""

from __future__ import annotations

import re

import pytest
from astrolearn.book import failed_notebooks
from astrolearn.grading import assignments
from astrolearn.notebooks import read_myst
from bookutil import BOOK, build_book, copy_book_settings, lesson_sources, load_module

_site = load_module(BOOK / "_ext" / "astrolearn_site.py", "astrolearn_site_for_tests")
exercise_question, exercise_solution = _site.exercise_question, _site.exercise_solution
question_paragraph = _site.question_paragraph

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
    """Cells tagged `exercise` of lessons that are not graded render collapsed (the book
    adds hide-input), solution inside; written exercises show their model answer in a
    drop-down. Graded lessons are checked by the next test.
    """
    graded = set(assignments.graded_lessons())
    found = 0
    for source in lesson_sources():
        if source.parent.name in graded:
            continue
        page = built_book.html / "lessons" / source.parent.name / "lesson.html"
        html = page.read_text(encoding="utf-8")
        for cell in re.finditer(r'<div class="cell (tag_[^"]*)"', html):
            tags = cell.group(1)
            if "tag_exercise " in tags + " ":
                assert "tag_hide-input" in tags, f"{page}: an exercise cell is not hidden"
                found += 1
        if "exercise-written" in source.read_text():
            assert "Model answer" in html, f"{page}: a written exercise's answer is not folded"
    # Six ungraded lessons (1, 3, 7, 8, 10, 11) have exercise cells: finding none means
    # the page markup changed and this check no longer sees them.
    assert found, "no exercise cell found on the ungraded lessons' pages"


def test_graded_lessons_show_questions_and_no_solution(built_book):
    """The public page of a graded lesson states every exercise and shows no solution;
    an ungraded lesson's page, read the same way, does show its solutions (so the check
    can fail)."""
    graded = assignments.graded_lessons()
    assert graded, "course/assignments.toml lists no lesson"
    for source in lesson_sources():
        name = source.parent.name
        page = built_book.html / "lessons" / name / "lesson.html"
        text = _page_text(page.read_text(encoding="utf-8"))
        for cell in read_myst(source).cells:
            tags = cell.metadata.get("tags", [])
            if cell.cell_type == "code" and "exercise" in tags:
                question = _plain(question_paragraph(exercise_question(cell.source)))
                assert question[:70] in text, f"{name}: the question is not on the page"
                # Distinctive lines: not in the question, nor elsewhere in the lesson.
                elsewhere = _plain(source.read_text(encoding="utf-8").replace(cell.source, ""))
                lines = [_plain(line) for line in exercise_solution(cell.source).splitlines()]
                lines = [line for line in lines if len(line) > 20 and line not in elsewhere]
                lines = [line for line in lines if line not in _plain(cell.source.split("###")[0])]
                shown = [line for line in lines if line in text]
                if name in graded:
                    assert shown == [], f"{name}: solution shown: {shown}"
                else:
                    assert shown, f"{name}: the solution of an ungraded lesson is missing"
            if name in graded and cell.cell_type == "markdown" and "exercise-written" in tags:
                prompt, answer = cell.source.split("### BEGIN SOLUTION", 1)
                assert _plain(prompt)[-60:] in text, f"{name}: written question missing"
                first = answer.split("### END SOLUTION")[0].strip().splitlines()[0]
                assert _plain(first) not in text, f"{name}: the model answer is shown"


def test_instructor_book_shows_the_graded_solutions(built_book, built_instructor_book):
    """``astrolearn book --instructor``: the graded lessons' solutions, model answers and
    rubrics are on the pages (behind toggles), and the public site is left as it was."""
    result = built_instructor_book
    assert result.returncode == 0, result.log[-4000:]
    assert result.html != built_book.html
    assert "Executing notebook" not in result.log, "the public build's executions were not reused"
    for name, source in assignments.graded_lessons().items():
        html = (result.html / "lessons" / name / "lesson.html").read_text(encoding="utf-8")
        text = _page_text(html)
        for cell in read_myst(source).cells:
            tags = cell.metadata.get("tags", [])
            if cell.cell_type == "code" and "exercise" in tags:
                solution = [_plain(line) for line in exercise_solution(cell.source).splitlines()]
                assert all(line in text for line in solution if line), f"{name}: solution"
            if cell.cell_type == "markdown" and "exercise-written" in tags:
                answer = cell.source.split("### BEGIN SOLUTION", 1)[1]
                assert _plain(answer.strip().splitlines()[0]) in text, f"{name}: model answer"
                assert "Rubric" in answer and "Rubric" in text, f"{name}: no rubric"
        assert "tag_hide-input" in html and "Model answer" in html
    public = (built_book.html / "lessons").glob("*/lesson.html")
    assert all("Rubric (" not in page.read_text(encoding="utf-8") for page in public)


def _page_text(html: str) -> str:
    """A page's text as _plain gives it, code included (tags dropped, entities decoded)."""
    import html as html_module

    return _plain(html_module.unescape(re.sub("<[^>]+>", "", html)))


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
        copy_book_settings(book)
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
    # Sphinx's smart quotes.
    for curly, char in (("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'")):
        text = text.replace(curly, char)
    return " ".join(text.split())
