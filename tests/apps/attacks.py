"""A hostile visitor of ``astrolearn serve``: malformed frames, other visitors' kernels.

Run where the server runs (inside the offline namespace). Each attack prints one JSON
line: what the server answered (close code, HTTP status) and how long an innocent
request (the gallery page) took right after it. The caller asserts on those lines.

    python attacks.py http://127.0.0.1:8866
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import struct
import sys
import time
import uuid

from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClosedError, websocket_connect
from visitors import CONTROL_PROTOCOL, WS_PROTOCOL, decode, message, visitor_cookie

_v1 = WS_PROTOCOL
#: The app attacked; its picture is what an innocent visitor fetches meanwhile.
APP = "hr_diagram"


def _eight(*numbers: int) -> bytes:
    return b"".join(number.to_bytes(8, "little") for number in numbers)


COMM_HEADER = b'{"msg_type": "comm_msg"}'
UTF16_HEADER = COMM_HEADER.decode().encode("utf-16-le")

#: name: (subprotocol, frame). The v1 frames spell out the count and offsets by hand.
BAD_FRAMES = {
    # The frame of the issue: 16 bytes whose count is 2**64 - 1.
    "huge count": (_v1, b"\xff" * 16),
    "count just past the limit": (_v1, _eight(39) + b"\x00" * 8 * 39),
    "offsets past the end": (_v1, _eight(6, 56, 61, 10**9, 10**9, 10**9, 10**9) + b"shell"),
    "offsets backwards": (_v1, _eight(6, 56, 61, 59, 70, 80, 90) + b"shell" + b"{}" * 20),
    "table longer than the frame": (_v1, _eight(30) + b"\x00" * 16),
    "unknown channel": (_v1, _eight(6, 56, 60, 62, 64, 66, 68) + b"evil{}{}{}{}"),
    "header not JSON": (_v1, _eight(6, 56, 61, 64, 66, 68, 70) + b"shell{{{{}{}{}"),
    "garbage": (_v1, bytes(range(256)) * 4),
    "text on the binary protocol": (_v1, "hello"),
    "oversized": (_v1, b"\x00" * (3 << 19)),
    "far too big": (_v1, b"\x00" * (8 << 20)),
    "legacy binary huge count": (None, struct.pack("!i", 2**31 - 1) + b"\x00" * 12),
    "legacy binary negative count": (None, struct.pack("!i", -5) + b"\x00" * 12),
    "legacy text deeply nested": (None, "[" * 200_000),
    "legacy text not a message": (None, '{"header": 1}'),
    "legacy channel not a string": (
        None,
        '{"header": {"msg_type": "comm_msg"}, "parent_header": {}, "metadata": {},'
        ' "content": {}, "channel": []}',
    ),
    # Well-formed, but on a channel the server only reads: queued there, never freed.
    "iopub channel": (_v1, serialize_msg_to_ws_v1([COMM_HEADER, *[b"{}"] * 3], "iopub")),
    "stdin channel": (_v1, serialize_msg_to_ws_v1([COMM_HEADER, *[b"{}"] * 3], "stdin")),
    "UTF-16 header": (_v1, serialize_msg_to_ws_v1([UTF16_HEADER, *[b"{}"] * 3], "shell")),
}


async def open_page(base: str, app: str) -> tuple[str, str]:
    """GET an app page as a new visitor: (kernel id, Cookie header)."""
    response = await AsyncHTTPClient().fetch(
        f"{base}/voila/render/{app}.ipynb", request_timeout=120
    )
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', response.body.decode()).group(1)
    return kernel_id, visitor_cookie(response)


async def connect(base: str, kernel_id: str, cookie: str, protocol: str | None):
    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    request = HTTPRequest(
        f"{url}?session_id={uuid.uuid4().hex}", headers={"Cookie": cookie}, connect_timeout=30
    )
    return await websocket_connect(
        request, subprotocols=[protocol] if protocol else None, max_message_size=16 << 20
    )


async def innocent_seconds(base: str) -> float:
    """Seconds another visitor waits for a picture of the gallery right now."""
    started = time.monotonic()
    await AsyncHTTPClient().fetch(f"{base}/voila/files/pictures/{APP}.png", request_timeout=30)
    return round(time.monotonic() - started, 3)


async def send_bad_frame(base: str, kernel_id: str, cookie: str, name: str) -> dict:
    protocol, frame = BAD_FRAMES[name]
    socket = await connect(base, kernel_id, cookie, protocol)
    with contextlib.suppress(WebSocketClosedError):
        socket.write_message(frame, binary=isinstance(frame, bytes))
    # The server answers a bad frame by closing; drain until it does (bounded).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if await asyncio.wait_for(socket.read_message(), 10) is None:
                break
        except TimeoutError:
            break
    return {
        "close_code": socket.close_code,
        "close_reason": socket.close_reason,
        "innocent_seconds": await innocent_seconds(base),
    }


async def kernel_answers(base: str, kernel_id: str, cookie: str) -> bool:
    """True if the kernel still answers a ``kernel_info_request`` over a new socket."""
    socket = await connect(base, kernel_id, cookie, WS_PROTOCOL)
    session = uuid.uuid4().hex
    socket.write_message(message("kernel_info_request", {}, session), binary=True)
    try:
        while True:
            frame = await asyncio.wait_for(socket.read_message(), 30)
            if frame is None:
                return False
            if b"kernel_info_reply" in frame:
                return True
    finally:
        socket.close()


async def http_status(request: HTTPRequest) -> int:
    try:
        return (await AsyncHTTPClient().fetch(request)).code
    except HTTPClientError as error:
        return error.code


async def foreign_kernel(base: str, app: str, kernel_id: str, owner_cookie: str) -> dict:
    """Another visitor (its own cookie, not the owner's) tries the owner's kernel."""
    _own_kernel, stranger = await open_page(base, app)
    results = {}
    for name, cookie in (("no cookie", ""), ("another visitor", stranger)):
        try:
            await connect(base, kernel_id, cookie, WS_PROTOCOL)
            results[f"websocket, {name}"] = 101
        except HTTPClientError as error:
            results[f"websocket, {name}"] = error.code
    xsrf = re.search(r"_xsrf=([^;]+)", stranger)
    headers = {"Cookie": stranger, "X-XSRFToken": xsrf.group(1) if xsrf else ""}
    results["kernel model"] = await http_status(
        HTTPRequest(f"{base}/api/kernels/{kernel_id}", headers=headers)
    )
    results["request info"] = await http_status(
        HTTPRequest(f"{base}/voila/query/{kernel_id}", headers=headers)
    )
    results["shutdown"] = await http_status(
        HTTPRequest(f"{base}/voila/api/shutdown/{kernel_id}", "POST", headers, body="")
    )
    results["delete"] = await http_status(
        HTTPRequest(f"{base}/api/kernels/{kernel_id}", "DELETE", headers)
    )
    try:
        await connect(base, str(uuid.uuid4()), stranger, WS_PROTOCOL)
        results["websocket, no such kernel"] = 101
    except HTTPClientError as error:
        results["websocket, no such kernel"] = error.code
    results["owner still connects"] = await kernel_answers(base, kernel_id, owner_cookie)
    return results


async def many_sockets(base: str, kernel_id: str, cookie: str, count: int) -> list:
    """Open ``count`` websockets to one kernel, all at the same instant: each status."""

    async def one():
        try:
            return await connect(base, kernel_id, cookie, WS_PROTOCOL)
        except HTTPClientError as error:
            return error.code

    answers = await asyncio.gather(*(one() for _ in range(count)))
    for answer in answers:
        if not isinstance(answer, int):
            answer.close()
    return sorted(101 if not isinstance(answer, int) else answer for answer in answers)


async def odd_requests(base: str) -> dict:
    """Requests a page never makes: the status and final URL of each."""
    found = {}
    for path in (f"/voila/render/{APP}.ipynb?template=nope", "/voila/templates/nope"):
        try:
            response = await AsyncHTTPClient().fetch(base + path, request_timeout=120)
        except HTTPClientError as error:
            response = error.response
        found[path] = {"status": response.code, "url": response.effective_url}
    return found


async def click_broken_button(base: str, app: str) -> dict:
    """Click the first button of ``app`` and read what the kernel sends back for 10 s."""
    kernel_id, cookie = await open_page(base, app)
    socket = await connect(base, kernel_id, cookie, WS_PROTOCOL)
    session, control = uuid.uuid4().hex, uuid.uuid4().hex
    opening = {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}
    metadata = {"version": CONTROL_PROTOCOL}
    socket.write_message(message("comm_open", opening, session, metadata), binary=True)
    states = {"comm_id": control, "data": {"method": "request_states"}}
    socket.write_message(message("comm_msg", states, session), binary=True)
    frames, errors = [], []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not errors:
        try:
            frame = await asyncio.wait_for(socket.read_message(), deadline - time.monotonic())
        except TimeoutError:
            break
        if frame is None:
            break
        frames.append(frame)
        reply = decode(frame)
        data = reply["content"].get("data", {})
        if data.get("method") == "update_states":
            button = next(
                model_id
                for model_id, model in data["states"].items()
                if model["state"]["_model_name"] == "ButtonModel"
            )
            click = {
                "comm_id": button,
                "data": {"method": "custom", "content": {"event": "click"}},
            }
            socket.write_message(message("comm_msg", click, session), binary=True)
        elif reply["msg_type"] == "error":
            errors.append(reply["content"])
    socket.close()
    sent = b"".join(frame if isinstance(frame, bytes) else frame.encode() for frame in frames)
    return {
        "errors": errors,
        "leaks": [word for word in LEAKS if word.encode() in sent],
    }


#: What must never reach a visitor: the exception text, a traceback, server paths.
LEAKS = ("operator-only-marker", "Traceback", "ValueError", "site-packages", "/tmp/", ".py")


async def headers_of(base: str, paths: list[str]) -> dict:
    """The response headers of each path (lower-case names), whatever the status."""
    found = {}
    for path in paths:
        try:
            response = await AsyncHTTPClient().fetch(base + path, request_timeout=60)
        except HTTPClientError as error:
            response = error.response
        found[path] = {name.lower(): value for name, value in response.headers.get_all()}
    return found


#: Pages whose headers are checked: an app, the gallery, a picture, a missing page.
HEADER_PATHS = [
    f"/voila/render/{APP}.ipynb",
    "/",
    f"/voila/files/pictures/{APP}.png",
    "/voila/render/no_such_app.ipynb",
]


async def main(args) -> int:
    base = args.url
    if args.broken_app:
        print(json.dumps(await click_broken_button(base, args.broken_app)))
        return 0
    kernel_id, cookie = await open_page(base, APP)

    def report(attack: str, result: dict) -> None:
        print(json.dumps({"attack": attack, **result}), flush=True)

    for name in BAD_FRAMES:
        report(name, await send_bad_frame(base, kernel_id, cookie, name))
    answers = await kernel_answers(base, kernel_id, cookie)
    report("kernel after bad frames", {"answers": answers})
    report("foreign kernel", await foreign_kernel(base, APP, kernel_id, cookie))
    statuses = await many_sockets(base, kernel_id, cookie, 8)
    report("many sockets", {"statuses": statuses})
    report("headers", await headers_of(base, HEADER_PATHS))
    report("odd requests", await odd_requests(base))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--broken-app", help="click the button of this app instead")
    sys.exit(asyncio.run(asyncio.wait_for(main(parser.parse_args()), 600)))
