"""A hidden test checks the method, not only the number (EXERCISES.md).

For each graded exercise listed in ``lesson_runs.FINAL_NUMBER_ONLY`` (only the lessons
whose exercises ask for their intermediate values are listed), an answer that binds only
the final number, with exactly the right value (computed in the cell, its intermediates
then deleted, so the value is what a learner copying the answer from a classmate would
type), earns nothing for that test cell, while the cells of the exercises left as the
reference solution keep their points. A lesson's listed exercises are answered that way
in one submission, graded by the real nbgrader in the lesson's one graded run, which
test_lessons.py shares; every such answer must have run without an error, so that a
zero means the check refused the bare number, not that the answer never ran.
"""

from __future__ import annotations

import pytest
from lesson_runs import FINAL_NUMBER_ONLY, FINAL_NUMBERS

CASES = [(number, exercise) for number, cases in FINAL_NUMBER_ONLY.items() for exercise in cases]


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first test of a lesson makes its graded run
@pytest.mark.parametrize(("number", "exercise"), CASES)
def test_a_final_number_alone_earns_nothing(number, exercise, graded_lesson):
    run = graded_lesson(number)
    test_cell = FINAL_NUMBER_ONLY[number][exercise][0]
    assert run.scores["ref"] == run.points, "the reference must pass"
    assert exercise not in run.failed_cells[FINAL_NUMBERS], f"{exercise}: the answer raised"
    assert run.failed_cells[FINAL_NUMBERS] == [], "another cell of the submission raised"
    got = run.scores[FINAL_NUMBERS]
    assert got[test_cell] == 0.0, f"{exercise}: the final number alone passed"
    replaced = {cell for cell, _ in FINAL_NUMBER_ONLY[number].values()}
    kept = {cell: score for cell, score in got.items() if cell not in replaced}
    assert kept == {cell: p for cell, p in run.points.items() if cell not in replaced}
