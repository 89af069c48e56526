"""Autograding throughput (submissions per minute) for one assignment, printed as a table.

Builds a throw-away course from the grading fixture lesson (real Gaia Pleiades data),
submits N copies of the reference solution and times ``astrolearn grade autograde``:
the baseline is plain nbgrader (kernel without the sandbox), then the sandboxed kernel
the course uses. Usage::

    python benchmarks/bench_grading.py [--students 6]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
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
        rows = [("nbgrader, plain kernel (baseline)", timed_autograde(course, False))]
        os.environ["ASTROLEARN_GRADING_SANDBOX"] = "1"
        sandbox.available.cache_clear()
        reason = sandbox.available()
        label = "astrolearn, sandboxed kernel" + (f" (UNAVAILABLE: {reason})" if reason else "")
        rows.append((label, timed_autograde(course, True)))
    base = rows[0][1]
    load = os.getloadavg()[0]  # other work on a shared machine slows both rows alike
    print(
        f"\nautograding {args.students} submissions of {NAME}, {os.cpu_count()} cores, "
        f"load average {load:.1f}"
    )
    print(f"{'configuration':<44} {'seconds':>8} {'subs/min':>9} {'ratio':>6}")
    for label, seconds in rows:
        rate = args.students / seconds * 60
        print(f"{label:<44} {seconds:8.1f} {rate:9.1f} {base / seconds:6.2f}")


if __name__ == "__main__":
    main()
