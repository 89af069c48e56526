"""``astrolearn serve``: what a visitor can and cannot reach, over plain HTTP, offline."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest
from astrolearn import content, serve
from astrolearn.notebooks import read_myst

from tests.servers import wait_for_url

APP_FOLDER = content.folder("apps")
APPS = [path.stem for path in serve.app_sources()]

BROKEN_APP = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Broken on purpose

This app fails while it starts.

```{code-cell} ipython3
secret_source_line = "visible-only-in-source"
raise ValueError("operator-only-marker")
```
"""


def app_folder(folder: Path, **sources: str) -> Path:
    """``folder``/apps holding the given apps (stem: MyST text) and the apps' template."""
    apps = folder / "apps"
    apps.mkdir()
    for stem, text in sources.items():
        (apps / f"{stem}.md").write_text(text)
    shutil.copytree(APP_FOLDER / "template", apps / "template")
    return apps


def test_every_app_is_a_myst_notebook_with_a_title_goal_and_picture():
    assert len(APPS) >= 4, APPS
    for path in serve.app_sources():
        notebook = read_myst(path)
        assert notebook.metadata["kernelspec"]["name"] == "python3", path.name
        title, goal = serve._title_and_goal(path.read_text())
        assert title and len(goal) > 40, f"{path.name}: needs a '# title' and a goal line"
        assert (APP_FOLDER / "pictures" / f"{path.stem}.png").exists(), (
            f"no picture for {path.stem}"
        )


def test_build_writes_apps_gallery_and_template(tmp_path):
    stems = serve.build_apps(APP_FOLDER, tmp_path / "apps")
    assert stems == APPS
    built = sorted(p.name for p in (tmp_path / "apps").glob("*.ipynb"))
    assert built == sorted(f"{stem}.ipynb" for stem in APPS), "apps only: the gallery is HTML"
    gallery = (tmp_path / serve.GALLERY).read_text()
    assert all(f'href="voila/render/{stem}.ipynb"' in gallery for stem in APPS)
    assert (tmp_path / "jupyter/voila/templates/astrolearn/index.html.j2").exists()


def test_bad_options_are_refused_with_the_option_named():
    result = subprocess.run(
        [sys.executable, "-m", "astrolearn.cli", "serve", "--pool-size=-1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--pool-size" in result.stderr


def test_lab_command_is_still_there():
    result = subprocess.run(
        [sys.executable, "-m", "astrolearn.cli", "lab", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "--no-browser" in result.stdout


def test_lab_stops_with_its_server_when_asked_to(tmp_path):
    """A stop signal to ``astrolearn lab`` stops JupyterLab, not only a wrapper around it."""
    log = tmp_path / "lab.log"
    with log.open("w") as output:
        lab = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "astrolearn.cli",
                "lab",
                "--port=0",
                "--no-browser",
                "--lessons",
                str(tmp_path),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_for_url(lab, log, 90)
    lab.terminate()
    lab.wait(timeout=30)
    left = [
        process.pid
        for process in psutil.process_iter(["cmdline"])
        if f"--ServerApp.root_dir={tmp_path}" in (process.info["cmdline"] or [])
    ]
    assert left == [], "JupyterLab outlived astrolearn lab"


@pytest.mark.slow
def test_visitors_cannot_browse_files_or_see_source(app_server):
    status, url, gallery = app_server.fetch("/")
    assert status == 200 and url == app_server.url + "/"
    assert '"kernelId"' not in gallery, "the gallery is static: no kernel"
    for listing in ("/voila/tree", "/voila/tree/", "/voila/api/contents/"):
        status, url, body = app_server.fetch(listing)
        assert url == app_server.url + "/", f"{listing} lists files"
        assert body == gallery, f"{listing} shows more than the gallery"
    assert app_server.fetch(f"/voila/files/{APPS[0]}.ipynb")[0] == 403
    status, _, page = app_server.fetch(f"/voila/render/{APPS[0]}.ipynb")
    assert status == 200
    assert "astrolearn.ui.page" not in page and "from astrolearn import data" not in page


@pytest.mark.slow
def test_tracebacks_go_to_the_log_not_the_page_behind_a_prefix(start_server, tmp_path):
    apps = app_folder(tmp_path, broken=BROKEN_APP)
    server = start_server(f"--apps={apps}", "--pool-size=0", "--base-url=/public/", pool=False)
    for home in ("/public", "/public/", "/public/voila/render/gallery.ipynb"):
        status, url, gallery = server.fetch(home)
        assert status == 200 and url == server.url + "/public/", home
    assert 'href="voila/render/broken.ipynb"' in gallery
    # The scripts the gallery prefetches (relative) and the page preloads (beneath the
    # prefix) are this server's.
    assert '<link rel="prefetch" href="voila/static/voila.js" as="script">' in gallery
    status, _, page = server.fetch("/public/voila/render/broken.ipynb")
    assert status == 200
    assert '<link rel="preload" href="/public/voila/static/voila.js" as="script">' in page
    assert server.fetch("/public/voila/static/voila.js")[0] == 200
    assert "operator-only-marker" not in page and "visible-only-in-source" not in page
    assert "Traceback" not in page and "show_tracebacks" not in page
    # The visitor reads a kind message with an incident id; the operator's log has the
    # traceback under the same id.
    incident = re.search(r"incident ([0-9a-f]{8})", page).group(1)
    assert "Something went wrong in this app" in page
    logged = server.log().split(f"incident {incident} in the page render", 1)[1][:3000]
    assert "operator-only-marker" in logged


def test_app_pages_load_only_installed_extensions_the_apps_need(tmp_path):
    from jupyterlab_server.config import get_federated_extensions
    from voila.utils import get_voila_labextensions_path

    serve.build_apps(APP_FOLDER, tmp_path)
    installed = get_federated_extensions(get_voila_labextensions_path())
    allowed = serve.lab_extensions(tmp_path)
    # A renamed or missing extension would leave app pages without their plots.
    known = set(serve.APP_EXTENSIONS).union(*serve.OPTIONAL_EXTENSIONS.values())
    assert known <= set(installed), known - set(installed)
    assert "@jupyter/nbgrader" in installed and "@jupyter/nbgrader" not in allowed
    # The apps draw with plain bqplot, no WebGL; one shows the sky (ipyaladin is an
    # anywidget).
    assert not {"bqplot-gl", "@astrolearn/d3-event"} & set(allowed)
    assert "anywidget" in allowed
    for source, needed in [
        (
            "from astrolearn.ui import ParameterSpaceExplorer",
            {"bqplot-gl", "@astrolearn/d3-event"},
        ),
        ("from bqplot_gl import ScatterGL", {"bqplot-gl", "@astrolearn/d3-event"}),
        ("from astrolearn.ui import SkyViewer", {"anywidget"}),
        ("import astrolearn.ui", {"bqplot-gl", "@astrolearn/d3-event"}),
    ]:
        app = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nbformat.write(app, tmp_path / "extra.ipynb")
        assert needed <= set(serve.lab_extensions(tmp_path)), source
