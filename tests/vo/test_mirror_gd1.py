"""The GD-1 field on the real DaCHS mirror: gaiadr2.gaia_source, its columns, and ADQL
polygons that select the same stars as the offline path of lesson 13."""

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data, vo
from astrolearn.ml.streams import GD1Koposov10, in_sky_polygon
from astropy.coordinates import SkyCoord

pytestmark = pytest.mark.mirror


def test_gaiadr2_columns_carry_the_archive_names_and_units(mirror):
    columns = vo.tap(f"{mirror}/tap").run(
        "SELECT column_name, unit, description FROM tap_schema.columns "
        "WHERE table_name = 'gaiadr2.gaia_source'"
    )
    units = dict(zip(columns["column_name"], columns["unit"], strict=True))
    expected = {"source_id": "", "ra": "deg", "dec": "deg", "parallax": "mas"}
    expected |= {"pmra": "mas/yr", "pmdec": "mas/yr", "radial_velocity": "km/s"}
    assert {name: units.get(name) or "" for name in expected} == expected
    assert all(str(text).strip() for text in columns["description"])


def test_adql_polygons_select_what_the_offline_path_selects(mirror):
    # A sky polygon that cuts through the field (great-circle edges) and a
    # proper-motion triangle: the mirror's answer and the offline selection must name
    # the same stars.
    corners = SkyCoord(
        phi1=[-50, -30, -30, -50] * u.deg, phi2=[-2, -2, 2, 2] * u.deg, frame=GD1Koposov10()
    ).icrs
    sky = ", ".join(f"{c.ra.deg:.6f}, {c.dec.deg:.6f}" for c in corners)
    pm_x, pm_y = np.array([-7.0, -3.0, -5.0]), np.array([-14.5, -13.0, -11.2])
    pm = ", ".join(f"{x}, {y}" for x, y in zip(pm_x, pm_y, strict=True))
    adql = (
        "SELECT source_id FROM gaiadr2.gaia_source WHERE parallax < 0.5 "
        f"AND 1 = CONTAINS(POINT(ra, dec), POLYGON({sky})) "
        f"AND 1 = CONTAINS(POINT(pmra, pmdec), POLYGON({pm}))"
    )
    answer = vo.tap("gaia_dr2", backend="mirror").run(adql, maxrec=20_000)
    assert answer.meta["source"] == "mirror"
    field = data.load("gaia_gd1")
    expected = (
        (np.asarray(field["parallax"]) < 0.5)
        & in_sky_polygon(SkyCoord(ra=field["ra"], dec=field["dec"]), corners)
        # ADQL's POINT is a position on a sphere: the proper-motion polygon too has
        # great-circle edges (a straight-line test differs for stars on an edge).
        & in_sky_polygon(
            SkyCoord(ra=np.asarray(field["pmra"]) * u.deg, dec=np.asarray(field["pmdec"]) * u.deg),
            SkyCoord(ra=pm_x * u.deg, dec=pm_y * u.deg),
        )
    )
    assert 100 < expected.sum() < len(field) // 2  # a real cut, not everything
    assert set(answer["source_id"].tolist()) == set(field["source_id"][expected].tolist())
