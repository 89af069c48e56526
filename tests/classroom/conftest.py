"""A real classroom hub for the tests: `astrolearn classroom init` and `start`, real Unix
accounts, configurable-http-proxy, and each student's server run as that student.

The hub, its proxy, the students' servers and kernels, the student clients
(``student.py``) and Chromium all run in one loopback-only network namespace: the class
works with the network down. Every account the fixture names starts with a random
prefix, and is removed (``userdel -r``) at teardown, even when a test failed.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from tests.conftest import REPO, can_cut_network, require
from tests.servers import stop_process

STUDENT = Path(__file__).with_name("student.py")
RUNNING = re.compile(r"JupyterHub is now running at (http://127\.0\.0\.1:\d+)")
HUB_START_TIMEOUT = 90


def require_classroom_parts() -> None:
    """Skip (fail under CI) unless this process can make accounts and run a hub."""
    require(os.geteuid() == 0, "root (the hub creates Unix accounts)", "run the tests as root")
    require(can_cut_network(), "unshare and ip (util-linux, iproute2)", "apt-get install")
    require(
        shutil.which("configurable-http-proxy") is not None,
        "configurable-http-proxy",
        "sudo bash tools/install-system.sh",
    )
    require(Path("/usr/bin/python3").is_file(), "Debian's python3", "apt-get install python3")


def astrolearn(*args: str) -> list[str]:
    """The astrolearn command of this checkout, in this interpreter."""
    return [sys.executable, "-m", "astrolearn.cli", *args]


@dataclass
class Hub:
    """A classroom folder and, once started, its running hub."""

    folder: Path
    students: list[str]
    instructor: str
    namespace: list[str]
    url: str = ""
    start_seconds: float = 0.0
    process: subprocess.Popen | None = None
    passwords: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None

    def init(self, *options: str, roster: list[str] | None = None) -> subprocess.CompletedProcess:
        """Run `astrolearn classroom init` on this folder (the roster: its people)."""
        people = roster or [f"{self.instructor},instructor"] + [
            f"{name},student" for name in self.students
        ]
        roster_file = self.folder.parent / f"{self.folder.name}-roster.csv"
        roster_file.write_text("username,role\n" + "\n".join(people) + "\n")
        return subprocess.run(
            astrolearn("classroom", "init", str(self.folder), "--roster", str(roster_file))
            + list(options),
            capture_output=True,
            text=True,
            timeout=600,
        )

    def start(self) -> None:
        """Start the hub in the namespace; wait until it says it runs."""
        log_path = self.folder.parent / f"{self.folder.name}-hub.log"
        begin = time.monotonic()
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                self.namespace + astrolearn("classroom", "start", str(self.folder)),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = begin + HUB_START_TIMEOUT
        while not (found := RUNNING.search(log_path.read_text())):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        self.start_seconds = time.monotonic() - begin
        self.url, self.log_path = found.group(1), log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=60)

    def password(self, name: str) -> str:
        """The student's first-use password (set at their first login)."""
        return self.passwords.setdefault(name, secrets.token_urlsafe(12))

    def student_command(self, name: str, *args: str, password: str | None = None) -> list[str]:
        """A ``student.py`` command for ``name``, run in the hub's namespace."""
        password = self.password(name) if password is None else password
        return [*self.namespace, sys.executable, str(STUDENT), *args, self.url, name, password]

    def student(self, name: str, *args: str, password: str | None = None) -> dict:
        """Run one ``student.py`` command and return its answer."""
        done = subprocess.run(
            self.student_command(name, *args, password=password),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{done.stderr[-2000:]}\nhub log:\n{self.log()[-3000:]}"
        return json.loads(done.stdout)

    def students_run(self, names: list[str], *codes: str) -> list[dict]:
        """Each student logs in, starts a server and runs ``codes``, all at once."""
        clients = [
            subprocess.Popen(
                self.student_command(name) + list(codes),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPO,
            )
            for name in names
        ]
        results = []
        for name, client in zip(names, clients, strict=True):
            output, errors = client.communicate(timeout=300)
            if client.returncode:
                raise AssertionError(f"{name}: {errors[-2000:]}\nhub log:\n{self.log()[-3000:]}")
            results.append(json.loads(output))
        return results


def free_ports(namespace: list[str], count: int) -> list[int]:
    """Ports free in the namespace (the hub's, its API's, its proxy API's)."""
    code = (
        f"import socket; s = [socket.socket() for _ in range({count})]; "
        "[x.bind(('127.0.0.1', 0)) for x in s]; print(*[x.getsockname()[1] for x in s])"
    )
    output = subprocess.run([*namespace, sys.executable, "-c", code], capture_output=True)
    return [int(port) for port in output.stdout.split()]


def remove_accounts(names: list[str]) -> None:
    """Remove the test's accounts and their homes, after any process left of them."""
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        for process in psutil.process_iter(["username"]):
            if process.info["username"] == name:
                process.send_signal(signal.SIGKILL)
        subprocess.run(["userdel", "--remove", name], capture_output=True)
        assert not Path("/home", name).exists()


@contextmanager
def nologin_accounts(names: list[str]) -> Iterator[list[str]]:
    """Real accounts ``names`` without home or login, removed afterwards (even on failure)."""
    require(os.geteuid() == 0, "root (to make accounts)", "run the tests as root")
    try:
        for name in names:
            subprocess.run(
                ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                check=True,
            )
        yield names
    finally:
        remove_accounts(names)


@contextmanager
def exchange_under_tmp(prefix: str, students: list[str]) -> Iterator[Path]:
    """A folder under /tmp that everyone can enter, holding ``exchange/`` laid out for
    ``students`` as ``classroom init`` does; removed afterwards."""
    from astrolearn.classroom.exchange import layout

    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    root.chmod(0o755)
    try:
        layout(root / "exchange", students)
        yield root
    finally:
        shutil.rmtree(root)


@pytest.fixture
def venv_on_path(monkeypatch) -> None:
    """nbgrader's gradebook runs ``alembic`` from the Python's own folder."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def log_in_with_chromium(page, hub: Hub, name: str) -> None:
    """``name`` logs in on the hub's page (first-use password); JupyterLab opens."""
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.password(name))
    page.click("#login_submit")
    # The hub starts the server and JupyterLab opens.
    page.wait_for_url(re.compile(f"/user/{name}/lab"))


