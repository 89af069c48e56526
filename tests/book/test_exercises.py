"""Exercises on the book's pages: the question is always shown, a graded lesson's
solutions only in the instructor build (``astrolearn book --instructor``).

A two-lesson book is built here, with this project's configuration and extension: lesson
05 is graded (``course/assignments.toml`` beside the book), lesson 07 is not.
"""

from __future__ import annotations

import re

import pytest
from bookutil import build_book, copy_book_settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

HEADER = (
    "---\njupytext:\n  text_representation:\n    format_name: myst\n"
    "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
)
LESSON = """# Lesson {number}

```{{code-cell}} ipython3
parallaxes_mas = [7.3, 7.4, 7.5]
```

```{{code-cell}} ipython3
:tags: [exercise]
:grade_id: distance-{number}
# Exercise: store the QUESTIONMARK{number} distance in `distance_pc`.
### BEGIN SOLUTION
distance_pc = 1000 / sorted(parallaxes_mas)[1]  # SOLUTIONMARK{number}
print("PRINTEDMARK{number}", round(distance_pc))
### END SOLUTION
```

```{{code-cell}} ipython3
:tags: [exercise-test]
:grade_id: distance-{number}-test
:points: 1
assert distance_pc > 0
### BEGIN HIDDEN TESTS
assert abs(distance_pc - 135.1) < 1  # HIDDENMARK{number}
### END HIDDEN TESTS
```

+++ {{"tags": ["exercise-written"], "grade_id": "why-{number}", "points": 1}}

**Explain** WRITTENMARK{number} why the median is used.

### BEGIN SOLUTION
ANSWERMARK{number} it resists outliers.

Rubric: RUBRICMARK{number} 1 point for robustness.
### END SOLUTION

+++

The end.
"""


def _book(tmp_path):
    root = tmp_path / "repo"
    book = root / "jupyter-book"
    book.mkdir(parents=True)
    copy_book_settings(book)
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        "  - file: lessons/05-graded/lesson\n  - file: lessons/07-free/lesson\n",
        encoding="utf-8",
    )
    (book / "intro.md").write_text("# Intro\n", encoding="utf-8")
    for number, slug in (("05", "graded"), ("07", "free")):
        folder = book / "lessons" / f"{number}-{slug}"
        folder.mkdir(parents=True)
        (folder / "lesson.md").write_text(HEADER + LESSON.format(number=number), encoding="utf-8")
    (root / "course").mkdir()
    (root / "course" / "assignments.toml").write_text('graded = ["05"]\n')
    return book


def _text(html: str) -> str:
    """The page's visible text, without tags (the toggled content included)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    book = _book(tmp_path_factory.mktemp("exercise-book"))
    public = build_book(book)
    instructor = build_book(book, instructor=True)
    assert public.returncode == 0, public.log[-3000:]
    assert instructor.returncode == 0, instructor.log[-3000:]
    pages = {}
    for kind, result in (("public", public), ("instructor", instructor)):
        for number, slug in (("05", "graded"), ("07", "free")):
            page = result.html / "lessons" / f"{number}-{slug}" / "lesson.html"
            pages[kind, number] = page.read_text(encoding="utf-8")
    return pages


@pytest.mark.parametrize("kind", ["public", "instructor"])
@pytest.mark.parametrize("number", ["05", "07"])
def test_the_question_is_shown_outside_any_toggle(built, kind, number):
    html = built[kind, number]
    question = re.search(r"<p>(?:(?!</p>).)*QUESTIONMARK" + number, html, re.DOTALL)
    assert question, "the exercise's question is not a paragraph of the page"
    assert "<strong>Exercise.</strong>" in question.group(0)
    assert "WRITTENMARK" + number in _text(html)
    # Never the markers, never the hidden tests, in any build.
    assert "BEGIN SOLUTION" not in html and "END SOLUTION" not in html
    assert "HIDDENMARK" not in html


def test_public_graded_lesson_shows_no_solution(built):
    text = _text(built["public", "05"])
    for mark in ("SOLUTIONMARK", "PRINTEDMARK", "ANSWERMARK", "RUBRICMARK"):
        assert mark + "05" not in text, f"{mark} is on the public page of a graded lesson"
    assert "Model answer" not in text


def test_instructor_graded_lesson_shows_solution_and_rubric_behind_toggles(built):
    html = built["instructor", "05"]
    text = _text(html)
    for mark in ("SOLUTIONMARK", "PRINTEDMARK", "ANSWERMARK", "RUBRICMARK"):
        assert mark + "05" in text, f"{mark} is missing from the instructor page"
    assert re.search(r'class="cell [^"]*tag_hide-input', html), "the solution is not toggled"
    assert "Model answer" in text
    # The toggled code is the solution alone: the question is not repeated in it.
    code = re.search(r'<div class="cell [^"]*tag_exercise[ "].*?</pre>', html, re.DOTALL)
    assert code and "QUESTIONMARK" not in code.group(0)


def test_ungraded_lesson_keeps_its_solution_in_the_public_book(built):
    text = _text(built["public", "07"])
    assert "SOLUTIONMARK07" in text and "ANSWERMARK07" in text
