"""What a browser page sends its Jupyter kernel and fetches, seen from Playwright's events.

Tests wait on this instead of for a fixed time: "the kernel has handled the last key
press" is a message the page sent and the kernel's ``idle`` status for it, and "the
sky's tiles have come" is no request in flight.

ipywidgets holds back a widget's next update until the kernel is idle after its
previous one, so a message sent now (a button's click) can overtake a slider's last
value. Waiting for the kernel to finish every message sent is therefore not enough
alone: the last value sent for each moved widget must be the value the page shows.
"""

from __future__ import annotations

import itertools
import json
import math
import time


def kernel_message(payload: str | bytes) -> dict:
    """A kernel message from a websocket frame: channel, header, parent_header, content.

    Frames are JSON text (the legacy protocol) or, in Jupyter Server's
    ``v1.kernel.websocket.jupyter.org`` protocol, binary: the count of offsets and the
    offsets (little-endian 64-bit), then channel, header, parent header, metadata and
    content at those offsets.
    """
    if isinstance(payload, str):
        return json.loads(payload)
    count = int.from_bytes(payload[:8], "little")
    offsets = [int.from_bytes(payload[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    channel, *parts = [payload[start:end] for start, end in itertools.pairwise(offsets)]
    names = ["header", "parent_header", "metadata", "content"]
    message = {"channel": channel.decode()}
    message.update({name: json.loads(part) for name, part in zip(names, parts[:4], strict=True)})
    return message


class PageTraffic:
    """Messages a page sent its kernels, those the kernels finished, requests in flight."""

    def __init__(self, page) -> None:
        self.page = page
        self.sent: list[dict] = []  # shell messages, in the order sent
        self.finished: set[str] = set()  # their msg_ids, once the kernel is idle after them
        self.in_flight: set = set()  # requests not yet finished or failed
        page.on("websocket", self._watch)
        page.on("request", self._requested)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    def _watch(self, websocket) -> None:
        if "/channels" not in websocket.url:
            return
        websocket.on("framesent", lambda payload: self._sent(payload, websocket))
        websocket.on("framereceived", self._received)
        websocket.on("close", self._closed)

    def _requested(self, request) -> None:
        self.in_flight.add(request)

    def _done(self, request) -> None:
        self.in_flight.discard(request)

    def _sent(self, payload: str | bytes, websocket) -> None:
        message = kernel_message(payload)
        if message["channel"] == "shell":
            self.sent.append({**message, "websocket": websocket})

    def _closed(self, websocket) -> None:
        """Forget what a closed websocket (a page reloaded) sent: no answer comes now."""
        self.sent = [message for message in self.sent if message["websocket"] is not websocket]

    def _received(self, payload: str | bytes) -> None:
        message = kernel_message(payload)
        if message["header"]["msg_type"] == "status" and (
            message["content"].get("execution_state") == "idle"
        ):
            self.finished.add(message["parent_header"].get("msg_id"))

    def last_values(self) -> dict[str, object]:
        """The last ``value`` the page sent each widget (by comm id)."""
        values = {}
        for message in self.sent:
            data = message["content"].get("data", {})
            if message["header"]["msg_type"] == "comm_msg" and "value" in data.get("state", {}):
                values[message["content"]["comm_id"]] = data["state"]["value"]
        return values

    def kernel_has_handled(self, *values: float) -> bool:
        """Whether the kernel finished every message sent, the last of them setting ``values``.

        Each of ``values`` must be the last value sent to some widget.
        """
        if any(message["header"]["msg_id"] not in self.finished for message in self.sent):
            return False
        last = [value for value in self.last_values().values() if isinstance(value, int | float)]
        return all(any(math.isclose(v, value, abs_tol=1e-6) for v in last) for value in values)

    def wait_for_kernel(self, *values: float, timeout: float = 30) -> None:
        """Wait until the kernel has handled what the page sent, up to the widgets' ``values``.

        The kernel handles its messages in order and says ``idle`` after each, after the
        updates it sent back: once it has, the page has those updates too.
        """
        self._poll(lambda: self.kernel_has_handled(*values), f"kernel handled {values}", timeout)

    def wait_for_quiet(self, timeout: float = 30) -> None:
        """Wait until the kernel has handled every message and no request is in flight,
        then for the page to draw a frame (the messages' effects rendered, or their errors
        reported)."""
        self._poll(
            lambda: self.kernel_has_handled() and not self.in_flight, "the page quiet", timeout
        )
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")

    def measure_once_quiet(self, measure, good, timeout: float = 30):
        """``measure()`` taken when the page is quiet, again until ``good`` of it holds.

        For what the page cannot report itself (a WebGL drawing, seen by screenshots).
        On a timeout the last measure is returned, for the caller's assertion to show.
        """
        deadline = time.monotonic() + timeout
        while True:
            self.wait_for_quiet(timeout)
            value = measure()
            if good(value) or time.monotonic() > deadline:
                return value

    def _poll(self, condition, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                unfinished = [
                    m["header"]["msg_type"]
                    for m in self.sent
                    if m["header"]["msg_id"] not in self.finished
                ]
                raise TimeoutError(
                    f"not {what} after {timeout:.0f} s: unfinished {unfinished}, "
                    f"last values {self.last_values()}, "
                    f"in flight {[r.url for r in self.in_flight][:5]}"
                )
            self.page.wait_for_timeout(50)  # a poll's interval; Playwright delivers events
