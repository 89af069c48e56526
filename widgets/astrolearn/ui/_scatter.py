"""One linked scatter plot with brush, lasso and keyboard selection.

Up to ``RASTER_ABOVE`` rows the points are WebGL marks (bqplot-gl ScatterGL); above it
they are two pictures drawn in the kernel (:class:`~astrolearn.ui.points.PointPictures`).
A browser without a GPU draws WebGL in software: with 100,000 marks a mouse brush took
it seconds to redraw (benchmarks/bench_linked.py), the pictures a tenth of a second.
Either way a brush or a range selects on the data arrays.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from bqplot import Axis, ColorScale, Figure, LinearScale
from bqplot.interacts import BrushSelector, LassoSelector, PanZoom
from bqplot_gl import ScatterGL

from . import _quantities as q
from ._selection import Selection
from .palette import DEFAULT_COLOUR, OKABE_ITO, SEQUENTIAL_SCHEME, VIRIDIS_STEPS
from .points import PointPictures, scale_limits

#: Unselected points turn light grey and faint, so the selection stands out in any colouring.
SELECTED_STYLE = {"opacity": 1.0}
UNSELECTED_STYLE = {"fill": "#C8C8C8", "stroke": "#C8C8C8", "opacity": 0.35}
#: In a browser, brush and lasso on ScatterGL rely on astrolearn's lab extension
#: (``astrolearn/labextension``): bqplot 0.13 and bqplot-gl 0.1.1 disagree on where the
#: d3 event lives and on how a lasso is asked about many points.
TOOLS = {"Box select": "brush", "Lasso": "lasso", "Pan/zoom": "panzoom"}
#: Above this many rows the points are drawn as pictures. A lasso there would test the
#: pictures' pixels in the browser, so it is not offered: the box and the range sliders
#: select on the data. Measured with benchmarks/bench_linked.py (Chromium drawing WebGL
#: in software, a loaded 2-core machine): at 100,000 rows a mouse brush redrew WebGL
#: marks in 4-6.5 s, pictures in 0.07-0.16 s; a range slider's step redrew WebGL marks
#: in 35-50 ms once warm (4 s the first time), pictures in 55-170 ms. At 30,000 rows the
#: pictures took 65-145 ms for either input. The lessons' tables (10,000 rows at most)
#: keep WebGL marks and the lasso.
RASTER_ABOVE = 30_000
PICTURE_TOOLS = ["Box select", "Pan/zoom"]


def plot_array(values: np.ndarray) -> np.ndarray:
    """float32 copy for the browser: sent as a binary buffer, half the bytes of float64."""
    return np.ascontiguousarray(values, dtype=np.float32)


class ScatterView(widgets.VBox):
    """A scatter plot of two quantities of a Selection's table, linked to its selection.

    Parameters
    ----------
    selection : Selection
        The shared catalog and selection.
    x, y : str
        Quantities: a column, a colour ``"a-b"`` or a key of ``derived``.
    derived : dict, optional
        Extra quantities ``{name: (function(table) -> array, unit)}``.

    Examples
    --------
    >>> from astropy.table import Table
    >>> view = ScatterView(Selection(Table({"a": [1.0, 2.0], "b": [3.0, 4.0]})), "a", "b")
    >>> view.select_box((0.5, 1.5), (0, 10)); view.selection.indices.tolist()
    [0]
    """

    x = traitlets.Unicode()
    y = traitlets.Unicode()
    colour = traitlets.Unicode("")

    def __init__(self, selection: Selection, x: str, y: str, derived=None, **kwargs) -> None:
        self.selection = selection
        self.derived = derived or {}
        self._syncing = False
        self.pictures: PointPictures | None = None  # made when a table first needs them
        for name in (x, y):
            q.evaluate(selection.table, name, self.derived)  # fail early, naming the quantity
        # The axes asked for: they come back when a later table has them again.
        self._wanted = {"x": x, "y": y}
        options = q.plottable(selection.table, self.derived, (x, y))
        self.x_scale, self.y_scale = LinearScale(), LinearScale()
        self.colour_scale = ColorScale(scheme=SEQUENTIAL_SCHEME)
        self.mark = ScatterGL(
            x=np.zeros(0, np.float32),
            y=np.zeros(0, np.float32),
            scales={"x": self.x_scale, "y": self.y_scale, "color": self.colour_scale},
            colors=[DEFAULT_COLOUR],
            default_size=8,
            selected_style=SELECTED_STYLE,
            unselected_style=UNSELECTED_STYLE,
        )
        self.x_axis = Axis(scale=self.x_scale, label=x, grid_lines="none")
        self.y_axis = Axis(scale=self.y_scale, label=y, side="left", grid_lines="none")
        self.brush = BrushSelector(x_scale=self.x_scale, y_scale=self.y_scale, marks=[self.mark])
        self.lasso = LassoSelector(marks=[self.mark])
        self.panzoom = PanZoom(scales={"x": [self.x_scale], "y": [self.y_scale]})
        self.figure = Figure(
            marks=[self.mark],
            axes=[self.x_axis, self.y_axis],
            interaction=self.brush,
            fig_margin={"top": 20, "bottom": 50, "left": 60, "right": 20},
            layout=widgets.Layout(width="100%", height="380px"),
        )
        self.x_menu = widgets.Dropdown(options=options, value=x, description="x axis")
        self.y_menu = widgets.Dropdown(options=options, value=y, description="y axis")
        self.tool = widgets.ToggleButtons(options=list(TOOLS), description="Tool")
        self.x_range = widgets.FloatRangeSlider(description="x range", continuous_update=False)
        self.y_range = widgets.FloatRangeSlider(description="y range", continuous_update=False)
        # A toggle button, not an Accordion: ipywidgets' accordion titles take no focus,
        # so the keyboard could not open them.
        self.ranges_button = widgets.ToggleButton(description="Select by range (keyboard)")
        ranges = widgets.VBox([self.x_range, self.y_range], layout={"display": "none"})
        self.ranges_button.observe(
            lambda change: setattr(ranges.layout, "display", "" if change["new"] else "none"),
            "value",
        )
        super().__init__(
            [
                widgets.HBox([self.x_menu, self.y_menu]),
                self.tool,
                self.figure,
                self.ranges_button,
                ranges,
            ],
            **kwargs,
        )
        self._syncing = True  # draw once, at the end of __init__
        traitlets.link((self.x_menu, "value"), (self, "x"))
        traitlets.link((self.y_menu, "value"), (self, "y"))
        self._syncing = False
        self.tool.observe(self._set_tool, "value")
        self.brush.observe(self._brushed, ["selected_x", "selected_y"])
        for scale in (self.x_scale, self.y_scale):
            scale.observe(self._rescaled, ["min", "max"])  # pan/zoom: draw the pictures again
        self.mark.observe(self._marked, "selected")
        self.x_range.observe(self._keyboard_select, "value")
        self.y_range.observe(self._keyboard_select, "value")
        selection.observe(self._show_selection, "indices")
        selection.observe(self._new_table, "table")
        self._redraw()

    # --- drawing -------------------------------------------------------------------
    @traitlets.observe("x", "y", "colour")
    def _axes_changed(self, change) -> None:
        if not self._syncing:
            if change["name"] in self._wanted:
                self._wanted[change["name"]] = change["new"]
            self._redraw()

    def _new_table(self, change=None) -> None:
        """Offer the new table's quantities, keep the chosen axes it has, draw it."""
        table = self.selection.table
        options = q.plottable(table, self.derived, self._wanted.values())
        x = _keep(options, (self._wanted["x"], self.x), avoid=(self._wanted["y"], self.y))
        y = _keep(options, (self._wanted["y"], self.y), avoid=(x,))
        self._syncing = True
        try:
            for menu, value in ((self.x_menu, x), (self.y_menu, y)):
                menu.options = options or [("nothing to plot", "")]
                menu.value = value
            if self.colour not in table.colnames:
                self.colour = ""
            # A brush drawn on the old points would select rows of the new table.
            self.brush.selected_x = self.brush.selected_y = None
        finally:
            self._syncing = False
        self._redraw()

    @property
    def rasterised(self) -> bool:
        """True when the points are drawn as pictures (more than ``RASTER_ABOVE`` rows)."""
        return len(self.selection.table) > RASTER_ABOVE

    def _redraw(self) -> None:
        table = self.selection.table
        self.x_values, x_label = _evaluate(table, self.x, self.derived)
        self.y_values, y_label = _evaluate(table, self.y, self.derived)
        self.x_axis.label, self.y_axis.label = x_label, y_label
        # Brighter is up on a magnitude axis, as astronomers draw CMDs.
        self.y_scale.reverse = "mag" in y_label and " − " not in y_label
        marks = self.x_values, self.y_values
        if self.rasterised:
            marks = np.zeros(0), np.zeros(0)  # the pictures draw the points
        with self.mark.hold_sync():
            self.mark.x, self.mark.y = plot_array(marks[0]), plot_array(marks[1])
            self._set_colours(table)
        self._choose_marks()
        # Neither a slider set before the other (a box of one new and one old range) nor
        # a scale set before the other selects or draws anything: both are set first.
        self._syncing = True
        try:
            self._set_range_sliders()
            self._zoom_to_data()
        finally:
            self._syncing = False
        self._draw_pictures()
        self._show_selection()

    def _choose_marks(self) -> None:
        """WebGL marks up to ``RASTER_ABOVE`` rows, pictures above (no lasso there)."""
        if self.rasterised and self.pictures is None:
            self.pictures = PointPictures(self.x_scale, self.y_scale)
        marks = self.pictures.marks if self.rasterised else [self.mark]
        if self.figure.marks != marks:
            self.figure.marks = marks
            self.brush.marks = [] if self.rasterised else [self.mark]
            if self.rasterised and self.tool.value not in PICTURE_TOOLS:
                self.tool.value = PICTURE_TOOLS[0]
            self.tool.options = PICTURE_TOOLS if self.rasterised else list(TOOLS)

    def _draw_pictures(self) -> None:
        if not self.rasterised:
            return
        codes, colours = picture_colours(self.selection.table, self.colour, self.derived)
        self.pictures.show(self.x_values, self.y_values, codes, colours)

    def _rescaled(self, change) -> None:
        # A pan or zoom sets a scale's min and max in one message, which notifies twice:
        # the pictures are drawn once, at the first, which already sees both.
        if (
            self.rasterised
            and not self._syncing
            and scale_limits(self.x_scale, self.y_scale) != self.pictures.limits
        ):
            self._draw_pictures()
            self._show_selection()

    def _set_colours(self, table) -> None:
        if not self.colour or self.rasterised:
            self.mark.color = None
            return
        classes = q.categories(table, self.colour)
        if classes is not None:
            codes, labels = classes
            # One Okabe–Ito colour per class: codes 0..n-1 map exactly onto the list.
            self.colour_scale.scheme = ""
            self.colour_scale.colors = list(OKABE_ITO[: max(len(labels), 2)])
            self.colour_scale.min, self.colour_scale.max = 0.0, float(max(len(labels) - 1, 1))
            self.mark.color = codes
        else:
            values, _ = q.evaluate(table, self.colour, self.derived)
            self.colour_scale.colors = []
            self.colour_scale.scheme = SEQUENTIAL_SCHEME
            self.colour_scale.min = float(np.nanpercentile(values, 1))
            self.colour_scale.max = float(np.nanpercentile(values, 99))
            self.mark.color = plot_array(values)

    def _zoom_to_data(self) -> None:
        # 0.2–99.8 percentiles with a margin: a handful of wild values (bad photometry)
        # must not squeeze the real data into a corner. Pan/zoom still reaches them.
        for scale, values in ((self.x_scale, self.x_values), (self.y_scale, self.y_values)):
            finite = values[np.isfinite(values)]
            if finite.size == 0:
                continue
            low, high = np.percentile(finite, [0.2, 99.8])
            margin = 0.05 * (high - low) or 0.5
            scale.min, scale.max = float(low - margin), float(high + margin)

    def _set_range_sliders(self) -> None:
        for slider, values in ((self.x_range, self.x_values), (self.y_range, self.y_values)):
            finite = values[np.isfinite(values)]
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
            high = high if high > low else low + 1
            with slider.hold_trait_notifications():
                slider.min, slider.max = -1e300, 1e300  # widen first so any order is valid
                slider.min, slider.max = low, high
                slider.step = (high - low) / 200
                slider.value = (low, high)

    # --- selection -----------------------------------------------------------------
    def select_box(self, x_range, y_range) -> None:
        """Select the rows inside ``x_range`` × ``y_range`` (data units, inclusive)."""
        x_low, x_high = sorted(map(float, x_range))
        y_low, y_high = sorted(map(float, y_range))
        inside = (self.x_values >= x_low) & (self.x_values <= x_high)
        inside &= (self.y_values >= y_low) & (self.y_values <= y_high)
        self.selection.indices = np.flatnonzero(inside)

    def _brushed(self, change) -> None:
        if self._syncing or self.brush.selected_x is None or self.brush.selected_y is None:
            return
        if len(self.brush.selected_x) == 2 and len(self.brush.selected_y) == 2:
            self.select_box(self.brush.selected_x, self.brush.selected_y)

    def _marked(self, change) -> None:
        # The browser computes lasso selections and sets mark.selected.
        if self._syncing:
            return
        if self.tool.value == "Lasso":
            rows = np.zeros(0, int) if change["new"] is None else np.asarray(change["new"])
            # A lasso drawn on an older, longer table may name rows this one lacks.
            self.selection.indices = rows[(rows >= 0) & (rows < len(self.selection.table))]
        else:
            # A brush selection arrives as selected_x/selected_y (see _brushed); the
            # browser also resets mark.selected when it creates the brush, which must
            # not hide the shared selection: draw the shared one again.
            self._show_selection()

    def _keyboard_select(self, change) -> None:
        if self._syncing:
            return
        full = (self.x_range.value == (self.x_range.min, self.x_range.max)) and (
            self.y_range.value == (self.y_range.min, self.y_range.max)
        )
        if not full:
            self.select_box(self.x_range.value, self.y_range.value)

    def _show_selection(self, change=None) -> None:
        indices = self.selection.indices
        if self.rasterised:
            # A new table clears the selection before this view has drawn it (_new_table).
            if self.pictures is not None:
                self.pictures.show_selection(indices)
            return
        self._syncing = True
        try:
            # int32 on the wire: bqplot would cast int64 anyway, and it halves the bytes.
            self.mark.selected = indices.astype(np.int32) if indices.size else None
        finally:
            self._syncing = False

    def _set_tool(self, change) -> None:
        self.figure.interaction = {
            "brush": self.brush,
            "lasso": self.lasso,
            "panzoom": self.panzoom,
        }[TOOLS[change["new"]]]


