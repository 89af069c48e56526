"""Start JupyterLab (with Voila at /voila/) from a Binder-like environment; report as JSON.

Run by ``test_binder.py`` with the fresh environment's Python, under ``unshare -n``::

    python binder_smoke.py ROOT_DIR LESSON_NOTEBOOK OUT_JSON

ROOT_DIR is a copy of the repository after ``binder/postBuild``; LESSON_NOTEBOOK is a
path relative to it. The report holds the HTTP status and a few facts about: JupyterLab's
page, the contents API listing of the lesson's folder, and Voila's rendering of the lesson.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# The test servers' helper (port 0, URL read from the log), by path: this script runs
# in the Binder-like environment, where the tests are no package.
sys.path.append(str(Path(__file__).resolve().parents[1]))
import servers

TOKEN = "astrolearn-binder-test"
START_TIMEOUT = 90
RENDER_TIMEOUT = 240


def fetch(url: str, timeout: float) -> tuple[int, str]:
    """GET ``url`` with the token; return (status, body)."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def main(root: Path, lesson: str, out_json: Path) -> None:
    """Start the server, query it, write the report, stop the server."""
    log_path = out_json.with_suffix(".server.log")
    # The log file stays open as long as the server runs (closed in the finally block).
    log = open(log_path, "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            "--port=0",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ,
    )
    report: dict[str, object] = {}
    try:
        base = servers.wait_for_url(server, log_path, START_TIMEOUT)
        status, body = fetch(f"{base}/lab", 30)
        report["lab"] = {"status": status, "is_jupyterlab": "JupyterLab" in body}
        folder = lesson.rsplit("/", 1)[0]
        status, body = fetch(f"{base}/api/contents/{folder}", 30)
        names = [item["name"] for item in json.loads(body)["content"]] if status == 200 else []
        report["contents"] = {"status": status, "names": names}
        started = time.monotonic()
        status, body = fetch(f"{base}/voila/render/{lesson}", RENDER_TIMEOUT)
        report["voila"] = {
            "status": status,
            "seconds": round(time.monotonic() - started, 1),
            "length": len(body),
            "has_outputs": "jp-OutputArea-output" in body,
            "kernel_error": "There was an error when executing cell" in body,
            "widget_views": body.count("application/vnd.jupyter.widget-view+json"),
        }
        status, body = fetch(f"{base}/api/kernels", 10)
        report["kernels_after"] = len(json.loads(body)) if status == 200 else None
    finally:
        servers.stop_process(server)
        log.close()
    out_json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
