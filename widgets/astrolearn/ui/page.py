"""The parts every page is made of: instructions, help, a status line, a way to start
again, a data credit, and callbacks that never show a visitor a traceback.

A failing callback wrapped in :func:`safe` is logged on the kernel's real stderr (the
operator's server log, for the public apps) and the page reads a short apology instead.

Examples
--------
>>> status = status_line()
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

from .. import data
from .palette import legend_html

#: The apology a visitor reads when a callback fails (its traceback goes to the log).
APOLOGY = "Sorry, something went wrong. Please try another setting."
#: What the help panel says about the keyboard, unless a page says otherwise.
KEYBOARD = (
    "Use Tab to move between the controls, Enter or Space to press a button, and the "
    "arrow keys to move a slider."
)

_log = logging.getLogger("astrolearn.apps")
if not _log.handlers:
    # sys.__stderr__ is the kernel process's own stderr, which Voila passes to the
    # server's log; sys.stderr would send the text to the visitor's page.
    _handler = logging.StreamHandler(sys.__stderr__)
    _handler.setFormatter(logging.Formatter("[astrolearn app] %(levelname)s %(message)s"))
    _log.addHandler(_handler)
    _log.propagate = False


def instructions(text: str) -> widgets.HTML:
    """What to do on the page, under a link back to the gallery of apps."""
    return widgets.HTML(
        # The gallery is the server's home page, two levels up from voila/render/.
        "<nav><a href='../../'>&larr; all apps</a></nav>"
        f"<p style='font-size:1.1em;max-width:60em'>{html.escape(text)}</p>"
    )


def help_panel(*paragraphs: str, keyboard: str = KEYBOARD) -> widgets.HTML:
    """A "Help" panel, closed until opened, with plain-text ``paragraphs``.

    A ``<details>`` element: its summary is a button for the keyboard (Tab, then Enter
    or Space) and for screen readers, with no script.

    Examples
    --------
    >>> "<summary>" in help_panel("Each dot is a star.").value
    True
    """
    text = "".join(
        f"<p style='max-width:60em'>{html.escape(paragraph)}</p>"
        for paragraph in (*paragraphs, keyboard)
    )
    panel = widgets.HTML(f"<details><summary>Help: what is going on?</summary>{text}</details>")
    panel.add_class("al-help")
    return panel


def status_line(text: str = "") -> widgets.HTML:
    """A status line that screen readers announce when it changes (see :func:`say`).

    ``text`` is HTML shown until the first :func:`say`.
    """
    line = widgets.HTML(text)
    line.add_class("al-status")
    return line


def say(line: widgets.HTML, text: str, problem: str = "") -> None:
    """Write ``text``, and a ``problem`` if there is one, into a status line (escaped)."""
    if problem:
        text = f"{html.escape(text)}<br><b>Problem:</b> {html.escape(problem)}"
    else:
        text = html.escape(text)
    line.value = f"<p role='status' aria-live='polite'>{text}</p>"


def safe(status: widgets.HTML) -> Callable:
    """Decorator for widget callbacks: log any exception, show an apology in ``status``."""

    def decorate(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except Exception:
                _log.exception("callback %s failed", callback.__name__)
                say(status, APOLOGY)
                return None

        return wrapper

    return decorate


def restart_button(on_press: Callable[[], object]) -> widgets.Button:
    """A "Start again" button that calls ``on_press()``: the page as it first was.

    Examples
    --------
    >>> pressed = []
    >>> restart_button(lambda: pressed.append(1)).click(); pressed
    [1]
    """
    button = widgets.Button(
        description="Start again",
        tooltip="Put everything back as it was when the page opened",
        layout=widgets.Layout(width="160px"),
    )
    button.on_click(lambda _: on_press())
    return button


def plot_key(colours: dict[str, str], title: str = "In the plot") -> widgets.HTML:
    """The key to a plot's colours, beside it: ``{"what it shows": "#rrggbb"}``.

    For marks that draw no legend of their own (a :class:`~astrolearn.ui.points.PointCloud`
    is one picture).

    Examples
    --------
    >>> "quasars" in plot_key({"quasars": "#0072B2"}).value
    True
    """
    return widgets.HTML(legend_html({html.escape(k): v for k, v in colours.items()}, title))


def data_credit(*names: str) -> widgets.HTML:
    """The credit line of bundled datasets (:func:`astrolearn.data.credit`), in small print."""
    return widgets.HTML(f"<small>{html.escape(data.credit(*names))}</small>")
