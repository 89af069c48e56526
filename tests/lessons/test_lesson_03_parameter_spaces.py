"""Lesson 3, parameter spaces: colours, HR diagram, Leavitt law, fundamental plane."""

from __future__ import annotations

import pytest
from harness import lesson_path, prose_number

LESSON = lesson_path(3)


def test_lesson_says_the_plane_data_is_real():
    text = LESSON.read_text()
    assert "real 6dF Galaxy Survey" in text and 'data.load("fundamental_plane_6dfgs")' in text


@pytest.mark.slow
def test_uv_excess_separates_low_redshift_quasars_only(run):
    values = run.values
    # Richards et al. 2002: UVX selection finds most z < 2.2 quasars, fails at z > 2.5.
    assert values["lowz_qso_uvx_fraction"] > 0.9
    assert values["star_uvx_fraction"] < 0.01
    assert values["highz_qso_uvx_fraction"] < 0.2
    quoted_low = prose_number(LESSON, r"keeps \*\*(\d+)%\*\* of the quasars")
    quoted_high = prose_number(LESSON, r"only \*\*(\d+)%\*\* of the quasars")
    assert quoted_low == round(100 * values["lowz_qso_uvx_fraction"])
    assert quoted_high == round(100 * values["highz_qso_uvx_fraction"])


@pytest.mark.slow
def test_hr_sample_is_within_100_pc(run):
    assert run.values["n_hr_stars"] == 4096
    assert run.values["max_distance_pc"] <= 100.0


@pytest.mark.slow
def test_leavitt_law_and_cloud_distances(run):
    values = run.values
    # Soszynski et al. 2008 (same OGLE-III data): W_I slope -3.314 +- 0.009 for LMC F mode.
    assert values["leavitt_slope"] == pytest.approx(-3.314, abs=0.03)
    assert prose_number(LESSON, r"fitted slope is \*\*−([\d.]+)\*\*") == pytest.approx(
        -values["leavitt_slope"], abs=0.0005
    )
    # Eclipsing binaries: mu_SMC - mu_LMC = 18.977 - 18.477 = 0.50 mag.
    assert values["modulus_difference_mag"] == pytest.approx(0.50, abs=0.08)
    quoted = prose_number(LESSON, r"SMC is about \*\*([\d.]+) mag\*\*")
    assert quoted == round(values["modulus_difference_mag"], 2)
    assert prose_number(LESSON, r"about \*\*([\d.]+) times\*\* farther") == round(
        values["distance_ratio"], 2
    )


@pytest.mark.slow
def test_fundamental_plane_fits_bracket_the_published_one(run):
    values = run.values
    # PROVENANCE of the bundled file: OLS gives logRe = 0.76 logsigma - 0.72 logIe + 0.87.
    assert values["ols_a"] == pytest.approx(0.76, abs=0.01)
    assert values["ols_b"] == pytest.approx(-0.72, abs=0.01)
    # Magoulas et al. 2012: a = 1.52 +- 0.03, b = -0.89 +- 0.01; virial a = 2, b = -1.
    assert values["ols_a"] < values["orthogonal_a"] < values["corrected_a"] < 2
    assert values["corrected_a"] == pytest.approx(1.52, abs=0.2)
    assert values["corrected_b"] == pytest.approx(-0.89, abs=0.1)
    assert prose_number(LESSON, r"orthogonal\nfit \*\*([\d.]+)\*\*") == round(
        values["orthogonal_a"], 2
    )
    assert prose_number(LESSON, r"errors removed \*\*([\d.]+)\*\*") == round(
        values["corrected_a"], 2
    )
    assert run.figures_without_alt == []
