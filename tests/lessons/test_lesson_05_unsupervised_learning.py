"""Lesson 5, unsupervised learning: the Pleiades recovered, its distance, validation."""

from __future__ import annotations

import re

import numpy as np
import pytest
from astrolearn import data
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
    # Claim: "HDBSCAN finds every one of the box members and adds 15 stars just outside".
    assert values["box_recovered"] == 1.0
    assert prose_number(LESSON, r"adds (\d+) stars just outside") == (
        values["n_members"] - values["n_box"]
    )
    assert prose_number(LESSON, r"largest has \*\*(\d+)\*\* stars") == values["n_members"]
    assert prose_number(LESSON, r"agree on \*\*(\d+)%\*\*") == round(
        100 * values["members_in_box"]
    )
    # k-means must also place field stars in the Pleiades cell: it is larger.
    assert values["kmeans_group_size"] > values["n_members"]


def test_claim_the_file_was_pre_cut():
    # Claim: "No parallax is below 3.01 mas (nothing farther than about 330 pc), no star
    # is fainter than G = 18.00, none has a RUWE ... above 1.39, and every parallax is at
    # least 15.8 times its error" (the data PROVENANCE infers the same cuts).
    stars = data.load("gaia_pleiades")
    parallax = np.asarray(stars["parallax"])
    assert 3.0 < parallax.min() < 3.02
    assert prose_number(LESSON, r"below \*\*([\d.]+)\*\* mas") == round(parallax.min(), 2)
    assert prose_number(LESSON, r"farther than about (\d+) pc") == pytest.approx(
        1000 / parallax.min(), abs=5
    )
    g = np.asarray(stars["phot_g_mean_mag"])
    assert prose_number(LESSON, r"fainter than \$G =\$ \*\*([\d.]+)\*\*") == round(g.max(), 2)
    assert prose_number(LESSON, r"above \*\*([\d.]+)\*\*, and every") == round(
        float(np.max(stars["ruwe"])), 2
    )
    snr = float(np.min(parallax / np.asarray(stars["parallax_error"])))
    assert prose_number(LESSON, r"at least \*\*([\d.]+)\*\* times its error") == round(snr, 1)


@pytest.mark.slow
def test_claim_the_second_hdbscan_group_is_an_artefact_of_the_parallax_cut(run):
    # Claim: "The Pleiades stay at 7.36 mas whatever the cut. The 'other group' follows
    # the cut: its lowest parallax is always the cut itself, and its median moves from
    # 3.81 to 4.87 mas as the cut moves from 3 to 4 mas."
    moved = run.values["moved_cut"]
    assert sorted(moved) == ["3.0", "3.5", "4.0"]
    for cut, found in moved.items():
        # A real cluster does not move; the artefact sits on the cut.
        assert found["cluster_median_mas"] == pytest.approx(7.36, abs=0.03)
        assert float(cut) < found["other_lowest_mas"] < float(cut) + 0.05
    medians = [moved[c]["other_median_mas"] for c in ("3.0", "3.5", "4.0")]
    assert medians == sorted(medians) and medians[-1] - medians[0] > 0.5
    assert prose_number(LESSON, r"The Pleiades stay at \*\*([\d.]+)\*\* mas") == round(
        moved["3.0"]["cluster_median_mas"], 2
    )
    assert prose_number(LESSON, r"median moves from \*\*([\d.]+)\*\*") == round(medians[0], 2)
    assert prose_number(LESSON, r"\*\*([\d.]+)\*\* mas as the cut moves") == round(medians[-1], 2)


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


def test_quiz_answers_are_computed_not_typed():
    # lessons/README.md, "Writing a quiz": a numeric answer is a value the lesson computed,
    # so that the quiz stays true when the data change.
    answers = re.findall(r"answer=([^,\n]+),", LESSON.read_text())
    assert len(answers) >= 3
    for answer in answers:
        assert not re.fullmatch(r"[-+\d.eE_]+", answer.strip()), answer


@pytest.mark.slow
def test_quiz_distance_modulus_matches_the_vlbi_distance(run):
    # The quiz asks for the Pleiades' distance modulus; Melis et al. (2014, Science 345,
    # 1029) measured 136.2 +- 1.2 pc by VLBI, a modulus of 5.671 +- 0.019 mag.
    assert run.values["pleiades_distance_modulus_mag"] == pytest.approx(
        5 * np.log10(136.2 / 10), abs=0.03
    )
