"""Autograding cost per submission and throughput for a class, printed as a table.

Builds a throw-away course from the grading fixture lesson (real Gaia Pleiades data),
submits N copies of the reference solution and times, in the same run:

1. plain ``nbgrader autograde`` (nbgrader's own Execute, no sandbox): the baseline;
2. ``astrolearn grade autograde`` with trusted checks (a reference kernel runs each
   test cell on the answers as data) but the sandbox turned off;
3. the same in the sandbox, as the course grades.

Usage::

    python benchmarks/bench_grading.py [--students 30]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "grading"))

from astrolearn.grading import cycle, sandbox  # noqa: E402
from grading_course import FIXTURES, make_course, reference, write_submissions  # noqa: E402

NAME = "00-pleiades-fixture"


def timed_autograde(course: Path, use_sandbox: bool) -> float:
    os.environ["ASTROLEARN_GRADING_SANDBOX"] = "1" if use_sandbox else "0"
    sandbox.available.cache_clear()
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = cycle.autograde(course, NAME)
    if status:
        raise SystemExit(f"autograde failed with status {status}")
    return time.perf_counter() - start


def timed_plain_nbgrader(course: Path) -> float:
    """``nbgrader autograde`` as nbgrader ships it: its Execute, kernels over TCP."""
    config = course / "nbgrader_config.py"
    original = config.read_text()
    plain = original.replace(
        "astrolearn.grading.trusted.TrustedExecute", "nbgrader.preprocessors.Execute"
    )
    config.write_text(plain.replace('c.KernelManager.transport = "ipc"', ""))
    try:
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            status = cycle.nbgrader(course, "autograde", NAME, "--force")
        if status:
            raise SystemExit(f"nbgrader autograde failed with status {status}")
        return time.perf_counter() - start
    finally:
        config.write_text(original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course, lessons = make_course(Path(tmp), {NAME: FIXTURES / NAME / "lesson.md"})
        with contextlib.redirect_stdout(io.StringIO()):
            cycle.release(course, lessons, NAME)
            good = reference(course, NAME)
            inbox = write_submissions(
                Path(tmp) / "inbox", NAME, {f"s{i:03d}": good for i in range(args.students)}
            )
            cycle.collect(course, NAME, inbox)
        rows = [("plain nbgrader autograde (baseline)", timed_plain_nbgrader(course))]
        rows.append(("astrolearn, trusted checks, no sandbox", timed_autograde(course, False)))
        os.environ["ASTROLEARN_GRADING_SANDBOX"] = "1"
        sandbox.available.cache_clear()
        reason = sandbox.available()
        label = "astrolearn, trusted checks, sandbox" + (
            f" (UNAVAILABLE: {reason})" * bool(reason)
        )
        rows.append((label, timed_autograde(course, True)))
    base = rows[0][1]
    load = os.getloadavg()[0]  # other work on a shared machine slows both rows alike
    print(
        f"\nautograding {args.students} submissions of {NAME}, {os.cpu_count()} cores, "
        f"load average {load:.1f}"
    )
    print(f"{'configuration':<44} {'s/sub':>6} {'extra s/sub':>11} {'subs/min':>9} {'ratio':>6}")
    for label, seconds in rows:
        each, rate = seconds / args.students, args.students / seconds * 60
        extra = (seconds - base) / args.students
        print(f"{label:<44} {each:6.2f} {extra:11.2f} {rate:9.1f} {seconds / base:6.2f}")


if __name__ == "__main__":
    main()
