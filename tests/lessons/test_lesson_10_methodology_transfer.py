"""Lesson 10, methodology transfer: one pipeline on pulsars, biopsies and digits."""

from __future__ import annotations

import numpy as np
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
def test_claim_a_rare_class_need_not_be_an_outlier(run):
    # Claim: "the zeros are 9.9% of the digits, but the Isolation Forest ranks them worse
    # than chance (ROC AUC 0.45, where 0.5 is a random ranking)". Zeros are about as
    # rare as pulsars, whose outlier AUC is far higher.
    from sklearn.datasets import load_digits

    values = run.values
    zeros = float(np.mean(load_digits().target == 0))
    assert values["zero_fraction"] == pytest.approx(zeros)
    assert abs(zeros - values["pulsar_results"]["positive_fraction"]) < 0.02
    assert values["zero_outlier_auc"] < 0.5 < values["pulsar_results"]["outlier_auc"]
    assert prose_number(LESSON, r"zeros are \*\*([\d.]+)%\*\* of the digits") == round(
        100 * zeros, 1
    )
    assert prose_number(LESSON, r"chance\* \(ROC AUC \*\*([\d.]+)\*\*") == round(
        values["zero_outlier_auc"], 2
    )
    assert "Outlier detection finds what is rare." not in LESSON.read_text()


def test_claim_prerequisites_point_at_the_lessons_that_teach_them():
    # Claim: the prerequisites row. ROC AUC and the Isolation Forest are taught in
    # lesson 6, PCA and t-SNE in lesson 7, calibration in lesson 8, balanced accuracy in
    # lesson 4: each named lesson must contain what it is cited for.
    row = next(line for line in LESSON.read_text().splitlines() if "**Prerequisites**" in line)
    for number, topic in (
        (4, "balanced accuracy"),
        (6, "ROC AUC"),
        (6, "Isolation Forest"),
        (7, "t-SNE"),
        (7, "PCA"),
        (8, "calibrat"),
    ):
        assert f"lesson {number} (" in row
        assert topic.lower() in lesson_path(number).read_text().lower(), (number, topic)


def test_claim_no_unverifiable_citation():
    # Claim: the reading list. It cited "Djorgovski et al. 2016 ... IEEE e-Science",
    # which could not be found; it must not come back.
    assert "Djorgovski et al. 2016" not in LESSON.read_text()


@pytest.mark.slow
def test_student_version_runs_without_the_solutions(run):
    student = run_lesson(LESSON, True)
    assert "zero_digit_auc" not in student.values
    assert run.values["zero_digit_auc"] > 0.99
