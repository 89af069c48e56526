"""Open every page of a built book in real Chromium and report what it saw, as JSON.

Run by ``test_browser.py`` under ``unshare -n`` (loopback only), so any request that
leaves the machine fails for real. Usage::

    python browse_site.py HTML_DIR OUT_JSON [SCREENSHOT_DIR]

For each page it records: requests that failed or answered >= 400 (with their URLs),
uncaught page errors, the number of widget views the page embeds and how many of them
html-manager rendered, and the serious/critical violations axe-core (vendored in
``vendor/axe.min.js``) reports.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import sys
import threading
import time
from pathlib import Path

from bookutil import load_module
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
# The browser tests' Chromium and flags (tests/conftest.py), so both agree.
_BROWSER = load_module(HERE.parent / "conftest.py", "astrolearn_book_browser")
CHROMIUM = _BROWSER.CHROMIUM
CHROMIUM_ARGS = _BROWSER.CHROMIUM_ARGS
PageTraffic = load_module(HERE.parent / "page_traffic.py", "astrolearn_page_traffic").PageTraffic
# Pages Sphinx writes that are not course content.
SKIP_PARTS = {"_static", "_sources", "_images", "reports", "_sphinx_design_static"}
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
# html-manager inserts a div.widget-subarea before each view's script tag and renders the
# widget into it: a view counts as rendered when that div has content.
COUNT_RENDERED = """(selector) => [...document.querySelectorAll(selector)].filter((script) => {
    const area = script.previousElementSibling;
    return area && area.classList.contains("widget-subarea") && area.childElementCount > 0;
}).length"""
WIDGET_WAIT_MS = 20_000
# Third-party user interfaces the site cannot change, left out of the audit (counted in
# "axe_excluded_regions"): Aladin Lite's viewer controls (icon buttons without names,
# images without alt, an unlabelled frame selector), from ipyaladin.
EXCLUDED_FROM_AXE = [".aladin-container"]
#: A page counts as laid out once its web fonts have loaded and two frames have been
#: drawn after that: what the audit sees is then what a reader sees, not a moment of
#: the page's loading (scrolling code blocks depend on the fonts' widths).
SETTLED = """async () => {
    await document.fonts.ready;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return document.fonts.status;
}"""
#: After the audit, the page at phone width: which blocks scroll sideways, which of them
#: a keyboard cannot reach, and the focus ring the first of them shows.
PHONE = {"width": 390, "height": 844}
SCROLLING_BLOCKS = """() => {
    const blocks = [...document.querySelectorAll("pre, .cell_output > .output")]
        .filter((block) => block.scrollWidth > block.clientWidth);
    const unreachable = blocks.filter((block) => block.tabIndex !== 0).length;
    let ring = null;
    if (blocks.length) {
        blocks[0].focus();
        const style = getComputedStyle(blocks[0]);
        ring = style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth);
    }
    return {scrolling: blocks.length, unreachable: unreachable, focus_ring_px: ring};
}"""
#: Sphinx's root index.html only redirects: <meta http-equiv="Refresh" content="0; url=X">.
REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.I)
#: One window size for every page, so that the layout does not depend on a default.
VIEWPORT = {"width": 1280, "height": 900}
AXE_RUN = """async (context) => {
    const result = await axe.run(context, {resultTypes: ["violations"]});
    return result.violations;
}"""


def content_pages(html_dir: Path) -> list[Path]:
    """Every HTML page of the site, except Sphinx's internal folders."""
    pages = [
        path
        for path in sorted(html_dir.rglob("*.html"))
        if not SKIP_PARTS.intersection(path.relative_to(html_dir).parts)
    ]
    return pages


def serve(html_dir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``html_dir`` on a free loopback port; return the server and its base URL."""
    handler = functools.partial(QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    def log_message(self, format: str, *args) -> None:
        pass


def audit_page(page, url: str, shots: Path | None, name: str, html: str) -> dict:
    """Load one page and collect failures, widget counts and axe results.

    A redirecting page (``html`` is its source) is audited where it leads, once that
    page has loaded, not while the browser is on its way there.
    """
    failed: list[str] = []
    errors: list[str] = []
    traffic = PageTraffic(page)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load", timeout=60_000)
    redirect = REDIRECT.search(html)
    if redirect:
        target = url.rsplit("/", 1)[0] + "/" + redirect.group(1)
        page.wait_for_url(target, wait_until="load", timeout=60_000)
    views = page.locator(WIDGET_VIEW).count()
    rendered = 0
    if views:
        # On a timeout the count below says how many widgets were missing.
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(
                f"([selector, n]) => ({COUNT_RENDERED})(selector) >= n",
                arg=[WIDGET_VIEW, views],
                timeout=WIDGET_WAIT_MS,
            )
        rendered = page.evaluate(COUNT_RENDERED, WIDGET_VIEW)
    try:  # late requests (lazy modules) finish or fail
        traffic.wait_for_quiet(timeout=WIDGET_WAIT_MS / 1000)
    except TimeoutError as error:
        failed.append(str(error))
    fonts = page.evaluate(SETTLED)
    if fonts != "loaded":
        errors.append(f"web fonts did not load: {fonts}")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    audited = page.evaluate(AXE_RUN, {"exclude": [[part] for part in EXCLUDED_FROM_AXE]})
    if shots is not None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
    page.set_viewport_size(PHONE)
    page.evaluate(SETTLED)
    # The theme gives the blocks that now scroll their tab stops 300 ms after a resize:
    # what is still unreachable after a few seconds stays so.
    phone, deadline = page.evaluate(SCROLLING_BLOCKS), time.monotonic() + 5
    while phone["unreachable"] and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        phone = page.evaluate(SCROLLING_BLOCKS)
    return {
        "phone_blocks": phone,
        "failed_requests": failed,
        "page_errors": errors,
        "widget_views": views,
        "widgets_rendered": rendered,
        "axe_serious": _serious(audited),
        "axe_excluded_regions": page.locator(", ".join(EXCLUDED_FROM_AXE)).count(),
    }


def _serious(violations: list[dict]) -> list[dict]:
    """The serious and critical axe violations, with up to five elements each."""
    return [
        {
            "id": item["id"],
            "impact": item["impact"],
            "help": item["help"],
            "nodes": [node["target"] for node in item["nodes"][:5]],
        }
        for item in violations
        if item["impact"] in ("serious", "critical")
    ]


def main(html_dir: Path, out_json: Path, shots: Path | None = None) -> None:
    """Audit every page of ``html_dir`` and write the report to ``out_json``."""
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    server, base = serve(html_dir)
    report: dict[str, dict] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for path in content_pages(html_dir):
                relative = path.relative_to(html_dir).as_posix()
                page = browser.new_page(viewport=VIEWPORT)
                try:
                    name = relative.replace("/", "__").removesuffix(".html")
                    html = path.read_text(encoding="utf-8", errors="replace")
                    report[relative] = audit_page(page, base + relative, shots, name, html)
                finally:
                    page.close()
            browser.close()
    finally:
        server.shutdown()
    out_json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        Path(sys.argv[3]) if len(sys.argv) > 3 else None,
    )
