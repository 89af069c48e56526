"""Positions and radii are checked before any network call, with messages naming the argument."""

import astropy.units as u
import pytest
from astrolearn.vo.errors import InvalidInputError
from astrolearn.vo.inputs import parse_center, parse_radius
from astropy.coordinates import SkyCoord


def test_degrees_and_sexagesimal_strings_give_the_same_position():
    # 03h47m00s = 56.75 deg; +24d07m12s = 24.12 deg
    decimal = parse_center("56.75 24.12")
    sexagesimal = parse_center("03h47m00s +24d07m12s")
    colons = parse_center("03:47:00 +24:07:12")
    assert decimal.separation(sexagesimal) < 0.01 * u.arcsec
    assert decimal.separation(colons) < 0.01 * u.arcsec


def test_galactic_skycoord_is_converted_to_icrs():
    galactic_centre = SkyCoord(0 * u.deg, 0 * u.deg, frame="galactic")
    icrs = parse_center(galactic_centre)
    # The Galactic centre is at RA 266.40, Dec -28.94 (ICRS), by definition of the frame.
    assert icrs.ra.deg == pytest.approx(266.405, abs=0.01)
    assert icrs.dec.deg == pytest.approx(-28.936, abs=0.01)


@pytest.mark.parametrize("bad", ["400 10", "10 -95", "", 12.5, None])
def test_impossible_positions_are_rejected_naming_the_argument(bad):
    with pytest.raises(InvalidInputError, match="center"):
        parse_center(bad, resolver=None)


@pytest.mark.parametrize(
    "bad",
    [
        SkyCoord(float("nan") * u.deg, 0 * u.deg),
        SkyCoord(0 * u.deg, float("nan") * u.deg, frame="galactic"),
    ],
)
def test_nan_positions_are_rejected(bad):
    with pytest.raises(InvalidInputError, match="no finite position"):
        parse_center(bad)


def test_names_go_to_the_resolver():
    seen = []
    parse_center("Pleiades", resolver=lambda name: seen.append(name) or SkyCoord(1, 2, unit="deg"))
    assert seen == ["Pleiades"]


def test_bare_float_radius_is_rejected_with_a_unit_hint():
    with pytest.raises(InvalidInputError, match=r"radius=0\.5 has no unit.*u\.deg"):
        parse_radius(0.5)


@pytest.mark.parametrize(
    ("radius", "message"),
    [
        (-1 * u.arcmin, "positive"),
        (0 * u.deg, "positive"),
        (3 * u.m, "not an angle"),
        (30 * u.deg, "larger than"),
    ],
)
def test_bad_radii_are_rejected(radius, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_radius(radius)


def test_radius_is_returned_in_degrees():
    assert parse_radius(90 * u.arcmin).to_value(u.deg) == pytest.approx(1.5)
