"""Each astrolearn widget renders in a Voila page in real Chromium, network cut."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import our_errors

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SKY = """
from astrolearn.ui import SkyViewer
sky = SkyViewer(offline=True)
sky
"""

LINKED = """
from astrolearn.ui import ParameterSpaceExplorer, SkyViewer
explorer = ParameterSpaceExplorer("sdss_dr14")
explorer.views[0].select_box((-0.3, 0.6), (-1.0, 0.6))
sky = SkyViewer(explorer.selection, offline=True, height=300)
display(explorer, sky)
"""


def drawn_pixels(page, selector: str) -> int:
    """Pixels of the element's screenshot that differ from its most common colour.

    A screenshot, because WebGL canvases (Aladin Lite, ScatterGL) cannot be read back
    from JavaScript once drawn.
    """
    best = 0
    for element in page.locator(selector).filter(visible=True).all():
        image = np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB"), int)
        colours, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
        background = colours[np.argmax(counts)]
        best = max(best, int((np.abs(image - background).sum(axis=2) > 60).sum()))
    return best


def _wait_for_drawing(page, selector: str, minimum: int) -> int:
    """Drawn pixels once the page's requests have finished and ``minimum`` are drawn."""
    return page.traffic.measure_once_quiet(
        lambda: drawn_pixels(page, selector), lambda drawn: drawn >= minimum
    )


def _uv_excess_count() -> int:
    from astrolearn import data

    sdss = data.load("sdss_dr14")
    gr = np.asarray(sdss["g"], float) - np.asarray(sdss["r"], float)
    ug = np.asarray(sdss["u"], float) - np.asarray(sdss["g"], float)
    return int(np.sum((gr >= -0.3) & (gr <= 0.6) & (ug >= -1.0) & (ug <= 0.6)))


def test_sky_viewer_draws_the_offline_image(render_notebook):
    page = render_notebook(SKY, name="sky")
    page.wait_for_selector(".aladin-widget canvas", timeout=60_000)
    # The DSS image is a field of stars: thousands of sampled pixels differ from the
    # first one. A blank (failed) Aladin view has none.
    drawn = _wait_for_drawing(page, ".aladin-widget", minimum=2000)
    assert drawn >= 2000, f"Aladin canvas looks blank ({drawn} drawn pixels)"
    assert our_errors(page) == []


TWO_SKIES = """
from astrolearn.ui import SkyViewer
display(SkyViewer(offline=True, height=250), SkyViewer(offline=True, height=250))
"""


#: Bytes that came over the network for a URL (Resource Timing: 0 from the cache).
TRANSFERRED = """url => performance.getEntriesByName(url).map(e => e.transferSize)
    .reduce((a, b) => a + b, 0)"""


def test_aladin_lite_is_one_cached_file_not_widget_state(render_notebook):
    page = render_notebook(TWO_SKIES, name="two_skies")
    page.wait_for_function(
        "document.querySelectorAll('.aladin-widget canvas').length >= 2", timeout=60_000
    )
    fetched = [url for url in page.requests if "aladin-lite.js" in url]
    assert len(fetched) == 1, fetched  # two viewers, one download
    assert "aladin-lite.js?v=" in fetched[0]
    downloaded = page.evaluate(TRANSFERRED, fetched[0])
    assert downloaded > 500_000  # gzipped: Aladin Lite is 2.6 MB as it is
    # A reload takes it from the browser's cache: nothing comes over the network.
    page.reload()
    page.wait_for_function(
        "document.querySelectorAll('.aladin-widget canvas').length >= 2", timeout=60_000
    )
    assert page.evaluate(TRANSFERRED, fetched[0]) == 0
    assert _wait_for_drawing(page, ".aladin-widget", minimum=2000) >= 2000
    assert our_errors(page) == []


def test_explorer_and_sky_render_linked(render_notebook):
    page = render_notebook(LINKED, name="explorer_sky")
    page.wait_for_selector(".aladin-widget canvas", timeout=60_000)
    page.wait_for_selector(".bqplot canvas", timeout=60_000)
    # ScatterGL draws with WebGL into a canvas inside each figure.
    drawn = _wait_for_drawing(page, ".bqplot", minimum=300)
    assert drawn >= 300, f"scatter canvas looks blank ({drawn} drawn pixels)"
    assert page.locator(".bqplot .axis text", has_text="g − r [mag]").count() >= 1
    status = page.locator("text=of 10,000 rows selected")
    assert status.count() == 1 and f"{_uv_excess_count()} of 10,000" in status.inner_text()
    # The UV-excess selection is drawn in its class colours, the rest in faint grey.
    figure = page.locator(".bqplot").filter(visible=True).first
    image = np.asarray(Image.open(io.BytesIO(figure.screenshot())).convert("RGB"), int)
    quasar_blue = np.abs(image - [0x56, 0xB4, 0xE9]).sum(axis=2) < 40
    grey = (np.ptp(image, axis=2) < 8) & (image[..., 0] > 170) & (image[..., 0] < 240)
    assert quasar_blue.sum() > 500, "selected quasars are not drawn in their colour"
    assert grey.sum() > 2000, "unselected points are not drawn in grey"
    # The scatter matrix renders when its tab is opened, without layout errors.
    page.get_by_text("Scatter matrix", exact=True).click()
    cells = page.locator(".bqplot").filter(visible=True)
    expect(cells).to_have_count(9, timeout=30_000)  # 3 x 3 cells
    assert our_errors(page) == []


