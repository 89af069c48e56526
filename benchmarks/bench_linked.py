"""Benchmark: a selection in linked views of 100,000 and 1,000,000 points, to its redraw.

The parameter-space explorer links two scatter views of SDSS Stripe 82 RR Lyrae
measurements (``rrlyrae_s82_lightcurves``: time against magnitude, magnitude against
its error, coloured by band). Above ``RASTER_ABOVE`` rows the views draw their points as
two pictures made in the kernel (all points, selected points); below it, as WebGL marks.
Each run times both ways on the same data, the WebGL marks being the baseline.

The bundled table has 136,196 real measurements. For more points it is repeated (copies
of the same rows): a timing load, not data; the output says so.

1. Kernel side, per view: the parts of one selection's redraw, for a selection of
   about half the rows: the box test on the data (numpy), the shared selection taking
   the rows, each selected point's pixel counted (``np.bincount``), the count spread
   into discs (one FFT convolution), opacity, PNG encoding, and the bytes sent; against
   the row numbers the WebGL marks are sent instead.
2. Browser: from the input to the first animation frame after the views are redrawn,
   on the page's clock, in Chromium drawing in software (WebGL by SwiftShader). The
   input is a key press on a range slider (the keyboard way to select), then a mouse
   brush (press, drag, release: timed from the release). With pictures, "redrawn" is
   when both views' new selection pictures have loaded; with WebGL marks, the frame
   after the kernel's message.

Run:  .venv/bin/python benchmarks/bench_linked.py [--points 100000 1000000] [--repeats 5]
      [--cases pictures webgl]
Prints tables of medians, and the ratios of the baseline's latency to the pictures'.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
#: Longest wait for one update in the browser; a slower case is reported as too slow.
UPDATE_TIMEOUT_MS = 180_000
VIEWS = [("time", "mag"), ("mag", "magerr")]


def light_curve_table(points: int):
    """The first ``points`` Stripe 82 RR Lyrae measurements; repeated beyond 136,196."""
    from astrolearn import data
    from astropy.table import Table, vstack

    table = data.load("rrlyrae_s82_lightcurves")
    copies = -(-points // len(table))
    return Table(vstack([table] * copies) if copies > 1 else table)[:points]


def _median_ms(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def kernel_side(points: int, repeats: int) -> list[tuple[str, float, str]]:
    """(part, median ms, note) for one view's redraw of a selection of about half the rows."""
    from astrolearn.ui import ParameterSpaceExplorer, _scatter

    threshold, _scatter.RASTER_ABOVE = _scatter.RASTER_ABOVE, 0  # pictures at any size
    try:
        return _kernel_parts(ParameterSpaceExplorer, points, repeats)
    finally:
        _scatter.RASTER_ABOVE = threshold


def _kernel_parts(explorer_class, points: int, repeats: int) -> list[tuple[str, float, str]]:
    from astrolearn.ml import raster
    from astrolearn.ui.points import SELECTED_OPACITY, SELECTION_COLOUR, tinted_png

    explorer = explorer_class(light_curve_table(points), views=VIEWS, colour="band")
    view = explorer.views[0]
    pictures = view.pictures
    x_low, x_high = np.nanpercentile(view.x_values, [25, 75])
    y_low, y_high = np.nanpercentile(view.y_values, [0, 100])

    def box():
        keep = (view.x_values >= x_low) & (view.x_values <= x_high)
        return np.flatnonzero(keep & (view.y_values >= y_low) & (view.y_values <= y_high))

    rows = box()
    shape, size = pictures.shape, pictures.size
    pixels = shape[0] * shape[1] + 1

    def select():  # one row more or less each time: a new selection, never the same
        size = rows.size - 1 if explorer.selection.indices.size == rows.size else rows.size
        explorer.selection.indices = rows[:size]

    counted = raster.binned_layers(pictures.pixels[rows], shape, size)
    alpha = raster.opacity_of(counted[0], SELECTED_OPACITY)
    picture = tinted_png(alpha, SELECTION_COLOUR)
    parts = [
        ("box test on the data (numpy)", _median_ms(box, repeats), f"{rows.size:,} rows"),
        ("selection takes the rows", _median_ms(select, repeats), "both views redraw"),
        (
            "selected points counted per pixel",
            _median_ms(lambda: np.bincount(pictures.pixels[rows], minlength=pixels), repeats),
            f"{shape[0]} x {shape[1]} px",
        ),
        (
            "counted and spread into discs (FFT)",
            _median_ms(lambda: raster.binned_layers(pictures.pixels[rows], shape, size), repeats),
            f"disc of {size:g} px²",
        ),
        (
            "opacity",
            _median_ms(lambda: raster.opacity_of(counted[0], SELECTED_OPACITY), repeats),
            "",
        ),
        (
            "PNG encoding (zlib level 1)",
            _median_ms(lambda: tinted_png(alpha, SELECTION_COLOUR), repeats),
            f"{len(picture) / 1e3:.0f} kB sent",
        ),
        (
            "one view's selection picture",
            _median_ms(lambda: pictures.show_selection(rows), repeats),
            "all of the above but the box test",
        ),
    ]
    # The baseline sends the selected row numbers, as int32, to every WebGL mark.
    sent = f"{rows.astype(np.int32).nbytes / 1e6:.1f} MB per mark, vs {len(picture) / 1e3:.0f} kB"
    parts.append(("WebGL baseline: row numbers sent", float("nan"), sent))
    return parts


