"""'You vs the machine' (apps/you_vs_the_machine.md): what it claims is what the data show,
it scores on held-out objects, and a visitor can play it by keyboard, on a phone.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from astrolearn import data

from tests.apps.conftest import assert_fits_and_accessible, run_app
from tests.apps.test_apps_browser import assert_clean, press, readout, status, wait_until

APP = "/voila/render/you_vs_the_machine.ipynb"


@pytest.fixture(scope="module")
def app():
    return run_app("you_vs_the_machine")


@pytest.fixture(scope="module")
def sample():
    objects = data.load("sdss_star_quasar")
    mag = {band: np.asarray(objects[f"{band}_mag"], float) for band in "ugriz"}
    return mag, np.asarray(objects["class"]).astype(str) == "QSO", objects


def percent(text: str, pattern: str) -> int:
    return int(re.search(pattern, text).group(1))


def test_what_the_page_says_about_the_quasars_is_what_the_data_show(app, sample):
    mag, quasar, objects = sample
    u_g = mag["u"] - mag["g"]
    z = np.asarray(objects["redshift"], float)[quasar]
    text = html.unescape(app["explanation"]().value)
    # High-redshift quasars, not the textbook low-z ones...
    assert z.min() > 2.19 and z.max() < 3.5 and "redshifts 2.2 to 3.5" in text
    # ...so only about a third pass u - g < 0.6: in u - g they are bluer than the stars,
    # but by less than the rule assumes.
    share = np.mean(u_g[quasar] < 0.6)
    assert share == pytest.approx(0.336) and f"but only {share:.0%} of these" in text
    # The rule works for the nearer quasars it was made for.
    more = data.load("sdss_quasars")
    nearer = np.asarray(more["redshift"], float) < z.min()
    nearer_u_g = (np.asarray(more["u_mag"], float) - np.asarray(more["g_mag"], float))[nearer]
    assert np.mean(nearer_u_g < 0.6) > 0.9 and np.median(nearer_u_g) < 0.3
    assert f"finds {np.mean(nearer_u_g < 0.6):.0%} of {nearer.sum():,} SDSS quasars" in text
    assert f"(their median u − g is {np.median(nearer_u_g):.2f})" in text
    medians = np.median(u_g[quasar]), np.median(u_g[~quasar])
    assert medians == pytest.approx((0.77, 1.18), abs=0.005)
    assert "median u − g is {:.2f}, the stars' {:.2f}".format(*medians) in text
    # The best straight line in u - g / g - r sorts about 71%; the red pair does best.
    assert re.search(r"sorts (7[0-3])% of the practice objects", text)
    assert "best pair is r − i across and i − z up" in text
    assert re.search(r"straight line can sort (8[3-6])%", text)
    i_z = mag["i"] - mag["z"]
    assert np.median(i_z[quasar]) > np.median(i_z[~quasar])  # "redder than the stars"
    assert "in i − z the quasars are redder" in text
    assert "Quasars are blue" not in text


def test_the_visitor_practises_on_one_part_and_is_tested_on_the_rest(app, sample):
    _, quasar, _ = sample
    practice, held_out = app["practice"], app["held_out"]
    assert len(practice) == 750 and len(held_out) == 250
    assert np.intersect1d(practice, held_out).size == 0
    # The plot shows only the practice objects.
    shown = len(app["stars_mark"].x) + len(app["quasars_mark"].x)
    assert shown == len(practice)
    # The starting line is the textbook rule, u - g < 0.6, scored on the practice objects.
    u_g = app["COLOURS"]["u − g"]
    practice_score = np.mean((u_g[practice] < 0.6) == quasar[practice])
    assert f"sorts {practice_score:.0%} of the 750" in app["your_score"].value
    scores = app["test_both"]()
    assert scores["you"][0] == pytest.approx(practice_score)
    held_out_score = np.mean((u_g[held_out] < 0.6) == quasar[held_out])
    assert scores["you"][1] == pytest.approx(held_out_score)
    # Scores on unseen objects are not the practice scores.
    assert scores["you"][1] != scores["you"][0]
    assert scores["machine"][1] < scores["machine"][0]
    assert scores["machine"][1] > scores["you"][1]
    report = app["test_report"].value
    assert f"you {held_out_score:.0%} (practice {practice_score:.0%})" in report


def test_other_colours_change_the_plot_and_the_machine_uses_them_too(app):
    app["across"].value, app["up"].value = "r − i", "i − z"
    try:
        assert app["x_axis"].label == "r − i (mag)" and app["y_axis"].label == "i − z (mag)"
        assert "Not tested yet" in app["test_report"].value
        scores = app["test_both"]()
        # A tree on r - i and i - z: better than a line in u - g, worse than on u - g/g - r.
        assert 0.78 < scores["machine"][1] < 0.9
        app["up"].value = "r − i"
        assert "two different colours" in app["your_score"].value
        assert app["test_both"]() is None
        assert "two different colours" in app["test_report"].value
    finally:
        app["start_again"]()
    assert (app["across"].value, app["up"].value, app["turn"].value) == ("u − g", "g − r", 0)


def test_a_failure_is_said_kindly_and_the_button_works_again(app, monkeypatch):
    def broken():
        raise RuntimeError("the tree fell over")

    monkeypatch.setitem(app, "scores_on_both", broken)
    assert app["test_both"]() is None
    assert "Sorry, something went wrong" in app["test_report"].value
    assert "tree fell" not in app["test_report"].value
    assert not app["test_button"].disabled


@pytest.mark.browser
@pytest.mark.slow
def test_a_keyboard_visitor_turns_the_line_tests_it_and_starts_again(open_page):
    page = open_page(APP, "you_vs_the_machine-keyboard")
    page.wait_for_selector(".al-status p", timeout=90_000)
    first = status(page)
    before = percent(first, r"sorts (\d+)%")
    # Turned by 180 degrees around the crowd's middle, and moved back to where it was:
    # the same line with its sides swapped.
    press(page, 1, "ArrowRight", 36)
    shift = float(page.locator(".widget-readout").nth(0).inner_text().replace("−", "-"))
    press(page, 0, "ArrowRight" if shift < 0 else "ArrowLeft", round(abs(2 * shift) / 0.05))
    wait_until(page, "t => document.querySelector('.al-status').innerText !== t", arg=first)
    page.traffic.wait_for_kernel(readout(page, 0), readout(page, 1))  # the last updates
    assert float(page.locator(".widget-readout").nth(0).inner_text().replace("−", "-")) == -shift
    assert percent(status(page), r"sorts (\d+)%") in (100 - before - 1, 100 - before, 101 - before)
    page.get_by_label("across").select_option("r − i")
    page.get_by_label("up").select_option("i − z")
    wait_until(page, "() => document.body.innerText.includes('r − i (mag)')")
    page.get_by_role("button", name="Test both on 250 new objects").focus()
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelectorAll('.al-status')[1].innerText.includes('%')")
    verdict = status(page, 1)
    machine = percent(verdict, r"the machine (\d+)% \(practice")
    machine_practice = percent(verdict, r"the machine \d+% \(practice (\d+)%")
    assert machine != machine_practice, verdict
    page.get_by_role("button", name="Start again").focus()
    page.keyboard.press("Enter")
    wait_until(page, "t => document.querySelector('.al-status').innerText === t", arg=first)
    assert "Not tested yet" in status(page, 1)
    assert_clean(page)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_it_fits_the_screen_and_axe_finds_nothing_serious(open_page, width):
    page = open_page(APP, f"you_vs_the_machine-{width}", viewport={"width": width, "height": 844})
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".noUi-handle[aria-labelledby]")
    assert_fits_and_accessible(page, width)
    assert_clean(page)
