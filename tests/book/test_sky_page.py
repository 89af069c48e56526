"""The multi-wavelength sky on a built book page: Aladin Lite and tiles as site files.

A one-page book with a :class:`~astrolearn.ui.MultiBandSky` is built with the project's
settings (network cut), served over HTTP on loopback, and opened in real Chromium in
the same loopback-only namespace: the sky must draw from the site's own files. Opened
from disk instead (file://), where browsers refuse the viewer's code and images, the
sky's place must say so and how to serve the site.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys

import numpy as np
import pytest
from astrolearn import static_files
from bookutil import build_one_page_book
from browse_site import AXE
from PIL import Image

from tests.page_traffic import PageTraffic

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(900)]

PAGE = """\
# The sky

```{code-cell} ipython3
from astrolearn.ui import MultiBandSky

MultiBandSky(online=False, height=300)
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, offline_namespace):
    built = build_one_page_book(tmp_path_factory.mktemp("sky-book"), "sky", PAGE)
    assert built.returncode == 0, built.log[-3000:]
    command = ["http.server", "0", "--bind", "127.0.0.1", "--directory", str(built.html)]
    server = subprocess.Popen(
        [*offline_namespace, sys.executable, "-u", "-m", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = server.stdout.readline()
    port = re.search(r"port (\d+)", line).group(1)
    yield built.html, f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


def test_the_page_holds_no_aladin_lite_and_the_site_holds_it_and_the_tiles(site):
    html, _ = site
    page = (html / "sky.html").read_text(encoding="utf-8")
    assert len(page) < 200_000, len(page)  # it held Aladin Lite's 2.6 MB before
    assert static_files.aladin_lite_path() in page  # named, not included
    served = html / "_static" / static_files.PREFIX
    assert (served / "static/aladin-lite.js").read_bytes() == static_files.ALADIN_LITE.read_bytes()
    from astrolearn.data import sky

    for survey in sky.surveys():
        assert (served / static_files.survey_path(survey.id) / "properties").is_file()


def visit(browser, url: str, width: int, height: int):
    """A fresh page at ``url``; the URLs it requests, those that fail, its script errors."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    requests, failed, errors = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.traffic = PageTraffic(page)
    page.goto(url)
    return context, page, requests, failed, errors


def test_the_sky_draws_from_the_site_with_the_network_cut(site, browser):
    _, url = site
    context, page, requests, failed, _ = visit(browser, f"{url}/sky.html", 1280, 900)
    page.wait_for_selector(".aladin-widget canvas", timeout=60_000)

    def lit_pixels() -> int:  # the sky is black until tiles come
        shot = Image.open(io.BytesIO(page.locator(".aladin-widget").screenshot()))
        return int((np.asarray(shot.convert("RGB"), int).sum(axis=2) > 60).sum())

    drawn = page.traffic.measure_once_quiet(lit_pixels, lambda lit: lit >= 5000)
    context.close()
    assert drawn >= 5000, f"the sky looks blank ({drawn} lit pixels)"
    assert any("/_static/astrolearn/static/aladin-lite.js?v=" in r for r in requests)
    assert any(
        re.search(r"/_static/astrolearn/sky/gaia-edr3-optical/\w+/Norder", r) for r in requests
    )
    assert failed == [] and all(r.startswith((url, "data:", "blob:")) for r in requests)


def test_the_page_opened_from_disk_says_how_to_see_the_sky(site, browser):
    html, _ = site
    context, page, requests, _, errors = visit(browser, (html / "sky.html").as_uri(), 390, 844)
    note = page.locator(".astrolearn-sky-on-disk")
    note.wait_for(timeout=60_000)
    text = note.inner_text()
    command = note.locator("pre").inner_text()
    link = note.locator("a").get_attribute("href")
    # Where the sky would be: in the viewer's box, above its zoom buttons.
    below = note.locator("xpath=../following-sibling::*[1]").inner_text()
    visible = note.is_visible()
    context.close()
    assert visible and "opened from a file on disk" in text
    assert "Zoom in" in below
    # The command serves the site's own folder, and the link is this page there.
    assert command == f'python -m http.server --directory "{html.as_posix()}/"'
    assert link == "http://localhost:8000/sky.html"
    assert not [r for r in requests if "aladin-lite.js" in r or "/Norder" in r]
    assert errors == []


#: The band buttons (ipywidgets' ToggleButtons): whether each says it is pressed, and
#: how it looks (font weight, shadow).
TOGGLES = """() => [...document.querySelectorAll('button.widget-toggle-button')].map(b => [
    b.innerText.trim(), b.getAttribute('aria-pressed'),
    +getComputedStyle(b).fontWeight, getComputedStyle(b).boxShadow])"""


def test_the_band_pressed_says_so_by_more_than_its_shade(site, browser):
    """On the static page too: aria-pressed for screen readers, bold and a bar for the eye."""
    _, url = site
    context, page, _, failed, errors = visit(browser, f"{url}/sky.html", 390, 844)
    page.wait_for_selector("button.widget-toggle-button[aria-pressed=true]", timeout=60_000)
    first = page.evaluate(TOGGLES)
    # Press the third band by keyboard: the page's own widget state moves the mark.
    third = page.locator("button.widget-toggle-button").nth(2)
    third.focus()
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelectorAll('button.widget-toggle-button')[2]"
        ".getAttribute('aria-pressed') === 'true'",
        timeout=30_000,
    )
    then = page.evaluate(TOGGLES)
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run({exclude: [['.aladin-container']]},"
        " {resultTypes: ['violations']})).violations"
    )
    context.close()
    assert len(first) == 4, first
    for states, on in ((first, 0), (then, 2)):
        pressed = [state for _, state, _, _ in states]
        assert pressed == ["true" if k == on else "false" for k in range(4)], states
        for k, (name, _, weight, shadow) in enumerate(states):
            if k == on:
                assert weight >= 700 and "inset" in shadow, (name, weight, shadow)
            else:
                assert weight < 700 and "inset" not in shadow, (name, weight, shadow)
    assert wide <= 390, "the page scrolls sideways"
    serious = [v["id"] for v in violations if v["impact"] in ("critical", "serious")]
    assert serious == [] and failed == [] and errors == []
