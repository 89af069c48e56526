"""Fit + predict time of each ML lab's default task, at the default size and at 10x.

The 10x tables are the real rows resampled with replacement (seeded): real values,
more rows; they are labelled "10x (resampled)" in the table. Each case runs once
(after a warm-up of the imports), single-threaded as astrolearn.ml runs its fits.
The "ratio" column is time(10x) / time(default) measured in this same run; "scaling"
reads that ratio: below 7 sub-linear, 7-13 linear, above 13 super-linear.

Run:  python benchmarks/bench_ml.py            (about 2-4 minutes on 2 cores)
      python benchmarks/bench_ml.py --only classifier
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from astrolearn import data
from astrolearn.ml import (
    classify,
    cluster,
    features,
    lightcurves,
    outliers,
    reduce,
    regress,
    triage,
    uncertainty,
)
from sklearn.metrics import accuracy_score
from threadpoolctl import threadpool_limits

COLOURS = ["u_g", "g_r", "r_i", "i_z"]


def resample(table, factor: int, seed: int = 0):
    """``factor`` x the rows of ``table``, drawn with replacement (factor 1 = unchanged)."""
    if factor == 1:
        return table
    rows = np.random.default_rng(seed).integers(0, len(table), factor * len(table))
    return table[rows]


def classifier(factor):
    table = resample(features.colours(data.load("sdss_dr14")), factor)
    result = classify.train_and_test(table, COLOURS, "class", "random_forest")
    return len(
        table
    ), f"random forest, accuracy {accuracy_score(result.y_test, result.y_pred):.3f}"


def photo_z(factor):
    sdss = features.colours(data.load("sdss_dr14"))
    table = resample(sdss[sdss["class"] == "GALAXY"], factor)
    result = regress.photo_z(table, [*COLOURS, "r"], model="knn")
    quality = regress.photo_z_metrics(result.y_test, result.y_pred)
    return len(table), f"k-NN photo-z, sigma_NMAD {quality['sigma_nmad']:.4f}"


def clustering(factor):
    table = resample(data.load("gaia_pleiades"), factor)
    members = cluster.find_star_cluster(table, min_cluster_size=40 * factor)
    distance = cluster.cluster_distance(table["parallax"][members])
    return len(table), f"HDBSCAN, Pleiades at {distance.value:.1f} pc"


def outlier_hunt(factor):
    table = resample(data.load("htru2_pulsars"), factor)
    ranked = outliers.rank_outliers(table, table.colnames[:8], "isolation_forest", top=100)
    return len(table), f"isolation forest, {int(np.sum(ranked['is_pulsar']))}/100 pulsars"


def reduction_pca(factor):
    table = resample(features.colours(data.load("sdss_dr14")), factor)
    X, _ = features.feature_matrix(table, ["u", "g", "r", "i", "z", *COLOURS])
    reduce.pca(X)
    reduce.embed(X, "pca")
    return len(X), "PCA fit + 2-D map"


def reduction_tsne(factor):
    table = features.colours(data.load("sdss_dr14"))
    X, _ = features.feature_matrix(table, ["u", "g", "r", "i", "z", *COLOURS])
    X = X[reduce.subsample(len(X), 600 * factor)]
    reduce.embed(X, "tsne")
    return len(X), "t-SNE map (lab default 600 rows)"


def light_curve(factor):
    points = data.load("ogle_lightcurves")
    star = resample(points[points["star"] == "OGLE-SMC-ECL-0124"], factor)
    period = lightcurves.best_period(star["time"], star["mag"], star["mag_err"])
    return len(star), f"best period {period:.5f} d (catalogue fold: 0.32703)"


def stream(factor):
    table = resample(data.load("htru2_pulsars"), factor)
    X, good = features.feature_matrix(table, table.colnames[:8])
    y = features.labels(table, "is_pulsar", good).astype(bool)
    estimator = classify.make_classifier("gradient_boosting", class_weight="balanced")
    with threadpool_limits(1):
        estimator.fit(X[: len(X) * 7 // 10], y[: len(X) * 7 // 10])
    flagged = sum(
        b["follow_up"].sum() for b in triage.stream_triage(estimator, X[len(X) * 7 // 10 :])
    )
    return len(X), f"gradient boosting + stream, {flagged:,} flagged"


def uncertainty_lab(factor):
    table = resample(features.colours(data.load("sdss_dr14")), factor)
    result = classify.train_and_test(table, COLOURS, "class", "naive_bayes")
    uncertainty.bootstrap_metric(result.y_test, result.y_pred, accuracy_score, n_boot=500)
    classify.train_and_test(
        table, COLOURS, "class", uncertainty.calibrated(classify.make_classifier("naive_bayes"))
    )
    return len(table), "bootstrap (500) + isotonic calibration"


def intervals(factor):
    sdss = features.colours(data.load("sdss_dr14"))
    table = resample(sdss[sdss["class"] == "GALAXY"], factor)
    X, good = features.feature_matrix(table, [*COLOURS, "r"])
    z = np.asarray(table["redshift"])[good]
    half = len(X) // 2
    _, low, high = uncertainty.prediction_interval(X[:half], z[:half], X[half:])
    return len(
        X
    ), f"conformal quantile GB, coverage {uncertainty.coverage(z[half:], low, high):.3f}"


CASES = {
    "classifier": classifier,
    "photo_z": photo_z,
    "clustering": clustering,
    "outliers": outlier_hunt,
    "reduction_pca": reduction_pca,
    "reduction_tsne": reduction_tsne,
    "lightcurve": light_curve,
    "triage": stream,
    "uncertainty": uncertainty_lab,
    "intervals": intervals,
}


def timed(case, factor):
    start = time.perf_counter()
    rows, note = case(factor)
    return time.perf_counter() - start, rows, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(CASES), action="append")
    args = parser.parse_args()
    data.load("sdss_dr14")  # warm the loader cache and imports outside the timings
    print(
        f"{'lab':15} {'rows':>8} {'time 1x':>8} {'rows 10x':>10} {'time 10x':>9} "
        f"{'ratio':>6}  {'scaling':10} result at 1x"
    )
    for name in args.only or CASES:
        base, rows, note = timed(CASES[name], 1)
        big, big_rows, _ = timed(CASES[name], 10)
        ratio = big / base
        scaling = "sub-linear" if ratio < 7 else "linear" if ratio < 13 else "super-lin."
        print(
            f"{name:15} {rows:8,} {base:7.2f}s {big_rows:10,} {big:8.2f}s {ratio:6.1f}  "
            f"{scaling:10} {note}",
            flush=True,
        )
    print(
        "10x rows are real rows resampled with replacement (seeded); times include the "
        "fit and the prediction, single-threaded."
    )


if __name__ == "__main__":
    main()
