"""A learner's answers as plain data, checked where the learner's code never ran.

A test cell run in the learner's kernel can be made to pass: that kernel ran the
learner's code first, which may have replaced the checks, numpy, ``assert`` itself, or
answered with an object that equals anything. During autograding, therefore, test
cells do not run there (``astrolearn.grading.trusted``). Instead:

1. ``export`` runs in the learner's kernel and writes the answers a test reads as JSON:
   numbers, strings, booleans, lists, tuples, dicts, numpy arrays of numbers, booleans
   or text, astropy quantities and tables, pandas frames. Anything else goes as the
   name of its type only. What comes out is untrusted: it is only ever parsed.
2. ``check`` runs in a second kernel that ran the instructor's notebook up to that test
   and nothing else. ``decode`` rebuilds plain values from the JSON (no pickle, no code,
   strict shapes and types), and the test cell's own source runs with them in place of
   the reference answers. A value that cannot be read becomes ``NotGradable``, which
   fails every check with a sentence saying why.

Only the standard library is imported here; numpy, astropy and pandas on use.

Examples
--------
>>> payload = export(["n", "missing"], {"n": 43})
>>> answers = decode(payload)
>>> answers["n"]
43
>>> answers["missing"]
NotGradable('is not answered (there is no variable of that name)')
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

#: Largest JSON payload of one test cell's answers (about a million numbers).
MAX_BYTES = 20_000_000
#: Deepest nesting of lists, dicts and tables in an answer.
MAX_DEPTH = 16
_ARRAY_KINDS = "biufU"  # bool, int, unsigned, float, unicode text


class NotGradable:
    """An answer the grader cannot use: every check of it fails with ``reason``.

    Any comparison, arithmetic or truth test raises ``AssertionError`` too, so that a
    test written with plain operators fails the same way.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"NotGradable({self.reason!r})"

    def _refuse(self, *_: Any) -> Any:
        raise AssertionError(f"The answer {self.reason}.")

    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __float__ = __int__ = __len__ = __array__ = _refuse
    __hash__ = None


# -- in the learner's kernel ------------------------------------------------------------


def _float(number: float) -> Any:
    return number if math.isfinite(number) else {"float": repr(number)}


def _array(value: Any) -> dict:
    import numpy as np

    array = np.asarray(value)
    if array.dtype.kind == "O" and all(type(item) is str for item in array.flat):
        array = array.astype(str)  # text columns of pandas frames
    if array.dtype.kind not in _ARRAY_KINDS:
        return {"unreadable": f"array of {array.dtype}"}
    kind = array.dtype.kind
    flat = array.ravel().tolist()
    if kind == "f":
        flat = [_float(x) for x in flat]
    return {"ndarray": {"dtype": array.dtype.str, "shape": list(array.shape), "data": flat}}


def _encode(value: Any, depth: int = 0) -> Any:
    """JSON-ready form of ``value``, by exact type: ``isinstance`` can be fooled."""
    kind = type(value)
    if depth > MAX_DEPTH:
        return {"unreadable": "value nested too deeply"}
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return _float(value)
    if kind in (list, tuple):
        return {kind.__name__: [_encode(item, depth + 1) for item in value]}
    if kind is dict and all(type(key) is str for key in value):
        return {"dict": {key: _encode(item, depth + 1) for key, item in value.items()}}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if issubclass(kind, numpy.bool_):
            return bool(value)
        if issubclass(kind, numpy.integer):
            return int(value)
        if issubclass(kind, numpy.floating):
            return _float(float(value))
        if issubclass(kind, numpy.str_):
            return str(value)
    encoded = _encode_astropy(value, kind, depth) or _encode_pandas(value, kind, depth)
    if encoded is not None:
        return encoded
    if numpy is not None and kind is numpy.ndarray:
        return _array(value)
    return {"unreadable": f"{kind.__module__}.{kind.__qualname__}"}


def _encode_astropy(value: Any, kind: type, depth: int) -> dict | None:
    if "astropy" not in sys.modules:
        return None
    from astropy import units as u
    from astropy.table import Column, Table

    if issubclass(kind, u.Quantity):
        return {"quantity": {"value": _array(value.value), "unit": value.unit.to_string()}}
    if issubclass(kind, Column):
        unit = None if value.unit is None else value.unit.to_string()
        return {"column": {"value": _array(value), "unit": unit}}
    if issubclass(kind, Table):
        columns = {name: _encode(value[name], depth + 1) for name in value.colnames}
        return {"table": columns}
    return None


def _encode_pandas(value: Any, kind: type, depth: int) -> dict | None:
    if "pandas" not in sys.modules:
        return None
    import pandas as pd

    if issubclass(kind, pd.DataFrame):
        columns = {str(name): _array(value[name].to_numpy()) for name in value.columns}
        return {"dataframe": columns}
    if issubclass(kind, pd.Series):
        return _array(value.to_numpy())
    return None


