"""Answers leave the learner's kernel as plain data and come back only as plain data.

``export`` runs where the learner's code ran, ``decode`` and ``check`` where it never
did. The payload between them is written by the learner's kernel, so ``decode`` is
attacked here with what a hostile kernel could send.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
from astrolearn.grading import check_close, check_equal, check_shape, check_type
from astrolearn.grading.answers import MAX_BYTES, NotGradable, check, decode, export
from astropy import units as u
from astropy.table import QTable, Table


def round_trip(value):
    return decode(export(["x"], {"x": value}))["x"]


@pytest.mark.parametrize(
    "value", [43, -1.5, "Pleiades", True, None, [1, 2.5, "a"], (1, 2), {"g": 1.0, "r": [2]}]
)
def test_plain_python_values_come_back_equal_and_of_the_same_type(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_non_finite_floats_survive():
    back = round_trip([float("nan"), float("inf"), -float("inf")])
    assert np.isnan(back[0]) and back[1:] == [float("inf"), -float("inf")]


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12).reshape(3, 4),
        np.array([0.5, np.nan, 2.0]),
        np.array([[True, False]]),
        np.array(["star", "quasar"]),
        np.zeros((0, 3)),
    ],
)
def test_numpy_arrays_keep_dtype_shape_and_values(array):
    back = round_trip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_numpy_scalars_become_python_numbers():
    assert round_trip(np.int64(43)) == 43 and type(round_trip(np.int64(43))) is int
    assert round_trip(np.float32(0.5)) == 0.5 and round_trip(np.bool_(True)) is True


def test_quantities_and_tables_keep_their_units():
    distance = round_trip(135.85 * u.pc)
    assert distance.unit == u.pc and distance.value == pytest.approx(135.85)
    table = Table({"parallax": [7.3, 7.4] * u.mas, "name": ["a", "b"]})
    back = round_trip(table)
    assert type(back) is Table and back.colnames == ["parallax", "name"]
    assert back["parallax"].unit == u.mas and list(back["name"]) == ["a", "b"]
    qtable = round_trip(QTable({"d": [1.0, 2.0] * u.kpc}))
    assert u.Quantity(qtable["d"]).to_value(u.pc).tolist() == [1000.0, 2000.0]


def test_pandas_frames_come_back_as_frames():
    frame = pd.DataFrame({"u_g": [0.2, 1.1], "label": ["qso", "star"]})
    back = round_trip(frame)
    assert type(back) is pd.DataFrame and list(back.columns) == ["u_g", "label"]
    assert back["u_g"].tolist() == [0.2, 1.1]


class Agreeable(float):
    def __eq__(self, other):
        return True


class Spoofer:
    """Claims to be a float to ``isinstance``."""

    @property
    def __class__(self):
        return float

    def __float__(self):
        return 135.85


class AgreeableArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


@pytest.mark.parametrize(
    "value",
    [
        Agreeable(0.0),
        Spoofer(),
        np.zeros(3).view(AgreeableArray),
        lambda: 43,
        np.array([object()]),
        {1: "not a text key"},
        np.array([b"bytes"]),
    ],
    ids=[
        "float-subclass",
        "class-spoofer",
        "array-subclass",
        "function",
        "objects",
        "int-keys",
        "bytes",
    ],
)
def test_values_of_other_types_fail_every_check_with_a_reason(value):
    back = round_trip(value)
    assert isinstance(back, NotGradable), back
    with pytest.raises(AssertionError, match="cannot read"):
        check_close("x", back, 0.0, abs=1e9)
    for operation in (lambda v: v == 0, lambda v: bool(v), lambda v: v + 1, lambda v: float(v)):
        with pytest.raises(AssertionError):
            operation(back)


def test_a_broken_object_is_unreadable_not_a_crash():
    class Broken(Table):
        @property
        def colnames(self):
            raise RuntimeError("no")

    assert isinstance(decode(export(["t"], {"t": Broken()}))["t"], NotGradable)


HOSTILE = {
    "not JSON": "{",
    "not a table of names": "[1, 2]",
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "huge": " " * (MAX_BYTES + 1),
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_payload_is_refused_whole(text):
    with pytest.raises(ValueError):
        decode(text)


MALFORMED = {
    "unknown kind": {"pickle": "gASV"},
    "two tags": {"list": [], "dict": {}},
    "object dtype": {"ndarray": {"dtype": "|O", "shape": [1], "data": [1]}},
    "void dtype": {"ndarray": {"dtype": "|V8", "shape": [1], "data": [1]}},
    "shape lies": {"ndarray": {"dtype": "<f8", "shape": [1000, 1000], "data": [1.0]}},
    "negative shape": {"ndarray": {"dtype": "<f8", "shape": [-1], "data": [1.0]}},
    "nested element": {"ndarray": {"dtype": "<f8", "shape": [1], "data": [[1.0]]}},
    "bad float": {"float": "1e999999"},
    "code in a unit": {"quantity": {"value": 1, "unit": "__import__('os').system('id')"}},
    "long unit": {"quantity": {"value": 1, "unit": "m" * 1000}},
    "deep list": json.loads('{"list": [' * 40 + "1" + "]}" * 40),
    "giant dtype": {"ndarray": {"dtype": "<U100000000", "shape": [1], "data": ["a"]}},
}


@pytest.mark.parametrize("item", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_answer_is_not_gradable_and_the_others_still_are(item):
    started = time.perf_counter()
    answers = decode(json.dumps({"bad": item, "good": 43}))
    assert isinstance(answers["bad"], NotGradable) and answers["good"] == 43
    assert time.perf_counter() - started < 1, "decoding is bounded"


REFERENCE = {"n_bright": 43, "check_equal": check_equal}
TEST = 'check_equal("n_bright", n_bright, 43)'


def test_a_missing_answer_never_borrows_the_reference_value():
    with pytest.raises(AssertionError, match="not answered"):
        check(TEST, export(["n_bright"], {}), dict(REFERENCE), ["n_bright"])
    with pytest.raises(AssertionError, match="not answered"):
        check(TEST, "{}", dict(REFERENCE), ["n_bright"])  # the kernel sent nothing
    with pytest.raises(AssertionError, match="could not be read"):
        check(TEST, "", dict(REFERENCE), ["n_bright"])  # the kernel did not answer


def test_check_runs_the_test_on_the_learners_value_not_the_references():
    check(TEST, export(["n_bright"], {"n_bright": 43}), dict(REFERENCE), ["n_bright"])
    with pytest.raises(AssertionError, match="n_bright = 52, expected 43"):
        check(TEST, export(["n_bright"], {"n_bright": 52}), dict(REFERENCE), ["n_bright"])


def test_friendly_checks_keep_working_on_decoded_values():
    features = round_trip(np.zeros((720, 3)))
    check_shape("features", features, (None, 3))
    check_type("n", round_trip(np.int64(3)), int)
    check_close("d", round_trip(0.13585 * u.kpc), 135.85, unit="pc")
