"""Real Chromium, network cut, opens every page: no failed request, widgets, axe-core.

The audit itself (browse_site.py) runs once per session under ``unshare -n``; the
screenshots and the JSON report are kept in test-artifacts/.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(1500)]


def test_every_page_was_audited(site_audit, built_book):
    pages = {p.relative_to(built_book.html).as_posix() for p in built_book.html.glob("**/*.html")}
    content = {p for p in pages if not p.startswith(("_", "reports/"))}
    assert content <= set(site_audit), sorted(content - set(site_audit))
    assert "intro.html" in site_audit


def test_no_request_fails_with_the_network_cut(site_audit):
    failures = {
        page: r["failed_requests"] for page, r in site_audit.items() if r["failed_requests"]
    }
    assert failures == {}


def test_no_script_error_on_any_page(site_audit):
    errors = {page: r["page_errors"] for page, r in site_audit.items() if r["page_errors"]}
    assert errors == {}


def test_embedded_widgets_render_offline(site_audit):
    with_widgets = {page: r for page, r in site_audit.items() if r["widget_views"]}
    # The intro page embeds a live widget, so at least one page must have some.
    assert "intro.html" in with_widgets
    missing = {
        page: f"{r['widgets_rendered']} of {r['widget_views']} rendered"
        for page, r in with_widgets.items()
        if r["widgets_rendered"] < r["widget_views"]
    }
    assert missing == {}


def test_no_serious_or_critical_accessibility_violations(site_audit):
    violations = {
        page: [(v["id"], v["help"], v["nodes"]) for v in r["axe_serious"]]
        for page, r in site_audit.items()
        if r["axe_serious"]
    }
    assert violations == {}


def test_code_blocks_that_scroll_take_keyboard_focus_with_a_visible_ring(site_audit):
    """At phone width many code blocks scroll sideways: each must be a tab stop."""
    phone = {page: r["phone_blocks"] for page, r in site_audit.items()}
    assert sum(p["scrolling"] for p in phone.values()) > 0, "no page has a block that scrolls"
    unreachable = {page: p for page, p in phone.items() if p["unreachable"]}
    assert unreachable == {}
    rings = {page: p["focus_ring_px"] for page, p in phone.items() if p["scrolling"]}
    assert all(width >= 2 for width in rings.values()), rings
