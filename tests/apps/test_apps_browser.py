"""Every public app in real Chromium, network cut: it loads clean, renders, reacts.

The server is ``astrolearn serve`` itself. Each app has a scripted interaction below
(the one a visitor would do first); the text or drawing it changes is compared before
and after. A screenshot of each page is kept in the artifacts folder.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from astrolearn import content
from astrolearn.serve import app_sources

APP_FOLDER = content.folder("apps")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APPS = [path.stem for path in app_sources()]
# What a broken federated extension prints (nbgrader's, when not kept out of Voila).
FEDERATION_ERRORS = re.compile(
    r"nbgrader|federat|Shared module|remoteEntry|ScriptExternalLoadError", re.I
)


def wait_until(page, expression: str, arg=None, timeout: float = 30_000) -> None:
    """Wait until ``expression`` (JavaScript) is true in ``page``.

    Polled from here rather than with ``page.wait_for_function``, which evaluates its
    expression with ``eval``: the app pages' Content-Security-Policy forbids that.
    """
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(100)


def open_help_with_the_keyboard(page, most_tabs: int = 80) -> None:
    """Tab from the top of the page to the help panel, open it with Enter, close it again."""
    page.get_by_role("link", name="all apps").focus()
    summary = ".al-help summary"
    for _ in range(most_tabs):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({summary!r})"):
            break
    else:
        raise AssertionError(f"the help panel is not reached in {most_tabs} presses of Tab")
    page.keyboard.press("Enter")
    wait_until(page, f"document.querySelector({summary!r}).parentElement.open")
    assert page.locator(".al-help p").first.is_visible()
    page.keyboard.press("Enter")
    wait_until(page, f"!document.querySelector({summary!r}).parentElement.open")


def status(page, index: int = 0) -> str:
    return page.locator(".al-status").nth(index).inner_text()


def readout(page, index: int = 0) -> float:
    """The number a slider's readout shows (its minus sign is U+2212)."""
    text = page.locator(".widget-readout").nth(index).inner_text()
    return float(re.search(r"[-\d.]+", text.replace("\u2212", "-")).group())


def interact_hr_diagram(page) -> None:
    before = status(page)
    picture = page.get_attribute(".bqplot image", "href")  # the stars, drawn by the kernel
    press(page, 0, "ArrowLeft", 17)  # 100 pc -> 15 pc, 5 pc per key press
    wait_until(
        page, "before => document.querySelector('.al-status').innerText !== before", arg=before
    )
    after = status(page)
    shown = int(re.search(r"([\d,]+) stars shown", after).group(1).replace(",", ""))
    # Within 15 pc the sample holds a few dozen stars: fewer than within 100 pc.
    assert 0 < shown < int(re.search(r"([\d,]+) stars shown", before).group(1).replace(",", ""))
    wait_until(
        page,
        "before => document.querySelector('.bqplot image').getAttribute('href') !== before",
        arg=picture,
    )
    page.get_by_role("button", name="Apparent brightness G").click()
    wait_until(page, "document.querySelector('.al-status').innerText.includes('blur')")


def interact_you_vs_the_machine(page) -> None:
    before = status(page)
    # The line starts at the textbook u - g = 0.6; 0.3 mag redder it sorts more of these
    # distant quasars (the best cut in u - g alone lies near 0.9).
    press(page, 0, "ArrowRight", 6)
    wait_until(page, "() => document.querySelector('.widget-readout').innerText === '−0.25'")
    wait_until(
        page, "before => document.querySelector('.al-status').innerText !== before", arg=before
    )
    page.traffic.wait_for_kernel(-0.25)  # the last key press's update
    score = int(re.search(r"sorts (\d+)%", status(page)).group(1))
    assert score > int(re.search(r"sorts (\d+)%", before).group(1)), status(page)
    page.get_by_role("button", name="Test both on 250 new objects").click()
    wait_until(
        page,
        "document.querySelectorAll('.al-status')[1].innerText.includes('the machine ')",
        timeout=60_000,
    )
    verdict = status(page, 1)
    machine = int(re.search(r"the machine (\d+)%", verdict).group(1))
    # A depth-5 tree on u - g and g - r separates stars from quasars far above chance.
    assert 80 <= machine <= 100, verdict


