"""The real graded lessons as nbgrader assignments: convention, full marks, zero marks.

For every lesson listed in course/assignments.toml: the MyST source follows EXERCISES.md
(at least 2 autograded test cells with hidden tests and 1 written answer); graded by the
real nbgrader, the reference solution earns every autograded point and the untouched
release earns none. Adversarial submissions are tested once, on the fixture lesson
(test_pipeline.py), because each graded submission takes seconds.
"""

from __future__ import annotations

import pytest
from astrolearn.grading import assignments, cycle
from astrolearn.notebooks import read_myst
from grading_course import (
    REPO,
    make_course,
    read,
    reference,
    scores,
    write_submissions,
)

GRADED = ("02", "04", "05", "06", "09", "12", "13")
LESSONS = assignments.graded_lessons(REPO / "lessons", REPO / "course")


def _lesson(number: str):
    found = [path for name, path in LESSONS.items() if name.startswith(number + "-")]
    assert found, f"graded lesson {number} is missing (no lessons/{number}-*/lesson.md)"
    return found[0]


def test_course_lists_the_graded_lessons():
    text = (REPO / "course" / "assignments.toml").read_text()
    assert all(f'"{number}"' in text for number in GRADED)


@pytest.mark.parametrize("number", GRADED)
def test_lesson_follows_the_exercise_convention(number):
    lesson = _lesson(number)
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
@pytest.mark.parametrize("number", GRADED)
def test_reference_full_marks_release_zero(number, tmp_path):
    lesson = _lesson(number)
    name = lesson.parent.name
    course, lessons = make_course(tmp_path, {name: lesson})
    assert cycle.release(course, lessons, name) == 0
    good = reference(course, name)
    untouched = read(course, "release", name)
    inbox = write_submissions(tmp_path / "inbox", name, {"ref": good, "untouched": untouched})
    # release, collect and autograde only: feedback and export are tested in test_pipeline
    assert cycle.collect(course, name, inbox) == 0
    assert cycle.autograde(course, name, timeout=60, hidden=(lessons,)) == 0
    got = scores(course, name)
    points = assignments.summarize(lesson).autograded
    assert got["ref"] == {cell: float(p) for cell, p in points.items()}, "reference must pass"
    assert got["untouched"] == dict.fromkeys(points, 0.0), "the release must earn nothing"
    report = course / "reports" / f"{name}-integrity.csv"
    if report.exists():  # only "review by hand" notes are acceptable for honest work
        kinds = {row.split(",")[2] for row in report.read_text().splitlines()[1:]}
        assert kinds <= {"suspicious-code"}, report.read_text()
