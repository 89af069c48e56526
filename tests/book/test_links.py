"""Every internal link, anchor and asset reference of the built site resolves."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

EXTERNAL = ("http", "https", "mailto", "data", "javascript", "tel")


class _Refs(HTMLParser):
    """Collects the ids of a page and the URLs it references."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name"):
            if values.get(name) and (name == "id" or tag == "a"):
                self.ids.add(values[name])
        for name in ("href", "src"):
            if values.get(name) and not (tag == "link" and values.get("rel") == "preconnect"):
                self.refs.append(values[name])


def _parse(page: Path) -> _Refs:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_internal_links_and_anchors_resolve(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    html_root = built_book.html
    pages = [p for p in html_root.rglob("*.html") if "_static" not in p.parts]
    parsed = {page.resolve(): _parse(page) for page in pages}
    broken = []
    checked = 0
    for page, refs in parsed.items():
        for ref in refs.refs:
            parts = urlsplit(ref)
            if parts.scheme in EXTERNAL or parts.netloc:
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if not target.exists():
                broken.append(f"{page.relative_to(html_root.resolve())}: {ref}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(html_root.resolve())}: {ref} (no anchor)")
    assert checked > 100, "suspiciously few links were checked"
    assert broken == []


def test_checker_finds_a_broken_anchor(tmp_path):
    """The checker itself: a link to a missing id is reported."""
    (tmp_path / "a.html").write_text('<a href="b.html#here">b</a><p id="x"></p>')
    (tmp_path / "b.html").write_text('<h1 id="elsewhere">b</h1>')
    refs = _parse(tmp_path / "a.html")
    assert refs.refs == ["b.html#here"] and refs.ids == {"x"}
    assert "here" not in _parse(tmp_path / "b.html").ids
