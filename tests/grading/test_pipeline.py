"""The whole `astrolearn grade cycle` on the fixture lesson, with adversarial submissions.

Real nbgrader, real SQLite gradebook, real kernels (sandboxed), in a temporary course.
The fixture lesson (tests/grading/fixtures/00-pleiades-fixture) has two autograded
exercises on the real Gaia Pleiades cone: ``bright-members-test`` (1 point; 43 members
brighter than G = 10 in the proper-motion box, counted from the data) and
``cluster-distance-test`` (2 points; 1000 / median parallax = 135.85 pc, Gaia DR2's
Pleiades distance is 135.8 pc), plus a written answer (2 points, graded by hand).
"""

from __future__ import annotations

import csv

import pytest
from grading_course import run_cycle, scores, with_cells, write_submissions

NAME = "00-pleiades-fixture"
RIGHT_DISTANCE = 'cluster_distance_pc = float(1000 / np.median(members["parallax"]))'
# Reads every readable file around the grading folder for the hidden test's number.
READ_HIDDEN = r"""
import pathlib, re, sqlite3
cluster_distance_pc = 0.0
root = pathlib.Path.cwd().parents[3]
# Around the grading folder, and in it: nbgrader writes the notebook being graded
# there with its hidden tests put back.
for path in [*root.rglob("*"), *pathlib.Path(".").rglob("*")]:
    try:
        text = path.read_bytes().decode("utf-8", "ignore")
    except OSError:
        continue
    found = re.search(r"cluster_distance_pc, (1[0-9.]+), rel=0.001", text)
    if found:
        cluster_distance_pc = float(found.group(1))
print("found hidden value:", cluster_distance_pc)
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released_fixture):
    root = tmp_path_factory.mktemp("grading")
    # needs the sandbox: without it the "hidden" submission below would read the hidden test
    course, lessons, good = released_fixture(root)
    release = with_cells(
        good,
        {
            "bright-members": "# YOUR CODE HERE\nraise NotImplementedError()",
            "cluster-distance": "# YOUR CODE HERE\nraise NotImplementedError()",
        },
    )
    wrong = {"bright-members": "n_bright = 0", "cluster-distance": "cluster_distance_pc = 0.0"}
    submissions = {
        "ref": good,
        "untouched": release,
        # visible tests pass, hidden tests fail: all stars instead of members (52 != 43) ...
        "allstars": with_cells(
            good, {"bright-members": 'n_bright = int(np.sum(stars["phot_g_mean_mag"] < 10))'}
        ),
        # ... and the mean instead of the median parallax (136.18 pc, not 135.85 pc)
        "mean": with_cells(
            good,
            {
                "cluster-distance": "cluster_distance_pc = "
                'float(1000 / np.mean(members["parallax"]))'
            },
        ),
        # an infinite loop (stopped by the timeout) and 30 MB of output in one submission
        "loop": with_cells(
            good,
            {
                "bright-members": "while True:\n    pass",
                "cluster-distance": RIGHT_DISTANCE
                + "\nprint('x' * 30_000_000)\nfor i in range(100_000): print(i)",
            },
        ),
        # an exception costs its own cell only; a deleted test cell is put back and run
        "crash": with_cells(
            good, {"bright-members": "raise ValueError('oops')"}, delete={"cluster-distance-test"}
        ),
        "edited": with_cells(
            good,
            {**wrong, "bright-members-test": "pass", "cluster-distance-test": "print('all good')"},
        ),
        "deleted": with_cells(
            good, wrong, delete={"bright-members-test", "cluster-distance-test"}
        ),
        "hidden": with_cells(good, {**wrong, "cluster-distance": READ_HIDDEN}),
    }
    submissions["edited"].cells[4].metadata.nbgrader["points"] = 100
    assert submissions["edited"].cells[4].metadata.nbgrader["grade_id"] == "bright-members-test"
    folder = write_submissions(root / "inbox", NAME, submissions)
    status = run_cycle(course, lessons, NAME, folder, timeout=10)
    return course, status, scores(course, NAME), set(submissions)


EXPECTED = {  # (bright-members-test out of 1, cluster-distance-test out of 2)
    "ref": (1, 2),
    "untouched": (0, 0),
    "allstars": (0, 2),
    "mean": (1, 0),
    "loop": (0, 2),
    "crash": (0, 2),
    "edited": (0, 0),
    "deleted": (0, 0),
    "hidden": (0, 0),
}


@pytest.mark.slow
def test_cycle_exits_cleanly(graded):
    assert graded[1] == 0


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_designed_scores(graded, student):
    _, _, got, _ = graded
    bright, distance = EXPECTED[student]
    assert got[student] == {"bright-members-test": bright, "cluster-distance-test": distance}


def _outputs(course, student: str) -> dict:
    import nbformat

    notebook = nbformat.read(course / "autograded" / student / NAME / f"{NAME}.ipynb", 4)
    return {
        c.metadata.get("nbgrader", {}).get("grade_id"): c.get("outputs", [])
        for c in notebook.cells
    }


@pytest.mark.slow
def test_timeout_stops_the_loop_and_only_that_cell(graded):
    outputs = _outputs(graded[0], "loop")
    # nbgrader interrupts the kernel at the timeout: KeyboardInterrupt in the loop cell only
    assert [o.ename for o in outputs["bright-members"]] == [
        "KeyboardInterrupt",
        "CellTimeoutError",
    ]
    assert not [o for o in outputs["cluster-distance-test"] if o.output_type == "error"]


@pytest.mark.slow
def test_exception_costs_only_its_cell(graded):
    outputs = _outputs(graded[0], "crash")
    assert [o.ename for o in outputs["bright-members"]] == ["ValueError"]
    # The test cell ran in the reference kernel, on an answer that was never set.
    assert [o.ename for o in outputs["bright-members-test"]] == ["AssertionError"]
    assert "not answered" in outputs["bright-members-test"][0].evalue
    assert outputs["cluster-distance-test"] == []  # put back by the grader, and passed


@pytest.mark.slow
def test_huge_output_is_cut(graded):
    course = graded[0]
    autograded = course / "autograded" / "loop" / NAME / f"{NAME}.ipynb"
    assert autograded.stat().st_size < 200_000  # 30 MB were printed
    feedback = course / "feedback" / "loop" / NAME / f"{NAME}.html"
    assert feedback.stat().st_size < 1_000_000
    assert "output cut by the grader" in autograded.read_text()


@pytest.mark.slow
def test_tampering_is_reported(graded):
    course = graded[0]
    with (course / "reports" / f"{NAME}-integrity.csv").open() as stream:
        rows = {(r["student"], r["grade_id"], r["kind"]) for r in csv.DictReader(stream)}
    assert ("deleted", "bright-members-test", "deleted-test") in rows
    assert ("deleted", "cluster-distance-test", "deleted-test") in rows
    assert ("edited", "cluster-distance-test", "edited-test") in rows
    assert ("edited", "bright-members-test", "edited-test-metadata") in rows
    assert ("crash", "cluster-distance-test", "deleted-test") in rows
    assert ("hidden", "cluster-distance", "suspicious-code") in rows
    assert not {r for r in rows if r[0] in ("ref", "untouched", "mean", "allstars")}


@pytest.mark.slow
def test_release_holds_no_solution_and_no_hidden_test(graded):
    course = graded[0]
    text = (course / "release" / NAME / f"{NAME}.ipynb").read_text()
    assert "135.85" not in text and "HIDDEN" not in text and "np.median" not in text
    assert "check_close" in text  # the visible tests are there


@pytest.mark.slow
def test_gradebook_consistent_and_feedback_for_everyone(graded):
    course, _, got, students = graded
    assert set(got) == students
    with (course / "grades.csv").open() as stream:
        rows = {r["student_id"]: r for r in csv.DictReader(stream)}
    assert set(rows) == students
    for student, cells in got.items():
        assert float(rows[student]["max_score"]) == 5.0
        # the written answer waits for a human, so the score is the autograded part
        assert float(rows[student]["score"]) == sum(cells.values())
        assert (course / "feedback" / student / NAME / f"{NAME}.html").exists()
