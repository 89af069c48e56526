"""The bundled datasets: complete, described, cited, checked, and usable offline."""

from __future__ import annotations

import json
import shutil

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data
from astrolearn.data import catalog

from tests.conftest import run_python_offline

# Row counts as the PROVENANCE.md files of the source data state them (not read from
# our own catalogue). sdss_quasars: the source's last line is cut short and dropped.
PROVENANCE_ROWS = {
    "sdss_dr14": 10_000,
    "sdss_dr17": 29_999,
    "sdss_quasars": 8_264 - 1,
    "sdss_stars": 5_000,
    "sdss_white_dwarfs": 10_090,
    "sdss_test_field": 12_884,
    "sdss_star_quasar": 1_000,
    "htru2_pulsars": 17_898,
    "gaia_gd1": 7_346,
    "gaia_gd1_ps1": 3_724,
    "gd1_isochrone": 354,
    "gaia_pleiades": 720,
    "gaia_cosmos": 13_005,
    "gaia_100pc": 4_096,
    "gaia_ngc188": 4_876,
    "twomass_ngc188": 5_014,
    "open_clusters_cg2018": 474,
    "ogle_cepheids": 7_269,
    "ogle_lightcurves": 1_006 + 1_062 + 674 + 1_225,
    "kepler_kic2157356": 14_588,
    "fundamental_plane_6dfgs": 8_803,
    "eros_lmc_train": 2_912,
    "eros_lmc_test": 729,
    "rrlyrae_s82_lightcurves": 136_196,
    "rrlyrae_s82_periods": 483,
    "ztf_snia_lightcurves": 44_339,
    "ztf_snia_metadata": 2_314,
}
TABLES = sorted(PROVENANCE_ROWS)

# Numeric columns that rightly carry no unit: identifiers, counters, flags, labels.
UNITLESS_OK = {
    "source_id",
    "id",
    "run",
    "rerun",
    "camcol",
    "field",
    "plate",
    "fiberid",
    "quarter",
    "num_points_good_b",
    "num_points_good_r",
    "is_pulsar",
}
# Column name -> the unit it must have, wherever it appears.
EXPECTED_UNITS = {
    "ra": u.deg,
    "dec": u.deg,
    "RAJ2000": u.deg,
    "DEJ2000": u.deg,
    "parallax": u.mas,
    "pmra": u.mas / u.yr,
    "pmdec": u.mas / u.yr,
    "radial_velocity": u.km / u.s,
    "phot_g_mean_mag": u.mag,
    "u": u.mag,
    "r_mag": u.mag,
    "time": u.day,
    "period": u.day,
    "distance": u.pc,
    # The DR5 quasar catalogue (Schneider et al. 2007) gives FIRST as an AB magnitude and
    # ROSAT as log10 of a count rate, not as a flux in mJy or a flag.
    "first": u.mag,
    "rosat": u.dex(u.ct / u.s),
}


def test_every_dataset_is_listed_with_its_facts():
    listing = data.datasets()
    assert set(TABLES) | {"dss_ngc6819", "alfalfa_agc100051"} == set(listing["name"])
    for row in listing:
        assert row["description"] and row["survey"] and row["licence"]
        assert row["size_kb"] > 0
    assert listing["size_kb"].sum() < 40 * 1024, "package data must stay under 40 MB"


@pytest.mark.parametrize("name", TABLES)
def test_rows_units_descriptions_and_provenance(name):
    table = data.load(name)
    assert len(table) == PROVENANCE_ROWS[name]
    for column in table.itercols():
        assert column.description, f"{name}.{column.name} has no description"
        if column.name in EXPECTED_UNITS:
            assert column.unit == EXPECTED_UNITS[column.name], f"{name}.{column.name}"
        numeric = column.dtype.kind in "fi"
        if numeric and column.name not in UNITLESS_OK and "redshift" not in column.name:
            assert column.unit is not None, f"{name}.{column.name} has no unit"
    for key in ("provenance", "citation", "survey", "release", "licence"):
        assert table.meta[key], f"{name} meta[{key!r}] is empty"


def test_load_returns_an_independent_copy():
    first = data.load("gaia_pleiades")
    first["parallax"][:] = 0
    assert np.all(data.load("gaia_pleiades")["parallax"] > 3)


