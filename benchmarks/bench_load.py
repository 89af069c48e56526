"""Load test of the public apps: many visitors arrive, use an app for a while and leave.

``astrolearn serve`` runs on loopback (real kernels, bundled data, no network). ``N``
visitors (default 200) arrive over ``T`` seconds (default 600) at Poisson times: ``N``
arrival times drawn uniformly in ``[0, T]`` and sorted, which is a Poisson process of
rate ``N / T`` conditioned on ``N`` arrivals. Each visitor is a real websocket client
(``tests/apps/visitors.py``): it loads the app page, opens the kernel's websocket, asks
for the widget states, then for a stay drawn in ``--stay`` it moves a widget every few
seconds (``--think``) and waits for the app's status line to answer; then it leaves as
a browser tab closes (``--leave close-tab``: the page's shutdown beacon, then the socket
closes) or as a crashed tab or a phone put away does (``--leave drop``: the socket
closes and the kernel is left to the culler). The apps and what is checked:

* ``hr_diagram``: the distance slider; the status must say how many stars lie that
  close, counted here from the bundled Gaia sample.
* ``train_a_neural_network``: the neurons slider; the status must describe the network
  of that shape (2 inputs, the hidden layers as set, 1 output).

Visitors take the apps in turn. A latency counts from the websocket send to the arrival
of the status answer. A visitor whose answer does not come within ``--answer-timeout``
is an error and its interaction counts as unanswered (an infinite latency) in the
percentiles; it then leaves, as its page no longer answers. A busy page (503/429) is an
error too; the visitor asks again after ``Retry-After`` seconds as the page itself does.

The page latency is the GET of the app page until its last byte (Voila streams the page
while the kernel runs the app; a preheated kernel's page comes at once); "arrival to
live widgets" also counts busy pages, the websocket and the widget states. The server
runs with its defaults (pool of 1 per app, start slots, the memory cap on kernels)
except a 60 s idle timeout, so that culling is seen within the run, and the limits per
address, lifted because every visitor here comes from loopback.

Reported: interaction and page latency percentiles, errors by kind (goal: none), peak
concurrent kernels, peak memory of the server's process tree (RSS, USS, PSS by psutil)
and per visitor, the load average, whether the server is alive at the end, and whether
the kernels went back to the baseline once culled. Everything started here is killed on
exit, Ctrl-C or SIGTERM.

    python benchmarks/bench_load.py                         # 200 visitors over 600 s
    python benchmarks/bench_load.py --visitors 20 --seconds 60   # quick check

Goal (issue 20): no errors; the 95th-percentile interaction latency and the peak memory
are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import psutil
from tornado.httpclient import AsyncHTTPClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.apps.visitors import AppSession, KernelDied, PageRefused, find_widget  # noqa: E402
from tests.servers import wait_for_url  # noqa: E402

#: What the apps' ``safe`` callbacks write into a status line when they fail.
APOLOGY = "Sorry, something went wrong"
#: A whole visitor may not outlast its stay by more than this (seconds), whatever hangs.
VISITOR_MARGIN = 600


def status_texts(data: dict) -> list[str]:
    """The text of every string trait in a widget update, HTML tags removed."""
    state = data.get("state", {}) if data.get("method") in ("update", "echo_update") else {}
    return [re.sub(r"<[^>]+>", "", value) for value in state.values() if isinstance(value, str)]


class HRDiagram:
    """The distance slider of ``hr_diagram``; the answer is the count of stars shown."""

    app = "hr_diagram"

    def __init__(self) -> None:
        from astrolearn import data

        stars = data.load("gaia_100pc")
        parallax_mas = np.asarray(stars["parallax"], dtype=float)
        colour = stars["phot_bp_mean_mag"].filled(np.nan) - stars["phot_rp_mean_mag"].filled(
            np.nan
        )
        usable = np.isfinite(np.asarray(colour, dtype=float)) & np.isfinite(
            np.asarray(stars["phot_g_mean_mag"], dtype=float)
        )
        distance_pc = 1000.0 / parallax_mas  # parallax in mas gives parsecs
        # The slider: 10 to 100 pc in steps of 5.
        self.counts = {d: int((usable & (distance_pc <= d)).sum()) for d in range(10, 101, 5)}

    def target(self, states: dict) -> tuple[str, object]:
        model = find_widget(states, {"_model_name": "IntSliderModel"})
        return model, states[model]["value"]

    def next_setting(self, rng: random.Random, current) -> tuple[dict, object, int]:
        value = rng.choice([d for d in self.counts if d != current])
        return {"value": value}, value, self.counts[value]

    @staticmethod
    def verdict(text: str, expected: int) -> bool | None:
        """True/False for the status answer (right or wrong), None for any other text."""
        if APOLOGY in text:
            return False
        found = re.search(r"([\d,]+) stars shown", text)
        return None if found is None else int(found.group(1).replace(",", "")) == expected


class NeuralNetwork:
    """The neurons slider of ``train_a_neural_network``; the answer names the shape."""

    app = "train_a_neural_network"

    def __init__(self) -> None:
        self.layers = 1

    def target(self, states: dict) -> tuple[str, object]:
        layers = find_widget(states, {"description": "hidden layers"})
        self.layers = states[layers]["value"]
        model = find_widget(states, {"description": "neurons per layer"})
        return model, states[model]["value"]

    def next_setting(self, rng: random.Random, current) -> tuple[dict, object, str]:
        value = rng.choice([n for n in range(1, 9) if n != current])
        shape = " → ".join(str(size) for size in [2, *[value] * self.layers, 1])
        return {"value": value}, value, f"Your network: {shape} neurons"

    @staticmethod
    def verdict(text: str, expected: str) -> bool | None:
        if APOLOGY in text:
            return False
        return None if "Your network:" not in text else text.startswith(expected)


SCENARIOS = {scenario.app: scenario for scenario in (HRDiagram, NeuralNetwork)}


class Visitor:
    """What one visitor saw: page time, each interaction's latency, its errors."""

    def __init__(self, number: int, app: str) -> None:
        self.number, self.app = number, app
        self.page_seconds: float | None = None  # the GET that served the page
        self.ready_seconds: float | None = None  # arrival to live widgets, busy pages included
        self.latencies: list[float] = []  # math.inf: never answered
        self.errors: list[str] = []


