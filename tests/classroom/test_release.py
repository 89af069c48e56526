"""Releasing through the classroom's collector service (astrolearn.classroom.collector):
an instructor's own server hands over its release folder, or its feedback folder, and the
service copies it as root into the exchange. Real Unix accounts (two students, two
instructors) starting with "tr", removed at teardown; the service is started as the hub
starts it. Fast: no hub. Root only.
"""

from __future__ import annotations

import datetime
import json
import os
import pwd
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from astrolearn.classroom.exchange import (
    COURSE_ID,
    FetchAssignment,
    List,
    ReleaseAssignment,
    ReleaseFeedback,
    read_duedate,
)
from nbgrader.api import Gradebook
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import notebook_hash

from tests.classroom import test_collector
from tests.classroom.test_collector import instructor_course, run_as, value_as

pytestmark = pytest.mark.usefixtures("venv_on_path")
# The collector's classroom and service, with this module's accounts.
classroom = test_collector.classroom
service = test_collector.service

NOTEBOOK = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def accounts() -> Iterator[dict[str, list[str]]]:
    yield from test_collector.class_accounts("tr")


def own(name: str, top: Path) -> None:
    """Give ``top`` and everything in it to ``name`` (not through links)."""
    account = pwd.getpwnam(name)
    for path in [top, *top.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)


@pytest.fixture
def course(accounts) -> Iterator[Path]:
    """The first instructor's course, with ``hw`` generated (a notebook and a data file)
    and due at the start of 2030 in the gradebook."""
    teacher = accounts["instructor"][0]
    course = instructor_course(teacher)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        gradebook.update_or_create_assignment("hw", duedate=datetime.datetime(2030, 1, 1))
    (course / "release" / "hw" / "data").mkdir(parents=True)
    (course / "release" / "hw" / "hw.ipynb").write_text(json.dumps(NOTEBOOK))
    (course / "release" / "hw" / "data" / "stars.csv").write_text("ra,dec\n10.68,41.27\n")
    own(teacher, course)
    try:
        yield course
    finally:
        shutil.rmtree(course)


def release(exchange: Path, course: Path, force: bool = False) -> str:
    """nbgrader's release of ``hw`` from ``course`` (the formgrader's Release does this)."""
    directory = CourseDirectory(root=str(course), course_id=COURSE_ID, assignment_id="hw")
    releaser = ReleaseAssignment(
        coursedir=directory, authenticator=Authenticator(), root=str(exchange)
    )
    releaser.force = force
    releaser.start()
    return "released"


def fetch(exchange: Path, folder: str) -> list[str]:
    """nbgrader's fetch of ``hw`` into ``folder``; the files fetched."""
    directory = CourseDirectory(root=folder, course_id=COURSE_ID, assignment_id="hw")
    fetcher = FetchAssignment(
        coursedir=directory, authenticator=Authenticator(), root=str(exchange)
    )
    fetcher.assignment_dir = folder
    fetcher.start()
    return sorted(str(p.relative_to(folder)) for p in Path(folder, "hw").rglob("*"))


def release_feedback(exchange: Path, course: Path, student: str = "*") -> str:
    """nbgrader's release_feedback of ``hw`` (the formgrader's Release feedback does this)."""
    directory = CourseDirectory(
        root=str(course), course_id=COURSE_ID, assignment_id="hw", student_id=student
    )
    releaser = ReleaseFeedback(
        coursedir=directory, authenticator=Authenticator(), root=str(exchange)
    )
    releaser.start()
    return "released"


def outbound(exchange: Path) -> Path:
    return exchange / COURSE_ID / "outbound"