def picture_colours(table, colour: str, derived) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Class of each row and the colour of each class, for :class:`PointPictures`.

    The same colours as the WebGL marks: Okabe–Ito by class; viridis for a continuous
    column between its 1st and 99th percentiles, here in eight steps.
    """
    if not colour:
        return None, (DEFAULT_COLOUR,)
    classes = q.categories(table, colour)
    if classes is not None:
        codes, labels = classes
        return codes.astype(np.intp), OKABE_ITO[: max(len(labels), 1)]
    values, _ = q.evaluate(table, colour, derived)
    low, high = np.nanpercentile(values, [1, 99])
    steps = len(VIRIDIS_STEPS)
    with np.errstate(invalid="ignore"):  # a row without a value takes the lowest colour
        scaled = np.nan_to_num((values - low) / ((high - low) or 1.0) * steps)
    return np.clip(scaled, 0, steps - 1).astype(np.intp), VIRIDIS_STEPS


def _keep(options: list[str], preferred, avoid=()) -> str:
    """The first preferred name on offer, else the first other option ("" when none)."""
    for name in preferred:
        if name in options:
            return name
    spare = [name for name in options if name not in avoid] or options
    return spare[0] if spare else ""


def _evaluate(table, name: str, derived) -> tuple[np.ndarray, str]:
    # No axis ("") when the table has nothing to plot: all-NaN values draw no point.
    if not name:
        return np.full(len(table), np.nan), ""
    return q.evaluate(table, name, derived)
