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


async def visit(base: str, app: str, setting: dict, expect: str, everyone_done, hold):
    """One visitor; returns its timings. A failure names the step that failed."""
    progress = {"step": "page"}
    try:
        return await _visit(base, app, setting, expect, everyone_done, hold, progress)
    except Exception as error:
        raise RuntimeError(f"{progress['step']}: {type(error).__name__}: {error}") from error


async def _visit(base, app, setting, expect, everyone_done, hold, progress) -> dict:
    started = time.monotonic()
    response = await AsyncHTTPClient().fetch(
        f"{base}/voila/render/{app}.ipynb", request_timeout=240, connect_timeout=120
    )
    page = response.body.decode()
    page_seconds = time.monotonic() - started
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', page).group(1)
    session = uuid.uuid4().hex
    ws_url = (
        base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={session}"
    )
    progress["step"] = f"websocket of kernel {kernel_id} after {page_seconds:.0f} s"
    # The server lets only the page's own visitor (its cookie) open the kernel.
    cookie = visitor_cookie(response)
    request = HTTPRequest(ws_url, headers={"Cookie": cookie}, connect_timeout=120)
    socket = await websocket_connect(request, subprotocols=[WS_PROTOCOL])
    try:
        progress["step"] = "widgets"
        control = uuid.uuid4().hex
        socket.write_message(
            message(
                "comm_open",
                {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                session,
                {"version": CONTROL_PROTOCOL},
            ),
            binary=True,
        )
        socket.write_message(
            message(
                "comm_msg", {"comm_id": control, "data": {"method": "request_states"}}, session
            ),
            binary=True,
        )
        target, answered = None, False
        while not answered:
            frame = await socket.read_message()
            if frame is None:
                raise ConnectionError("the server closed the kernel's websocket")
            reply = decode(frame)
            data = reply.get("content", {}).get("data", {})
            if reply.get("msg_type") != "comm_msg":
                continue
            if data.get("method") == "update_states" and target is None:
                target = next(
                    model_id
                    for model_id, model in data["states"].items()
                    if all(model["state"].get(k) == v for k, v in setting["match"].items())
                )
                socket.write_message(
                    message(
                        "comm_msg",
                        {
                            "comm_id": target,
                            "data": {
                                "method": "update",
                                "state": setting["state"],
                                "buffer_paths": [],
                            },
                        },
                        session,
                    ),
                    binary=True,
                )
                interacted = time.monotonic()
            elif expect in json.dumps(data.get("state", {})):
                answered = True
        interaction_seconds = time.monotonic() - interacted
        everyone_done()
        # Still at work while the others finish: a visitor who does nothing for the idle
        # timeout has its kernel culled, tab open or not.
        while not hold.is_set():
            socket.write_message(message("kernel_info_request", {}, session), binary=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(hold.wait(), 0.25)
    finally:
        socket.close()
    return {
        "ok": True,
        "kernel": kernel_id,
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
