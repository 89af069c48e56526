"""The due date students see at submit, and log lines students cannot forge, in the
classroom's exchange (astrolearn.classroom.exchange): real Unix accounts, real files,
nbgrader's own release, submit and collect. Fast: no hub. Root only.

The release runs as root in this process; each submit runs in a child process that has
become the student (``setuid``), since a student cannot run this test's Python.
"""

from __future__ import annotations

import datetime
import io
import logging
import os
import pwd
import re
import secrets
import shutil
import subprocess
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from astrolearn.classroom.exchange import (
    COURSE_ID,
    DUE_DATES,
    Collect,
    ReleaseAssignment,
    Submit,
    lateness,
)
from astrolearn.grading import cycle
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory

from tests.classroom.conftest import exchange_under_tmp, nologin_accounts

pytestmark = pytest.mark.usefixtures("venv_on_path")

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
STAMP = "%Y-%m-%d %H:%M:%S.%f UTC"


@pytest.fixture(scope="module")
def student() -> Iterator[str]:
    """A real account (no home, no login), removed at teardown."""
    with nologin_accounts(["tl" + secrets.token_hex(3)]) as (name,):
        yield name


@pytest.fixture
def place(student) -> Iterator[Path]:
    """A folder all can enter: the exchange, the instructor's course, the student's work."""
    with exchange_under_tmp("astrolearn-due-", [student]) as root:
        course = root / "course"
        (course / "release" / "hw").mkdir(parents=True)
        (course / "release" / "hw" / "hw.ipynb").write_text(NOTEBOOK)
        work = root / "work"
        (work / "hw").mkdir(parents=True)
        (work / "hw" / "hw.ipynb").write_text(NOTEBOOK)
        for path in [work, *work.rglob("*")]:
            shutil.chown(path, student, student)
        yield root


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def capture() -> tuple[logging.Logger, io.StringIO]:
    """A logger for one exchange step, and what it writes (one record a line)."""
    logger = logging.getLogger(f"astrolearn-test-{secrets.token_hex(4)}")
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, text


def run(step: type, course: Path, exchange: Path, **options) -> None:
    """Run nbgrader's exchange ``step`` (one of the classroom's classes) on ``hw``."""
    directory = CourseDirectory(root=str(course), course_id=COURSE_ID, assignment_id="hw")
    step(coursedir=directory, authenticator=Authenticator(), root=str(exchange), **options).start()


def release(place: Path, due: datetime.datetime | None) -> None:
    """The instructor sets the due date (or none) in the gradebook and releases, as root."""
    with cycle._gradebook(place / "course") as gradebook:
        gradebook.update_or_create_assignment("hw", duedate=due)
    run(ReleaseAssignment, place / "course", place / "exchange", force=True)


def as_account(name: str, action: Callable[[], str]) -> tuple[int, str]:
    """Run ``action`` in a child process that is the account ``name``: (exit, its text)."""
    account = pwd.getpwnam(name)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        code = 1
        try:
            os.close(reader)
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            text, code = action(), 0
        except BaseException:
            text = traceback.format_exc()
        os.write(writer, text.encode())
        os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as stream:
        text = stream.read().decode()
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status), text


def submit(place: Path, student: str) -> str:
    """``nbgrader submit hw`` as the student; what it logged."""

    def action() -> str:
        logger, text = capture()
        os.chdir(place / "work")
        cache = str(place / "work" / "cache")
        run(Submit, place / "work", place / "exchange", cache=cache, log=logger)
        return text.getvalue()

    code, text = as_account(student, action)
    assert code == 0, text
    return text


def submissions(place: Path, student: str) -> list[str]:
    return os.listdir(place / "exchange" / COURSE_ID / "inbound" / student)


def as_student(name: str, script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", name, "--", "sh", "-c", script, "sh", *args],
        capture_output=True,
        text=True,
    )


