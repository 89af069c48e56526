"""Boundary validation shared by the ``astrolearn.ml`` functions.

Every public function checks its inputs here first, so a learner who passes the
wrong thing gets a message naming the argument and what was expected, instead of a
traceback from deep inside scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy.table import Table


def check_table(table: object, name: str = "table") -> Table:
    """Return ``table`` as an astropy Table, or raise naming the argument."""
    if isinstance(table, Table):
        return table
    try:
        import pandas as pd

        if isinstance(table, pd.DataFrame):
            return Table.from_pandas(table)
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    raise TypeError(
        f"{name} must be an astropy Table (or pandas DataFrame), got {type(table).__name__}"
    )


def check_columns(table: Table, columns: Sequence[str] | str, name: str = "features") -> list[str]:
    """Return ``columns`` as a list after checking each exists in ``table``."""
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError(f"{name} must name at least one column")
    missing = [c for c in columns if c not in table.colnames]
    if missing:
        raise KeyError(
            f"{name}: column(s) {missing} not in the table; available: {table.colnames}"
        )
    return columns


def check_matrix(X: object, name: str = "X", min_rows: int = 2) -> np.ndarray:
    """Return ``X`` as a finite 2-D float array, or raise naming the argument."""
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numeric (a 2-D array of numbers): {error}") from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows x features), got {array.ndim} dimensions")
    if array.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows, got {array.shape[0]}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; drop or fill those rows first")
    return array


def check_vector(values: object, name: str, length: int | None = None) -> np.ndarray:
    """Return ``values`` as a 1-D array, checking its length when given."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if length is not None and array.shape[0] != length:
        raise ValueError(f"{name} has {array.shape[0]} values but {length} were expected")
    return array


def check_choice(value: str, choices: Sequence[str], name: str) -> str:
    """Raise unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_fraction(value: float, name: str) -> float:
    """Raise unless ``0 < value < 1``."""
    if not 0 < float(value) < 1:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    return float(value)


def one_thread(function):
    """Run ``function`` with OpenMP/BLAS limited to one thread.

    On a shared 1-2 core machine (Binder, a classroom server) scikit-learn's OpenMP
    threads busy-wait against other processes: HistGradientBoosting took 137 s
    instead of 1.9 s for the same fit at a load average of 14 on 2 cores. Lesson-size
    fits gain little from threads, so every fitting function runs single-threaded.
    """
    from functools import wraps

    from threadpoolctl import threadpool_limits

    @wraps(function)
    def limited(*args, **kwargs):
        with threadpool_limits(limits=1):
            return function(*args, **kwargs)

    return limited
