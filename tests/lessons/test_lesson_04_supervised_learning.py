"""Lesson 4, supervised learning: offline run, quoted numbers, graded exercises."""

from __future__ import annotations

import pytest
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(4)
# The bundled SDSS DR17 sample: 17,478 galaxies among 29,999 objects (data PROVENANCE).
GALAXY_FRACTION = 17_478 / 29_999


@pytest.mark.slow
def test_classifier_beats_the_baseline_by_the_quoted_margin(run):
    values = run.values
    assert values["class_fractions"]["GALAXY"] == pytest.approx(GALAXY_FRACTION)
    assert prose_number(LESSON, r"Galaxies are (\d+)% of the sample") == round(
        100 * GALAXY_FRACTION
    )
    # Colours alone separate the classes well but not perfectly (stars vs z~2.7 quasars).
    assert 0.80 < values["knn_accuracy"] < 0.95
    assert values["knn_accuracy"] > GALAXY_FRACTION + 0.2
    assert prose_number(LESSON, r"right for about \*\*(\d+)%\*\*") == round(
        100 * values["knn_accuracy"]
    )
    assert values["baseline_accuracy"] == pytest.approx(GALAXY_FRACTION, abs=0.001)


@pytest.mark.slow
def test_overfitting_and_cross_validation(run):
    values = run.values
    # A fully grown tree memorises the training set and loses on held-out data.
    assert values["deep_train_accuracy"] > 0.99
    assert values["deep_test_accuracy"] < max(values["test_scores"]) - 0.02
    assert 1 < values["best_k"] < 150
    assert values["cv_means"][0] < max(values["cv_means"]) - 0.02  # k = 1 overfits


@pytest.mark.slow
def test_no_one_size_fits_all_numbers_match_the_prose(run):
    values = run.values
    assert values["sdss_linear_gap"] > 0.05
    assert values["pulsar_spread"] < 0.05
    assert prose_number(LESSON, r"about \*\*([\d.]+)\*\* behind the forest") == round(
        values["sdss_linear_gap"], 2
    )
    assert prose_number(LESSON, r"within about \*\*([\d.]+)\*\* of each other") == round(
        values["pulsar_spread"], 2
    )


@pytest.mark.slow
def test_photometric_redshift_quality(run):
    values = run.values
    # ugriz photo-z of SDSS galaxies: sigma_NMAD of a few 0.01 (Beck et al. 2016: ~0.02).
    assert 0.015 < values["sigma_nmad"] < 0.05
    assert values["outlier_fraction"] < 0.1
    assert values["my_sigma_nmad"] == pytest.approx(values["sigma_nmad"])
    assert prose_number(LESSON, r"to about \*\*([\d.]+)\*\* in") == round(values["sigma_nmad"], 3)
    assert prose_number(LESSON, r"about \*\*(\d+)%\*\* outliers") == round(
        100 * values["outlier_fraction"]
    )
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_student_version_runs_without_the_solutions():
    student = run_lesson(LESSON, True)
    for answer in ("baseline_accuracy", "tree_cv_accuracy", "my_sigma_nmad"):
        assert answer not in student.values
    assert "sigma_nmad" in student.values  # later cells ran
