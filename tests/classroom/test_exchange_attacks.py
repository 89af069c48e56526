"""Students attacking the classroom collector (astrolearn.classroom.exchange.Collect),
which runs as root in folders they write: real Unix accounts (``runuser``), real files,
nbgrader's own collect into a course folder. Fast: no hub.
"""

from __future__ import annotations

import datetime
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from astrolearn.classroom import exchange as exchange_module
from astrolearn.classroom.exchange import COURSE_ID, MAX_SUBMISSIONS, Collect
from astrolearn.grading import cycle
from astrolearn.grading.cycle import give_back
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory

from tests.classroom.conftest import exchange_under_tmp, nologin_accounts

pytestmark = pytest.mark.usefixtures("venv_on_path")

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture(scope="module")
def students() -> Iterator[list[str]]:
    """Two real accounts (no home, no login), removed at teardown."""
    prefix = "ty" + secrets.token_hex(3)
    with nologin_accounts([f"{prefix}a", f"{prefix}b"]) as names:
        yield names


@pytest.fixture
def exchange(students) -> Iterator[Path]:
    """The exchange, made by the module's own ``layout``, in a folder all can enter."""
    with exchange_under_tmp("astrolearn-exchange-", students) as root:
        yield root / "exchange"


def as_student(name: str, script: str, *args: str) -> subprocess.CompletedProcess:
    """Run a shell script as the student (arguments as $1, $2...)."""
    return subprocess.run(
        ["runuser", "-u", name, "--", "sh", "-c", script, "sh", *args],
        capture_output=True,
        text=True,
    )


def hand_in(exchange: Path, name: str, owner: str, stamp: str, timestamp_txt: str) -> Path:
    """``owner`` writes a submission folder, in ``name``'s name and inbound folder."""
    folder = (
        exchange / "astrolearn" / "inbound" / name / f"{name}+hw+{stamp}+{secrets.token_hex(4)}"
    )
    made = as_student(
        owner,
        'mkdir "$1" && printf %s "$2" > "$1/hw.ipynb" && printf %s "$3" > "$1/timestamp.txt" '
        '&& printf %s "$4" > "$1/submission_secret.txt"',
        str(folder),
        NOTEBOOK.replace("[]", f'[{{"cell_type": "raw", "metadata": {{}}, "source": "{owner}"}}]'),
        timestamp_txt,
        secrets.token_hex(64),  # as nbgrader's submit writes it
    )
    assert made.returncode == 0, made.stderr
    return folder


def collect(exchange: Path, course: Path) -> Collect:
    """nbgrader's collect of ``hw`` with the classroom's Collect, as root."""
    course.mkdir(exist_ok=True)
    directory = CourseDirectory(root=str(course), course_id=COURSE_ID, assignment_id="hw")
    collector = Collect(coursedir=directory, authenticator=Authenticator(), root=str(exchange))
    collector.start()
    return collector


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("stamp", "timestamp_txt"),
    [
        ("2026-01-01 00:00:00.000000 UTC", "2026-01-01 00:00:00.000000 UTC"),  # backdated
        ("now", "a time? no"),  # nbgrader's autograde fails on garbage
        ("9999-12-31 23:59:59.999999 UTC", "9999-12-31 23:59:59.999999 UTC"),
    ],
    ids=["backdated", "garbage", "far-future"],
)
def test_a_submission_is_timed_when_it_was_made_not_when_it_says(
    students, exchange, tmp_path, stamp, timestamp_txt
):
    name = students[0]
    made = utc_now()
    stamp = f"{made:%Y-%m-%d %H:%M:%S.%f} UTC" if stamp == "now" else stamp
    hand_in(exchange, name, name, stamp, timestamp_txt)
    collected = collect(exchange, tmp_path / "course")
    submitted = tmp_path / "course" / "submitted" / name / "hw"
    assert name in (submitted / "hw.ipynb").read_text()
    timestamp = collected.coursedir.get_existing_timestamp(str(submitted))
    # Within a few seconds of the making (the file system's clock may be coarse).
    assert abs((timestamp - made).total_seconds()) < 5, timestamp


