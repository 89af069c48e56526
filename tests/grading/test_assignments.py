"""Lesson MyST source -> nbgrader source notebook (astrolearn.grading.assignments)."""

from __future__ import annotations

import pytest
from astrolearn.grading import assignments
from astrolearn.grading.assignments import LessonFormatError, lesson_to_assignment
from astrolearn.notebooks import read_myst
from grading_course import FIXTURES

LESSON = FIXTURES / "00-pleiades-fixture" / "lesson.md"


def _by_id(notebook):
    return {c.metadata.nbgrader["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata}


def test_cells_become_nbgrader_cells():
    notebook, summary = lesson_to_assignment(read_myst(LESSON), "demo")
    cells = _by_id(notebook)
    assert cells["cluster-distance"].metadata.nbgrader["solution"] is True
    assert cells["cluster-distance"].metadata.nbgrader["grade"] is False
    test = cells["cluster-distance-test"].metadata.nbgrader
    assert (test["grade"], test["locked"], test["points"]) == (True, True, 2)
    written = cells["median-why"]
    assert written.cell_type == "markdown" and written.metadata.nbgrader["points"] == 2
    assert written.source.startswith("### BEGIN SOLUTION")
    assert cells["median-why-prompt"].source.startswith("**Explain**")
    assert cells["median-why-prompt"].metadata.nbgrader["locked"] is True
    assert summary.autograded == {"bright-members-test": 1, "cluster-distance-test": 2}
    assert summary.manual == {"median-why": 2} and summary.max_score == 5
    # book-only tags are gone, the setup code is locked, the kernel is python3
    assert not any("hide-input" in c.metadata.get("tags", []) for c in notebook.cells)
    assert cells["demo-setup-1"].metadata.nbgrader["locked"] is True
    assert notebook.metadata.kernelspec["name"] == "python3"


def _broken(tmp_path, old: str, new: str):
    path = tmp_path / "lesson.md"
    text = LESSON.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return read_myst(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            ":grade_id: cluster-distance-test",
            ":grade_id: Cluster_Distance",
            "lowercase-with-dashes",
        ),
        (":grade_id: cluster-distance-test", ":grade_id: bright-members", "used twice"),
        (":points: 2", ":points: 2.5", "integer points"),
        ('"points": 2}', '"points": 0}', "integer points"),
        ("### BEGIN SOLUTION\ncluster_distance_pc", "cluster_distance_pc", "no solution region"),
        (
            ":tags: [exercise-test, remove-input]\n:grade_id: bright",
            ":tags: [remove-input]\n:grade_id: bright",
            "no exercise, exercise-test",
        ),
        ('+++ {"tags": ["exercise-written"], ', "+++ {", "no exercise, exercise-test"),
    ],
)
def test_convention_errors_name_the_cell(tmp_path, old, new, message):
    with pytest.raises(LessonFormatError, match=message):
        lesson_to_assignment(_broken(tmp_path, old, new), "demo", where="lesson.md")


def test_write_source_and_graded_lessons(tmp_path):
    lessons = tmp_path / "lessons"
    for name in ("02-vo", "03-colours"):
        (lessons / name).mkdir(parents=True)
        (lessons / name / "lesson.md").write_text(LESSON.read_text())
    course = tmp_path / "course"
    course.mkdir()
    (course / "assignments.toml").write_text('graded = ["02"]\n')
    assert list(assignments.graded_lessons(lessons, course)) == ["02-vo"]
    target = assignments.write_source(lessons / "02-vo" / "lesson.md", course)
    assert target == course / "source" / "02-vo" / "02-vo.ipynb"
    assert "BEGIN HIDDEN TESTS" in target.read_text()  # the source keeps them
