"""Benchmark: pushing 100,000 points to a scatter, kernel side and in the browser.

1. Kernel side: serialising a 100,000-point (x, y) update of a bqplot-gl ScatterGL as
   ipywidgets sends it (float32 binary buffers), against the same data as JSON lists
   (what a plain JSON path costs).
2. Browser: slider-to-redraw latency in real Chromium (Voila page): a key press moves a
   slider, the kernel shifts 100,000 points, the browser receives and draws them; for
   ScatterGL (WebGL) and for bqplot's SVG Scatter on the same data, in the same run.

Run:  .venv/bin/python benchmarks/bench_widgets.py [--points 100000] [--repeats 5]
Prints a table of medians and ratios against the baseline of each pair.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def kernel_side(points: int, repeats: int) -> list[tuple[str, float, float]]:
    from bqplot import LinearScale
    from bqplot_gl import ScatterGL
    from ipywidgets.widgets.widget import _remove_buffers

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=points), rng.normal(size=points)
    mark = ScatterGL(x=x[:1], y=y[:1], scales={"x": LinearScale(), "y": LinearScale()})
    timings = {"binary float32 (astrolearn)": [], "JSON lists (baseline)": []}
    sizes = {}
    for _ in range(repeats):
        start = time.perf_counter()
        mark.x, mark.y = x.astype(np.float32), y.astype(np.float32)
        state, _, buffers = _remove_buffers(mark.get_state(["x", "y"]))
        message = json.dumps(state)
        timings["binary float32 (astrolearn)"].append(time.perf_counter() - start)
        sizes["binary float32 (astrolearn)"] = len(message) + sum(
            memoryview(b).nbytes for b in buffers
        )
        start = time.perf_counter()
        message = json.dumps({"x": x.tolist(), "y": y.tolist()})
        timings["JSON lists (baseline)"].append(time.perf_counter() - start)
        sizes["JSON lists (baseline)"] = len(message)
        mark.x, mark.y = x[:1], y[:1]
    return [(name, statistics.median(t) * 1e3, sizes[name] / 1e6) for name, t in timings.items()]


NOTEBOOK = """
import numpy as np, ipywidgets as w
from bqplot import Figure, LinearScale, Axis, Scatter
from bqplot_gl import ScatterGL
rng = np.random.default_rng(1)
x = rng.normal(size={points}).astype(np.float32)
y = rng.normal(size={points}).astype(np.float32)
scales = {{"x": LinearScale(min=-5, max=5), "y": LinearScale(min=-10, max=10)}}
mark = {mark}(x=x, y=y, scales=scales, default_size=4, colors=["#0072B2"])
slider = w.FloatSlider(value=0, min=-5, max=5, step=0.1, description="shift")
done = w.HTML("update 0")
def shift(change):
    mark.y = y + np.float32(change["new"])
    done.value = f"update {{int(round(change['new'] * 10))}}"
slider.observe(shift, "value")
display(slider, done, Figure(marks=[mark], axes=[Axis(scale=scales["x"]),
        Axis(scale=scales["y"], side="left")], layout=w.Layout(height="500px")))
"""


def browser_side(points: int, repeats: int) -> list[tuple[str, float]]:
    spec = importlib.util.spec_from_file_location(
        "browser_fixtures", REPO / "tests/browser/conftest.py"
    )
    sys.path.insert(0, str(REPO / "tests"))
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-widgets-"))
    marks = {"ScatterGL (WebGL, astrolearn)": "ScatterGL", "Scatter (SVG, baseline)": "Scatter"}
    for mark in marks.values():
        fixtures.write_notebook(folder, mark, NOTEBOOK.format(points=points, mark=mark))
    server = fixtures.VoilaServer(folder, [])
    results = []
    try:
        server.wait_ready([])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=fixtures.CHROMIUM, args=fixtures.CHROMIUM_ARGS
            )
            for name, mark in marks.items():
                page = browser.new_page(viewport={"width": 1000, "height": 800})
                page.goto(f"{server.url}/voila/render/{mark}.ipynb", timeout=180_000)
                slider = page.locator(".widget-slider .noUi-handle").first
                slider.wait_for(timeout=180_000)
                page.wait_for_timeout(3000)  # first draw done
                latencies = []
                for step in range(1, repeats + 1):
                    slider.focus()
                    start = time.perf_counter()
                    page.keyboard.press("ArrowRight")
                    page.wait_for_function(
                        f"document.body.innerText.includes('update {step}')", timeout=120_000
                    )
                    # Two animation frames: the new points have been painted.
                    page.evaluate(
                        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
                    )
                    latencies.append(time.perf_counter() - start)
                results.append((name, statistics.median(latencies) * 1e3))
                page.close()
            browser.close()
    finally:
        server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    # On a shared machine the browser numbers scale with the load: print it with them.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"CPU cores: {os.cpu_count()}, load average (1, 5, 15 min): {load}")
    kernel = kernel_side(args.points, args.repeats)
    baseline_ms = kernel[1][1]
    print(f"\nKernel side: one {args.points:,}-point (x, y) update, median of {args.repeats}")
    print(f"{'path':32} {'time [ms]':>10} {'size [MB]':>10} {'time vs baseline':>17}")
    for name, ms, mb in kernel:
        print(f"{name:32} {ms:10.2f} {mb:10.2f} {ms / baseline_ms:16.4f}x")
    if args.no_browser:
        return
    browser = browser_side(args.points, args.repeats)
    baseline_ms = browser[1][1]
    print(
        f"\nBrowser: slider key press to redrawn {args.points:,} points, median of {args.repeats}"
    )
    print(f"{'mark':32} {'latency [ms]':>12} {'vs baseline':>12}")
    for name, ms in browser:
        print(f"{name:32} {ms:12.0f} {ms / baseline_ms:11.3f}x")


if __name__ == "__main__":
    main()
