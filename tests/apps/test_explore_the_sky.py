"""The app "Explore the sky": its widgets in the kernel, and the page in real Chromium."""

from __future__ import annotations

import re

import pytest
from astrolearn import data
from astrolearn.data import sky
from astropy.coordinates import SkyCoord

from tests.apps.conftest import assert_fits_and_accessible, run_app

APP = "/voila/render/explore_the_sky.ipynb"


@pytest.fixture(scope="module")
def app():
    return run_app("explore_the_sky")


def said(line) -> str:
    return re.sub(r"<[^>]+>", "", line.value)


def test_it_opens_on_the_galactic_centre_in_every_local_band(app):
    view = app["sky"]
    # Sgr A*: l = 0, b = 0 (ICRS RA 266.405, Dec -28.936).
    centre = SkyCoord(0, 0, unit="deg", frame="galactic")
    assert view.aladin.target.separation(centre).deg < 0.01
    assert [layer["name"] for layer in view.aladin._layers] == [s.id for s in sky.surveys()]


def test_a_name_travels_offline_and_a_wrong_one_is_explained(app):
    app["name_box"].value = "Large Magellanic Cloud"
    # The LMC: RA 05h23m34s, Dec -69d45m22s (SIMBAD).
    lmc = SkyCoord("05h23m34.5s", "-69d45m22s")
    assert app["sky"].aladin.target.separation(lmc).arcmin < 1
    assert "b -32.9°" in said(app["explain"])  # the LMC lies 33° below the plane
    app["name_box"].value = "<script>nowhere</script>"
    message = said(app["explain"])
    assert "not in the offline list" in message and "Pleiades" in message
    assert "<script>" not in app["explain"].value


def test_catalogues_go_on_and_off_the_sky(app):
    quasars = app["boxes"][1]
    quasars.value = True
    assert "SDSS quasars" in app["sky"].aladin.overlays
    assert f"{len(data.load('sdss_quasars')):,} on the sky" in said(app["explain"])
    quasars.value = False
    assert "SDSS quasars" not in app["sky"].aladin.overlays


def test_the_credit_names_the_maps_on_screen(app):
    app["sky"].show_band("fermi-lat-gamma")
    credit = app["sky"].credits.value.replace("&amp;", "&")
    assert sky.survey("fermi-lat-gamma").credit in credit
    assert sky.survey("gaia-edr3-optical").credit not in credit


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_it_fits_the_screen_and_axe_finds_nothing_serious(open_page, width):
    page = open_page(APP, f"explore_the_sky-{width}", viewport={"width": width, "height": 844})
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".aladin-widget canvas", timeout=60_000)
    assert_fits_and_accessible(page, width)


def test_start_again_brings_back_the_galactic_centre_in_starlight(app):
    view = app["sky"]
    app["name_box"].value = "Pleiades"
    app["boxes"][0].value = True
    view.show_band("fermi-lat-gamma")
    app["reset_button"].click()
    centre = SkyCoord(0, 0, unit="deg", frame="galactic")
    assert view.aladin.target.separation(centre).deg < 0.01
    assert view.aladin.fov.to_value("deg") == pytest.approx(60.0)
    assert view.blend.value == 0.0 and app["name_box"].value == ""
    assert not any(box.value for box in app["boxes"]) and not view.aladin.overlays
    assert said(app["explain"]).startswith("The Galactic centre, 60° across.")
