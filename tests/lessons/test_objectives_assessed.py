"""Every learning objective a lesson states is assessed by an exercise or a quiz question,
and every lesson has a quiz that is checked on the spot.

An exercise (its ``# Exercise`` comment or its written prompt) or a quiz question says
which objectives it assesses, with ``(objective 3)`` or ``(objectives 2 and 4)``. Quiz
questions may stand anywhere in the lesson, next to what they check (a code cell that
makes an ``astrolearn.ui.Quiz``), or in its Quiz section. The test lists the objectives
that nothing assesses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
MARKER = re.compile(r"\(objectives? ([\d ,and]+)\)")
CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```", re.MULTILINE | re.DOTALL)


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {heading}\b.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(0) if match else ""


def objectives(text: str) -> list[int]:
    """The numbers of the objectives listed under ``## Learning objectives``."""
    return [int(n) for n in re.findall(r"^(\d+)\. ", _section(text, "Learning objectives"), re.M)]


def quiz_cells(text: str) -> list[str]:
    """The code cells that make a checked quiz (``Quiz(...)``), wherever they stand."""
    return [cell for cell in CODE_CELL.findall(text) if "Quiz(" in cell]


def assessed(text: str) -> set[int]:
    """Objective numbers named by the markers of the Exercises and Quiz sections and quizzes."""
    found = set()
    parts = [_section(text, "Exercises?"), _section(text, "Quiz"), *quiz_cells(text)]
    for marker in MARKER.findall("\n".join(parts)):
        found |= {int(n) for n in re.findall(r"\d+", marker)}
    return found


def unassessed(path: Path) -> list[int]:
    text = path.read_text(encoding="utf-8")
    return [n for n in objectives(text) if n not in assessed(text)]


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*/lesson.md")), ids=lambda p: p.parent.name)
def test_every_objective_is_assessed(path):
    text = path.read_text(encoding="utf-8")
    assert objectives(text), f"{path.parent.name} states no numbered learning objectives"
    stray = assessed(text) - set(objectives(text))
    assert not stray, f"markers name objectives the lesson does not state: {sorted(stray)}"
    assert unassessed(path) == [], "objectives that no exercise or quiz question assesses"


def test_lessons_have_checked_quizzes():
    without = [
        path.parent.name
        for path in sorted(LESSONS.glob("*/lesson.md"))
        if not quiz_cells(path.read_text(encoding="utf-8"))
    ]
    assert without == [], "lessons without a checked quiz (astrolearn.ui.Quiz)"


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*/lesson.md")), ids=lambda p: p.parent.name)
def test_quiz_answers_are_computed_not_typed(path):
    """lessons/README.md, "Writing a quiz": a numeric answer is a value the lesson computed,
    so that the quiz stays true when the data change."""
    cells = quiz_cells(path.read_text(encoding="utf-8"))
    answers = [answer for cell in cells for answer in re.findall(r"\banswer=([^,\n]+),", cell)]
    assert answers, "the lesson's quizzes ask for no number"
    typed = [answer for answer in answers if re.fullmatch(r"[-+\d.eE_ ]+", answer.strip())]
    assert typed == []


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*/lesson.md")), ids=lambda p: p.parent.name)
def test_questions_are_interleaved_with_the_lesson(path):
    """A learner is checked on a section where it ends, not only at the lesson's end."""
    text = path.read_text(encoding="utf-8")
    end = re.search(r"^## (Exercises?|Quiz)\b", text, re.MULTILINE)
    assert end, "the lesson has no Exercises or Quiz section"
    assert quiz_cells(text[: end.start()]), "no checked question before the lesson's end"


def test_the_reader_finds_objectives_and_markers():
    text = (
        "## Learning objectives\n\n1. one;\n2. two;\n3. three.\n\n## Exercises\n\n"
        "# Exercise (objective 1): ...\n\n## Quiz\n\n1. Why? (objectives 1 and 3)\n"
    )
    assert objectives(text) == [1, 2, 3]
    assert assessed(text) == {1, 3}
    assert assessed(text.replace("## Exercises", "## Exercise")) == {1, 3}
    early = (
        "## Learning objectives\n\n1. one;\n2. two.\n\n## Colours\n\n"
        "```{code-cell} ipython3\nQuiz(Numeric('How red? (objective 2)', answer=1, "
        "tolerance=0))\n```\n\n(objective 1) in prose is not an assessment.\n"
    )
    assert assessed(early) == {2}
