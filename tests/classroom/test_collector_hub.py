"""The instructor collects from the formgrader of their own server on a real classroom
hub: the formgrader's Collect button (its API call) goes through the hub's collector
service, and the instructor then sees each student's submission. A student's identical
call is refused, and so is ``nbgrader collect`` run as a student. Accounts start with
"tk" and are removed at teardown. Root only.
"""

from __future__ import annotations

import json
import pwd
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from tests.classroom.conftest import Hub, running_hub
from tests.classroom.test_exchange import calls, home, nbgrader

pytestmark = [pytest.mark.classroom, pytest.mark.slow]

NOTEBOOK = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def hub(classroom_root, offline_namespace) -> Iterator[Hub]:
    """Two students and an instructor, on a hub that runs the collector."""
    prefix = "tk" + secrets.token_hex(2)
    with running_hub(classroom_root / "collect", prefix, 2, offline_namespace) as classroom:
        yield classroom


def write_as(name: str, path: Path, notebook: dict) -> None:
    path.write_text(json.dumps(notebook))
    shutil.chown(path, name, name)


@pytest.fixture(scope="module")
def submitted(hub) -> list[str]:
    """``hw`` released; each student fetches it and submits their own work."""
    outbound = hub.folder / "exchange" / "astrolearn" / "outbound" / "hw"
    outbound.mkdir()
    (outbound / "hw.ipynb").write_text(json.dumps(NOTEBOOK))
    for path in (outbound, outbound / "hw.ipynb"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    for name in hub.students:
        fetched = nbgrader(hub, name, "fetch_assignment", "hw")
        assert fetched.returncode == 0, fetched.stderr
        work = {**NOTEBOOK, "cells": [{"cell_type": "raw", "metadata": {}, "source": name}]}
        write_as(name, home(name) / "hw" / "hw.ipynb", work)
        done = nbgrader(hub, name, "submit", "hw")
        assert done.returncode == 0, done.stderr
    return hub.students


@pytest.fixture
def course(hub, venv_on_path) -> Path:
    """The instructor's course: their home, where their server (and formgrader) runs."""
    course = home(hub.instructor)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "astrolearn") as gradebook:
        gradebook.update_or_create_assignment("hw")
    shutil.chown(course / "gradebook.db", hub.instructor, hub.instructor)
    return course


COLLECT = ["POST", "formgrader/api/assignment/hw/collect", {}]


def test_the_formgrader_collects_through_the_collector(hub, submitted, course):
    teacher = hub.instructor
    collected, listed = calls(
        hub, teacher, [COLLECT, ["GET", "formgrader/api/submissions/hw", {}]]
    )
    assert collected["status"] == 200, collected
    answer = json.loads(collected["body"])
    assert answer["success"], answer
    uid = pwd.getpwnam(teacher).pw_uid
    for name in submitted:
        assert f"Collecting submission: {name} hw" in answer["log"]
        notebook = course / "submitted" / name / "hw" / "hw.ipynb"
        assert json.loads(notebook.read_text())["cells"][0]["source"] == name
        assert {p.stat().st_uid for p in notebook.parent.parent.rglob("*")} == {uid}
    # The formgrader's list of submissions now shows each student's.
    assert listed["status"] == 200, listed
    seen = {(s["student"], s["submitted"]) for s in json.loads(listed["body"])}
    assert seen == {(name, True) for name in submitted}
    # nbgrader list --inbound, in the instructor's terminal, reads the students' folders.
    inbound = nbgrader(hub, teacher, "list", "--inbound")
    assert inbound.returncode == 0, inbound.stderr
    assert all(f"astrolearn {name} hw " in inbound.stderr for name in submitted), inbound.stderr


def test_a_students_identical_call_is_refused(hub, submitted):
    student = submitted[0]
    (theirs,) = calls(hub, student, [COLLECT])
    assert theirs["status"] == 404, theirs  # no formgrader in a student's server
    # With nbgrader's collect in a terminal, the collector itself says no.
    done = nbgrader(hub, student, "collect", "hw")
    assert done.returncode != 0
    assert f"only the class's instructors may ask; {student} is not one" in done.stderr
    assert not (home(student) / "submitted").exists()
