"""A parallel ``make test`` runs two pytest-xdist workers, each test folder whole in one.

A folder's session fixtures (the book's build, the graded lessons, a hub) must be made
once, and two folders that stop the same server (vo, classroom) must never overlap. An
upgrade of pytest or xdist once spread a folder over both workers without a word
(pytest-xdist issue 1386), so the grouping is checked on a real parallel run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict

from tests.conftest import REPO, worker_group

#: The options the Makefile gives for a parallel run (``make test PARALLEL=...``).
OPTIONS = ["--numprocesses=2", "--no-loadscope-reorder"]
#: Three groups, quick to run: two folders and one top-level file.
SAMPLE = ["tests/data/test_catalog.py", "tests/ui/test_points.py", "tests/test_lock.py"]


def test_each_folder_runs_whole_in_one_of_two_workers():
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", *OPTIONS, "-v", "-p", "no:cacheprovider", *SAMPLE],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    workers = defaultdict(set)
    for worker, nodeid in re.findall(r"^\[(gw\d+)\] .*?PASSED (\S+)", completed.stdout, re.M):
        workers[worker_group(nodeid)].add(worker)
    assert set(workers) == {"data", "ui", "test_lock"}, completed.stdout[-3000:]
    assert all(len(used) == 1 for used in workers.values()), dict(workers)
    assert len(set().union(*workers.values())) == 2, "both workers were used"


def test_the_folders_that_share_a_server_share_a_worker():
    assert worker_group("tests/vo/test_mirror.py::test_x") == worker_group(
        "tests/classroom/test_hub.py::test_y"
    )
    assert worker_group("tests/book/test_build.py::t") != worker_group("tests/apps/test_x.py::t")
