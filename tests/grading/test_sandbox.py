"""The grading kernel's sandbox and the output-size limit, run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from astrolearn.grading import sandbox
from astrolearn.grading.limits import LimitOutputSize

from tests.conftest import require


def test_sandbox_hides_files_that_are_readable_outside(tmp_path):
    require(
        sandbox.available() == "",
        "Linux namespaces (unshare, setpriv)",
        "apt-get install util-linux",
    )
    secret = tmp_path / "source"
    secret.mkdir()
    (secret / "solution.py").write_text("answer = 42")
    gradebook = tmp_path / "gradebook.db"
    gradebook.write_text("hidden tests")
    solution = secret / "solution.py"
    read = (
        f"import pathlib; print(pathlib.Path({str(gradebook)!r}).read_text(), end='|'); "
        f"print(pathlib.Path({str(solution)!r}).read_text())"
    )
    outside = subprocess.run([sys.executable, "-c", read], capture_output=True, text=True)
    assert outside.stdout == "hidden tests|answer = 42\n"  # the attack works unsandboxed
    inside = subprocess.run(
        sandbox.wrap([sys.executable, "-c", read], [secret, gradebook]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "answer = 42" not in inside.stdout and "hidden tests" not in inside.stdout
    escape = subprocess.run(
        sandbox.wrap(["sh", "-c", f"umount {secret}; cat {secret}/solution.py"], [secret]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "answer = 42" not in escape.stdout  # no capability left to unmount


def user_of(spec: dict) -> int:
    return int(next(a for a in spec["argv"] if a.startswith("--user=")).split("=")[1])


def test_kernel_env_points_python3_at_the_sandbox(tmp_path):
    require(
        sandbox.available() == "",
        "Linux namespaces (unshare, setpriv)",
        "apt-get install util-linux",
    )
    (tmp_path / "gradebook.db").touch()
    env = sandbox.kernel_env(tmp_path, [tmp_path / "nowhere"])
    try:
        spec_file = Path(env["JUPYTER_PATH"].split(":")[0]) / "kernels/python3/kernel.json"
        spec = json.loads(spec_file.read_text())
        assert spec["interrupt_mode"] == "message"
        hidden = [arg.removeprefix("--hide=") for arg in spec["argv"] if arg.startswith("--hide=")]
        assert str(tmp_path / "gradebook.db") in hidden and str(tmp_path / "source") in hidden
        assert str(tmp_path / "nowhere") not in hidden  # paths that do not exist are skipped
        assert oct(spec_file.parents[2].stat().st_mode & 0o077) in ("0o0", "0o11")
        sandbox.verify_kernel(env)
        if os.geteuid() == 0:  # each run its own user: runs at once share no process limit
            other = sandbox.kernel_env(tmp_path)
            other_spec = Path(other["JUPYTER_PATH"].split(":")[0]) / "kernels/python3/kernel.json"
            users = {user_of(spec), user_of(json.loads(other_spec.read_text()))}
            sandbox.discard(other)
            assert len(users) == 2 and all(u in sandbox.GRADING_USERS for u in users), users
        spec_file.write_text(spec_file.read_text().replace("ipykernel_launcher", "evil"))
        with pytest.raises(RuntimeError, match="changed"):
            sandbox.verify_kernel(env)
    finally:
        sandbox.discard(env)
    assert not spec_file.exists()


def test_turned_off_by_environment(monkeypatch):
    sandbox.available.cache_clear()
    monkeypatch.setenv("ASTROLEARN_GRADING_SANDBOX", "0")
    try:
        assert "turned off" in sandbox.available()
    finally:
        sandbox.available.cache_clear()


@pytest.mark.parametrize("size", [10, 25_000, 3_000_000])
def test_limit_output_size(size):
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x" * size),
        nbformat.v4.new_output(
            "display_data", data={"image/png": "A" * size, "text/html": "<b>" + "y" * size}
        ),
        nbformat.v4.new_output("error", ename="ValueError", evalue="z" * size, traceback=[]),
    ]
    notebook, _ = LimitOutputSize(max_chars=20_000, max_binary=2_000_000).preprocess(
        nbformat.v4.new_notebook(cells=[cell]), {}
    )
    stream, display, error = notebook.cells[0].outputs
    assert len(stream.text) <= 20_100 and len(display.data["text/html"]) <= 20_100
    assert ("image/png" in display.data) == (size <= 2_000_000)
    assert error.ename == "ValueError"  # the error stays, so the score does not change
    assert len(error.evalue) <= 20_100


def test_the_sandboxed_process_dies_with_its_sandbox():
    """jupyter_client stops a kernel by killing the process it started (the sandbox):
    what runs inside, as another user, must not outlive it."""
    import psutil

    require(sandbox.available() == "", "Linux namespaces (unshare, setpriv)", "util-linux")
    outer = subprocess.Popen(sandbox.wrap(["sleep", "300"], [], keep=sandbox.needed_folders()))
    try:
        deadline = time.monotonic() + 20
        while not [p for p in psutil.Process(outer.pid).children(True) if p.name() == "sleep"]:
            assert time.monotonic() < deadline, "the sandboxed command did not start"
            time.sleep(0.1)
        inside = next(p for p in psutil.Process(outer.pid).children(True) if p.name() == "sleep")
        outer.kill()
        outer.wait()
        inside.wait(timeout=10)  # raises psutil.TimeoutExpired if it outlives the sandbox
    finally:
        outer.kill()
