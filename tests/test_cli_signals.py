"""A stopped ``astrolearn book`` stops everything it started.

A service manager, a CI job's timeout or Ctrl-C stops the command with SIGTERM or SIGINT;
the Jupyter Book builder it runs, and the kernels that builder runs (in sessions of their
own), must end with it, and the command must end as killed by that signal.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def is_kernel(process) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(process.cmdline())
    except psutil.Error:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_stopped_book_build_leaves_no_builder_or_kernel_behind(signum, tmp_path: Path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(CONFIG)
    (book / "_toc.yml").write_text(TOC)
    (book / "index.md").write_text(PAGE)
    log = tmp_path / "book.log"
    site = ["--output", str(tmp_path / "site")]
    with log.open("w") as output:
        command = subprocess.Popen(
            [sys.executable, "-m", "astrolearn.cli", "book", "--book", str(book), *site],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    started: list = []
    try:
        # The kernel runs the page's cell: builder and kernel are both there now.
        started = descendants_once(command.pid, is_kernel, timeout=240)
        command.send_signal(signum)
        status = command.wait(timeout=60)
        _, alive = psutil.wait_procs(started, timeout=30)
        assert alive == [], [process.cmdline() for process in alive]
        # Killed by the signal, as a shell reports it (128 + signal number).
        assert status == -signum, (status, log.read_text()[-2000:])
    finally:
        for process in started:
            with contextlib.suppress(psutil.Error):
                process.kill()
        command.kill()
        command.wait(timeout=30)