async def visit(visitor: Visitor, scenario, base: str, arrival: float, args, rng) -> None:
    """One visitor: arrive at ``arrival`` (monotonic), get in, interact, leave."""
    await asyncio.sleep(max(0.0, arrival - time.monotonic()))
    stay = rng.uniform(*args.stay)
    arrived = time.monotonic()
    give_up = arrived + stay  # a visitor kept out that long has gone away
    session = AppSession(base, scenario.app)
    try:
        while True:
            try:
                visitor.page_seconds = await session.open_page(args.page_timeout)
                break
            except PageRefused as refused:
                if refused.status == 599:
                    kind = "page timeout" if "Timeout" in str(refused) else "page connection"
                    visitor.errors.append(kind)
                    return
                busy = {503: "busy page 503", 429: "busy page 429 (per address)"}
                visitor.errors.append(busy.get(refused.status, f"page HTTP {refused.status}"))
                if refused.status not in (429, 503) or time.monotonic() + 10 > give_up:
                    return
                await asyncio.sleep(10)  # the busy page's own Retry-After
        try:
            await asyncio.wait_for(session.connect(), args.answer_timeout)
            states = await asyncio.wait_for(session.widget_states(), args.answer_timeout)
        except (TimeoutError, OSError, KernelDied) as error:
            visitor.errors.append(f"connect: {type(error).__name__}")
            return
        visitor.ready_seconds = time.monotonic() - arrived
        model, current = scenario.target(states)
        leave = time.monotonic() + stay
        while time.monotonic() < leave:
            state, current, expected = scenario.next_setting(rng, current)
            session.forget_pending()
            sent = session.set(model, state)
            try:
                right = await asyncio.wait_for(
                    answer(session, scenario, expected), args.answer_timeout
                )
            except TimeoutError:
                visitor.latencies.append(math.inf)
                visitor.errors.append("answer timeout")
                return
            except KernelDied:
                visitor.latencies.append(math.inf)
                visitor.errors.append("kernel died or socket closed")
                return
            arrived, right = right
            visitor.latencies.append(arrived - sent)
            if not right:
                visitor.errors.append("wrong answer")
            await asyncio.sleep(rng.uniform(*args.think))
    finally:
        if args.leave == "close-tab" and visitor.ready_seconds is not None:
            try:
                status = await session.shut_down()
            except OSError as error:
                status = type(error).__name__
            if status != 204:
                visitor.errors.append(f"leave: {status}")
        session.close()


