"""What a reader of the built site sees on each page: titles, outputs, links and buttons.

Each test reads the one session build (``built_book``); none builds again.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bookutil import BOOK, load_module

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

_site = load_module(BOOK / "_ext" / "astrolearn_site.py", "astrolearn_site_for_pages")
SITE_TITLE = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))["title"]
#: Hosts reserved for examples (RFC 2606): a link there is a placeholder left in.
PLACEHOLDER_HOST = re.compile(r"(^|\.)(example\.(org|com|net)|invalid|localhost)$")
#: A Python warning as a cell's stderr shows it: "[path:line: ]NameWarning: text".
WARNING_LINE = re.compile(r"^.*\b[A-Z]\w*Warning: .*$", re.MULTILINE)
WIDGET_STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.DOTALL
)


def pages(built) -> dict[str, str]:
    """Every HTML page of the site (not the theme's files), by path from the site root."""
    return {
        page.relative_to(built.html).as_posix(): page.read_text(encoding="utf-8")
        for page in sorted(built.html.rglob("*.html"))
        if not {"_static", "_sources"} & set(page.relative_to(built.html).parts)
    }


def visible_text(page: str) -> str:
    """The page's text as a browser shows it (outputs included), without scripts."""
    for element in ("script", "style"):
        page = re.sub(rf"<{element}\b.*?</{element}>", "", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def title_of(page: str) -> str | None:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    return html.unescape(found.group(1)).strip() if found else None


@pytest.fixture(scope="module")
def site(built_book) -> dict[str, str]:
    assert built_book.returncode == 0, built_book.log[-3000:]
    found = pages(built_book)
    assert "intro.html" in found and "lessons/09-time-domain/lesson.html" in found
    return found


def test_no_page_shows_a_python_warning(site):
    """Warnings printed while the notebooks ran (astropy's MergeConflictWarning, Dask's
    network probe) are noise to a reader and leak the build machine's paths."""
    shown = {name: WARNING_LINE.findall(visible_text(page)) for name, page in site.items()}
    assert {name: lines for name, lines in shown.items() if lines} == {}
    leaked = [name for name, page in site.items() if "site-packages" in visible_text(page)]
    assert leaked == []


def test_no_link_leads_to_a_placeholder_host(site):
    placeholders = {}
    for name, page in site.items():
        urls = re.findall(r'(?:href|src|action)="(https?://[^"]*)"', page)
        bad = [url for url in urls if PLACEHOLDER_HOST.search(urlsplit(url).hostname or "")]
        if bad:
            placeholders[name] = bad
    assert placeholders == {}
    unfinished = [name for name, page in site.items() if "TODO" in visible_text(page)]
    assert unfinished == []


def test_every_page_title_is_words_with_the_site_title_once(site):
    for name, page in site.items():
        if name == "index.html":  # a redirect to intro.html, not a page
            assert 'url=intro.html"' in page
            continue
        title = title_of(page)
        assert title, f"{name} has no <title>"
        assert title.count(SITE_TITLE) <= 1, title
        own = re.split(r" [\u2014-] ", title)[0] if title != SITE_TITLE else title
        path = Path(name)
        file_names = {path.stem, path.parent.name, path.as_posix(), f"{path.parent.name}/lesson"}
        assert own not in file_names and not re.search(r"\.(md|ipynb|html)\b|_", own), title
        assert re.search(r"[A-Za-z]{3,}", own), title


def test_the_home_page_has_one_title(site):
    """The site's title heads every page (the sidebar, the browser's tab); the home page's
    own heading is another, so that the reader does not see the same title twice."""
    intro = site["intro.html"]
    assert title_of(intro).count(SITE_TITLE) == 1
    # The theme's print-only copy of the heading is hidden on screen.
    on_screen = re.sub(r'<div id="jb-print-docs-body".*?</h1>', "", intro, flags=re.DOTALL)
    headings = re.findall(r"<h1\b[^>]*>(.*?)</h1>", on_screen, flags=re.DOTALL)
    assert len(headings) == 1
    assert SITE_TITLE not in visible_text(headings[0])


def test_buttons_that_need_python_are_disabled_and_say_how_to_run_it(site):
    """A widget button asks the kernel to act: on the static site it is greyed out, with
    a tooltip that says how to run the lesson, instead of doing nothing when pressed."""
    buttons = 0
    for name, page in site.items():
        for state in WIDGET_STATE.findall(page):
            for model in json.loads(state)["state"].values():
                if model["model_name"] != "ButtonModel":
                    continue
                buttons += 1
                assert model["state"]["disabled"] is True, (name, model["state"])
                assert model["state"]["tooltip"] == _site.NEEDS_PYTHON
    assert buttons >= 10
    assert "astrolearn lab" in _site.NEEDS_PYTHON and "Binder" in _site.NEEDS_PYTHON


def test_the_time_domain_lab_says_in_words_how_to_run_it(site):
    text = " ".join(visible_text(site["lessons/09-time-domain/lesson.html"]).split())
    explore = text[text.index("The lab below") :][:600]
    assert "Binder" in explore and "pip install astrolearn" in explore
    assert "astrolearn lab" in explore
