"""Shared pieces of the public apps: page header, status line, safe callbacks.

Visitors never see a traceback: a failing callback is logged on the kernel's real
stderr (the operator's server log) and the visitor reads a short apology instead.

Examples
--------
>>> status = widgets.HTML()
>>> @safe(status)
... def on_click(_):
...     raise ValueError("boom")
>>> on_click(None)  # logged for the operator; the page says sorry
>>> "went wrong" in status.value
True
"""

from __future__ import annotations

import functools
import html
import logging
import sys
from collections.abc import Callable

import ipywidgets as widgets

#: Okabe–Ito colours, safe for the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, VERMILION, PURPLE = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7"
SKY_BLUE, YELLOW, BLACK = "#56B4E9", "#F0E442", "#000000"

_log = logging.getLogger("astrolearn.apps")
if not _log.handlers:
    # sys.__stderr__ is the kernel process's own stderr, which Voila passes to the
    # server's log; sys.stderr would send the text to the visitor's page.
    _handler = logging.StreamHandler(sys.__stderr__)
    _handler.setFormatter(logging.Formatter("[astrolearn app] %(levelname)s %(message)s"))
    _log.addHandler(_handler)
    _log.propagate = False


def instructions(text: str) -> widgets.HTML:
    """What to do in the app, under a link back to the gallery."""
    return widgets.HTML(
        "<nav><a href='gallery.ipynb'>&larr; all apps</a></nav>"
        f"<p style='font-size:1.1em;max-width:60em'>{html.escape(text)}</p>"
    )


def status_line(text: str = "") -> widgets.HTML:
    """A status line that screen readers announce when it changes."""
    line = widgets.HTML(text)
    line.add_class("al-status")
    return line


def say(line: widgets.HTML, text: str) -> None:
    """Write ``text`` (escaped) into a status line."""
    line.value = f"<p role='status' aria-live='polite'>{html.escape(text)}</p>"


def safe(status: widgets.HTML) -> Callable:
    """Decorator for widget callbacks: log any exception, show an apology in ``status``."""

    def decorate(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except Exception:
                _log.exception("callback %s failed", callback.__name__)
                say(status, "Sorry, something went wrong. Please try another setting.")
                return None

        return wrapper

    return decorate