NOTEBOOK = """
import sys, ipywidgets as w
sys.path.insert(0, {benchmarks!r})
from astrolearn.ui import _scatter
_scatter.RASTER_ABOVE = {threshold}
from astrolearn.ui import ParameterSpaceExplorer
from bench_linked import VIEWS, light_curve_table
explorer = ParameterSpaceExplorer(light_curve_table({points}), views=VIEWS, colour="band")
done = w.HTML("update 0")
updates = [0]
def tell(change):  # observes after the views: they have sent their redraws
    updates[0] += 1
    done.value = f"update {{updates[0]}}"
explorer.selection.observe(tell, "indices")
display(explorer, done)
"""

#: Page-side clock: the input (key press or mouse release), and the first animation
#: frame after the last redraw: after each SVG picture that loaded (bqplot's Image mark
#: sets a new href per picture) and after each change of the kernel's "update N" line,
#: which the kernel sends after the views' redraws (for WebGL marks, their new state).
PAGE_CLOCK = """
window.benchClock = {input: 0, loads: 0, painted: 0};
window.paintedNext = () => requestAnimationFrame(() => {
  benchClock.painted = performance.now();
});
// On the window, while capturing, registered first: d3's brush stops a mouseup there.
for (const type of ["keydown", "mouseup"]) {
  window.addEventListener(type, () => {
    benchClock.input = performance.now();
    benchClock.loads = 0;
  }, true);
}
new MutationObserver((records) => {
  for (const record of records) {
    if (record.target.tagName === "image") {
      record.target.addEventListener("load", () => {
        benchClock.loads += 1;
        paintedNext();
      }, {once: true});
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["href"]});
"""
#: Watch the kernel's "update N" line (once the page shows it).
WATCH_UPDATES = """() => {
  const line = [...document.querySelectorAll('.widget-html-content')]
    .find(e => e.textContent.startsWith('update '));
  new MutationObserver(paintedNext).observe(line, {subtree: true, childList: true,
                                                    characterData: true});
}"""
TWO_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _latency(page, update: int, pictures: bool) -> float:
    """Input to the first frame after update ``update`` is drawn, in ms."""
    page.wait_for_function(
        r"update => document.body.innerText.match(/update (\d+)/)[1] == update",
        arg=str(update),
        timeout=UPDATE_TIMEOUT_MS,
    )
    if pictures:  # both views' selection pictures
        page.wait_for_function("window.benchClock.loads >= 2", timeout=60_000)
    page.evaluate(TWO_FRAMES)
    # 0 when the last redraw came before the input (a brush drawn before its release).
    return max(0.0, page.evaluate("benchClock.painted - benchClock.input"))


def _update_number(page) -> int:
    """The count of selections the kernel has handled, as the page shows it."""
    return int(page.evaluate(r"document.body.innerText.match(/update (\d+)/)[1]"))


