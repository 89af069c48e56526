"""Cost of the public server's message checks (``astrolearn.app_guard``) per message.

Incoming (browser to kernel): jupyter_server's own work on a v1 frame (decode it, read
the header, as it does to check the message type) against the same with
``check_frame`` first. Outgoing (kernel to browser): jupyter_server's ``_on_error``
with tracebacks off (stock) against ``PrivateConnection._on_error``. The messages are
what the apps exchange: a slider update, a kernel status, widget state with a picture
(a bqplot Image, 200 kB), a visitor's drawn selection (100 kB). Both sides are timed in
this run; the ratio is what matters. Also prints the default kernel cap of this machine.

Usage: python benchmarks/bench_guard.py
"""

from __future__ import annotations

import logging
import os
import timeit
from types import SimpleNamespace

from astrolearn.app_guard import V1_PROTOCOL, PrivateConnection, check_frame
from astrolearn.app_kernels import KERNEL_BYTES, available_memory, default_max_kernels
from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from jupyter_server.services.kernels.connection.channels import (
    ZMQChannelsWebsocketConnection,
)

SESSION = Session()


def parts(msg_type: str, content: dict, buffers: int = 0) -> list[bytes]:
    header = SESSION.msg_header(msg_type)
    message = [header, {}, {}, content]
    return [SESSION.pack(part) for part in message] + [b"\x00" * buffers] * bool(buffers)


def update(state: dict) -> dict:
    return {"comm_id": "c" * 32, "data": {"method": "update", "state": state}}


INCOMING = {
    "slider update (300 B)": parts("comm_msg", update({"value": 20})),
    "drawn selection (100 kB)": parts("comm_msg", update({"selected": list(range(15_000))})),
}
OUTGOING = {
    "kernel status": parts("status", {"execution_state": "idle"}),
    "status line update (2 kB)": parts("comm_msg", update({"value": "<p>" + "x" * 2000})),
    "picture update (200 kB)": parts("comm_msg", update({"value": "png"}), buffers=200_000),
}


class Connection:
    """What ``_on_error`` reads of a connection, without a kernel behind it."""

    session = SESSION
    log = logging.getLogger("bench_guard")
    kernel_id = "bench"
    subprotocol = V1_PROTOCOL
    multi_kernel_manager = SimpleNamespace(allow_tracebacks=False)
    kernel_manager = SimpleNamespace(traceback_replacement_message="hidden")
    get_part = ZMQChannelsWebsocketConnection.get_part
    stock = ZMQChannelsWebsocketConnection._on_error
    ours = PrivateConnection._on_error
    _private = PrivateConnection._private
    _scrub_outputs = PrivateConnection._scrub_outputs


def per_call(function, number: int) -> float:
    """Microseconds per call: the best of 5 repeats."""
    return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e6


def main() -> None:
    print(f"{'incoming message':28s} {'stock µs':>9s} {'checked µs':>11s} {'ratio':>6s}")
    for name, message in INCOMING.items():
        frame = serialize_msg_to_ws_v1(message, "shell")

        def stock(frame=frame):
            _channel, msg_list = deserialize_msg_from_ws_v1(frame)
            SESSION.unpack(msg_list[0])

        def checked(frame=frame, stock=stock):
            check_frame(frame, V1_PROTOCOL)
            stock()

        base, ours = per_call(stock, 2000), per_call(checked, 2000)
        print(f"{name:28s} {base:9.1f} {ours:11.1f} {ours / base:5.2f}x")

    connection = Connection()
    print(f"\n{'outgoing message':28s} {'stock µs':>9s} {'private µs':>11s} {'ratio':>6s}")
    for name, message in OUTGOING.items():

        def run(method, message=message):
            method("iopub", {"header": None, "parent_header": None, "content": None}, message[:])

        base = per_call(lambda: run(connection.stock), 5000)
        ours = per_call(lambda: run(connection.ours), 5000)
        print(f"{name:28s} {base:9.1f} {ours:11.1f} {ours / base:5.2f}x")

    free = available_memory()
    cap = default_max_kernels(free, pooled_kernels=4)
    print(
        f"\ndefault kernel cap here: {cap} visitors at once ({free >> 20} MiB available, "
        f"{KERNEL_BYTES >> 20} MiB a kernel, a pool of 1 for each of 4 apps; "
        f"{os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