def press(page, slider: int, key: str, times: int) -> None:
    handle = page.locator(".noUi-handle").nth(slider)
    handle.focus()
    for _ in range(times):
        handle.press(key)


def interact_find_the_hidden_cluster(page) -> None:
    before = status(page)
    press(page, 0, "ArrowLeft", 23)  # circle centre to (-2.3, -1.0) mas/yr
    press(page, 1, "ArrowLeft", 10)
    wait_until(
        page, "before => document.querySelector('.al-status').innerText !== before", arg=before
    )
    wait_until(
        page,
        "document.querySelector('.al-status').innerText.includes('(-')"
        " || document.querySelector('.al-status').innerText.includes('kilo')",
    )
    page.traffic.wait_for_kernel(readout(page, 0), readout(page, 1))  # the last updates
    found = status(page)
    # NGC 188 lies 1.7-2.0 kpc away (Cantat-Gaudin et al. 2018: parallax 0.507 mas).
    distance = float(re.search(r"about ([\d.]+) kiloparsecs", found).group(1))
    assert 1.6 <= distance <= 2.2, found
    page.get_by_role("button", name="Ask the machine (HDBSCAN)").click()
    wait_until(
        page,
        "document.querySelectorAll('.al-status')[1].innerText.includes('picked')",
        timeout=60_000,
    )
    agreement = int(re.search(r"you both picked (\d+)%", status(page, 1)).group(1))
    assert agreement >= 50, status(page, 1)


def interact_catch_a_transient(page) -> None:
    assert "still getting brighter" in status(page)
    assert "Score: 0 right of 0" in status(page, 1)
    press(page, 0, "End", 1)  # a month after "today": long after the peak
    wait_until(
        page,
        "() => { const h = document.querySelector('.noUi-handle');"
        " return h.getAttribute('aria-valuenow') === h.getAttribute('aria-valuemax'); }",
    )
    page.traffic.wait_for_kernel(readout(page))  # the key press's update
    page.get_by_role("button", name="Check my guess").click()
    wait_until(page, "document.querySelector('.al-status').innerText.includes('BTS')")
    found = status(page)
    assert found.startswith("Not this time."), found
    assert "Score: 0 right of 1" in status(page, 1)
    # The answer is the Bright Transient Survey's own peak magnitude for this supernova.
    brightest = float(re.search(r"at magnitude ([\d.]+)", found).group(1))
    from astrolearn import data

    catalogue = data.load("ztf_snia_metadata")
    name = re.search(r"peak of (SN\w+)", found).group(1)
    peak = float(catalogue[catalogue["iau_name"] == name]["peak_mag"][0])
    assert abs(brightest - peak) < 0.05, (found, peak)


def interact_train_a_neural_network(page) -> None:
    assert "Not trained yet" in status(page, 1)
    page.get_by_role("button", name="Train").click()
    # Wait for at least 50 epochs, not for exactly 50: the message after 50 epochs shows
    # for a fraction of a second before the next step replaces it, and a slow poll can
    # miss it.
    wait_until(
        page,
        "(document.querySelectorAll('.al-status')[1].innerText.match(/After (\\d+) epochs/)"
        " || [0, 0])[1] >= 50",
        timeout=60_000,
    )
    page.get_by_role("button", name="Stop").click()
    found = status(page, 1)
    held_out = int(re.search(r"right for (\d+)% of the 500 objects", found).group(1))
    # Stars and quasars are about half and half: a network that learned beats a guess.
    assert 60 <= held_out <= 100, found


