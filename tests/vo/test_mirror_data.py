"""The mirror's tables are the bundled data in the live services' shape and photometric system."""

import numpy as np
import pytest
from astrolearn import data
from astrolearn.vo import mirror_data


def test_gaia_source_holds_every_positioned_bundled_star():
    table = mirror_data.gaia_source()
    fields = {"pleiades": "gaia_pleiades", "ngc188": "gaia_ngc188", "cosmos": "gaia_cosmos"}
    for field, dataset in fields.items():
        bundled = data.load(dataset)
        positioned = np.isfinite(np.asarray(bundled["ra"], float)).sum()
        assert (table["field"] == field).sum() == positioned
    assert len(np.unique(table["source_id"])) == len(table)


def test_cosmos_magnitudes_are_converted_from_ab_to_gaia_vega():
    table = mirror_data.gaia_source()
    cosmos = data.load("gaia_cosmos")
    cosmos = cosmos[np.isfinite(np.asarray(cosmos["ra"], float))]
    row = table[table["field"] == "cosmos"][0]
    source = cosmos[cosmos["source_id"] == row["source_id"]][0]
    # Riello et al. 2021: G_AB - G_Vega = 25.8010 - 25.6874 = 0.1136 mag.
    assert row["phot_g_mean_mag"] == pytest.approx(source["phot_g_mean_mag"] - 0.1136, abs=1e-5)


def test_bp_rp_is_bp_minus_rp_where_only_magnitudes_are_given():
    table = mirror_data.gaia_source()
    ngc188 = table[table["field"] == "ngc188"]
    known = ~np.ma.getmaskarray(ngc188["bp_rp"])
    colour = np.asarray(ngc188["phot_bp_mean_mag"] - ngc188["phot_rp_mean_mag"])[known]
    assert np.allclose(np.asarray(ngc188["bp_rp"])[known], colour)
    # NGC 188 is an old cluster: its main-sequence turn-off is near BP-RP ~ 0.9-1.0.
    assert 0.6 < np.median(colour) < 1.6


def test_specphoto_ids_are_unique_and_write_fits(tmp_path):
    table = mirror_data.sdss_specphoto()
    assert len(np.unique(table["specid"])) == len(table) == 10_000
    written = mirror_data.write_fits(tmp_path, ["sdss"])
    assert [p.name for p in written] == ["specphoto.fits"]


def test_gaia_dr2_is_its_own_table_with_only_the_archive_columns():
    dr2 = mirror_data.gaia_dr2_source()
    gd1 = data.load("gaia_gd1")
    assert len(dr2) == len(gd1) and set(dr2["field"]) == {"gd1"}
    assert set(dr2.colnames) == set(mirror_data.GAIA_DR2_COLUMNS)
    # The stream coordinates are computed by the learner, not served as archive columns.
    assert not {"phi1", "phi2", "pm_phi1", "pm_phi2"} & set(dr2.colnames)
    assert dr2["pmra"].unit == "mas / yr" and dr2["ra"].unit == "deg"
    # DR2 never joins the DR3 table.
    assert not np.isin(dr2["source_id"], mirror_data.gaia_source()["source_id"]).any()
    assert "gaiadr2.gaia_source" in mirror_data.TABLES


def test_gaia_dr2_service_answers_offline_from_the_bundled_field():
    import astropy.units as u
    from astrolearn import vo
    from astropy.coordinates import SkyCoord

    centre = SkyCoord(ra=149.14 * u.deg, dec=36.03 * u.deg)  # phi1 = -40, phi2 = 0
    stars = vo.cone_search("gaia_dr2", centre, 0.5 * u.deg, backend="offline")
    assert stars.meta["source"] == "offline snapshot"
    assert len(stars) > 0
    assert np.all(SkyCoord(ra=stars["ra"], dec=stars["dec"]).separation(centre) < 0.5 * u.deg)


def test_the_published_description_states_each_fields_cuts_as_the_data_show():
    # The mirror's table description tells a user what the archive has and the mirror
    # does not: the column count, each field's size and cuts, and the NULL photometry.
    import re
    from pathlib import Path
    from xml.etree import ElementTree

    from astropy.coordinates import SkyCoord

    descriptor = Path(mirror_data.__file__).parent / "dachs" / "gaiadr3" / "q.rd"
    table = ElementTree.parse(descriptor).getroot().find("table")
    text = " ".join(table.find("meta[@name='description']").text.split())
    columns = [c.get("name") for c in table.findall("column")]
    assert f"with {len(columns) - 1} of the archive's" in text and "field" in columns
    gaia = mirror_data.gaia_source()
    for field in ("pleiades", "ngc188", "cosmos"):
        rows = gaia[gaia["field"] == field]
        assert re.search(rf"{field}, (the )?{len(rows)} sources", text), field
    pleiades = gaia[gaia["field"] == "pleiades"]
    assert np.all(pleiades["phot_bp_mean_mag"].mask) and np.all(pleiades["phot_rp_mean_mag"].mask)
    assert "its BP and RP magnitudes are NULL" in text
    raw = data.load("gaia_pleiades")
    centre = SkyCoord(56.87, 24.11, unit="deg")
    assert centre.separation(SkyCoord(raw["ra"], raw["dec"], unit="deg")).max().deg < 1.01
    assert raw["parallax"].min() > 3 and raw["phot_g_mean_mag"].max() < 18
    assert raw["ruwe"].max() < 1.4
    ngc188 = gaia[gaia["field"] == "ngc188"]
    assert np.nanmax(np.asarray(ngc188["phot_g_mean_mag"], float)) < 19
    assert "cone of 0.5 degree on NGC 188" in text
    ngc188_sky = SkyCoord(ngc188["ra"], ngc188["dec"], unit="deg")
    centre = SkyCoord(ngc188_sky.cartesian.mean(), representation_type="cartesian")
    assert centre.separation(ngc188_sky).max().deg == pytest.approx(0.5, abs=0.02)
    assert "about 2 by 2 degrees" in text
    cosmos = gaia[gaia["field"] == "cosmos"]
    for axis in ("ra", "dec"):
        assert np.ptp(np.asarray(cosmos[axis], float)) == pytest.approx(2.0, abs=0.15)
