"""A small scatter matrix: histograms on the diagonal, linked to a Selection."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from bqplot import Axis, Bars, Figure, LinearScale, OrdinalScale
from bqplot_gl import ScatterGL

from . import _quantities as q
from . import _scatter
from ._scatter import SELECTED_STYLE, UNSELECTED_STYLE, plot_array
from ._selection import Selection
from .palette import DEFAULT_COLOUR, SELECTION_COLOUR
from .points import PointPictures

BINS = 30
#: (width, height) of a cell's pictures, in pixels, above ``RASTER_ABOVE`` rows.
CELL_PICTURE = (280, 165)


class ScatterMatrix(widgets.GridBox):
    """Pairwise scatter plots of a few quantities, histograms of each on the diagonal.

    The histograms draw all rows and, on top, the selected rows, so a brush in any
    view shows where the selection falls in every quantity. Above ``RASTER_ABOVE`` rows
    the scatter cells are pictures (:class:`~astrolearn.ui.points.PointPictures`), and
    while ``drawing`` is False (the matrix is hidden) a new selection is drawn only
    once it is True again.

    Parameters
    ----------
    selection : Selection
        The shared catalog and selection.
    names : list of str
        2 to 4 quantities (columns, colours ``"a-b"`` or derived).

    Examples
    --------
    >>> from astropy.table import Table
    >>> matrix = ScatterMatrix(Selection(Table({"a": [1.0, 2.0], "b": [3.0, 1.0]})), ["a", "b"])
    >>> len(matrix.children)
    4
    """

    drawing = traitlets.Bool(True)

    def __init__(self, selection: Selection, names: list[str], derived=None, **kwargs) -> None:
        if not 2 <= len(names) <= 4:
            raise ValueError(f"names must list 2 to 4 quantities, got {len(names)}")
        self.selection, self.derived = selection, derived or {}
        for name in names:
            q.evaluate(selection.table, name, self.derived)  # fail early, naming the quantity
        # The quantities asked for: they come back when a later table has them again.
        self._wanted = list(names)
        super().__init__(layout=widgets.Layout(width="100%"), **kwargs)
        self._new_table()
        selection.observe(self._show_selection, "indices")
        selection.observe(self._new_table, "table")

    def _new_table(self, change=None) -> None:
        """Draw the table's values: the quantities asked for, or its first ones."""
        table = self.selection.table
        available = q.plottable(table, self.derived, self._wanted)
        self.names = [name for name in self._wanted if name in available]
        if len(self.names) < 2:
            self.names = available[:3]
        if len(self.names) < 2:
            self.names = []  # nothing to plot against anything
        self.values, self.labels, self.edges = {}, {}, {}
        for name in self.names:
            self.values[name], self.labels[name] = q.evaluate(table, name, self.derived)
            self.edges[name] = self._edges(name)
        self.histograms: dict[str, tuple[Bars, Bars]] = {}
        self.scatters: dict[tuple[str, str], ScatterGL] = {}
        self.pictures: dict[tuple[str, str], PointPictures] = {}
        self.children = [self._cell(row, col) for row in self.names for col in self.names]
        self.layout.grid_template_columns = f"repeat({max(len(self.names), 1)}, 1fr)"
        self._show_selection()

    def _cell(self, row: str, col: str) -> Figure:
        margin = {"top": 10, "bottom": 45, "left": 50, "right": 10}
        layout = widgets.Layout(width="auto", height="220px")
        if row == col:
            x_scale, y_scale = OrdinalScale(), LinearScale(min=0)
            edges = self.edges[col]
            centres = plot_array(0.5 * (edges[1:] + edges[:-1]))
            everything = Bars(
                x=centres,
                y=self._counts(col, None),
                colors=["#BBBBBB"],
                scales={"x": x_scale, "y": y_scale},
                padding=0.05,
            )
            chosen = Bars(
                x=centres,
                y=self._counts(col, None) * 0,
                colors=[SELECTION_COLOUR],
                scales={"x": x_scale, "y": y_scale},
                padding=0.05,
            )
            self.histograms[col] = (everything, chosen)
            axes = [
                Axis(scale=x_scale, label=self.labels[col], tick_format=".2f", num_ticks=4),
                Axis(scale=y_scale, side="left", label="rows"),
            ]
            return Figure(marks=[everything, chosen], axes=axes, fig_margin=margin, layout=layout)
        # Same robust range as the histograms: a few wild values must not hide the bulk.
        (x_low, *_, x_high), (y_low, *_, y_high) = self.edges[col], self.edges[row]
        x_scale = LinearScale(min=float(x_low), max=float(x_high))
        y_scale = LinearScale(min=float(y_low), max=float(y_high))
        if len(self.selection.table) > _scatter.RASTER_ABOVE:
            pictures = PointPictures(x_scale, y_scale, shape=CELL_PICTURE, size=4)
            pictures.show(self.values[col], self.values[row])
            self.pictures[(row, col)] = pictures
            marks = pictures.marks
        else:
            mark = ScatterGL(
                x=plot_array(self.values[col]),
                y=plot_array(self.values[row]),
                colors=[DEFAULT_COLOUR],
                default_size=4,
                scales={"x": x_scale, "y": y_scale},
                selected_style=SELECTED_STYLE,
                unselected_style=UNSELECTED_STYLE,
            )
            self.scatters[(row, col)] = mark
            marks = [mark]
        axes = [
            Axis(scale=x_scale, label=self.labels[col], num_ticks=4),
            Axis(scale=y_scale, side="left", label=self.labels[row], num_ticks=4),
        ]
        return Figure(marks=marks, axes=axes, fig_margin=margin, layout=layout)

    def _edges(self, name: str) -> np.ndarray:
        finite = self.values[name][np.isfinite(self.values[name])]
        # 0.5–99.5 percentiles: a few wild outliers must not squash the histogram.
        low, high = np.percentile(finite, [0.5, 99.5]) if finite.size else (0.0, 1.0)
        return np.linspace(low, high if high > low else low + 1, BINS + 1)

    def _counts(self, name: str, indices: np.ndarray | None) -> np.ndarray:
        values = self.values[name] if indices is None else self.values[name][indices]
        edges = self.edges[name]
        # Even bins given as a number and range: numpy then finds each value's bin by
        # arithmetic, not by a search through the edges (ten times faster).
        counts, _ = np.histogram(
            values[np.isfinite(values)], bins=len(edges) - 1, range=(edges[0], edges[-1])
        )
        return counts.astype(np.float32)

    def selected_counts(self, name: str) -> np.ndarray:
        """Histogram counts of the selected rows for quantity ``name``."""
        return np.asarray(self.histograms[name][1].y, dtype=int)

    @traitlets.observe("drawing")
    def _show_selection(self, change=None) -> None:
        if self.pictures and not self.drawing:
            return  # hidden, and a picture of many points is not cheap: draw it when shown
        indices = self.selection.indices
        for name, (_, chosen) in self.histograms.items():
            chosen.y = self._counts(name, indices)
        for mark in self.scatters.values():
            mark.selected = indices.astype(np.int32) if indices.size else None
        for pictures in self.pictures.values():
            pictures.show_selection(indices)
