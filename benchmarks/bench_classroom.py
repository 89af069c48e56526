"""The classroom hub (`astrolearn classroom`): start time, login to a running kernel,
and memory per logged-in student, printed as a table.

Makes a throw-away classroom (real Unix accounts with a random prefix, removed at the
end), then for each class size N: starts the hub (timed until it says it runs), lets N
students log in at once over HTTP, start their server, open JupyterLab, start a kernel
and run the first two code cells of the first lesson (tests/classroom/student.py), and
measures the memory of each student's processes (their Jupyter server and kernel) as
USS (memory only that student uses) and PSS (shared pages split between users), and the
hub's and the proxy's. The hub is restarted between sizes, which stops every server.

Usage (as root, with configurable-http-proxy installed)::

    python benchmarks/bench_classroom.py [--students 1 5 20]
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.classroom.conftest import Hub, free_ports, remove_accounts  # noqa: E402
from tests.classroom.test_hub import WHO, lesson_cells  # noqa: E402

MIB = 2**20


def memory(processes: list[psutil.Process]) -> tuple[float, float]:
    """USS and PSS of ``processes`` together, in MiB."""
    uss = pss = 0
    for process in processes:
        try:
            info = process.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        uss, pss = uss + info.uss, pss + info.pss
    return uss / MIB, pss / MIB


def processes_of(username: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["username"]) if p.info["username"] == username]


def hub_and_proxy(hub: Hub) -> list[psutil.Process]:
    """The hub's own processes: JupyterHub, its proxy and the idle culler (all root);
    not the students' servers, which are its children too."""
    # `classroom start` execs JupyterHub: the started process is the hub.
    hub_process = psutil.Process(hub.process.pid)
    children = hub_process.children(recursive=True)
    return [hub_process, *(p for p in children if p.username() == "root")]


def measure(hub: Hub, names: list[str]) -> dict:
    hub.start()
    try:
        results = hub.students_run(names, WHO, *lesson_cells(hub.folder, 2))
        errors = [o["error"] for r in results for o in r["outputs"] if o["error"]]
        assert not errors, errors
        per_student = [memory(processes_of(name)) for name in names]
        return {
            "start": hub.start_seconds,
            "login_to_kernel": [r["times"]["kernel"] for r in results],
            "uss": [uss for uss, _ in per_student],
            "pss": [pss for _, pss in per_student],
            "hub_uss": memory(hub_and_proxy(hub))[0],
        }
    finally:
        hub.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()
    prefix = "b" + secrets.token_hex(3)
    names = [f"{prefix}-s{i}" for i in range(1, max(args.students) + 1)]
    root = Path(tempfile.mkdtemp(prefix="astrolearn-classroom-bench-", dir="/tmp"))
    root.chmod(0o755)
    hub = Hub(root / "class", students=names, instructor=f"{prefix}-teach", namespace=[])
    try:
        port, hub_port, api_port = free_ports([], 3)
        made = hub.init(
            *["--port", str(port), "--hub-port", str(hub_port)],
            *["--proxy-api-port", str(api_port)],
        )
        assert made.returncode == 0, made.stdout + made.stderr
        print(
            f"{'students':>8} {'hub start s':>11} {'login→kernel s':>23} "
            f"{'USS MiB/student':>16} {'PSS MiB/student':>16} {'hub+proxy USS':>14}"
        )
        for count in args.students:
            row = measure(hub, names[:count])
            times = row["login_to_kernel"]
            print(
                f"{count:>8} {row['start']:>11.1f} "
                f"{statistics.median(times):>9.1f} (max {max(times):5.1f}) "
                f"{statistics.mean(row['uss']):>16.0f} {statistics.mean(row['pss']):>16.0f} "
                f"{row['hub_uss']:>14.0f}",
                flush=True,
            )
    finally:
        hub.stop()
        remove_accounts([*names, hub.instructor])
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
