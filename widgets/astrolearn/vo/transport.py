"""Hard limits on every VO HTTP call, bounded retries, and translation of errors.

pyvo and astroquery do the HTTP and VOTable work; this module gives them a session that
bounds every exchange in two ways, and turns the many low-level exceptions into the small
:mod:`astrolearn.vo.errors` family.

- **Wall-clock deadline** (``timeout``, default ``config.settings.timeout``): from
  connecting to the last byte of the answer, redirects included. A socket timeout alone
  restarts at every byte, so a service that drip-feeds its answer (or its headers) could
  hold the kernel for hours; here a watchdog shuts the connection's socket down when the
  deadline passes, which wakes any blocked read at once. The call then raises
  :class:`DeadlineExceededError` within :data:`DEADLINE_GRACE` seconds of the deadline.
- **Byte limit** (``max_bytes``, default ``config.settings.max_bytes``), counted on the
  decoded body while it streams: gzip and deflate are decompressed here, a bounded
  piece at a time, so a gzip bomb stops at the limit with memory of the order of the
  limit. A declared ``Content-Length`` over the limit fails before the body is read.
  Raises :class:`ResponseTooLargeError`.

Every error raised after a service answered carries that answer's URL, HTTP status and
the service's own reason (see :class:`astrolearn.vo.errors.VOError`); the reason is
read from the first :data:`ERROR_HEAD` bytes of an error answer that its reader kept.

A call makes at most ``1 + retries`` exchanges (only failures that may be transient are
retried), so it ends within ``(1 + retries) * (timeout + DEADLINE_GRACE)`` plus the
backoff waits ``backoff * (2**retries - 1)``.

Examples
--------
>>> session = timeout_session(5)
>>> session.timeout
5
"""

from __future__ import annotations

import contextlib
import contextvars
import html
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

import requests
from pyvo.dal import DALFormatError, DALQueryError, DALServiceError
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from astrolearn.vo import config
from astrolearn.vo.errors import (
    ADQLError,
    DeadlineExceededError,
    MalformedResponseError,
    ResponseTooLargeError,
    ServiceUnavailableError,
    VOError,
    clean,
)

T = TypeVar("T")

#: Seconds a call may overrun its deadline: the time for the watchdog thread to run and
#: the woken read to unwind (measured: a few milliseconds on a busy 2-core machine).
DEADLINE_GRACE = 0.5
#: Decoded bytes produced per step. Decompression never yields more than this at once,
#: so a highly compressed answer cannot balloon between two checks of the byte limit.
PIECE = 64 * 1024
#: Redirects followed per exchange (requests' default of 30 would let a service loop).
MAX_REDIRECTS = 5
#: Decoded bytes of an error answer kept for its reason: a VOTable or DALI error document
#: is a few hundred bytes, and scanning a bounded head keeps a hostile one cheap.
ERROR_HEAD = 16 * 1024
#: Content encodings decoded here (others were not asked for, so they are refused).
_DECODERS = {"gzip": 47, "x-gzip": 47, "deflate": 15}  # zlib wbits: 47 = gzip or zlib


def service_name(url: str) -> str:
    """``url`` without its query string (which may hold a whole ADQL query)."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()


class Budget:
    """The limits of one exchange: a deadline on the monotonic clock and a byte limit."""

    def __init__(self, url: str, timeout: float, max_bytes: int):
        self.service = service_name(url)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.deadline = time.monotonic() + timeout

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once passed)."""
        return self.deadline - time.monotonic()

    def too_slow(
        self, received: int | None = None, status: int | None = None
    ) -> DeadlineExceededError:
        """The error for a passed deadline, naming the service and the limit.

        ``received`` is the part of the answer's body that arrived, ``status`` its HTTP
        status (both None when the headers had not arrived).
        """
        if received is None:
            what = f"{self.service} did not answer within {self.timeout:g} s"
        else:
            what = (
                f"{self.service} did not answer within {self.timeout:g} s: the answer "
                f"was still arriving ({received:,} bytes so far)"
            )
        return DeadlineExceededError(
            what + " (the wall-clock deadline: pass timeout= or set "
            "astrolearn.vo.config.settings.timeout)",
            self.service,
            self.timeout,
        ).answered(self.service, status, None)

    def too_large(
        self, url: str, status: int, declared: int | None = None
    ) -> ResponseTooLargeError:
        """The error for an answer over the byte limit, naming the service and the limit.

        ``url`` and ``status`` are the answer's (after redirects, ``url`` may differ from
        the service asked); ``declared`` its announced length, if that was the trouble.
        """
        amount = "sent more" if declared is None else f"announced {declared:,} bytes, more"
        return ResponseTooLargeError(
            f"{self.service} {amount} than the limit of {self.max_bytes:,} bytes "
            "(counted after decompression); ask for fewer rows or columns (TOP N, maxrec, "
            "a tighter WHERE clause), or raise astrolearn.vo.config.settings.max_bytes",
            self.service,
            self.max_bytes,
        ).answered(service_name(url) or self.service, status, None)


