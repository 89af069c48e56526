"""What a visitor of the public apps may send to a kernel, and what comes back.

The kernel websocket of a Voila server is open to anyone who loads an app page. Three
upstream behaviours make that dangerous on the internet, and this module is the layer
of our own that ``astrolearn serve`` puts over Voila's handlers against each:

* **Frames are decoded without bounds.** jupyter_server reads the first 8 bytes of a
  binary frame in the v1 kernel protocol (``deserialize_msg_from_ws_v1``), or the
  first 4 of the legacy binary framing (``deserialize_binary_message``), as a count
  and loops that many times: one 16-byte frame pins the server process and grows it
  until the machine runs out of memory. ``check_frame`` looks at every frame first:
  a size limit, a bounded number of parts, offsets increasing and inside the frame, a
  known channel and a readable header. A bad frame closes that one socket (close
  code ``1008``, or ``1009`` when too big) with one line in the log; tornado cuts a
  frame ``HARD_LIMIT_FACTOR`` times the limit before it is read.
* **Any kernel id opens any kernel.** Voila's channels, kernel and shutdown handlers
  accept every id; the id is in the page. Here each visitor gets an unguessable
  cookie, the server notes which visitor a kernel was started (or handed out) for,
  and every handler that names a kernel answers 403 to anyone else
  (``VisitorsOwnKernels``).
* **Tracebacks reach the browser.** Voila's ``show_tracebacks=False`` cleans the
  rendered page, but a kernel's later ``error`` messages, and its stderr, still go to
  the page with server paths in them. ``PrivateConnection`` replaces them with a short
  message and an incident id; the operator's log has the traceback under that id.
  So do the outputs an Output widget captured while the page rendered (they travel
  in widget state), and ``PrivateExecutor`` does it for cells that fail in the page.

Besides: caps on websockets per kernel and in all, every response's security headers
(``SecurityHeaders``), the websockets of a culled kernel closed with
``CLOSE_SESSION_ENDED`` so that its page can say so (``end_session``), and Voila's
request-info socket made safe for many visitors (``private_request_info``).

Examples
--------
>>> try:
...     check_frame(b"\\xff" * 16, V1_PROTOCOL)
... except FrameError as error:
...     print(error)
18446744073709551615 offsets; a kernel message has 6 to 38
"""

from __future__ import annotations

import hmac
import itertools
import json
import re
import secrets
import struct
import typing

from jupyter_server.services.kernels.connection.channels import (
    ZMQChannelsWebsocketConnection,
)
from tornado import httputil, web
from tornado.log import app_log
from tornado.web import OutputTransform
from voila.execute import VoilaExecutor

from astrolearn.serve import MAX_FRAME_BYTES

#: The kernel websocket protocol of JupyterLab 4 and Voila pages.
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
#: Binary buffers one message may carry after its four JSON parts (widgets send a few).
MAX_BUFFERS = 32
#: Websockets one kernel may have open at once (a tab and its reconnections).
MAX_SOCKETS_PER_KERNEL = 3
#: Websockets the server has open at once: four ZMQ sockets each stay well inside
#: ZMQ's 1023 per process.
MAX_SOCKETS = 200
#: Kernel channels a page may send on. Not iopub, which the server only reads from the
#: kernel (what is sent there is queued and never freed), nor stdin (the apps never
#: call ``input()``; its queue would fill the same way).
CHANNELS = frozenset({"shell", "control"})
#: Close code for a frame that breaks the protocol (RFC 6455: policy violation).
CLOSE_BAD_FRAME = 1008
#: Close code for a frame above the size limit (RFC 6455: message too big).
CLOSE_TOO_BIG = 1009
#: Close code for a kernel shut down (culled): the page says the session has ended.
CLOSE_SESSION_ENDED = 4001
#: tornado cuts the connection, unread and without a word, at this many times the
#: limit; between the two, the frame is refused here with a close code and a log line.
HARD_LIMIT_FACTOR = 4
#: The cookie that names a visitor's browser to the server.
VISITOR_COOKIE = "astrolearn_visitor"
_VISITOR = re.compile(r"[A-Za-z0-9_-]{32}")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


