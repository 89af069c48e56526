"""One graded run per real graded lesson, shared by the tests that read its scores.

Grading one submission of a real lesson runs the whole lesson twice (the learner's
kernel and the trusted checker's reference kernel), so each lesson is released once and
every submission its tests need is graded in one ``autograde``: the reference solution
(student ``ref``), the untouched release (``untouched``) and, for a lesson listed in
``FINAL_NUMBER_ONLY``, the reference with each listed exercise's answer replaced by one
that binds the final number alone (student ``final-numbers``). One submission serves all
of a lesson's exercises because each replaced answer computes its number from the
lesson's shared cells only; that every one of them ran is checked, not assumed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat
from astrolearn.grading import assignments, cycle
from grading_course import (
    REPO,
    make_course,
    read,
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


def lesson_path(number: str) -> Path:
    """The source (lesson.md) of graded lesson ``number``, such as "05"."""
    found = [path for name, path in LESSONS.items() if name.startswith(number + "-")]
    assert found, f"graded lesson {number} is missing (no lessons/{number}-*/lesson.md)"
    return found[0]


@dataclass(frozen=True)
class GradedLesson:
    """What one autograde of a lesson's submissions left behind."""

    #: per student, the autograded score of each test cell
    scores: dict[str, dict[str, float]]
    #: the autograded points of each test cell, from the lesson's source
    points: dict[str, float]
    #: the rows of the integrity report (student, grade_id, kind, message); none if clean
    integrity: list[dict[str, str]]
    #: per student, the grade_id or number of each cell outside the tests that raised
    failed_cells: dict[str, list[str]]


#: the student whose submission holds a lesson's final-number-only answers
FINAL_NUMBERS = "final-numbers"


def grade_lesson(root: Path, number: str) -> GradedLesson:
    """Release lesson ``number`` in a course under ``root`` and grade its submissions once."""
    lesson = lesson_path(number)
    name = lesson.parent.name
    course, lessons = make_course(root, {name: lesson})
    assert cycle.release(course, lessons, name) == 0
    good = reference(course, name)
    submissions = {"ref": good, "untouched": read(course, "release", name)}
    if number in FINAL_NUMBER_ONLY:
        answers = {exercise: answer for exercise, (_, answer) in FINAL_NUMBER_ONLY[number].items()}
        submissions[FINAL_NUMBERS] = with_cells(good, answers)
    inbox = write_submissions(root / "inbox", name, submissions)
    # release, collect and autograde only: feedback and export are tested in test_pipeline
    assert cycle.collect(course, name, inbox) == 0
    assert cycle.autograde(course, name, timeout=60, hidden=(lessons,)) == 0
    report = course / "reports" / f"{name}-integrity.csv"
    integrity = list(csv.DictReader(report.read_text().splitlines())) if report.exists() else []
    points = assignments.summarize(lesson).autograded
    return GradedLesson(
        scores(course, name),
        {cell: float(p) for cell, p in points.items()},
        integrity,
        {student: failed_cells(course, name, student) for student in submissions},
    )


def failed_cells(course: Path, name: str, student: str) -> list[str]:
    """Cells of ``student``'s autograded notebook, other than test cells, that raised."""
    notebook = nbformat.read(course / "autograded" / student / name / f"{name}.ipynb", 4)
    failed = []
    for number, cell in enumerate(notebook.cells):
        nbgrader = cell.metadata.get("nbgrader", {})
        is_test = nbgrader.get("grade") and not nbgrader.get("solution")
        outputs = cell.get("outputs", [])
        if not is_test and any(out.output_type == "error" for out in outputs):
            failed.append(nbgrader.get("grade_id", str(number)))
    return failed
