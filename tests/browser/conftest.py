"""Shared browser-test fixtures: a Voila server and Debian's Chromium, network cut.

Usage in a test::

    def test_page(render_notebook):
        page = render_notebook("import ipywidgets\\nipywidgets.IntSlider()", name="slider")
        page.wait_for_selector(".widget-slider")
        assert page.console_errors == []

When run as root, Voila (and its kernel) and Chromium run together in a fresh network
namespace that has only the loopback interface, so nothing can reach the internet and a
CDN dependency shows up as a failure. Without root, Chromium alone is kept off the
network (a dead proxy and a host-resolver rule), and Voila runs normally.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import astrolearn
import nbformat
import pytest

from tests.page_traffic import PageTraffic
from tests.servers import VOILA, stop_process, wait_for_url


def _root_conftest():
    """tests/conftest.py as pytest imported it (both conftests are named `conftest`)."""
    import importlib.util

    path = str(Path(__file__).resolve().parents[1] / "conftest.py")
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == path:
            return module
    spec = importlib.util.spec_from_file_location("astrolearn_tests_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


require = _root_conftest().require
can_cut_network = _root_conftest().can_cut_network

CHROMIUM = _root_conftest().CHROMIUM
CHROMIUM_ARGS = _root_conftest().CHROMIUM_ARGS
VOILA_START_TIMEOUT = 120
# Known messages that come from Voila's own page, not from astrolearn: JupyterLab
# extensions installed in the environment (jupytext, notebook, nbgrader) that cannot
# load outside JupyterLab, and Font Awesome, which Voila's page asks of a CDN (the
# request fails offline; icons still show from the bundled font).
FOREIGN_ERRORS = re.compile(
    r"labextensions/(jupyterlab-jupytext|@jupyter-notebook|@jupyter/nbgrader)/|"
    r"shared module|Failed to load resource"
)
FOREIGN_REQUESTS = re.compile(r"/@fortawesome/fontawesome-free")


def our_errors(page) -> list[str]:
    """Console errors and failed requests of a page that are not known foreign noise."""
    errors = [e for e in page.console_errors if not FOREIGN_ERRORS.search(e)]
    requests = [u for u in page.failed_requests if not FOREIGN_REQUESTS.search(u)]
    return errors + [f"request failed: {url}" for url in requests]


class VoilaServer:
    """A Voila server on loopback serving one folder of notebooks, on a port it chose."""

    def __init__(self, root: Path, prefix: list[str]) -> None:
        self.root, self.prefix = root, prefix
        self.log_path = root / "voila.log"
        self.log = self.log_path.open("w")
        command = [
            *VOILA,
            "--no-browser",
            "--port=0",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--MappingKernelManager.cull_idle_timeout=120",
            str(root),
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            prefix + command, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=root
        )
        self.url = ""

    def wait_ready(self) -> None:
        """Wait until Voila names its URL and serves its static files; else show its log."""
        self.url = wait_for_url(self.process, self.log_path, VOILA_START_TIMEOUT)
        probe = [
            sys.executable,
            "-c",
            f"import urllib.request; urllib.request.urlopen('{self.url}/voila/static/voila.js', "
            "timeout=60)",
        ]
        # The probe runs where Voila runs (inside the namespace when there is one).
        answer = subprocess.run(self.prefix + probe, capture_output=True, text=True)
        if answer.returncode:
            raise RuntimeError(
                f"Voila does not serve its files: {answer.stderr[-500:]}\n" + self.log_text()
            )

    def log_text(self) -> str:
        """The last part of Voila's log."""
        self.log.flush()
        return self.log_path.read_text()[-3000:]

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


@pytest.fixture
def extension_page(browser) -> Iterator[object]:
    """A blank page running astrolearn's lab extension (its remoteEntry.js)."""
    script = Path(astrolearn.__file__).parent / "labextension" / "static" / "remoteEntry.js"
    context = browser.new_context()
    page = context.new_page()
    page.add_script_tag(content=script.read_text())
    yield page
    context.close()


@pytest.fixture(scope="session")
def notebook_dir(tmp_path_factory) -> Path:
    """Folder served by the session's Voila server; write notebooks here."""
    return tmp_path_factory.mktemp("voila-notebooks")


@pytest.fixture(scope="session")
def voila_server(notebook_dir, offline_namespace) -> Iterator[VoilaServer]:
    """One Voila server for the session, offline when the namespace exists."""
    server = started_voila(notebook_dir, offline_namespace)
    try:
        yield server
    finally:
        server.stop()


def started_voila(root: Path, prefix: list[str]) -> VoilaServer:
    """A Voila server that answers, or an error with its log (the server stopped)."""
    server = VoilaServer(root, prefix)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def voila_in_chromium(root: Path) -> Iterator[tuple[VoilaServer, object]]:
    """Voila on the notebooks in ``root`` and a Chromium to visit them (the benchmarks').

    Both are stopped on leaving the block.
    """
    from playwright.sync_api import sync_playwright

    server = started_voila(root, [])
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield server, browser
            browser.close()
    finally:
        server.stop()


def write_notebook(folder: Path, name: str, *cells: str) -> Path:
    """Write a notebook of code cells to ``folder/name.ipynb``."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def render_notebook(browser, voila_server, notebook_dir, artifacts_dir, request) -> Callable:
    """Render code cells as a Voila page; returns the Playwright page.

    The page has ``console_errors`` (console errors and uncaught exceptions, as text),
    ``failed_requests`` and ``requests`` (URLs), ``traffic`` (a ``PageTraffic``, to
    wait for the kernel and the network); ``our_errors(page)`` filters out
    Voila's own noise. A screenshot is saved in the artifacts folder when the test ends.
    """
    pages = []

    def render(*cells: str, name: str | None = None, timeout: float = 90):
        name = name or request.node.name.replace("[", "_").replace("]", "")
        write_notebook(notebook_dir, name, *cells)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.console_errors, page.failed_requests = [], []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: page.failed_requests.append(r.url))
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        page.traffic = PageTraffic(page)
        page.goto(f"{voila_server.url}/voila/render/{name}.ipynb", timeout=timeout * 1000)
        # Voila replaces its spinner by the outputs when every cell has run.
        page.wait_for_selector(".jp-OutputArea-output", timeout=timeout * 1000)
        pages.append((name, page))
        return page

    yield render
    for name, page in pages:
        page.screenshot(path=str(artifacts_dir / f"browser-{name}.png"), full_page=True)
        page.context.close()
