"""Lesson 9, time domain: periods, aliases, classification and real-time triage."""

from __future__ import annotations

import pytest
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(9)

# Catalogue periods implied by OGLE's own phase column (phase = (t - t0) / P mod 1),
# fitted independently of the lesson: CEP-0727 14.48914 d, CEP-1211 9.53115 d,
# ECL-0322 71.6113 d (an eclipsing binary: the sine periodogram finds half of it).
OGLE_PERIODS = {"cep_0727": 14.48914, "cep_1211": 9.53115, "ecl_0322": 71.6113}


@pytest.mark.slow
def test_periods_match_the_ogle_catalogue_and_the_prose(run):
    values = run.values
    assert values["cepheid_period_days"] == pytest.approx(OGLE_PERIODS["cep_0727"], rel=5e-4)
    assert values["cepheid_false_alarm"] < 1e-10
    assert prose_number(LESSON, r"highest peak is at \*\*([\d.]+) days\*\*") == round(
        values["cepheid_period_days"], 2
    )
    # The one-sine period of the binary is half the orbit; the harmonic search fixes it.
    assert values["binary_sine_period_days"] == pytest.approx(
        OGLE_PERIODS["ecl_0322"] / 2, rel=1e-3
    )
    assert values["binary_period_days"] == pytest.approx(OGLE_PERIODS["ecl_0322"], rel=1e-3)
    assert prose_number(LESSON, r"periodogram says \*\*([\d.]+) d\*\*") == round(
        values["binary_sine_period_days"], 1
    )
    assert prose_number(LESSON, r"twice as long, \*\*([\d.]+) d\*\*") == round(
        values["binary_period_days"], 1
    )
    assert values["smc_cepheid_period_days"] == pytest.approx(OGLE_PERIODS["cep_1211"], rel=5e-4)


@pytest.mark.slow
def test_rr_lyrae_periods_and_one_day_aliases(run):
    values = run.values
    # Over all 483 stars, the g band alone finds 77% of Sesar et al.'s periods within 1%
    # and 20% are one-day aliases (measured once over the whole set for this test).
    assert 0.5 <= values["rr_recovered_fraction"] <= 0.95
    assert values["rr_alias_fraction"] >= 0.05
    assert prose_number(LESSON, r"recovers \*\*(\d+) of 20\*\*") == values["found"]
    assert prose_number(LESSON, r"\*\*(\d+)\*\* periods found are exactly") == values["aliased"]


@pytest.mark.slow
def test_kepler_classification_and_supernovae(run):
    values = run.values
    assert 13 < values["kepler_period_days"] < 14.5
    assert prose_number(LESSON, r"at about \*\*([\d.]+) d\*\*") == round(
        values["kepler_period_days"], 1
    )
    # EROS test set: 454 of 729 are RR Lyrae (PROVENANCE), so the majority guess is 0.623.
    assert values["eros_majority"] == pytest.approx(454 / 729, abs=1e-9)
    assert values["eros_accuracy"] > 0.85
    assert prose_number(LESSON, r"classifies \*\*(\d+)%\*\*") == round(
        100 * values["eros_accuracy"]
    )
    assert prose_number(LESSON, r"against \*\*(\d+)%\*\*") == round(100 * values["eros_majority"])
    # SNe Ia peak near M = -19.3 (B band; e.g. Riess et al. 1999); ZTF g/r at peak.
    assert -19.6 < values["snia_peak_abs_mag"] < -18.8
    assert prose_number(LESSON, r"absolute magnitude is \*\*−([\d.]+)\*\*") == round(
        -values["snia_peak_abs_mag"], 1
    )
    assert prose_number(LESSON, r"rise time is \*\*([\d.]+) d\*\*") == round(
        values["snia_rise_days"], 1
    )
    assert prose_number(LESSON, r"\((\d+) rise times are only") == values["n_rise_limits"]
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_triage_numbers(run):
    values = run.values
    # 1,639 pulsars in HTRU2 (PROVENANCE), of which the history of 2,000 holds some.
    assert 1300 < values["arrived_pulsars"] < 1639
    assert values["followed_up"] <= values["n_nights"] * values["nightly_budget"]
    assert values["triage_purity"] > 0.9
    assert values["triage_recall"] == pytest.approx(
        values["confirmed"] / values["arrived_pulsars"]
    )
    assert prose_number(LESSON, r"purity \*\*([\d.]+)\*\*") == round(values["triage_purity"], 2)
    assert prose_number(LESSON, r"only \*\*(\d+)%\*\* of them") == round(
        100 * values["triage_recall"]
    )
    assert prose_number(LESSON, r"for about\s+(\d+) new pulsars") == pytest.approx(
        values["arrived_pulsars"] / values["n_nights"], abs=5
    )
    assert values["triage_recall_100"] > 5 * values["triage_recall"]


@pytest.mark.slow
def test_student_version_runs_without_the_solutions(run):
    student = run_lesson(LESSON, True)
    assert "smc_cepheid_period_days" not in student.values
    assert "triage_recall_100" not in student.values
    assert student.values["triage_recall"] == run.values["triage_recall"]