#: Headers of every page and file: the pages load code, styles, pictures and fonts
#: from this server only, talk to it only, and may be framed only by its own pages.
#: Inline scripts and styles stay allowed because Voila's template and the widget
#: libraries write them; ``blob:`` because anywidget (ipyaladin) imports its code from
#: a blob URL. Aladin Lite compiles WebAssembly (``'wasm-unsafe-eval'``, which allows
#: no JavaScript eval) that it fetches from a ``data:`` URL inside its own code, reads
#: catalogues that ipyaladin hands it as ``blob:`` URLs, and may show the HiPS surveys
#: of the CDS (``CDS_HIPS``) when the server is online.
CDS_HIPS = "https://alasky.cds.unistra.fr https://alaskybis.cds.unistra.fr"
SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: {CDS_HIPS}",
            "font-src 'self' data:",
            f"connect-src 'self' data: blob: {CDS_HIPS}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders(OutputTransform):
    """Puts ``SECURITY_HEADERS`` on every response the server sends, whatever its handler.

    A transform rather than jupyter_server's ``headers`` setting, which only its own
    handlers read: Voila's picture and static-file handlers are plain tornado.
    """

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        return status_code, headers, chunk


class FrameError(ValueError):
    """A websocket frame that must not reach jupyter_server's decoder."""

    close_code = CLOSE_BAD_FRAME


class FrameTooBig(FrameError):
    """A websocket frame above the size limit."""

    close_code = CLOSE_TOO_BIG


def _offsets_in_order(offsets: list[int], start: int, size: int) -> None:
    """Raise FrameError unless ``offsets`` rise from ``start`` or beyond up to ``size``."""
    if offsets[0] < start:
        raise FrameError("the first part overlaps the offset table")
    if any(later < earlier for earlier, later in itertools.pairwise(offsets)):
        raise FrameError("offsets go backwards")
    if offsets[-1] > size:
        raise FrameError(f"an offset points past the end of the {size}-byte frame")


def _check_v1(frame: bytes) -> None:
    """The v1 framing: 8-byte count, that many 8-byte offsets, channel, parts."""
    size = len(frame)
    if size < 8:
        raise FrameError(f"{size} bytes is shorter than the frame header")
    count = int.from_bytes(frame[:8], "little")
    # Offsets: channel start, then the ends of channel, header, parent header,
    # metadata, content and of each buffer.
    most = 6 + MAX_BUFFERS
    if not 6 <= count <= most:
        raise FrameError(f"{count} offsets; a kernel message has 6 to {most}")
    table_end = 8 * (count + 1)
    if size < table_end:
        raise FrameError(f"the offset table needs {table_end} bytes, the frame has {size}")
    offsets = [int.from_bytes(frame[8 * i : 8 * (i + 1)], "little") for i in range(1, count + 1)]
    _offsets_in_order(offsets, table_end, size)
    try:
        channel = frame[offsets[0] : offsets[1]].decode("ascii")
    except UnicodeDecodeError:
        channel = "?"
    if channel not in CHANNELS:
        raise FrameError(f"unknown channel {channel[:20]!r}")
    _check_header(frame[offsets[1] : offsets[2]])


def _check_legacy_binary(frame: bytes) -> None:
    """The legacy binary framing: 4-byte count, 4-byte offsets, JSON message, buffers."""
    size = len(frame)
    if size < 8:
        raise FrameError(f"{size} bytes is shorter than the frame header")
    (count,) = struct.unpack("!i", frame[:4])
    if not 1 <= count <= 1 + MAX_BUFFERS:
        raise FrameError(f"{count} parts; a kernel message has 1 to {1 + MAX_BUFFERS}")
    table_end = 4 * (count + 1)
    if size < table_end:
        raise FrameError(f"the offset table needs {table_end} bytes, the frame has {size}")
    offsets = list(struct.unpack(f"!{count}I", frame[4:table_end]))
    _offsets_in_order(offsets, table_end, size)
    end = offsets[1] if count > 1 else size
    _check_message(frame[offsets[0] : end])


def _json(raw: bytes | str):
    """``raw`` read as jupyter_server reads it: UTF-8 JSON (not UTF-16 or UTF-32, which
    ``json.loads`` would accept from bytes)."""
    return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)


