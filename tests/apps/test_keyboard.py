"""Every public app by keyboard alone, in real Chromium, on a desktop and a 390 px phone.

From the top of the page, Tab alone must reach every control, in the order the page
reads (top to bottom), show a focus ring that stands out (WCAG 2.2: 3:1 against what
is around it) and let focus move on from the last control (no trap). Then the app's
main controls are reached with Tab and worked with Enter, Space, the arrow keys and
typing, and the app must answer: its status line changes.
"""

from __future__ import annotations

import itertools
import re

import pytest
from astrolearn.serve import app_sources
from astropy.coordinates import SkyCoord

from tests.apps.test_apps_browser import assert_clean, status, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APPS = [path.stem for path in app_sources()]
#: The height of a line of text, in CSS pixels.
LINE = 20
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

#: What a keyboard can reach on these pages: links, form controls, the help panel's
#: summary, and anything given a tab stop (a slider's handle, its editable readout).
CONTROLS = (
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    "select:not([disabled]), textarea:not([disabled]), summary, "
    "[tabindex]:not([tabindex='-1']), [contenteditable=true]"
)

#: Numbers every visible control in document order (``data-kbd``); a hidden one (in a
#: closed panel, or drawn zero-sized) is not a tab stop and is left out.
NUMBER_CONTROLS = f"""() => {{
  const shown = [...document.querySelectorAll({CONTROLS!r})].filter(e => {{
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  }});
  shown.forEach((e, i) => e.dataset.kbd = i);
  return shown.map(e => (e.getAttribute('aria-label') || e.innerText || e.outerHTML)
                        .trim().slice(0, 60));
}}"""

#: The focused control: its number, where it is on the page, and its focus ring with
#: the colour behind it (the first ancestor that paints a background; the page is white).
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  let scrolled = scrollY;  // Voila scrolls a box inside the page, not the window
  for (let a = e.parentElement; a; a = a.parentElement) scrolled += a.scrollTop;
  let behind = 'rgb(255, 255, 255)';
  for (let a = e.parentElement; a; a = a.parentElement) {
    const c = getComputedStyle(a).backgroundColor;
    if (c !== 'transparent' && !c.endsWith(', 0)')) { behind = c; break; }
  }
  return {tag: e.tagName + '.' + (e.className || '').toString().split(' ')[0],
          kbd: e.dataset.kbd === undefined ? null : +e.dataset.kbd,
          name: (e.getAttribute('aria-label') || e.innerText || e.outerHTML).trim().slice(0, 60),
          top: r.top + scrolled, bottom: r.bottom + scrolled,
          style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
          behind};
}"""


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of a CSS ``rgb(...)``/``rgba(...)`` colour."""
    red, green, blue = (int(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two CSS colours (1 to 21)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_follows_wcag():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)


#: Keeps every Aladin Lite view the page makes in ``window.__aladinViews``, so that a
#: test reads where the sky on screen is centred, and how wide it is, from Aladin Lite
#: itself. The widget's module keeps Aladin Lite's module (a promise) in a global.
WATCH_ALADIN = """(() => {
  let loaded;
  Object.defineProperty(globalThis, '__astrolearnAladinLite', {
    configurable: true,
    get: () => loaded,
    set: (promise) => {
      loaded = promise && promise.then((A) => {
        const make = A.aladin;
        A.aladin = function (...args) {
          const view = make.apply(this, args);
          (globalThis.__aladinViews ??= []).push(view);
          return view;
        };
        return A;
      });
    },
  });
})();"""


def open_app(open_page, app: str, size: str):
    page = open_page(
        f"/voila/render/{app}.ipynb",
        f"keyboard-{app}-{size}",
        viewport=SIZES[size],
        init_script=WATCH_ALADIN if app == "explore_the_sky" else None,
    )
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".widget-slider, .widget-button, .jupyter-button", timeout=30_000)
    if app == "explore_the_sky":
        page.wait_for_selector(".aladin-widget canvas", timeout=60_000)
    return page


