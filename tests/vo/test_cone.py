"""Cone search: mirror (TAP and SCS) and offline snapshot give the same stars."""

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data, vo
from astropy.coordinates import SkyCoord


def _ids(table):
    return set(np.asarray(table["source_id"]).tolist())


def test_offline_cone_matches_a_brute_force_selection_of_the_bundled_data():
    stars = data.load("gaia_pleiades")
    centre = SkyCoord(56.75 * u.deg, 24.12 * u.deg)
    expected = stars[SkyCoord(stars["ra"], stars["dec"]).separation(centre) < 12 * u.arcmin]
    found = vo.cone_search("gaia_dr3", "56.75 24.12", 12 * u.arcmin, backend="offline")
    assert _ids(found) == set(expected["source_id"].tolist())
    assert np.all(np.diff(np.asarray(found["dist"])) >= 0)  # nearest first
    assert found.meta["source"] == "offline snapshot"


@pytest.mark.mirror
def test_mirror_tap_scs_and_offline_agree(mirror):
    kwargs = {"center": "Pleiades", "radius": 20 * u.arcmin}
    tap = vo.cone_search("gaia_dr3", backend="mirror", **kwargs)
    scs = vo.cone_search("gaia_dr3", backend="mirror", protocol="scs", **kwargs)
    offline = vo.cone_search("gaia_dr3", backend="offline", **kwargs)
    assert len(tap) > 20
    assert _ids(tap) == _ids(scs) == _ids(offline)
    assert tap.meta["source"] == scs.meta["source"] == "mirror"
    assert np.allclose(np.asarray(tap["dist"]), np.asarray(offline["dist"]), atol=1e-9)


@pytest.mark.mirror
def test_sdss_cone_on_the_mirror_has_sdss_columns(mirror):
    found = vo.cone_search("sdss", "183.53 0.09", 0.5 * u.deg, backend="mirror")
    assert {"u", "g", "r", "i", "z", "redshift", "class"} <= set(found.colnames)
    assert set(np.unique(np.asarray(found["class"]))) <= {"STAR", "GALAXY", "QSO"}


@pytest.mark.mirror
def test_auto_uses_the_mirror_when_live_is_down(mirror, refused_url):
    vo.config.settings.live_urls["gaia_dr3"] = refused_url
    found = vo.cone_search("gaia_dr3", "NGC 188", 5 * u.arcmin)
    assert found.meta["source"] == "mirror"


def test_auto_ends_offline_when_live_and_mirror_are_down(refused_url):
    vo.config.settings.live_urls["gaia_dr3"] = refused_url
    vo.config.settings.mirror_url = refused_url.removesuffix("/tap")
    found = vo.cone_search("gaia_dr3", "NGC 188", 5 * u.arcmin)
    assert found.meta["source"] == "offline snapshot"
    assert "unreachable" in found.meta["fallback_reason"]


def test_offline_cone_outside_the_snapshot_explains_the_coverage():
    with pytest.raises(vo.EmptyResultError, match=r"Pleiades.*NGC 188.*COSMOS"):
        vo.cone_search("gaia_dr3", "M31", 10 * u.arcmin, backend="offline")


def test_offline_cone_respects_maxrec():
    with pytest.raises(vo.TruncatedResultError, match="maxrec=10"):
        vo.cone_search("gaia_dr3", "Pleiades", 1 * u.deg, backend="offline", maxrec=10)


def test_twomass_offline_uses_vizier_column_names():
    found = vo.cone_search("twomass", "NGC 188", 2 * u.arcmin, backend="offline")
    assert {"RAJ2000", "DEJ2000", "Jmag"} <= set(found.colnames)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"radius": 0.1}, "has no unit"),
        ({"radius": 10 * u.deg}, "larger than"),
        ({"catalog": "gaia_dr9"}, "not known"),
        ({"protocol": "ftp"}, "protocol"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    call = {
        "catalog": "gaia_dr3",
        "center": "Pleiades",
        "radius": 1 * u.arcmin,
        "backend": "offline",
    }
    call.update(kwargs)
    with pytest.raises(vo.VOError, match=message):
        vo.cone_search(**call)
