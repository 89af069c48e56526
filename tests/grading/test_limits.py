"""A submission that hits a limit is stopped there, and graded on the rest.

Real ``astrolearn grade cycle`` with the course's own time budget, real sandboxed
kernels. Each submission answers ``n_bright`` right after doing something that a
grader's machine must survive: asking for 64 GiB of memory, printing for a second
without pause, printing 300 MB at once, forking copies of itself without end. The
memory limit stops the first (its answer, on the same line's cell, is lost); the output
limits keep the others' outputs small while their answers still count; the fork bomb
stops at the process limit, its copies are killed once its cell is done (left running,
they would take the CPU from the rest of the notebook), and its answer counts. The
grading table names the memory and process limits, and flags both for review.
"""

from __future__ import annotations

import csv

import pytest
from grading_course import FIXTURE as NAME
from grading_course import processes_of, run_cycle, scores, with_cells, write_submissions

pytestmark = pytest.mark.timeout(600)
RIGHT_COUNT = 'n_bright = int(np.sum(members["phot_g_mean_mag"] < 10))\n'
FLOOD = """
import time
end = time.monotonic() + 1
while time.monotonic() < end:
    print("x" * 100_000)
"""
FORK_BOMB = """
import os
try:
    while True:
        if os.fork() == 0:
            while True:
                os.fork()
except OSError:
    pass
"""
FULL = {"bright-members-test": 1.0, "cluster-distance-test": 2.0}
#: Submission: (what it does before answering, its marks, what the grading table says)
LIMITED = {
    "memory-hog": (
        "hog = bytearray(64 * 2**30)\n",
        {"bright-members-test": 0.0, "cluster-distance-test": 2.0},
        "memory limit hit",
    ),
    # The kernel sends its prints in batches; one over the largest message the grader
    # takes (64 MiB) is refused unread, with what follows it in that cell.
    "output-flood": (FLOOD, FULL, None),
    "one-huge-print": ('print("x" * 300_000_000)\n', FULL, None),
    "fork-bomb": (FORK_BOMB, FULL, "process limit hit"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released_fixture):
    root = tmp_path_factory.mktemp("limits")
    course, lessons, good = released_fixture(root)
    submissions = {"honest": good}
    for student, (before, _marks, _why) in LIMITED.items():
        submissions[student] = with_cells(good, {"bright-members": before + RIGHT_COUNT})
    inbox = write_submissions(root / "inbox", NAME, submissions)
    status = run_cycle(course, lessons, NAME, inbox, 30)
    with (course / "reports" / f"{NAME}-grading.csv").open() as table:
        rows = {row["student"]: row for row in csv.DictReader(table)}
    return course, status, rows, scores(course, NAME)


@pytest.mark.slow
def test_the_honest_submission_is_graded_in_full(graded):
    _course, status, rows, marks = graded
    assert status == 0
    assert marks["honest"] == FULL and rows["honest"]["review"] == ""


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(LIMITED))
def test_a_submission_that_hits_a_limit_is_stopped_there_and_graded(graded, student):
    course, _status, rows, marks = graded
    _before, expected, why = LIMITED[student]
    assert rows[student]["status"] == "graded", rows[student]
    assert marks[student] == expected
    if why:
        assert why in rows[student]["why"] and rows[student]["review"] == "yes", rows[student]
    notebook = course / "autograded" / student / NAME / f"{NAME}.ipynb"
    assert notebook.stat().st_size < 1_000_000, "what was printed is cut"


@pytest.mark.slow
def test_no_copy_of_the_fork_bomb_outlives_its_grading(graded):
    left = processes_of(graded[0])
    assert not left, f"a process of the grading is left: {left}"