class Watchdog:
    """Shuts down the sockets of one HTTP request when its budget's deadline passes."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(budget.remaining(), 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        """Cut ``sock`` at the deadline (at once when it has passed)."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        """The exchange ended: stop the timer and forget the sockets."""
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    # The plain socket method, also for TLS sockets: it wakes a blocked recv in the
    # reading thread without touching the TLS object that thread is using. OSError:
    # already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


#: The watchdog of the request being sent in this thread (set by the adapter).
_CURRENT_WATCHDOG: contextvars.ContextVar[Watchdog | None] = contextvars.ContextVar(
    "astrolearn_vo_watchdog", default=None
)


class _WatchedMixin:
    """Hand the connection's socket to the current request's watchdog.

    The socket itself is registered, not the connection: http.client drops the
    connection's reference (``sock = None``) as soon as a response that ends at close
    starts, while the response goes on reading from the same socket.
    """

    sock: socket.socket | None

    def request(self, *args: Any, **kwargs: Any) -> None:
        watchdog = _CURRENT_WATCHDOG.get()
        if watchdog is not None:
            watchdog.watch(self.sock)  # a reused connection (a new one connects below)
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watchdog = _CURRENT_WATCHDOG.get()
        if watchdog is not None:
            watchdog.watch(self.sock)


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class BoundedBody:
    """A response body that enforces the deadline and the byte limit while it is read.

    It stands in for urllib3's response object (``requests.Response.raw``): ``read`` and
    ``stream`` return decoded bytes; anything else is passed to the wrapped response.
    """

    def __init__(
        self, raw: Any, budget: Budget, watchdog: Watchdog, encoding: str, url: str, status: int
    ):
        self._raw = raw
        self._url = service_name(url)
        self._status = status
        #: The first decoded bytes of an error answer (HTTP status 400 or more), as read.
        self.head = bytearray()
        self._keep = ERROR_HEAD if status >= 400 else 0
        self._budget = budget
        self._watchdog = watchdog
        self._received = 0
        self._leftover = b""
        self._raw_done = False
        self._finished = False
        self._wbits = _DECODERS.get(encoding)
        self._decoder = zlib.decompressobj(self._wbits) if self._wbits else None
        self._fresh_decoder = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_raw"):  # not yet set (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self._raw, name)

    def read(self, amt: int | None = None, decode_content: bool = True, **_: Any) -> bytes:
        """``amt`` decoded bytes (fewer only at the end; all remaining when None).

        Like a file, never a short read before the end: astropy's VOTable parser takes
        a short read for the end of the document.
        """
        if amt is None or amt < 0:
            return b"".join(self.stream(PIECE))
        parts, size = [], 0
        while size < amt:
            if not self._leftover:
                self._leftover = self._next_piece()
                if not self._leftover:
                    break
            part, self._leftover = self._leftover[: amt - size], self._leftover[amt - size :]
            parts.append(part)
            size += len(part)
        return b"".join(parts)

    def stream(self, amt: int = PIECE, decode_content: bool | None = None) -> Iterator[bytes]:
        """Yield decoded chunks of at most ``amt`` bytes until the body ends."""
        while True:
            data = self.read(amt)
            if not data:
                return
            yield data

    def close(self) -> None:
        """Close the connection and stop the watchdog."""
        self._watchdog.cancel()
        self._raw.close()

    def release_conn(self) -> None:
        """Give the connection back (requests calls this when a response is closed)."""
        self._watchdog.cancel()
        self._raw.release_conn()

    @property
    def closed(self) -> bool:
        return self._raw.closed

    def readable(self) -> bool:
        return True

    def _next_piece(self) -> bytes:
        """The next decoded piece (at most :data:`PIECE` bytes); ``b""`` at the end."""
        if self._finished:
            return b""
        try:
            piece = self._decode_step()
        except VOError:
            self._abandon()
            raise
        except Exception as error:
            self._abandon()
            if self._watchdog.fired or self._budget.remaining() <= 0:
                raise self._budget.too_slow(self._received, self._status) from error
            if isinstance(error, zlib.error):
                raise MalformedResponseError(
                    f"{self._budget.service} sent a compressed answer that does not "
                    f"decompress: {error}"
                ).answered(self._url, self._status, None) from error
            raise
        if self._watchdog.fired or self._budget.remaining() <= 0:
            self._abandon()
            raise self._budget.too_slow(self._received, self._status)
        self._received += len(piece)
        if self._received > self._budget.max_bytes:
            self._abandon()
            raise self._budget.too_large(self._url, self._status)
        if len(self.head) < self._keep:
            self.head += piece[: self._keep - len(self.head)]
        if not piece:
            self._finished = True
            self._watchdog.cancel()
        return piece

    def _decode_step(self) -> bytes:
        while True:
            decoder = self._decoder
            if decoder is None:
                return self._read_raw()
            data = decoder.unconsumed_tail
            if not data:
                if decoder.eof and decoder.unused_data:
                    # Another gzip member follows (legal): decode it with a fresh decoder.
                    data, self._decoder = decoder.unused_data, zlib.decompressobj(self._wbits)
                    decoder = self._decoder
                else:
                    data = self._read_raw()
                    if not data:
                        if not decoder.eof:
                            raise MalformedResponseError(
                                f"{self._budget.service} cut its compressed answer off"
                            ).answered(self._url, self._status, None)
                        return b""
            try:
                piece = decoder.decompress(data, PIECE)
            except zlib.error:
                if not (self._fresh_decoder and self._wbits == 15):
                    raise
                # "deflate" is sent both zlib-wrapped (the standard) and raw: retry raw.
                self._wbits = -15
                self._decoder = decoder = zlib.decompressobj(self._wbits)
                piece = decoder.decompress(data, PIECE)
            self._fresh_decoder = False
            if piece:
                return piece

    def _read_raw(self) -> bytes:
        if self._raw_done:
            return b""
        # read1 returns what has arrived instead of waiting for a full piece, so a
        # drip-fed answer is parsed (and counted) as it comes.
        reader = getattr(self._raw, "read1", None) or self._raw.read
        data = reader(PIECE, decode_content=False)
        if not data:
            self._raw_done = True
        return data

    def _abandon(self) -> None:
        """Drop the connection: a half-read answer must not go back to the pool."""
        self._finished = True
        self._watchdog.cancel()
        # The socket may already be shut down: then there is nothing more to free.
        with contextlib.suppress(Exception):
            self._raw.close()


class BoundedAdapter(HTTPAdapter):
    """A requests adapter whose every request obeys the session's deadline and byte limit."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        budget = _CURRENT_BUDGET.get() or Budget(
            request.url or "", config.settings.timeout, config.settings.max_bytes
        )
        remaining = budget.remaining()
        if remaining <= 0:
            raise budget.too_slow()
        # The socket timeout is only a backstop; the watchdog enforces the deadline.
        kwargs["timeout"] = remaining
        watchdog = Watchdog(budget)
        token = _CURRENT_WATCHDOG.set(watchdog)
        try:
            response = super().send(request, **kwargs)
        except Exception as error:
            watchdog.cancel()
            if watchdog.fired or budget.remaining() <= 0:
                raise budget.too_slow() from error
            raise
        finally:
            _CURRENT_WATCHDOG.reset(token)
        if watchdog.fired:
            # Cut while the headers were arriving: http.client may take the cut for the
            # end of the headers and hand over a response that is not one.
            watchdog.cancel()
            response.raw.close()
            raise budget.too_slow()
        return _bounded(response, budget, watchdog)


