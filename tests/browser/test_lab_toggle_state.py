"""In JupyterLab, the toggle button that is on says so by more than its shade.

astrolearn's lab extension adds the same toggle-state script and style as the apps and
the book. JupyterLab is run with this tree's extension first on its path (``JUPYTER_PATH``
comes before the installed copies), a notebook showing ipywidgets' ToggleButtons is run,
and the buttons are read in Chromium: aria-pressed, bold text and a bar on the one that
is on, and none on the others, also after another is pressed by keyboard.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import astrolearn
import nbformat
import pytest

from tests.browser.test_lab_lessons import run_all_cells
from tests.servers import stop_process, wait_for_url

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

EXTENSION = Path(astrolearn.__file__).parent / "labextension"
AXE = Path(__file__).resolve().parents[1] / "book" / "vendor" / "axe.min.js"
CELL = """\
import ipywidgets as widgets

widgets.ToggleButtons(options=["optical", "infrared", "gamma rays"], description="Band:")
"""
#: Each toggle button: its text, aria-pressed, font weight and shadow.
TOGGLES = """() => [...document.querySelectorAll('.jp-OutputArea button.widget-toggle-button')]
    .map(b => [b.innerText.trim(), b.getAttribute('aria-pressed'),
               +getComputedStyle(b).fontWeight, getComputedStyle(b).boxShadow])"""


@pytest.fixture
def lab_url(offline_namespace, tmp_path):
    """``astrolearn lab`` serving a folder with one notebook, this tree's extension first."""
    extensions = tmp_path / "jupyter" / "labextensions" / "@astrolearn"
    extensions.mkdir(parents=True)
    (extensions / "d3-event").symlink_to(EXTENSION, target_is_directory=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, tmp_path / "toggles.ipynb")
    log_path = tmp_path / "lab.log"
    command = [sys.executable, "-m", "astrolearn.cli", "lab", "--port=0", "--no-browser"]
    command += ["--lessons", str(tmp_path)]
    env = {**os.environ, "JUPYTER_PATH": str(tmp_path / "jupyter")}
    with log_path.open("w") as log:
        server = subprocess.Popen(
            offline_namespace + command,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            env=env,
        )
    try:
        yield wait_for_url(server, log_path, 90, path=True)
    finally:
        stop_process(server)


def test_the_toggle_that_is_on_is_marked_in_jupyterlab(browser, lab_url, artifacts_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(120_000)
    try:
        page.goto(lab_url.replace("/lab?", "/lab/tree/toggles.ipynb?"))
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        run_all_cells(page)
        page.wait_for_selector(".jp-OutputArea button.widget-toggle-button[aria-pressed=true]")
        first = page.evaluate(TOGGLES)
        page.locator(".jp-OutputArea button.widget-toggle-button").nth(2).focus()
        page.keyboard.press("Space")
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-OutputArea button.widget-toggle-button')[2]"
            ".getAttribute('aria-pressed') === 'true'"
        )
        then = page.evaluate(TOGGLES)
        page.evaluate(AXE.read_text())
        violations = page.evaluate(
            "async () => (await axe.run('.jp-OutputArea-output',"
            " {resultTypes: ['violations']})).violations"
        )
        page.screenshot(path=str(artifacts_dir / "lab-toggle-state.png"))
    finally:
        page.close()
    for states, on in ((first, 0), (then, 2)):
        assert [state for _, state, _, _ in states] == [
            "true" if k == on else "false" for k in range(3)
        ], states
        for k, (name, _, weight, shadow) in enumerate(states):
            if k == on:
                assert weight >= 700 and "inset" in shadow, (name, weight, shadow)
            else:
                assert weight < 700 and "inset" not in shadow, (name, weight, shadow)
    assert [v["id"] for v in violations if v["impact"] in ("critical", "serious")] == []
