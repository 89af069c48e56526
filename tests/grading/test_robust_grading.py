"""One bad submission does not stop the grading of the others.

Real nbgrader, real gradebook, real (sandboxed) kernels, the whole ``astrolearn grade
cycle``. Among honest submissions (graded before and after the broken ones), each
broken one fails in its own way: a file that is not JSON, grading metadata that is not
a table, a test cell renamed to one never released, a test cell copied, a kernel that
exits, a loop that ignores interrupts, and cells that together run past the budget of
one submission. Each must end as "not graded" with its reason, flagged for review, and
the honest ones get full marks, feedback and a row in the grades.
"""

from __future__ import annotations

import copy
import csv
import sqlite3

import pytest
from grading_course import FIXTURE as NAME
from grading_course import processes_of, run_cycle, scores, with_cells, write_submissions

pytestmark = pytest.mark.timeout(900)  # eight submissions, two of them stopped late
#: Seconds one submission may take here: three cells of 3 s each overrun it.
BUDGET = 8
SLOW = "import time\ntime.sleep(3)\n"


def renamed(notebook, grade_id: str, new: str):
    notebook = copy.deepcopy(notebook)
    cell = next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )
    cell.metadata.nbgrader["grade_id"] = new
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released_fixture):
    root = tmp_path_factory.mktemp("robust")
    course, lessons, good = released_fixture(root)
    bad_metadata = copy.deepcopy(good)
    test_cell = next(i for i, c in enumerate(bad_metadata.cells) if "nbgrader" in c.metadata)
    bad_metadata.cells[test_cell].metadata["nbgrader"] = "yes"
    copied = copy.deepcopy(good)
    copied.cells.append(copy.deepcopy(copied.cells[test_cell]))
    submissions = {
        "a-honest": good,
        "bad-metadata": bad_metadata,
        "copied-cell": copied,
        "exits": with_cells(good, {"bright-members": "import os\nos._exit(1)"}),
        "ignores-interrupts": with_cells(
            good,
            {
                "bright-members": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                "while True:\n    pass"
            },
        ),
        "over-budget": with_cells(
            good,
            {
                "bright-members": SLOW + 'n_bright = int(np.sum(stars["phot_g_mean_mag"] < 10))',
                "cluster-distance": SLOW * 2 + "cluster_distance_pc = 0.0",
            },
        ),
        "renamed-test": renamed(good, "bright-members-test", "made-up-test"),
        "z-honest": good,
    }
    inbox = write_submissions(root / "inbox", NAME, submissions)
    (inbox / "not-json").mkdir()
    (inbox / "not-json" / f"{NAME}.ipynb").write_text('{"cells": [')
    status = run_cycle(course, lessons, NAME, inbox, 5, f"--budget={BUDGET}")
    with (course / "reports" / f"{NAME}-grading.csv").open() as table:
        rows = {row["student"]: row for row in csv.DictReader(table)}
    return course, status, rows, scores(course, NAME)


STOPPED = f"still running after {BUDGET} s, stopped"
#: Why each broken submission was not graded (any of the reasons given).
WHY = {
    "bad-metadata": ("grading metadata nbgrader cannot read",),
    "copied-cell": ("appears 2 times",),
    "exits": ("Kernel died",),
    # nbgrader gives up on the cell after its timeout, or the budget runs out first.
    "ignores-interrupts": ("Timeout waiting for execute reply", STOPPED),
    "over-budget": (STOPPED,),
    "renamed-test": ("'made-up-test', which was never released",),
    "not-json": ("not a valid notebook",),
}


@pytest.mark.slow
def test_the_cycle_goes_on_and_says_not_all_were_graded(graded):
    from astrolearn.grading.cycle import NOT_ALL_GRADED

    _course, status, rows, _scores = graded
    assert status == NOT_ALL_GRADED
    assert set(rows) == set(WHY) | {"a-honest", "z-honest"}


@pytest.mark.slow
@pytest.mark.parametrize("student", ["a-honest", "z-honest"])
def test_honest_work_before_and_after_the_broken_is_graded_in_full(graded, student):
    course, _status, rows, marks = graded
    assert rows[student]["status"] == "graded" and rows[student]["review"] == ""
    assert marks[student] == {"bright-members-test": 1.0, "cluster-distance-test": 2.0}
    assert (course / "feedback" / student / NAME / f"{NAME}.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(WHY))
def test_each_broken_submission_is_not_graded_with_its_reason_and_flagged(graded, student):
    course, _status, rows, marks = graded
    row = rows[student]
    assert row["status"] == "not graded", row
    assert any(reason in row["why"] for reason in WHY[student]), row
    assert row["review"] == "yes"
    assert not any(marks.get(student, {}).values()), "no points for a failed submission"
    query = """
        SELECT submitted_notebook.flagged FROM submitted_notebook
        JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
        WHERE submitted_assignment.student_id = ?
    """
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute(query, (student,)).fetchall() == [(1,)], "flagged in the gradebook"


@pytest.mark.slow
def test_every_student_has_a_row_in_the_grades(graded):
    course = graded[0]
    with (course / "grades.csv").open() as grades:
        students = {row["student_id"] for row in csv.DictReader(grades)}
    assert students == set(graded[2])


@pytest.mark.slow
def test_no_process_outlives_its_grading(graded):
    left = processes_of(graded[0])
    assert not left, f"a process of the grading is left: {left}"
