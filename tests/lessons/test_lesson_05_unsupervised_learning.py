"""Lesson 5, unsupervised learning: the Pleiades recovered, its distance, validation."""

from __future__ import annotations

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


@pytest.mark.slow
def test_quiz_distance_modulus_matches_the_vlbi_distance(run):
    # The quiz asks for the Pleiades' distance modulus; Melis et al. (2014, Science 345,
    # 1029) measured 136.2 +- 1.2 pc by VLBI, a modulus of 5.671 +- 0.019 mag.
    assert run.values["pleiades_distance_modulus_mag"] == pytest.approx(
        5 * np.log10(136.2 / 10), abs=0.03
    )


# --- The self-organising map and fuzzy c-means --------------------------------------


def _scaled_astrometry():
    """The 720 stars' (pmra, pmdec, parallax), standard-scaled by hand, and HDBSCAN members."""
    from astrolearn.ml import cluster

    stars = data.load("gaia_pleiades")
    raw = np.column_stack([np.asarray(stars[n], float) for n in ("pmra", "pmdec", "parallax")])
    scaled = (raw - raw.mean(0)) / raw.std(0)
    return raw, scaled, cluster.find_star_cluster(stars, min_cluster_size=40)


def _som_of_the_stars():
    from astrolearn.ml.som import SelfOrganisingMap

    _, scaled, members = _scaled_astrometry()
    return SelfOrganisingMap(rows=10, columns=10, n_epochs=20).fit(scaled), scaled, members


@pytest.mark.slow
def test_claim_the_pleiades_are_a_low_u_valley_of_the_map(run):
    # Claim: "29 nodes hold mostly HDBSCAN members, and only 1 node holds members and
    # field stars together. Their median U is 0.11, against 0.71 for the field's nodes";
    # "a step ... to a neighbour outside the valley covers 0.70 ..., more than ten times a
    # step inside the valley (0.06) and about as much as a step between two field nodes
    # (0.66)". Checked against a U-matrix and steps computed here node by node from the
    # map's weights, and against the stars' own nearest-neighbour distances (no map).
    from sklearn.neighbors import NearestNeighbors

    som, scaled, members = _som_of_the_stars()
    weights = som.weights_
    node = np.argmin(
        ((scaled[:, None, :] - weights.reshape(100, 1, 3).transpose(1, 0, 2)) ** 2).sum(-1), axis=1
    )
    hits = np.bincount(node, minlength=100).reshape(10, 10)
    member_hits = np.bincount(node[members], minlength=100).reshape(10, 10)
    pleiades = member_hits > hits / 2
    field = (hits > 0) & ~pleiades
    u = np.zeros((10, 10))
    steps = {"rim": [], "inside": [], "outside": []}
    for r in range(10):
        for c in range(10):
            near = [
                (r + dr, c + dc)
                for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1))
                if 0 <= r + dr < 10 and 0 <= c + dc < 10
            ]
            u[r, c] = np.mean([np.linalg.norm(weights[r, c] - weights[n]) for n in near])
            for n in near:
                if n > (r, c):  # each pair of neighbours once
                    kind = (
                        "inside"
                        if pleiades[r, c] and pleiades[n]
                        else "outside"
                        if not pleiades[r, c] and not pleiades[n]
                        else "rim"
                    )
                    steps[kind].append(np.linalg.norm(weights[r, c] - weights[n]))
    values = run.values
    assert values["n_pleiades_nodes"] == int(pleiades.sum())
    assert values["n_shared_nodes"] == int(np.sum((member_hits > 0) & (member_hits < hits)))
    assert values["n_shared_nodes"] <= 2  # the map separates members from the field
    assert values["pleiades_u_median"] == pytest.approx(np.median(u[pleiades]), rel=1e-6)
    assert values["field_u_median"] == pytest.approx(np.median(u[field]), rel=1e-6)
    for kind in steps:
        assert values[f"{kind}_step"] == pytest.approx(np.median(steps[kind]), rel=1e-6)
    assert values["pleiades_u_median"] < 0.3 * values["field_u_median"]
    assert values["rim_step"] > 10 * values["inside_step"]
    assert 0.8 < values["rim_step"] / values["outside_step"] < 1.25
    # The valley stands for a compact group: members' 5th-nearest-neighbour distances in
    # the scaled astrometry are a small fraction of the field stars'.
    distance, _ = NearestNeighbors(n_neighbors=6).fit(scaled).kneighbors(scaled)
    assert np.median(distance[members, 5]) < 0.2 * np.median(distance[~members, 5])
    quoted = {
        r"\*\*(\d+)\*\* nodes hold mostly HDBSCAN members": values["n_pleiades_nodes"],
        r"only\n  \*\*(\d+)\*\* node holds members": values["n_shared_nodes"],
        r"Their median U is \*\*([\d.]+)\*\*": round(values["pleiades_u_median"], 2),
        r"against\n  \*\*([\d.]+)\*\* for the field's nodes": round(values["field_u_median"], 2),
        r"valley covers \*\*([\d.]+)\*\* in scaled units": round(values["rim_step"], 2),
        r"inside the valley \(\*\*([\d.]+)\*\*\)": round(values["inside_step"], 2),
        r"two field nodes \(\*\*([\d.]+)\*\*\)": round(values["outside_step"], 2),
    }
    for pattern, value in quoted.items():
        assert prose_number(LESSON, pattern) == value, pattern


