"""Tolerant checks for exercise tests, with a hint for the learner on failure.

Every check takes the *name* of the learner's variable first, so that the message says
which answer is wrong, and raises ``AssertionError`` (which nbgrader scores as a failed
test cell) with a message that explains what was expected and, when given, a ``hint``.
Values that are not set yet (``None``, ``...``, ``NotImplemented``) fail with a clear
"not answered" message instead of an obscure ``TypeError``.

Only numpy is imported on use, so importing this module in a test cell is cheap.

Examples
--------
>>> from astrolearn.grading import check_close
>>> check_close("cluster_distance_pc", 136.2, 136, rel=0.05)
>>> check_close("cluster_distance_pc", 250.0, 136, rel=0.05, hint="1000 / parallax")
Traceback (most recent call last):
...
AssertionError: cluster_distance_pc = 250 is not close to 136 (allowed: relative 5%). Hint: ...
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .answers import NotGradable

__all__ = [
    "check_close",
    "check_columns",
    "check_equal",
    "check_in_range",
    "check_shape",
    "check_true",
    "check_type",
]


def _fail(message: str, hint: str | None) -> None:
    if hint:
        message = f"{message} Hint: {hint}"
    raise AssertionError(message)


def _short(value: Any, limit: int = 80) -> str:
    """A one-line, bounded text for a value (a huge array must not flood the feedback)."""
    try:
        import numpy as np

        if isinstance(value, np.ndarray) and value.size > 6:
            text = np.array2string(value, threshold=6, precision=4, separator=", ")
        elif isinstance(value, float | np.floating):
            text = f"{float(value):.6g}"
        else:
            text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real failure
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _require_answer(name: str, value: Any, hint: str | None) -> None:
    if isinstance(value, NotGradable):  # the grader could not read the learner's value
        _fail(f"{name} {value.reason}.", hint)
    if value is None or value is Ellipsis or value is NotImplemented:
        _fail(f"{name} is not answered yet (it is {value!r}).", hint)


def _strip_unit(name: str, value: Any, expected: Any, unit: Any, hint: str | None):
    """Return plain numbers for value and expected, converting astropy units first."""
    value_unit = getattr(value, "unit", None)
    expected_unit = getattr(expected, "unit", None)
    target = unit if unit is not None else expected_unit
    if target is None:
        if value_unit is not None and str(value_unit) != "":
            _fail(f"{name} has unit {value_unit}, but a plain number was expected.", hint)
        return value, expected
    from astropy import units as u

    target = u.Unit(target)
    if value_unit is None:
        _fail(f"{name} = {_short(value)} has no unit; expected a quantity in {target}.", hint)
    try:
        value = u.Quantity(value).to_value(target)
    except u.UnitConversionError:
        _fail(f"{name} has unit {value_unit}, which cannot be converted to {target}.", hint)
    if expected_unit is not None:
        expected = u.Quantity(expected).to_value(target)
    return value, expected


def check_close(
    name: str,
    value: Any,
    expected: Any,
    rel: float = 1e-6,
    abs: float = 0.0,
    unit: Any = None,
    hint: str | None = None,
) -> None:
    """Check that a number (or array) is close to the expected one.

    Passes when ``|value - expected| <= max(rel * |expected|, abs)`` element-wise.

    Parameters
    ----------
    name : str
        Name of the learner's variable, used in the message.
    value : float, array-like or astropy Quantity
        The learner's answer.
    expected : float, array-like or astropy Quantity
        The reference answer.
    rel : float, optional
        Allowed relative difference (0.05 means 5 %).
    abs : float, optional
        Allowed absolute difference, in the unit of ``expected``.
    unit : str or astropy Unit, optional
        Compare in this unit; then ``value`` must be a Quantity convertible to it.
    hint : str, optional
        Shown to the learner when the check fails.

    Raises
    ------
    AssertionError
        With a message naming ``name``, the value, the expectation and the hint.

    Examples
    --------
    >>> check_close("mean_g_minus_r", [0.51, 0.49], [0.5, 0.5], abs=0.02)
    """
    import numpy as np

    _require_answer(name, value, hint)
    if rel < 0 or abs < 0:
        raise ValueError(f"rel and abs must be >= 0, got rel={rel}, abs={abs}")
    value, expected = _strip_unit(name, value, expected, unit, hint)
    try:
        if isinstance(value, str | bytes):  # numpy would turn "136" into 136.0
            raise TypeError(name)
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        _fail(f"{name} should be a number, got {type(value).__name__} {_short(value)}.", hint)
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape and got.size != 1 and want.size != 1:
        _fail(f"{name} has shape {got.shape}, expected shape {want.shape}.", hint)
    if np.any(np.isnan(got)) and not np.any(np.isnan(want)):
        _fail(f"{name} contains NaN.", hint)
    allowed = np.maximum(rel * np.abs(want), abs)
    if not np.all(np.abs(got - want) <= allowed):
        parts = [f"relative {rel * 100:g}%"] if rel else []
        parts += [f"absolute {abs:g}"] if abs else []
        tolerance = ", ".join(parts) or "exact"
        _fail(
            f"{name} = {_short(value)} is not close to {_short(expected)} (allowed: {tolerance}).",
            hint,
        )


def check_equal(name: str, value: Any, expected: Any, hint: str | None = None) -> None:
    """Check exact equality (numbers, strings, sequences and arrays element-wise).

    Parameters
    ----------
    name : str
        Name of the learner's variable.
    value, expected : object
        Answer and reference; arrays and lists are compared element by element.
    hint : str, optional
        Shown when the check fails.

    Examples
    --------
    >>> check_equal("n_members", 384, 384)
    >>> check_equal("labels", [0, 1, 1], [0, 1, 1])
    """
    import numpy as np

    _require_answer(name, value, hint)
    if isinstance(expected, str) or np.isscalar(expected):
        equal = bool(value == expected) if np.isscalar(value) or isinstance(value, str) else False
    else:
        got, want = np.asarray(value), np.asarray(expected)
        if got.shape != want.shape:
            _fail(f"{name} has shape {got.shape}, expected shape {want.shape}.", hint)
        equal = bool(np.array_equal(got, want))
    if not equal:
        _fail(f"{name} = {_short(value)}, expected {_short(expected)}.", hint)


def check_type(
    name: str, value: Any, expected_type: type | tuple, hint: str | None = None
) -> None:
    """Check that ``value`` is an instance of ``expected_type``.

    Examples
    --------
    >>> check_type("cluster_distance_pc", 136.0, float)
    """
    _require_answer(name, value, hint)
    if not isinstance(value, expected_type):
        types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
        wanted = " or ".join(t.__name__ for t in types)
        _fail(f"{name} should be a {wanted}, got {type(value).__name__}.", hint)


def check_shape(name: str, value: Any, shape: tuple, hint: str | None = None) -> None:
    """Check the shape of an array or the length of a table (``None`` matches any size).

    Examples
    --------
    >>> import numpy as np
    >>> check_shape("features", np.zeros((720, 3)), (None, 3))
    """
    import numpy as np

    _require_answer(name, value, hint)
    got = tuple(getattr(value, "shape", None) or np.shape(value))
    if hasattr(value, "colnames") and not hasattr(value, "shape"):
        got = (len(value),)  # an astropy Table has a length but no shape
    matches = len(got) == len(shape) and all(
        w is None or g == w for g, w in zip(got, shape, strict=True)
    )
    if not matches:
        _fail(f"{name} has shape {got}, expected {tuple(shape)}.", hint)


def check_in_range(
    name: str, value: Any, low: float, high: float, hint: str | None = None
) -> None:
    """Check ``low <= value <= high`` (every element for arrays).

    Examples
    --------
    >>> check_in_range("accuracy", 0.93, 0.9, 1.0)
    """
    import numpy as np

    _require_answer(name, value, hint)
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        _fail(f"{name} should be a number, got {type(value).__name__}.", hint)
    if got.size == 0 or np.any(np.isnan(got)) or np.any((got < low) | (got > high)):
        _fail(f"{name} = {_short(value)} is outside [{low:g}, {high:g}].", hint)


def check_columns(name: str, table: Any, columns: Iterable[str], hint: str | None = None) -> None:
    """Check that a table (astropy or pandas) has the given columns.

    Examples
    --------
    >>> from astropy.table import Table
    >>> check_columns("stars", Table({"ra": [1.0], "dec": [2.0]}), ["ra", "dec"])
    """
    _require_answer(name, table, hint)
    present = list(getattr(table, "colnames", None) or getattr(table, "columns", []))
    missing = [column for column in columns if column not in present]
    if missing:
        _fail(f"{name} lacks the column(s) {', '.join(missing)}; it has {present}.", hint)


def check_true(condition: Any, message: str, hint: str | None = None) -> None:
    """Check a condition written in the test itself.

    Examples
    --------
    >>> check_true(3 > 2, "three should exceed two")
    """
    if not bool(condition):
        _fail(message, hint)
