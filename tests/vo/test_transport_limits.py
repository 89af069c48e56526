"""Hard limits of every VO HTTP call, against hostile services on loopback.

Each test starts a small HTTP server that misbehaves as a broken or malicious VO service
can: it drip-feeds its answer or its headers, sends 200 MB or a gzip bomb, lies about
its length or encoding, redirects in circles, or nests XML entities. DaCHS cannot be
made to do any of that, so these servers are the one deliberate stand-in; pyvo,
requests, urllib3, zlib and astropy's VOTable parser under test are the real ones.
Time is measured on the monotonic clock and memory with tracemalloc (which counts
Python and numpy allocations), and both bounds are asserted.
"""

from __future__ import annotations

import contextlib
import gzip
import math
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from astrolearn import vo
from astrolearn.vo.transport import DEADLINE_GRACE, timeout_session

from tests.vo.conftest import GOOD_VOTABLE

QUERY = "SELECT TOP 20 * FROM gaiadr3.gaia_source"
VOTABLE_HEAD = (
    b'<?xml version="1.0"?>\n<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">'
    b'<RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/><TABLE>'
    b'<FIELD name="note" datatype="char" arraysize="*"/><DATA><TABLEDATA>\n'
)
#: Long rows: the parser's cost is per row, and the limit is what is being tested.
ROW = b"<TR><TD>" + b"x" * 1000 + b"</TD></TR>\n"
#: The byte limit used by these tests, and what the hostile servers send instead.
LIMIT = 2_000_000
HUGE = 200_000_000
MiB = 1 << 20


def _gzip_member(payload: bytes, level: int = 1) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)
    return packer.compress(payload) + packer.flush()


