"""The shared catalog-and-selection model that every astrolearn view observes."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import traitlets
from astropy.table import Table


class IndexArray(traitlets.TraitType):
    """A trait holding sorted, unique row indices as a 1-D ``int64`` array."""

    default_value = np.zeros(0, dtype=np.int64)
    info_text = "a sequence of row indices"

    def validate(self, obj, value):
        if value is None:
            return np.zeros(0, dtype=np.int64)
        array = np.asarray(value)
        if array.dtype == bool:
            # A boolean mask is the natural result of a cut: accept it as such.
            array = np.flatnonzero(array)
        if array.size and not np.issubdtype(array.dtype, np.integer):
            self.error(obj, value)
        array = array.astype(np.int64).ravel()  # a copy: the caller may change theirs
        # A brush or a cut gives increasing rows already: checking is 1,000 times faster
        # than sorting a million of them again.
        if np.all(array[1:] > array[:-1]):
            return array
        return np.unique(array)


class Selection(traitlets.HasTraits):
    """A catalog (astropy Table) and the rows selected in it.

    Views (explorer plots, the sky viewer, ML labs) hold a reference to one
    ``Selection`` and observe ``indices``: a brush in one view selects the rows in all.

    Replacing ``table`` (a new query result) clears ``indices`` and ``focus``: row
    numbers of the old table mean nothing in the new one. Every view then shows the new
    table: its menus offer the new columns (keeping a chosen one the table still has)
    and old results are forgotten.

    Parameters
    ----------
    table : astropy.table.Table
        The catalog. Positions, when present, are the ``ra``/``dec`` columns in degrees.
    name : str
        Short name shown in the views (for example the dataset name).

    Examples
    --------
    >>> from astropy.table import Table
    >>> sel = Selection(Table({"g": [17.0, 18.0, 19.0]}), name="demo")
    >>> sel.indices = [2, 0]
    >>> sel.indices.tolist(), len(sel.selected_table)
    ([0, 2], 2)
    """

    table = traitlets.Instance(Table)
    name = traitlets.Unicode("catalog")
    indices = IndexArray()
    #: Row last clicked or inspected (-1 when none).
    focus = traitlets.Int(-1)

    def __init__(self, table: Table, name: str = "catalog", **kwargs) -> None:
        if not isinstance(table, Table):
            raise TypeError(f"table must be an astropy Table, got {type(table).__name__}")
        super().__init__(table=table, name=name, **kwargs)

    @traitlets.validate("indices")
    def _check_range(self, proposal):
        indices = proposal["value"]
        if indices.size and (indices[0] < 0 or indices[-1] >= len(self.table)):
            raise traitlets.TraitError(
                f"indices must lie in 0..{len(self.table) - 1} for table {self.name!r}"
            )
        return indices

    @traitlets.observe("table")
    def _reset(self, change):
        # Runs before the views' observers (registered later), so none of them ever
        # sees old row numbers with the new table.
        self.indices = []
        self.focus = -1

    @property
    def selected_table(self) -> Table:
        """The selected rows as a new Table."""
        return self.table[self.indices]

    @property
    def mask(self) -> np.ndarray:
        """Boolean mask over the table rows, True where selected."""
        mask = np.zeros(len(self.table), dtype=bool)
        mask[self.indices] = True
        return mask

    def select(self, indices: Iterable[int] | np.ndarray) -> None:
        """Select these rows (indices or a boolean mask), replacing the selection."""
        self.indices = indices

    def clear(self) -> None:
        """Select nothing."""
        self.indices = []
