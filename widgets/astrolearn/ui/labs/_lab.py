"""What every ML lab shares: a shared Selection, a Train button, a visible status line.

A lab is state (traitlets) plus thin views. Setting traits and calling
``train()`` (or clicking ``train_button``) runs the logic in ``astrolearn.ml`` and
fills the result traits, so the labs can be driven and tested headless.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np
import traitlets
from astropy.table import Table
from bqplot import Axis, Figure, LinearScale, OrdinalScale

from ...ml import features
from .._selection import Selection
from ..explorer import as_selection
from ..page import say, status_line
from ..palette import OKABE_ITO


class Lab(widgets.VBox):
    """Base of the labs: ``status``, ``fit_seconds``, ``train()`` and the shared selection."""

    status = traitlets.Unicode("Choose the settings, then press Train.")
    fit_seconds = traitlets.Float(0.0)
    error = traitlets.Unicode("")
    #: Result traits that describe one table: a new table resets them to their defaults.
    results: tuple[str, ...] = ()

    def __init__(self, data: Selection | Table | str, name: str | None = None, **kwargs):
        self.selection = as_selection(data, name)
        self.work_table = with_colours(self.table)
        self.train_button = widgets.Button(
            description="Train",
            icon="play",
            button_style="primary",
            tooltip="Fit the model with these settings (keyboard: Tab to here, then Enter)",
        )
        self.train_button.on_click(lambda _: self.train())
        self.status_html = status_line()
        self.observe(self._show_status, ["status", "error"])
        self._show_status()
        super().__init__(**kwargs)
        self.selection.observe(self._new_table, "table")

    @property
    def table(self) -> Table:
        return self.selection.table

    def train(self) -> None:
        """Run the lab's fit, timing it; errors go to ``error`` and the status line."""
        self.error = ""
        self.status = "Training…"
        self.train_button.disabled = True
        start = time.perf_counter()
        try:
            self.status = self._fit()
        except (ValueError, KeyError, TypeError) as problem:
            # Bad settings are a learner's mistake: show it, don't crash the app.
            self.error = str(problem)
            self.status = "Could not train: see the message."
        finally:
            self.fit_seconds = time.perf_counter() - start
            self.train_button.disabled = False

    def _new_table(self, change) -> None:
        """Forget the results of the old table (their rows are not rows of the new one)."""
        self.work_table = with_colours(self.table)
        for name in self.results:
            self.set_trait(name, self.trait_defaults(name))
        self.error = ""
        self.status = "A new table: choose the settings, then press Train."

    def _fit(self) -> str:  # pragma: no cover - every lab overrides it
        raise NotImplementedError

    def show_rows(self, rows) -> None:
        """Select these table rows in every view sharing the selection (explorer, sky)."""
        self.selection.indices = np.asarray(rows, dtype=np.int64)

    def _show_status(self, change=None) -> None:
        say(self.status_html, self.status, problem=self.error)


def with_colours(table: Table) -> Table:
    """The table with adjacent-band colours (``u_g`` ...) added when it has ugriz."""
    if set(features.SDSS_BANDS) <= set(table.colnames):
        return features.colours(table)
    return table


def bar_figure(title: str, horizontal: bool = True) -> tuple[Figure, object]:
    """An empty bar chart (bqplot) to fill with ``mark.x`` (labels) and ``mark.y`` (values)."""
    from bqplot import Bars

    x_scale, y_scale = OrdinalScale(), LinearScale()
    bars = Bars(
        x=[],
        y=[],
        scales={"x": x_scale, "y": y_scale},
        colors=[OKABE_ITO[4]],
        orientation="horizontal" if horizontal else "vertical",
    )
    axes = [
        Axis(scale=x_scale, side="left" if horizontal else "bottom"),
        Axis(scale=y_scale, side="bottom" if horizontal else "left"),
    ]
    figure = Figure(
        marks=[bars], axes=axes, title=title, layout=widgets.Layout(width="420px", height="300px")
    )
    return figure, bars


def line_figure(title: str, x_label: str, y_label: str, lines: int = 1) -> tuple[Figure, object]:
    """An empty line chart with ``lines`` Okabe–Ito coloured lines (``mark.x``/``mark.y``)."""
    from bqplot import Lines

    x_scale, y_scale = LinearScale(), LinearScale()
    mark = Lines(
        x=[],
        y=[],
        scales={"x": x_scale, "y": y_scale},
        colors=list(OKABE_ITO[:lines]),
        display_legend=lines > 1,
    )
    axes = [Axis(scale=x_scale, label=x_label), Axis(scale=y_scale, side="left", label=y_label)]
    figure = Figure(
        marks=[mark], axes=axes, title=title, layout=widgets.Layout(width="420px", height="300px")
    )
    return figure, mark
