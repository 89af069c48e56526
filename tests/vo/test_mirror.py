"""`astrolearn mirror start|stop|status` against the real DaCHS."""

import os
import subprocess
import sys
import time

import astropy.units as u
import pytest
from astrolearn import vo

from tests.vo.conftest import mirror_command

pytestmark = pytest.mark.mirror


def test_start_is_idempotent_when_running(mirror):
    again = mirror_command("start")
    assert again.returncode == 0
    assert "already running" in again.stdout
    assert "importing" not in again.stdout  # unchanged data are not imported again


def test_status_lists_endpoints(mirror):
    status = mirror_command("status")
    assert status.returncode == 0
    assert "http://127.0.0.1:8080/tap" in status.stdout
    assert "/gaiadr3/q/scs/scs.xml" in status.stdout


def test_the_mirror_names_itself(mirror):
    # DaCHS calls a site without a name "Unnamed data center", which VO clients show as
    # the publisher of every service; tools/install-system.sh names it.
    import requests

    home = requests.get(f"{mirror}/", timeout=10)
    assert "<title>astrolearn VO mirror Home</title>" in home.text
    assert "Unnamed" not in home.text


def test_tap_schema_tells_what_the_mirror_lacks(mirror):
    # The cuts each field had before it was bundled reach the user through TAP_SCHEMA
    # (tests/vo/test_mirror_data.py holds the description to the data).
    described = vo.tap(f"{mirror}/tap").run(
        "SELECT description FROM tap_schema.tables WHERE table_name = 'gaiadr3.gaia_source'"
    )
    text = " ".join(str(described[0]["description"]).split())
    assert "was cut before it was bundled" in text and "BP and RP magnitudes are NULL" in text


def test_published_columns_mimic_the_gaia_archive(mirror):
    columns = vo.tap(f"{mirror}/tap").run(
        "SELECT column_name, unit FROM tap_schema.columns WHERE table_name = 'gaiadr3.gaia_source'"
    )
    units = dict(zip(columns["column_name"], columns["unit"], strict=True))
    # Names and units of the ESA Gaia archive's gaiadr3.gaia_source.
    expected = {
        "source_id": "",
        "ra": "deg",
        "dec": "deg",
        "parallax": "mas",
        "pmra": "mas/yr",
        "pmdec": "mas/yr",
        "phot_g_mean_mag": "mag",
        "bp_rp": "mag",
    }
    for name, unit in expected.items():
        assert name in units
        assert (units[name] or "") == unit


def test_missing_dachs_gives_the_install_hint(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no dachs on this PATH
    done = subprocess.run(
        [sys.executable, "-m", "astrolearn.cli", "mirror", "start"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 3
    assert "GAVO DaCHS is not installed" in done.stderr
    assert "install-system.sh" in done.stderr


@pytest.mark.slow
def test_dachs_stopped_in_the_middle_of_a_session(mirror):
    vo.config.settings.timeout = 2.0
    vo.config.settings.retries = 1
    vo.config.settings.backoff = 0.1
    service = vo.tap("gaia_dr3", backend="mirror")
    assert len(service.run("SELECT TOP 3 source_id FROM gaiadr3.gaia_source")) == 3
    try:
        stopped = mirror_command("stop")
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert mirror_command("status").returncode == 1
        began = time.monotonic()
        with pytest.raises(vo.ServiceUnavailableError, match="unreachable"):
            service.run("SELECT TOP 4 source_id FROM gaiadr3.gaia_source")
        assert time.monotonic() - began < 5
        # A lesson on the auto backend carries on from the offline snapshot.
        vo.config.settings.live_urls["gaia_dr3"] = f"{mirror}/nothing-here/tap"
        found = vo.cone_search("gaia_dr3", "Pleiades", 5 * u.arcmin)
        assert found.meta["source"] == "offline snapshot"
    finally:
        assert mirror_command("start").returncode == 0
    assert len(service.run("SELECT TOP 5 source_id FROM gaiadr3.gaia_source")) == 5


#: The column sets of SCS VERB=1, 2 and 3 on the mirror's cone searches (the verbLevel
#: attributes of the resource descriptors; DaCHS adds the distance ``_r``).
VERB_COLUMNS = {
    "gaiadr3": (
        {"source_id", "ra", "dec"},
        {"parallax", "pmra", "pmdec", "phot_g_mean_mag", "bp_rp"},
        {"field", "parallax_error", "phot_bp_mean_mag", "phot_rp_mean_mag", "radial_velocity"},
    ),
    "gaiadr2": (
        {"source_id", "ra", "dec"},
        {"parallax", "pmra", "pmdec"},
        {"field", "radial_velocity"},
    ),
    "sdss": (
        {"specid", "ra", "dec"},
        {"u", "g", "r", "i", "z", "redshift", "class"},
        {"run", "rerun", "camcol", "field", "plate", "mjd", "fiberid"},
    ),
}
CONES = {"gaiadr3": (56.75, 24.12, 0.2), "gaiadr2": (None, None, None), "sdss": (183.53, 0.09, 2)}


@pytest.mark.parametrize("schema", sorted(VERB_COLUMNS))
def test_scs_verb_levels_return_the_documented_columns(mirror, schema):
    import pyvo
    from astrolearn.vo import services

    ra, dec, radius = CONES[schema]
    if ra is None:  # the GD-1 field: centre the cone on one of its stars
        star = services.get("gaia_dr2").local()[0]
        ra, dec, radius = float(star["ra"]), float(star["dec"]), 0.5
    url = f"{mirror}/{schema}/q/scs/scs.xml"
    expected = set()
    for verb, added in enumerate(VERB_COLUMNS[schema], start=1):
        expected |= added
        table = pyvo.dal.SCSService(url).search((ra, dec), radius, verbosity=verb).to_table()
        assert len(table) > 0
        assert set(table.colnames) - {"_r"} == expected, (schema, verb)


def test_tap_schema_states_the_row_counts(mirror):
    from astrolearn.vo import mirror_data

    counts = vo.tap(f"{mirror}/tap").run(
        "SELECT table_name, nrows FROM tap_schema.tables WHERE table_name IN "
        "('gaiadr3.gaia_source', 'gaiadr2.gaia_source', 'sdss.specphoto')",
        use_cache=False,
    )
    rows = zip(counts["table_name"], counts["nrows"], strict=True)
    found = {str(name): int(count) for name, count in rows}
    assert found == {name: len(build()) for name, build in mirror_data.TABLES.items()}
