"""SkyViewer and OfflineAladin driven through their traits (no browser)."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import ipyaladin
import numpy as np
import pytest
from astrolearn import data
from astrolearn.ui import OfflineAladin, Selection, SkyViewer
from astrolearn.ui.sky import STATIC
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS

# NGC 6819 (Cantat-Gaudin et al. 2018): RA 19h41m18s, Dec +40d11m12s.
NGC_6819 = SkyCoord("19h41m18s", "+40d11m12s")


@pytest.fixture
def pleiades():
    return Selection(data.load("gaia_pleiades"), name="pleiades")


def test_bundle_is_local_and_matches_ipyaladin():
    widget = OfflineAladin()
    # anywidget sends the file's text as the module: small, and no CDN import in it.
    module = widget._esm
    assert len(module) < 50_000
    for cdn in ("esm.sh", "unpkg.com", "jsdelivr", "cdnjs"):
        assert cdn not in module
    assert f"aladin-lite {ipyaladin.__aladin_lite_version__}" in module[:300]
    assert (STATIC / "aladin-lite-LICENSE.txt").exists()


def test_synced_state_holds_no_aladin_lite_code():
    widget = OfflineAladin()
    state = widget.get_state()
    code = (STATIC / "aladin-lite.js").read_text()
    assert "_aladin_lite" not in state
    # All of it, the widget module included, is a small part of Aladin Lite's size.
    size = len(json.dumps(state, default=str))
    assert size < 20_000 < len(code) // 100, size
    assert code[-2000:] not in json.dumps(state, default=str)
    # The module imports it from a URL that names the file's content.
    path = state["_aladin_lite_path"]
    digest = hashlib.sha256((STATIC / "aladin-lite.js").read_bytes()).hexdigest()
    assert path.startswith("static/aladin-lite.js?v=") and digest.startswith(path.split("=")[1])
    assert "_aladin_lite_path" in widget._esm


def test_offline_viewer_shows_dss_image_of_ngc6819_without_servers():
    sky = SkyViewer(offline=True)
    options = sky.aladin._init_options
    assert options["survey"] == "" and options["log"] is False
    assert options["show_simbad_pointer_control"] is False
    fits_calls = [c for c in sky.aladin._call_store.calls if c[0].__name__ == "add_fits"]
    assert len(fits_calls) == 1
    _, args, kwargs = fits_calls[0]
    assert kwargs["as_base"] is True
    header = args[1][0].header
    centre = WCS(header).pixel_to_world(header["NAXIS1"] / 2, header["NAXIS2"] / 2)
    assert centre.separation(NGC_6819).arcmin < 2
    target = SkyCoord(*map(float, sky.aladin._target.split()), unit="deg")
    assert target.separation(NGC_6819).arcmin < 2
    assert "offline" in sky.status.value


def test_offline_overlays_mark_the_cluster_and_the_cluster_catalog():
    sky = SkyViewer(offline=True)
    sent = [c[1][0] for c in sky.aladin._call_store.calls if c[0].__name__ == "send"]
    (marker,) = [m["markers"][0] for m in sent if m["event_name"] == "add_marker"]
    position = SkyCoord(marker["lon"], marker["lat"], unit="deg")
    assert marker["title"] == "NGC 6819" and position.separation(NGC_6819).arcmin < 1
    assert sum(m["event_name"] == "add_table" for m in sent) == 1
    assert "open clusters (Cantat-Gaudin+ 2018)" in sky.aladin.overlays


def test_selection_is_drawn_on_the_sky_and_back(pleiades):
    sky = SkyViewer(pleiades, offline=True)
    assert "pleiades" in sky.aladin.overlays
    pleiades.indices = [2, 4, 6]
    assert "selection" in sky.aladin.overlays
    last = [c for c in sky.aladin._call_store.calls if c[0].__name__ == "send"][-1]
    from astropy.io.votable import parse_single_table

    sent = parse_single_table(io.BytesIO(last[2]["buffers"][0])).to_table()
    assert sent["row"].tolist() == [2, 4, 6]
    np.testing.assert_allclose(sent["ra"], np.asarray(pleiades.table["ra"])[[2, 4, 6]])
    assert "source_id" not in sent.colnames  # 64-bit ids would lose digits in JavaScript
    # Aladin's rectangle selection reports the sources with their data.
    sky.aladin._selected_objects = [
        [{"ra": 0, "dec": 0, "data": {"row": 11}}, {"ra": 0, "dec": 0, "data": {"row": 3}}]
    ]
    assert pleiades.indices.tolist() == [3, 11]
    sky.aladin.clicked_object = {"ra": 0, "dec": 0, "data": {"row": 7}}
    assert pleiades.focus == 7
    assert str(pleiades.table["source_id"][7]) in sky.details.value


def test_view_is_centred_on_the_catalog(pleiades):
    sky = SkyViewer(pleiades, offline=True)
    target = SkyCoord(*map(float, sky.aladin._target.split()), unit="deg")
    # The Pleiades (M45): RA 3h47m, Dec +24d07m; the bundled cone has radius 1 deg.
    assert target.separation(SkyCoord("3h47m", "+24d07m")).deg < 0.3
    assert 1.5 < sky.aladin._fov < 5


def test_each_viewer_has_its_own_call_queue():
    first, second = SkyViewer(offline=True), SkyViewer(offline=True)
    assert first.aladin._call_store is not second.aladin._call_store
    first.aladin._is_loaded = True  # what the browser sets once Aladin Lite runs
    assert first.aladin._call_store.calls == []
    assert len(second.aladin._call_store.calls) >= 2


def test_bad_input():
    with pytest.raises(ValueError, match="'ra' and 'dec'"):
        SkyViewer(Selection(data.load("htru2_pulsars")), offline=True)
    with pytest.raises(TypeError, match="selection must be a Selection"):
        SkyViewer(data.load("gaia_pleiades"), offline=True)


def test_network_detection_is_false_offline():
    # tests/conftest.py as pytest loaded it (every conftest module is named `conftest`).
    root_conftest = str(Path(__file__).resolve().parents[1] / "conftest.py")
    (helpers,) = [
        m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == root_conftest
    ]
    result = helpers.run_python_offline(
        "from astrolearn.ui.sky import network_available; print(network_available())",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_fits_round_trip_is_the_bundled_image():
    hdul = data.load_image("dss_ngc6819")
    buffer = io.BytesIO()
    hdul.writeto(buffer)
    assert fits.open(io.BytesIO(buffer.getvalue()))[0].data.shape == (1024, 1024)


def test_new_query_result_replaces_the_catalog_on_the_sky():
    import astropy.units as u
    from astrolearn import vo
    from astropy.table import Table

    selection = Selection(Table(), name="gaia_dr3")  # nothing queried yet
    sky = SkyViewer(selection, offline=True)
    assert selection.name not in sky.aladin.overlays
    selection.table = vo.cone_search("gaia_dr3", "NGC 188", 5 * u.arcmin, backend="offline")
    assert selection.name in sky.aladin.overlays
    target = sky.aladin.target
    # NGC 188: RA 00h48m, Dec +85d15m (Cantat-Gaudin et al. 2018: 11.80, 85.24 deg).
    assert target.separation(SkyCoord(11.80, 85.24, unit="deg")).deg < 0.2
