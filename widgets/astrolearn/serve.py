"""``astrolearn lab``: JupyterLab on the lessons, on bundled data, bound to loopback.

(``astrolearn serve`` opens the same until the public Voila gallery replaces it.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8866, help="port to listen on")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")


def run(args: argparse.Namespace) -> int:
    lessons = REPO / "lessons"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.ip={args.host}",
        f"--ServerApp.port={args.port}",
        f"--ServerApp.root_dir={lessons}",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if os.geteuid() == 0:
        command.append("--allow-root")
    return subprocess.call(command)