#: Notebook code: an explorer made with ``ARGUMENTS``, and a report of its first view's
#: brush, the selection and ``more`` (set by the ``MORE`` statement), with a Sync button.
BRUSH_REPORT = """
import ipywidgets
from astrolearn.ui import ParameterSpaceExplorer
explorer = ParameterSpaceExplorer(ARGUMENTS)
report = ipywidgets.HTML()
# The kernel handles messages in order: once it answers the Sync button, it has handled
# every key press and drag the browser sent before the click.
syncs = [0]
def tell(change=None):
    view = explorer.views[0]
    box = (view.brush.selected_x, view.brush.selected_y)
    box = "none" if box[0] is None or box[1] is None else " ".join(
        f"{value:.6f}" for value in (*box[0], *box[1]))
    MORE
    report.value = (f"brushed {box} selected {len(explorer.selection.indices)} "
                    f"{more} synced {syncs[0]}")
explorer.selection.observe(tell, "indices")
def answer_sync(_):
    syncs[0] += 1
    tell()
sync = ipywidgets.Button(description="Sync")
sync.on_click(answer_sync)
display(explorer, report, sync)
"""


def brush_report(arguments: str, more: str) -> str:
    """The notebook code of ``BRUSH_REPORT`` with its two blanks filled."""
    return BRUSH_REPORT.replace("ARGUMENTS", arguments).replace("MORE", more)


BRUSH = brush_report(
    '"sdss_dr14"',
    "other = explorer.views[1].mark.selected; "
    'more = f"other-view {0 if other is None else len(other)}"',
)


def _box_count(x_low, x_high, y_low, y_high, rows=slice(None)) -> int:
    from astrolearn import data

    sdss = data.load("sdss_dr14")[rows]
    gr = np.asarray(sdss["g"], float) - np.asarray(sdss["r"], float)
    ug = np.asarray(sdss["u"], float) - np.asarray(sdss["g"], float)
    return int(np.sum((gr >= x_low) & (gr <= x_high) & (ug >= y_low) & (ug <= y_high)))


def test_the_keyboard_alone_selects_in_every_view(render_notebook):
    page = render_notebook(BRUSH, name="keyboard")
    page.wait_for_selector(".bqplot canvas", timeout=60_000)
    page.get_by_text("Select by range (keyboard)").first.click()
    handle = page.locator(".widget-slider .noUi-handle-lower").filter(visible=True).first
    handle.focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    words = _report(page)
    selected, other_view = int(words[3]), int(words[5])
    assert 0 < selected < 10_000
    assert other_view == selected  # the second view shows the same selection
    page.wait_for_selector(f"text={selected:,} of 10,000 rows selected", timeout=10_000)
    assert our_errors(page) == []


def _drag(page, box, corners) -> None:
    """Press, move through ``corners`` (fractions of the box) and release the mouse."""
    page.mouse.move(
        box["x"] + corners[0][0] * box["width"], box["y"] + corners[0][1] * box["height"]
    )
    page.mouse.down()
    for fx, fy in corners[1:]:
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=6)
    page.mouse.up()


