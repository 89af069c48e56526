"""The bundled all-sky HiPS tile sets in the bundled Aladin Lite, in real Chromium, offline.

The page, Aladin Lite and the tiles are answered by Playwright from the package's files
(no server, no network): Aladin Lite must accept each ``properties`` file, fetch the
all-sky preview (and any tile it wants, every one there), and draw the sky, with the
Large Magellanic Cloud where it is.
"""

from __future__ import annotations

import io
import mimetypes
import time
from pathlib import Path

import numpy as np
import pytest
from astrolearn.data import sky
from PIL import Image

pytestmark = pytest.mark.browser

ORIGIN = "http://astrolearn.test"
STATIC = Path(sky.__file__).resolve().parents[1] / "static"
PAGE = """<!doctype html><html lang="en"><head><title>sky</title></head>
<body style="margin:0"><div id="al" style="width:400px;height:400px"></div>
<script type="module">
import A from "./aladin-lite.js";
await A.init;
window.aladin = A.aladin("#al", {
  survey: "%(origin)s/sky/%(id)s/", cooFrame: "galactic", target: "%(target)s", fov: 40,
  showReticle: false, showFrame: false, showLayersControl: false, showGotoControl: false,
  showZoomControl: false, showFullscreenControl: false, showProjectionControl: false,
  showCooLocation: false, showFov: false,
});
</script></body></html>"""
LMC = "280.47 -32.89"


def answer(route) -> None:
    """Answer a request from the package's files, 404 for anything else."""
    path = route.request.url.removeprefix(ORIGIN).split("?")[0].replace("//", "/")
    if path == "/aladin-lite.js":
        file = STATIC / "aladin-lite.js"
    elif path.startswith("/sky/"):
        file = sky.SKY / path.removeprefix("/sky/")
        if sky.SKY.resolve() not in file.resolve().parents:
            file = None
    else:
        file = None
    if file is None or not file.is_file():
        route.fulfill(status=404, body="")
        return
    kind = mimetypes.guess_type(file.name)[0] or "text/plain"
    route.fulfill(status=200, body=file.read_bytes(), content_type=kind)


def drawn(view: np.ndarray, survey_id: str) -> bool:
    """Whether a screenshot of the view shows the sky (a view with none is black)."""
    middle = view[50:350, 50:350]  # away from the logo in the corner
    if not (middle.mean() > 3 and middle.std() > 3):
        return False
    if survey_id == "gaia-edr3-optical":
        # The view is centred on the LMC, 40 deg across: the cloud (about 5 deg) at the
        # centre is brighter than the sky half the view away.
        centre = view[180:220, 180:220].mean()
        edge = np.concatenate([view[:40].ravel(), view[-40:].ravel()]).mean()
        return centre > 1.3 * edge
    return True


@pytest.mark.parametrize("survey_id", [s.id for s in sky.surveys()])
def test_aladin_lite_draws_the_sky(browser, survey_id, artifacts_dir):
    # At 40 deg across, Aladin Lite can draw the whole view from the all-sky preview,
    # which it asks for first; it may ask for order-0 tiles too. Every file it asks for
    # must be there, and the view must show the sky, the LMC in the middle.
    page = browser.new_page(viewport={"width": 400, "height": 400})
    responses = []
    try:
        page.route(f"{ORIGIN}/**", answer)
        page.on("response", lambda r: responses.append((r.status, r.url.removeprefix(ORIGIN))))
        html = PAGE % {"origin": ORIGIN, "id": survey_id, "target": LMC}
        page.route(
            f"{ORIGIN}/index.html",
            lambda route: route.fulfill(body=html, content_type="text/html"),
        )
        page.goto(f"{ORIGIN}/index.html")
        page.wait_for_function("window.aladin !== undefined", timeout=60_000)
        tiles = f"/sky/{survey_id}/"
        page.wait_for_function(
            "() => performance.getEntriesByType('resource')"
            f".some(e => e.name.includes('{tiles}') && e.name.includes('/Norder'))",
            timeout=60_000,
        )
        deadline = time.monotonic() + 60
        while True:  # WebGL cannot be read back: screenshots until the sky shows
            shot = page.locator("#al").screenshot()
            view = np.asarray(Image.open(io.BytesIO(shot)).convert("L"), dtype=float)
            if drawn(view, survey_id) or time.monotonic() > deadline:
                break
            page.wait_for_timeout(250)
        (artifacts_dir / f"sky-{survey_id}.png").write_bytes(shot)
    finally:
        page.close()
    ours = [(status, url) for status, url in responses if url.startswith(tiles)]
    assert (200, f"{tiles}properties") in ours
    assert [url for status, url in ours if url.endswith("/Norder3/Allsky.jpg")]
    assert [url for status, url in ours if status != 200] == []
    assert drawn(view, survey_id), "Aladin Lite drew no sky, or not the LMC in the middle"
