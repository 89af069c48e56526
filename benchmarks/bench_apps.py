"""Time to first interactive render of each public app: stock Voila vs ``astrolearn serve``.

For every app, in the same run and the same Chromium: stock ``voila app.ipynb`` (default
options), ``astrolearn serve --pool-size 0`` (cold: a kernel starts per visitor) and
``astrolearn serve --pool-size 1`` (preheated), each visited in a fresh browser context
(empty cache, like a first visit); and, preheated, a visitor who arrives from the gallery
(the way the public comes in: Voila's scripts are already in the browser's cache).

The time is the page's own clock (Navigation Timing), from the start of the navigation
to the moment the app is drawn and answers: its first status line has been drawn by
the live widget manager, and the page's main thread has finished the long tasks
(over 50 ms: drawing the plots) that follow it, with one quiet second after. A page
whose widgets are live but whose main thread is still drawing thousands of points does
not answer a click yet. Read in the page (MutationObserver, PerformanceObserver).
Also printed: when the status line alone appeared, the wall clock seen from Playwright
(it adds Chromium's tab start and Playwright's polling), and the resident memory of
the kernel that served the visitor.

    python benchmarks/bench_apps.py [--repeat 3] [--apps hr_diagram you_vs_the_machine]
    python benchmarks/bench_apps.py --record-scripts

``--record-scripts`` writes the scripts the preheated app pages loaded, in the order
they were asked for, to ``apps/template/scripts.txt``: the list the app template
preloads and the gallery prefetches (``astrolearn.static_files.page_scripts``). Run it
after upgrading Voila or a widget library.

Goal (issue 7): under 1 s preheated; memory per visitor well under 245 MB.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from astrolearn import content, serve
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]


def _browser_fixtures():
    """The Chromium path and flags shared with the browser tests."""
    spec = importlib.util.spec_from_file_location(
        "browser_fixtures", REPO / "tests/browser/conftest.py"
    )
    sys.path.insert(0, str(REPO))
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    return fixtures


_FIXTURES = _browser_fixtures()
CHROMIUM, CHROMIUM_ARGS = _FIXTURES.CHROMIUM, _FIXTURES.CHROMIUM_ARGS
from tests.servers import VOILA, stop_process, wait_for_url  # noqa: E402 (path set above)

READY = ".al-status p"  # drawn by the widget manager once the kernel is connected


class Server:
    """A server process on loopback, its log in a temporary file."""

    def __init__(self, command: list[str]) -> None:
        # Kept open for the server's whole life; removed in stop().
        self.log_file = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.url = wait_for_url(self.process, Path(self.log_file.name), 120)

    def log(self) -> str:
        return Path(self.log_file.name).read_text()

    def wait_pools(self, filled: int, timeout: float = 180) -> None:
        """Wait until the log reports ``filled`` pool fills in total."""
        deadline = time.monotonic() + timeout
        while self.log().count("is filled with") < filled:
            if time.monotonic() > deadline:
                print(f"warning: {filled} pool fills not logged within {timeout:.0f} s")
                break
            time.sleep(0.3)
        # The previous visitor's kernel shuts down when its tab closes: that work must
        # not count against the next visitor (concurrent visitors: tests/apps/test_load.py).
        time.sleep(1)

    def kernel_rss_mb(self, kernel_id: str) -> float:
        for process in psutil.Process(self.process.pid).children(recursive=True):
            if kernel_id in " ".join(process.cmdline()):
                return process.memory_info().rss / 2**20
        return float("nan")

    def stop(self) -> None:
        stop_process(self.process)
        Path(self.log_file.name).unlink(missing_ok=True)


#: Records, on the page's clock, when the first status line appears and when each long
#: task (over 50 ms of main-thread work) ends.
READY_CLOCK = f"""
window.astrolearnBusyUntilMs = 0;
new PerformanceObserver(list => {{
  for (const task of list.getEntries()) {{
    const end = task.startTime + task.duration;
    window.astrolearnBusyUntilMs = Math.max(window.astrolearnBusyUntilMs, end);
  }}
}}).observe({{type: "longtask", buffered: true}});
new MutationObserver((_, observer) => {{
  if (document.querySelector("{READY}")) {{
    window.astrolearnReadyMs = performance.now();
    observer.disconnect();
  }}
}}).observe(document, {{subtree: true, childList: true}});
"""
#: True once the status line is drawn and the main thread has been free for a second.
QUIET = """() => window.astrolearnReadyMs !== undefined
  && performance.now() - Math.max(window.astrolearnReadyMs, window.astrolearnBusyUntilMs) > 1000"""


#: The scripts a page fetched from Voila's code and the lab extensions, first asked first.
PAGE_SCRIPTS = r"""() => performance.getEntriesByType('resource')
  .filter(r => r.initiatorType === 'script' || r.initiatorType === 'link')
  .sort((a, b) => a.startTime - b.startTime)
  .map(r => new URL(r.name).pathname.slice(1) + new URL(r.name).search)
  .filter(path => /^voila\/(static|labextensions)\/.*\.js(\?v=\w+)?$/.test(path))"""


def visit(browser, url: str, via: str | None = None) -> tuple[float, float, float, str, list]:
    """Seconds until the app answers (page clock), until its status line appeared (page
    clock) and until Playwright saw that line (wall clock); the kernel id; the scripts
    the page fetched (:data:`PAGE_SCRIPTS`).

    ``via`` is a page visited first in the same browser context (the gallery).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(READY_CLOCK)
    page = context.new_page()
    if via:
        page.goto(via, timeout=180_000)
        page.wait_for_selector(".al-card", timeout=180_000)
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=180_000)
    page.wait_for_selector(READY, timeout=180_000)
    wall = time.perf_counter() - started
    page.wait_for_function(QUIET, timeout=180_000, polling=200)
    ready, busy_until = page.evaluate("[window.astrolearnReadyMs, window.astrolearnBusyUntilMs]")
    found = re.search(r'"kernelId": "([0-9a-f-]+)"', page.content())
    scripts = page.evaluate(PAGE_SCRIPTS)
    context.close()
    kernel = found.group(1) if found else ""
    return max(ready, busy_until) / 1e3, ready / 1e3, wall, kernel, scripts


