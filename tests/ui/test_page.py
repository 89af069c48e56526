"""The parts of a page (astrolearn.ui.page): status line, safe callbacks, help, credit."""

from __future__ import annotations

import html
import logging

import ipywidgets as widgets
from astrolearn import data
from astrolearn.ui import page


def test_a_credit_line_names_the_data_the_acknowledgement_and_the_papers():
    credit = page.data_credit("ztf_snia_lightcurves", "ztf_snia_metadata").value
    for name in ("ztf_snia_lightcurves", "ztf_snia_metadata"):
        entry = data.metadata(name)
        assert html.escape(entry["description"]) in credit
        assert all(reference in credit for reference in entry["references"])
    acknowledgement = html.escape(data.metadata("ztf_snia_metadata")["acknowledgement"])
    assert credit.count(acknowledgement) == 1  # shared by both datasets: said once


def test_a_failing_callback_is_logged_and_the_page_apologises(caplog):
    status = page.status_line()

    @page.safe(status)
    def broken(_):
        raise KeyError("secret internals")

    logger = logging.getLogger("astrolearn.apps")
    logger.addHandler(caplog.handler)
    try:
        assert broken(None) is None
    finally:
        logger.removeHandler(caplog.handler)
    assert "secret internals" in caplog.text and "broken" in caplog.text
    assert page.APOLOGY in status.value and "secret" not in status.value
    assert "role='status'" in status.value and "al-status" in status._dom_classes


def test_a_status_line_escapes_what_it_says_and_names_a_problem():
    status = page.status_line()
    page.say(status, "<script>x</script> stars", problem="a < b")
    assert "<script>" not in status.value and "&lt;script&gt;" in status.value
    assert "<b>Problem:</b> a &lt; b" in status.value


def test_the_help_panel_opens_from_its_summary_and_says_how_to_use_the_keyboard():
    panel = page.help_panel("Each dot is a <star>.")
    # <details> with a <summary>: a button for the keyboard and screen readers, no script.
    assert panel.value.startswith("<details><summary>") and "<script" not in panel.value
    assert "&lt;star&gt;" in panel.value and "Tab" in panel.value
    custom = page.help_panel("x", keyboard="Arrow keys move the dot.").value
    assert "Arrow keys move the dot." in custom and page.KEYBOARD not in custom


def test_the_restart_button_calls_back_once_per_press():
    pressed = []
    button = page.restart_button(lambda: pressed.append(len(pressed)))
    assert isinstance(button, widgets.Button) and button.description == "Start again"
    button.click()
    button.click()
    assert pressed == [0, 1]


def test_importing_the_page_parts_leaves_the_heavy_widgets_unloaded():
    import subprocess
    import sys

    code = (
        "import sys, astrolearn.ui.page, astrolearn.ui.points, astrolearn.ui.palette\n"
        "print(sorted(m for m in ('bqplot_gl', 'ipyaladin', 'astrolearn.vo') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
