"""A stopped ``astrolearn book``, ``serve`` or ``lab`` stops everything it started.

A service manager, a CI job's timeout or Ctrl-C stops the command with SIGTERM or SIGINT;
the Jupyter Book builder it runs, and the kernels that builder or server runs (in
sessions of their own), must end with it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.servers import stop_process, wait_for_url

psutil = pytest.importorskip("psutil")
pytest.importorskip("jupyter_book")

#: A one-page book whose notebook runs far longer than the test: a kernel stays busy.
CONFIG = "title: stopped\nexecute:\n  execute_notebooks: force\n  timeout: 900\n"
TOC = "format: jb-book\nroot: index\n"
PAGE = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# A page that takes long

```{code-cell} python3
import time

time.sleep(900)
```
"""


def descendants_once(pid: int, predicate, timeout: float) -> list:
    """The processes under ``pid`` once one of them satisfies ``predicate``."""
    deadline = time.monotonic() + timeout
    top = psutil.Process(pid)
    while time.monotonic() < deadline:
        found = top.children(recursive=True)
        if any(predicate(process) for process in found):
            return found
        if not top.is_running() or top.status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.2)
    raise AssertionError(f"no such process under {pid} within {timeout} s")


@pytest.fixture
def leftovers() -> list:
    """Processes a test started; those still running at its end are killed."""
    found: list = []
    yield found
    for process in found:
        with contextlib.suppress(psutil.Error):
            process.kill()


def stop(command: subprocess.Popen, signum: int, started: list) -> int:
    """Send ``signum`` to ``command``; check that it and ``started`` end; its status."""
    command.send_signal(signum)
    status = command.wait(timeout=60)
    _, alive = psutil.wait_procs(started, timeout=30)
    assert alive == [], [process.cmdline() for process in alive]
    return status


def is_kernel(process) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(process.cmdline())
    except psutil.Error:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_stopped_book_build_leaves_no_builder_or_kernel_behind(
    signum, tmp_path: Path, leftovers
):
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(CONFIG)
    (book / "_toc.yml").write_text(TOC)
    (book / "index.md").write_text(PAGE)
    log = tmp_path / "book.log"
    site = ["--output", str(tmp_path / "site")]
    command = start(["book", "--book", str(book), *site], log)
    try:
        # The kernel runs the page's cell: builder and kernel are both there now.
        leftovers += descendants_once(command.pid, is_kernel, timeout=240)
        status = stop(command, signum, leftovers)
        # Killed by the signal, as a shell reports it (128 + signal number).
        assert status == -signum, (status, log.read_text()[-2000:])
    finally:
        stop_process(command)


#: A one-cell app (a kernel runs it ahead of any visitor: preheating).
APP = PAGE.replace("# A page that takes long", "# A tiny app\n\nShows one number.").replace(
    "time.sleep(900)", "print(1)"
)


def start(words: list[str], log: Path) -> subprocess.Popen:
    """``astrolearn WORDS``, its output in ``log``."""
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "astrolearn.cli", *words],
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def test_a_stopped_serve_leaves_no_kernel_behind(tmp_path: Path, leftovers):
    apps = tmp_path / "apps"
    shutil.copytree(REPO / "apps" / "template", apps / "template")
    (apps / "tiny.md").write_text(APP)
    words = ["serve", "--apps", str(apps), "--pool-size", "1", "--port", "0"]
    server = start(words, tmp_path / "log")
    try:
        leftovers += descendants_once(server.pid, is_kernel, timeout=240)
        stop(server, signal.SIGTERM, leftovers)
    finally:
        stop_process(server)


def test_a_stopped_lab_leaves_no_kernel_behind(tmp_path: Path, leftovers):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    log = tmp_path / "log"
    server = start(["lab", "--no-browser", "--lessons", str(lessons), "--port", "0"], log)
    try:
        url = wait_for_url(server, log, 240, path=True)
        base, token = url.split("/lab?token=")
        request = urllib.request.Request(
            f"{base}/api/kernels?token={token}", data=b"{}", method="POST"
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert json.load(response)["id"]
        leftovers += descendants_once(server.pid, is_kernel, timeout=120)
        stop(server, signal.SIGTERM, leftovers)
    finally:
        stop_process(server)
