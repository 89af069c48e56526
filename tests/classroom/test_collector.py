"""The classroom's collector service (astrolearn.classroom.collector), as the hub runs it:
``python -m astrolearn.classroom.collector FOLDER`` as root, asked by real Unix accounts
(two students, two instructors; the kernel tells the service who calls). Each caller is
a child of this process that has become that account: the venv's Python lives where
the accounts cannot run it. Accounts start with "tk" and are removed at teardown. Fast:
no hub. Root only.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from astrolearn.classroom import collector, roster
from astrolearn.classroom.exchange import COURSE_ID, Collect, List, inbound, layout
from nbgrader.api import Gradebook
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory

from tests.classroom.conftest import nologin_accounts
from tests.classroom.test_exchange_attacks import as_student, hand_in, utc_now
from tests.conftest import require

pytestmark = pytest.mark.usefixtures("venv_on_path")


def class_accounts(start: str) -> Iterator[dict[str, list[str]]]:
    """Two students and two instructors whose names begin with ``start``, made as
    `classroom init` makes them, and removed after."""
    require(os.geteuid() == 0, "root (to make accounts and collect)", "run the tests as root")
    prefix = start + secrets.token_hex(3)
    people = {
        "student": [f"{prefix}s1", f"{prefix}s2"],
        "instructor": [f"{prefix}t1", f"{prefix}t2"],
    }
    with nologin_accounts([*people["student"], *people["instructor"]]) as names:
        for name in names:  # as `classroom init` makes them: the roster checks it
            subprocess.run(["usermod", "--comment", roster.COMMENT, name], check=True)
        yield people


@pytest.fixture(scope="module")
def accounts() -> Iterator[dict[str, list[str]]]:
    yield from class_accounts("tk")


@pytest.fixture
def classroom(accounts) -> Iterator[Path]:
    """A classroom folder: the roster and the exchange, in a folder everyone can enter."""
    folder = Path(tempfile.mkdtemp(prefix="astrolearn-collector-", dir="/tmp"))
    folder.chmod(0o755)
    lines = [f"{name},{role}" for role, names in accounts.items() for name in names]
    (folder / "roster.csv").write_text("username,role\n" + "\n".join(lines) + "\n")
    layout(folder / "exchange", accounts["student"])
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.fixture
def service(classroom) -> Iterator[Path]:
    """The collector, started as the hub starts it; the exchange's root is returned."""
    exchange = classroom / "exchange"
    path = collector.socket_path(exchange)
    process = subprocess.Popen(
        [sys.executable, "-m", "astrolearn.classroom.collector", str(classroom)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "listening on" in process.stdout.readline()
        yield exchange
    finally:
        process.terminate()
        print(process.stdout.read())  # the service's log, shown when a test fails
        assert process.wait(timeout=30) == 0
    assert not path.exists()


def start_as(name: str, work: Callable, *args) -> tuple[int, int]:
    """Start ``work(*args)`` in a child that is the account ``name`` (and nothing more)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read)
            account = pwd.getpwnam(name)
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            answer = {"value": work(*args)}
        except BaseException as error:
            answer = {"error": f"{type(error).__name__}: {error}"}
        finally:
            os.write(write, json.dumps(answer, default=str).encode())
            os._exit(0)
    os.close(write)
    return pid, read


def result(child: tuple[int, int]) -> dict:
    pid, read = child
    with os.fdopen(read) as stream:
        answer = stream.read()
    os.waitpid(pid, 0)
    return json.loads(answer)


def run_as(name: str, work: Callable, *args) -> dict:
    """``work(*args)`` run as ``name``: ``{"value": what it returned}`` or ``{"error": ...}``."""
    return result(start_as(name, work, *args))


def value_as(name: str, work: Callable, *args):
    """What ``work(*args)`` run as ``name`` returned; fails on an error."""
    answer = run_as(name, work, *args)
    assert "value" in answer, answer
    return answer["value"]


def instructor_course(name: str) -> Path:
    """The instructor's own course folder, with its gradebook (made here: the instructor
    cannot run the venv's ``alembic``)."""
    course = Path(tempfile.mkdtemp(prefix="astrolearn-course-", dir="/tmp"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID):
        pass
    for path in (course, course / "gradebook.db"):
        shutil.chown(path, name, name)
    return course


def nbgrader_collect(exchange: Path, course: Path) -> dict:
    """nbgrader's collect of ``hw`` into ``course`` (the formgrader's Collect does this);
    what it collected, and from where."""
    directory = CourseDirectory(root=str(course), course_id=COURSE_ID, assignment_id="hw")
    collect = Collect(coursedir=directory, authenticator=Authenticator(), root=str(exchange))
    collect.start()
    return {
        "submitted": sorted(os.listdir(course / "submitted")),
        "staged": [record["filename"] for record in collect.src_records],
    }


def nbgrader_list_inbound(exchange: Path) -> list[dict]:
    directory = CourseDirectory(course_id=COURSE_ID)
    lister = List(coursedir=directory, authenticator=Authenticator(), root=str(exchange))
    lister.inbound = True
    return lister.start()


def ask_raw(exchange: Path, data: bytes) -> dict:
    """Send bytes as they are; return the answer."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(str(collector.socket_path(exchange)))
        connection.sendall(data)
        with connection.makefile("rb") as stream:
            return json.loads(stream.readline())


def test_an_instructor_collects_and_lists_each_students_work(accounts, service):
    s1, s2 = accounts["student"]
    teacher = accounts["instructor"][0]
    now = f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC"
    for name in (s1, s2):
        hand_in(service, name, name, now, "")
    course = instructor_course(teacher)
    try:
        collected = value_as(teacher, nbgrader_collect, service, course)
        assert collected["submitted"] == [s1, s2]
        for name in (s1, s2):
            submitted = course / "submitted" / name / "hw"
            assert name in (submitted / "hw.ipynb").read_text()
            assert {p.stat().st_uid for p in submitted.rglob("*")} == {
                pwd.getpwnam(teacher).pw_uid
            }
        # The staged copies are removed once the instructor's collect hangs up.
        staging = {Path(path).parent for path in collected["staged"]}
        deadline = time.monotonic() + 10
        while any(folder.exists() for folder in staging) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(staging) == 1 and not any(folder.exists() for folder in staging)
    finally:
        shutil.rmtree(course)

    listed = value_as(teacher, nbgrader_list_inbound, service)
    assert [(a["student_id"], a["assignment_id"]) for a in listed] == [(s1, "hw"), (s2, "hw")]
    (first,) = listed[0]["submissions"]
    assert first["timestamp"] == now and [n["notebook_id"] for n in first["notebooks"]] == ["hw"]


def test_a_student_is_refused_collect_and_list(accounts, service):
    s1, s2 = accounts["student"]
    hand_in(service, s2, s2, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    course = Path(tempfile.mkdtemp(prefix="astrolearn-course-", dir="/tmp"))
    shutil.chown(course, s1, s1)
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID):
            pass
        shutil.chown(course / "gradebook.db", s1, s1)
        refused = f"collector: only the class's instructors may ask; {s1} is not one"
        assert run_as(s1, nbgrader_collect, service, course) == {
            "error": f"ExchangeError: {refused}"
        }
        assert not (course / "submitted").exists()
        assert run_as(s1, nbgrader_list_inbound, service) == {"error": f"ExchangeError: {refused}"}
    finally:
        shutil.rmtree(course)


REQUEST = {"action": "collect", "course": COURSE_ID, "assignment": "hw", "student": "*"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"course": "physics"}, "holds the course 'astrolearn' only"),
        ({"assignment": "../../etc"}, "assignment must be a name"),
        ({"assignment": "hw/.."}, "assignment must be a name"),
        ({"assignment": "*"}, "assignment must be a name"),
        ({"student": "../tk"}, "student must be a name"),
        ({"student": ["a"]}, "student must be a name"),
        (
            {"action": "remove"},
            "does 'collect', 'list', 'release', 'unrelease', 'feedback', nothing else",
        ),
        ({"action": "release"}, "release is handed one open folder"),
        ({"action": "feedback", "student": "../tk"}, "student must be a name"),
        ({"duedate": "yesterday"}, "duedate must be an ISO date and time"),
    ],
)
def test_an_instructors_bad_request_is_refused_with_the_reason(accounts, service, change, reason):
    teacher = accounts["instructor"][0]
    request = json.dumps({**REQUEST, **change}).encode() + b"\n"
    answer = value_as(teacher, ask_raw, service, request)
    assert set(answer) == {"error"} and reason in answer["error"], answer


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"x" * 5000, "a request is at most 4096 bytes"),
        (b"not json\n", "a request is one line of JSON"),
        (b"[1, 2]\n", "a request is a JSON object"),
    ],
)
def test_a_malformed_request_is_refused(accounts, service, data, reason):
    answer = value_as(accounts["instructor"][0], ask_raw, service, data)
    assert answer == {"error": f"collector: {reason}"}


def hold_open(exchange: Path, seconds: float) -> dict:
    """Connect and say nothing; return what the service answers, and when."""
    begin = time.monotonic()
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(str(collector.socket_path(exchange)))
        connection.settimeout(seconds)
        with connection.makefile("rb") as stream:
            answer = json.loads(stream.readline())
    return {"answer": answer, "seconds": time.monotonic() - begin}


def flood(exchange: Path, count: int) -> list[str]:
    """Open ``count`` connections at once; return the answers' errors ("closed" for a
    connection closed unanswered)."""
    connections = []
    for _ in range(count):
        connection = socket.socket(socket.AF_UNIX)
        connection.connect(str(collector.socket_path(exchange)))
        connections.append(connection)
    answers = []
    for connection in connections:
        try:
            with connection, connection.makefile("rb") as stream:
                line = stream.readline()
        except OSError:
            line = b""
        answers.append(json.loads(line)["error"] if line else "closed")
    return sorted(set(answers))


def list_timed(exchange: Path) -> dict:
    begin = time.monotonic()
    connection, answer = collector.ask(exchange, {"action": "list"})
    connection.close()
    return {"submissions": len(answer["submissions"]), "seconds": time.monotonic() - begin}


def test_slow_callers_and_floods_do_not_hold_up_the_others(accounts, service):
    s1 = accounts["student"][0]
    t1, t2 = accounts["instructor"]
    hand_in(service, s1, s1, f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC", "")
    slow = start_as(t2, hold_open, service, 60)
    begin = time.monotonic()
    flooded = run_as(s1, flood, service, 300)
    answered = run_as(t1, list_timed, service)
    # t2 may hold one request open, not two.
    twice = run_as(t2, ask_raw, service, json.dumps({"action": "list"}).encode() + b"\n")
    still_waiting = time.monotonic() - begin < collector.READ_SECONDS
    cut_off = result(slow)["value"]
    # A few are answered; the rest are closed at once (at most MAX_OPEN open per account).
    refused = f"collector: only the class's instructors may ask; {s1} is not one"
    assert flooded["value"] == sorted(["closed", refused])
    assert answered["value"]["submissions"] == 1 and answered["value"]["seconds"] < 5
    assert twice["value"] == {
        "error": "collector: you have a request open already: wait until it is done"
    }
    assert still_waiting, "the test took too long to show the others were served meanwhile"
    assert cut_off["answer"] == {
        "error": f"collector: no request within {collector.READ_SECONDS:g} s"
    }
    assert collector.READ_SECONDS <= cut_off["seconds"] < collector.READ_SECONDS + 5


def test_the_collector_needs_root(accounts):
    student = accounts["student"][0]
    assert run_as(student, collector.main, ["/nonexistent"]) == {"value": 4}


def test_the_list_shows_only_each_students_own_submissions(accounts, classroom):
    s1, s2 = accounts["student"]
    exchange = classroom / "exchange"
    now = f"{utc_now():%Y-%m-%d %H:%M:%S.%f} UTC"
    own = hand_in(exchange, s1, s1, now, "")
    theirs = hand_in(exchange, s2, s2, now, "")
    # In s1's own folder: a link to s2's submission, and a folder in s2's name.
    planted = as_student(
        s1,
        'ln -s "$2" "$1/$3+hw+$4+aa" && mkdir "$1/$5+hw+$4+bb"',
        str(own.parent),
        str(theirs),
        s1,
        now,
        s2,
    )
    assert planted.returncode == 0, planted.stderr
    found = inbound(exchange)
    assert sorted((info["student_id"], info["path"]) for info in found) == [
        (s1, str(own)),
        (s2, str(theirs)),
    ]
    assert all([n["notebook_id"] for n in info["notebooks"]] == ["hw"] for info in found)