def test_an_instructor_releases_and_a_student_fetches(accounts, service, course):
    teacher = accounts["instructor"][0]
    student = accounts["student"][0]
    assert value_as(teacher, release, service, course) == "released"
    hw = outbound(service) / "hw"
    released = {str(p.relative_to(hw)): p.lstat() for p in [hw, *hw.rglob("*")]}
    assert sorted(released) == [".", "data", "data/stars.csv", "hw.ipynb"]
    # Root's, readable by everyone, writable by nobody else; and nothing else left behind.
    assert {(info.st_uid, stat.S_IMODE(info.st_mode)) for info in released.values()} == {
        (0, 0o755),
        (0, 0o644),
    }
    assert os.listdir(outbound(service)) == ["hw"]
    assert stat.S_IMODE((outbound(service)).stat().st_mode) == 0o755
    assert read_duedate(service / COURSE_ID, "hw") == datetime.datetime(2030, 1, 1)
    home = tempfile.mkdtemp(prefix="astrolearn-fetch-", dir="/tmp")
    shutil.chown(home, student, student)
    try:
        fetched = value_as(student, fetch, service, home)
        assert fetched == ["hw/data", "hw/data/stars.csv", "hw/hw.ipynb"]
        assert Path(home, "hw", "data", "stars.csv").read_text().startswith("ra,dec\n10.68")
    finally:
        shutil.rmtree(home)


def test_a_second_release_replaces_the_first_only_when_forced(accounts, service, course):
    teacher = accounts["instructor"][0]
    assert value_as(teacher, release, service, course) == "released"
    shutil.rmtree(course / "release" / "hw" / "data")
    (course / "release" / "hw" / "hw.ipynb").write_text(json.dumps({**NOTEBOOK, "v": 2}))
    again = run_as(teacher, release, service, course)
    assert again == {
        "error": "ExchangeError: collector: release of hw refused: hw is released already: "
        "add --force to replace it"
    }
    assert (outbound(service) / "hw" / "data" / "stars.csv").exists()
    assert value_as(teacher, release, service, course, True) == "released"
    hw = outbound(service) / "hw"
    assert os.listdir(hw) == ["hw.ipynb"]
    assert json.loads((hw / "hw.ipynb").read_text())["v"] == 2
    assert os.listdir(outbound(service)) == ["hw"]


def unrelease(exchange: Path, course: Path) -> list[str]:
    """nbgrader's list --remove of ``hw`` (the formgrader's Unrelease does this)."""
    directory = CourseDirectory(root=str(course), course_id=COURSE_ID, assignment_id="hw")
    lister = List(coursedir=directory, authenticator=Authenticator(), root=str(exchange))
    lister.remove = True
    return [info["status"] for info in lister.start()]


def test_the_formgrader_can_unrelease_then_release_again(accounts, service, course):
    teacher = accounts["instructor"][0]
    student = accounts["student"][0]
    assert value_as(teacher, release, service, course) == "released"
    refused = (
        f"ExchangeError: collector: only the class's instructors may ask; {student} is not one"
    )
    assert run_as(student, unrelease, service, course) == {"error": refused}
    assert os.listdir(outbound(service)) == ["hw"]
    assert value_as(teacher, unrelease, service, course) == ["removed"]
    assert os.listdir(outbound(service)) == []
    assert value_as(teacher, release, service, course) == "released"
    assert os.listdir(outbound(service)) == ["hw"]


def test_a_student_is_refused_release_and_feedback(accounts, service, course):
    student = accounts["student"][0]
    write_feedback(course, student, secrets.token_hex(64))
    own(student, course)
    refused = (
        f"ExchangeError: collector: only the class's instructors may ask; {student} is not one"
    )
    assert run_as(student, release, service, course) == {"error": refused}
    assert run_as(student, release_feedback, service, course) == {"error": refused}
    assert os.listdir(outbound(service)) == []


# Each plants, as root, something in the instructor's release folder; the reason said.
def plant_link(folder: Path, _: str) -> str:
    (folder / "shadow").symlink_to("/etc/shadow")
    return "hw/shadow is a symbolic link"


def plant_fifo(folder: Path, _: str) -> str:
    os.mkfifo(folder / "pipe")
    return "hw/pipe is not a regular file"


def plant_hard_link(folder: Path, _: str) -> str:
    private = folder.parent.parent / "root-only.txt"  # root's, outside the release
    private.write_text("not for students")
    private.chmod(0o600)
    os.link(private, folder / "notes.txt")
    return "hw/notes.txt belongs to someone else (uid 0)"