async def answer(session: AppSession, scenario, expected) -> tuple[float, bool]:
    """(arrival time, right?) of the first status answer to the setting just sent."""
    while True:
        arrived, data = await session.next_comm()
        for text in status_texts(data):
            verdict = scenario.verdict(text, expected)
            if verdict is not None:
                return arrived, verdict


class Monitor(threading.Thread):
    """Samples the server's process tree every ``interval`` seconds, in its own thread
    so that reading memory never delays the visitors' event loop."""

    def __init__(self, root: psutil.Process, interval: float) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.samples: list[dict] = []
        self.seen: dict[int, psutil.Process] = {}  # every process of the tree, to kill
        self.stopping = threading.Event()

    def sample(self) -> dict:
        rss = uss = pss = 0.0
        kernels = 0
        try:
            tree = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            tree = []
        for process in tree:
            self.seen.setdefault(process.pid, process)
            try:
                info = process.memory_full_info()
                kernels += "ipykernel_launcher" in " ".join(process.cmdline())
            except psutil.Error:  # ended meanwhile
                continue
            rss, uss, pss = rss + info.rss, uss + info.uss, pss + info.pss
        mb = 2**20
        return {
            "t": time.monotonic(),
            "kernels": kernels,
            "rss": rss / mb,
            "uss": uss / mb,
            "pss": pss / mb,
            "load": os.getloadavg()[0],
        }

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.samples.append(self.sample())


class Server:
    """``astrolearn serve`` on loopback in its own session; ``stop`` kills its whole tree."""

    def __init__(self, options: list[str]) -> None:
        self.log_file = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
        command = [sys.executable, "-m", "astrolearn.cli", "serve", "--port=0", *options]
        self.process = subprocess.Popen(
            command, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.root = psutil.Process(self.process.pid)
        self.url = ""

    def log(self) -> str:
        return Path(self.log_file.name).read_text(errors="replace")

    def wait_ready(self, timeout: float = 180) -> None:
        """Until it listens and every app's kernel pool is filled."""
        deadline = time.monotonic() + timeout
        self.url = wait_for_url(self.process, Path(self.log_file.name), timeout)
        while time.monotonic() < deadline:
            log = self.log()
            apps = int(log.split("astrolearn serve: ", 1)[1].split(" apps", 1)[0])
            if log.count("Kernel pool of ") >= apps:
                return
            if self.process.poll() is not None:
                raise RuntimeError("astrolearn serve exited:\n" + log[-3000:])
            time.sleep(0.5)
        raise TimeoutError("the kernel pools were not filled in time")

    def stop(self, seen: dict[int, psutil.Process]) -> None:
        """Stop the server, then kill whatever of its tree is still alive."""
        with contextlib.suppress(psutil.Error):
            for child in self.root.children(recursive=True):
                seen.setdefault(child.pid, child)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its helpers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        # Kernels run in sessions of their own: kill those still alive (psutil checks
        # that a pid was not reused by another process since it was seen).
        alive = [p for p in seen.values() if p.pid != self.process.pid and p.is_running()]
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(alive, timeout=10)
        self.log_file.close()


def settled(monitor: Monitor, timeout: float = 60) -> dict:
    """A sample once two readings a second apart agree (kernels, RSS within 2 MB)."""
    deadline = time.monotonic() + timeout
    last = monitor.sample()
    while time.monotonic() < deadline:
        time.sleep(1)  # the interval between two readings, not a wait for an event
        now = monitor.sample()
        if now["kernels"] == last["kernels"] and abs(now["rss"] - last["rss"]) < 2:
            return now
        last = now
    return last


def percentiles(values: list[float]) -> str:
    """p50/p95/p99 (nearest rank: an unanswered interaction is never interpolated away)."""
    if not values:
        return "none measured"
    ordered = sorted(values)
    shown = []
    for q in (50, 95, 99):
        value = ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]
        shown.append(f"p{q} {value:.2f} s" if math.isfinite(value) else f"p{q} unanswered")
    return ", ".join(shown) + f", max {ordered[-1]:.2f} s (n={len(ordered)})"


