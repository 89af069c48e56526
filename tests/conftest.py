"""Shared test helpers.

Under CI (environment variable ``CI`` set, or ``ASTROLEARN_STRICT=1``) a test that
needs a missing system part fails instead of being skipped, so CI cannot pass by
skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STRICT = bool(os.environ.get("CI")) or os.environ.get("ASTROLEARN_STRICT") == "1"
ARTIFACTS = REPO / "test-artifacts"
# Debian's Chromium, driven by Playwright; the flags keep it off every network but
# loopback. The browser fixtures live here, once, so that every test folder shares one
# Chromium (Playwright's sync API allows one instance per thread).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: even outside a network namespace, only loopback is reachable.
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


#: ``make test PARALLEL=...`` (see the Makefile) runs two workers (pytest-xdist), each
#: test folder (or top-level test file) whole in one, so that a folder's session fixtures
#: (the book's build, the graded lessons, the hubs) are made once. The vo tests join the
#: classroom's worker: both stop and start the one local DaCHS server.
SHARED_WORKER = {"vo": "classroom"}
#: The groups, heaviest first (seconds in one serial run, 2026-12-08: 684, 538, 346,
#: 342, 290, 97, 92 of 2,500): handed out in this order, the workers finish at about
#: the same time. The others come after them.
HEAVIEST_FIRST = ("classroom", "grading", "book", "apps", "lessons", "test_wheel", "browser")


def worker_group(nodeid: str) -> str:
    """The worker group of a test: its folder under ``tests/``, or its file's name.

    >>> worker_group("tests/vo/test_tap.py::test_a"), worker_group("tests/test_cli.py::test_b")
    ('classroom', 'test_cli')
    """
    parts = nodeid.split("::")[0].split("/")[1:]
    name = parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")
    return SHARED_WORKER.get(name, name)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, absent from a serial run
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> object:
    """Hand out whole groups (:func:`worker_group`), in the collection's order.

    Not ``--dist loadgroup`` with ``xdist_group`` marks: pytest 9.2's node ids no longer
    carry the group to xdist 3.8 (pytest-xdist issue 1386), which then spreads a
    folder's tests over both workers without a word.
    """
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a worker, put the heaviest groups first (:data:`HEAVIEST_FIRST`)."""
    if not hasattr(config, "workerinput"):  # a serial run keeps the collection's order
        return

    def rank(item: pytest.Item) -> int:
        group = worker_group(item.nodeid)
        return HEAVIEST_FIRST.index(group) if group in HEAVIEST_FIRST else len(HEAVIEST_FIRST)

    items.sort(key=rank)  # stable: each module's tests stay together, in order


def require(condition: bool, what: str, install: str) -> None:
    """Skip (or fail under CI) when a system part is missing.

    Parameters
    ----------
    condition : bool
        True when the part is available.
    what : str
        The missing part, in words.
    install : str
        How to install it.
    """
    if condition:
        return
    message = f"{what} is missing; install it with: {install}"
    if STRICT:
        pytest.fail(f"CI may not skip: {message}")
    pytest.skip(message)


def can_cut_network() -> bool:
    """True when this process may run a command in a new network namespace."""
    return (
        os.geteuid() == 0
        and shutil.which("unshare") is not None
        and shutil.which("ip") is not None
    )


def run_offline(args: list[str], timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    """Run a command with the network really cut (loopback only).

    Uses ``unshare -n`` (needs root); the command sees only the loopback interface.
    """
    require(can_cut_network(), "root and unshare (util-linux) to cut the network", "run as root")
    script = "ip link set lo up; exec " + " ".join(_quote(a) for a in args)
    return subprocess.run(
        ["unshare", "-n", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def run_python_offline(code: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run Python code in this interpreter with only loopback networking."""
    return run_offline([sys.executable, "-c", code], timeout=timeout)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for screenshots and reports kept after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def wait_for_exec(pid: int, program: str, timeout: float = 30) -> None:
    """Wait until process ``pid`` has become ``program`` (by exec).

    ``unshare -n sh -c "...; exec program"`` creates its namespace before the exec:
    entering the process's namespace any earlier would enter the host's own.
    """
    deadline = time.monotonic() + timeout
    comm = Path(f"/proc/{pid}/comm")
    while time.monotonic() < deadline:
        if not comm.exists():
            raise RuntimeError(f"process {pid} ended before it ran {program}")
        if comm.read_text().strip() == program:
            return
        time.sleep(0.05)
    raise TimeoutError(f"process {pid} did not run {program} within {timeout} s")


@pytest.fixture(scope="session")
def offline_namespace(tmp_path_factory) -> Iterator[list[str]]:
    """Command prefix that runs a program in a shared loopback-only network namespace.

    Yields ``["nsenter", "-t", PID, "-n"]`` (root) or ``[]`` when the network cannot
    be cut (then only Chromium is kept offline, by its flags).
    """
    if not (can_cut_network() and shutil.which("nsenter")):
        yield []
        return
    holder = subprocess.Popen(
        ["unshare", "-n", "sh", "-c", "ip link set lo up && exec sleep 36000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_exec(holder.pid, "sleep")  # the namespace exists and loopback is up
    try:
        yield ["nsenter", "-t", str(holder.pid), "-n"]
    finally:
        holder.terminate()
        holder.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium_executable(offline_namespace, tmp_path_factory) -> str:
    """Path of Chromium (a wrapper entering the offline namespace when there is one)."""
    require(Path(CHROMIUM).exists(), "Chromium", "apt-get install -y chromium")
    if not offline_namespace:
        return CHROMIUM
    wrapper = tmp_path_factory.mktemp("chromium") / "chromium-offline"
    wrapper.write_text("#!/bin/sh\nexec " + " ".join(offline_namespace) + f' {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.fixture(scope="session")
def browser(chromium_executable) -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright  # the test extra installs it

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
