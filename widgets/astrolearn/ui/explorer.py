"""Parameter-space explorer: linked scatter views and a scatter matrix of one catalog."""

from __future__ import annotations

import ipywidgets as widgets
import traitlets
from astropy.table import Table

from . import _quantities as q
from ._matrix import ScatterMatrix
from ._scatter import ScatterView
from ._selection import Selection
from .page import say, status_line
from .palette import class_colours, legend_html

#: JupyterLab greys the title of a tab not shown (4.45:1 on its grey, under the 4.5:1
#: WCAG asks): here it is the theme's main text colour.
TAB_STYLE = (
    "<style>.astrolearn-explorer .lm-TabBar-tab:not(.lm-mod-current) .lm-TabBar-tabLabel "
    "{color: var(--jp-ui-font-color1, #1f1f1f) !important;}</style>"
)


def as_selection(data: Selection | Table | str, name: str | None = None) -> Selection:
    """A Selection from a Selection, an astropy Table or a bundled dataset name."""
    if isinstance(data, Selection):
        return data
    if isinstance(data, str):
        from astrolearn import data as datasets

        return Selection(datasets.load(data), name=name or data)
    if isinstance(data, Table):
        return Selection(data, name=name or data.meta.get("name", "catalog"))
    raise TypeError(
        f"data must be a Selection, an astropy Table or a dataset name, got {type(data).__name__}"
    )


def _default_views(table: Table) -> list[tuple[str, str]]:
    colours = q.colour_indices(table)
    columns = q.numeric_columns(table)
    if len(colours) >= 2:
        # The classic colour-colour diagram (u-g vs g-r separates stars from quasars) and
        # a colour-magnitude diagram.
        band = colours[1].split("-")[1]
        return [(colours[1], colours[0]), (colours[1], band)]
    if len(columns) < 2:
        raise ValueError("the table needs at least two numeric columns to explore")
    second = columns[2:4] if len(columns) >= 4 else columns[:2]
    return [(columns[0], columns[1]), (second[0], second[1])]


class ParameterSpaceExplorer(widgets.VBox):
    """Explore a catalog's parameter space in linked views.

    Pick the axes of each view (columns, colours such as ``u-g``, derived quantities),
    colour the points by class or by any column, and select with a box, a lasso or the
    keyboard range sliders: the selection shows in every view, in the scatter matrix and
    in any other widget sharing the same :class:`Selection` (for example a SkyViewer).

    Tables of more than ``RASTER_ABOVE`` (30,000) rows are drawn as pictures made in the
    kernel, so that a browser without a GPU redraws a selection of a million points in
    about a tenth of a second; the box and the range sliders still select exactly on the
    data, and the lasso (which would test the picture's pixels) is not offered.

    Parameters
    ----------
    data : Selection, astropy.table.Table or str
        The catalog, or the name of a bundled dataset (``"sdss_dr14"``).
    views : list of (x, y), optional
        One scatter view per pair; by default a colour-colour and a colour-magnitude view.
    colour : str, optional
        Column to colour by ("class" when the table has one).
    matrix : list of str, optional
        2–4 quantities for the scatter matrix (default: the first three colours/columns).
    derived : dict, optional
        Extra quantities ``{name: (function(table) -> array, unit)}``.

    Examples
    --------
    >>> explorer = ParameterSpaceExplorer("sdss_dr14")  # doctest: +SKIP
    >>> explorer.views[0].select_box((0.0, 0.5), (0.0, 1.0))  # doctest: +SKIP
    >>> explorer.selection.selected_table  # doctest: +SKIP
    """

    colour = traitlets.Unicode("")

    def __init__(self, data, views=None, colour=None, matrix=None, derived=None, name=None):
        self.selection = as_selection(data, name)
        table = self.selection.table
        self.derived = derived or {}
        pairs = views or _default_views(table)
        self.views = [ScatterView(self.selection, x, y, self.derived) for x, y in pairs]
        names = matrix or q.quantities(table, self.derived)[:3]
        self.matrix = ScatterMatrix(self.selection, names, self.derived)
        self.matrix.drawing = False  # hidden in its tab until opened
        if colour is None:
            colour = "class" if "class" in table.colnames else ""
        self.colour_menu = widgets.Dropdown(
            options=_colour_options(table, colour), description="colour by"
        )
        self.legend = widgets.HTML()
        self.status = status_line()
        self.clear_button = widgets.Button(description="Clear selection", icon="times")
        self.clear_button.on_click(lambda _: self.selection.clear())
        # The matrix is shown only once its tab is opened: bqplot cannot lay out figures
        # inside a hidden tab (it logs negative-size errors).
        self._matrix_holder = widgets.VBox([widgets.HTML("Loading the scatter matrix…")])
        tabs = widgets.Tab(
            children=[widgets.HBox(self.views), self._matrix_holder],
            titles=("Linked views", "Scatter matrix"),
        )
        tabs.observe(self._open_matrix, "selected_index")
        header = widgets.HBox([self.colour_menu, self.clear_button, self.status])
        super().__init__([header, self.legend, tabs, widgets.HTML(TAB_STYLE)])
        self.add_class("astrolearn-explorer")
        for view in self.views:
            view.layout.width = f"{100 // len(self.views)}%"
            traitlets.dlink((self, "colour"), (view, "colour"))
        traitlets.link((self.colour_menu, "value"), (self, "colour"))
        self.colour = colour
        self.selection.observe(self._update_status, "indices")
        self.selection.observe(self._new_table, "table")
        self._update_status()

    def _new_table(self, change) -> None:
        # The views and the matrix follow the table themselves; the colour menu offers
        # the new columns and keeps the chosen one when the new table has it.
        table = self.selection.table
        colour = self.colour if self.colour in table.colnames else ""
        if not colour and "class" in table.colnames:
            colour = "class"
        with self.hold_trait_notifications():
            self.colour_menu.options = _colour_options(table, colour)
            self.colour_menu.value = colour
        self._update_legend()
        self._update_status()

    def _open_matrix(self, change) -> None:
        if change["new"] == 1:
            self._matrix_holder.children = [self.matrix]
        self.matrix.drawing = change["new"] == 1

    @traitlets.observe("colour")
    def _update_legend(self, change=None) -> None:
        table = self.selection.table
        if self.colour and q.categories(table, self.colour) is not None:
            _, labels = q.categories(table, self.colour)
            self.legend.value = legend_html(class_colours(labels), self.colour)
        elif self.colour:
            self.legend.value = f"Colour: {self.colour} (viridis, dark = low, yellow = high)"
        else:
            self.legend.value = ""

    def _update_status(self, change=None) -> None:
        count, total = len(self.selection.indices), len(self.selection.table)
        say(self.status, f"{count:,} of {total:,} rows selected")


def _colour_options(table: Table, first: str) -> list[tuple[str, str]]:
    """Colour-by menu: none, then ``first`` (the current choice), then the other columns."""
    others = [(name, name) for name in table.colnames if name != first]
    return [("none", ""), *([(first, first)] if first else []), *others]
