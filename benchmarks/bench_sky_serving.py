"""The sky from the app server: tiles per second, and page load to first tile drawn.

1. Tiles per second: every bundled HiPS tile and all-sky preview
   (``Norder3/Allsky.jpg``, ``astrolearn.data.sky``) fetched over
   keep-alive connections from ``astrolearn serve`` (``astrolearn.static_files``), and,
   as the baseline in the same run, the same files from Python's own threaded static
   server (``http.server``) on the same machine. Printed: tiles/s, MB/s, the ratio.
2. First tile drawn: "Explore the sky" opened in a fresh Chromium context (empty
   cache) from a preheated server, and again in the same context (Aladin Lite and the
   tiles cached). The time is from the start of navigation to the moment the sky view
   shows lit pixels (a screenshot every 100 ms: WebGL cannot be read back), with the
   arrival of the first HiPS image (the all-sky preview, or else a tile) from Resource
   Timing, and the time between the two. Baseline in the same run: the first
   status line of "Build an HR diagram" (an app with no sky) from the same server.

    python benchmarks/bench_sky_serving.py [--repeat 3] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import io
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from astrolearn import serve, static_files
from astrolearn.data import sky
from bench_apps import CHROMIUM, CHROMIUM_ARGS, Server, serve_command
from PIL import Image
from playwright.sync_api import sync_playwright


def tile_paths() -> list[str]:
    """URL paths (beneath the server's root) of every bundled tile and preview."""
    paths = []
    for survey in sky.surveys():
        folder = static_files.survey_path(survey.id)
        images = [*survey.folder.glob("Norder*/Allsky.jpg"), *survey.folder.glob("Norder*/Dir*/*")]
        for tile in sorted(images):
            paths.append(f"{folder}/{tile.relative_to(survey.folder).as_posix()}")
    return paths


def fetch_all(port: int, paths: list[str], clients: int) -> tuple[float, int]:
    """Seconds to GET every path once, ``clients`` keep-alive connections at a time."""
    shares = [paths[i::clients] for i in range(clients)]

    def fetch(share: list[str]) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        size = 0
        for path in share:
            connection.request("GET", path)
            answer = connection.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"{path}: HTTP {answer.status}")
            size += len(body)
        connection.close()
        return size

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        size = sum(pool.map(fetch, shares))
    return time.perf_counter() - start, size


def tiles_per_second(server: Server, repeat: int, clients: int) -> None:
    paths = tile_paths()
    port = int(server.url.rsplit(":", 1)[1])
    baseline = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        cwd=sky.SKY,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base_port = int(re.search(r"port (\d+)", baseline.stdout.readline()).group(1))
        # http.server serves the folders as they are: the same files without the token.
        plain = ["/" + re.sub(r"^sky/([^/]+)/[0-9a-f]+/", r"\1/", p) for p in paths]
        ours = [f"/{static_files.PREFIX}/{p}" for p in paths]
        fetch_all(port, ours, clients)  # warm-up: file-system cache, imports
        fetch_all(base_port, plain, clients)
        rows = []
        for name, target, urls in (
            ("astrolearn serve", port, ours),
            ("http.server", base_port, plain),
        ):
            runs = [fetch_all(target, urls, clients) for _ in range(repeat)]
            seconds = statistics.median(s for s, _ in runs)
            rows.append((name, len(urls) / seconds, runs[0][1] / seconds / 1e6))
    finally:
        baseline.terminate()
        baseline.wait(timeout=10)
    previews = sum(p.endswith("/Allsky.jpg") for p in paths)
    print(
        f"\n{len(paths) - previews} tiles and {previews} previews, {clients} connections,"
        f" median of {repeat}"
    )
    print(f"{'server':18s} {'tiles/s':>9s} {'MB/s':>7s} {'ratio':>6s}")
    for name, rate, megabytes in rows:
        print(f"{name:18s} {rate:9.0f} {megabytes:7.1f} {rate / rows[1][1]:6.2f}")


LIT = 5000  # lit pixels of the sky view once tiles are drawn (a blank view has none)


def lit_pixels(page) -> int:
    shot = Image.open(io.BytesIO(page.locator(".aladin-widget").first.screenshot()))
    return int((np.asarray(shot.convert("RGB"), int).sum(axis=2) > 60).sum())


def first_tile(page, url: str) -> tuple[float, float]:
    """(ms to the sky drawn, ms to the first HiPS image received), from navigation start."""
    page.goto(url, timeout=120_000)
    page.wait_for_selector(".aladin-widget canvas", timeout=120_000)
    while lit_pixels(page) < LIT:
        page.wait_for_timeout(100)
    drawn = page.evaluate("performance.now()")
    received = page.evaluate(
        "Math.min(...performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/Norder')).map(e => e.responseEnd))"
    )
    return drawn, received


def first_status(page, url: str) -> float:
    page.goto(url, timeout=120_000)
    page.wait_for_selector(".al-status p", timeout=120_000)
    return page.evaluate("performance.now()")


def page_load(server: Server, repeat: int, filled: int) -> None:
    """``filled``: pool fills the server has logged so far (one more after each visit)."""
    sky_url = server.url + "/voila/render/explore_the_sky.ipynb"
    hr_url = server.url + "/voila/render/hr_diagram.ipynb"
    cold, warm, baseline = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(repeat):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            cold.append(first_tile(page, sky_url))
            server.wait_pools(filled := filled + 1)
            warm.append(first_tile(page, sky_url))
            context.close()
            server.wait_pools(filled := filled + 1)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            baseline.append(first_status(context.new_page(), hr_url))
            context.close()
            server.wait_pools(filled := filled + 1)
        browser.close()
    reference = statistics.median(baseline)
    print(f"\nFrom navigation start, median of {repeat} (ms; ratio to the baseline)")
    print(f"{'page':44s} {'drawn':>7s} {'1st image':>9s} {'gap':>6s} {'ratio':>6s}")
    for name, runs in (("Explore the sky, first visit (cold cache)", cold),
                       ("Explore the sky, again (cached)", warm)):  # fmt: skip
        drawn = statistics.median(d for d, _ in runs)
        received = statistics.median(r for _, r in runs)
        gap = statistics.median(d - r for d, r in runs)
        print(f"{name:44s} {drawn:7.0f} {received:9.0f} {gap:6.0f} {drawn / reference:6.2f}")
    print(f"{'baseline: HR diagram, first status line':44s} {reference:7.0f} {'':16s} {1:6.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    server = Server(serve_command(1))
    apps = len(serve.app_sources())
    try:
        server.wait_pools(apps)
        tiles_per_second(server, args.repeat, args.clients)
        page_load(server, args.repeat, apps)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
