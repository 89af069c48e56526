"""QueryPanel driven through its widgets: offline snapshot, real local mirror, real SAMP hub."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from astrolearn.ui import QueryPanel
from astrolearn.ui.query import EXAMPLE_QUERIES
from astrolearn.vo import mirror
from astropy.coordinates import SkyCoord
from astropy.io.votable import parse_single_table
from astropy.table import Table

PLEIADES = SkyCoord(56.75, 24.12, unit="deg")  # centre of the bundled Gaia cone


def _run(panel: QueryPanel) -> QueryPanel:
    panel.run()
    panel.wait(120)
    assert not panel.running
    return panel


@pytest.fixture(scope="module")
def pleiades_panel():
    return _run(QueryPanel("gaia_dr3", "56.75 24.12", radius_arcmin=10, backend="offline"))


def test_offline_cone_search(pleiades_panel):
    result = pleiades_panel.result
    assert result.meta["source"] == "offline snapshot"
    assert "offline snapshot" in pleiades_panel.message
    assert f"{len(result):,} rows" in pleiades_panel.message
    stars = SkyCoord(result["ra"], result["dec"], unit="deg")
    assert stars.separation(PLEIADES).arcmin.max() <= 10.0
    # The bundled cone has radius 1 deg (720 stars); a 10' cone holds about
    # (10/60)^2 of them for a uniform field: tens, not hundreds.
    assert 5 < len(result) < 200
    # The result is shared for an explorer or a sky viewer.
    assert pleiades_panel.selection.table is result
    assert pleiades_panel.progress.bar_style == "success"


def test_table_sorts_and_pages(pleiades_panel):
    view = pleiades_panel.table_view
    g = np.asarray(pleiades_panel.result["phot_g_mean_mag"], float)
    view.sort_menu.value = "phot_g_mean_mag"
    assert float(view.displayed_rows()["phot_g_mean_mag"][0]) == pytest.approx(np.nanmin(g))
    view.order.value = True
    assert float(view.displayed_rows()["phot_g_mean_mag"][0]) == pytest.approx(np.nanmax(g))
    assert "phot_g_mean_mag [mag]" in view.html.value
    assert len(view.displayed_rows()) == min(25, len(g))


def test_export_votable_and_csv(pleiades_panel, tmp_path):
    view = pleiades_panel.table_view
    votable = parse_single_table(view.export(tmp_path / "cone.xml")).to_table()
    csv = Table.read(view.export(tmp_path / "cone.csv"), format="ascii.csv")
    for table in (votable, csv):
        assert len(table) == len(pleiades_panel.result)
        np.testing.assert_allclose(
            np.sort(np.asarray(table["ra"], float)),
            np.sort(np.asarray(pleiades_panel.result["ra"], float)),
        )
    # Gaia ids survive the round trip exactly (64-bit integers).
    assert set(votable["source_id"]) == set(pleiades_panel.result["source_id"])


def test_unknown_object_in_plain_words():
    panel = _run(QueryPanel("gaia_dr3", "Planet Nine", backend="offline"))
    assert panel.result is None
    assert panel.message.startswith("The object name was not found")
    assert "'Planet Nine'" in panel.message
    assert not panel.run_button.disabled and panel.cancel_button.disabled


def test_adql_offline_says_no_service_answered():
    panel = QueryPanel(backend="offline")
    panel.mode.selected_index = 1
    panel.examples.value = "Bright Pleiades stars (Gaia DR3)"
    assert panel.service.value == "gaia_dr3" and "CONTAINS" in panel.adql.value
    _run(panel)
    assert panel.message.startswith("No service could answer")


def test_cancel_frees_the_panel_and_drops_the_late_answer():
    # A real TCP server on loopback that accepts the request and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        panel = QueryPanel(backend="live")
        panel.mode.selected_index = 1
        panel.service.value = f"http://127.0.0.1:{silent.getsockname()[1]}/tap"
        panel.adql.value = "SELECT TOP 1 * FROM nowhere"
        panel.run()
        time.sleep(0.5)
        assert panel.running and panel.cancel_button.disabled is False
        panel.cancel_button.click()
        assert not panel.running and panel.message.startswith("Cancelled")
        assert not panel.run_button.disabled
    finally:
        silent.close()  # the abandoned request now fails; its error must not show
    panel.wait(60)
    assert panel.message.startswith("Cancelled") and panel.result is None


@pytest.mark.mirror
def test_adql_example_on_the_local_mirror():
    if not mirror.is_running():
        # Start it as a user would (needs root and DaCHS: tools/install-system.sh).
        subprocess.run(
            [sys.executable, "-m", "astrolearn.cli", "mirror", "start"],
            capture_output=True,
            timeout=240,
        )
    root_conftest = str(Path(__file__).resolve().parents[1] / "conftest.py")
    (helpers,) = [
        m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == root_conftest
    ]
    helpers.require(
        mirror.is_running(),
        "the local VO mirror (DaCHS)",
        "sudo bash tools/install-system.sh && astrolearn mirror start",
    )
    panel = QueryPanel(backend="mirror")
    panel.mode.selected_index = 1
    panel.examples.value = "Quasars with z > 2 (SDSS DR14 sample)"
    _run(panel)
    result = panel.result
    assert result is not None, panel.message
    assert result.meta["source"] == "mirror"
    assert len(result) > 10
    assert (np.asarray(result["redshift"], float) > 2).all()
    assert set(np.asarray(result["class"]).astype(str)) == {"QSO"}
    panel.adql.value = "SELECT nonsense FROM sdss.specphoto"
    _run(panel)
    assert panel.message.startswith("The service did not accept the ADQL query")
    assert "nonsense" in panel.message  # the server's own words are quoted


def test_samp_sends_the_table_to_a_real_hub(pleiades_panel, tmp_path, monkeypatch):
    from pyvo.samp import SAMPHubServer, SAMPIntegratedClient

    lockfile = tmp_path / "samp-lock"
    monkeypatch.setenv("SAMP_HUB", f"std-lockurl:{lockfile.as_uri()}")
    hub = SAMPHubServer(web_profile=False, lockfile=str(lockfile), pool_size=1)
    hub.start()
    received = []
    receiver = SAMPIntegratedClient(name="receiver (plays TOPCAT)")
    try:
        receiver.connect()
        receiver.bind_receive_notification(
            "table.load.votable",
            lambda private_key, sender_id, mtype, params, extra: received.append(params),
        )
        assert pleiades_panel.send_samp() is True
        for _ in range(50):
            if received:
                break
            time.sleep(0.1)
        assert len(received) == 1
        sent = parse_single_table(received[0]["url"].removeprefix("file://")).to_table()
        assert len(sent) == len(pleiades_panel.result)
        assert "Sent" in pleiades_panel.status.value
    finally:
        receiver.disconnect()
        hub.stop()


def test_samp_without_hub_says_what_to_do(pleiades_panel, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMP_HUB", f"std-lockurl:{(tmp_path / 'no-hub').as_uri()}")
    assert pleiades_panel.send_samp() is False
    assert "start TOPCAT or Aladin" in pleiades_panel.status.value


def test_examples_name_known_services():
    from astrolearn.vo import services

    for service, adql in EXAMPLE_QUERIES.values():
        assert service in services.SERVICES and adql.lstrip().upper().startswith("SELECT")
