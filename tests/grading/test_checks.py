"""The tolerant checks used in exercise tests (astrolearn.grading)."""

from __future__ import annotations

import numpy as np
import pytest
from astrolearn import data
from astrolearn.grading import (
    check_close,
    check_columns,
    check_equal,
    check_in_range,
    check_shape,
    check_true,
    check_type,
)
from astropy import units as u


@pytest.fixture(scope="module")
def pleiades():
    return data.load("gaia_pleiades")


def test_check_close_accepts_the_pleiades_distance(pleiades):
    # Gaia DR2 (Gaia Collaboration 2018, A&A 616, A10) puts the Pleiades at 135.8 pc.
    distance = float(1000 / np.median(pleiades["parallax"][pleiades["parallax"] > 6.5]))
    check_close("cluster_distance_pc", distance, 135.8, rel=0.03)


def test_check_close_message_names_value_expectation_and_hint():
    with pytest.raises(AssertionError) as error:
        check_close("cluster_distance_pc", 250.0, 136, rel=0.05, hint="1000 / parallax")
    message = str(error.value)
    assert "cluster_distance_pc = 250" in message and "136" in message
    assert "relative 5%" in message and message.endswith("Hint: 1000 / parallax")


def test_check_close_absolute_and_arrays():
    check_close("colours", [0.51, 0.49], [0.5, 0.5], abs=0.02)
    with pytest.raises(AssertionError, match="not close"):
        check_close("colours", [0.51, 0.60], [0.5, 0.5], abs=0.02)
    with pytest.raises(AssertionError, match=r"shape \(3,\), expected shape \(2,\)"):
        check_close("colours", [1, 2, 3], [1, 2])


@pytest.mark.parametrize("unset", [None, ..., NotImplemented])
def test_unanswered_is_said_plainly(unset):
    with pytest.raises(AssertionError, match="not answered yet"):
        check_close("x", unset, 1.0)


def test_check_close_rejects_text_and_nan():
    with pytest.raises(AssertionError, match="should be a number, got str"):
        check_close("x", "136", 136)
    with pytest.raises(AssertionError, match="NaN"):
        check_close("x", float("nan"), 136)


def test_units_are_converted_and_missing_units_caught():
    check_close("d", 136 * u.pc, 0.136 * u.kpc, rel=0.01)
    check_close("d", 0.136 * u.kpc, 136, unit="pc", rel=0.01)
    with pytest.raises(AssertionError, match="has unit pc, but a plain number"):
        check_close("d", 136 * u.pc, 136)
    with pytest.raises(AssertionError, match="cannot be converted to pc"):
        check_close("d", 136 * u.s, 136 * u.pc)
    with pytest.raises(AssertionError, match="has no unit"):
        check_close("d", 136, 136 * u.pc)


def test_bad_tolerance_is_a_programming_error():
    with pytest.raises(ValueError, match="rel and abs"):
        check_close("x", 1, 1, rel=-1)


def test_check_equal_scalars_text_and_arrays():
    check_equal("n", 43, 43)
    check_equal("label", "STAR", "STAR")
    check_equal("labels", np.array([0, 1]), [0, 1])
    with pytest.raises(AssertionError, match="label = 'QSO', expected 'STAR'"):
        check_equal("label", "QSO", "STAR")
    with pytest.raises(AssertionError, match="shape"):
        check_equal("labels", [0, 1, 1], [0, 1])
    with pytest.raises(AssertionError):
        check_equal("n", [43], 43)


def test_check_type_and_shape(pleiades):
    check_type("n", np.int64(3), (int, np.integer))
    with pytest.raises(AssertionError, match="should be a int or integer, got float"):
        check_type("n", 3.0, (int, np.integer))
    check_shape("features", np.zeros((720, 3)), (None, 3))
    check_shape("stars", pleiades, (720,))
    with pytest.raises(AssertionError, match=r"shape \(720, 2\), expected \(None, 3\)"):
        check_shape("features", np.zeros((720, 2)), (None, 3))


def test_range_columns_and_true(pleiades):
    check_in_range("accuracy", 0.93, 0.9, 1.0)
    with pytest.raises(AssertionError, match="outside"):
        check_in_range("accuracy", [0.93, 1.2], 0.9, 1.0)
    check_columns("stars", pleiades, ["ra", "dec", "parallax"])
    check_columns("frame", pleiades.to_pandas(), ["parallax"])
    with pytest.raises(AssertionError, match="lacks the column"):
        check_columns("stars", pleiades, ["distance"])
    with pytest.raises(AssertionError, match="too few Hint: more"):
        check_true(len(pleiades) > 10_000, "too few", hint="more")


def test_huge_arrays_give_short_messages():
    with pytest.raises(AssertionError) as error:
        check_close("big", np.arange(1e6), np.arange(1e6) + 1)
    assert len(str(error.value)) < 300