@pytest.mark.slow
def test_claim_training_lowers_the_quantisation_error(run):
    # Claim: "The quantisation error falls from 0.97 after the first epoch to 0.22 after
    # the last". Checked against the mean distance of each star to its nearest node,
    # computed here from the trained weights.
    som, scaled, _ = _som_of_the_stars()
    nodes = som.weights_.reshape(-1, 3)
    nearest = np.sqrt(((scaled[:, None, :] - nodes[None]) ** 2).sum(-1)).min(1)
    values = run.values
    assert values["som_final_error"] == pytest.approx(nearest.mean(), rel=1e-6)
    assert values["som_final_error"] < 0.5 * values["som_first_error"]
    assert prose_number(LESSON, r"falls from \*\*([\d.]+)\*\* after the first epoch") == round(
        values["som_first_error"], 2
    )
    assert prose_number(LESSON, r"to \*\*([\d.]+)\*\* after the\nlast") == round(
        values["som_final_error"], 2
    )


@pytest.mark.slow
def test_claim_the_highest_u_peak_holds_the_fastest_stars(run):
    # Claim: the highest peak "is the node of the 3 stars with the largest proper motions
    # in the field, moving at 265 km/s or more across the line of sight" (halo-like: above
    # the 200 km/s of Gaia Collaboration, Babusiaux et al. 2018). Checked against the
    # catalogue: v_t = 4.74 km/s x (proper motion in mas/yr) / (parallax in mas).
    raw, _, _ = _scaled_astrometry()
    total_pm = np.hypot(raw[:, 0], raw[:, 1])
    fastest = np.argsort(total_pm)[-3:]
    speeds = 4.74 * total_pm[fastest] / raw[fastest, 2]
    assert np.all(speeds > 200)
    values = run.values
    assert values["n_peak_stars"] == 3 and values["peak_are_fastest"] is True
    assert values["peak_slowest_kms"] == pytest.approx(speeds.min(), rel=1e-9)
    assert prose_number(LESSON, r"the node of the\n  \*\*(\d+)\*\* stars") == 3
    assert prose_number(LESSON, r"moving at \*\*(\d+)\*\* km/s or") == round(speeds.min())


