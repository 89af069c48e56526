"""Lesson 10, methodology transfer: one pipeline on pulsars, biopsies and digits."""

from __future__ import annotations

import pytest
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(10)


def test_no_download_is_needed():
    # The non-astronomy data must be the sets bundled inside scikit-learn (load_*),
    # never the fetch_* functions that download.
    text = LESSON.read_text()
    assert "load_breast_cancer" in text and "load_digits" in text
    assert "fetch_" not in text


@pytest.mark.slow
def test_data_sets_are_the_published_ones(run):
    pulsars, cancer = run.values["pulsar_results"], run.values["cancer_results"]
    assert (pulsars["rows"], pulsars["features"]) == (17898, 8)  # Lyon et al. 2016
    assert pulsars["positive_fraction"] == pytest.approx(1639 / 17898)
    # WDBC (Street et al. 1993): 569 biopsies, 30 features, 212 malignant.
    assert (cancer["rows"], cancer["features"]) == (569, 30)
    assert cancer["positive_fraction"] == pytest.approx(212 / 569)
    assert run.values["n_digit_pixels"] == 64  # 8 x 8 images


@pytest.mark.slow
def test_what_transfers_matches_the_prose(run):
    pulsars, cancer = run.values["pulsar_results"], run.values["cancer_results"]
    # Both well above chance; published WDBC accuracies are ~0.97 (Street et al. 1993).
    assert pulsars["accuracy"] > 0.95 and cancer["accuracy"] > 0.94
    assert prose_number(LESSON, r"accuracy \*\*([\d.]+)\*\* on\n  pulsars") == round(
        pulsars["accuracy"], 2
    )
    assert prose_number(LESSON, r"pulsars and \*\*([\d.]+)\*\* on biopsies") == round(
        cancer["accuracy"], 2
    )
    assert prose_number(LESSON, r"ROC AUC \*\*([\d.]+)\*\* and") == round(pulsars["roc_auc"], 3)
    assert prose_number(LESSON, r"and \*\*([\d.]+)\*\*\. The balanced") == round(
        cancer["roc_auc"], 3
    )
    assert pulsars["balanced_accuracy"] < pulsars["accuracy"]
    assert prose_number(LESSON, r"lower for pulsars,\n  \*\*([\d.]+)\*\*") == round(
        pulsars["balanced_accuracy"], 2
    )
    # The outlier idea transfers worse to a common class.
    assert pulsars["outlier_auc"] > cancer["outlier_auc"]
    assert prose_number(LESSON, r"outlier ROC AUC\n  \*\*([\d.]+)\*\*") == round(
        pulsars["outlier_auc"], 2
    )
    assert prose_number(LESSON, r"less well \(\*\*([\d.]+)\*\*") == round(cancer["outlier_auc"], 2)
    assert (
        prose_number(LESSON, r"dimensions: \*\*(\d+)\*\* principal")
        == cancer["components_for_90pc"]
    )
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_student_version_runs_without_the_solutions(run):
    student = run_lesson(LESSON, True)
    assert "zero_digit_auc" not in student.values
    assert run.values["zero_digit_auc"] > 0.99
