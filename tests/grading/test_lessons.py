"""The real graded lessons as nbgrader assignments: convention, full marks, zero marks.

For every lesson listed in course/assignments.toml: the MyST source follows EXERCISES.md
(at least 2 autograded test cells with hidden tests and 1 written answer); graded by the
real nbgrader, the reference solution earns every autograded point and the untouched
release earns none. Adversarial submissions are tested once, on the fixture lesson
(test_pipeline.py), because each graded submission takes seconds.
"""

from __future__ import annotations

import pytest
from astrolearn.grading import assignments
from astrolearn.notebooks import read_myst
from grading_course import REPO
from lesson_runs import lesson_path

GRADED = ("02", "04", "05", "06", "09", "12", "13")


def test_course_lists_the_graded_lessons():
    text = (REPO / "course" / "assignments.toml").read_text()
    assert all(f'"{number}"' in text for number in GRADED)


@pytest.mark.parametrize("number", GRADED)
def test_lesson_follows_the_exercise_convention(number):
    lesson = lesson_path(number)
    summary = assignments.summarize(lesson)
    hidden = assignments.lesson_to_assignment(read_myst(lesson), "x")[0]
    with_hidden = {
        c.metadata.nbgrader["grade_id"]
        for c in hidden.cells
        if "nbgrader" in c.metadata and "BEGIN HIDDEN TESTS" in c.source
    }
    assert len(summary.autograded) >= 2, summary
    assert len(with_hidden & set(summary.autograded)) >= 2, "test cells need hidden tests"
    assert len(summary.manual) >= 1, summary


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first test of a lesson makes its graded run
@pytest.mark.parametrize("number", GRADED)
def test_reference_full_marks_release_zero(number, graded_lesson):
    run = graded_lesson(number)
    assert run.scores["ref"] == run.points, "reference must pass"
    assert run.failed_cells["ref"] == [], "a cell of the reference solution raised"
    untouched = run.scores["untouched"]
    assert untouched == dict.fromkeys(run.points, 0.0), "the release must earn nothing"
    # only "review by hand" notes are acceptable for honest work (the other students of
    # the run are the final-number-only cases of test_hardcoded_answers)
    kinds = {row["kind"] for row in run.integrity if row["student"] in ("ref", "untouched")}
    assert kinds <= {"suspicious-code"}, run.integrity