def test_a_timestamp_folder_is_refused_not_fatal(students, exchange, tmp_path):
    name, other = students
    folder = hand_in(exchange, name, name, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    swapped = as_student(name, 'rm "$1" && mkdir "$1"', str(folder / "timestamp.txt"))
    assert swapped.returncode == 0, swapped.stderr
    hand_in(exchange, other, other, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    collect(exchange, tmp_path / "course")
    assert os.listdir(tmp_path / "course" / "submitted") == [other]


def test_a_student_cannot_plant_a_submission_in_an_open_folder(students, exchange, tmp_path):
    victim, attacker = students
    own = exchange / "astrolearn" / "inbound" / victim
    hand_in(exchange, victim, victim, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    opened = as_student(victim, 'chmod 777 "$1" "$1"/*', str(own))
    assert opened.returncode == 0, opened.stderr
    # The attacker's one is the newest, in the victim's name, in the victim's folder.
    later = utc_now() + datetime.timedelta(seconds=1)
    hand_in(exchange, victim, attacker, f"{later:%Y-%m-%d %H:%M:%S.%f} UTC", "")
    collect(exchange, tmp_path / "course")
    collected = (tmp_path / "course" / "submitted" / victim / "hw" / "hw.ipynb").read_text()
    assert victim in collected and attacker not in collected


def test_a_student_cannot_move_or_replace_their_inbound_folder(students, exchange):
    name = students[0]
    inbound = exchange / "astrolearn" / "inbound"
    moved = as_student(name, 'mv "$1/$2" "$1/moved"', str(inbound), name)
    replaced = as_student(
        name, 'ln -s / "$1/$2.new" && mv -T "$1/$2.new" "$1/$2"', str(inbound), name
    )
    assert moved.returncode != 0 and replaced.returncode != 0
    assert (inbound / name).is_dir() and not (inbound / name).is_symlink()
    assert sorted(os.listdir(inbound)) == sorted(students)


def test_odd_names_are_collected_as_they_are(students, exchange, tmp_path):
    name = students[0]
    folder = hand_in(exchange, name, name, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    odd = as_student(name, 'printf 1 > "$1/$(printf "\\377 a\\nb")"', str(folder))
    assert odd.returncode == 0, odd.stderr
    collect(exchange, tmp_path / "course")
    submitted = tmp_path / "course" / "submitted" / name / "hw"
    assert (submitted / os.fsdecode(b"\xff a\nb")).read_text() == "1"


def test_giving_the_course_back_follows_no_link(students, tmp_path):
    instructor = students[1]
    secret = tmp_path / "shadow"
    secret.write_text("root's")
    course = tmp_path / "course"
    (course / "submitted").mkdir(parents=True)
    (course / "submitted" / "shadow").symlink_to(secret)
    (course / "submitted" / "etc").symlink_to(tmp_path, target_is_directory=True)
    shutil.chown(course, instructor, instructor)
    give_back(course)
    assert secret.stat().st_uid == 0 and tmp_path.stat().st_uid == 0
    assert (course / "submitted").stat().st_uid == course.stat().st_uid != 0


def test_giving_the_course_back_needs_protected_hard_links(
    students, tmp_path, monkeypatch, capsys
):
    instructor = students[1]
    course = tmp_path / "course"
    course.mkdir()
    shutil.chown(course, instructor, instructor)
    secret = tmp_path / "shadow"
    secret.write_text("root's")
    secret.chmod(0o600)
    # Linux's default: the instructor cannot link a file of root's into their course...
    tried = as_student(instructor, 'ln "$1" "$2/mine"', str(secret), str(course))
    assert tried.returncode != 0 and not (course / "mine").exists()
    # ...but without it they could, and give_back would hand root's file over.
    os.link(secret, course / "mine")
    setting = tmp_path / "protected_hardlinks"
    setting.write_text("0\n")
    monkeypatch.setattr(cycle, "PROTECTED_HARDLINKS", setting)
    give_back(course)
    assert secret.stat().st_uid == 0
    assert "fs.protected_hardlinks=1" in capsys.readouterr().err


def test_a_flood_of_submissions_is_refused_not_tried_one_by_one(students, exchange, tmp_path):
    # Each refused submission costs the collector about 2 ms: a million of them, a class's
    # collect stalled for half an hour. A pipe in each makes each one refused.
    name, other = students
    flood = as_student(
        name,
        'cd "$1" && i=0; while [ $i -le "$3" ]; do '
        'd="$2+hw+2026-12-07 00:00:00.$(printf %06d $i) UTC+x"; mkdir "$d" && mkfifo "$d/p"; '
        "i=$((i+1)); done",
        str(exchange / "astrolearn" / "inbound" / name),
        name,
        str(MAX_SUBMISSIONS),
    )
    assert flood.returncode == 0, flood.stderr
    hand_in(exchange, other, other, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    with mock.patch.object(exchange_module, "copy_owned", wraps=exchange_module.copy_owned) as spy:
        collect(exchange, tmp_path / "course")
        tried = [call.args[2] for call in spy.call_args_list]
    assert tried == [pwd.getpwnam(other).pw_uid]
    assert os.listdir(tmp_path / "course" / "submitted") == [other]


@pytest.mark.parametrize(
    "spoil",
    ['rm "$1"', 'printf "" > "$1"', 'printf "\\377" > "$1"', 'rm "$1" && mkdir "$1"'],
    ids=["missing", "empty", "not-utf-8", "folder"],
)
def test_a_spoilt_submission_secret_is_refused(students, exchange, tmp_path, spoil):
    # nbgrader's release_feedback reads every student's secret in turn, and stops at the
    # first it cannot read: one student would hold back the class's feedback.
    name, other = students
    folder = hand_in(exchange, name, name, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    spoilt = as_student(name, spoil, str(folder / "submission_secret.txt"))
    assert spoilt.returncode == 0, spoilt.stderr
    hand_in(exchange, other, other, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    collect(exchange, tmp_path / "course")
    assert os.listdir(tmp_path / "course" / "submitted") == [other]


@pytest.mark.parametrize(
    "plant",
    [
        'truncate -s 100G "$1/huge.csv"',
        'd="$1"; for i in $(seq 300); do d="$d/x"; mkdir "$d"; done',
    ],
    ids=["sparse-100-GB", "deep"],
)
def test_a_huge_or_deep_submission_is_refused_unread(students, exchange, tmp_path, plant):
    name, other = students
    folder = hand_in(exchange, name, name, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    planted = as_student(name, plant, str(folder))
    assert planted.returncode == 0, planted.stderr
    hand_in(exchange, other, other, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    collect(exchange, tmp_path / "course")
    assert os.listdir(tmp_path / "course" / "submitted") == [other]


def test_a_failed_collect_leaves_no_staged_copies(students, exchange, tmp_path, monkeypatch):
    name, _ = students
    hand_in(exchange, name, name, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    staging_parent = tmp_path / "tmp"
    staging_parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging_parent))
    course = tmp_path / "course"
    course.mkdir()
    (course / "submitted").write_text("a file where the submissions should go")
    with pytest.raises(Exception):  # noqa: B017 (nbgrader's own error, whichever step)
        collect(exchange, course)
    assert list(staging_parent.iterdir()) == []
