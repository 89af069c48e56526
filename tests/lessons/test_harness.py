"""The lesson harness itself: real offline execution of two tiny MyST notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import execute_lesson, prose_number, run_lesson

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OK = FIXTURES / "harness-ok" / "lesson.md"


@pytest.mark.slow
def test_values_come_back_and_network_is_cut():
    values = execute_lesson(OK, ["answer", "counts", "label", "network_reachable"])
    assert values == {
        "answer": 42.0,
        "counts": {"stars": 3, "quasars": 2},
        "label": "ok",
        "network_reachable": False,
    }


@pytest.mark.slow
def test_arrays_and_unknown_names_are_reported_clearly():
    with pytest.raises(KeyError, match="table_like"):
        execute_lesson(OK, ["table_like"])


@pytest.mark.slow
def test_figure_without_alt_text_is_found():
    run = run_lesson(OK.resolve())
    # Cell 0 is the prose; the figure with alt text is cell 2, the one without is cell 3.
    assert run.figures_without_alt == [3]
    assert run.seconds > 0 and len(run.cell_seconds) == 7


@pytest.mark.slow
def test_a_failing_cell_fails_the_test_with_its_message():
    with pytest.raises(pytest.fail.Exception, match="broken on purpose"):
        run_lesson((FIXTURES / "harness-error" / "lesson.md").resolve())


@pytest.mark.slow
def test_student_version_strips_solutions_and_keeps_later_cells_running():
    run = run_lesson(OK.resolve(), True)
    assert "doubled" not in run.values  # the solution was removed
    assert run.values["after_exercise"] == 43.0


def test_prose_number_needs_exactly_one_match():
    assert prose_number(OK, r"about \*\*([\d.]+)\*\*") == 42.0
    with pytest.raises(AssertionError, match="matched 0 times"):
        prose_number(OK, r"accuracy of ([\d.]+)")


def test_structure_check_names_what_a_lesson_lacks():
    from structure import structure_problems

    problems = structure_problems(OK, graded=True)
    assert "prose: no quiz" in problems
    assert "prose: no further reading" in problems
    assert "code: no data.cite(...) call for the data used" in problems
    assert "graded lesson: needs >= 1 written exercise" in problems
    # The fixture's test cell uses a bare assert, not an astrolearn.grading check.
    assert "tiny-double-test: use astrolearn.grading checks" in problems
