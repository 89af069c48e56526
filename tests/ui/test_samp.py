"""SAMP: a real pyvo hub and receiving client on loopback; a frozen hub; no hub."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from astrolearn.ui import _samp
from astropy.table import Table
from pyvo.samp import SAMPHubServer, SAMPIntegratedClient
from pyvo.samp.lockfile_helpers import read_lockfile

TABLE = Table({"ra": [56.75, 57.0], "dec": [24.12, 24.3]})


@pytest.fixture
def hub(tmp_path, monkeypatch):
    lockfile = tmp_path / "samp-lock"
    monkeypatch.setenv("SAMP_HUB", f"std-lockurl:{lockfile.as_uri()}")
    server = SAMPHubServer(web_profile=False, lockfile=str(lockfile), addr="127.0.0.1")
    server.start()
    yield lockfile
    server.stop()


def test_a_table_reaches_a_real_client_and_old_files_are_pruned(hub):
    received = []
    arrived = threading.Event()

    def on_table(private_key, sender_id, msg_id, mtype, params, extra):
        received.append(params)
        arrived.set()

    client = SAMPIntegratedClient(name="receiver", addr="127.0.0.1")
    client.connect(hub_params=read_lockfile(str(hub)))
    client.bind_receive_notification("table.load.votable", on_table)
    try:
        assert _samp.hub_running()
        path = _samp.send_table(TABLE, name="pleiades")
        assert arrived.wait(10)
        assert received[0]["name"] == "pleiades" and received[0]["url"] == path.as_uri()
        assert len(Table.read(path, format="votable")) == 2
        for _ in range(_samp.KEEP_FILES + 3):
            _samp.send_table(TABLE)
        assert len(list(path.parent.glob("table-*.xml"))) == _samp.KEEP_FILES
    finally:
        client.disconnect()


def test_a_frozen_hub_does_not_hang_the_kernel(tmp_path, monkeypatch):
    frozen = socket.socket()
    frozen.bind(("127.0.0.1", 0))
    frozen.listen(5)  # accepts connections (in the kernel) and never answers
    lockfile = tmp_path / "samp-lock"
    lockfile.write_text(
        "samp.secret=abc\nsamp.hub.xmlrpc.url=http://127.0.0.1:"
        f"{frozen.getsockname()[1]}/xmlrpc\nsamp.profile.version=1.3\n"
    )
    monkeypatch.setenv("SAMP_HUB", f"std-lockurl:{lockfile.as_uri()}")
    try:
        started = time.monotonic()
        assert not _samp.hub_running(timeout=0.5)
        with pytest.raises(ConnectionError, match=r"did not answer within 0\.5 s"):
            _samp.send_table(TABLE, timeout=0.5)
        assert time.monotonic() - started < 2 * 0.5 + 0.5
    finally:
        frozen.close()


def test_no_hub_is_a_clear_error_and_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMP_HUB", f"std-lockurl:{(tmp_path / 'none').as_uri()}")
    before = set(tmp_path.parent.glob("astrolearn-samp-*"))
    assert not _samp.hub_running()
    with pytest.raises(ConnectionError, match="start TOPCAT"):
        _samp.send_table(TABLE)
    assert set(tmp_path.parent.glob("astrolearn-samp-*")) == before