@pytest.fixture(scope="module")
def accounts() -> Iterator[list[str]]:
    """Names for this module's accounts (random prefix); all removed at teardown."""
    require_classroom_parts()
    prefix = "t" + secrets.token_hex(3)
    # Five students, a sixth added later, the instructor, and one never to be made.
    names = [f"{prefix}-s{i}" for i in range(1, 7)] + [f"{prefix}-teach", f"{prefix}-never"]
    try:
        yield names
    finally:
        remove_accounts(names)


@pytest.fixture(scope="module")
def classroom_root() -> Iterator[Path]:
    """A folder every user can enter (pytest's own temporary folders are private)."""
    require_classroom_parts()
    root = Path(tempfile.mkdtemp(prefix="astrolearn-classroom-", dir="/tmp"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_hub(root: Path, name: str, accounts: list[str], namespace: list[str]) -> Hub:
    return Hub(root / name, students=accounts[:5], instructor=accounts[6], namespace=namespace)


def port_options(namespace: list[str]) -> list[str]:
    port, hub_port, api_port = free_ports(namespace, 3)
    return ["--port", str(port), "--hub-port", str(hub_port), "--proxy-api-port", str(api_port)]


@contextmanager
def running_hub(folder: Path, prefix: str, students: int, namespace: list[str]) -> Iterator[Hub]:
    """A started hub for ``students`` students (PREFIX-s1...) and PREFIX-teach; stopped,
    and its accounts removed, at the end, even when a test failed."""
    require_classroom_parts()
    names = [f"{prefix}-s{i}" for i in range(1, students + 1)]
    classroom = Hub(folder, names, f"{prefix}-teach", namespace)
    try:
        made = classroom.init(*port_options(namespace))
        assert made.returncode == 0, made.stdout + made.stderr
        classroom.start()
        yield classroom
    finally:
        classroom.stop()
        remove_accounts([*names, classroom.instructor])


@pytest.fixture(scope="module")
def hub(classroom_root, accounts, offline_namespace) -> Iterator[Hub]:
    """The class: five students and an instructor, on a hub started for this module."""
    classroom = new_hub(classroom_root, "class", accounts, offline_namespace)
    made = classroom.init(*port_options(offline_namespace))
    assert made.returncode == 0, made.stdout + made.stderr
    try:
        classroom.start()
        yield classroom
    finally:
        classroom.stop()
