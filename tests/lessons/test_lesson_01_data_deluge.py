"""Lesson 1, the data deluge: runs offline and its numbers match the literature."""

from __future__ import annotations

import math

import pytest
from harness import lesson_path, prose_number

LESSON = lesson_path(1)


@pytest.mark.slow
def test_doubling_time_matches_the_published_volumes(run):
    # DPOSS ~3 TB (1999) to Pan-STARRS1 DR2 1.6 PB (2019): 20 yr / log2(1600/3) = 2.21 yr.
    two_point = 20 / math.log2(1600 / 3)
    assert run.values["doubling_time_yr"] == pytest.approx(two_point, abs=0.15)
    assert run.values["doubling_time_two_points_yr"] == pytest.approx(two_point, rel=1e-6)
    quoted = prose_number(LESSON, r"doubling time of about \*\*([\d.]+) years\*\*")
    assert quoted == round(run.values["doubling_time_yr"], 1)


@pytest.mark.slow
def test_human_inspection_and_alert_rates(run):
    # Gaia DR3: 1,811,709,771 sources (Vallenari et al. 2023); a Julian year is 31,557,600 s.
    assert run.values["human_years_gaia"] == pytest.approx(1_811_709_771 / 31_557_600)
    assert prose_number(LESSON, r"about \*\*(\d+) years\*\* for a single glance") == round(
        run.values["human_years_gaia"]
    )
    # LSST: 1e7 alerts per ~10 h night (Ivezic et al. 2019) = 277.8 per second.
    assert run.values["alerts_per_second"] == pytest.approx(1e7 / 36_000)
    assert prose_number(LESSON, r"about \*\*(\d+) alerts per second\*\*") == round(
        run.values["alerts_per_second"]
    )


@pytest.mark.slow
def test_sdss_sample_is_the_real_one_and_figures_have_alt_text(run):
    assert run.values["sdss_rows"] == 29_999
    counts = run.values["class_counts"]
    assert sum(counts.values()) == 29_999
    # SDSS17 is galaxy-dominated: galaxies > stars > quasars in the spectroscopic sample.
    assert counts["GALAXY"] > counts["STAR"] > counts["QSO"] > 1000
    assert run.figures_without_alt == []