def _wait_for_brush(page) -> None:
    """Wait until a shown figure's brush can take a drag: d3's overlay is laid out."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.bqplot rect.overlay')]"
        ".some(o => o.getBoundingClientRect().width > 50)",
        timeout=30_000,
    )


def _report(page, previous: str = "") -> list[str]:
    """The words of the report line once it differs from ``previous`` and the kernel has
    handled everything sent before (a drag or key presses send several intermediate
    selections; the last one is the one to check).
    """
    line = page.locator("text=/brushed .* selected/")
    page.wait_for_function(
        "previous => [...document.querySelectorAll('.widget-html-content')]"
        ".some(e => e.textContent.startsWith('brushed') && e.textContent !== previous)",
        arg=previous,
        timeout=30_000,
    )
    done = int(re.search(r"synced (\d+)", line.inner_text()).group(1))
    answer = f"synced {done + 1}"
    page.get_by_role("button", name="Sync").click()
    page.wait_for_function(
        "answer => [...document.querySelectorAll('.widget-html-content')]"
        ".some(e => e.textContent.trim().endsWith(answer))",
        arg=answer,
        timeout=30_000,
    )
    return line.inner_text().split()


def test_a_mouse_brush_and_a_lasso_select_in_every_view(render_notebook):
    """Real mouse drags on the WebGL scatter reach the kernel (see the lab extension)."""
    page = render_notebook(BRUSH, name="brush")
    page.wait_for_selector(".bqplot canvas", timeout=60_000)
    _wait_for_brush(page)
    box = page.locator(".bqplot").filter(visible=True).first.bounding_box()
    rectangle = [(0.35, 0.3), (0.6, 0.6)]
    _drag(page, box, rectangle)
    words = _report(page)
    x_low, x_high, y_low, y_high = map(float, words[1:5])
    brushed, other_view = int(words[6]), int(words[8])
    # The kernel selected exactly the sources inside the brushed box (counted here from
    # the data), and the second view shows the same selection.
    assert x_low < x_high and y_low < y_high
    assert brushed == _box_count(x_low, x_high, y_low, y_high) > 0
    assert other_view == brushed
    page.wait_for_selector(f"text={brushed:,} of 10,000 rows selected", timeout=10_000)
    # A lasso around the same rectangle selects the same sources (up to the few that sit
    # on its edges: the browser tests pixels, the brush tests data values).
    page.get_by_role("button", name="Clear selection").click()
    cleared = _report(page, " ".join(words))
    assert cleared[6] == "0"
    page.get_by_role("button", name="Lasso").first.click()
    # The kernel swaps the figure's interaction; a drag before the lasso is in place
    # would move the old brush instead.
    page.wait_for_selector(".bqplot .lassoselector", state="attached", timeout=30_000)
    (left, top), (right, bottom) = rectangle
    _drag(page, box, [(left, top), (right, top), (right, bottom), (left, bottom), (left, top)])
    lassoed = int(_report(page, " ".join(cleared))[6])
    assert abs(lassoed - brushed) <= max(3, brushed // 100), (lassoed, brushed)
    assert our_errors(page) == []


REPLACED = (
    BRUSH
    + """
replace = ipywidgets.Button(description="Replace the table")
def replace_table(_):
    explorer.selection.table = explorer.selection.table[::10]  # a new, smaller result
replace.on_click(replace_table)
display(replace)
"""
)


def test_a_brush_after_replacing_the_table_selects_rows_of_the_new_one(render_notebook):
    """Issue 19: after a new table, the browser draws it and a brush picks its rows."""
    page = render_notebook(REPLACED, name="replaced")
    page.wait_for_selector(".bqplot canvas", timeout=60_000)
    page.get_by_role("button", name="Replace the table").click()
    page.wait_for_selector("text=0 of 1,000 rows selected", timeout=30_000)
    before = _report(page)  # the selection and the old brush are cleared
    assert before[1:4] == ["none", "selected", "0"]
    _wait_for_brush(page)
    box = page.locator(".bqplot").filter(visible=True).first.bounding_box()
    _drag(page, box, [(0.35, 0.3), (0.6, 0.6)])
    words = _report(page, " ".join(before))
    x_low, x_high, y_low, y_high = map(float, words[1:5])
    brushed, other_view = int(words[6]), int(words[8])
    assert brushed == _box_count(x_low, x_high, y_low, y_high, slice(None, None, 10)) > 0
    assert other_view == brushed
    page.wait_for_selector(f"text={brushed:,} of 1,000 rows selected", timeout=10_000)
    assert our_errors(page) == []


QUIZ = """
from astrolearn.ui import Choice, MultipleChoice, Numeric, Quiz
Quiz(
    MultipleChoice(
        "Which survey is optical?",
        Choice("Fermi", why="Fermi sees gamma rays."),
        Choice("SDSS", correct=True, why="SDSS images in ugriz."),
    ),
    Numeric("What is one half?", answer=0.5, tolerance=0.01, hint="Divide 1 by 2."),
)
"""


def test_quiz_is_checked_by_the_kernel_and_usable_by_keyboard(render_notebook):
    from tests.apps.conftest import RIGHTMOST_WIDGET, assert_fits_and_accessible

    page = render_notebook(QUIZ, name="quiz")
    page.wait_for_selector(".astrolearn-quiz input[type=radio]", timeout=60_000)
    page.get_by_label("Fermi").check()
    page.get_by_role("button", name="Check").first.click()
    feedback = page.locator(".astrolearn-quiz [role=status]")
    feedback.first.wait_for()
    assert "Not quite. Fermi sees gamma rays." in feedback.first.inner_text()
    answer = page.get_by_placeholder("your answer")
    answer.focus()
    page.keyboard.type("0.9")
    page.keyboard.press("Tab")  # to its Check button
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('.astrolearn-quiz [role=status]').length == 2"
    )
    assert "too high. Divide 1 by 2." in feedback.nth(1).inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    # Voila lays the page out again after the resize: wait for that, then check it.
    page.wait_for_function(f"{RIGHTMOST_WIDGET} <= 390", timeout=10_000)
    assert_fits_and_accessible(page, 390)
    assert our_errors(page) == []
