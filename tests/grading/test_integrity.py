"""Tampering detection on submissions (astrolearn.grading.integrity), without nbgrader runs."""

from __future__ import annotations

import copy

import pytest
from astrolearn.grading.assignments import lesson_to_assignment
from astrolearn.grading.integrity import check_submission, expected_checksum_warnings
from astrolearn.notebooks import read_myst
from grading_course import FIXTURES, grade_id, with_cells


@pytest.fixture(scope="module")
def source():
    lesson = read_myst(FIXTURES / "00-pleiades-fixture" / "lesson.md")
    return lesson_to_assignment(lesson, "demo")[0]


@pytest.fixture(scope="module")
def release(source):
    # what nbgrader's ClearHiddenTests does to the test cells
    released = copy.deepcopy(source)
    for cell in released.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0].rstrip()
    return released


def _kinds(findings):
    return {(f.grade_id, f.kind) for f in findings}


def test_honest_submission_has_no_findings(release):
    answered = with_cells(release, {"cluster-distance": "cluster_distance_pc = 135.8"})
    assert check_submission(release, answered, "ann") == []


def test_deleted_edited_and_duplicated_cells(release):
    tampered = with_cells(
        release,
        {"bright-members-test": "pass"},
        delete={"cluster-distance-test", "bright-members"},
    )
    tampered.cells.append(copy.deepcopy(tampered.cells[-2]))
    found = _kinds(check_submission(release, tampered, "bob"))
    assert ("cluster-distance-test", "deleted-test") in found
    assert ("bright-members", "deleted-answer") in found
    assert ("bright-members-test", "edited-test") in found
    assert any(kind == "duplicate-cell" for _, kind in found)


def test_metadata_change_is_caught(release):
    tampered = copy.deepcopy(release)
    test = next(c for c in tampered.cells if grade_id(c) == "bright-members-test")
    test.metadata.nbgrader["grade"] = False
    assert ("bright-members-test", "edited-test-metadata") in _kinds(
        check_submission(release, tampered)
    )


@pytest.mark.parametrize(
    "code",
    [
        "import astrolearn.grading as g\ng.check_close = print",
        "import builtins\nbuiltins.AssertionError = Warning",
        "open('../../../gradebook.db').read()",
        "import os\nprint(os.listdir('..'))",
        "import pathlib\nfiles = list(pathlib.Path('..').rglob('*'))",
    ],
)
def test_suspicious_code_is_flagged_for_review(release, code):
    tampered = with_cells(release, {"cluster-distance": code})
    findings = check_submission(release, tampered)
    assert [(f.grade_id, f.kind, f.severe) for f in findings] == [
        ("cluster-distance", "suspicious-code", False)
    ]


def test_checksum_false_alarm_only_for_untouched_hidden_test_cells(source, release):
    untouched = copy.deepcopy(release)
    assert expected_checksum_warnings(source, release, untouched) == {
        "bright-members-test",
        "cluster-distance-test",
    }
    edited = with_cells(release, {"cluster-distance-test": "pass"})
    assert expected_checksum_warnings(source, release, edited) == {"bright-members-test"}


def test_a_submission_that_is_not_a_notebook_is_named_plainly(tmp_path):
    from astrolearn.grading.integrity import MAX_NOTEBOOK_BYTES, read_submission

    cases = {
        "huge.ipynb": " " * (MAX_NOTEBOOK_BYTES + 1),
        "text.ipynb": "my answers are in the email",
        "latin1.ipynb": b"\xe9t\xe9".decode("latin-1"),
        "not-a-notebook.ipynb": '{"cells": 3}',
    }
    reasons = {}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="latin-1")
        with pytest.raises(ValueError) as error:
            read_submission(path)
        reasons[name] = str(error.value)
    assert "more than 20,000,000" in reasons["huge.ipynb"]
    assert all("not a valid notebook" in reasons[n] for n in cases if n != "huge.ipynb")