@pytest.mark.slow
def test_claim_fuzzy_memberships_single_out_the_doubtful_kmeans_stars(run):
    # Claim: "k-means puts 451 stars in the Pleiades group; HDBSCAN counts 398 of them as
    # members ... 393 stars have a membership above 0.9, and every one of them is an
    # HDBSCAN member (393). The other 58 stars of the k-means group have memberships of
    # 0.9 or less, and only 5 of them are HDBSCAN members"; "With m = 1.1 ... the split
    # differs from k-means' for 0 stars" ("a star's larger membership is 0.99 on
    # average"). Checked against scikit-learn's KMeans, and
    # against fuzzy c-means memberships that are verified here to satisfy Bezdek's two
    # fixed-point equations (centres = u^m-weighted means; u from the distance ratios).
    from astrolearn.ml.fuzzy import FuzzyCMeans
    from sklearn.cluster import KMeans

    _, scaled, members = _scaled_astrometry()
    kmeans = KMeans(n_clusters=2, n_init=4, random_state=0).fit_predict(scaled)
    kmeans_pleiades = kmeans == np.bincount(kmeans[members]).argmax()
    model = FuzzyCMeans(n_clusters=2, m=2.0, random_state=0).fit(scaled)
    u = model.memberships_
    weight = u**2
    centres = weight.T @ scaled / weight.sum(0)[:, None]
    assert np.allclose(centres, model.cluster_centers_, atol=1e-4)
    distance = np.linalg.norm(scaled[:, None, :] - centres[None], axis=-1)
    by_hand = 1 / ((distance[:, :, None] / distance[:, None, :]) ** 2).sum(-1)
    assert np.allclose(by_hand, u, atol=1e-4)
    pleiades_u = u[:, np.bincount(u.argmax(1)[members]).argmax()]
    firm = pleiades_u > 0.9
    doubtful = kmeans_pleiades & ~firm
    values = run.values
    expected = {
        "n_kmeans_pleiades": (int(kmeans_pleiades.sum()), r"k-means puts \*\*(\d+)\*\* stars"),
        "n_kmeans_pleiades_hdbscan": (
            int(np.sum(kmeans_pleiades & members)),
            r"HDBSCAN counts \*\*(\d+)\*\* of them",
        ),
        "n_firm": (int(firm.sum()), r"\*\*(\d+)\*\* stars have a membership"),
        "n_firm_hdbscan": (int(np.sum(firm & members)), r"HDBSCAN member \(\*\*(\d+)\*\*\)"),
        "n_doubtful": (int(doubtful.sum()), r"The other \*\*(\d+)\*\* stars"),
        "n_doubtful_hdbscan": (int(np.sum(doubtful & members)), r"only \*\*(\d+)\*\* of them"),
    }
    for name, (value, pattern) in expected.items():
        assert values[name] == value, name
        assert prose_number(LESSON, pattern) == value, pattern
    assert values["n_firm_hdbscan"] == values["n_firm"]  # "every one of them"
    assert values["n_doubtful_hdbscan"] < 0.2 * values["n_doubtful"]  # "only"
    assert values["n_firm"] + values["n_doubtful"] == values["n_kmeans_pleiades"]
    # m -> 1 is k-means: the m = 1.1 split, recomputed here, is k-means' split.
    crisp_model = FuzzyCMeans(n_clusters=2, m=1.1, random_state=0).fit(scaled)
    crisp = crisp_model.labels_
    crisp_pleiades = crisp == np.bincount(crisp[members]).argmax()
    top = crisp_model.memberships_.max(1).mean()
    assert top > 0.95 and values["crisp_mean_top_membership"] == pytest.approx(top, rel=1e-6)
    assert prose_number(LESSON, r"larger membership is \*\*([\d.]+)\*\* on average") == round(
        top, 2
    )
    assert values["n_crisp_differ"] == int(np.sum(crisp_pleiades != kmeans_pleiades)) == 0
    assert prose_number(LESSON, r"differs from k-means' for \*\*(\d+)\*\* stars") == 0