def _bounded(response: requests.Response, budget: Budget, watchdog: Watchdog) -> requests.Response:
    """Give ``response`` a :class:`BoundedBody`, after checking what its headers announce."""
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity", *_DECODERS):
        watchdog.cancel()
        response.raw.close()
        raise MalformedResponseError(
            f"{budget.service} sent its answer with Content-Encoding "
            f"{clean(encoding, 40)!r}, which astrolearn did not ask for (it accepts gzip "
            "and deflate)"
        ).answered(service_name(response.url), response.status_code, None)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and encoding in ("", "identity") and int(declared) > budget.max_bytes:
        watchdog.cancel()
        response.raw.close()
        raise budget.too_large(response.url, response.status_code, int(declared))
    response.raw = BoundedBody(
        response.raw, budget, watchdog, encoding, response.url, response.status_code
    )
    return response


_CURRENT_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "astrolearn_vo_budget", default=None
)


class Answer(NamedTuple):
    """What an error needs of an HTTP answer: never its whole body (which may be huge)."""

    url: str
    status: int
    phrase: str
    content_type: str
    charset: str | None
    #: The kept head of an error answer's body, filled while it is read (BoundedBody).
    head: bytearray

    @classmethod
    def of(cls, response: requests.Response) -> Answer:
        """The part of ``response`` kept for its errors."""
        return cls(
            service_name(response.url or ""),
            response.status_code,
            response.reason or "",
            response.headers.get("Content-Type", ""),
            response.encoding,
            getattr(response.raw, "head", bytearray()),
        )


