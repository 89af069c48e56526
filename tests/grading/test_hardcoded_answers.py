"""A hidden test checks the method, not only the number (EXERCISES.md).

For each graded exercise listed here, a submission that binds only the final number,
with exactly the right value (computed in the cell, its intermediates then deleted, so
the value is what a learner copying the answer from a classmate would type), earns
nothing for that test cell, while its other cells keep the reference solution. Each
case is graded by the real nbgrader; only the lessons whose exercises ask for their
intermediate values are listed.
"""

from __future__ import annotations

import pytest
from astrolearn.grading import assignments, cycle
from grading_course import (
    REPO,
    make_course,
    reference,
    scores,
    with_cells,
    write_submissions,
)

LESSONS = assignments.graded_lessons(REPO / "lessons", REPO / "course")

#: lesson number -> {exercise grade_id: (its test cell, a final-number-only answer)}
FINAL_NUMBER_ONLY = {
    "05": {
        "clustering-distance": (
            "clustering-distance-test",
            "box_distance_pc = float(1000 / np.median(np.asarray(stars['parallax'][box])))",
        ),
        "kmeans-pleiades-group": (
            "kmeans-pleiades-group-test",
            "_labels = KMeans(n_clusters=3, n_init=4, random_state=0).fit_predict(X_scaled)\n"
            "kmeans_group_size = int(np.sum(_labels == np.bincount(_labels[members]).argmax()))\n"
            "del _labels",
        ),
    },
}


def _lesson(number: str):
    return next(path for name, path in LESSONS.items() if name.startswith(number + "-"))


@pytest.mark.slow
@pytest.mark.parametrize("number", sorted(FINAL_NUMBER_ONLY))
def test_a_final_number_alone_earns_nothing(number, tmp_path):
    lesson = _lesson(number)
    name = lesson.parent.name
    course, lessons = make_course(tmp_path, {name: lesson})
    assert cycle.release(course, lessons, name) == 0
    good = reference(course, name)
    cases = FINAL_NUMBER_ONLY[number]
    submissions = {"ref": good}
    for exercise, (_, answer) in cases.items():
        submissions[exercise] = with_cells(good, {exercise: answer})
    inbox = write_submissions(tmp_path / "inbox", name, submissions)
    assert cycle.collect(course, name, inbox) == 0
    assert cycle.autograde(course, name, timeout=60, hidden=(lessons,)) == 0
    got = scores(course, name)
    points = assignments.summarize(lesson).autograded
    assert got["ref"] == {cell: float(p) for cell, p in points.items()}
    for exercise, (test_cell, _) in cases.items():
        assert got[exercise][test_cell] == 0.0, f"{exercise}: the final number alone passed"
        others = {cell: score for cell, score in got[exercise].items() if cell != test_cell}
        assert others == {cell: float(p) for cell, p in points.items() if cell != test_cell}