def test_numbers_stated_in_the_provenance_hold():
    # Pleiades: the box cut and median parallax given in gaia_pleiades/PROVENANCE.md.
    stars = data.load("gaia_pleiades")
    box = (
        (stars["parallax"] >= 6.8)
        & (stars["parallax"] <= 7.9)
        & (stars["pmra"] >= 15)
        & (stars["pmra"] <= 25)
        & (stars["pmdec"] >= -50)
        & (stars["pmdec"] <= -40)
    )
    assert box.sum() == 384
    assert np.median(stars["parallax"][box]) == pytest.approx(7.361, abs=0.001)
    # SDSS DR14 classes and OGLE Cepheid clouds, as counted in their provenance.
    classes = data.load("sdss_dr14")["class"]
    assert [np.sum(classes == c) for c in ("GALAXY", "STAR", "QSO")] == [4998, 4152, 850]
    clouds = data.load("ogle_cepheids")["cloud"]
    assert [np.sum(clouds == c) for c in ("LMC", "SMC")] == [3034, 4235]


def test_converted_coordinates_land_where_the_objects_are():
    # OGLE RA was in hours: the LMC is near RA 80 deg, the SMC near 13 deg.
    cepheids = data.load("ogle_cepheids")
    lmc = cepheids["cloud"] == "LMC"
    assert 60 < np.median(cepheids["ra"][lmc]) < 95
    assert 5 < np.median(cepheids["ra"][~lmc]) < 25
    # COSMOS was in radians: the field is RA 149.10-151.15, Dec 1.22-3.26 deg.
    # 2,727 rows have no astrometric solution (NaN) in the source: 10,278 have one.
    cosmos = data.load("gaia_cosmos")
    assert np.isfinite(cosmos["ra"]).sum() == 10_278
    assert np.nanmin(cosmos["ra"]) > 149.0 and np.nanmax(cosmos["ra"]) < 151.2
    assert np.nanmin(cosmos["dec"]) > 1.2 and np.nanmax(cosmos["dec"]) < 3.3
    # COSMOS proper motions: ~2e-8 rad/yr (~4 mas/yr) per component, per its provenance;
    # a unit slip (rad vs mas) would be off by a factor of 2e8.
    assert 2 < np.nanmedian(np.abs(cosmos["pmdec"])) < 8
    # Quasar positions from their names: 000006.53+003055.2 is RA 0.0272 deg.
    quasars = data.load("sdss_quasars")
    first = quasars[quasars["name"] == "000006.53+003055.2"][0]
    assert first["ra"] == pytest.approx(1.6325 / 60, abs=1e-4)
    assert first["dec"] == pytest.approx(0 + 30 / 60 + 55.2 / 3600, abs=1e-4)


def test_claim_first_is_an_ab_magnitude_and_rosat_a_log_count_rate():
    # Claim (specs.py, lesson 7): FIRST = -2.5 log10(f / 3631 Jy), 0 undetected, -1 not
    # covered; ROSAT = log10(count rate), -9 undetected. FIRST detects down to about
    # 1 mJy (Becker, White & Helfand 1995): the faintest detection must be near 1 mJy,
    # which a flux column in mJy (values 7.7-16.4) could not be.
    quasars = data.load("sdss_quasars")
    first = np.asarray(quasars["first"])
    assert set(np.unique(first[first <= 0])) == {-1.0, 0.0}
    faintest_mjy = (np.max(first) * u.ABmag).to_value(u.mJy)
    assert 0.5 < faintest_mjy < 2
    rosat = np.asarray(quasars["rosat"])
    detected = rosat > -9
    assert set(np.unique(rosat[~detected])) == {-9.0}
    # RASS count rates of quasars: about 0.01 to 1 count/s.
    assert np.all((rosat[detected] > -2.5) & (rosat[detected] < 0.5))


def test_claim_ogle_light_curves_span_ogle_ii_and_iii():
    # Claim (specs.py, lesson 9): time is HJD - 2450000 and the light curves span
    # 1997-2009. OGLE-II began in 1997 and OGLE-III ended in 2009: a point outside those
    # years would mean the offset is wrong.
    from astropy.time import Time

    curves = data.load("ogle_lightcurves")
    years = Time(2450000 + np.asarray(curves["time"]), format="jd").decimalyear
    assert 1997 <= years.min() < 1998 and 2009 <= years.max() < 2010
    binaries = np.char.find(np.asarray(curves["star"]).astype(str), "ECL") >= 0
    assert years[binaries].min() > 2001  # the binaries are OGLE-III only


