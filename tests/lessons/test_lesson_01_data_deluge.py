"""Lesson 1, the data deluge: runs offline and its numbers match the literature."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from astrolearn import data
from harness import REPO, lesson_path, prose_number, prose_text

LESSON = lesson_path(1)
PROVENANCE = REPO / "widgets/astrolearn/data/provenance/sdss_dr17_star_classification_30k.md"

#: The published volumes the lesson fits, each as its source states it.
PUBLISHED_VOLUMES_TB = {
    1999: 3.0,  # DPOSS: "~3 TB of pixel data" (Djorgovski et al., AAS 193, abstract 13.01)
    2004: 6.0,  # SDSS DR2 news release, 15 March 2004: "six terabytes of images and catalogs"
    2010: 20.0,  # Symmetry Magazine: "Between 2000 and 2010, SDSS collected 20 terabytes"
    2019: 1600.0,  # Pan-STARRS1 DR2 press release, January 2019: "1.6 petabytes"
}


def _least_squares_slope(x: list[float], y: list[float]) -> float:
    """Slope of y on x from the textbook formula (not numpy's polyfit, which the lesson uses)."""
    mean_x, mean_y = sum(x) / len(x), sum(y) / len(y)
    covariance = sum((a - mean_x) * (b - mean_y) for a, b in zip(x, y, strict=True))
    return covariance / sum((a - mean_x) ** 2 for a in x)


@pytest.mark.slow
def test_claim_flagship_survey_volumes_double_in_about_two_years(run):
    # Claim: "The fit gives a doubling time of about **2.2 years** for single flagship
    # surveys, a little slower than the 1.5 years quoted for astronomy as a whole."
    # Checked against a least-squares fit by hand of the published volumes.
    years = list(PUBLISHED_VOLUMES_TB)
    slope = _least_squares_slope(years, [math.log2(v) for v in PUBLISHED_VOLUMES_TB.values()])
    assert run.values["doubling_time_yr"] == pytest.approx(1 / slope, rel=1e-9)
    assert run.values["doubling_time_yr"] > 1.5  # "a little slower"
    quoted = prose_number(LESSON, r"doubling time of about \*\*([\d.]+) years\*\*")
    assert quoted == round(run.values["doubling_time_yr"], 1)
    # The two-point exercise: DPOSS (3 TB, 1999) to Pan-STARRS1 DR2 (1.6 PB, 2019).
    two_point = 20 / math.log2(1600 / 3)
    assert run.values["doubling_time_two_points_yr"] == pytest.approx(two_point, rel=1e-6)


def test_claim_published_volumes_name_sources_that_exist():
    # Claim: the survey table "Each number comes with its source"; LSST "several million
    # alerts per night" and "about 15 TB of raw imaging data every night (about 20 TB with
    # the calibration exposures)", against "about 16 TB" for SDSS-I/II imaging (Ivezic et
    # al. 2019, ApJ 873, 111, section 3 and conclusions). The sources that could not be
    # found (an IEEE Spectrum article; "10 million alerts" attributed to Ivezic et al.)
    # must not come back.
    text = LESSON.read_text()
    assert "IEEE Spectrum" not in text
    assert "10 million alerts" not in text and "10_000_000" not in text
    assert "several million alerts" in text and '"several million"' in text
    assert "SDSS news release, 15 Mar. 2004" in text
    assert "AAS meeting 193 (Jan. 1999), abstract 13.01" in text
    prose = prose_text(LESSON)
    assert "about 15 TB of raw imaging data" in prose
    assert "about\n20 TB with the calibration" in prose
    assert "about 16 TB" in prose


@pytest.mark.slow
def test_claim_one_glance_per_gaia_source_takes_57_years(run):
    # Claim: "That is about **57 years** for a single glance at every source".
    # Gaia DR3: 1,811,709,771 sources (Vallenari et al. 2023); a Julian year is 31,557,600 s.
    assert run.values["human_years_gaia"] == pytest.approx(1_811_709_771 / 31_557_600)
    assert prose_number(LESSON, r"about \*\*(\d+) years\*\* for a single glance") == round(
        run.values["human_years_gaia"]
    )


@pytest.mark.slow
def test_claim_lsst_alerts_arrive_at_139_per_second(run):
    # Claim: 'Take 5 million for LSST's "several million" alerts, and a night of about 10
    # hours'; "about **139 alerts per second**". Checked by hand: 5e6 / 36,000 s.
    assert run.values["lsst_alerts_per_night"] == 5_000_000
    assert run.values["alerts_per_second"] == pytest.approx(5e6 / 36_000)
    assert prose_number(LESSON, r"about \*\*(\d+) alerts per second\*\*") == round(
        run.values["alerts_per_second"]
    )


def _provenance_counts() -> dict[str, int]:
    text = PROVENANCE.read_text()
    counts = {
        name: int(number.replace(",", ""))
        for name, number in re.findall(r"(GALAXY|STAR|QSO) ([\d,]+)", text.split("Classes:")[1])
    }
    counts["rows"] = int(re.search(r"first ([\d,]+) rows", text)[1].replace(",", ""))
    return counts


@pytest.mark.slow
def test_claim_the_sdss_sample_is_the_first_rows_and_mostly_galaxies(run):
    # Claim: "These **29,999** objects are the first rows of a 100,000-row extraction ...
    # **58%** are galaxies". Checked against the data's PROVENANCE (rows and classes).
    expected = _provenance_counts()
    values = run.values
    assert values["sdss_rows"] == expected["rows"]
    assert values["class_counts"] == {n: expected[n] for n in ("GALAXY", "STAR", "QSO")}
    assert (
        prose_number(LESSON, r"These \*\*([\d,]+)\*\* objects are the first rows")
        == (expected["rows"])
    )
    galaxy_fraction = expected["GALAXY"] / expected["rows"]
    assert galaxy_fraction > 0.5  # "mostly galaxies"
    assert prose_number(LESSON, r"\*\*(\d+)%\*\* are galaxies") == round(100 * galaxy_fraction)
    assert "100,000 rows" in PROVENANCE.read_text()


@pytest.mark.slow
def test_claim_most_objects_have_r_between_16_and_22(run):
    # Claim: "**91%** of them have $16 < r < 22$" (and the figure's alt text: "most objects
    # lie between r of 16 and 22"). Recounted from astrolearn.data.load.
    r = np.asarray(data.load("sdss_dr17")["r"], dtype=float)
    inside = int(np.count_nonzero((r > 16) & (r < 22)))
    assert inside / len(r) > 0.5
    assert run.values["r_16_to_22_fraction"] == pytest.approx(inside / len(r))
    assert prose_number(LESSON, r"\*\*(\d+)%\*\* of them have \$16 < r < 22\$") == round(
        100 * inside / len(r)
    )


def test_claim_the_magnitudes_are_not_called_plain_ab():
    # Claim: "SDSS *ugriz* magnitudes in the "asinh" form ... on a system close to, but not
    # exactly, AB; the data set does not say which of SDSS's magnitudes ... Positions are
    # right ascension and declination in degrees (J2000)." The data's description says
    # "asinh AB" and "J2000"; PROVENANCE says the flavour is not stated.
    sdss = data.load("sdss_dr17")
    assert "asinh" in sdss["r"].description and "J2000" in sdss["ra"].description
    assert "flavour is not stated" in PROVENANCE.read_text()
    prose = prose_text(LESSON)
    assert "ugriz* AB\nmagnitudes" not in prose and "ICRS degrees" not in prose
    assert "close\nto, but not exactly, AB" in prose and "(J2000)" in prose


@pytest.mark.slow
def test_figures_have_alt_text(run):
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_quiz_answer_one_night_of_alerts_takes_two_months_to_glance_at(run):
    # The quiz asks how many days, at one glance per second around the clock, a night of
    # LSST alerts takes: 5 million alerts over 86,400 s per day.
    assert run.values["days_to_glance_one_night"] == pytest.approx(5e6 / 86_400)
    # The fitted slope is 1 / doubling time, in doublings per year.
    assert run.values["slope"] == pytest.approx(1 / run.values["doubling_time_yr"])
