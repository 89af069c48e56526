"""Cone search: mirror (TAP and SCS) and offline snapshot give the same stars."""

import warnings

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
    # both reasons: the live service and the mirror
    assert found.meta["fallback_reason"].count("unreachable") == 2


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


@pytest.mark.mirror
@pytest.mark.parametrize("protocol", ["tap", "scs"])
def test_an_overflowing_cone_is_an_error_by_scs_as_by_tap(mirror, protocol):
    # DaCHS marks the SCS overflow in the results RESOURCE, where pyvo does not look:
    # the table used to come back silently cut.
    with pytest.raises(vo.TruncatedResultError, match="maxrec=7") as caught:
        vo.cone_search(
            "gaia_dr3", "Pleiades", 1 * u.deg, backend="mirror", protocol=protocol, maxrec=7
        )
    assert len(caught.value.table) == 7
    assert "allow_truncated" not in str(caught.value)  # cone_search has no such argument


@pytest.mark.mirror
def test_a_cone_within_maxrec_is_not_reported_truncated(mirror):
    full = vo.cone_search("gaia_dr3", "Pleiades", 10 * u.arcmin, backend="mirror")
    for protocol in ("tap", "scs"):
        found = vo.cone_search(
            "gaia_dr3",
            "Pleiades",
            10 * u.arcmin,
            backend="mirror",
            protocol=protocol,
            maxrec=len(full) + 1,
        )
        assert len(found) == len(full)


@pytest.mark.mirror
@pytest.mark.parametrize("protocol", ["tap", "scs"])
def test_an_empty_cone_suggests_no_missing_argument(mirror, protocol):
    with pytest.raises(vo.EmptyResultError) as caught:
        vo.cone_search("gaia_dr3", "M31", 5 * u.arcmin, backend="mirror", protocol=protocol)
    message = str(caught.value)
    assert "allow_empty" not in message and "Pleiades" in message  # states the coverage


def test_an_offline_cone_beyond_the_bundled_field_warns_and_states_coverage():
    with pytest.warns(vo.PartialCoverageWarning, match=r"covers only Pleiades.*COSMOS"):
        found = vo.cone_search("gaia_dr3", "Pleiades", 1.5 * u.deg, backend="offline")
    assert found.meta["complete"] is False and "NGC 188" in found.meta["coverage"]
    for center, radius in (("Pleiades", 0.5 * u.deg), ("150.13 2.24", 0.9 * u.deg)):
        with warnings.catch_warnings():
            warnings.simplefilter("error", vo.PartialCoverageWarning)
            inside = vo.cone_search("gaia_dr3", center, radius, backend="offline")
        assert inside.meta["complete"] is True
    with pytest.warns(vo.PartialCoverageWarning):  # over the edge of the COSMOS field
        vo.cone_search("gaia_dr3", "151.0 2.24", 0.3 * u.deg, backend="offline")


def test_a_nan_position_is_invalid_input_not_an_empty_result():
    for center in (SkyCoord(np.nan * u.deg, 0 * u.deg), SkyCoord(10 * u.deg, np.nan * u.deg)):
        with pytest.raises(vo.InvalidInputError, match="no finite position"):
            vo.cone_search("gaia_dr3", center, 1 * u.arcmin, backend="offline")


def test_auto_fallback_to_the_mirror_says_why(mirror, refused_url):
    vo.config.settings.live_urls["gaia_dr3"] = refused_url
    found = vo.cone_search("gaia_dr3", "NGC 188", 5 * u.arcmin)
    assert found.meta["source"] == "mirror"
    assert "unreachable" in found.meta["fallback_reason"]
    table = vo.tap("gaia_dr3").run("SELECT TOP 1 source_id FROM gaiadr3.gaia_source")
    assert table.meta["source"] == "mirror" and "fallback_reason" in table.meta