def _time_page(page, repeats: int, pictures: bool, keys: list, brushes: list) -> None:
    """Add key-press and brush latencies (ms) on a rendered explorer page to the lists."""
    page.get_by_text("Select by range (keyboard)").first.click()
    handle = page.locator(".widget-slider .noUi-handle-lower").filter(visible=True).first
    for update in range(1, repeats + 1):
        handle.focus()
        page.keyboard.press("ArrowRight")
        keys.append(_latency(page, update, pictures))
    figure = page.locator(".bqplot").filter(visible=True).first
    figure.scroll_into_view_if_needed()
    for step in range(repeats):
        box = figure.bounding_box()
        # Each drag starts outside the last brush (so it draws a new one, not moves the
        # old one) and boxes other points: left-top and right-bottom in turn.
        (x0, y0), (x1, y1) = ((0.15, 0.2), (0.45, 0.5)) if step % 2 else ((0.55, 0.5), (0.85, 0.8))
        x0 += 0.01 * step
        before = _update_number(page)
        page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + x1 * box["width"], box["y"] + y1 * box["height"])
        page.mouse.up()
        # A drag sends boxes while it moves: wait for them, then for the kernel to go quiet.
        page.wait_for_function(
            r"before => document.body.innerText.match(/update (\d+)/)[1] != before",
            arg=str(before),
            timeout=UPDATE_TIMEOUT_MS,
        )
        update = _update_number(page)
        while True:  # until no update came for 1.5 s
            page.wait_for_timeout(1500)
            update, last = _update_number(page), update
            if update == last:
                break
        brushes.append(_latency(page, update, pictures))


#: The two ways of drawing: pictures above a threshold of 0 rows, WebGL marks below 10⁹.
CASES = {"pictures": ("pictures", 0), "webgl": ("WebGL marks (baseline)", 10**9)}


def browser_side(
    points_list: list[int], repeats: int, cases: list[str]
) -> list[tuple[int, str, float, float]]:
    """(points, case, median key-press ms, median brush ms) for each case."""
    from bench_apps import _browser_fixtures  # the browser tests' Voila and Chromium

    fixtures = _browser_fixtures()
    from playwright.sync_api import TimeoutError as PageTimeout

    folder = Path(tempfile.mkdtemp(prefix="bench-linked-"))
    runs = []
    for points in points_list:
        for case, threshold in (CASES[name] for name in cases):
            name = f"linked_{points}_{threshold}"
            source = NOTEBOOK.format(
                points=points, threshold=threshold, benchmarks=str(REPO / "benchmarks")
            )
            fixtures.write_notebook(folder, name, source)
            runs.append((points, case, name, threshold == 0))
    results = []
    with fixtures.voila_in_chromium(folder) as (server, browser):
        for points, case, name, pictures in runs:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script(PAGE_CLOCK)
            page.goto(f"{server.url}/voila/render/{name}.ipynb", timeout=600_000)
            page.wait_for_selector("text=update 0", timeout=600_000)
            page.wait_for_selector(".bqplot", timeout=120_000)
            page.wait_for_timeout(3000)  # first draw done
            page.evaluate(WATCH_UPDATES)
            keys, brushes = [], []
            try:
                _time_page(page, repeats, pictures, keys, brushes)
            except PageTimeout:  # too slow to finish: say how far it got
                print(
                    f"  {points:>9,} {case}: an update took over {UPDATE_TIMEOUT_MS / 1e3:.0f} s",
                    flush=True,
                )
            medians = [
                statistics.median(t) if len(t) == repeats else math.inf for t in (keys, brushes)
            ]
            results.append((points, case, *medians))
            print(f"  {points:>9,} {case}: keys {keys}, brushes {brushes}", flush=True)
            page.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument(
        "--cases", nargs="+", choices=list(CASES), default=list(CASES), help="in the browser"
    )
    args = parser.parse_args()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"CPU cores: {os.cpu_count()}, load average (1, 5, 15 min): {load}")
    for points in args.points:
        if points > 136_196:
            print(
                f"{points:,} points: the 136,196 real measurements repeated "
                f"{-(-points // 136_196)} times (a timing load, not data)"
            )
    for points in args.points:
        print(f"\nKernel side, {points:,} points: median of {args.repeats}")
        print(f"{'part':40} {'time [ms]':>10}  note")
        for part, ms, note in kernel_side(points, args.repeats):
            print(f"{part:40} {'' if np.isnan(ms) else f'{ms:.1f}':>10}  {note}")
    if args.no_browser:
        return
    results = browser_side(args.points, args.repeats, args.cases)
    print(
        f"\nBrowser: input to the first frame after the redraw, median of {args.repeats} "
        "(Chromium, software rendering)"
    )
    print(f"{'points':>9} {'case':24} {'key [ms]':>9} {'brush [ms]':>11} {'baseline / this':>16}")
    baseline = {p: (k, b) for p, case, k, b in results if case.startswith("WebGL")}
    for points, case, key_ms, brush_ms in results:
        base_key, base_brush = baseline.get(points, (float("nan"), float("nan")))
        ratio = f"{base_key / key_ms:.1f}x, {base_brush / brush_ms:.1f}x"
        print(f"{points:>9,} {case:24} {key_ms:9.0f} {brush_ms:11.0f} {ratio:>16}")


if __name__ == "__main__":
    main()