def test_the_release_publishes_the_due_date_where_students_cannot_change_it(student, place):
    due = datetime.datetime(2026, 12, 8, 17, 0)
    release(place, due)
    course = place / "exchange" / COURSE_ID
    published = course / DUE_DATES / "hw.txt"
    assert published.read_text() == "2026-12-08 17:00:00 UTC\n"
    # nbgrader's own release opens the exchange's root to everyone: not this one.
    for path, mode in ((published, 0o644), (published.parent, 0o755), (course.parent, 0o755)):
        info = path.stat()
        assert (info.st_uid, info.st_mode & 0o7777) == (0, mode), path
    # Not in what fetch copies.
    assert sorted(os.listdir(course / "outbound" / "hw")) == ["hw.ipynb"]
    for attack in ('printf "2099-01-01 00:00:00 UTC" > "$1"', 'rm -f "$1"', 'mv "$1" "$1.x"'):
        assert as_student(student, attack, str(published)).returncode != 0, attack
    assert published.read_text() == "2026-12-08 17:00:00 UTC\n"
    # The instructor removes the due date and releases again: students no longer see one.
    release(place, None)
    assert not published.exists()


def test_a_submission_before_the_due_date_is_said_to_be_on_time(student, place):
    due = utc_now() + datetime.timedelta(hours=3)
    release(place, due)
    said = submit(place, student)
    assert f"[INFO] Submitted on time (due {due:%Y-%m-%d %H:%M} UTC)." in said
    assert "late" not in said


def test_a_late_submission_says_by_how_much_and_is_kept(student, place):
    due = utc_now() - datetime.timedelta(hours=2, minutes=5, seconds=10)
    release(place, due)
    said = submit(place, student)
    assert (
        f"[WARNING] Submitted late by 2 h 5 min (due {due:%Y-%m-%d %H:%M} UTC); it is kept "
        "and the instructor's late policy applies." in said
    ), said
    assert len(submissions(place, student)) == 1


def test_without_a_due_date_submit_says_nothing_of_it(student, place):
    release(place, None)
    said = submit(place, student)
    assert "Submitted as: astrolearn hw" in said
    assert "due date" not in said and "on time" not in said and "late" not in said


@pytest.mark.parametrize(
    "spoil",
    [b"next Tuesday\n", b"\xff\xfe\n[INFO] on time", b"2026-12-08 17:00:00\n", "folder"],
    ids=["words", "not-ascii", "no-zone", "folder"],
)
def test_an_unreadable_due_date_does_not_stop_the_submission(student, place, spoil):
    release(place, utc_now())
    published = place / "exchange" / COURSE_ID / DUE_DATES / "hw.txt"
    published.unlink()
    if spoil == "folder":
        published.mkdir()
    else:
        published.write_bytes(spoil)
    said = submit(place, student)
    assert "[WARNING] Your submission is kept, but its due date is unreadable" in said
    assert "on time" not in said.replace("'", "").split("unreadable")[0]
    assert len(submissions(place, student)) == 1
    # One line: nothing the file holds starts a line of its own.
    assert len([line for line in said.splitlines() if "due date" in line]) == 1


@pytest.mark.parametrize(
    ("after", "said"),
    [
        (datetime.timedelta(0), "on time"),
        (datetime.timedelta(seconds=30), "late by under a minute"),
        (datetime.timedelta(hours=2, minutes=5, seconds=59), "late by 2 h 5 min"),
        (datetime.timedelta(days=3, minutes=1), "late by 3 d 1 min"),
    ],
)
def test_lateness_is_counted_from_the_due_date(after, said):
    due = datetime.datetime(2026, 12, 8, 17, 0)
    assert said in lateness(due + after, due)
    assert "(due 2026-12-08 17:00 UTC)" in lateness(due + after, due)


def test_a_submission_name_cannot_forge_a_line_of_the_collectors_log(student, place, tmp_path):
    forged = f"{student}+hw+\n[INFO] {student} submitted hw on time+x"
    made = as_student(
        student,
        'mkdir "$1/$2" && printf %s "$3" > "$1/$2/hw.ipynb"',
        str(place / "exchange" / COURSE_ID / "inbound" / student),
        forged,
        NOTEBOOK,
    )
    assert made.returncode == 0, made.stderr
    logger, text = capture()
    course = tmp_path / "course"
    course.mkdir()
    run(Collect, course, place / "exchange", log=logger)
    lines = text.getvalue().splitlines()
    (refusal,) = [line for line in lines if "has no valid time" in line]
    assert repr(forged) in refusal
    assert all(re.match(r"\[(INFO|WARNING|ERROR)\] ", line) for line in lines), lines
    assert not any(line.startswith(f"[INFO] {student}") for line in lines), lines