async def crowd(base: str, args, monitor: Monitor) -> list[Visitor]:
    rng = random.Random(args.seed)
    scenarios = [SCENARIOS[app]() for app in args.apps]
    start = time.monotonic()
    arrivals = sorted(rng.uniform(0, args.seconds) for _ in range(args.visitors))
    AsyncHTTPClient.configure(None, max_clients=args.visitors)  # no queue in the client
    visitors = [Visitor(n, scenarios[n % len(scenarios)].app) for n in range(args.visitors)]
    longest = args.seconds + args.stay[1] + VISITOR_MARGIN

    async def one(visitor: Visitor, arrival: float) -> None:
        try:
            await asyncio.wait_for(
                visit(
                    visitor,
                    scenarios[visitor.number % len(scenarios)],
                    base,
                    start + arrival,
                    args,
                    random.Random(rng.random()),
                ),
                longest,
            )
        except Exception as error:  # a failed visitor is a result, not a crash
            visitor.errors.append(f"other: {type(error).__name__}: {error}"[:200])

    async def progress() -> None:
        while True:
            await asyncio.sleep(30)
            now = monitor.samples[-1] if monitor.samples else monitor.sample()
            done = sum(bool(v.latencies or v.errors) for v in visitors)
            print(
                f"  {time.monotonic() - start:5.0f} s: {now['kernels']} kernels, "
                f"USS {now['uss']:.0f} MB, load {now['load']:.1f}, {done} visitors seen",
                flush=True,
            )

    reporter = asyncio.create_task(progress())
    await asyncio.gather(*(one(v, a) for v, a in zip(visitors, arrivals, strict=True)))
    reporter.cancel()
    return visitors


def server_problems(log: str) -> list[str]:
    """Log lines that say the server itself erred (not the designed busy page)."""
    wanted = re.compile(
        r"Traceback|\[E |ERROR|\b5\d\d (GET|POST)|Kernel died|restarting|\bdead\b|MemoryError"
    )
    designed = re.compile(r"busy:|\b(503|429) GET /\S*voila/render/")  # the busy page
    return [line for line in log.splitlines() if wanted.search(line) and not designed.search(line)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=600, help="arrivals spread over")
    parser.add_argument("--apps", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--stay", type=float, nargs=2, default=(60, 120), metavar=("MIN", "MAX"))
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(2, 6),
        metavar=("MIN", "MAX"),
        help="seconds between an answer and the next setting",
    )
    parser.add_argument(
        "--leave",
        choices=("close-tab", "drop"),
        default="close-tab",
        help="close-tab: the page's shutdown beacon, as a browser sends; drop: socket only",
    )
    parser.add_argument("--answer-timeout", type=float, default=30)
    parser.add_argument("--page-timeout", type=float, default=300)
    parser.add_argument("--pool-size", type=int, default=1)
    parser.add_argument(
        "--max-kernels",
        type=int,
        help="the server's cap on visitors' kernels (default: the server's, from free memory)",
    )
    parser.add_argument("--cull-idle-timeout", type=int, default=60)
    parser.add_argument("--cull-interval", type=int, default=10)
    parser.add_argument("--sample", type=float, default=2, help="seconds between memory samples")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--log", type=Path, help="also keep the server's log in this file")
    args = parser.parse_args()
    if not 1 <= args.visitors <= 1000 or args.seconds <= 0:
        parser.error("--visitors must lie in 1..1000 and --seconds be > 0")
    # SIGTERM ends the run as Ctrl-C does: through the finally below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Every visitor comes from loopback, one address: the per-address limits (meant
    # for one household or class) are lifted; the limits on all kernels stay.
    server = Server(
        [
            f"--pool-size={args.pool_size}",
            f"--cull-idle-timeout={args.cull_idle_timeout}",
            f"--cull-interval={args.cull_interval}",
            f"--max-kernels-per-address={10 * args.visitors}",
            f"--new-kernels-per-minute={10 * args.visitors}",
            *([f"--max-kernels={args.max_kernels}"] if args.max_kernels else []),
        ]
    )
    monitor = Monitor(server.root, args.sample)
    try:
        return run(server, monitor, args)
    finally:
        monitor.stopping.set()
        server.stop(monitor.seen)
        if args.log:
            args.log.write_text(server.log())
        Path(server.log_file.name).unlink(missing_ok=True)


