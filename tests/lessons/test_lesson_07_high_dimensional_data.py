"""Lesson 7, high-dimensional data: the fundamental plane, PCA, t-SNE, the curse, gaps."""

from __future__ import annotations

import numpy as np
import pytest
from astrolearn import data
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(7)


@pytest.mark.slow
def test_fundamental_plane_is_thin_and_its_coefficients_match(run):
    values = run.values
    # Galaxies lie on a plane: the thinnest direction holds a few per cent of the variance.
    assert values["fp_thinnest_fraction"] < 0.05
    assert prose_number(LESSON, r"carries only \*\*([\d.]+)%\*\*") == round(
        100 * values["fp_thinnest_fraction"], 1
    )
    # Data PROVENANCE: unweighted least squares gives log Re = 0.76 log s - 0.72 log Ie.
    assert values["ols_a"] == pytest.approx(0.76, abs=0.01)
    assert values["ols_b"] == pytest.approx(-0.72, abs=0.01)
    # The orthogonal fit is steeper than least squares and closer to Magoulas et al.
    # 2012 (a = 1.52, b = -0.89), as the prose explains.
    assert values["ols_a"] < values["fp_a"] < 1.6
    assert -0.95 < values["fp_b"] < -0.7
    assert prose_number(LESSON, r"\$a = \$ \*\*([\d.]+)\*\*, \$b") == round(values["fp_a"], 2)
    assert prose_number(LESSON, r"\$b = \$ \*\*−([\d.]+)\*\*") == round(-values["fp_b"], 2)
    assert prose_number(LESSON, r"shallower \$a = \$ \*\*([\d.]+)\*\*") == round(
        values["ols_a"], 2
    )


@pytest.mark.slow
def test_photometry_pca_is_brightness_first(run):
    values = run.values
    assert values["mags_pc1_fraction"] > 0.7
    assert prose_number(LESSON, r"first component holds \*\*(\d+)%\*\*") == round(
        100 * values["mags_pc1_fraction"]
    )
    assert prose_number(LESSON, r"first two together hold \*\*(\d+)%\*\*") == round(
        100 * values["mags_two_pc_fraction"]
    )


@pytest.mark.slow
def test_curse_of_dimensionality_is_demonstrated(run):
    values = run.values
    contrast = values["distance_contrast"]
    assert contrast["2"] > contrast["10"] > contrast["100"] > contrast["1000"]
    assert contrast["1000"] < 0.2  # theory: contrast ~ 1/sqrt(d) for uniform points
    accuracy = values["knn_accuracy"]
    assert accuracy["0"] > 0.8
    assert accuracy["0"] - accuracy["64"] > 0.1
    assert prose_number(LESSON, r"k-NN classifies \*\*(\d+)%\*\*") == round(100 * accuracy["0"])
    assert prose_number(LESSON, r"64 useless\ncolumns added, \*\*(\d+)%\*\*") == round(
        100 * accuracy["64"]
    )


@pytest.mark.slow
def test_claim_first_is_an_ab_magnitude_and_rosat_a_log_count_rate(run):
    # Claim: "the FIRST column is not a flux in mJy but the 20 cm peak flux density written
    # as an AB magnitude; its faintest detection, 16.4, is 1.00 mJy, the FIRST detection
    # limit, and its brightest about 3,110 mJy"; "The ROSAT column is the log10 of an
    # X-ray count rate ... all but 171". FIRST's limit is about 1 mJy (Becker, White &
    # Helfand 1995). The AB zero point, 3631 Jy, is computed here independently.
    import astropy.units as u

    values = run.values
    first = np.asarray(data.load("sdss_quasars")["first"], float)
    faintest = 3631e3 * 10 ** (-0.4 * first[first > 0].max())
    assert faintest == pytest.approx(1.0, abs=0.1)
    assert values["faintest_first_mjy"] == pytest.approx(faintest, rel=1e-3)
    assert prose_number(LESSON, r"16\.4, is\n  \*\*([\d.]+) mJy\*\*") == round(faintest, 2)
    brightest = 3631e3 * 10 ** (-0.4 * first[first > 0].min())
    assert prose_number(LESSON, r"brightest about \*\*([\d,]+) mJy\*\*") == pytest.approx(
        brightest, rel=0.01
    )
    assert data.load("sdss_quasars")["rosat"].unit == u.dex(u.ct / u.s)
    rosat = np.asarray(data.load("sdss_quasars")["rosat"], float)
    assert prose_number(LESSON, r"all but \*\*(\d+)\*\*") == int(np.sum(rosat > -9))
    assert "radio flux in mJy" not in LESSON.read_text()


@pytest.mark.slow
def test_missing_values_are_counted_as_in_the_data(run):
    values = run.values
    # Counted from SDSS_QSO.dat (PROVENANCE: about 22 zero magnitudes per band; FIRST -1
    # outside the footprint): 23 zero u magnitudes, 1,942 / 5,957 / 364 FIRST codes.
    assert values["n_zero_u"] == 23
    assert (
        values["n_not_in_first"],
        values["n_first_undetected"],
        values["n_first_detected"],
    ) == (1942, 5957, 364)
    assert (
        prose_number(LESSON, r"\*\*([\d,]+)\*\* quasars are outside") == values["n_not_in_first"]
    )
    assert prose_number(LESSON, r"\*\*([\d,]+)\*\* were observed") == values["n_first_undetected"]
    assert values["sentinel_pc1_fraction"] > values["clean_pc1_fraction"]
    assert prose_number(LESSON, r"Dropping just \*\*(\d+)\*\* rows") == values["n_rows_dropped"]
    assert prose_number(LESSON, r"variance from \*\*(\d+)%\*\*") == round(
        100 * values["sentinel_pc1_fraction"]
    )
    assert prose_number(LESSON, r"to \*\*(\d+)%\*\*: a handful") == round(
        100 * values["clean_pc1_fraction"]
    )
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_student_version_runs_without_the_solutions(run):
    student = run_lesson(LESSON, True)
    assert "fp_thinnest_standardised" not in student.values
    assert student.values["fp_a"] == pytest.approx(run.values["fp_a"])


@pytest.mark.slow
def test_quiz_answers_match_the_data(run):
    # The quizzes ask for the plane's share of the variance, the second component's share
    # of the magnitudes' variance (answerable from the prose: 97% - 85%), and the fraction
    # of the quasars FIRST observed that it detected, counted here from the data.
    values = run.values
    assert values["fp_plane_fraction"] == pytest.approx(1 - values["fp_thinnest_fraction"])
    prose_pc2 = (
        prose_number(LESSON, r"first two together hold \*\*(\d+)%\*\*")
        - prose_number(LESSON, r"first component holds \*\*(\d+)%\*\*")
    ) / 100
    assert values["mags_pc2_fraction"] == pytest.approx(prose_pc2, abs=0.01)
    first = np.asarray(data.load("sdss_quasars")["first"], float)
    observed = first != -1
    assert values["first_detected_fraction"] == pytest.approx(np.mean(first[observed] > 0))
    # The quiz calls -1 and 0 codes: as AB magnitudes they would outshine every detection.
    assert values["brightest_first_mjy"] < 3631e3  # AB magnitude 0, in mJy
