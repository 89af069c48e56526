"""Attacks on the classroom's collector service (astrolearn.classroom.collector), which
runs as root: each is run for real by the account it needs (a student, an instructor),
against the service started as the hub starts it. Accounts start with "ta" and are
removed at teardown. Fast: no hub. Root only.
"""

from __future__ import annotations

import json
import os
import pwd
import select
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from astrolearn.classroom import collector
from astrolearn.classroom.exchange import COURSE_ID, MAX_ENTRIES, MAX_INBOUND
from nbgrader.coursedir import CourseDirectory

from tests.classroom import test_collector
from tests.classroom.test_collector import (
    ask_raw,
    instructor_course,
    nbgrader_collect,
    result,
    start_as,
    value_as,
)
from tests.classroom.test_exchange_attacks import as_student, hand_in, utc_now

pytestmark = pytest.mark.usefixtures("venv_on_path")
# The collector's classroom and service fixtures, with this module's accounts.
classroom, service = test_collector.classroom, test_collector.service


@pytest.fixture(scope="module")
def accounts() -> Iterator[dict[str, list[str]]]:
    yield from test_collector.class_accounts("ta")


def service_process(exchange: Path) -> psutil.Process:
    """The collector serving the classroom around ``exchange``."""
    folder = str(exchange.parent)
    (found,) = [
        process
        for process in psutil.process_iter(["cmdline"])
        if (process.info["cmdline"] or [])[-2:] == ["astrolearn.classroom.collector", folder]
    ]
    return found


def test_a_json_bomb_is_answered_with_a_refusal(accounts, service):
    teacher = accounts["instructor"][0]
    # Nested thousands deep, well within the size bound: json.loads recurses on it.
    answer = value_as(teacher, ask_raw, service, b"[" * 4000 + b"\n")
    assert answer == {"error": "collector: a request is one line of JSON"}


def pile_of_fds(exchange: Path, count: int) -> dict:
    """Hand the service ``count`` open folders, one byte each, no end of line; return
    how many went and the answer."""
    folder = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    sent = 0
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(str(collector.socket_path(exchange)))
        try:
            for _ in range(count):
                socket.send_fds(connection, [b" "], [folder])
                sent += 1
        except OSError:  # the service hung up
            pass
        connection.settimeout(30)
        with connection.makefile("rb") as stream:
            line = stream.readline()
    return {"sent": sent, "answer": json.loads(line) if line else None}


def test_an_instructor_cannot_make_root_hold_a_pile_of_open_files(accounts, service):
    teacher = accounts["instructor"][0]
    process = service_process(service)
    before = process.num_fds()
    child = start_as(teacher, pile_of_fds, service, 1000)
    most = before
    while not select.select([child[1]], [], [], 0.01)[0]:
        most = max(most, process.num_fds())
    answer = result(child)["value"]["answer"]
    assert most < before + 10, f"the service held {most - before} more files"
    assert answer == {"error": "collector: a request hands over at most one open folder"}


def test_a_submission_of_countless_ignored_names_is_refused(accounts, service):
    s1, s2 = accounts["student"]
    teacher = accounts["instructor"][0]
    now = f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC"
    folder = hand_in(service, s1, s1, now, "")
    hand_in(service, s2, s2, now, "")
    # Names nbgrader ignores (*.pyc) were not counted: a folder of millions of them
    # (hard links to one file cost no inodes) was read in full at each collect.
    made = as_student(
        s1,
        ': > "$1/0.pyc" && i=1; while [ $i -le "$2" ]; do ln "$1/0.pyc" "$1/$i.pyc"; '
        "i=$((i+1)); done",
        str(folder),
        str(MAX_ENTRIES),
    )
    assert made.returncode == 0, made.stderr
    course = instructor_course(teacher)
    try:
        assert value_as(teacher, nbgrader_collect, service, course)["submitted"] == [s2]
    finally:
        shutil.rmtree(course)