def run(server: Server, monitor: Monitor, args) -> int:
    server.wait_ready()
    base = settled(monitor)
    print(
        f"server ready: {base['kernels']} pooled kernels, RSS {base['rss']:.0f} MB, "
        f"USS {base['uss']:.0f} MB, PSS {base['pss']:.0f} MB; "
        f"{args.visitors} visitors over {args.seconds:.0f} s on {', '.join(args.apps)}",
        flush=True,
    )
    monitor.start()
    started = time.monotonic()
    visitors = asyncio.run(crowd(server.url, args, monitor))
    crowd_seconds = time.monotonic() - started
    left = time.monotonic()
    # The departed visitors' kernels are culled once idle; the pools stay.
    deadline = left + args.cull_idle_timeout + 3 * args.cull_interval + 60
    after = monitor.sample()
    while after["kernels"] > base["kernels"] and time.monotonic() < deadline:
        time.sleep(args.cull_interval / 2)
        after = monitor.sample()
    culled_seconds = time.monotonic() - left
    monitor.stopping.set()
    alive = server.process.poll() is None
    with contextlib.suppress(Exception):
        alive = alive and asyncio.run(gallery_status(server.url)) == 200
    during = [s for s in monitor.samples if started <= s["t"] <= left] or [after]
    peak = max(during, key=lambda s: s["kernels"])
    visitor_kernels = peak["kernels"] - base["kernels"]
    per_uss = (peak["uss"] - base["uss"]) / visitor_kernels if visitor_kernels > 0 else math.nan
    per_pss = (peak["pss"] - base["pss"]) / visitor_kernels if visitor_kernels > 0 else math.nan
    latencies = [x for v in visitors for x in v.latencies]
    pages = [v.page_seconds for v in visitors if v.page_seconds is not None]
    ready = [math.inf if v.ready_seconds is None else v.ready_seconds for v in visitors]
    errors = Counter(e for v in visitors for e in v.errors)
    kept_out = sum(v.page_seconds is None for v in visitors)
    loads = [s["load"] for s in during]
    problems = server_problems(server.log())
    cap = re.search(r"at most (\d+) visitors' kernels", server.log())
    busy = server.log().count("busy:")
    figures = {
        "visitors": args.visitors,
        "seconds": args.seconds,
        "apps": args.apps,
        "crowd_seconds": round(crowd_seconds),
        "interactions": len(latencies),
        "interaction_latency": percentiles(latencies),
        "page_latency": percentiles(pages),
        "arrival_to_live_widgets": percentiles(ready),
        "errors": dict(errors),
        "visitors_with_errors": sum(bool(v.errors) for v in visitors),
        "visitors_never_served": kept_out,
        "busy_lines_in_server_log": busy,
        "kernel_cap": int(cap.group(1)) if cap else args.max_kernels,
        "peak_kernels": max(s["kernels"] for s in during),
        "baseline_kernels": base["kernels"],
        "peak_mb": {k: round(max(s[k] for s in during)) for k in ("rss", "uss", "pss")},
        "baseline_mb": {k: round(base[k]) for k in ("rss", "uss", "pss")},
        "per_visitor_mb_at_peak_kernels": {"uss": round(per_uss), "pss": round(per_pss)},
        "load_average_1min": {
            "min": round(min(loads), 1),
            "mean": round(sum(loads) / len(loads), 1),
            "max": round(max(loads), 1),
        },
        "server_alive_at_end": alive,
        "kernels_after_culling": after["kernels"],
        "back_to_baseline": after["kernels"] <= base["kernels"],
        "culling_seconds": round(culled_seconds),
        "mb_after_culling": {k: round(after[k]) for k in ("rss", "uss", "pss")},
        "server_error_lines": len(problems),
    }
    print(
        f"\nLoad test: {args.visitors} visitors, Poisson arrivals over {args.seconds:.0f} s, "
        f"leaving by {args.leave}"
    )
    for key, value in figures.items():
        print(f"  {key}: {value}")
    for line in problems[:20]:
        print(f"  server log: {line[:300]}")
    if args.json:
        samples = [{**s, "t": round(s["t"] - started, 1)} for s in monitor.samples]
        args.json.write_text(json.dumps({**figures, "samples": samples}, indent=1))
    ok = not errors and alive and figures["back_to_baseline"] and not problems
    print(
        "\nGoal (no errors, server alive, kernels back to baseline):", "met" if ok else "NOT met"
    )
    return 0 if ok else 1


async def gallery_status(base: str) -> int:
    response = await AsyncHTTPClient().fetch(f"{base}/", raise_error=False, request_timeout=30)
    return response.code


if __name__ == "__main__":
    sys.exit(main())