def test_sentinels_are_masked():
    curves = data.load("rrlyrae_s82_lightcurves")
    assert np.ma.count_masked(curves["mag"]) == 54
    assert np.ma.max(curves["mag"]) < 40


def test_image_has_a_celestial_wcs_on_ngc6819():
    from astropy.coordinates import SkyCoord
    from astropy.wcs import WCS

    with data.load_image("dss_ngc6819") as hdus:
        wcs = WCS(hdus[0].header)
        centre = wcs.pixel_to_world(511.5, 511.5)
        assert hdus[0].data.shape == (1024, 1024)
    ngc6819 = SkyCoord(295.327, 40.19, unit="deg")
    assert centre.separation(ngc6819) < 2 * u.arcmin


@pytest.mark.parametrize("name", [*TABLES, "dss_ngc6819", "alfalfa_agc100051"])
def test_every_dataset_has_a_citation(name):
    text = data.cite(name)
    assert len(text) > 40
    if catalog.metadata(name)["references"]:
        assert "@ARTICLE{" in text or "@BOOK{" in text


def test_spectrum_is_the_alfalfa_galaxy_its_provenance_names():
    # The provenance quotes the header (AGC 100051 at RA 2.0037095, Dec +14.839847) and
    # the band (12,100 to 17,912 km/s), and the alpha.40 catalogue's H I flux of
    # 0.77 +- 0.08 Jy km/s over a width W50 of 136 km/s around 13,632 km/s.
    spectrum = data.load_spectrum("alfalfa_agc100051")
    assert len(spectrum) == 1024 and spectrum.meta["object"] == "AGC 100051"
    assert (spectrum.meta["ra"], spectrum.meta["dec"]) == (2.0037095, 14.839847)
    velocity = spectrum["velocity"].quantity.to_value(u.km / u.s)
    assert 12_100 < velocity.min() < 12_101 and 17_912 < velocity.max() < 17_913
    line = np.abs(velocity - 13_632) < 136 / 2
    channel = np.abs(np.diff(velocity)).mean()
    flux = np.nansum(spectrum["flux_density"].quantity.to_value(u.Jy)[line]) * channel
    assert abs(flux - 0.77) < 2 * 0.08
    with pytest.raises(data.UnknownDatasetError, match="load_image"):
        data.load_spectrum("dss_ngc6819")


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(data.UnknownDatasetError) as error:
        data.load("gaia_pleiadez")
    message = str(error.value)
    assert "gaia_pleiadez" in message and "gaia_pleiades" in message and "sdss_dr14" in message


def test_image_and_table_loaders_say_which_to_use():
    with pytest.raises(data.UnknownDatasetError, match="load_image"):
        data.load("dss_ngc6819")
    with pytest.raises(data.UnknownDatasetError, match="use load"):
        data.load_image("gaia_pleiades")


def test_corrupted_file_is_detected(tmp_path, monkeypatch):
    copy = tmp_path / data.path("gaia_pleiades").name
    shutil.copy(data.path("gaia_pleiades"), copy)
    raw = bytearray(copy.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    copy.write_bytes(bytes(raw))
    monkeypatch.setattr(catalog, "FILES", tmp_path)
    monkeypatch.setattr(catalog, "_TABLES", {})
    catalog._verified.cache_clear()
    try:
        with pytest.raises(data.CorruptDataError, match="corrupted"):
            data.load("gaia_pleiades")
        copy.unlink()
        catalog._verified.cache_clear()
        with pytest.raises(data.CorruptDataError, match="missing"):
            data.load("gaia_pleiades")
    finally:
        catalog._verified.cache_clear()


def test_every_dataset_loads_with_the_network_cut():
    code = (
        "import json, socket\n"
        "from astrolearn import data\n"
        "try:\n"
        "    socket.create_connection(('pypi.org', 443), timeout=3)\n"
        "    online = True\n"
        "except OSError:\n"
        "    online = False\n"
        "tables = [n for n in data.datasets()['name'] if data.metadata(n)['rows'] is not None]\n"
        "rows = {n: len(data.load(n)) for n in tables}\n"
        "data.load_image('dss_ngc6819')\n"
        "data.load_spectrum('alfalfa_agc100051')\n"
        "print(json.dumps({'online': online, 'rows': rows}))\n"
    )
    result = run_python_offline(code, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["online"] is False, "the network was not cut"
    assert report["rows"] == PROVENANCE_ROWS