def feedback_from(exchange: Path, folder: str) -> dict:
    """Hand over ``folder``, which this account cannot read, opened as a path only."""
    try:
        os.listdir(folder)
        return {"readable": folder}
    except PermissionError:
        pass
    fd = os.open(folder, os.O_PATH | os.O_DIRECTORY)
    request = {"action": "feedback", "course": COURSE_ID, "assignment": "hw"}
    try:
        connection, answer = collector.ask(exchange, request, fd)
    except collector.Refused as error:
        return {"refused": str(error)}
    finally:
        os.close(fd)
    connection.close()
    return answer


def test_feedback_is_not_read_from_a_folder_the_instructor_cannot_read(accounts, service):
    teacher = accounts["instructor"][0]
    student = accounts["student"][0]
    # Root's private folder, holding pages in the instructor's name that they cannot reach.
    locked = Path(tempfile.mkdtemp(prefix="astrolearn-locked-", dir="/tmp"))
    try:
        pages = locked / student / "hw"
        pages.mkdir(parents=True)
        (pages / "hw.html").write_text("<p>root's private page</p>")
        (pages / "submission_secret.txt").write_text("a" * 128)
        for path in (pages, pages / "hw.html", pages / "submission_secret.txt"):
            shutil.chown(path, teacher, teacher)
        answer = value_as(teacher, feedback_from, service, str(locked))
        assert answer == {
            "refused": "collector: feedback of hw refused: feedback belongs to someone else "
            "(uid 0)"
        }
        assert os.listdir(service / COURSE_ID / "feedback") == []
    finally:
        shutil.rmtree(locked)


def collect_log(exchange: Path) -> dict:
    """Ask the service to stage ``hw``; the students staged and the log."""
    request = {"action": "collect", "course": COURSE_ID, "assignment": "hw"}
    connection, answer = collector.ask(exchange, request)
    connection.close()
    return {"staged": [record["username"] for record in answer["records"]], "log": answer["log"]}


def test_a_student_cannot_make_each_collect_copy_gigabytes(accounts, service):
    s1, s2 = accounts["student"]
    teacher = accounts["instructor"][0]
    now = f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC"
    hand_in(service, s1, s1, now, "")
    hand_in(service, s2, s2, now, "")
    # Newer submissions, each a sparse file (no disk) of a third of the size bound, and
    # no secret: each is refused only once copied. Up to MAX_SUBMISSIONS of the full size
    # (10 GB written) used to be tried at every collect.
    limit = 1000 * CourseDirectory().max_dir_size
    size, count = limit // 3, 6
    made = as_student(
        s1,
        'cd "$1" && i=1; while [ $i -le "$3" ]; do d="$2+hw+2099-01-01 00:00:0$i UTC+x"; '
        'mkdir "$d" && truncate -s "$4" "$d/stars.csv"; i=$((i+1)); done',
        str(service / COURSE_ID / "inbound" / s1),
        s1,
        str(count),
        str(size),
    )
    assert made.returncode == 0, made.stderr
    answer = value_as(teacher, collect_log, service)
    refused = [
        text for _, text in answer["log"] if text.startswith(f"refused the submission of {s1}")
    ]
    # Tried until the bytes copied for nothing pass the bound; the rest are not.
    assert len(refused) == limit // size + 1 < count
    assert answer["staged"] == [s2]


def collect_and_hold(exchange: Path, ready: str) -> list[str]:
    """Have ``hw`` staged, say where in the file ``ready``, and hold the connection open
    (as nbgrader does while it copies) until that file is removed; return where."""
    request = {"action": "collect", "course": COURSE_ID, "assignment": "hw"}
    connection, answer = collector.ask(exchange, request)
    with connection:
        staged = [record["filename"] for record in answer["records"]]
        Path(ready).write_text(json.dumps(staged))
        deadline = time.monotonic() + 60
        while Path(ready).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return staged