#: The answer to the latest request of this thread (None: it got none). pyvo reads a
#: TAP error document itself and raises without the HTTP answer: this keeps its status.
_LAST_ANSWER: contextvars.ContextVar[Answer | None] = contextvars.ContextVar(
    "astrolearn_vo_answer", default=None
)


class TimeoutSession(requests.Session):
    """A requests session whose every request has a wall-clock deadline and a byte limit.

    Parameters
    ----------
    timeout : float
        Wall-clock seconds per request, from connecting to the last byte of the body.
    max_bytes : int, optional
        Largest decoded body (default ``config.settings.max_bytes``).
    """

    def __init__(self, timeout: float, max_bytes: int | None = None):
        super().__init__()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = MAX_REDIRECTS
        self.headers["User-Agent"] = "astrolearn-vo (pyvo)"
        # Only encodings this module decodes itself, counting the decoded bytes.
        self.headers["Accept-Encoding"] = "gzip, deflate"
        adapter = BoundedAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):
        """Send one request (redirects included) within this session's limits."""
        given = kwargs.pop("timeout", None)
        # A caller (astroquery) may pass its own timeout: the shorter one wins.
        seconds = self.timeout
        if isinstance(given, int | float) and not isinstance(given, bool) and given > 0:
            seconds = min(seconds, float(given))
        budget = Budget(
            url.decode() if isinstance(url, bytes) else str(url),
            seconds,
            config.check_max_bytes(self.max_bytes),
        )
        token = _CURRENT_BUDGET.set(budget)
        _LAST_ANSWER.set(None)
        try:
            answer = super().request(method, url, *args, **kwargs)
        finally:
            _CURRENT_BUDGET.reset(token)
        _LAST_ANSWER.set(Answer.of(answer))
        return answer