def mean_colour(page, selector: str) -> list[float]:
    """Mean red, green and blue of an element's screenshot (WebGL cannot be read back)."""
    from io import BytesIO

    import numpy as np
    from PIL import Image

    shot = Image.open(BytesIO(page.locator(selector).first.screenshot())).convert("RGB")
    return np.asarray(shot, float).reshape(-1, 3).mean(axis=0).tolist()


def interact_explore_the_sky(page) -> None:
    page.wait_for_selector(".aladin-widget canvas", timeout=60_000)

    def sky():
        return mean_colour(page, ".aladin-widget")

    optical = page.traffic.measure_once_quiet(sky, lambda colour: sum(colour) > 60)
    assert sum(optical) > 60, "the optical sky is not drawn"
    page.get_by_role("button", name="gamma-ray").click()
    wait_until(page, "document.body.innerText.includes('Fermi LAT gamma-ray sky (')")
    gamma = page.traffic.measure_once_quiet(
        sky, lambda colour: sum(abs(g - o) for g, o in zip(colour, optical, strict=True)) > 30
    )
    # The Fermi map is drawn in false colour (red to blue, little green); the optical
    # sky near the plane is white and brown starlight.
    assert sum(abs(g - o) for g, o in zip(gamma, optical, strict=True)) > 30, (optical, gamma)
    # By keyboard: type a name and press Enter; the offline name list resolves it.
    box = page.get_by_placeholder("M31, Pleiades, LMC or 83.63 22.01")
    box.focus()
    page.keyboard.type("LMC")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('.al-status').innerText.startsWith('LMC:')")
    assert "Dec -69.76°" in status(page)
    page.get_by_text("SDSS quasars", exact=True).click()
    wait_until(page, "document.querySelector('.al-status').innerText.includes('quasars')")
    assert "8,263 on the sky" in status(page)
    box.scroll_into_view_if_needed()  # the sky in view, for the gallery's picture


INTERACTIONS = {
    "explore_the_sky": interact_explore_the_sky,
    "catch_a_transient": interact_catch_a_transient,
    "find_the_hidden_cluster": interact_find_the_hidden_cluster,
    "hr_diagram": interact_hr_diagram,
    "train_a_neural_network": interact_train_a_neural_network,
    "you_vs_the_machine": interact_you_vs_the_machine,
}


#: Apps whose first screen makes a better gallery picture than the one after the script.
PICTURE_BEFORE_INTERACTION = {"hr_diagram", "you_vs_the_machine"}


def assert_clean(page) -> None:
    federation = [e for e in page.console_errors if FEDERATION_ERRORS.search(e)]
    assert federation == [], federation
    assert not [url for url in page.requests if "nbgrader" in url]
    assert page.failed_requests == []
    assert page.console_errors == []
    external = [
        url for url in page.requests if not url.startswith(("http://127.0.0.1", "data:", "blob:"))
    ]
    assert external == [], f"requests leaving loopback: {external[:5]}"


@pytest.mark.parametrize("app", APPS)
def test_app_loads_renders_and_reacts(open_page, app):
    assert app in INTERACTIONS, f"app {app} has no scripted interaction in this test"
    page = open_page(f"/voila/render/{app}.ipynb", app)
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".widget-slider, .widget-button, .jupyter-button", timeout=30_000)
    body = page.inner_text("body")
    assert "Traceback" not in body and "import " not in body, "source or traceback shown"
    update_picture = os.environ.get("ASTROLEARN_UPDATE_PICTURES") == "1"
    if update_picture and app in PICTURE_BEFORE_INTERACTION:
        save_gallery_picture(page, app)
    open_help_with_the_keyboard(page)
    INTERACTIONS[app](page)
    page.traffic.wait_for_quiet()  # late console messages arrive with the last updates
    assert_clean(page)
    if update_picture and app not in PICTURE_BEFORE_INTERACTION:
        save_gallery_picture(page, app)


