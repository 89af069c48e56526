"""The instructor releases, collects and releases feedback from the formgrader of their
own server on a real classroom hub: the formgrader's Release, Collect and Release
feedback buttons (their API calls) go through the hub's collector service; the students
fetch the assignment and then their feedback, and the instructor sees each student's
submission. A student's identical call is refused, and so is ``nbgrader collect`` run
as a student. Accounts start with "tk" and are removed at teardown. Root only.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import stat
import sys
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
def course(hub) -> Path:
    """The instructor's course: their home, where their server (and formgrader) runs."""
    course = home(hub.instructor)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "astrolearn") as gradebook:
            gradebook.update_or_create_assignment("hw")
    release = course / "release" / "hw"
    release.mkdir(parents=True)
    (release / "hw.ipynb").write_text(json.dumps(NOTEBOOK))
    for path in (course / "gradebook.db", course / "release", release, release / "hw.ipynb"):
        shutil.chown(path, hub.instructor, hub.instructor)
    return course


RELEASE = ["POST", "formgrader/api/assignment/hw/release", {}]
UNRELEASE = ["POST", "formgrader/api/assignment/hw/unrelease", {}]


@pytest.fixture(scope="module")
def submitted(hub, course) -> list[str]:
    """``hw`` released from the formgrader; each student fetches it and submits their own
    work."""
    # Released, withdrawn (the Unrelease button) and released again.
    answers = calls(hub, hub.instructor, [RELEASE, UNRELEASE, RELEASE])
    assert [answer["status"] for answer in answers] == [200] * 3, answers
    released, withdrawn, again = (json.loads(answer["body"]) for answer in answers)
    assert all(answer["success"] for answer in (released, withdrawn, again)), answers
    assert "Released as: astrolearn hw" in released["log"]
    assert "Removed the release of astrolearn hw" in withdrawn["log"]
    assert "Released as: astrolearn hw" in again["log"]
    outbound = hub.folder / "exchange" / "astrolearn" / "outbound" / "hw"
    for path in (outbound, outbound / "hw.ipynb"):
        info = path.lstat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o755 if path.is_dir() else 0o644)
    for name in hub.students:
        fetched = nbgrader(hub, name, "fetch_assignment", "hw")
        assert fetched.returncode == 0, fetched.stderr
        work = {**NOTEBOOK, "cells": [{"cell_type": "raw", "metadata": {}, "source": name}]}
        write_as(name, home(name) / "hw" / "hw.ipynb", work)
        done = nbgrader(hub, name, "submit", "hw")
        assert done.returncode == 0, done.stderr
    return hub.students


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


def test_the_formgrader_releases_feedback_that_each_student_fetches(hub, submitted, course):
    teacher = hub.instructor
    inbound = hub.folder / "exchange" / "astrolearn" / "inbound"
    for name in submitted:
        # What nbgrader's generate_feedback writes: the HTML, and the submission's secret.
        (submission,) = inbound.glob(f"{name}/{name}+hw+*")
        folder = course / "feedback" / name / "hw"
        folder.mkdir(parents=True)
        (folder / "hw.html").write_text(f"<p>Feedback for {name}</p>")
        for text in ("timestamp.txt", "submission_secret.txt"):
            shutil.copyfile(submission / text, folder / text)
        for path in [course / "feedback", *(course / "feedback").rglob("*")]:
            shutil.chown(path, teacher, teacher)
    (released,) = calls(
        hub, teacher, [["POST", "formgrader/api/assignment/hw/release_feedback", {}]]
    )
    assert released["status"] == 200, released
    answer = json.loads(released["body"])
    assert answer["success"], answer
    for name in submitted:
        assert f"Releasing feedback for student '{name}' on hw/hw" in answer["log"]
        fetched = nbgrader(hub, name, "fetch_feedback", "hw")
        assert fetched.returncode == 0, fetched.stderr
        (html,) = (home(name) / "hw" / "feedback").glob("*/hw.html")
        assert html.read_text() == f"<p>Feedback for {name}</p>"
    # A student's identical call finds no formgrader.
    (theirs,) = calls(hub, submitted[0], [["POST", "formgrader/api/assignment/hw/release", {}]])
    assert theirs["status"] == 404, theirs