def timeout_session(timeout: float, max_bytes: int | None = None) -> TimeoutSession:
    """A session whose every request ends within ``timeout`` s and ``max_bytes`` bytes."""
    return TimeoutSession(timeout, max_bytes)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and the exceptions it wraps (pyvo's ``cause``, ``__cause__``, ...)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "cause", None)
        if not isinstance(wrapped, BaseException):
            wrapped = current.__cause__ or current.__context__
        current = wrapped


#: An attribute in a VOTable tag: its name and (quoted) value.
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_TAG = re.compile(r"<[^>]*>")


def votable_error(text: str) -> str | None:
    """The message of the first ``INFO name="QUERY_STATUS" value="ERROR"`` in ``text``.

    That is how a VOTable, and a DALI error document, states an error. ``text`` may be
    cut anywhere (it is the head of an answer); a plain scan, not a parser, so that a
    hostile document costs time linear in its (bounded) length.
    """
    start = text.find("<INFO")
    while start >= 0:
        close = text.find(">", start)
        if close < 0:
            return None
        attributes = {
            name.rpartition(":")[2]: double or single
            for name, double, single in _ATTRIBUTE.findall(text, start + 5, close)
        }
        if attributes.get("name") == "QUERY_STATUS" and attributes.get("value") == "ERROR":
            if text[close - 1] == "/":
                return None  # an error without words
            end = text.find("</INFO", close)
            body = text[close + 1 : end if end >= 0 else len(text)]
            body = _TAG.sub(" ", _CDATA.sub(lambda found: found.group(1), body))
            return html.unescape(body)
        start = text.find("<INFO", close)
    return None


def service_reason(answer: Answer) -> str | None:
    """What the service said about an error answer, in its own words (uncleaned).

    Its VOTable or DALI error document's message; else the first non-blank line of a
    plain-text body; else the HTTP reason phrase (an HTML page is not quoted).
    """
    try:
        text = bytes(answer.head).decode(answer.charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = bytes(answer.head).decode("utf-8", errors="replace")
    said = votable_error(text)
    if said is None and "text/plain" in answer.content_type.lower():
        said = next((line for line in text.splitlines() if line.strip()), None)
    return said if said and said.strip() else answer.phrase


def _answer_of(error: BaseException) -> Answer | None:
    """The HTTP answer ``error`` is about: the one it carries, else this thread's last."""
    for link in _causes(error):
        answer = getattr(link, "response", None)
        if isinstance(answer, requests.Response):
            return Answer.of(answer)
    return _LAST_ANSWER.get()


def translate(error: Exception, url: str, timeout: float) -> VOError | None:
    """Map a pyvo/requests/parser exception to an astrolearn VO error (None: a bug, re-raise).

    The error carries the answer's URL, HTTP status and, for an HTTP error or a query
    the service rejected, the service's own reason (see :class:`VOError`).
    """
    for link in _causes(error):
        if isinstance(link, VOError):
            return link  # raised by this module, possibly wrapped by pyvo
    answer = _answer_of(error)
    status = answer.status if answer is not None else None
    where = answer.url if answer is not None else None
    where = where or (service_name(url) if "://" in url else None)
    said = service_reason(answer) if status is not None and status >= 400 else None
    if isinstance(error, DALQueryError):
        said = error.reason or said
        if status is None or status < 500:
            return ADQLError(f"{url} rejected the query").answered(where, status, said)
    cause = getattr(error, "cause", None) or error.__cause__ or error
    # pyvo wraps transport failures in its own classes (even DALFormatError): look at
    # the cause first.
    if (
        status is not None
        and status >= 500
        and isinstance(error, DALQueryError | DALServiceError | requests.HTTPError)
    ):
        # A VOTable error document or an error page: the service failed, for now.
        return ServiceUnavailableError(f"{url} failed on its side (try again later)").answered(
            where, status, said
        )
    if isinstance(cause, requests.Timeout | TimeoutError):
        return DeadlineExceededError(
            f"{service_name(url)} did not answer within {timeout:g} s",
            service_name(url),
            timeout,
        ).answered(where, status, None)
    if isinstance(cause, requests.TooManyRedirects):
        return ServiceUnavailableError(
            f"{url} redirected too often (more than {MAX_REDIRECTS} times)"
        ).answered(where, status, None)
    if isinstance(cause, requests.exceptions.ChunkedEncodingError):
        return MalformedResponseError(f"{url} cut its answer off: {clean(cause)}").answered(
            where, status, None
        )
    if isinstance(cause, requests.ConnectionError | ConnectionError):
        return ServiceUnavailableError(
            f"{url} is unreachable (connection failed: {clean(cause)})"
        ).answered(where, status, None)
    if status is not None and status >= 400 and isinstance(error, DALServiceError | OSError):
        # An HTTP error answer (pyvo's DALServiceError, or requests' HTTPError).
        if status == 400 and isinstance(error, DALServiceError):  # a DAL query, refused
            return ADQLError(f"{url} rejected the query").answered(where, status, said)
        return ServiceUnavailableError(f"{url} refused the request").answered(where, status, said)
    if isinstance(error, DALServiceError):
        return ServiceUnavailableError(f"{url} failed: {clean(error)}").answered(
            where, status, None
        )
    if isinstance(error, DALFormatError | ExpatError | ValueError | IndexError | KeyError):
        return MalformedResponseError(
            f"{url} answered something that is not a VOTable: {clean(error)}"
        ).answered(where, status, None)
    if isinstance(error, OSError):
        return ServiceUnavailableError(f"{url} failed: {clean(error)}").answered(
            where, status, None
        )
    return None


def with_retries(
    call: Callable[[], T], url: str, timeout: float, retries: int, backoff: float
) -> T:
    """Run ``call``; retry only when the service looked unavailable, waiting with backoff.

    Query errors, malformed and oversized answers are not retried: asking again gets
    the same.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as error:
            translated = translate(error, url, timeout)
            if translated is None or translated is error:
                raise
            if not isinstance(translated, ServiceUnavailableError) or attempt >= retries:
                raise translated from error
        time.sleep(backoff * 2**attempt)
        attempt += 1
