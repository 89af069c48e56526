"""Cross-match: KD-tree for local tables, TAP upload on the mirror, same answers."""

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data, vo
from astropy.coordinates import SkyCoord
from astropy.table import Table


def _twomass_sample(n=300):
    stars = data.load("twomass_ngc188")[:n]
    return Table({"name": stars["_2MASS"], "ra": stars["RAJ2000"], "dec": stars["DEJ2000"]})


def test_local_match_equals_brute_force_pairs():
    mine = _twomass_sample(150)
    gaia = data.load("gaia_ngc188")
    pairs = vo.xmatch(mine, gaia, 2 * u.arcsec)
    # Brute force: every pair closer than 2 arcsec.
    a = SkyCoord(mine["ra"], mine["dec"], unit="deg")
    b = SkyCoord(gaia["ra"], gaia["dec"])
    separations = a[:, None].separation(b[None, :]).arcsec
    expected = {
        (mine["name"][i], gaia["source_id"][j])
        for i, j in zip(*np.nonzero(separations < 2), strict=True)
    }
    assert {(p["name"], p["source_id"]) for p in pairs} == expected
    assert (pairs["angDist"] < 2).all() and pairs["angDist"].unit == u.arcsec
    assert pairs.meta["source"] == "local"


def test_most_2mass_stars_of_ngc188_have_a_gaia_counterpart():
    # 2MASS point sources in the field are mostly G < 19 stars: expect most to match
    # within 1 arcsec (epoch 2000 vs 2016, proper motions of a few mas/yr).
    mine = _twomass_sample(300)
    pairs = vo.xmatch(mine, "gaia_dr3", 1 * u.arcsec, backend="offline")
    matched = len(set(pairs["name"]))
    assert matched / len(mine) > 0.6
    assert np.median(np.asarray(pairs["angDist"])) < 0.3


@pytest.mark.mirror
def test_mirror_upload_match_equals_offline_kd_tree(mirror):
    mine = _twomass_sample(300)
    on_mirror = vo.xmatch(mine, "gaia_dr3", 1 * u.arcsec, backend="mirror")
    offline = vo.xmatch(mine, "gaia_dr3", 1 * u.arcsec, backend="offline")
    assert on_mirror.meta["source"] == "mirror"
    key = lambda t: sorted(zip(t["name"], np.asarray(t["source_id"]).tolist(), strict=True))  # noqa: E731
    assert key(on_mirror) == key(offline)
    assert np.allclose(np.sort(on_mirror["angDist"]), np.sort(offline["angDist"]), atol=1e-6)


def test_missing_position_column_is_named():
    with pytest.raises(vo.InvalidInputError, match="'ra'"):
        vo.xmatch(Table({"x": [1.0], "dec": [2.0]}), "gaia_dr3", 1 * u.arcsec, backend="offline")


def test_radius_needs_a_unit_and_is_bounded():
    mine = _twomass_sample(3)
    with pytest.raises(vo.InvalidInputError, match="has no unit"):
        vo.xmatch(mine, "gaia_dr3", 1.0, backend="offline")
    with pytest.raises(vo.InvalidInputError, match="larger than"):
        vo.xmatch(mine, "gaia_dr3", 2 * u.deg, backend="offline")


def test_live_cds_xmatch_failure_falls_back_in_auto(fault_server, refused_url):
    # astroquery's real XMatch client, pointed at the loopback server answering HTTP 500.
    vo.config.settings.endpoints["xmatch"] = f"{fault_server}/error500/xmatch"
    vo.config.settings.mirror_url = refused_url.removesuffix("/tap")  # no mirror either
    mine = _twomass_sample(20)
    pairs = vo.xmatch(mine, "gaia_dr3", 1 * u.arcsec)
    assert pairs.meta["source"] == "offline snapshot"
    assert "CDS XMatch" in pairs.meta["fallback_reason"]
    with pytest.raises(vo.ServiceUnavailableError):
        vo.xmatch(mine, "gaia_dr3", 1 * u.arcsec, backend="live")


def test_matching_tables_of_two_sources_warns_nothing(recwarn):
    # Lesson 2 matches a Gaia table with the bundled 2MASS one: their meta "source"
    # differ, and a MergeConflictWarning from merging them showed on the course website.
    mine = _twomass_sample(50)
    mine.meta["source"] = "my own list"
    gaia = data.load("gaia_ngc188")
    assert gaia.meta.get("source") not in (None, "my own list")
    assert len(vo.xmatch(mine, gaia, 2 * u.arcsec)) > 0
    assert len(vo.xmatch(gaia, "twomass", 2 * u.arcsec, backend="offline")) > 0
    assert [str(w.message) for w in recwarn] == []