def save_gallery_picture(page, app: str) -> None:
    """Refresh the gallery's picture of ``app`` (run with ASTROLEARN_UPDATE_PICTURES=1)."""
    from io import BytesIO

    from PIL import Image

    picture = Image.open(BytesIO(page.screenshot(full_page=False)))
    picture.thumbnail((760, 760))
    picture.save(APP_FOLDER / "pictures" / f"{app}.png", optimize=True)


#: True once the page has fetched as many files by its links as it has link tags.
PREFETCHED = (
    "count => performance.getEntriesByType('resource')"
    ".filter(r => r.initiatorType === 'link' && r.responseEnd > 0).length >= count"
)


def test_gallery_links_every_app_with_its_picture_and_costs_no_kernel(open_page, app_server):
    kernels = app_server.kernels()
    page = open_page("/", "gallery")
    page.wait_for_selector(".al-card", timeout=60_000)
    links = page.eval_on_selector_all(
        ".al-card", "cards => cards.map(c => c.getAttribute('href'))"
    )
    assert sorted(links) == sorted(f"voila/render/{app}.ipynb" for app in APPS)
    # The pictures load lazily: the page's load event does not wait for them.
    wait_until(page, "() => [...document.querySelectorAll('.al-card img')].every(i => i.complete)")
    widths = page.eval_on_selector_all(".al-card img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == len(APPS) and all(width > 100 for width in widths), widths
    alts = page.eval_on_selector_all(".al-card img", "imgs => imgs.map(i => i.alt)")
    assert all(alt.startswith("Screenshot of the app") for alt in alts)
    assert_clean(page)
    assert app_server.kernels() == kernels, "looking at the gallery started a kernel"
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "scrolls sideways"
    # While the visitor looks, the browser fetches the apps' scripts (serve.script_links).
    prefetched = page.eval_on_selector_all("link[rel=prefetch]", "ls => ls.map(l => l.href)")
    assert len(prefetched) > 50 and all(url.endswith(".js") or "?v=" in url for url in prefetched)
    # All of them before the click: a click sooner cancels the rest (harmless for a
    # visitor, but a failed request for assert_clean).
    wait_until(page, PREFETCHED, len(prefetched), timeout=90_000)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "al-card"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/voila/render/\w+\.ipynb$"))
    page.wait_for_selector(".al-status p", timeout=90_000)
    assert_clean(page)
    # The app page names the same scripts to preload, and found Voila's in the cache.
    preloaded = page.eval_on_selector_all("link[rel=preload]", "ls => ls.map(l => l.href)")
    assert sorted(preloaded) == sorted(prefetched)
    bytes_sent = page.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(r => r.name.endsWith('/voila/static/voila.js')).map(r => r.transferSize)"
    )
    assert bytes_sent and set(bytes_sent) == {0}, bytes_sent
    page.get_by_role("link", name="all apps").click()
    page.wait_for_url(app_server.url + "/")


@pytest.mark.slow
def test_a_tab_left_idle_is_told_its_session_ended_and_can_reload(browser, start_server):
    server = start_server(
        "--pool-size=0", "--cull-idle-timeout=2", "--cull-interval=1", pool=False
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/voila/render/{APPS[0]}.ipynb", timeout=90_000)
        page.wait_for_selector(".al-status p", timeout=90_000)
        # Nobody touches the page: the culler shuts its kernel down although the tab
        # is open, and the page says so.
        notice = page.wait_for_selector(".al-session-ended[role=alert]", timeout=30_000)
        assert "session has ended" in notice.inner_text()
        button = page.get_by_role("button", name="Reload the app")
        assert page.evaluate("document.activeElement.textContent") == "Reload the app"
        assert button.bounding_box()["height"] >= 44
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert "Culling kernel" in server.log() or "Kernel shutdown" in server.log()
        button.click()
        page.wait_for_selector(".al-status p", timeout=90_000)
        assert page.query_selector(".al-session-ended") is None
    finally:
        context.close()