#: 32 MiB of rows as one gzip member (about 0.4 MB on the wire), sent 32 times after a
#: small member with the VOTable header: a 1 GiB answer in about 12 MB.
ROWS_MEMBER = _gzip_member(ROW * (32 * MiB // len(ROW)))
BOMB_MEMBERS = 32
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE VOTABLE [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">\n'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode() for i in range(9)
    )
    + b"]>\n<VOTABLE><RESOURCE><TABLE><FIELD name='s' datatype='char' arraysize='*'/>"
    + b"<DATA><TABLEDATA><TR><TD>&j;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE>"
    + b"</VOTABLE>"
)


class HostileHandler(BaseHTTPRequestHandler):
    """Answers /<behaviour>/... ; HTTP/1.0, so a body without a length ends at close."""

    hits: dict[str, int] = {}  # noqa: RUF012 (shared on purpose: the tests read it)

    def log_message(self, *args):
        pass

    def _answer(self):
        behaviour = self.path.strip("/").split("/")[0]
        HostileHandler.hits[behaviour] = HostileHandler.hits.get(behaviour, 0) + 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        # The client stops reading and hangs up: that is what the tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            getattr(self, "_" + behaviour.replace("-", "_"))()

    def _head(self, status=200, kind="application/x-votable+xml", **headers):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), str(value))
        self.end_headers()

    def _ok(self):
        self._head(Content_Length=len(GOOD_VOTABLE))
        self.wfile.write(GOOD_VOTABLE)

    def _gzip_ok(self):
        body = gzip.compress(GOOD_VOTABLE)
        self._head(Content_Encoding="gzip", Content_Length=len(body))
        self.wfile.write(body)

    def _deflate_raw(self):  # "deflate" without the zlib wrapper, as some servers send it
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packer.compress(GOOD_VOTABLE) + packer.flush()
        self._head(Content_Encoding="deflate", Content_Length=len(body))
        self.wfile.write(body)

    def _drip(self):  # a healthy answer, 64 bytes every 50 ms: 28 s for 35 kB
        self._head()
        for start in range(0, len(GOOD_VOTABLE), 64):
            self.wfile.write(GOOD_VOTABLE[start : start + 64])
            self.wfile.flush()
            time.sleep(0.05)

    def _drip_headers(self):  # the status line, then one header byte every 50 ms
        self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Padding: ")
        for _ in range(2000):
            self.wfile.write(b"a")
            self.wfile.flush()
            time.sleep(0.05)

    def _stall_after_answer(self):  # the whole answer, then the connection stays open
        self._head()
        self.wfile.write(GOOD_VOTABLE)
        self.wfile.flush()
        time.sleep(10)

    def _huge(self):  # 200 MB of rows, no length announced
        self._head()
        self.wfile.write(VOTABLE_HEAD)
        block = ROW * (MiB // len(ROW))
        for _ in range(HUGE // len(block)):
            self.wfile.write(block)

    def _huge_declared(self):
        self._head(Content_Length=HUGE)
        self.wfile.write(VOTABLE_HEAD)
        self.wfile.write(ROW * 1000)

    def _gzip_bomb(self):  # 1 GiB of rows in about 12 MB of gzip
        self._head(Content_Encoding="gzip")
        self.wfile.write(_gzip_member(VOTABLE_HEAD))
        for _ in range(BOMB_MEMBERS):
            self.wfile.write(ROWS_MEMBER)

    def _gzip_bomb_declared_small(self):  # a small Content-Length does not vouch for it
        body = _gzip_member(VOTABLE_HEAD) + ROWS_MEMBER
        self._head(Content_Encoding="gzip", Content_Length=len(body))
        self.wfile.write(body)

    def _not_gzip(self):
        self._head(Content_Encoding="gzip", Content_Length=len(GOOD_VOTABLE))
        self.wfile.write(GOOD_VOTABLE)

    def _gzip_cut(self):
        body = gzip.compress(GOOD_VOTABLE)[:2000]
        self._head(Content_Encoding="gzip")
        self.wfile.write(body)

    def _brotli(self):
        self._head(Content_Encoding="br", Content_Length=len(GOOD_VOTABLE))
        self.wfile.write(GOOD_VOTABLE)

    def _length_lies(self):  # announces more than it sends, then closes
        self._head(Content_Length=len(GOOD_VOTABLE) + 5000)
        self.wfile.write(GOOD_VOTABLE)

    def _redirect_loop(self):
        self.send_response(302)
        self.send_header("Location", self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _redirect_to_huge(self):
        self.send_response(303)
        self.send_header("Location", "/huge/tap/sync")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _laughs(self):  # "billion laughs": 10^9 characters from nested entities
        self._head(Content_Length=len(LAUGHS))
        self.wfile.write(LAUGHS)

    def _garbage(self):  # random binary, as from a wrong port or a broken proxy
        body = bytes(range(256)) * 64
        self._head(kind="application/octet-stream", Content_Length=len(body))
        self.wfile.write(body)

    def _sesame_impossible(self):
        body = b"# M31\n%J 400.0 +95.0 = 26:40:00.0 +95:00:00\n"
        self._head(kind="text/plain", Content_Length=len(body))
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer


@pytest.fixture(scope="module")
def hostile():
    """Base URL of the hostile loopback server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def tight_limits():
    vo.config.settings.timeout = 1.0
    vo.config.settings.retries = 0
    vo.config.settings.backoff = 0.1
    vo.config.settings.max_bytes = LIMIT
    HostileHandler.hits.clear()


def _run(base, behaviour):
    return vo.tap(f"{base}/{behaviour}/tap").run(QUERY, use_cache=False)


class Measured:
    """Wall-clock seconds and tracemalloc peak (bytes) of the block it wraps."""

    def __enter__(self):
        tracemalloc.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return False


# --- answers that are fine must stay fine ---------------------------------------


@pytest.mark.parametrize("behaviour", ["ok", "gzip-ok", "deflate-raw"])
def test_healthy_answers_parse_whatever_their_encoding(hostile, behaviour):
    table = _run(hostile, behaviour)
    assert sorted(table["source_id"].tolist()) == [4583627001381815936, 5348723816842275584]


def test_an_answer_of_exactly_the_limit_passes(hostile):
    vo.config.settings.max_bytes = len(GOOD_VOTABLE)
    assert len(_run(hostile, "gzip-ok")) == 2
    vo.config.settings.max_bytes = len(GOOD_VOTABLE) - 1
    with pytest.raises(vo.ResponseTooLargeError):
        _run(hostile, "gzip-ok")


# --- the wall-clock deadline -------------------------------------------------------


@pytest.mark.parametrize("behaviour", ["drip", "drip-headers"])
def test_drip_feeding_stops_at_the_deadline(hostile, behaviour):
    with Measured() as cost, pytest.raises(vo.DeadlineExceededError) as caught:
        _run(hostile, behaviour)
    # Every read got a byte within the 1 s socket timeout; only the deadline stops it.
    assert 1.0 <= cost.seconds < 1.0 + DEADLINE_GRACE, cost.seconds
    error = caught.value
    assert error.limit == 1.0 and error.service == f"{hostile}/{behaviour}/tap/sync"
    assert "within 1 s" in str(error) and "settings.timeout" in str(error)
    if behaviour == "drip":
        assert "still arriving" in str(error)
    assert isinstance(error, vo.ServiceUnavailableError)  # so auto mode falls back


def test_a_per_call_timeout_is_the_deadline(hostile):
    started = time.monotonic()
    with pytest.raises(vo.DeadlineExceededError, match=r"within 0\.3 s"):
        vo.tap(f"{hostile}/drip/tap", timeout=0.3).run(QUERY, use_cache=False)
    assert time.monotonic() - started < 0.3 + DEADLINE_GRACE


def test_retries_stay_within_the_stated_bound(hostile):
    vo.config.settings.retries = 2
    started = time.monotonic()
    with pytest.raises(vo.DeadlineExceededError):
        _run(hostile, "drip")
    # (1 + retries) * (timeout + grace) + backoff * (2**retries - 1)
    assert time.monotonic() - started < 3 * (1.0 + DEADLINE_GRACE) + 0.1 * 3
    assert HostileHandler.hits["drip"] == 3


def test_a_connection_left_open_after_the_answer_ends_at_the_deadline(hostile):
    started = time.monotonic()
    with pytest.raises(vo.DeadlineExceededError, match="still arriving"):
        _run(hostile, "stall-after-answer")
    assert time.monotonic() - started < 1.0 + DEADLINE_GRACE


def test_infinite_and_absurd_timeouts_are_refused_with_a_reason():
    for value in (math.inf, 1e300):
        with pytest.raises(vo.InvalidInputError, match="finite wall-clock deadline"):
            vo.tap("http://127.0.0.1:9/tap", timeout=value)
    for value in (math.nan, -1, 0, "5"):
        with pytest.raises(vo.InvalidInputError, match="positive number of seconds"):
            vo.tap("http://127.0.0.1:9/tap", timeout=value)


# --- the byte limit ------------------------------------------------------------------


@pytest.mark.parametrize(
    "behaviour", ["huge", "gzip-bomb", "gzip-bomb-declared-small", "redirect-to-huge"]
)
def test_oversized_answers_stop_at_the_byte_limit_with_bounded_memory(hostile, behaviour):
    with Measured() as cost, pytest.raises(vo.ResponseTooLargeError) as caught:
        _run(hostile, behaviour)
    error = caught.value
    assert error.limit == LIMIT and "2,000,000 bytes" in str(error)
    assert "settings.max_bytes" in str(error) and hostile in error.service
    # 200 MB (or 1 GiB decompressed) on offer; a 2 MB limit costs about 3 MiB.
    assert cost.peak < 4 * LIMIT, cost.peak
    assert cost.seconds < 3.0, cost.seconds


def test_an_announced_oversized_answer_fails_before_its_body_is_read(hostile):
    with Measured() as cost, pytest.raises(vo.ResponseTooLargeError, match="announced 200,000"):
        _run(hostile, "huge-declared")
    assert cost.peak < 5 * MiB and cost.seconds < 1.0


def test_the_session_bounds_plain_requests_too(hostile):
    """astroquery and pyvo's metadata calls read whole bodies through the same session."""
    session = timeout_session(5.0, max_bytes=LIMIT)
    with Measured() as cost, pytest.raises(vo.ResponseTooLargeError):
        session.get(f"{hostile}/gzip-bomb/x").content  # noqa: B018 (reading is the test)
    assert cost.peak < 2 * LIMIT, cost.peak
    with pytest.raises(vo.DeadlineExceededError):
        timeout_session(0.5).get(f"{hostile}/drip/x").content  # noqa: B018
    assert timeout_session(5.0).get(f"{hostile}/gzip-ok/x").content == GOOD_VOTABLE


def test_a_huge_limit_in_the_environment_or_settings_is_checked():
    for value in (0, -5, 2.5, True, "1e6"):
        vo.config.settings.max_bytes = value
        with pytest.raises(vo.InvalidInputError, match="max_bytes"):
            timeout_session(1.0).get("http://127.0.0.1:9/")


# --- malformed answers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("not-gzip", "does not decompress"),
        ("gzip-cut", "cut its compressed answer off"),
        ("brotli", "did not ask for"),
        ("length-lies", "not a VOTable"),
        ("laughs", "not a VOTable"),
        ("garbage", "not a VOTable"),
    ],
)
def test_malformed_answers_are_typed_and_not_retried(hostile, behaviour, reason):
    vo.config.settings.retries = 2
    with Measured() as cost, pytest.raises(vo.MalformedResponseError, match=reason) as caught:
        _run(hostile, behaviour)
    assert HostileHandler.hits[behaviour] == 1
    # Each came with HTTP 200: the error says so, and where from.
    assert caught.value.status == 200 and caught.value.url.startswith(f"{hostile}/{behaviour}/")
    assert cost.seconds < 2.0 and cost.peak < 4 * MiB, (cost.seconds, cost.peak)


def test_a_redirect_loop_ends_quickly(hostile):
    started = time.monotonic()
    with pytest.raises(vo.ServiceUnavailableError, match="redirect"):
        _run(hostile, "redirect-loop")
    assert time.monotonic() - started < 1.0
    assert HostileHandler.hits["redirect-loop"] <= 6


# --- the other VO calls go through the same session -------------------------------


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("drip", vo.DeadlineExceededError),
        ("gzip-bomb", vo.ResponseTooLargeError),
        ("sesame-impossible", vo.MalformedResponseError),
    ],
)
def test_sesame_is_bounded_and_checked(hostile, behaviour, error):
    vo.config.settings.endpoints["sesame"] = [f"{hostile}/{behaviour}/sesame"]
    with Measured() as cost, pytest.raises(error):
        vo.resolve("M31", backend="live")
    assert cost.seconds < 1.0 + DEADLINE_GRACE and cost.peak < 4 * LIMIT
    vo.config.resume_live()
    # auto: a broken Sesame costs one deadline, then the bundled table answers, saying why
    meta = vo.resolve("M31").info.meta
    assert meta["source"] == "offline snapshot" and "Sesame" in meta["fallback_reason"]
    meta = vo.resolve("M31").info.meta  # now skipped for a while, still saying why
    assert "not asked" in meta["fallback_reason"]


@pytest.mark.parametrize(
    ("behaviour", "reason"), [("drip", "did not answer"), ("gzip-bomb", "limit of 2,000,000")]
)
def test_hips2fits_is_bounded(hostile, behaviour, reason):
    import astropy.units as u

    def cutout():
        vo.cutout("CDS/P/DSS2/red", "295.325 40.187", 10 * u.arcmin, backend="live")

    # One quick failure first, so that imports and first-use costs are not timed.
    vo.config.settings.endpoints["hips2fits"] = f"{hostile}/brotli/hips2fits"
    with pytest.raises(vo.MalformedResponseError):
        cutout()
    vo.config.settings.endpoints["hips2fits"] = f"{hostile}/{behaviour}/hips2fits"
    with Measured() as cost, pytest.raises(vo.VOError, match=reason):
        cutout()
    assert cost.seconds < 1.0 + DEADLINE_GRACE and cost.peak < 4 * LIMIT
