"""Execution time of each lesson and of the whole curriculum, offline.

Each lesson is executed top to bottom by the same runner the tests use
(``tests/lessons/harness.py``: ``astrolearn.notebooks.read_myst`` -> nbclient, kernel
``python3``), with the network cut by ``unshare -n`` when run as root (otherwise with
the network, and the table says so). The baseline, measured in the same run, is a
one-cell notebook: kernel start and runner overhead. Budget: under ~2 min per lesson on
2 cores, aim under 40 s.

Threads: on a shared machine OpenMP threads of scikit-learn spin against other
processes; compare ``OMP_NUM_THREADS=1 python benchmarks/bench_lessons.py`` (the tests
run lessons with one thread) with the default.

Usage: python benchmarks/bench_lessons.py [NN ...]   (default: every lessons/NN-*/lesson.md)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "tests" / "lessons" / "harness.py"
BUDGET_SECONDS = 120
BASELINE_LESSON = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

```{code-cell} ipython3
answer = 42
```
"""


def offline_prefix() -> tuple[list[str], str]:
    """The command prefix that cuts the network, and a label for the table."""
    if os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
        return ["unshare", "-n", "sh", "-c", 'ip link set lo up; exec "$@"', "sh"], "offline"
    return [], "ONLINE (not root: network not cut)"


def execute(lesson: Path, prefix: list[str]) -> dict:
    """Run one lesson; return kernel seconds, wall seconds and the slowest cell."""
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        command = [*prefix, sys.executable, str(RUNNER), str(lesson), str(result_file)]
        started = time.perf_counter()
        # An empty VO cache: a warm one would answer queries the offline run must fall back on.
        environment = dict(os.environ, ASTROLEARN_CACHE_DIR=str(Path(tmp) / "vo-cache"))
        process = subprocess.run(
            command, capture_output=True, text=True, timeout=600, env=environment
        )
        wall = time.perf_counter() - started
        if process.returncode != 0:
            return {"error": (process.stderr or process.stdout).strip().splitlines()[-1:]}
        result = json.loads(result_file.read_text())
    cells = result["cell_seconds"]
    slowest = max(range(len(cells)), key=cells.__getitem__)
    return {"kernel": result["seconds"], "wall": wall, "slowest": (slowest, cells[slowest])}


def main() -> None:
    wanted = {f"{int(n):02d}" for n in sys.argv[1:]}
    lessons = sorted(
        p
        for p in (REPO / "lessons").glob("[0-9][0-9]-*/lesson.md")
        if not wanted or p.parent.name[:2] in wanted
    )
    prefix, mode = offline_prefix()
    with tempfile.TemporaryDirectory() as tmp:
        baseline_file = Path(tmp) / "baseline" / "lesson.md"
        baseline_file.parent.mkdir()
        baseline_file.write_text(BASELINE_LESSON)
        baseline = execute(baseline_file, prefix)
    if "error" in baseline:
        sys.exit(f"baseline notebook failed: {baseline['error']}")
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    print(
        f"lesson execution, {mode}, OMP_NUM_THREADS={threads}; baseline = one-cell notebook "
        f"({baseline['kernel']:.1f} s in the kernel, {baseline['wall']:.1f} s wall)"
    )
    print(
        f"{'lesson':28s} {'kernel s':>9s} {'wall s':>8s} {'x base':>7s} {'slowest cell':>16s}"
        f"  budget"
    )
    total_kernel = total_wall = 0.0
    for lesson in lessons:
        timing = execute(lesson, prefix)
        name = lesson.parent.name
        if "error" in timing:
            print(f"{name:28s} FAILED: {timing['error']}")
            continue
        total_kernel += timing["kernel"]
        total_wall += timing["wall"]
        index, seconds = timing["slowest"]
        verdict = "ok" if timing["wall"] < BUDGET_SECONDS else "OVER"
        print(
            f"{name:28s} {timing['kernel']:9.1f} {timing['wall']:8.1f}"
            f" {timing['wall'] / baseline['wall']:7.1f} {f'#{index} {seconds:.1f} s':>16s}"
            f"  {verdict}"
        )
    print(
        f"{'curriculum total':28s} {total_kernel:9.1f} {total_wall:8.1f}"
        f" {total_wall / baseline['wall']:7.1f}"
    )


if __name__ == "__main__":
    main()
