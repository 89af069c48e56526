"""ml/streams.py: the GD-1 frame, the solar reflex, polygons and purity/completeness.

The frame and the reflex correction are checked against the values that the bundled
GD-1 table carries, which were computed with gala (``GD1Koposov10``, ``reflex_correct``)
by the course the data come from: an implementation independent of ours.
"""

from __future__ import annotations

import astropy.coordinates as coord
import astropy.units as u
import numpy as np
import pytest
from astrolearn import data
from astrolearn.ml import streams
from astropy.coordinates import SkyCoord


@pytest.fixture(scope="module")
def gd1_field():
    return data.load("gaia_gd1")


def _sky(table):
    return SkyCoord(
        ra=table["ra"],
        dec=table["dec"],
        pm_ra_cosdec=table["pmra"],
        pm_dec=table["pmdec"],
        distance=8 * u.kpc,
        radial_velocity=0 * u.km / u.s,
    )


def test_frame_reproduces_the_published_stream_coordinates(gd1_field):
    gd1 = _sky(gd1_field).transform_to(streams.GD1Koposov10())
    assert np.max(np.abs(gd1.phi1.deg - gd1_field["phi1"])) < 1e-6
    assert np.max(np.abs(gd1.phi2.deg - gd1_field["phi2"])) < 1e-6
    # phi1 is quoted about 0, not wrapped to 290-340 deg.
    assert gd1.phi1.deg.min() > -70.1 and gd1.phi1.deg.max() < -19.9


def test_frame_is_a_rotation_that_round_trips():
    # The matrix is orthonormal; the stream's origin is the matrix's first row in ICRS.
    matrix = streams.KOPOSOV10_MATRIX
    assert np.allclose(matrix @ matrix.T, np.eye(3), atol=1e-8)
    origin = SkyCoord(phi1=0 * u.deg, phi2=0 * u.deg, frame=streams.GD1Koposov10()).icrs
    assert np.allclose(origin.cartesian.xyz.value, matrix[0], atol=1e-8)
    there = SkyCoord(ra=[10, 200] * u.deg, dec=[-30, 60] * u.deg)
    back = there.transform_to(streams.GD1Koposov10()).icrs
    # The published matrix has ten digits: a round trip is exact to about 1e-8 deg.
    assert np.all(there.separation(back) < 1e-7 * u.deg)


def test_reflex_correction_reproduces_the_published_proper_motions(gd1_field):
    gd1 = _sky(gd1_field).transform_to(streams.GD1Koposov10())
    with coord.galactocentric_frame_defaults.set("v4.0"):
        corrected = streams.reflex_correct(gd1, coord.Galactocentric())
    pm1 = corrected.pm_phi1_cosphi2.to_value(u.mas / u.yr)
    pm2 = corrected.pm_phi2.to_value(u.mas / u.yr)
    assert np.max(np.abs(pm1 - gd1_field["pm_phi1"])) < 1e-6
    assert np.max(np.abs(pm2 - gd1_field["pm_phi2"])) < 1e-6


def test_reflex_correction_needs_velocities():
    with pytest.raises(TypeError, match="proper motions"):
        streams.reflex_correct(SkyCoord(ra=1 * u.deg, dec=2 * u.deg))


def test_sky_polygon_has_great_circle_edges(gd1_field):
    corners = SkyCoord(
        phi1=[-70, -20, -20, -70] * u.deg,
        phi2=[-5, -5, 5, 5] * u.deg,
        frame=streams.GD1Koposov10(),
    )
    inside = streams.in_sky_polygon(SkyCoord(ra=gd1_field["ra"], dec=gd1_field["dec"]), corners)
    assert inside.all()  # the bundled field was queried with this polygon
    # An edge bulges outward between its corners: phi2 = 5.3 deg is inside at the
    # middle of the field, outside next to a corner.
    probes = SkyCoord(
        phi1=[-45, -69.5] * u.deg, phi2=[5.3, 5.3] * u.deg, frame=streams.GD1Koposov10()
    )
    assert streams.in_sky_polygon(probes, corners).tolist() == [True, False]
    with pytest.raises(ValueError, match="three"):
        streams.in_sky_polygon(probes, corners[:2])


def test_plane_polygon_and_isochrone_band():
    assert streams.in_polygon([0.5, 1.5], [0.5, 0.5], [0, 1, 1, 0], [0, 0, 1, 1]).tolist() == [
        True,
        False,
    ]
    with pytest.raises(ValueError, match="three"):
        streams.in_polygon([0], [0], [0, 1], [0, 1])
    colour, mag = streams.isochrone_band(
        [0.5, 0.6, 0.7, 0.9], [17, 19, 20, 22], (18, 21), 0.1, 0.2
    )
    assert np.allclose(colour, [0.5, 0.6, 0.9, 0.8])
    assert np.allclose(mag, [19, 20, 20, 19])
    with pytest.raises(ValueError, match="fewer than two"):
        streams.isochrone_band([0.5, 0.6], [10, 11], (18, 21), 0.1, 0.2)


def test_purity_completeness_counts_against_the_reference():
    found = np.array([True, True, True, False, False])
    reference = np.array([True, False, False, True, False])
    result = streams.purity_completeness(found, reference)
    assert result["purity"] == pytest.approx(1 / 3)
    assert result["completeness"] == pytest.approx(1 / 2)
    assert np.isnan(streams.purity_completeness([False], [True])["purity"])
    with pytest.raises(ValueError, match="shape"):
        streams.purity_completeness([True], [True, False])
