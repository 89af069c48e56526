"""Lesson 5, unsupervised learning: the Pleiades recovered, its distance, validation."""

from __future__ import annotations

import pytest
from harness import lesson_path, prose_number, run_lesson

LESSON = lesson_path(5)


@pytest.mark.slow
def test_pleiades_distance_matches_the_literature_and_the_prose(run):
    distance = run.values["pleiades_distance_pc"]
    # VLBI: 136.2 +- 1.2 pc (Melis et al. 2014); Gaia DR2: 135.8 pc (Babusiaux et al. 2018).
    assert distance == pytest.approx(136.2, abs=2.4)
    assert prose_number(LESSON, r"at about \*\*(\d+) pc\*\*") == round(distance)
    assert prose_number(LESSON, r"\*\*136 pc\*\* \(([\d.]+) pc\)") == round(distance, 1)
    # The box-cut members of the data PROVENANCE: median parallax 7.361 mas -> 135.85 pc.
    assert run.values["box_distance_pc"] == pytest.approx(1000 / 7.361, rel=1e-3)


@pytest.mark.slow
def test_clustering_recovers_the_independent_membership(run):
    values = run.values
    assert values["n_box"] == 384  # PROVENANCE: 384 members by the simple box cut
    assert values["box_recovered"] > 0.97
    assert values["members_in_box"] > 0.9
    assert prose_number(LESSON, r"largest has \*\*(\d+)\*\* stars") == values["n_members"]
    assert prose_number(LESSON, r"agree on \*\*(\d+)%\*\*") == round(
        100 * values["members_in_box"]
    )
    # k-means must also place field stars in the Pleiades cell: it is larger.
    assert values["kmeans_group_size"] > values["n_members"]


@pytest.mark.slow
def test_choice_of_k_numbers_match_the_prose(run):
    values = run.values
    assert prose_number(LESSON, r"silhouette prefers \*\*(\d+)\*\*") == values["best_k_silhouette"]
    assert prose_number(LESSON, r"BIC \*\*(\d+)\*\*") == values["best_k_bic"]
    assert values["best_k_silhouette"] != values["best_k_bic"]  # the prose says they disagree
    assert values["inertias"] == sorted(values["inertias"], reverse=True)
    assert run.figures_without_alt == []


@pytest.mark.slow
def test_student_version_runs_without_the_solutions():
    student = run_lesson(LESSON, True)
    assert "box_distance_pc" not in student.values
    assert "kmeans_group_size" not in student.values
    assert student.values["pleiades_distance_pc"] == pytest.approx(135.85, abs=0.1)
