"""Benchmark: pushing 100,000 points to a scatter, kernel side and in the browser.

The points are real: the first 100,000 SDSS Stripe 82 RR Lyrae measurements bundled
as ``rrlyrae_s82_lightcurves`` (time against magnitude).

1. Kernel side: serialising a 100,000-point (x, y) update of a bqplot-gl ScatterGL as
   ipywidgets sends it (float32 binary buffers), against the same data as JSON lists
   (what a plain JSON path costs).
2. Browser: slider-to-redraw latency in real Chromium (Voila page): a key press moves a
   slider, the kernel shifts the 100,000 magnitudes, the browser receives and draws
   them; for ScatterGL (WebGL) and for bqplot's SVG Scatter on the same data, in the
   same run. A third row changes only the y scale (no new data): it isolates the cost
   of drawing one frame. Times are on the page's clock: key press, arrival of the data
   message, and the first animation frame after the redraw.

Run:  .venv/bin/python benchmarks/bench_widgets.py [--points 100000] [--repeats 5]
Prints a table of medians and ratios against the baseline of each pair, and the WebGL
renderer (on a machine without a GPU, Chromium draws WebGL in software: SwiftShader).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def light_curve_points(points: int) -> tuple[np.ndarray, np.ndarray]:
    """Days since the first measurement and magnitudes of real RR Lyrae observations."""
    from astrolearn import data

    table = data.load("rrlyrae_s82_lightcurves")[:points]
    if len(table) < points:
        raise SystemExit(f"only {len(table):,} bundled measurements; use --points {len(table)}")
    days = np.asarray(table["time"], dtype=float)
    return days - days.min(), np.asarray(table["mag"], dtype=float)


def kernel_side(points: int, repeats: int) -> list[tuple[str, float, float]]:
    from bqplot import LinearScale
    from bqplot_gl import ScatterGL
    from ipywidgets.widgets.widget import _remove_buffers

    x, y = light_curve_points(points)
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
import sys, numpy as np, ipywidgets as w
sys.path.insert(0, {benchmarks!r})
from bqplot import Figure, LinearScale, Axis, Scatter
from bqplot_gl import ScatterGL
from bench_widgets import light_curve_points
x, y = (values.astype(np.float32) for values in light_curve_points({points}))
scales = {{"x": LinearScale(), "y": LinearScale(min=25, max=10)}}
mark = {mark}(x=x, y=y, scales=scales, default_size=4, colors=["#0072B2"])
slider = w.FloatSlider(value=0, min=-5, max=5, step=0.1, description="shift")
done = w.HTML("update 0")
def shift(change):
    {update}
    done.value = f"update {{int(round(change['new'] * 10))}}"
slider.observe(shift, "value")
display(slider, done, Figure(marks=[mark], axes=[Axis(scale=scales["x"]),
        Axis(scale=scales["y"], side="left")], layout=w.Layout(height="500px")))
"""
NEW_DATA = 'mark.y = y + np.float32(change["new"])'
RESCALE = 'scales["y"].min = 25 + float(change["new"])'
#: (row name, notebook name, mark, what the slider changes)
CASES = [
    ("ScatterGL (WebGL, astrolearn)", "gl", "ScatterGL", NEW_DATA),
    ("Scatter (SVG, baseline)", "svg", "Scatter", NEW_DATA),
    ("ScatterGL, rescale only", "gl_rescale", "ScatterGL", RESCALE),
]

#: Page-side clock: key press, arrival of the largest kernel message, frames.
PAGE_CLOCK = """
window.benchClock = {key: 0, data: 0};
document.addEventListener("keydown", () => {
  benchClock.key = performance.now();
  benchClock.data = 0;
}, true);
const NativeWebSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new NativeWebSocket(...args);
  socket.addEventListener("message", (event) => {
    const bytes = event.data.byteLength || event.data.size || event.data.length;
    if (bytes > 10000 && !benchClock.data) benchClock.data = performance.now();
  });
  return socket;
};
window.WebSocket.prototype = NativeWebSocket.prototype;
Object.assign(window.WebSocket, NativeWebSocket);
"""
WEBGL_RENDERER = """() => {
  const gl = document.createElement("canvas").getContext("webgl2");
  const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
  return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : "no WebGL";
}"""


def browser_side(points: int, repeats: int) -> tuple[list[tuple[str, float, float]], str]:
    """Per case: median key-to-painted and data-to-painted ms; and the WebGL renderer."""
    from bench_apps import _browser_fixtures  # the browser tests' Voila and Chromium

    fixtures = _browser_fixtures()
    folder = Path(tempfile.mkdtemp(prefix="bench-widgets-"))
    for _, notebook, mark, update in CASES:
        source = NOTEBOOK.format(
            points=points, mark=mark, update=update, benchmarks=str(REPO / "benchmarks")
        )
        fixtures.write_notebook(folder, notebook, source)
    results = []
    with fixtures.voila_in_chromium(folder) as (server, browser):
        for name, notebook, _, update in CASES:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.add_init_script(PAGE_CLOCK)
            page.goto(f"{server.url}/voila/render/{notebook}.ipynb", timeout=180_000)
            slider = page.locator(".widget-slider .noUi-handle").first
            slider.wait_for(timeout=180_000)
            page.wait_for_timeout(3000)  # first draw done
            renderer = page.evaluate(WEBGL_RENDERER)
            totals, draws = [], []
            for step in range(1, repeats + 1):
                slider.focus()
                page.keyboard.press("ArrowRight")
                page.wait_for_function(
                    f"document.body.innerText.includes('update {step}')", timeout=120_000
                )
                # The next animation frame starts once the redraw has been painted.
                painted = page.evaluate(
                    "new Promise(r => requestAnimationFrame(() => r(performance.now())))"
                )
                clock = page.evaluate("window.benchClock")
                totals.append(painted - clock["key"])
                if update == NEW_DATA:
                    draws.append(painted - clock["data"])
            median_draw = statistics.median(draws) if draws else float("nan")
            results.append((name, statistics.median(totals), median_draw))
            page.close()
    return results, renderer


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
    browser, renderer = browser_side(args.points, args.repeats)
    baseline_ms = browser[1][1]
    print(
        f"\nBrowser: slider key press to redrawn {args.points:,} points, median of "
        f"{args.repeats}\nWebGL renderer: {renderer}"
    )
    print(f"{'case':32} {'latency [ms]':>12} {'after data [ms]':>15} {'vs baseline':>12}")
    for name, ms, after_data in browser:
        print(f"{name:32} {ms:12.0f} {after_data:15.0f} {ms / baseline_ms:11.3f}x")


if __name__ == "__main__":
    main()