def tab_round(page) -> tuple[list[str], list[dict]]:
    """Press Tab from the top of the page until focus comes back to the first control.

    Returns the page's controls (document order) and what each press of Tab focused.
    """
    controls = page.evaluate(NUMBER_CONTROLS)
    visited = []
    for _ in range(3 * len(controls) + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is not None and visited and focused["kbd"] == visited[0]["kbd"]:
            return controls, visited
        if focused is not None:
            visited.append(focused)
    raise AssertionError(
        "focus never came back to the first control (a trap?): "
        f"{[v['name'] for v in visited[-6:]]}"
    )


def tab_to(page, test: str, arg: str, most: int = 60) -> None:
    """Press Tab until ``test`` (JavaScript, given the focused element and ``arg``) holds."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"arg => (e => {test})(document.activeElement)", arg):
            return
    raise AssertionError(f"{test} ({arg!r}) not reached with {most} presses of Tab")


def tab_to_button(page, name: str) -> None:
    tab_to(page, "e.tagName === 'BUTTON' && e.innerText.trim() === arg", name)


def tab_to_slider(page, label: str) -> None:
    """Press Tab until the handle of the slider labelled ``label`` has focus."""
    tab_to(
        page,
        "e.matches('.noUi-handle') &&"
        " e.closest('.widget-slider').querySelector('.widget-label').textContent === arg",
        label,
    )


def tab_to_checkbox(page, label: str) -> None:
    tab_to(
        page,
        "e.type === 'checkbox' && e.closest('.widget-checkbox').innerText.trim() === arg",
        label,
    )


def changes(page, index: int = 0) -> str:
    """A JavaScript test, given the text before, that status line ``index`` changed."""
    return f"before => document.querySelectorAll('.al-status')[{index}].innerText !== before"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("app", APPS)
def test_tab_reaches_every_control_in_page_order_with_a_visible_ring(open_page, app, size):
    page = open_app(open_page, app, size)
    controls, visited = tab_round(page)
    names = [v["name"] for v in visited]
    assert sorted({v["kbd"] for v in visited if v["kbd"] is not None}) == list(
        range(len(controls))
    ), f"not reached by Tab: {set(controls) - set(names)}"
    assert all(v["kbd"] is not None for v in visited), f"focus on a hidden element: {names}"
    # Tab order is document order (no positive tabindex), and the page reads top to
    # bottom: no control lies above the one focused before it, by more than the height
    # of a line (side by side in a row, a slider's small handle ends above a button).
    assert [v["kbd"] for v in visited] == sorted(v["kbd"] for v in visited), names
    for before, after in itertools.pairwise(visited):
        assert after["bottom"] + LINE > before["top"], f"{after['name']} above {before['name']}"
    for control in visited:
        assert control["style"] not in ("none", "hidden"), f"no focus ring: {control}"
        assert control["width"] >= 2, f"focus ring thinner than 2 px: {control}"
        ring = contrast(control["colour"], control["behind"])
        assert ring >= 3, f"focus ring contrast {ring:.2f}: {control}"


def keyboard_hr_diagram(page) -> None:
    before = status(page)
    tab_to_slider(page, "closer than (pc):")
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    wait_until(page, changes(page), arg=before)
    tab_to_button(page, "Apparent brightness G")
    page.keyboard.press("Space")
    wait_until(page, "document.querySelector('.al-status').innerText.includes('blur')")


def slide_then_ask(page, slider: str, key: str, times: int, button: str, answer: str) -> None:
    """Move ``slider`` with ``key``, pressed ``times``: the status line must change. Then
    press Enter on ``button``: the second status line must come to include ``answer``."""
    before = status(page)
    tab_to_slider(page, slider)
    for _ in range(times):
        page.keyboard.press(key)
    wait_until(page, changes(page), arg=before)
    tab_to_button(page, button)
    page.keyboard.press("Enter")
    wait_until(
        page,
        "answer => document.querySelectorAll('.al-status')[1].innerText.includes(answer)",
        arg=answer,
        timeout=60_000,
    )


def keyboard_you_vs_the_machine(page) -> None:
    slide_then_ask(
        page, "move the line", "ArrowRight", 6, "Test both on 250 new objects", "the machine "
    )


def keyboard_find_the_hidden_cluster(page) -> None:
    slide_then_ask(page, "radius", "ArrowRight", 1, "Ask the machine (HDBSCAN)", "picked")


def keyboard_catch_a_transient(page) -> None:
    tab_to_slider(page, "brightest on day")
    page.keyboard.press("End")
    tab_to_button(page, "Check my guess")
    page.keyboard.press("Space")
    wait_until(page, "document.querySelector('.al-status').innerText.includes('BTS')")
    assert "Score: 0 right of 1" in status(page, 1)
    before = status(page)
    tab_to_button(page, "Next supernova")
    page.keyboard.press("Enter")
    wait_until(page, changes(page), arg=before)


def keyboard_train_a_neural_network(page) -> None:
    focused = "name => document.activeElement.innerText.trim() === name"
    tab_to_button(page, "Train")
    page.keyboard.press("Enter")
    wait_until(
        page,
        "/After \\d+ epochs/.test(document.querySelectorAll('.al-status')[1].innerText)",
        timeout=60_000,
    )
    # Train is disabled while it trains: the focus must not be lost with it.
    wait_until(page, focused, arg="Stop")
    page.keyboard.press("Space")
    wait_until(page, focused, arg="Train")
    assert not page.evaluate("document.activeElement.disabled")


def keyboard_explore_the_sky(page) -> None:
    tab_to(page, "e.placeholder === arg", "M31, Pleiades, LMC or 83.63 22.01")
    page.keyboard.type("LMC")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('.al-status').innerText.startsWith('LMC:')")
    tab_to_button(page, "gamma-ray")
    page.keyboard.press("Space")
    wait_until(page, "document.body.innerText.includes('Fermi LAT gamma-ray sky (')")
    tab_to_checkbox(page, "SDSS quasars")
    page.keyboard.press("Space")
    wait_until(page, "document.querySelector('.al-status').innerText.includes('quasars')")
    move_the_sky_by_keyboard(page)


#: Where Aladin Lite's view is: its centre (RA, Dec in degrees, ICRS) and width (degrees).
SKY_VIEW = "() => { const v = window.__aladinViews[0]; return [...v.getRaDec(), v.getFov()[0]] }"


def press_and_read_sky(page, button: str, key: str) -> tuple[SkyCoord, SkyCoord, float, float]:
    """Tab to ``button``, press ``key``; the view's centre and width before and after."""
    tab_to_button(page, button)
    *before, width = page.evaluate(SKY_VIEW)
    page.keyboard.press(key)
    wait_until(page, f"before => String(({SKY_VIEW})()) !== String(before)", arg=[*before, width])
    *after, new_width = page.evaluate(SKY_VIEW)
    assert page.evaluate("document.activeElement.innerText.trim()") == button
    return SkyCoord(*before, unit="deg"), SkyCoord(*after, unit="deg"), width, new_width


def move_the_sky_by_keyboard(page) -> None:
    """Move the sky right and up with the keyboard, then zoom in: Aladin Lite follows.

    The sky is drawn north up and east to the left, so Right moves the centre west
    (position angle 270°, to lower RA) and Up moves it north (0°), each by a quarter of
    the view's width.
    """
    for button, key, angle in (("Right", "Enter", 270), ("Up", "Space", 0)):
        before, after, width, _ = press_and_read_sky(page, button, key)
        assert before.separation(after).deg == pytest.approx(width / 4, rel=0.01)
        towards = before.position_angle(after).deg
        turn = (towards - angle + 180) % 360 - 180
        assert abs(turn) < 1, f"{button} moved the view to position angle {towards:.1f}°"
    before, after, width, new_width = press_and_read_sky(page, "Zoom in", "Enter")
    assert new_width == pytest.approx(width / 2, rel=0.01)
    assert before.separation(after).arcsec < 1
    where = page.get_by_role("status").filter(has_text="Centre RA").inner_text()
    assert f"RA {after.ra.deg:.2f}°" in where and f"{new_width:.3g}° across" in where


KEYBOARD = {
    "explore_the_sky": keyboard_explore_the_sky,
    "catch_a_transient": keyboard_catch_a_transient,
    "find_the_hidden_cluster": keyboard_find_the_hidden_cluster,
    "hr_diagram": keyboard_hr_diagram,
    "train_a_neural_network": keyboard_train_a_neural_network,
    "you_vs_the_machine": keyboard_you_vs_the_machine,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("app", APPS)
def test_the_main_controls_work_by_keyboard_alone(open_page, app, size):
    assert app in KEYBOARD, f"app {app} has no keyboard script in this test"
    page = open_app(open_page, app, size)
    KEYBOARD[app](page)
    assert_clean(page)
