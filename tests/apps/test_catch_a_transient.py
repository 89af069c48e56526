"""'Catch a transient' (apps/catch_a_transient.md): the visitor guesses when a real ZTF
supernova peaks, the BTS catalogue marks the guess, and the page says why.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from astrolearn import content, data

from tests.apps.conftest import assert_fits_and_accessible, run_app, serious_axe_violations
from tests.apps.test_apps_browser import assert_clean, press, status, wait_until

APP_FOLDER = content.folder("apps")

APP = "/voila/render/catch_a_transient.ipynb"
IAU_NAME = re.compile(r"^\w+ \((ZTF\w+)\)")  # how a supernova is named on the page


# The right edge of the rightmost widget on the page, in CSS pixels.
@pytest.fixture
def app():
    return run_app("catch_a_transient")


@pytest.fixture(scope="module")
def catalogue():
    events = data.load("ztf_snia_metadata")
    return {name: row for name, row in zip(events["ztf_id"], events, strict=True)}


def said(line) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", line.value))


def test_what_the_page_says_about_rise_times_is_what_the_bts_measured(app):
    rise = np.char.strip(np.asarray(data.load("ztf_snia_metadata")["rise"]).astype(str))
    measured = np.array([float(text) for text in rise if not text.startswith(">")])
    assert len(measured) == 2287 and np.median(measured) == pytest.approx(9.725)
    intro = said(app["intro"])
    assert "take 9.7 days (the median of 2,287 measured by the Bright Transient" in intro
    assert "Within 3 days of the catalogued peak is right" in intro
    assert "(0.75 magnitudes fainter)" in intro  # half the flux: 2.5 log10(2) mag
    # No typed-in rise time: "2-3 weeks" was not what the data say.
    source = (APP_FOLDER / "catch_a_transient.md").read_text()
    assert "week" not in source and "9.7" not in source


def test_each_supernova_is_cut_before_its_peak_and_marked_by_the_catalogue(app, catalogue):
    assert len(app["GAME"]) == 10 and len(set(app["GAME"])) == 10
    for name in app["GAME"]:
        now = app["question"](name)
        assert now["seen"].sum() >= 3  # some of the rise is shown
        assert 2 <= now["peak_day"] - now["today"] <= 9  # the cut lies before the peak
        # The catalogued peak is the brightest observation, within a day.
        brightest = now["days"][np.argmin(now["mag"])]
        assert abs(brightest - now["peak_day"]) < 1.0, name
        assert np.min(now["mag"]) == pytest.approx(float(catalogue[name]["peak_mag"]), abs=0.05)
    # Before the answer nothing after "today" is drawn.
    first = app["question"](app["GAME"][0])
    drawn = np.concatenate([mark.x for mark in app["marks"].values()])
    assert drawn.size == first["seen"].sum() and drawn.max() <= first["today"]


def test_a_wrong_guess_is_marked_wrong_and_a_right_one_right(app, catalogue):
    first = app["question"](app["GAME"][0])
    app["guess"].value = app["guess"].max  # weeks after the peak
    assert app["check"]() is False
    text = said(app["verdict"])
    assert text.startswith("Not this time.")
    name = app["GAME"][0]
    row = catalogue[name]
    assert f"puts the peak of {row['iau_name']} on day {first['peak_day']:.0f}" in text
    assert f"in {float(row['rise']):.1f} days (BTS rise time; type {row['type']})" in text
    assert f"you said day {app['guess'].max}, " in text and "days late" in text
    # How far below the peak it still was "today", in the band of the catalogued peak.
    band = np.char.lower(first["band"]) == str(row["peak_band"])
    fainter = np.min(first["mag"][first["seen"] & band]) - float(row["peak_mag"])
    assert fainter > 0 and f"still {fainter:.1f} magnitudes fainter than at the peak" in text
    assert "Score: 0 right of 1" in said(app["score_line"])
    # The answer is drawn: all of the season and the catalogue's peak.
    assert list(app["peak_line"].x) == [first["peak_day"]] * 2
    assert sum(len(mark.x) for mark in app["marks"].values()) == first["days"].size
    # Answering twice is refused kindly.
    assert app["check"]() is None
    assert "answered this one already" in said(app["verdict"])
    assert "Score: 0 right of 1" in said(app["score_line"])
    # The next supernova starts from its own "today", the controls back at the start.
    app["next_event"]()
    second = app["question"](app["GAME"][1])
    assert app["guess"].value == int(np.ceil(second["today"])) and not app["guess"].disabled
    assert not app["check_button"].disabled and list(app["peak_line"].x) == []
    app["guess"].value = round(second["peak_day"]) + 2  # 2 days late: within 3
    assert app["check"]() is True
    assert said(app["verdict"]).startswith("Right!")
    assert "Score: 1 right of 2 (supernova 2 of 10)" in said(app["score_line"])
    app["start_again"]()
    assert "Score: 0 right of 0 (supernova 1 of 10)" in said(app["score_line"])


def test_four_days_off_is_wrong(app):
    now = app["question"](app["GAME"][0])
    app["guess"].value = round(now["peak_day"] - 4.6)  # 4 to 5 days early
    assert app["check"]() is False and "days early" in said(app["verdict"])


def test_a_failure_is_said_kindly(app, monkeypatch):
    def broken(name):
        raise RuntimeError("the supernova fell over")

    monkeypatch.setitem(app, "question", broken)
    assert app["check"]() is None
    assert "Sorry, something went wrong" in said(app["verdict"])
    assert "fell over" not in said(app["verdict"])


@pytest.mark.browser
@pytest.mark.slow
def test_a_keyboard_visitor_guesses_right_then_wrong_and_starts_again(open_page):
    app = run_app("catch_a_transient")
    first, second = (app["question"](name) for name in app["GAME"][:2])
    page = open_page(APP, "catch_a_transient-keyboard")
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".noUi-handle[aria-labelledby]")
    assert f"today is day {first['today']:.0f}" in status(page)
    steps = round(first["peak_day"]) - int(np.ceil(first["today"]))
    press(page, 0, "ArrowRight", steps)
    wait_until(
        page,
        "v => document.querySelector('.widget-readout').innerText === v",
        arg=str(round(first["peak_day"])),
    )
    page.traffic.wait_for_kernel(round(first["peak_day"]))  # the last key press's update
    page.get_by_role("button", name="Check my guess").focus()
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelector('.al-status').innerText.includes('BTS')")
    assert status(page).startswith("Right!"), status(page)
    assert "Score: 1 right of 1" in status(page, 1)
    page.get_by_role("button", name="Next supernova").focus()
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelector('.al-status').innerText.includes('today')")
    readout = page.locator(".widget-readout").inner_text()
    assert readout == str(int(np.ceil(second["today"])))  # the slider starts again
    press(page, 0, "Home", 1)  # day 0: far too early
    wait_until(page, "() => document.querySelector('.widget-readout').innerText === '0'")
    page.traffic.wait_for_kernel(0)
    page.get_by_role("button", name="Check my guess").focus()
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelector('.al-status').innerText.includes('BTS')")
    assert status(page).startswith("Not this time."), status(page)
    assert re.search(rf"on day {second['peak_day']:.0f}\b", status(page))
    assert "Score: 1 right of 2" in status(page, 1)
    assert serious_axe_violations(page) == []  # the answer drawn, the guess disabled
    page.get_by_role("button", name="Start again").focus()
    page.keyboard.press("Enter")
    wait_until(
        page, "() => document.querySelectorAll('.al-status')[1].innerText.includes('0 right of 0')"
    )
    assert_clean(page)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_it_fits_the_screen_and_axe_finds_nothing_serious(open_page, width):
    page = open_page(APP, f"catch_a_transient-{width}", viewport={"width": width, "height": 844})
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".noUi-handle[aria-labelledby]")
    assert_fits_and_accessible(page, width)
    assert_clean(page)


def test_after_the_last_supernova_the_game_starts_again(app):
    for index in range(len(app["GAME"])):
        now = app["question"](app["GAME"][index])
        app["guess"].value = round(now["peak_day"])
        assert app["check"]() is True
        if index < len(app["GAME"]) - 1:
            app["next_event"]()
    assert "That was the last one: 10 right of 10" in said(app["verdict"])
    app["next_event"]()
    assert "Score: 0 right of 0 (supernova 1 of 10)" in said(app["score_line"])
    assert IAU_NAME.search(said(app["verdict"])).group(1) == app["GAME"][0]
