"""Plottable quantities of a table: numeric columns, colours and derived values.

A colour is written ``"a-b"`` for two magnitude columns ``a`` and ``b`` (``"u-g"``,
``"g-r"``); the difference of two magnitudes in the same system is a colour index in mag.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from astropy.table import Table

from ..ml import features

#: Bands in wavelength order: adjacent pairs give the usual colour indices.
BAND_ORDER = ("u", "g", "r", "i", "z", "bp", "phot_bp_mean_mag", "j", "h", "k")

Derived = dict[str, tuple[Callable[[Table], np.ndarray], str]]


def _unit(table: Table, name: str) -> str:
    unit = getattr(table[name], "unit", None)
    return "" if unit is None else unit.to_string()


def _is_magnitude(table: Table, name: str) -> bool:
    unit = _unit(table, name)
    return unit == "mag" or (unit == "" and name in BAND_ORDER)


def numeric_columns(table: Table) -> list[str]:
    """Names of the plottable (1-D, float or small-integer) columns.

    64-bit integer columns are left out: they are identifiers (Gaia ``source_id``),
    not quantities, and would lose precision in the browser.
    """
    names = []
    for name in table.colnames:
        column = table[name]
        if column.ndim != 1 or column.dtype.kind not in "fiub":
            continue
        if column.dtype.kind in "iu" and column.dtype.itemsize > 4:
            continue
        names.append(name)
    return names


def colour_indices(table: Table) -> list[str]:
    """Adjacent-band colour indices available in the table, e.g. ``["u-g", "g-r"]``."""
    bands = [band for band in BAND_ORDER if band in table.colnames and _is_magnitude(table, band)]
    return [f"{a}-{b}" for a, b in itertools.pairwise(bands)]


def quantities(table: Table, derived: Derived | None = None) -> list[str]:
    """Everything that can go on an axis: colours first, then derived, then columns."""
    return colour_indices(table) + list(derived or {}) + numeric_columns(table)


def plottable(table: Table, derived: Derived | None = None, extra=()) -> list[str]:
    """The quantities of :func:`quantities`, then ``extra``, that this table can evaluate.

    A derived quantity or a colour written for another table (other columns) is left out.

    Examples
    --------
    >>> plottable(Table({"g": [18.0], "r": [17.5]}), extra=["u-g", "g-r"])
    ['g-r', 'g', 'r']
    """
    names = dict.fromkeys([*quantities(table, derived), *extra])
    return [name for name in names if _evaluates(table, name, derived)]


def _evaluates(table: Table, name: str, derived: Derived | None) -> bool:
    try:
        evaluate(table, name, derived)
    except (ValueError, KeyError):
        return False
    return True


def evaluate(table: Table, name: str, derived: Derived | None = None) -> tuple[np.ndarray, str]:
    """Values of a quantity as float64 (NaN where masked) and its axis label with unit.

    Parameters
    ----------
    table : astropy.table.Table
        The catalog.
    name : str
        A column name, a colour ``"a-b"`` or a key of ``derived``.
    derived : dict, optional
        ``{name: (function(table) -> array, unit)}`` for extra quantities.

    Examples
    --------
    >>> import astropy.units as u
    >>> t = Table({"u": [19.0] * u.mag, "g": [18.0] * u.mag})
    >>> values, label = evaluate(t, "u-g")
    >>> values.tolist(), label
    ([1.0], 'u − g [mag]')
    """
    derived = derived or {}
    if name in derived:
        function, unit = derived[name]
        values = np.asarray(function(table), dtype=float)
        return values, f"{name} [{unit}]" if unit else name
    if name in table.colnames:
        values = features.float_values(table[name])
        unit = _unit(table, name)
        return values, f"{name} [{unit}]" if unit else name
    first, sep, second = name.partition("-")
    if sep and first in table.colnames and second in table.colnames:
        values = features.colour_index(table, first, second)
        return values, f"{first} − {second} [{_unit(table, first) or 'mag'}]"
    raise ValueError(
        f"quantity {name!r} is neither a column, a colour 'a-b' of two columns, "
        f"nor a derived quantity; choose from {quantities(table, derived)[:12]}"
    )


def categories(table: Table, name: str) -> tuple[np.ndarray, list[str]] | None:
    """Integer codes and labels when column ``name`` is categorical (≤ 8 classes)."""
    column = table[name]
    if column.dtype.kind in "f":
        return None
    labels, codes = np.unique(np.asarray(column).astype(str), return_inverse=True)
    if len(labels) > 8:
        return None
    return codes.astype(np.float32), [str(label) for label in labels]
