"""'Build an HR diagram from Gaia' (apps/hr_diagram.md): its words and claims against the data."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from astrolearn import content, data

from tests.apps.conftest import assert_fits_and_accessible, run_app
from tests.apps.test_apps_browser import assert_clean, wait_until

APP_FOLDER = content.folder("apps")

APP = "/voila/render/hr_diagram.ipynb"


# The right edge of the rightmost widget on the page, in CSS pixels.
@pytest.fixture(scope="module")
def app():
    return run_app("hr_diagram")


def said(line) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", line.value))


def test_m_g_is_called_an_absolute_magnitude_not_true_luminosity(app):
    source = (APP_FOLDER / "hr_diagram.md").read_text().lower()
    assert "true luminosity" not in source
    labels = [label for label, _ in app["brightness"].options]
    assert "Absolute magnitude M_G" in labels
    note = said(app["explain"])
    assert (
        "M_G is the absolute G magnitude" in note and "not the star's total (bolometric)" in note
    )


def test_what_the_page_says_about_the_stars_is_what_the_data_show(app):
    stars = data.load("gaia_100pc")
    parallax = np.asarray(stars["parallax"], float)
    assert len(stars) == 4096  # "4,096 stars near the Sun"
    assert (1000.0 / parallax).max() <= 100.0  # "within 100 pc"
    assert np.isfinite(np.asarray(stars["radial_velocity"], float)).all()
    g = np.asarray(stars["phot_g_mean_mag"], float)
    absolute = g + 5 * np.log10(parallax / 100)
    colour = np.asarray(stars["phot_bp_mean_mag"] - stars["phot_rp_mean_mag"], float)
    # "No white dwarfs": nothing below the main sequence, where they would be.
    assert np.sum(absolute > 10 + 2.5 * colour) == 0
    note = said(app["explain"])
    assert "No white dwarfs: 0 of these stars lie below the main sequence" in note
    assert "All 4,096 stars of this sample have a Gaia radial velocity" in note
    # The plot's range holds every star, bright at the top.
    assert app["y_scale"].min > absolute.max() and app["y_scale"].max < absolute.min()
    assert f"{np.isfinite(colour).sum():,} stars shown" in note


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_it_fits_the_screen_and_axe_finds_nothing_serious(open_page, width):
    page = open_page(APP, f"hr_diagram-{width}", viewport={"width": width, "height": 844})
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".noUi-handle[aria-labelledby]")
    assert_fits_and_accessible(page, width)
    # The keyboard reaches the y-axis buttons: M_G is named as the absolute magnitude.
    page.get_by_role("button", name="Apparent brightness G").focus()
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelector('.al-status').innerText.includes('blur')")
    # Which button is on is said by more than its shade: to screen readers with
    # aria-pressed, to the eye with bold text and a bar along its bottom edge.
    on = page.get_by_role("button", name="Apparent brightness G")
    off = page.get_by_role("button", name="Absolute magnitude M_G")
    wait_until(page, "() => document.querySelectorAll('button[aria-pressed=true]').length")
    assert (on.get_attribute("aria-pressed"), off.get_attribute("aria-pressed")) == (
        "true",
        "false",
    )
    looks = "b => [getComputedStyle(b).fontWeight, getComputedStyle(b).boxShadow]"
    (on_weight, on_shadow), (off_weight, off_shadow) = on.evaluate(looks), off.evaluate(looks)
    assert int(on_weight) >= 700 > int(off_weight) and "inset" in on_shadow
    assert "inset" not in off_shadow
    assert_clean(page)


def test_the_colour_axis_holds_every_star(app):
    colour = app["colour"][app["usable"]]
    assert app["x_scale"].min < colour.min() and app["x_scale"].max > colour.max()


def test_start_again_brings_back_the_first_screen(app):
    first = {
        "explain": app["explain"].value,
        "title": app["figure"].title,
        "picture": app["points"].mark.image.value,
        "y": (app["y_scale"].min, app["y_scale"].max),
    }
    app["brightness"].value, app["max_distance"].value = "apparent", 30
    assert app["explain"].value != first["explain"] and "30 pc" in app["figure"].title
    app["reset_button"].click()
    assert (app["brightness"].value, app["max_distance"].value) == ("absolute", 100)
    now = {
        "explain": app["explain"].value,
        "title": app["figure"].title,
        "picture": app["points"].mark.image.value,
        "y": (app["y_scale"].min, app["y_scale"].max),
    }
    assert now == first


def test_the_plot_names_the_main_sequence_and_the_giants_where_they_are(app):
    stars = data.load("gaia_100pc")
    parallax = np.asarray(stars["parallax"], float)
    absolute = np.asarray(stars["phot_g_mean_mag"], float) + 5 * np.log10(parallax / 100)
    colour = np.asarray(
        stars["phot_bp_mean_mag"].filled(np.nan) - stars["phot_rp_mean_mag"].filled(np.nan)
    )
    giants = (absolute < 2.5) & (colour > 0.8)  # above the main sequence, red
    labels = {text: label for text, (label, _) in app["annotations"].items()}
    giant_label = labels["red giants"]
    assert abs(giant_label.x[0] - np.median(colour[giants])) < 0.05
    assert abs(giant_label.y[0] - np.median(absolute[giants])) < 0.2
    # The main sequence's label ends beside stars of the sequence: at its colour, most
    # stars (not giants) lie within half a magnitude of it.
    sequence = labels["main sequence"]
    beside = ~giants & (np.abs(colour - sequence.x[0]) < 0.05)
    assert np.mean(np.abs(absolute[beside] - sequence.y[0]) < 0.5) > 0.5
    assert sequence.align == "end" and sequence.x_offset < 0  # text left of the stars
    try:
        app["brightness"].value = "apparent"  # the names belong to absolute magnitudes
        assert not giant_label.visible and not sequence.visible
        app["brightness"].value = "absolute"
        app["max_distance"].value = 40  # no giant within 40 pc, 13 stars by the label
        assert sequence.visible and not giant_label.visible
    finally:
        app["reset_button"].click()
    assert sequence.visible and giant_label.visible
