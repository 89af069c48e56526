"""TAP through the real local DaCHS mirror: the same pyvo calls the live path makes."""

import numpy as np
import pytest
from astrolearn import vo
from astrolearn.vo import mirror_data

pytestmark = pytest.mark.mirror


def _bundled_gaia_rows() -> int:
    # Counted from the bundled datasets, not from the code under test.
    from astrolearn import data

    return sum(
        int(np.isfinite(np.asarray(data.load(name)["ra"], float)).sum())
        for name in ("gaia_pleiades", "gaia_ngc188", "gaia_cosmos")
    )


def test_sync_query_counts_every_bundled_gaia_row(mirror):
    table = vo.tap("gaia_dr3", backend="mirror").run(
        "SELECT COUNT(*) AS n FROM gaiadr3.gaia_source"
    )
    assert int(table["n"][0]) == _bundled_gaia_rows()
    assert table.meta["source"] == "mirror"
    assert table.meta["fetched_at"].endswith("+00:00")


def test_same_adql_as_the_gaia_archive_with_units(mirror):
    # Written exactly as for gea.esac.esa.int: the mirror mimics gaiadr3.gaia_source.
    adql = (
        "SELECT TOP 10 source_id, ra, dec, parallax, pmra, pmdec, phot_g_mean_mag, bp_rp "
        "FROM gaiadr3.gaia_source WHERE parallax > 5 ORDER BY phot_g_mean_mag"
    )
    table = vo.tap("gaia_dr3", backend="mirror").run(adql)
    assert len(table) == 10
    assert (table["parallax"] > 5).all()
    assert str(table["parallax"].unit) == "mas"
    assert np.all(np.diff(np.asarray(table["phot_g_mean_mag"])) >= 0)


def test_async_job_gives_the_same_answer_as_sync(mirror):
    adql = "SELECT COUNT(*) AS n FROM sdss.specphoto WHERE class = 'QSO'"
    service = vo.tap("sdss", backend="mirror")
    sync = service.run(adql, use_cache=False)
    asynchronous = service.run(adql, mode="async", use_cache=False)
    expected = int((mirror_data.sdss_specphoto()["class"] == "QSO").sum())
    assert int(sync["n"][0]) == int(asynchronous["n"][0]) == expected


def test_adql_syntax_error_quotes_the_server(mirror):
    with pytest.raises(vo.ADQLError, match="Could not parse your query") as caught:
        vo.tap("gaia_dr3", backend="mirror").run("SELEC source_id FROM gaiadr3.gaia_source")
    assert "127.0.0.1:8080" in str(caught.value)
    # DaCHS states a sync query error in a VOTable sent with HTTP 200.
    assert (caught.value.url, caught.value.status) == (f"{mirror}/tap/sync", 200)
    assert caught.value.reason.startswith("Field query: Could not parse your query")


def test_maxrec_overflow_raises_with_the_truncated_rows(mirror):
    with pytest.raises(vo.TruncatedResultError, match="maxrec=100") as caught:
        vo.tap("gaia_dr3", backend="mirror").run(
            "SELECT source_id FROM gaiadr3.gaia_source", maxrec=100
        )
    assert len(caught.value.table) == 100


def test_truncation_can_be_accepted_with_a_warning(mirror):
    with pytest.warns(UserWarning, match="maxrec=50"):
        table = vo.tap("gaia_dr3", backend="mirror").run(
            "SELECT source_id FROM gaiadr3.gaia_source", maxrec=50, allow_truncated=True
        )
    assert len(table) == 50 and table.meta["truncated"]


def test_empty_result_is_an_error_unless_allowed(mirror):
    adql = "SELECT source_id FROM gaiadr3.gaia_source WHERE parallax > 1e6"
    with pytest.raises(vo.EmptyResultError, match="allow_empty"):
        vo.tap("gaia_dr3", backend="mirror").run(adql)
    assert len(vo.tap("gaia_dr3", backend="mirror").run(adql, allow_empty=True)) == 0


def test_repeated_query_is_answered_from_the_disk_cache(mirror):
    adql = "SELECT TOP 3 source_id FROM gaiadr3.gaia_source ORDER BY source_id"
    first = vo.tap("gaia_dr3", backend="mirror").run(adql)
    second = vo.tap("gaia_dr3", backend="mirror").run(adql)
    assert not first.meta["cached"] and second.meta["cached"]
    assert list(first["source_id"]) == list(second["source_id"])
    assert second.meta["fetched_at"] == first.meta["fetched_at"]
    assert vo.cache.clear() == 1


def test_tap_url_lists_the_mimicked_tables(mirror):
    names = vo.tap(f"{mirror}/tap").tables()
    assert {"gaiadr3.gaia_source", "sdss.specphoto"} <= set(names)


def test_auto_falls_back_from_a_dead_live_service_to_the_mirror(mirror, refused_url):
    vo.config.settings.live_urls["gaia_dr3"] = refused_url
    table = vo.tap("gaia_dr3").run("SELECT TOP 1 source_id FROM gaiadr3.gaia_source")
    assert table.meta["source"] == "mirror"


def test_adql_offline_says_how_to_start_the_mirror():
    with pytest.raises(vo.OfflineUnavailableError, match="astrolearn mirror start"):
        vo.tap("gaia_dr3", backend="offline").run("SELECT TOP 1 * FROM gaiadr3.gaia_source")


def test_bad_arguments_name_themselves():
    with pytest.raises(vo.InvalidInputError, match="maxrec"):
        vo.tap("gaia_dr3", backend="offline").run("SELECT 1", maxrec=0)
    with pytest.raises(vo.InvalidInputError, match="backend"):
        vo.tap("gaia_dr3", backend="cloud")
    with pytest.raises(vo.UnknownServiceError, match="gaia_dr3"):
        vo.tap("gaia_dr4")


def test_live_backend_code_path_against_dachs(mirror):
    # The live path (live URL, live table name, short auto timeout) pointed at loopback
    # under another host name, so it is not recognised as the mirror.
    import astropy.units as u

    vo.config.settings.live_urls["gaia_dr3"] = mirror.replace("127.0.0.1", "localhost") + "/tap"
    vo.config.settings.auto_live_timeout = 30  # a busy CI machine must not flip it to mirror
    table = vo.tap("gaia_dr3", backend="live").run(
        "SELECT TOP 2 source_id FROM gaiadr3.gaia_source"
    )
    assert table.meta["source"] == "live" and len(table) == 2
    cone = vo.cone_search("gaia_dr3", "NGC 188", 3 * u.arcmin)  # auto: live answers first
    assert cone.meta["source"] == "live"
    assert cone.meta["service"].startswith("http://localhost:8080")


def test_nothing_answering_a_named_service_is_offline_unavailable(refused_url):
    vo.config.settings.live_urls["gaia_dr3"] = refused_url
    vo.config.settings.mirror_url = refused_url.removesuffix("/tap")
    with pytest.raises(vo.OfflineUnavailableError, match="astrolearn mirror start") as caught:
        vo.tap("gaia_dr3").run("SELECT TOP 1 * FROM gaiadr3.gaia_source")
    assert str(caught.value).count("unreachable") == 2  # the live service and the mirror
    with pytest.raises(vo.OfflineUnavailableError):
        vo.tap("gaia_dr3").tables()
    # An explicit URL is one service: its own error, not "offline".
    with pytest.raises(vo.ServiceUnavailableError, match="unreachable") as caught:
        vo.tap(refused_url).run("SELECT 1")
    assert not isinstance(caught.value, vo.OfflineUnavailableError)
