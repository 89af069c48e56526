"""Simulated visitors of a Voila app: load the page, talk to its kernel, move a widget.

Each visitor does what the browser does, without drawing: GET the app page, open the
kernel's websocket, ask for the widget states (ipywidgets' control comm), set a widget
value and wait until the app's status text answers. All visitors run at once; when
every one has finished its interaction the script prints ``ALL-CONNECTED`` and holds the
connections for ``--hold`` seconds (time for the caller to measure memory), each visitor
still sending its kernel a message four times a second (an idle one would be culled),
then closes them and prints one JSON line per visitor. Bounded: at most 50 visitors, and the whole
run is cancelled after ``--timeout`` seconds.

    python visitors.py http://127.0.0.1:8866 hr_diagram --count 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse
from tornado.websocket import websocket_connect

MAX_VISITORS = 50
#: ipywidgets 8's control-comm protocol (``ipywidgets.widgets.widget``).
CONTROL_PROTOCOL = "1.0.0"
#: The kernel websocket protocol browsers use; it carries binary buffers (bqplot arrays).
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def message(msg_type: str, content: dict, session: str, metadata=None) -> bytes:
    """A shell-channel kernel message in the v1 websocket framing."""
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "visitor",
        "session": session,
        "msg_type": msg_type,
        "version": "5.3",
        "date": datetime.now(UTC).isoformat(),
    }
    parts = [header, {}, metadata or {}, content]
    return serialize_msg_to_ws_v1([json.dumps(part).encode() for part in parts], "shell")


def decode(frame: bytes) -> dict:
    """msg_type and content of a kernel message in the v1 websocket framing."""
    _channel, parts = deserialize_msg_from_ws_v1(frame)
    header, content = json.loads(parts[0]), json.loads(parts[3])
    return {"msg_type": header["msg_type"], "content": content}


def visitor_cookie(response: HTTPResponse) -> str:
    """The ``Cookie`` header that sends back the cookies a page response set."""
    return "; ".join(value.split(";", 1)[0] for value in response.headers.get_list("Set-Cookie"))


class PageRefused(Exception):
    """The app page answered with an HTTP status other than 200 (``status``)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status


class KernelDied(Exception):
    """The kernel's websocket closed, or the kernel reported itself dead or restarting."""


