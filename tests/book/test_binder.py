"""binder/ works: repo2docker reads it, and its environment runs JupyterLab and Voila.

The second test installs binder/requirements.txt into a fresh virtual environment (pip's
cache and wheelhouse make that about a minute), runs binder/postBuild on a copy of the
lessons, then starts JupyterLab with the network cut and asks Voila (at /voila/, as on
Binder) to render a lesson.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from bookutil import HERE, REPO, lesson_sources, require, run_offline

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _repo2docker(path: Path) -> subprocess.CompletedProcess:
    require(
        shutil.which("jupyter-repo2docker", path=str(Path(sys.executable).parent)) is not None,
        "jupyter-repo2docker",
        "pip install jupyter-repo2docker",
    )
    command = [sys.executable, "-m", "repo2docker", "--no-build", "--no-run"]
    command += ["--user-id", "1000", "--user-name", "jovyan", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_repo2docker_dockerfile_installs_requirements_and_runs_postbuild(tmp_path):
    result = _repo2docker(REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = result.stdout
    assert "python=3.11" in result.stderr + dockerfile  # from binder/runtime.txt
    install = 'pip install --no-cache-dir -r "binder/requirements.txt"'
    assert install in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile
    # requirements.txt installs "." (this repository): the whole repository must be
    # copied in before pip runs, and postBuild must run after the install.
    copy_all = dockerfile.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    assert copy_all < dockerfile.index(install) < dockerfile.index("RUN ./binder/postBuild")

    # The same assertions fail on a folder without binder/ (repo2docker exits 0 there too).
    empty = _repo2docker(tmp_path)
    assert empty.returncode == 0
    assert install not in empty.stdout and "RUN ./binder/postBuild" not in empty.stdout


def test_binder_environment_serves_lab_and_voila_offline(tmp_path):
    lessons = lesson_sources()
    assert lessons, "no lesson to render"
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    # --no-compile: no bytecode for the modules nothing here imports (about half of the
    # install's CPU); Binder's own install is the same but for that.
    requirements = ["-r", "binder/requirements.txt"]
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-compile", *requirements],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    # postBuild runs from the repository root, as repo2docker runs it: use a copy.
    root = tmp_path / "repo"
    for folder in ("binder", "lessons", "apps"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("*.ipynb"))
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": f"{python.parent}:{os.environ['PATH']}"}
    env.pop("JUPYTER_CONFIG_DIR", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the venv has none (--no-compile): write it once
    post = subprocess.run(
        ["bash", "binder/postBuild"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert post.returncode == 0, post.stdout + post.stderr
    for source in lessons:
        assert (root / "lessons" / source.parent.name / "lesson.ipynb").is_file()
    assert (home / ".jupyter" / "jupyter_server_config.py").is_file()

    lesson = f"lessons/{lessons[0].parent.name}/lesson.ipynb"
    report_path = tmp_path / "binder.json"
    smoke = run_offline(
        [str(python), str(HERE / "binder_smoke.py"), str(root), lesson, str(report_path)],
        timeout=600,
        env=env,
    )
    server_log = report_path.with_suffix(".server.log")
    log_text = server_log.read_text() if server_log.exists() else ""
    assert smoke.returncode == 0, smoke.stderr[-3000:] + log_text[-3000:]
    report = json.loads(report_path.read_text())
    assert report["lab"] == {"status": 200, "is_jupyterlab": True}
    assert report["contents"]["status"] == 200
    assert {"lesson.md", "lesson.ipynb"} <= set(report["contents"]["names"])
    voila = report["voila"]
    assert voila["status"] == 200, log_text[-3000:]
    assert voila["has_outputs"] and not voila["kernel_error"], log_text[-3000:]