class Payload:
    """The answers as JSON text, handed over as ``application/json`` data."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_json_(self) -> dict:
        return {"answers": self.text}

    def __repr__(self) -> str:
        return f"<answers, {len(self.text)} characters>"


def export(names: list[str], namespace: dict) -> str:
    """JSON of the variables ``names`` of ``namespace``; missing ones are marked so."""
    answers = {}
    for name in names:
        if name not in namespace:
            answers[name] = {"missing": True}
            continue
        try:
            answers[name] = _encode(namespace[name])
        except Exception as error:  # the learner's object broke while being read
            answers[name] = {"unreadable": f"unreadable ({type(error).__name__})"}
    return json.dumps(answers)


def export_payload(names: list[str], namespace: dict) -> Payload:
    """``export`` for a kernel's ``user_expressions``, which carry JSON data unchanged."""
    return Payload(export(names, namespace))


# -- in the trusted kernel ----------------------------------------------------------------


class _Malformed(ValueError):
    pass


def _number(item: Any) -> Any:
    if type(item) is dict and set(item) == {"float"}:
        if item["float"] not in ("nan", "inf", "-inf"):
            raise _Malformed("bad float")
        return float(item["float"])
    if type(item) not in (int, float, bool, str):
        raise _Malformed("array element")
    return item


def _decode_array(spec: Any) -> Any:
    import numpy as np

    if type(spec) is dict and set(spec) == {"unreadable"}:
        return NotGradable(
            f"holds an {str(spec['unreadable'])[:80]}, which the grader cannot read"
        )
    if type(spec) is not dict or set(spec) != {"ndarray"} or type(spec["ndarray"]) is not dict:
        raise _Malformed("array")
    body = spec["ndarray"]
    dtype = np.dtype(str(body.get("dtype"))[:8])
    shape, data = body.get("shape"), body.get("data")
    if dtype.kind not in _ARRAY_KINDS or dtype.itemsize > 1024 or type(data) is not list:
        raise _Malformed("array type")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise _Malformed("array shape")
    if math.prod(shape) != len(data) or len(shape) > 32:
        raise _Malformed("array size")
    return np.array([_number(x) for x in data], dtype=dtype).reshape(shape)


def _decode(item: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise _Malformed("too deep")
    kind = type(item)
    if item is None or kind in (bool, int, float, str):
        return item
    if kind is not dict or len(item) != 1:
        raise _Malformed("value")
    ((tag, body),) = item.items()
    if tag == "float":
        return _number(item)
    if tag in ("list", "tuple") and type(body) is list:
        items = [_decode(x, depth + 1) for x in body]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and type(body) is dict:
        return {str(k): _decode(v, depth + 1) for k, v in body.items()}
    if tag == "ndarray":
        return _decode_array(item)
    if tag in ("quantity", "column") and type(body) is dict:
        return _decode_with_unit(tag, body)
    if tag in ("table", "dataframe") and type(body) is dict:
        return _decode_table(tag, body, depth)
    if tag == "missing":
        return NotGradable("is not answered (there is no variable of that name)")
    if tag == "unreadable":
        return NotGradable(
            f"is a {str(body)[:80]}, which the grader cannot read: give a number, "
            "text, list, array or table"
        )
    raise _Malformed(f"unknown kind {str(tag)[:20]}")


def _decode_with_unit(tag: str, body: dict) -> Any:
    from astropy import units as u
    from astropy.table import Column

    value = _decode_array(body.get("value"))
    unit = body.get("unit")
    if unit is not None and (type(unit) is not str or len(unit) > 100):
        raise _Malformed("unit")
    try:
        unit = None if unit is None else u.Unit(unit)
    except ValueError as error:
        raise _Malformed("unit") from error
    if isinstance(value, NotGradable):
        return value
    if tag == "quantity":
        return u.Quantity(value, unit if unit is not None else u.dimensionless_unscaled)
    return Column(value, unit=unit)


def _decode_table(tag: str, body: dict, depth: int) -> Any:
    columns = {str(name)[:200]: _decode(value, depth + 1) for name, value in body.items()}
    broken = [name for name, value in columns.items() if isinstance(value, NotGradable)]
    if broken:
        return NotGradable(f"has a column the grader cannot read ({broken[0]})")
    if tag == "dataframe":
        import pandas as pd

        return pd.DataFrame(columns)
    from astropy.table import Table

    return Table(columns)


def decode(text: str) -> dict[str, Any]:
    """The answers in ``text`` (from ``export``), each a plain value or ``NotGradable``."""
    if type(text) is not str or len(text) > MAX_BYTES:
        raise ValueError("the answers are missing or larger than the grader reads")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ValueError("the answers are not valid JSON") from error
    if type(raw) is not dict:
        raise ValueError("the answers are not a table of names")
    answers = {}
    for name, item in raw.items():
        try:
            answers[str(name)] = _decode(item)
        except (_Malformed, ValueError, TypeError, RecursionError, OverflowError):
            answers[str(name)] = NotGradable("arrived malformed from the learner's kernel")
    return answers


def check(source: str, text: str, namespace: dict, names: list[str]) -> None:
    """Run a test cell's ``source`` with the learner's answers in place of the reference's.

    Every name in ``names`` is set, to ``NotGradable`` when the answers lack it: a
    reference answer must never stand in for a missing one.
    """
    try:
        answers = decode(text)
    except ValueError as error:
        answers = {name: NotGradable(f"could not be read: {error}") for name in names}
    for name in names:
        answers.setdefault(name, NotGradable("is not answered (no value arrived)"))
    scope = {**namespace, **{name: answers[name] for name in names}}
    exec(compile(source, "test cell", "exec"), scope)  # the instructor's test cell
