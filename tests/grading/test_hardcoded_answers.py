"""A hidden test checks the method, not only the number (EXERCISES.md).

For each graded exercise listed here, a submission that binds only the final number,
with exactly the right value (computed in the cell, its intermediates then deleted, so
the value is what a learner copying the answer from a classmate would type), earns
nothing for that test cell, while its other cells keep the reference solution. Each
case is graded by the real nbgrader; only the lessons whose exercises ask for their
intermediate values are listed.
"""

from __future__ import annotations

import pytest
from astrolearn.grading import assignments, cycle
from grading_course import (
    REPO,
    make_course,
    reference,
    scores,
    with_cells,
    write_submissions,
)

LESSONS = assignments.graded_lessons(REPO / "lessons", REPO / "course")

#: lesson number -> {exercise grade_id: (its test cell, a final-number-only answer)}
FINAL_NUMBER_ONLY = {
    "02": {
        "resolve-m31": (
            "resolve-m31-test",
            "m31_b_deg = float(vo.resolve('M31').galactic.b.deg)",
        ),
        "bright-cone": (
            "bright-cone-test",
            "n_bright = int(np.sum(vo.cone_search('gaia_dr3', ngc188, 0.1 * u.deg)"
            "['phot_g_mean_mag'] < 15))",
        ),
        "infrared-fraction": (
            "infrared-fraction-test",
            "_bright = np.asarray(gaia['phot_g_mean_mag'] < 16)\n"
            "bright_match_fraction = float(np.sum(close & _bright) / np.sum(_bright))\n"
            "del _bright",
        ),
    },
    "04": {
        "baseline-accuracy": (
            "baseline-accuracy-test",
            "baseline_accuracy = float(np.mean(y_test == 'GALAXY'))",
        ),
        "tree-cross-validation": (
            "tree-cross-validation-test",
            "tree_cv_accuracy = float(cross_val_score(DecisionTreeClassifier(max_depth=6, "
            "random_state=0), X_train, y_train, cv=folds).mean())",
        ),
        "sigma-nmad": (
            "sigma-nmad-test",
            "_dz = (z_phot - z_test) / (1 + z_test)\n"
            "my_sigma_nmad = float(1.4826 * np.median(np.abs(_dz - np.median(_dz))))\n"
            "del _dz",
        ),
        "permutation-by-hand": (
            "permutation-by-hand-test",
            "_X = X_test.copy()\n"
            "_X[:, 0] = np.random.default_rng(1).permutation(_X[:, 0])\n"
            "u_g_drop = knn_accuracy - float(knn.score(_X, y_test))\n"
            "del _X",
        ),
    },
    "05": {
        "clustering-distance": (
            "clustering-distance-test",
            "box_distance_pc = float(1000 / np.median(np.asarray(stars['parallax'][box])))",
        ),
        "kmeans-pleiades-group": (
            "kmeans-pleiades-group-test",
            "_labels = KMeans(n_clusters=3, n_init=4, random_state=0).fit_predict(X_scaled)\n"
            "kmeans_group_size = int(np.sum(_labels == np.bincount(_labels[members]).argmax()))\n"
            "del _labels",
        ),
    },
    "06": {
        "profile-only-purity": (
            "profile-only-purity-test",
            "_forest = IsolationForest(n_estimators=200, random_state=0).fit(X_htru[:, :4])\n"
            "_top = np.argsort(_forest.score_samples(X_htru[:, :4]))[: n_candidates // 100]\n"
            "profile_top1_purity = float(is_pulsar[_top].mean())\n"
            "del _forest, _top",
        ),
        "lof-high-z": (
            "lof-high-z-test",
            "_ranked = outliers.rank_outliers(quasars, colour_names, "
            "method='local_outlier_factor', top=None)\n"
            "lof_high_z_in_top = int(is_high_z[np.asarray(_ranked['row'])[: n_quasars // 50]]"
            ".sum())\n"
            "del _ranked",
        ),
    },
    "09": {
        "smc-cepheid-period": (
            "smc-cepheid-period-test",
            "smc_cepheid_period_days = 9.5311",
        ),
        "triage-budget": (
            "triage-budget-test",
            "_confirmed = 0\n"
            "for _start in range(0, len(stream), batch_size):\n"
            "    _tonight = stream[_start:_start + batch_size]\n"
            "    _p = triage_model.predict_proba(X_stream[_tonight])[:, 1]\n"
            "    _best = np.argsort(_p)[::-1][:100]\n"
            "    _confirmed += int(y_stream[_tonight[_best[_p[_best] > 0.5]]].sum())\n"
            "triage_recall_100 = _confirmed / arrived_pulsars",
        ),
    },
    "12": {
        "forward-pass": (
            "forward-pass-test",
            "quasar_probability = hidden_net.predict_proba(X_test_scaled)[:, 1]",
        ),
        "early-stopping": (
            "early-stopping-test",
            "_curve = list(validation_loss_curve)\n"
            "kept_epoch = _curve.index(min(_curve[:60])) + 1\n"
            "stop_epoch = kept_epoch + patience\n"
            "del _curve",
        ),
        "paired-comparison": (
            "paired-comparison-test",
            "forest_fold_wins = int(np.sum(forest_smallest_scores - cross_val_score("
            "make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), "
            "max_iter=1000, random_state=0)), X_smallest, y_smallest, cv=folds) > 0))",
        ),
    },
    "13": {
        "wider-isochrone-band": (
            "wider-isochrone-band-test",
            "_c, _m = isochrone_band(isochrone['color_g_i'], isochrone['mag_g'], (18.0, 21.5), "
            "bluer=0.10, redder=0.20)\n"
            "n_wide_members = int(np.sum(has_photometry & in_polygon(g_minus_i, g_mag, _c, _m)"
            " & in_pm_box(ps1_pm1, ps1_pm2)))\n"
            "del _c, _m",
        ),
        "reflex-shift": (
            "reflex-shift-test",
            "reflex_median_phi2_mas_yr = float(np.median((corrected.pm_phi2 - gd1.pm_phi2)"
            ".to_value(u.mas / u.yr)))",
        ),
        "box-only-on-track": (
            "box-only-on-track-test",
            "hand_only_on_track_fraction = float(np.mean(np.abs(ps1_phi2[hand_members & "
            "~gmm_members]) < 1))",
        ),
    },
}