def _check_header(raw: bytes) -> None:
    """A header is a JSON object whose ``msg_type`` is a string."""
    try:
        header = _json(raw)
    except (ValueError, RecursionError):
        raise FrameError("the header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("msg_type"), str):
        raise FrameError("the header has no message type")


def _check_message(raw: bytes | str) -> None:
    """A legacy message is a JSON object with a header and the other parts as objects."""
    try:
        message = _json(raw)
    except (ValueError, RecursionError):
        raise FrameError("the message is not JSON") from None
    parts = ("header", "parent_header", "metadata", "content")
    if not isinstance(message, dict) or not all(
        isinstance(message.get(part), dict) for part in parts
    ):
        raise FrameError("the message lacks a header, parent header, metadata or content")
    if not isinstance(message["header"].get("msg_type"), str):
        raise FrameError("the header has no message type")
    channel = message.get("channel", "shell")
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise FrameError(f"unknown channel {str(channel)[:20]!r}")


def check_frame(frame: bytes | str, protocol: str | None, limit: int = MAX_FRAME_BYTES) -> None:
    """Raise FrameError unless ``frame`` is safe to hand to jupyter_server's decoder.

    Parameters
    ----------
    frame : bytes or str
        One websocket message from a visitor (binary or text).
    protocol : str or None
        The subprotocol the socket agreed on: ``V1_PROTOCOL`` or None (legacy).
    limit : int
        Largest frame accepted, in bytes.
    """
    size = len(frame)
    if size > limit:
        raise FrameTooBig(f"{size} bytes, more than the {limit}-byte limit")
    if protocol == V1_PROTOCOL:
        if not isinstance(frame, bytes):
            raise FrameError("a text frame on the binary v1 protocol")
        _check_v1(frame)
    elif isinstance(frame, bytes):
        _check_legacy_binary(frame)
    else:
        _check_message(frame)


def visitor_of(handler: web.RequestHandler) -> str | None:
    """The visitor id in the request's cookie, if it has a well-formed one."""
    visitor = handler.get_cookie(VISITOR_COOKIE)
    return visitor if visitor and _VISITOR.fullmatch(visitor) else None


def greet_visitor(handler: web.RequestHandler) -> str:
    """The request's visitor id; a newcomer gets one, set as a cookie on this response."""
    visitor = visitor_of(handler)
    if visitor is None:
        visitor = secrets.token_urlsafe(24)
        handler.set_cookie(
            VISITOR_COOKIE,
            visitor,
            path=handler.settings.get("base_url", "/"),
            httponly=True,
            samesite="Lax",
            secure=handler.request.protocol == "https",
        )
    return visitor


def owns_kernel(owner: str | None, visitor: str | None) -> bool:
    """True if ``visitor`` is the known ``owner`` of a kernel (constant-time compare)."""
    return bool(owner and visitor) and hmac.compare_digest(owner, visitor)


def refuse(handler: web.RequestHandler, status: int, message: str) -> None:
    """Answer ``status`` with ``message``, before any handler code runs.

    JSON as jupyter_server's API errors are (the page's code reads them), and not an
    ``HTTPError``: jupyter_server's error page needs what ``prepare`` sets up.
    """
    handler.set_status(status)
    handler.set_header("Content-Type", "application/json; charset=utf-8")
    reason = httputil.responses.get(status, "")
    handler.finish(json.dumps({"message": message, "reason": reason}))


def visitors_own_kernels(handler_class: type) -> type:
    """``handler_class`` answering 403 unless the request's visitor owns the kernel named.

    The kernel id is the URL's ``kernel_id`` group or, for Voila's shutdown handler,
    its first group. The kernel manager says who owns a kernel (``owner``).
    """

    class VisitorsOwnKernels(handler_class):
        async def prepare(self):
            kernel_id = self.path_kwargs.get("kernel_id") or next(iter(self.path_args), "")
            manager = self.settings["kernel_manager"]
            if kernel_id not in manager:  # shut down, or never was: nothing to hide
                return refuse(self, 404, "This app's session has ended. Reload the app.")
            if not owns_kernel(manager.owner(kernel_id), visitor_of(self)):
                getattr(self, "log", app_log).warning(
                    "403: %s asked for kernel %s, which is not its own",
                    self.request.remote_ip,
                    kernel_id[:40],
                )
                return refuse(self, 403, "This is another visitor's session. Reload the app.")
            result = super().prepare()
            if result is not None:
                await result

    VisitorsOwnKernels.__name__ = f"VisitorsOwn{handler_class.__name__}"
    return VisitorsOwnKernels


def guarded_kernel_websocket(handler_class: type) -> type:
    """``handler_class`` (a kernel websocket handler) that checks every frame first.

    Also caps the sockets open at once, per kernel (``MAX_SOCKETS_PER_KERNEL``) and in
    all (``MAX_SOCKETS``): each costs the server four ZMQ sockets and their file
    descriptors, and ZMQ allows 1023 sockets per process. A socket is counted from
    the moment its upgrade is accepted for checking, so handshakes made at the same
    instant cannot all slip under the cap.
    """

    class GuardedKernelWebsocket(visitors_own_kernels(handler_class)):
        #: Websockets open or opening, per kernel id, in this server process.
        open_sockets: typing.ClassVar[dict[str, int]] = {}
        _counted: str | None = None

        async def open(self, *args, **kwargs):
            _SOCKETS.setdefault(self.path_kwargs.get("kernel_id", ""), set()).add(self)
            return await super().open(*args, **kwargs)

        async def get(self, *args, **kwargs):
            kernel_id = self.path_kwargs.get("kernel_id", "")
            if self.open_sockets.get(kernel_id, 0) >= MAX_SOCKETS_PER_KERNEL:
                self.log.warning("429: kernel %s has too many websockets open", kernel_id)
                return refuse(self, 429, "This app is open in too many tabs.")
            if sum(self.open_sockets.values()) >= MAX_SOCKETS:
                self.log.warning("503: %d websockets open, the most allowed", MAX_SOCKETS)
                return refuse(self, 503, "The server is busy. Try again in a minute.")
            self.open_sockets[kernel_id] = self.open_sockets.get(kernel_id, 0) + 1
            self._counted = kernel_id
            try:
                await super().get(*args, **kwargs)
            finally:
                if self.ws_connection is None:  # refused, or not a websocket request
                    self._release()

        def _release(self) -> None:
            kernel_id, self._counted = self._counted, None
            if kernel_id is not None:
                left = self.open_sockets.pop(kernel_id, 1) - 1
                if left > 0:
                    self.open_sockets[kernel_id] = left

        def on_message(self, message):
            try:
                check_frame(message, self.selected_subprotocol, self._frame_limit())
            except FrameError as error:
                self.log.warning(
                    "closed the websocket of %s on kernel %s: bad frame: %s",
                    self.request.remote_ip,
                    self.path_kwargs.get("kernel_id"),
                    error,
                )
                reason = "message too big" if error.close_code == CLOSE_TOO_BIG else "malformed"
                self.close(error.close_code, f"astrolearn: {reason} kernel message")
                return None
            self.kernel_manager.visitor_active(self.path_kwargs.get("kernel_id", ""))
            return super().on_message(message)

        def _frame_limit(self) -> int:
            return self.settings.get("astrolearn_max_frame_bytes", MAX_FRAME_BYTES)

        def on_close(self):
            self._release()
            _SOCKETS.get(self.path_kwargs.get("kernel_id", ""), set()).discard(self)
            if getattr(self, "connection", None) is not None:
                return super().on_close()
            return None

    return GuardedKernelWebsocket


def private_request_info(handler_class: type) -> type:
    """Voila's request-info websocket (``handler_class``), fixed for many visitors.

    Upstream, closing one socket can drop another visitor's entry (it deletes the
    last one it looked at), the cache of undelivered request info is never emptied,
    and a message from the page raises. Here a socket removes only itself, delivered
    info leaves the cache and messages from the page are ignored (it only listens).
    """

    class PrivateRequestInfo(visitors_own_kernels(handler_class)):
        def open(self, kernel_id: str) -> None:
            handler_class._waiters[kernel_id] = self
            payload = handler_class._cache.pop(kernel_id, None)
            if payload is not None:
                self.write_message(payload)

        def on_message(self, message) -> None:
            return None

        def on_close(self) -> None:
            for kernel_id, waiter in list(handler_class._waiters.items()):
                if waiter is self:
                    del handler_class._waiters[kernel_id]

    return PrivateRequestInfo


#: The open kernel websockets of this server process, per kernel id.
_SOCKETS: dict[str, set] = {}


def end_session(kernel_id: str) -> None:
    """Close the websockets of a kernel being shut down, with ``CLOSE_SESSION_ENDED``.

    jupyter_server leaves them open, so a page whose kernel was culled would never know.
    """
    for socket in list(_SOCKETS.pop(kernel_id, ())):
        socket.close(CLOSE_SESSION_ENDED, "astrolearn: the session has ended")


def incident_id() -> str:
    """A short id that ties what a visitor sees to the operator's log line."""
    return secrets.token_hex(4)


def kind_error(incident: str) -> str:
    """What a visitor reads instead of a traceback."""
    return (
        "Something went wrong in this app. Reloading the page usually helps; if it "
        f"keeps happening, tell the site's operator incident {incident}."
    )


def private_error_output(output: dict, log, where: str) -> None:
    """Replace an ``error`` output with ``kind_error``; log its traceback under the id."""
    incident = incident_id()
    traceback = _ANSI.sub("", "\n".join(map(str, output.get("traceback") or [])))
    log.error(
        "incident %s in %s: %s: %s\n%s",
        incident,
        where,
        output.get("ename"),
        output.get("evalue"),
        traceback[:20000],
    )
    output.update(ename="AppError", evalue=kind_error(incident))
    output["traceback"] = [kind_error(incident)]


class PrivateExecutor(VoilaExecutor):
    """Voila's executor, whose stripped cell errors tell the visitor an incident id.

    Upstream replaces a failed cell's output with a line telling the visitor how to
    start Voila with tracebacks on: operator's advice, and nothing to quote.
    """

    def strip_code_cell_errors(self, cell):
        if cell["cell_type"] != "code":
            return cell
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                where = f"the page render, cell {cell.get('execution_count')}"
                private_error_output(output, self.log, where)
        return cell


class PrivateConnection(ZMQChannelsWebsocketConnection):
    """A kernel connection that sends visitors no traceback, exception text or stderr.

    jupyter_server calls ``_on_error`` for every message from the kernel to the
    browser, before it is sent; upstream it blanks tracebacks of iopub errors only when
    ``allow_tracebacks`` is off. Here errors (iopub ``error``, a failed
    ``execute_reply``) become ``kind_error`` with an incident id, logged with the
    traceback; stderr text is logged and not sent. The same holds for the outputs an
    Output widget captured while the page rendered, which travel in widget state
    (``comm_open`` and ``comm_msg``).
    """

    def _on_error(self, channel, msg, msg_list):
        if channel not in ("iopub", "shell"):
            return
        header = self.get_part("header", msg["header"], msg_list)
        msg_type = header.get("msg_type")
        if msg_type in ("comm_open", "comm_msg"):
            # Cheap test first: most widget messages carry no outputs at all.
            if msg["content"] is None and b'"output_type"' not in msg_list[3]:
                return
            content = self.get_part("content", msg["content"], msg_list)
            if not self._scrub_outputs(content, depth=0):
                return
        elif msg_type in ("error", "execute_reply", "stream"):
            content = self.get_part("content", msg["content"], msg_list)
            if not self._private(content, msg_type):
                return
        else:
            return
        msg["content"] = content
        msg_list[3] = self.session.pack(content)  # what the v1 protocol forwards

    def _private(self, content: dict, msg_type: str) -> bool:
        """Make an error or stderr message private in place; True if it was one."""
        if msg_type == "stream":
            if content.get("name") != "stderr":
                return False
            self.log.info("kernel %s stderr: %s", self.kernel_id, str(content.get("text"))[:2000])
            content["text"] = ""
            return True
        if msg_type == "error" or content.get("status") == "error":
            private_error_output(content, self.log, f"kernel {self.kernel_id}")
            return True
        return False

    def _scrub_outputs(self, node, depth: int) -> bool:
        """Make every captured output list under ``node`` private; True if one changed."""
        if depth > 8 or not isinstance(node, dict):
            return False
        changed = False
        for key, value in node.items():
            if key == "outputs" and isinstance(value, list):
                kept = []
                for output in value:
                    kind = output.get("output_type") if isinstance(output, dict) else None
                    if kind == "error":
                        changed |= self._private(output, "error")
                    elif kind == "stream" and self._private(output, "stream"):
                        changed = True
                        continue
                    kept.append(output)
                value[:] = kept
            else:
                changed |= self._scrub_outputs(value, depth + 1)
        return changed