def serve_command(pool: int, apps: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "astrolearn.cli", "serve", "--port=0", f"--pool-size={pool}"]
    # Every visit comes from loopback: the limits per address would soon refuse them.
    command += ["--new-kernels-per-minute=1000", "--max-kernels-per-address=1000"]
    return command + ([f"--apps={apps}"] if apps else [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="visits per app and setup")
    parser.add_argument("--apps", nargs="*", help="app names (default: all)")
    parser.add_argument(
        "--record-scripts",
        action="store_true",
        help="write the scripts the preheated pages loaded to apps/template/scripts.txt",
    )
    args = parser.parse_args()
    scripts: dict[str, None] = {}  # ordered, without repeats
    apps = args.apps or [path.stem for path in serve.app_sources()]
    build = Path(tempfile.mkdtemp(prefix="bench-apps-"))
    serve.build_apps(content.folder("apps"), build / "apps")
    sources = None
    if args.record_scripts:
        # Pages that preload nothing, so that they fetch what they use and only that.
        sources = build / "sources"
        shutil.copytree(content.folder("apps"), sources)
        (sources / "template" / serve.SCRIPTS).write_text("")
    rows = {app: {} for app in apps}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for app in apps:  # stock Voila serves one notebook at a time
            # Stock Voila's options; only its listening differs (port 0, see VOILA).
            stock = Server(
                [
                    *VOILA,
                    "--no-browser",
                    "--port=0",
                    "--Voila.ip=127.0.0.1",
                    str(build / "apps" / f"{app}.ipynb"),
                ]
            )
            try:
                visits = [visit(browser, stock.url + "/") for _ in range(args.repeat)]
                rows[app]["stock"] = [answers for answers, *_ in visits]
            finally:
                stock.stop()
        for label, pool in (("cold", 0), ("preheated", 1)):
            server = Server(serve_command(pool, sources))
            try:
                fills = len(serve.app_sources())  # one pooled kernel per app
                server.wait_pools(fills if pool else 0)
                for app in apps:
                    url = f"{server.url}/voila/render/{app}.ipynb"
                    gallery = f"{server.url}/"
                    ways = {label: None, "via_gallery": gallery} if pool else {label: None}
                    for way, via in ways.items():
                        for key in (way, f"{way}_status", f"{way}_wall", f"{way}_mb"):
                            rows[app][key] = []
                        for _ in range(args.repeat):
                            answers, status, wall, kernel, loaded = visit(browser, url, via)
                            if pool and not via:
                                scripts.update(dict.fromkeys(loaded))
                            rows[app][way].append(answers)
                            rows[app][f"{way}_status"].append(status)
                            rows[app][f"{way}_wall"].append(wall)
                            rows[app][f"{way}_mb"].append(server.kernel_rss_mb(kernel))
                            if pool:  # let the pool refill before the next visitor
                                fills += 1
                                server.wait_pools(fills)
            finally:
                server.stop()
        browser.close()
    shutil.rmtree(build, ignore_errors=True)
    if args.record_scripts:
        listed = content.folder("apps") / "template" / serve.SCRIPTS
        listed.write_text("".join(f"{path}\n" for path in scripts))
        print(f"{len(scripts)} scripts written to {listed.name}")

    print(f"\nTime to first interactive render, page clock, median of {args.repeat} (s)\n")
    print(
        f"{'app':24} {'stock':>6} {'cold':>6} {'preheated':>9} {'from gallery':>12} "
        f"{'pre/stock':>9} {'pre: status':>11} {'wall':>6} {'kernel MB':>9}"
    )
    for app, row in rows.items():
        stock, cold, warm, via, status, wall, kernel_mb = (
            statistics.median(row[key])
            for key in (
                "stock",
                "cold",
                "preheated",
                "via_gallery",
                "preheated_status",
                "preheated_wall",
                "preheated_mb",
            )
        )
        print(
            f"{app:24} {stock:6.2f} {cold:6.2f} {warm:9.2f} {via:12.2f} {warm / stock:9.2f} "
            f"{status:11.2f} {wall:6.2f} {kernel_mb:9.0f}"
        )
    print(
        "\nPage clock: navigation start until the app is drawn and its main thread free"
        " (empty cache,\nexcept 'from gallery'); 'pre: status' is when the preheated app's"
        " status line alone appeared.\nGoal: preheated < 1 s; kernel memory per visitor"
        " well under 245 MB."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
