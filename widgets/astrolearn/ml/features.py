"""Features from survey tables: colours from magnitudes, and numeric design matrices.

Example
-------
>>> from astropy.table import Table
>>> t = Table({"u": [19.0], "g": [18.0], "r": [17.5]})
>>> colours(t, ["u", "g", "r"]).colnames
['u', 'g', 'r', 'u_g', 'g_r']
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from astropy.table import Table

from ._checks import check_columns, check_table

SDSS_BANDS = ("u", "g", "r", "i", "z")


def colour_name(blue: str, red: str) -> str:
    """Column name of the colour ``blue - red`` (e.g. ``"u_g"`` for u - g)."""
    return f"{blue}_{red}"


def float_values(column: object) -> np.ndarray:
    """A table column (or array) as float64, with NaN where it is masked.

    Examples
    --------
    >>> float_values(np.ma.masked_array([1, 2], mask=[False, True])).tolist()
    [1.0, nan]
    """
    return np.asarray(np.ma.filled(np.ma.asarray(column, dtype=float), np.nan), dtype=float)


def colour_index(table: Table, blue: str, red: str) -> np.ndarray:
    """The colour ``blue - red`` of every row, in mag; NaN where a magnitude is masked.

    Every colour astrolearn computes comes from here (lessons may still subtract two
    magnitudes in the open, where that is what they teach).

    Parameters
    ----------
    table : astropy.table.Table
        Holds the two magnitude columns, in the same photometric system.
    blue, red : str
        Names of the bluer and the redder band's magnitude column.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> colour_index(Table({"u": [19.0], "g": [18.2]}), "u", "g").round(2).tolist()
    [0.8]
    """
    table = check_table(table)
    blue, red = check_columns(table, [blue, red], name="bands")
    return float_values(table[blue]) - float_values(table[red])


def colours(table: Table, bands: Sequence[str] = SDSS_BANDS) -> Table:
    """Return a copy of ``table`` with adjacent-band colours added.

    Parameters
    ----------
    table : astropy.table.Table
        Holds one magnitude column per band, blue to red.
    bands : sequence of str
        Band column names ordered by wavelength, e.g. ``("u", "g", "r", "i", "z")``.

    Returns
    -------
    astropy.table.Table
        A copy with columns ``u_g``, ``g_r``, ... (blue minus red, in mag, from
        :func:`colour_index`; NaN where a magnitude is masked). A
        difference of two magnitudes in the same system is a flux ratio, so the
        colour is independent of distance (ignoring extinction).

    Examples
    --------
    >>> t = Table({"g": [18.0], "r": [17.5]})
    >>> float(colours(t, ["g", "r"])["g_r"][0])
    0.5
    """
    table = check_table(table)
    bands = check_columns(table, bands, name="bands")
    if len(bands) < 2:
        raise ValueError("bands must name at least two magnitude columns to form a colour")
    out = table.copy(copy_data=False)
    for blue, red in itertools.pairwise(bands):
        out[colour_name(blue, red)] = colour_index(table, blue, red)
        out[colour_name(blue, red)].unit = "mag"
        out[colour_name(blue, red)].description = f"colour {blue} - {red}"
    return out


def feature_matrix(table: Table, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Numeric matrix of ``features`` and the mask of rows where all are finite.

    Parameters
    ----------
    table : astropy.table.Table
        Source table.
    features : sequence of str
        Column names to use as features (colours can be added with :func:`colours`).

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n_good, n_features)``, only the finite rows.
    good : numpy.ndarray of bool
        Shape ``(len(table),)``; True for the rows kept in ``X``. Use it to select
        labels and to map results back to the table.

    Examples
    --------
    >>> X, good = feature_matrix(Table({"a": [1.0, float("nan")]}), ["a"])
    >>> X.shape, good.tolist()
    ((1, 1), [True, False])
    """
    table = check_table(table)
    features = check_columns(table, features, name="features")
    columns = []
    for name in features:
        column = table[name]
        if column.dtype.kind not in "biuf":
            raise TypeError(f"features: column {name!r} is not numeric (dtype {column.dtype})")
        # Masked entries become NaN so they drop out with the non-finite rows.
        columns.append(float_values(column))
    X = np.column_stack(columns)
    good = np.all(np.isfinite(X), axis=1)
    return X[good], good


def labels(table: Table, target: str, good: np.ndarray | None = None) -> np.ndarray:
    """Label column ``target`` as a plain array, optionally restricted to ``good`` rows.

    Examples
    --------
    >>> labels(Table({"class": ["STAR", "QSO"]}), "class").tolist()
    ['STAR', 'QSO']
    """
    table = check_table(table)
    (target,) = check_columns(table, [target], name="target")
    values = np.asarray(table[target])
    if values.dtype.kind in "SU" or values.dtype == object:
        values = np.char.strip(values.astype(str))
    return values if good is None else values[good]
