"""Lesson 2, the Virtual Observatory: runs with the network cut, through the fallbacks."""

from __future__ import annotations

import pytest
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(2)


def test_lesson_shows_the_raw_pyvo_code_with_timeouts():
    text = LESSON.read_text()
    # The raw pyvo equivalent is shown, with a timeout on every request.
    assert "pyvo.dal.TAPService(" in text and "timeout" in text


@pytest.mark.slow
def test_offline_run_uses_the_bundled_snapshots(run):
    values = run.values
    assert values["query_source"].startswith("offline")
    # SIMBAD: M31 at 00h42m44.33s +41d16m07.5s = (10.684708, 41.268750) deg.
    assert values["m31_ra_deg"] == pytest.approx(10.684708, abs=1e-4)
    assert values["m31_dec_deg"] == pytest.approx(41.268750, abs=1e-4)


@pytest.mark.slow
def test_cone_and_query_numbers_match_the_prose(run):
    values = run.values
    assert values["n_cone"] > 1000  # the bundled 0.5-degree G < 19 cone covers 0.25 deg
    assert 0 < values["n_comoving"] < values["n_cone"]
    assert prose_number(LESSON, r"About \*\*(\d+)%\*\* of the stars") == round(
        100 * values["comoving_fraction"]
    )


@pytest.mark.slow
def test_cross_match_finds_true_counterparts(run):
    values = run.values
    # Bright Gaia stars (G < 16) are all well detected by 2MASS.
    assert values["bright_match_fraction"] > 0.95
    # vo.xmatch keeps every pair, the nearest-neighbour match one per Gaia star.
    assert values["n_pairs"] >= values["n_astropy_pairs"] > 0.8 * values["n_cone"]
    # Gaia and 2MASS astrometry agree to well under an arcsecond (2MASS: ~0.1 arcsec rms).
    assert values["median_separation_arcsec"] < 0.3
    assert prose_number(LESSON, r"median\nseparation of \*\*([\d.]+)\*\* arcsec") == round(
        values["median_separation_arcsec"], 2
    )
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_student_version_runs_without_the_solutions():
    student = run_lesson(LESSON, True)
    assert "n_bright" not in student.values and "m31_ra_deg" not in student.values
    assert student.values["n_pairs"] > 0