class AppSession:
    """One visitor's app page and kernel websocket, as the browser holds them.

    A reader task takes every message off the socket as it arrives and queues the
    ``comm_msg`` data, each with the monotonic time it came in (the time an answer
    counts from is its arrival, not when the visitor got round to reading it).
    """

    def __init__(self, base: str, app: str) -> None:
        self.base, self.app = base, app
        self.session = uuid.uuid4().hex
        self.kernel_id = ""
        self.socket = None
        self.comm_data: asyncio.Queue = asyncio.Queue()
        self._reader: asyncio.Task | None = None

    async def open_page(self, timeout: float = 240) -> float:
        """GET the app page; its seconds. Raises ``PageRefused`` unless it is served."""
        started = time.monotonic()
        response = await AsyncHTTPClient().fetch(
            f"{self.base}/voila/render/{self.app}.ipynb",
            request_timeout=timeout,
            connect_timeout=min(timeout, 120),
            raise_error=False,
        )
        if response.code != 200:
            raise PageRefused(response.code, str(response.error or response.reason))
        found = re.search(r'"kernelId": "([0-9a-f-]+)"', response.body.decode())
        if found is None:
            raise PageRefused(response.code, "the page names no kernel")
        self.kernel_id = found.group(1)
        self._cookie = visitor_cookie(response)
        return time.monotonic() - started

    async def connect(self, timeout: float = 120) -> None:
        """Open the kernel's websocket with the page's cookie (only its visitor may)."""
        ws_url = self.base.replace("http", "ws", 1) + (
            f"/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        )
        request = HTTPRequest(ws_url, headers={"Cookie": self._cookie}, connect_timeout=timeout)
        self.socket = await websocket_connect(request, subprotocols=[WS_PROTOCOL])
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                frame = await self.socket.read_message()
                if frame is None:
                    return
                reply = decode(frame)
                state = reply["content"].get("execution_state")
                if reply["msg_type"] == "status" and state in ("dead", "restarting"):
                    return
                if reply["msg_type"] == "comm_msg":
                    data = reply["content"].get("data", {})
                    self.comm_data.put_nowait((time.monotonic(), data))
        finally:  # closed, dead, or a frame that could not be read: no answer can come
            self.comm_data.put_nowait((time.monotonic(), None))

    def send(self, msg_type: str, content: dict, metadata=None) -> float:
        """Send a shell message; the monotonic time it was handed to the socket."""
        self.socket.write_message(message(msg_type, content, self.session, metadata), binary=True)
        return time.monotonic()

    async def next_comm(self) -> tuple[float, dict]:
        """The next widget message (arrival time, data); ``KernelDied`` if none can come."""
        arrived, data = await self.comm_data.get()
        if data is None:
            raise KernelDied("the kernel's websocket closed or its kernel died")
        return arrived, data

    def forget_pending(self) -> None:
        """Drop the widget messages received so far (answers to earlier settings)."""
        while not self.comm_data.empty():
            arrived, data = self.comm_data.get_nowait()
            if data is None:  # keep the news of a dead kernel for next_comm
                self.comm_data.put_nowait((arrived, data))
                return

    async def widget_states(self) -> dict:
        """Every widget's state by model id, from ipywidgets' control comm."""
        control = uuid.uuid4().hex
        self.send(
            "comm_open",
            {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
            {"version": CONTROL_PROTOCOL},
        )
        self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        while True:
            _, data = await self.next_comm()
            if data.get("method") == "update_states":
                return {model_id: model["state"] for model_id, model in data["states"].items()}

    def set(self, model_id: str, state: dict) -> float:
        """Set traits of a widget as the browser does; the monotonic time it was sent."""
        content = {
            "comm_id": model_id,
            "data": {"method": "update", "state": state, "buffer_paths": []},
        }
        return self.send("comm_msg", content)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.socket is not None:
            self.socket.close()

    async def shut_down(self) -> int:
        """Ask the server to shut the kernel down, as the page does when its tab closes
        (Voila's ``beforeunload`` beacon: a form with the page's ``_xsrf`` token); the
        HTTP status."""
        token = re.search(r"(?:^|; )_xsrf=([^;]*)", self._cookie)
        response = await AsyncHTTPClient().fetch(
            f"{self.base}/voila/api/shutdown/{self.kernel_id}",
            method="POST",
            headers={"Cookie": self._cookie, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"_xsrf={token.group(1) if token else ''}",
            raise_error=False,
        )
        return response.code


def find_widget(states: dict, match: dict) -> str:
    """The model id of the first widget whose state has every trait value in ``match``."""
    return next(
        model_id
        for model_id, state in states.items()
        if all(state.get(k) == v for k, v in match.items())
    )


async def visit(base: str, app: str, setting: dict, expect: str, everyone_done, hold):
    """One visitor; returns its timings. A failure names the step that failed."""
    progress = {"step": "page"}
    try:
        return await _visit(base, app, setting, expect, everyone_done, hold, progress)
    except Exception as error:
        raise RuntimeError(f"{progress['step']}: {type(error).__name__}: {error}") from error


async def _visit(base, app, setting, expect, everyone_done, hold, progress) -> dict:
    visitor = AppSession(base, app)
    page_seconds = await visitor.open_page()
    progress["step"] = f"websocket of kernel {visitor.kernel_id} after {page_seconds:.0f} s"
    await visitor.connect()
    try:
        progress["step"] = "widgets"
        states = await visitor.widget_states()
        interacted = visitor.set(find_widget(states, setting["match"]), setting["state"])
        while True:
            _, data = await visitor.next_comm()
            if expect in json.dumps(data.get("state", {})):
                break
        interaction_seconds = time.monotonic() - interacted
        everyone_done()
        # Still at work while the others finish: a visitor who does nothing for the idle
        # timeout has its kernel culled, tab open or not.
        while not hold.is_set():
            visitor.send("kernel_info_request", {})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(hold.wait(), 0.25)
    finally:
        visitor.close()
    return {
        "ok": True,
        "kernel": visitor.kernel_id,
        "page_seconds": round(page_seconds, 2),
        "interaction_seconds": round(interaction_seconds, 3),
    }


async def main(args) -> int:
    setting = json.loads(args.setting)
    hold, finished = asyncio.Event(), []

    def everyone_done():
        finished.append(1)
        if len(finished) == args.count:
            print("ALL-CONNECTED", flush=True)
            asyncio.get_running_loop().call_later(args.hold, hold.set)

    async def guarded():
        try:
            return await visit(args.url, args.app, setting, args.expect, everyone_done, hold)
        except Exception as error:  # a failed visitor is a result, not a crash
            everyone_done()
            return {"ok": False, "error": f"{type(error).__name__}: {error}"}

    AsyncHTTPClient.configure(None, max_clients=args.count)
    results = await asyncio.wait_for(
        asyncio.gather(*(guarded() for _ in range(args.count))), args.timeout
    )
    for result in results:
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("app")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument(
        "--setting", required=True, help='JSON {"match": {trait: value}, "state": {trait: value}}'
    )
    parser.add_argument("--expect", required=True, help="text the app's answer contains")
    parser.add_argument("--hold", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=240.0)
    arguments = parser.parse_args()
    if not 1 <= arguments.count <= MAX_VISITORS:
        parser.error(f"--count must lie in 1..{MAX_VISITORS}")
    sys.exit(asyncio.run(main(arguments)))
