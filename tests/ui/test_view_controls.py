"""The sky's move and zoom buttons (ViewControls), driven in the kernel (no browser).

The convention under test: the view is drawn north up and east to the left, as the sky
is seen from the ground, so "Right" moves the view west, to lower right ascension.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from astrolearn.ui import MultiBandSky, OfflineAladin, SkyViewer
from astrolearn.ui.sky import ViewControls
from astropy.coordinates import SkyCoord


def controls_at(ra: float, dec: float, fov: float, frame: str = "ICRS") -> ViewControls:
    return ViewControls(OfflineAladin(survey="", target=f"{ra} {dec}", fov=fov, coo_frame=frame))


@pytest.mark.parametrize(
    ("button", "east", "north"),
    [("Left", 1, 0), ("Right", -1, 0), ("Up", 0, 1), ("Down", 0, -1)],
)
def test_each_button_moves_a_quarter_of_the_field_the_way_it_says(button, east, north):
    controls = controls_at(10.0, 20.0, 4.0)
    before = controls.aladin.target
    controls.buttons[button].click()
    after = controls.aladin.target
    assert before.separation(after).deg == pytest.approx(1.0, abs=1e-6)  # 4° / 4
    # Small offsets on the sky: east is +RA scaled by cos(Dec), north is +Dec.
    d_east = (after.ra.deg - before.ra.deg) * np.cos(np.radians(20.0))
    d_north = after.dec.deg - before.dec.deg
    assert d_east == pytest.approx(east, abs=0.01)
    assert d_north == pytest.approx(north, abs=0.01)


def test_right_crosses_ra_zero_to_the_top_of_the_circle():
    controls = controls_at(0.5, 0.0, 4.0)
    controls.buttons["Right"].click()
    assert controls.aladin.target.ra.deg == pytest.approx(359.5, abs=1e-6)
    assert "RA 359.50°" in controls.where.value


def test_up_goes_over_the_pole_and_keeps_going():
    controls = controls_at(30.0, 89.5, 4.0)
    controls.buttons["Up"].click()
    # One degree north of Dec 89.5 is half a degree past the pole, on the far side.
    target = controls.aladin.target
    assert target.dec.deg == pytest.approx(89.5, abs=1e-6)
    assert target.ra.deg == pytest.approx(210.0, abs=1e-6)


def test_a_galactic_view_moves_along_galactic_longitude():
    centre = SkyCoord(l=0.0, b=0.0, unit="deg", frame="galactic").icrs
    controls = controls_at(centre.ra.deg, centre.dec.deg, 8.0, frame="galactic")
    controls.buttons["Right"].click()
    moved = controls.aladin.target.galactic
    assert moved.l.wrap_at("180d").deg == pytest.approx(-2.0, abs=1e-4)
    assert moved.b.deg == pytest.approx(0.0, abs=1e-4)


def test_zoom_halves_and_doubles_within_the_range_and_says_so():
    controls = ViewControls(OfflineAladin(survey="", fov=1.0), fov_range=(0.3, 3.0))
    controls.zoom_in.click()
    assert controls.aladin.fov.to_value("deg") == pytest.approx(0.5)
    assert "0.5° across" in controls.where.value
    controls.zoom_in.click()
    assert controls.aladin.fov.to_value("deg") == pytest.approx(0.3)
    for _ in range(5):
        controls.zoom_out.click()
    assert controls.aladin.fov.to_value("deg") == pytest.approx(3.0)


def test_the_readout_follows_the_view_moved_by_the_mouse():
    controls = controls_at(10.0, 20.0, 4.0)
    # What Aladin Lite sends when the sky is dragged.
    controls.aladin._target = "83.633 -5.391"
    text = re.sub(r"<[^>]+>", "", controls.where.value)
    assert text == "Centre RA 83.63°, Dec -5.39°; 4° across"
    assert "role='status'" in controls.where.value
    # A page may send anything: the line keeps what it said.
    for nonsense in ("not a position", "1 2 3", "10 1e999", ""):
        controls.aladin._target = nonsense
        assert re.sub(r"<[^>]+>", "", controls.where.value) == text


def test_both_sky_views_have_the_buttons_touch_sized():
    for view in (SkyViewer(offline=True), MultiBandSky(online=False)):
        buttons = [*view.controls.buttons.values(), view.controls.zoom_in, view.controls.zoom_out]
        assert view.controls in view.children
        names = [b.description for b in buttons]
        assert names == ["Left", "Right", "Up", "Down", "Zoom in", "Zoom out"]
        assert all(b.layout.height == "44px" and b.layout.min_width == "44px" for b in buttons)
