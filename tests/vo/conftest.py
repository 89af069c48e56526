"""Fixtures of the VO tests: the real local DaCHS mirror, and a misbehaving HTTP server.

The mirror is started once per session with the real `astrolearn mirror start` and
shared by the tests. The fault server is the one deliberate stand-in: DaCHS cannot be
made to answer slowly, with HTTP 500 or with a cut-off VOTable, so a small loopback
server does exactly that, serving a real recorded Gaia archive answer (fixtures/).
"""

from __future__ import annotations

import copy
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import require

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_VOTABLE = (FIXTURES / "gaia_dr3_two_sources.vot").read_bytes()
EMPTY_VOTABLE = re.sub(rb"<TR>.*?</TR>\s*", b"", GOOD_VOTABLE, flags=re.S)
MIRROR_URL = "http://127.0.0.1:8080"
#: What an ADQL syntax error looks like from DaCHS (and, as DALI specifies, from any TAP
#: service): a VOTable whose QUERY_STATUS INFO says ERROR and holds the message.
ADQL_COMPLAINT = "Could not parse your query: Expected 'SELECT' (at char 0), (line:1, col:1)"
#: A reason with terminal escapes, a bidirectional override and a forged first sentence.
HOSTILE_REASON = "bad query\n\nADQLError: all is fine, ignore this\x1b[2J\u202eevil\x00 &amp; more"


def error_votable(message: str) -> bytes:
    """A VOTable (DALI) error document stating ``message``, attributes in either order."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">\n'
        '<RESOURCE type="results">\n<INFO name="SERVICE" value="loopback"/>\n'
        f"<INFO value='ERROR' name='QUERY_STATUS'>{message}</INFO>\n"
        "</RESOURCE>\n</VOTABLE>\n"
    ).encode()


def mirror_command(action: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `astrolearn mirror <action>` exactly as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "astrolearn.cli", "mirror", action],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def mirror() -> str:
    """The local DaCHS mirror, started by `astrolearn mirror start`; its base URL."""
    require(
        shutil.which("dachs") is not None,
        "GAVO DaCHS (the local VO server)",
        "sudo bash tools/install-system.sh",
    )
    started = mirror_command("start")
    if started.returncode == 4:  # not root: use a mirror someone started, or skip
        require(
            mirror_command("status").returncode == 0,
            "a running mirror (starting one needs root)",
            "sudo astrolearn mirror start",
        )
    else:
        assert started.returncode == 0, started.stdout + started.stderr
    return MIRROR_URL


@pytest.fixture(autouse=True)
def fresh_settings(tmp_path, monkeypatch):
    """Each test gets its own empty cache and default VO settings."""
    from astrolearn.vo import config

    monkeypatch.setenv("ASTROLEARN_CACHE_DIR", str(tmp_path / "vo-cache"))
    saved = copy.deepcopy(config.settings)
    config.settings.live_urls = {}
    config.settings.endpoints = {}
    config.settings.mirror_url = MIRROR_URL
    config.resume_live()
    yield
    for name, value in vars(saved).items():
        setattr(config.settings, name, value)


@pytest.fixture
def quick_retries():
    """Short deadlines, one retry and a short backoff, for tests against the fault server."""
    from astrolearn.vo import config

    config.settings.timeout = 1.0
    config.settings.retries = 1
    config.settings.backoff = 0.1
    FaultHandler.hits.clear()


class FaultHandler(BaseHTTPRequestHandler):
    """Answers /<fault>/tap/... according to the first path segment."""

    hits: typing.ClassVar[dict] = {}
    slow_seconds = 5.0

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _answer(self):
        fault = self.path.strip("/").split("/")[0]
        FaultHandler.hits[fault] = FaultHandler.hits.get(fault, 0) + 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if fault == "slow":
            time.sleep(self.slow_seconds)
            return self._send(200, GOOD_VOTABLE)
        if fault == "error500":
            return self._send(500, b"Internal Server Error", "text/plain")
        if fault == "truncated":
            return self._send(200, GOOD_VOTABLE[: len(GOOD_VOTABLE) // 2])
        if fault == "malformed":
            return self._send(200, b"<html><body>Service maintenance</body></html>", "text/html")
        if fault == "empty":
            return self._send(200, EMPTY_VOTABLE)
        if fault == "adql400":
            return self._send(400, error_votable(ADQL_COMPLAINT))
        if fault == "votable500":
            return self._send(500, error_votable("the database went away"))
        if fault == "hostile400":
            return self._send(400, error_votable(HOSTILE_REASON))
        if fault == "html500":
            page = b"<html><head><title>Oops</title></head><body><pre>Traceback"
            return self._send(500, page + b" x" * 50_000 + b"</pre></body></html>", "text/html")
        if fault == "phrase502":  # a hostile reason phrase in the status line itself
            self.send_response(502, "Bad\x1b[2J\x7fGateway " + "z" * 5000)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if fault == "plain503":
            body = b"Down for maintenance until 14:00 UTC\nsecond line\n"
            return self._send(503, body, "text/plain; charset=utf-8")
        if fault == "huge503":
            return self._send(503, b"\n\n" + b"spam " * 200_000, "text/plain")
        if fault == "redirect":  # to the same path under plain503
            self.send_response(303)
            self.send_header("Location", "/plain503/" + self.path.strip("/").partition("/")[2])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._send(200, GOOD_VOTABLE)

    def _send(self, status: int, body: bytes, kind: str = "application/x-votable+xml"):
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): that is the point of the test

    do_GET = _answer
    do_POST = _answer


@pytest.fixture(scope="session")
def fault_server():
    """Base URL of the misbehaving loopback HTTP server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tap"
