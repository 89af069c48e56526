"""A newcomer's first step: `astrolearn lab`, double-click a lesson, run it, see widgets.

JupyterLab, its kernel and Chromium all run with the network cut.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.servers import stop_process, wait_for_url

REPO = Path(__file__).resolve().parents[2]
LESSON = "01-data-deluge/lesson.md"


@pytest.fixture
def lab_server(offline_namespace, tmp_path):
    log_path = tmp_path / "lab.log"
    # A copy of the lesson: JupyterLab autosaves a notebook it ran back into its file.
    lessons = tmp_path / "lessons"
    shutil.copytree(REPO / "lessons" / LESSON.split("/")[0], lessons / LESSON.split("/")[0])
    astrolearn = Path(sys.executable).with_name("astrolearn")
    command = [str(astrolearn), "lab", "--port=0", "--no-browser"]
    command += ["--lessons", str(lessons)]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            offline_namespace + command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path
        )
    try:
        url = wait_for_url(server, log_path, 90, path=True)
    except BaseException:
        stop_process(server)
        raise
    yield url, log_path
    stop_process(server)


STARTED = (
    "() => [...document.querySelectorAll('.jp-InputPrompt')]"
    ".some((prompt) => /\\[(\\*|\\d+)\\]/.test(prompt.textContent))"
)


def run_all_cells(page) -> None:
    """Run > Run All Cells, as a learner would; again if the kernel had not taken it."""
    for _ in range(3):
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(STARTED, timeout=30_000)
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError("Run All Cells never started the lesson's cells")


@pytest.mark.slow
def test_a_lesson_opens_as_a_notebook_and_its_widgets_render(browser, lab_server, artifacts_dir):
    url, log_path = lab_server
    base, token = url.split("/lab?token=")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{base}/lab/tree/{LESSON}?token={token}")
        # Opened as a notebook (jupytext), not as Markdown text in the editor.
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        assert page.locator(".jp-FileEditor").count() == 0
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        run_all_cells(page)
        # The lesson ends with the parameter-space explorer: its bqplot figure draws.
        try:
            page.wait_for_selector(".jp-OutputArea-output .bqplot", timeout=360_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        finally:
            page.screenshot(path=str(artifacts_dir / "lab-lesson-01.png"), full_page=False)
        errors = page.locator("[data-mime-type='application/vnd.jupyter.error']").count()
        assert errors == 0, "a cell raised an error when the lesson ran in JupyterLab"
        assert page.locator(".jp-OutputArea-output .bqplot").count() >= 1
        # JupyterLab loaded astrolearn's lab extension, which keeps the explorer's brush
        # and lasso working (tests/browser/test_widgets.py drives them with the mouse).
        assert page.evaluate("() => '@astrolearn/d3-event' in (window._JUPYTERLAB || {})")
    finally:
        page.close()
    assert "Traceback" not in log_path.read_text()
