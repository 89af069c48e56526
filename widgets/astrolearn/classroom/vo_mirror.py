"""The local VO mirror as a service of the classroom hub.

``python -m astrolearn.classroom.vo_mirror`` is what the hub runs when the classroom was
made with ``--vo-mirror``. JupyterHub keeps a managed service as a process in the
foreground, starts it again when it exits, and interrupts it (SIGINT, then SIGTERM) when
the hub stops. DaCHS is a daemon of its own (``dachs serve start``), so this process is
the link between the two:

* at start, it runs ``astrolearn mirror start`` (PostgreSQL, the import when the bundled
  tables changed, DaCHS);
* every ``CHECK_EVERY`` seconds it asks the mirror's TAP availability endpoint, and
  starts the mirror again if it does not answer;
* when the hub stops it, it stops DaCHS, unless the mirror was already running when the
  service started: a mirror an operator or systemd runs is theirs, and is left alone.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from astrolearn.vo import mirror

#: Seconds between two checks that the mirror answers.
CHECK_EVERY = 30.0
#: Seconds to wait for DaCHS to answer after a start (the first import takes a minute).
START_TIMEOUT = 240.0


def start() -> int:
    """Start the mirror as ``astrolearn mirror start`` does; its exit code."""
    return mirror.run(argparse.Namespace(action="start", reimport=False, timeout=START_TIMEOUT))


def serve(stop: threading.Event) -> int:
    """Keep the mirror answering until ``stop`` is set; return an exit code."""
    theirs = mirror.is_running()
    if theirs:
        print(f"vo-mirror: a mirror already answers at {mirror.MIRROR_URL}; it is left alone")
    elif code := start():
        return code  # the hub logs it and starts this service again
    while not stop.wait(CHECK_EVERY):
        if not mirror.is_running():
            print("vo-mirror: the mirror stopped answering; starting it again", flush=True)
            if code := start():
                return code
            theirs = False  # started here now: stopped with the hub
    if theirs:
        return 0
    # SIGINT and SIGTERM are taken by the handlers below, so the stop runs to its end
    # (the hub waits 10 s after SIGINT, then 5 s after SIGTERM, before SIGKILL).
    return mirror.run(argparse.Namespace(action="stop", reimport=False, timeout=10.0))


def main() -> int:
    """Run the service until the hub interrupts it."""
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    return serve(stop)


if __name__ == "__main__":
    sys.exit(main())
