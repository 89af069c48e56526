"""Servers that tests and benchmarks start: on any free port, told to them by the server.

Every server here is started with port 0: it binds a free port itself and logs the URL
it listens on, and ``wait_for_url`` reads that URL back from its log. Choosing a free
port in the test and passing it on races every other process (a kernel takes five
ports whenever it starts) until the server has bound it, and once lost that race the
server cannot start ("port already in use").

Only the standard library is used: ``tests/book/binder_smoke.py`` imports this file
by path from a virtual environment that has no test packages.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

#: Voila: "Voilà is running at:\\nhttp://127.0.0.1:PORT/"; Jupyter Server: "... is
#: running at:\\n[I ... ServerApp] http://127.0.0.1:PORT/lab?token=...".
LISTENING = re.compile(r"is running at:\s*\n(?:\[[^\]\n]*\]\s*)?(http://127\.0\.0\.1:\d+)(\S*)")
#: A Python that starts Voila (a ``python -c`` program, then Voila's arguments) able
#: to take port 0 and log the port it got: astrolearn's ``serve.reporting_voila``.
VOILA = [
    sys.executable,
    "-c",
    "from astrolearn.serve import reporting_voila; reporting_voila().launch_instance()",
]


def wait_for_url(
    process: subprocess.Popen, log_path: Path, timeout: float, *, path: bool = False
) -> str:
    """The base URL (``http://127.0.0.1:PORT``) a server logs once it listens.

    Parameters
    ----------
    process : subprocess.Popen
        The server; if it exits first, the error shows its log.
    log_path : Path
        The file its standard output and error go to.
    timeout : float
        Seconds to wait.
    path : bool
        Also return the path and query the server logged (a token, say).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        found = LISTENING.search(log)
        if found:
            return found.group(1) + (found.group(2) if path else "")
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{log[-3000:]}")
        time.sleep(0.2)
    tail = log_path.read_text(errors="replace")[-3000:]
    raise TimeoutError(f"the server named no URL within {timeout:.0f} s:\n{tail}")


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """Terminate a server process; kill it if it has not ended within ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