def _lesson(number: str):
    return next(path for name, path in LESSONS.items() if name.startswith(number + "-"))


@pytest.mark.slow
@pytest.mark.parametrize("number", sorted(FINAL_NUMBER_ONLY))
def test_a_final_number_alone_earns_nothing(number, tmp_path):
    lesson = _lesson(number)
    name = lesson.parent.name
    course, lessons = make_course(tmp_path, {name: lesson})
    assert cycle.release(course, lessons, name) == 0
    good = reference(course, name)
    cases = FINAL_NUMBER_ONLY[number]
    submissions = {"ref": good}
    for exercise, (_, answer) in cases.items():
        submissions[exercise] = with_cells(good, {exercise: answer})
    inbox = write_submissions(tmp_path / "inbox", name, submissions)
    assert cycle.collect(course, name, inbox) == 0
    assert cycle.autograde(course, name, timeout=60, hidden=(lessons,)) == 0
    got = scores(course, name)
    points = assignments.summarize(lesson).autograded
    assert got["ref"] == {cell: float(p) for cell, p in points.items()}
    for exercise, (test_cell, _) in cases.items():
        assert got[exercise][test_cell] == 0.0, f"{exercise}: the final number alone passed"
        others = {cell: score for cell, score in got[exercise].items() if cell != test_cell}
        assert others == {cell: float(p) for cell, p in points.items() if cell != test_cell}