def plant_huge(folder: Path, teacher: str) -> str:
    limit = 1000 * CourseDirectory().max_file_size
    with open(folder / "huge.fits", "wb") as stream:
        stream.truncate(limit + 1)  # sparse: costs no disk
    shutil.chown(folder / "huge.fits", teacher, teacher)
    return f"hw/huge.fits is larger than {limit} bytes"


def plant_linked_folder(folder: Path, _: str) -> str:
    shutil.rmtree(folder / "data")
    (folder / "data").symlink_to("/root")
    return "hw/data is a symbolic link"


@pytest.mark.parametrize(
    "plant", [plant_link, plant_fifo, plant_hard_link, plant_huge, plant_linked_folder]
)
def test_a_release_folder_with_anything_but_own_files_is_refused_whole(
    accounts, service, course, plant
):
    teacher = accounts["instructor"][0]
    assert value_as(teacher, release, service, course) == "released"
    (course / "release" / "hw" / "hw.ipynb").write_text(json.dumps({**NOTEBOOK, "v": 2}))
    reason = plant(course / "release" / "hw", teacher)
    answer = run_as(teacher, release, service, course, True)
    assert answer == {"error": f"ExchangeError: collector: release of hw refused: {reason}"}
    # The first release is untouched, and nothing half-copied is left.
    hw = outbound(service) / "hw"
    assert "v" not in json.loads((hw / "hw.ipynb").read_text())
    assert sorted(os.listdir(hw)) == ["data", "hw.ipynb"]
    assert os.listdir(outbound(service)) == ["hw"]


def write_feedback(course: Path, student: str, secret: str) -> None:
    """What nbgrader's generate_feedback writes for ``student``'s ``hw``."""
    folder = course / "feedback" / student / "hw"
    folder.mkdir(parents=True)
    (folder / "hw.html").write_text(f"<p>Well done, {student}</p>")
    (folder / "timestamp.txt").write_text("2029-12-31 10:00:00.000000 UTC")
    (folder / "submission_secret.txt").write_text(secret)


def test_feedback_is_released_under_the_name_only_its_submitter_knows(accounts, service, course):
    teacher = accounts["instructor"][0]
    keys = {name: secrets.token_hex(64) for name in accounts["student"]}
    for name, secret in keys.items():
        write_feedback(course, name, secret)
    # nbgrader puts the student's other files there too: they are not read.
    plant_huge(course / "feedback" / name / "hw", teacher)
    own(teacher, course)
    assert value_as(teacher, release_feedback, service, course) == "released"
    feedback = service / COURSE_ID / "feedback"
    expected = {
        f"{notebook_hash(secret=secret, notebook_id='hw')}.html": name
        for name, secret in keys.items()
    }
    assert sorted(os.listdir(feedback)) == sorted(expected)
    for page, name in expected.items():
        info = (feedback / page).lstat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o644)
        assert (feedback / page).read_text() == f"<p>Well done, {name}</p>"
    assert stat.S_IMODE(feedback.stat().st_mode) == 0o711


def test_feedback_for_one_student_off_the_roster_or_with_a_link_is_refused(
    accounts, service, course
):
    teacher = accounts["instructor"][0]
    s1, s2 = accounts["student"]
    write_feedback(course, s1, secrets.token_hex(64))
    write_feedback(course, s2, secrets.token_hex(64))
    (course / "feedback" / s2 / "hw" / "hw.html").unlink()
    (course / "feedback" / s2 / "hw" / "hw.html").symlink_to("/etc/shadow")
    own(teacher, course)
    outsider = run_as(teacher, release_feedback, service, course, "root")
    assert outsider == {
        "error": "ExchangeError: collector: root is not a student on the class's roster"
    }
    linked = run_as(teacher, release_feedback, service, course)
    assert linked == {
        "error": f"ExchangeError: collector: feedback of hw refused: feedback/{s2}/hw/hw.html "
        "is a symbolic link"
    }
    # Nothing is released, not even s1's, and nothing staged is left.
    assert os.listdir(service / COURSE_ID / "feedback") == []
    # s1's alone is released.
    assert value_as(teacher, release_feedback, service, course, s1) == "released"
    assert len(os.listdir(service / COURSE_ID / "feedback")) == 1
