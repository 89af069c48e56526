"""Glossary terms in the lessons' text link to the glossary; no page shows ``{term}`` raw.

Lessons write a term in bold, which JupyterLab and the nbgrader notebooks show well (a
``{term}`` role would show raw there); the book links each bold glossary term.
"""

from __future__ import annotations

import re

import pytest
from bookutil import BOOK, lesson_sources, load_module

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

_site = load_module(BOOK / "_ext" / "astrolearn_site.py", "astrolearn_site_for_glossary")
TERMS = _site.glossary_terms((BOOK / "glossary.md").read_text(encoding="utf-8"))


def _linked_terms(source: str) -> set[str]:
    """The glossary terms the book should link in a lesson's text (its bold terms)."""
    linked = _site.link_glossary_terms(source, TERMS)
    return set(re.findall(r"\{term\}`[^`<]*<([^>`]+)>`", linked))


def _anchor(term: str) -> str:
    """Sphinx's id for a glossary term: ``term-`` and the term, spaces as dashes."""
    return "term-" + re.sub(r"\s+", "-", term.strip())


def _prose(html: str) -> str:
    """A page without its code, scripts and styles: what reads as text."""
    for element in ("pre", "code", "script", "style"):
        html = re.sub(rf"<{element}\b.*?</{element}>", "", html, flags=re.DOTALL)
    return html


def test_lessons_link_glossary_terms(built_book):
    linked = 0
    for source in lesson_sources():
        text = source.read_text(encoding="utf-8")
        assert "{term}" not in text, f"{source}: write the term in bold; the book links it"
        page = built_book.html / "lessons" / source.parent.name / "lesson.html"
        html = page.read_text(encoding="utf-8")
        for term in _linked_terms(text):
            href = f'href="../../glossary.html#{_anchor(term)}"'
            assert href in html, f"{source.parent.name}: {term} is not linked to the glossary"
            linked += 1
    assert linked >= 10, "the lessons link fewer than 10 glossary terms"


def test_no_page_shows_a_term_role_raw(built_book):
    raw = {}
    for page in built_book.html.rglob("*.html"):
        if {"_static", "_sources"} & set(page.parts):
            continue
        found = re.findall(r".{0,40}\{term\}.{0,40}", _prose(page.read_text(encoding="utf-8")))
        if found:
            raw[page.relative_to(built_book.html).as_posix()] = found
    assert raw == {}


def test_bold_terms_are_found_and_other_bold_text_is_not():
    assert _linked_terms("a **cross-match**, **Outliers** and **the data**") == {
        "Cross-match",
        "Outlier",
    }


def test_the_checker_sees_a_raw_role():
    assert re.search(r"\{term\}", _prose("<p>the {term}`ADQL` language</p>"))
    assert not re.search(r"\{term\}", _prose("<pre>{term}`ADQL`</pre>"))
