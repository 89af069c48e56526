"""Shared test helpers.

Under CI (environment variable ``CI`` set, or ``ASTROLEARN_STRICT=1``) a test that
needs a missing system part fails instead of being skipped, so CI cannot pass by
skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STRICT = bool(os.environ.get("CI")) or os.environ.get("ASTROLEARN_STRICT") == "1"
ARTIFACTS = REPO / "test-artifacts"


def require(condition: bool, what: str, install: str) -> None:
    """Skip (or fail under CI) when a system part is missing.

    Parameters
    ----------
    condition : bool
        True when the part is available.
    what : str
        The missing part, in words.
    install : str
        How to install it.
    """
    if condition:
        return
    message = f"{what} is missing; install it with: {install}"
    if STRICT:
        pytest.fail(f"CI may not skip: {message}")
    pytest.skip(message)


def can_cut_network() -> bool:
    """True when this process may run a command in a new network namespace."""
    return (
        os.geteuid() == 0
        and shutil.which("unshare") is not None
        and shutil.which("ip") is not None
    )


def run_offline(args: list[str], timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    """Run a command with the network really cut (loopback only).

    Uses ``unshare -n`` (needs root); the command sees only the loopback interface.
    """
    require(can_cut_network(), "root and unshare (util-linux) to cut the network", "run as root")
    script = "ip link set lo up; exec " + " ".join(_quote(a) for a in args)
    return subprocess.run(
        ["unshare", "-n", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def run_python_offline(code: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run Python code in this interpreter with only loopback networking."""
    return run_offline([sys.executable, "-c", code], timeout=timeout)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for screenshots and reports kept after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
