"""Each astrolearn widget renders in a Voila page in real Chromium, network cut."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

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


def _wait_for_drawing(page, selector: str, minimum: int, timeout_ms: int = 30_000) -> int:
    drawn = 0
    for _ in range(timeout_ms // 1000):
        drawn = drawn_pixels(page, selector)
        if drawn >= minimum:
            break
        page.wait_for_timeout(1000)
    return drawn


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
    page.wait_for_timeout(3000)
    assert page.locator(".bqplot").filter(visible=True).count() == 9  # 3 x 3 cells
    assert our_errors(page) == []


QUERY = """
from astrolearn.ui import QueryPanel
panel = QueryPanel("gaia_dr3", "Pleiades", radius_arcmin=20, backend="offline")
panel.run()
panel.wait(120)
panel
"""


def test_query_panel_shows_the_result(render_notebook):
    page = render_notebook(QUERY, name="query")
    page.wait_for_selector("text=rows from offline snapshot", timeout=60_000)
    # Header row plus one page of 25 rows of the sortable table.
    assert page.locator("table.astrolearn-table tbody tr").count() == 25
    assert page.locator("th", has_text="phot_g_mean_mag [mag]").count() == 1
    page.get_by_role("button", name="Save CSV").click()
    page.wait_for_selector("a[download='query_result.csv']", timeout=20_000)
    assert our_errors(page) == []
