"""Lesson 11, scaling out: a HATS catalogue built and cross-matched with LSDB on Dask."""

from __future__ import annotations

import pytest
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(11)


def test_claim_prerequisites_point_at_the_lessons_that_teach_them():
    # Claim: the prerequisites row. The NGC 188 proper-motion selection, cone search and
    # cross-match are taught in lesson 2 (not lesson 5, which clusters the Pleiades);
    # a cluster distance from its members' median parallax is taught in lesson 5.
    row = next(line for line in LESSON.read_text().splitlines() if "**Prerequisites**" in line)
    lesson_2, lesson_5 = lesson_path(2).read_text(), lesson_path(5).read_text()
    assert "lesson 2 (" in row and "NGC 188" in row.split("lesson 5")[0]
    assert "cone_search" in lesson_2 and "move like the cluster" in lesson_2
    assert "NGC 188" not in lesson_5
    assert "lesson 5 (" in row and "distance of the Pleiades" in lesson_5


def test_remote_catalogue_is_shown_but_not_run_offline():
    text = LESSON.read_text()
    assert "USE_REMOTE = False" in text
    assert 'lsdb.open_catalog(\n        "https://' in text


@pytest.mark.slow
def test_distributed_crossmatch_equals_the_in_memory_one(run):
    values = run.values
    # astropy's k-d tree match on the full tables is the independent reference.
    assert values["n_matches"] == values["n_matches_astropy"]
    assert 3500 < values["n_matches"] <= 4876  # at most one per Gaia source (4,876 rows)
    assert (
        prose_number(LESSON, r"\*\*([\d,]+)\*\* Gaia sources have a 2MASS") == values["n_matches"]
    )
    assert prose_number(LESSON, r"The same \*\*([\d,]+)\*\* pairs") == values["n_matches_astropy"]
    # 2MASS astrometry is good to ~0.1 arcsec (Skrutskie et al. 2006).
    assert values["median_separation_arcsec"] < 0.3
    assert prose_number(LESSON, r"median separation of\n\*\*([\d.]+)″\*\*") == round(
        values["median_separation_arcsec"], 2
    )
    # The data were really partitioned, into tiles of different sizes.
    assert values["n_gaia_partitions"] > 1
    assert len(values["gaia_orders"]) > 1


@pytest.mark.slow
def test_cluster_selection_gives_the_distance_of_ngc_188(run):
    values = run.values
    assert 300 < values["n_members"] < values["n_matches"]
    assert prose_number(LESSON, r"keeps \*\*(\d+)\*\* cluster") == values["n_members"]
    # Eclipsing binary distance 1.77 +- 0.08 kpc (Meibom et al. 2009) -> ~0.56 mas; Gaia DR3
    # parallaxes are ~0.02 mas too small (Lindegren et al. 2021).
    corrected_kpc = 1 / (values["member_parallax_mas"] + 0.02)
    assert corrected_kpc == pytest.approx(1.77, abs=0.2)
    assert prose_number(LESSON, r"median parallax, \*\*([\d.]+) mas\*\*") == round(
        values["member_parallax_mas"], 3
    )
    # The quiz asks for this distance: 1/parallax, before the zero-point correction.
    assert values["member_distance_kpc"] == pytest.approx(1 / values["member_parallax_mas"])
    assert prose_number(LESSON, r"puts NGC 188 at about ([\d.]+) kpc") == round(
        values["member_distance_kpc"], 1
    )
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_student_version_runs_without_the_solutions(run):
    student = run_lesson(LESSON, True)
    assert "n_matches_tight" not in student.values
    assert student.values["n_matches"] == run.values["n_matches"]
