"""The frame checks of ``astrolearn.app_guard``: what the browser sends passes, and
every frame that would send jupyter_server's decoder into an unbounded loop, or past
the end of the frame, is refused before it is decoded."""

from __future__ import annotations

import json
import struct

import pytest
from astrolearn.app_guard import (
    MAX_BUFFERS,
    V1_PROTOCOL,
    FrameError,
    FrameTooBig,
    check_frame,
    owns_kernel,
)
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

HEADER = {"msg_id": "1", "msg_type": "comm_msg", "session": "s", "username": "", "version": "5.3"}
MESSAGE = {"header": HEADER, "parent_header": {}, "metadata": {}, "content": {"data": {}}}


def v1_frame(buffers: int = 0, channel: str = "shell") -> bytes:
    parts = [json.dumps(MESSAGE[key]).encode() for key in MESSAGE]
    return serialize_msg_to_ws_v1(parts + [b"\x01\x02"] * buffers, channel)


def legacy_binary(buffers: int) -> bytes:
    return serialize_binary_message({**MESSAGE, "channel": "shell", "buffers": [b"x"] * buffers})


@pytest.mark.parametrize("buffers", [0, 1, MAX_BUFFERS])
def test_what_jupyter_server_itself_frames_passes_and_decodes(buffers):
    frame = v1_frame(buffers)
    check_frame(frame, V1_PROTOCOL)
    channel, parts = deserialize_msg_from_ws_v1(frame)
    assert channel == "shell" and len(parts) == 4 + buffers
    legacy = legacy_binary(buffers)
    check_frame(legacy, None)
    assert len(deserialize_binary_message(legacy)["buffers"]) == buffers
    check_frame(json.dumps({**MESSAGE, "channel": "control"}), None)


def _with_count(frame: bytes, count: int) -> bytes:
    return count.to_bytes(8, "little") + frame[8:]


@pytest.mark.parametrize(
    "frame, protocol, reason",
    [
        (b"\xff" * 16, V1_PROTOCOL, "offsets; a kernel message has 6 to"),
        (v1_frame(MAX_BUFFERS + 1), V1_PROTOCOL, "offsets; a kernel message has"),
        (_with_count(v1_frame(), 5), V1_PROTOCOL, "offsets; a kernel message has"),
        (v1_frame()[:-3], V1_PROTOCOL, "past the end"),
        (v1_frame()[:40], V1_PROTOCOL, "the offset table needs"),
        (b"\x06" + b"\x00" * 6, V1_PROTOCOL, "shorter than the frame header"),
        (v1_frame(channel="nope"), V1_PROTOCOL, "unknown channel"),
        ("text", V1_PROTOCOL, "text frame"),
        (struct.pack("!i", 2**31 - 1) + b"\x00" * 8, None, "parts; a kernel message has"),
        (struct.pack("!i", -1) + b"\x00" * 8, None, "parts; a kernel message has"),
        (legacy_binary(2)[:-2], None, "past the end"),
        ("[" * 100_000, None, "not JSON"),
        ('{"header": {}}', None, "lacks a header"),
        (json.dumps({**MESSAGE, "channel": "evil"}), None, "unknown channel"),
        (json.dumps({**MESSAGE, "channel": ["shell"]}), None, "unknown channel"),
        (v1_frame(channel="iopub"), V1_PROTOCOL, "unknown channel 'iopub'"),
        (v1_frame(channel="stdin"), V1_PROTOCOL, "unknown channel 'stdin'"),
        (json.dumps(MESSAGE).encode("utf-32"), None, "parts; a kernel message has"),
    ],
)
def test_frames_that_would_hurt_the_decoder_are_refused_with_the_reason(frame, protocol, reason):
    with pytest.raises(FrameError, match=reason):
        check_frame(frame, protocol)


def test_offsets_that_go_backwards_are_refused():
    frame = bytearray(v1_frame())
    # Swap the ends of the header and of the parent header (offsets 3 and 4).
    frame[24:32], frame[32:40] = frame[32:40], frame[24:32]
    with pytest.raises(FrameError, match="backwards"):
        check_frame(bytes(frame), V1_PROTOCOL)


def test_a_header_that_is_not_a_message_header_is_refused():
    parts = [b"[1, 2]", b"{}", b"{}", b"{}"]
    with pytest.raises(FrameError, match="no message type"):
        check_frame(serialize_msg_to_ws_v1(parts, "shell"), V1_PROTOCOL)


def test_a_frame_above_the_limit_is_refused_as_too_big():
    with pytest.raises(FrameTooBig, match="more than the 4096-byte limit"):
        check_frame(v1_frame() + b"\x00" * 5000, V1_PROTOCOL, limit=4096)


@pytest.mark.parametrize(
    "owner, visitor, owns",
    [
        ("a" * 32, "a" * 32, True),
        ("a" * 32, "b" * 32, False),
        (None, None, False),
        ("", "", False),
    ],
)
def test_only_the_known_owner_owns_a_kernel(owner, visitor, owns):
    assert owns_kernel(owner, visitor) is owns
