"""Forged marks: a submission that patches the checks from its own kernel earns nothing.

Real nbgrader, real gradebook, real sandboxed kernels, the whole ``astrolearn grade
cycle`` on the fixture lesson (two autograded cells: 43 bright members, 1 point;
135.85 pc, 2 points). Every forger below answers wrongly (0 and 0.0, or nothing) and
then tries to make the checks pass anyway, each in its own way. Test cells are checked
in the reference kernel on the answers as plain data, so none of it can work: every
forger must score 0 on both cells, while the reference solution scores full marks in
the same run, and an answer of a type the grader cannot read says so in the feedback.
"""

from __future__ import annotations

import base64
import csv
import json

import pytest
from grading_course import FIXTURE as NAME
from grading_course import read, run_cycle, scores, with_cells, write_submissions

pytestmark = pytest.mark.timeout(900)

WRONG = "n_bright = 0\n"
PATCH_CHECKS = """
import astrolearn.grading as grading
for check in grading.__all__:
    setattr(grading, check, lambda *args, **kwargs: None)
"""
PATCH_NUMPY = """
import numpy
numpy.all = numpy.any = numpy.array_equal = numpy.allclose = lambda *a, **k: True
numpy.isnan = lambda x: False
"""
# Every later cell, the test cells included, would run as `pass`.
TRANSFORMER = """
get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
"""
ALWAYS_EQUAL = """
class Agreeable(int):
    def __eq__(self, other):
        return True
    __le__ = __ge__ = __eq__
    def __float__(self):
        return 43.0
n_bright = Agreeable(0)
"""
FAKE_MODULE = """
import sys, types
fake = types.ModuleType("astrolearn.grading")
fake.__all__ = []
for name in ("check_close", "check_equal", "check_in_range", "check_type"):
    setattr(fake, name, lambda *a, **k: None)
sys.modules["astrolearn.grading"] = fake
"""
ASSERT_AWAY = """
import builtins
builtins.AssertionError = type("Harmless", (Exception,), {})
def _quiet(*exc):
    return None
get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)
"""
SPY = """
seen = []
get_ipython().events.register("pre_run_cell", lambda info: seen.append(info.raw_cell))
n_bright = 0
"""
REPORT = 'print("SPIED:", seen)\ncluster_distance_pc = 0.0\n'
HIDDEN = base64.b64encode((PATCH_CHECKS + PATCH_NUMPY).encode()).decode()
ENCODED = f"exec(__import__('base64').b64decode('{HIDDEN}').decode())\n"

# The exporter that hands the answers over, broken or made to send garbage.
BROKEN_EXPORTER = """
import astrolearn.grading.answers as answers
answers.export_payload = lambda *a, **k: 1 / 0
"""
GARBAGE_EXPORTER = """
import astrolearn.grading.answers as answers
class Garbage:
    def _repr_json_(self):
        return {"answers": {"n_bright": 43}}
answers.export_payload = lambda *a, **k: Garbage()
"""

FORGERS = {
    "patches-the-checks": PATCH_CHECKS,
    "patches-numpy": PATCH_NUMPY,
    "input-transformer": TRANSFORMER,
    "always-equal": ALWAYS_EQUAL,
    "fake-module": FAKE_MODULE,
    "no-assertions": ASSERT_AWAY,
    "encoded-exec": ENCODED,
    "broken-exporter": BROKEN_EXPORTER,
    "garbage-exporter": GARBAGE_EXPORTER,
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released_fixture):
    root = tmp_path_factory.mktemp("forgery")
    course, lessons, good = released_fixture(root)
    submissions = {"reference": good}
    for student, trick in FORGERS.items():
        answer = ALWAYS_EQUAL if student == "always-equal" else WRONG + trick
        submissions[student] = with_cells(
            good, {"bright-members": answer, "cluster-distance": "cluster_distance_pc = 0.0"}
        )
    submissions["spy"] = with_cells(good, {"bright-members": SPY, "cluster-distance": REPORT})
    inbox = write_submissions(root / "inbox", NAME, submissions)
    status = run_cycle(course, lessons, NAME, inbox, 20)
    return course, status, scores(course, NAME)


@pytest.mark.slow
def test_the_reference_solution_gets_full_marks_in_the_same_run(graded):
    _course, status, marks = graded
    assert status == 0
    assert marks["reference"] == {"bright-members-test": 1.0, "cluster-distance-test": 2.0}


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(FORGERS))
def test_a_forger_earns_no_points(graded, student):
    _course, _status, marks = graded
    assert marks[student] == {"bright-members-test": 0.0, "cluster-distance-test": 0.0}


@pytest.mark.slow
def test_an_answer_the_grader_cannot_read_is_explained_and_reported(graded):
    course, _status, _marks = graded
    notebook = read(course, "autograded/always-equal", NAME)
    test = next(c for c in notebook.cells if "bright-members-test" in json.dumps(c.metadata))
    errors = [o for o in test.outputs if o.output_type == "error"]
    assert errors and "cannot read" in errors[0].evalue, test.outputs
    lines = (course / "reports" / f"{NAME}-checks.jsonl").read_text().splitlines()
    findings = [json.loads(line) for line in lines]
    assert any(
        f["student"] == "always-equal" and f["kind"] == "unreadable-answer" for f in findings
    ), findings
    with (course / "reports" / f"{NAME}-grading.csv").open() as table:
        row = next(r for r in csv.DictReader(table) if r["student"] == "always-equal")
    assert row["status"] == "graded" and "Agreeable" in row["why"] and row["review"] == "yes"


@pytest.mark.slow
def test_test_cells_never_run_in_the_learners_kernel(graded):
    """A spy records every cell its kernel runs from its first answer on and prints them
    in the next answer: the test cell between (its hidden ``check_equal(..., 43)``) is
    not among them, only the printing cell itself."""
    course, _status, marks = graded
    notebook = read(course, "autograded/spy", NAME)
    spied = next(c for c in notebook.cells if '"cluster-distance"' in json.dumps(c.metadata))
    printed = "".join(o.get("text", "") for o in spied.outputs)
    assert "SPIED" in printed and "cluster_distance_pc = 0.0" in printed  # the spy works ...
    assert "check_equal" not in printed  # ... and saw no test code
    assert marks["spy"] == {"bright-members-test": 0.0, "cluster-distance-test": 0.0}
