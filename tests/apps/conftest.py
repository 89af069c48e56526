"""Fixtures for the public apps: ``astrolearn serve`` on loopback with the network cut.

The Chromium fixtures (``browser``, ``offline_namespace``) are shared from
``tests/conftest.py``; the server here is ``astrolearn serve`` itself, run
inside the same loopback-only network namespace as Chromium.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from tests.page_traffic import PageTraffic
from tests.servers import stop_process, wait_for_url

TESTS = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    """Import a module by path under ``name``, once (every conftest is `conftest`)."""
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == str(path):
            return module
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_browser_conftest = _load("astrolearn_browser_conftest", TESTS / "browser" / "conftest.py")
# The Chromium fixtures (browser, offline_namespace) come from tests/conftest.py.
require = _browser_conftest.require

SERVER_START_TIMEOUT = 90


class AppServer:
    """``astrolearn serve`` in a subprocess; ``prefix`` enters the offline namespace.

    The server takes any free port (``--port=0``); ``url`` is known once it is ready.
    """

    def __init__(
        self, log_path: Path, prefix: list[str], *options: str, env: dict | None = None
    ) -> None:
        self.prefix, self.url = prefix, ""
        self.log_path = log_path
        self._log = log_path.open("w")
        command = [
            sys.executable,
            "-m",
            "astrolearn.cli",
            "serve",
            "--port=0",
            *options,
        ]
        self.process = subprocess.Popen(
            prefix + command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )

    def fetch(self, path: str, timeout: float = 30) -> tuple[int, str, str]:
        """GET ``path`` from where the server runs: (status, final URL, body)."""
        code = (
            "import sys, urllib.request, urllib.error\n"
            "try:\n"
            f"    r = urllib.request.urlopen({self.url + path!r}, timeout={timeout})\n"
            "    status, url, body = r.status, r.url, r.read().decode(errors='replace')\n"
            "except urllib.error.HTTPError as e:\n"
            "    status, url, body = e.code, e.url, e.read().decode(errors='replace')\n"
            "print(status); print(url); sys.stdout.write(body)\n"
        )
        result = subprocess.run(
            [*self.prefix, sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=timeout + 10,
        )
        if result.returncode:
            raise OSError(result.stderr[-500:])
        status, url, body = result.stdout.split("\n", 2)
        return int(status), url, body

    def wait_ready(self, pool: bool) -> None:
        """Wait until the server listens (and, with a pool, until every pool is full)."""
        started = time.monotonic()
        self.url = wait_for_url(self.process, self.log_path, SERVER_START_TIMEOUT)
        deadline = started + SERVER_START_TIMEOUT
        while pool and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("astrolearn serve exited:\n" + self.log()[-3000:])
            log = self.log()
            apps = int(log.split("astrolearn serve: ", 1)[1].split(" apps", 1)[0])
            if log.count("Kernel pool of ") >= apps:
                return
            time.sleep(0.5)
        if pool:
            raise TimeoutError(
                f"astrolearn serve: pools not full in {SERVER_START_TIMEOUT} s:\n"
                + self.log()[-3000:]
            )

    def visitors(self, app: str, setting: dict, expect: str, *options: str) -> subprocess.Popen:
        """Start ``visitors.py`` where the server runs; its output is piped (text)."""
        command = [
            *self.prefix,
            sys.executable,
            str(Path(__file__).with_name("visitors.py")),
            self.url,
            app,
            f"--setting={json.dumps(setting)}",
            f"--expect={expect}",
            *options,
        ]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run_script(self, script: str, *arguments: str, timeout: float = 600) -> str:
        """Run a script of this folder where the server runs, given its URL; its stdout."""
        command = [*self.prefix, sys.executable, str(Path(__file__).with_name(script))]
        result = subprocess.run(
            [*command, self.url, *arguments], capture_output=True, text=True, timeout=timeout
        )
        if result.returncode:
            # The server's side of the story too: a failure seen once must be explainable.
            raise RuntimeError(
                f"{script} failed:\n{result.stderr[-3000:]}\n"
                f"--- end of the server's log ---\n{self.log()[-4000:]}"
            )
        return result.stdout

    def resident_bytes(self) -> int:
        """Resident memory of the server process itself (not its kernels)."""
        top = psutil.Process(self.process.pid)
        for process in [top, *top.children(recursive=True)]:
            if "astrolearn.cli" in " ".join(process.cmdline()):
                return process.memory_info().rss
        raise LookupError("no astrolearn serve process")

    def kernels(self) -> int:
        """How many kernels the server runs now."""
        count = 0
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                count += "ipykernel_launcher" in " ".join(child.cmdline())
            except psutil.Error:  # ended meanwhile (a zombie until its parent reaps it)
                continue
        return count

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


@pytest.fixture(scope="session")
def start_server(offline_namespace, tmp_path_factory) -> Iterator[Callable[..., AppServer]]:
    """Start ``astrolearn serve`` with extra options; every server stops at session end."""
    servers = []

    def start(*options: str, pool: bool = True, env: dict | None = None) -> AppServer:
        log = tmp_path_factory.mktemp("serve") / "serve.log"
        server = AppServer(log, offline_namespace, *options, env=env)
        servers.append(server)
        server.wait_ready(pool)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def app_server(start_server) -> AppServer:
    """The apps as the public gets them: preheated pool of 1, default culling.

    The whole suite visits from one address, faster than any one visitor: the limits per
    address are raised here (tests/apps/test_app_kernels.py tests them on servers of
    their own), or a later test would meet the busy page.
    """
    return start_server(
        "--pool-size=1", "--new-kernels-per-minute=1000", "--max-kernels-per-address=1000"
    )


@pytest.fixture
def open_page(browser, app_server, artifacts_dir) -> Iterator[Callable]:
    """Open a page of the app server; records console errors and every request.

    ``page.traffic`` (a ``PageTraffic``) waits for the kernel and the network. A
    full-page screenshot ``apps-<name>.png`` is kept in the artifacts folder.
    """
    pages = []

    def open_(
        path: str,
        name: str,
        timeout_ms: float = 90_000,
        init_script: str | None = None,
        **context_options,
    ):
        """``context_options`` for Playwright's new_context (viewport, has_touch, ...);
        ``init_script`` runs in the page before any of its own scripts."""
        context = browser.new_context(
            **{"viewport": {"width": 1280, "height": 900}, **context_options}
        )
        page = context.new_page()
        if init_script:
            page.add_init_script(init_script)
        page.console_errors, page.requests, page.failed_requests = [], [], []
        page.on("requestfailed", lambda r: page.failed_requests.append(f"{r.url} {r.failure}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and page.failed_requests.append(f"{r.status} {r.url}"),
        )
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(f"uncaught: {e}"))
        page.on("request", lambda r: page.requests.append(r.url))
        page.traffic = PageTraffic(page)
        page.goto(app_server.url + path, timeout=timeout_ms)
        pages.append((name, page))
        return page

    yield open_
    for name, page in pages:
        page.screenshot(path=str(artifacts_dir / f"apps-{name}.png"), full_page=True)
        page.context.close()


def run_app(name: str) -> dict:
    """Run the app ``apps/<name>.md`` in this process; its global names, widgets and all."""
    from astrolearn import content
    from astrolearn.notebooks import read_myst

    APPS = content.folder("apps")

    source = APPS / f"{name}.md"
    code = "\n".join(cell.source for cell in read_myst(source).cells if cell.cell_type == "code")
    names = {"__name__": "app"}
    exec(compile(code, str(source), "exec"), names)
    return names


AXE = TESTS / "book" / "vendor" / "axe.min.js"


def serious_axe_violations(page, within: str | None = None) -> list:
    """axe-core's critical and serious violations on ``page`` (or in the part the CSS
    selector ``within`` picks): (rule, help, elements)."""
    page.evaluate(AXE.read_text())  # evaluated by the browser's debugger: CSP allows it
    violations = page.evaluate(
        "async (within) => (await axe.run(within || document, "
        "{resultTypes: ['violations']})).violations",
        within,
    )
    return [
        (v["id"], v["help"], [node["html"][:120] for node in v["nodes"][:3]])
        for v in violations
        if v["impact"] in ("critical", "serious")
    ]


#: The right edge of the widget that reaches furthest: Voila's page may clip instead of
#: scrolling, so the page's scroll width alone misses a widget that sticks out.
RIGHTMOST_WIDGET = (
    "Math.max(...[...document.querySelectorAll('.jupyter-widgets, .bqplot, svg')]"
    ".map(e => e.getBoundingClientRect().right))"
)


def assert_fits_and_accessible(page, width: int) -> None:
    """No sideways scroll, no widget past the right edge, nothing serious for axe-core."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
    assert page.evaluate(RIGHTMOST_WIDGET) <= width, "a widget sticks out on the right"
    assert serious_axe_violations(page) == []