def test_a_stopped_service_leaves_no_copies_of_the_students_work(accounts, service):
    s1 = accounts["student"][0]
    teacher = accounts["instructor"][0]
    hand_in(service, s1, s1, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    mine = Path(tempfile.mkdtemp(prefix="astrolearn-ready-", dir="/tmp"))
    shutil.chown(mine, teacher, teacher)
    ready = mine / "ready.json"
    try:
        child = start_as(teacher, collect_and_hold, service, str(ready))
        while not ready.exists() and not select.select([child[1]], [], [], 0.05)[0]:
            pass
        (staged,) = json.loads(ready.read_text())
        assert s1 in staged and os.path.isdir(staged)
        process = service_process(service)
        process.terminate()  # as the hub stops it, while the instructor's copy goes on
        process.wait(timeout=30)
    finally:
        ready.unlink(missing_ok=True)
        shutil.rmtree(mine)
    assert result(child)["value"] == [staged]
    assert not Path(staged).parent.exists()


def release_handing(exchange: Path, kind: str, other: str) -> str:
    """Ask for a release of ``hw``, handing over something other than one's own folder;
    return the refusal."""
    keep = tempfile.mkdtemp()
    if kind == "fifo":
        os.mkfifo(f"{keep}/pipe")
        fd = os.open(f"{keep}/pipe", os.O_RDONLY | os.O_NONBLOCK)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as unused:
            fd = os.dup(unused.fileno())
    elif kind == "root":
        fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    else:  # another account's private folder, opened as a path only: it cannot be read
        fd = os.open(other, os.O_PATH | os.O_DIRECTORY)
    request = {"action": "release", "course": COURSE_ID, "assignment": "hw"}
    try:
        collector.ask(exchange, request, fd)
    except collector.Refused as error:
        return str(error)
    finally:
        os.close(fd)
        shutil.rmtree(keep)
    return "released"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("fifo", "release is handed one open folder"),
        ("socket", "release is handed one open folder"),
        ("root", "release of hw refused: hw belongs to someone else (uid 0)"),
        ("student", "release of hw refused: hw belongs to someone else (uid {uid})"),
    ],
)
def test_a_release_handed_anything_but_ones_own_folder_is_refused(accounts, service, kind, reason):
    student = accounts["student"][0]
    inbound = service / COURSE_ID / "inbound" / student
    answer = value_as(accounts["instructor"][0], release_handing, service, kind, str(inbound))
    assert answer == "collector: " + reason.format(uid=pwd.getpwnam(student).pw_uid)
    assert os.listdir(service / COURSE_ID / "outbound") == []


def hand_over_nothing(exchange: Path) -> str:
    """Hand over an open folder with no bytes at all, then the request."""
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    request = {"action": "release", "course": COURSE_ID, "assignment": "hw"}
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(str(collector.socket_path(exchange)))
        socket.send_fds(connection, [], [fd])
        connection.sendall(json.dumps(request).encode() + b"\n")
        with connection.makefile("rb") as stream:
            return json.loads(stream.readline())["error"]


def test_a_folder_handed_over_without_bytes_is_not_taken(accounts, service):
    # A stream socket carries no message of no bytes: the folder is not handed over.
    answer = value_as(accounts["instructor"][0], hand_over_nothing, service)
    assert answer == "collector: release is handed one open folder"


def test_a_student_folder_of_countless_names_is_refused_unread(accounts, service):
    s1, s2 = accounts["student"]
    now = f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC"
    folder = hand_in(service, s1, s1, now, "")
    hand_in(service, s2, s2, now, "")
    # Names of no submission, read at each collect: millions (hard links to a few files,
    # about 1 µs each to read) held up the class's collect by seconds each time.
    made = as_student(
        s1,
        'cd "$1" && : > junk && i=0; while [ $i -le "$2" ]; do ln junk "$i"; i=$((i+1)); done',
        str(folder.parent),
        str(MAX_INBOUND),
    )
    assert made.returncode == 0, made.stderr
    answer = value_as(accounts["instructor"][0], collect_log, service)
    assert answer["staged"] == [s2]
    assert any(f"{s1}'s folder holds more than {MAX_INBOUND} names" in t for _, t in answer["log"])
