"""Memory per visitor of the public apps: kernels forked from a warm parent against stock.

In one run, ``astrolearn serve`` with forked kernels (its default) and with
``--no-fork`` (each kernel a new Python process), on loopback with bundled data. For
each app (``hr_diagram``, ``train_a_neural_network``) a fresh server gets 1, then 10,
then 50 visitors (``tests/apps/visitors.py``: the page, the kernel's websocket, the
widget states), who all stay connected. The servers run with no preheated kernels
(``--pool-size=0``), so that every visitor's kernel is started for it and its start
is timed, and with the limits per address lifted (every visitor comes from loopback).

Reported at each step, once memory has settled: the USS and PSS of each visitor's
kernel (psutil ``memory_full_info``: USS is what the kernel alone holds, PSS adds its
share of the pages it shares), of the fork server, and of the whole server tree; the
tree's growth per additional visitor between steps; and the seconds from a visitor's
page request to live widgets (median), with the ratio forked / stock. At the first
step the tree's USS may even shrink: the fork server's pages count as its own (USS)
until a kernel shares them; PSS, which splits shared pages among their users, is the
figure to read there.

    python benchmarks/bench_memory.py                  # 1, 10, 50 visitors
    python benchmarks/bench_memory.py --steps 1 5      # quick check

Goal (issue 20): at most 60 MB of private memory per additional visitor.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parent))
sys.path.insert(0, str(BENCHMARKS))
from bench_load import Server  # noqa: E402

from tests.apps.visitors import AppSession  # noqa: E402
from tests.servers import wait_for_url  # noqa: E402

APPS = ("hr_diagram", "train_a_neural_network")
MODES = {"forked": [], "stock": ["--no-fork"]}
OPTIONS = [
    "--pool-size=0",
    "--max-kernels=200",
    "--max-waiting=200",
    "--cull-idle-timeout=3600",
    "--new-kernels-per-minute=1000",
    "--max-kernels-per-address=1000",
]
MB = 2**20


async def live_widgets(session: AppSession) -> float:
    """Seconds from the page request to the widget states of its kernel."""
    started = time.monotonic()
    # Fifty stock kernels start two at a time: the last page may take many minutes.
    await session.open_page(timeout=1800)
    await session.connect()
    await session.widget_states()
    return time.monotonic() - started


def memory(server: Server, sessions: list[AppSession]) -> dict:
    """USS and PSS (MB) of the visitors' kernels, the fork server and the whole tree."""
    tree = [server.root, *server.root.children(recursive=True)]
    ids = {session.kernel_id for session in sessions}
    kernels, fork, total = [], None, {"uss": 0.0, "pss": 0.0}
    for process in tree:
        try:
            command = " ".join(process.cmdline())
            info = process.memory_full_info()
        except psutil.Error:
            continue
        figures = {"uss": info.uss / MB, "pss": info.pss / MB}
        total = {key: total[key] + figures[key] for key in total}
        if any(kernel_id in command for kernel_id in ids):
            kernels.append(figures)
        elif "astrolearn.kernel_fork" in command:
            fork = figures
    assert len(kernels) == len(ids), f"{len(kernels)} kernels found for {len(ids)} visitors"
    return {"kernels": kernels, "fork": fork, "total": total}


def settled(server: Server, sessions: list[AppSession], timeout: float = 60) -> dict:
    """Memory once two readings a second apart agree within 1 MB a kernel."""
    deadline = time.monotonic() + timeout
    last = memory(server, sessions)
    while time.monotonic() < deadline:
        time.sleep(1)  # the interval between two readings, not a wait for an event
        now = memory(server, sessions)
        if abs(now["total"]["uss"] - last["total"]["uss"]) < max(1, len(sessions)):
            return now
        last = now
    return last


async def run(mode: str, app: str, steps: list[int]) -> list[dict]:
    # Every visitor's page request at once (tornado's client queues all but 10).
    AsyncHTTPClient.configure(None, max_clients=steps[-1])
    server = Server(OPTIONS + MODES[mode])
    rows: list[dict] = []
    sessions: list[AppSession] = []
    try:
        server.url = wait_for_url(server.process, Path(server.log_file.name), 180)
        before = settled(server, [])
        previous = (0, before["total"])
        for count in steps:
            new = [AppSession(server.url, app) for _ in range(count - len(sessions))]
            seconds = await asyncio.gather(*(live_widgets(session) for session in new))
            sessions += new
            figures = await asyncio.to_thread(settled, server, sessions)
            added = count - previous[0]
            grow = {
                key: (figures["total"][key] - previous[1][key]) / added for key in ("uss", "pss")
            }
            previous = (count, figures["total"])
            rows.append(
                {
                    "mode": mode,
                    "app": app,
                    "visitors": count,
                    "kernel_uss": statistics.mean(k["uss"] for k in figures["kernels"]),
                    "kernel_pss": statistics.mean(k["pss"] for k in figures["kernels"]),
                    "fork_uss": figures["fork"]["uss"] if figures["fork"] else 0.0,
                    "tree_uss": figures["total"]["uss"],
                    "tree_pss": figures["total"]["pss"],
                    "grow_uss": grow["uss"],
                    "grow_pss": grow["pss"],
                    "live_s": statistics.median(seconds),
                }
            )
            print(rows[-1], flush=True)
    finally:
        for session in sessions:
            session.close()
        server.stop({})
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| app | mode | visitors | kernel USS | kernel PSS | fork server USS | tree USS "
        "| tree PSS | USS per added visitor | PSS per added visitor | live widgets (median) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['app']} | {row['mode']} | {row['visitors']} | {row['kernel_uss']:.0f} MB "
            f"| {row['kernel_pss']:.0f} MB | {row['fork_uss']:.0f} MB | {row['tree_uss']:.0f} MB "
            f"| {row['tree_pss']:.0f} MB | {row['grow_uss']:.0f} MB | {row['grow_pss']:.0f} MB "
            f"| {row['live_s']:.1f} s |"
        )
    stock = {(r["app"], r["visitors"]): r["live_s"] for r in rows if r["mode"] == "stock"}
    lines.append("")
    for row in rows:
        if row["mode"] == "forked" and (row["app"], row["visitors"]) in stock:
            ratio = row["live_s"] / stock[row["app"], row["visitors"]]
            lines.append(
                f"{row['app']}, {row['visitors']} visitors: live widgets forked / stock = "
                f"{ratio:.2f}"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--apps", nargs="+", default=list(APPS))
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    args = parser.parse_args()
    if sorted(args.steps) != args.steps or args.steps[-1] > 50 or args.steps[0] < 1:
        parser.error("--steps: increasing counts of visitors, 1 to 50")
    rows = []
    for app in args.apps:
        for mode in args.modes:
            rows += asyncio.run(run(mode, app, args.steps))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
