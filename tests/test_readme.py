"""The README's two commands are true: they exist, CI runs the test one, and the run
command really serves the lessons with the network cut."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

from tests.conftest import REPO, can_cut_network, require, wait_for_exec
from tests.servers import wait_for_url


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = re.search(r"## The two commands.*?```bash\n(.*?)```", text, re.S)
    assert block, "README must show its commands in a bash block under 'The two commands'"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_shows_exactly_two_commands_that_the_makefile_defines():
    commands = readme_commands()
    assert commands == ["make serve", "make test"]
    makefile = (REPO / "Makefile").read_text()
    for command in commands:
        target = command.split()[1]
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no target {target}"


def test_ci_runs_the_readme_test_command():
    script = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test$", script, re.M)


def test_run_command_serves_with_the_network_cut(tmp_path):
    require(can_cut_network(), "root and unshare to cut the network", "run the tests as root")
    script = "ip link set lo up; exec make serve SERVE_ARGS='--port 0'"
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        ["unshare", "-n", "--", "sh", "-c", script],
        cwd=REPO,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_exec(server.pid, "make")
        url = wait_for_url(server, log, 300)
        # The server lives in its own network namespace: reach it through that namespace.
        probe = (
            "import urllib.request,time,sys\n"
            "deadline = time.monotonic() + 60\n"
            "while time.monotonic() < deadline:\n"
            "    try:\n"
            f"        r = urllib.request.urlopen('{url}/', timeout=5)\n"
            "        print(r.status); sys.exit(0)\n"
            "    except OSError as error:\n"
            "        last = error\n"
            "        time.sleep(0.5)\n"
            "sys.exit(f'no answer in 60 s; last error: {last!r}')\n"
        )
        result = subprocess.run(
            ["nsenter", "-t", str(server.pid), "-n", sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=100,
        )
        tail = log.read_text()[-3000:]
        assert result.returncode == 0 and result.stdout.strip() == "200", result.stderr + tail
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
