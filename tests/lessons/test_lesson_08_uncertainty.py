"""Lesson 8, uncertainty: errors, sample size, bootstrap, calibration, choices."""

from __future__ import annotations

import math

import pytest
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(8)


@pytest.mark.slow
def test_measurement_errors_propagate_as_stated(run):
    values = run.values
    # SDSS_QSO.dat has 8,264 rows (PROVENANCE); about 22 per band have 0 = missing.
    assert 8200 < values["n_quasars"] < 8264
    # PROVENANCE: median errors u 0.051, g 0.028 mag -> u-g about sqrt(.051^2+.028^2).
    assert values["median_colour_error"]["u_g"] == pytest.approx(
        math.hypot(0.051, 0.028), abs=0.005
    )
    assert prose_number(LESSON, r"typical \$u-g\$ error is \*\*([\d.]+) mag\*\*") == round(
        values["median_colour_error"]["u_g"], 3
    )
    # Photon noise: faint objects' predictions move more under resampling.
    assert values["spread_faint"] > values["spread_bright"]
    assert prose_number(
        LESSON, r"faint quasar's prediction by a median \*\*([\d.]+)\*\*"
    ) == round(values["spread_faint"], 2)
    assert prose_number(LESSON, r"a bright\none's by \*\*([\d.]+)\*\*") == round(
        values["spread_bright"], 2
    )
    assert prose_number(LESSON, r"\*\*(\d+)%\*\* of the predictions are catastrophic") == round(
        100 * values["catastrophic_fraction"]
    )


@pytest.mark.slow
def test_learning_curve_and_bootstrap(run):
    values = run.values
    curve = values["learning_curve"]
    means = [curve[n][0] for n in ("50", "200", "1000", "4000")]
    assert means == sorted(means, reverse=True)  # more data, fewer failures
    assert curve["4000"][1] < curve["50"][1]  # and less run-to-run spread
    assert prose_number(LESSON, r"falls from \*\*(\d+)%\*\*") == round(100 * curve["50"][0])
    assert prose_number(LESSON, r"to\n\*\*(\d+)%\*\*, and the run-to-run") == round(
        100 * curve["4000"][0]
    )
    low, high = values["bootstrap_low"], values["bootstrap_high"]
    assert low < values["median_abs_error"] < high
    assert prose_number(LESSON, r"median error is \*\*([\d.]+)\*\*") == round(
        values["median_abs_error"], 3
    )
    assert prose_number(LESSON, r"interval of \*\*([\d.]+)–") == round(low, 3)
    assert prose_number(LESSON, r"interval of \*\*[\d.]+–([\d.]+)\*\*") == round(high, 3)
    # The bootstrap error of a fraction must agree with the binomial formula.
    p, n = values["catastrophic_fraction"], round(0.3 * values["n_quasars"])
    assert values["catastrophic_sigma"] == pytest.approx(math.sqrt(p * (1 - p) / n), rel=0.1)


@pytest.mark.slow
def test_calibration_improves_the_brier_score(run):
    brier = run.values["brier"]
    # Base-rate-only forecast for HTRU2 (9.2% pulsars) has Brier p(1-p) = 0.083.
    assert all(score < 0.0832 for score in brier.values())
    assert brier["naive Bayes, calibrated"] < 0.7 * brier["naive Bayes"]
    assert prose_number(LESSON, r"from \*\*([\d.]+)\*\* to\n\*\*[\d.]+\*\*") == round(
        brier["naive Bayes"], 3
    )
    assert prose_number(LESSON, r"from \*\*[\d.]+\*\* to\n\*\*([\d.]+)\*\*") == round(
        brier["naive Bayes, calibrated"], 3
    )


@pytest.mark.slow
def test_algorithm_and_representation_choices(run):
    values = run.values
    assert values["worst_choice"] == "linear regression / magnitudes"
    assert values["best_choice"].endswith("/ colours")
    assert prose_number(LESSON, r"median error \*\*([\d.]+)\*\* times smaller") == round(
        values["choice_ratio"], 1
    )
    assert f"(**{values['best_choice']}**)" in LESSON.read_text()
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_student_version_runs_without_the_solutions(run):
    student = run_lesson(LESSON, True)
    assert "catastrophic_sigma" not in student.values
    assert student.values["best_choice"] == run.values["best_choice"]
