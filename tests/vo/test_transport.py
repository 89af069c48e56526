"""Faults produced for real on loopback: each ends within its timeout with the right error.

The misbehaving server (conftest.py) is a stand-in only because DaCHS cannot be made to
hang, fail with HTTP 500 or cut its answer on demand; pyvo, requests and the parser
under test are the real ones.
"""

import time

import pytest
from astrolearn import vo

from tests.vo.conftest import FaultHandler

QUERY = "SELECT TOP 20 * FROM gaiadr3.gaia_source"


pytestmark = pytest.mark.usefixtures("quick_retries")


def _run(url):
    return vo.tap(url).run(QUERY, use_cache=False)


def test_the_healthy_answer_parses(fault_server):
    table = _run(f"{fault_server}/ok/tap")
    # The recorded Gaia answer: two DR3 sources, 152 columns.
    assert sorted(table["source_id"].tolist()) == [4583627001381815936, 5348723816842275584]
    assert table.meta["source"] == "live"


def test_slow_service_times_out_after_bounded_retries(fault_server):
    started = time.monotonic()
    with pytest.raises(vo.ServiceUnavailableError, match="did not answer within 1 s"):
        _run(f"{fault_server}/slow/tap")
    elapsed = time.monotonic() - started
    # 2 attempts x 1 s + 0.1 s backoff: it gave up before the server's 5 s sleep ended.
    assert elapsed < 4.9
    assert FaultHandler.hits["slow"] == 2


def test_http_500_is_service_unavailable_and_retried(fault_server):
    with pytest.raises(vo.ServiceUnavailableError, match="500"):
        _run(f"{fault_server}/error500/tap")
    assert FaultHandler.hits["error500"] == 2


def test_connection_refused(refused_url):
    started = time.monotonic()
    with pytest.raises(vo.ServiceUnavailableError, match="unreachable"):
        _run(refused_url)
    assert time.monotonic() - started < 3.0


def test_truncated_votable_is_malformed_and_not_retried(fault_server):
    with pytest.raises(vo.MalformedResponseError, match="not a VOTable"):
        _run(f"{fault_server}/truncated/tap")
    assert FaultHandler.hits["truncated"] == 1


def test_html_instead_of_votable_is_malformed(fault_server):
    with pytest.raises(vo.MalformedResponseError):
        _run(f"{fault_server}/malformed/tap")


def test_empty_result(fault_server):
    with pytest.raises(vo.EmptyResultError, match="no rows"):
        _run(f"{fault_server}/empty/tap")
    table = vo.tap(f"{fault_server}/empty/tap").run(QUERY, allow_empty=True, use_cache=False)
    assert len(table) == 0 and "source_id" in table.colnames


def test_auto_cone_survives_a_slow_live_service_within_the_short_timeout(
    fault_server, refused_url
):
    import astropy.units as u

    vo.config.settings.auto_live_timeout = 0.5
    vo.config.settings.live_urls["gaia_dr3"] = f"{fault_server}/slow/tap"
    vo.config.settings.mirror_url = refused_url.removesuffix("/tap")
    started = time.monotonic()
    found = vo.cone_search("gaia_dr3", "Pleiades", 5 * u.arcmin)
    assert found.meta["source"] == "offline snapshot"
    assert "did not answer" in found.meta["fallback_reason"]
    assert time.monotonic() - started < 4.9  # did not wait for the 5 s answer


def test_a_failed_live_service_is_skipped_for_a_while_in_auto(fault_server, refused_url):
    import astropy.units as u

    vo.config.settings.auto_live_timeout = 0.5
    vo.config.settings.live_urls["gaia_dr3"] = f"{fault_server}/slow/tap"
    vo.config.settings.mirror_url = refused_url.removesuffix("/tap")
    vo.cone_search("gaia_dr3", "Pleiades", 5 * u.arcmin)
    assert FaultHandler.hits["slow"] == 1
    started = time.monotonic()
    for _ in range(5):  # a lesson's next queries do not wait for the dead service again
        found = vo.cone_search("gaia_dr3", "Pleiades", 5 * u.arcmin)
    assert found.meta["source"] == "offline snapshot"
    # the result says why: the live service was skipped (and why), the mirror refused
    assert "not asked" in found.meta["fallback_reason"]
    assert "did not answer within 0.5 s" in found.meta["fallback_reason"]
    assert "unreachable" in found.meta["fallback_reason"]
    assert FaultHandler.hits["slow"] == 1  # the slow service was not asked again
    assert time.monotonic() - started < 5 * 0.5  # less than one timeout per query
    vo.config.resume_live()  # e.g. the WiFi is back
    vo.cone_search("gaia_dr3", "Pleiades", 5 * u.arcmin)
    assert FaultHandler.hits["slow"] == 2
