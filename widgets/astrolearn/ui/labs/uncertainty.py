"""Uncertainty lab: bootstrap spread of a score, probability calibration, prediction intervals.

Shows how measurement errors and sample size change the answer.

Example
-------
>>> lab = UncertaintyLab("sdss_dr14")                        # doctest: +SKIP
>>> lab.train(); lab.accuracy_interval                       # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from bqplot import Lines
from sklearn.metrics import accuracy_score

from ...ml import classify, features, uncertainty
from ..palette import OKABE_ITO
from ._lab import Lab, line_figure


class UncertaintyLab(Lab):
    """How sure is a result? Bootstrap, calibration, intervals, noise and sample size."""

    features = traitlets.List(traitlets.Unicode(), ["u_g", "g_r", "r_i", "i_z"])
    target = traitlets.Unicode("class")
    model = traitlets.Unicode("naive_bayes")
    positive = traitlets.Unicode("QSO")
    #: Extra Gaussian error (mag) added to every feature, to mimic fainter objects.
    noise_sigma = traitlets.Float(0.0)
    #: Fraction of the catalog used (smaller samples = wider intervals).
    sample_fraction = traitlets.Float(1.0)
    n_boot = traitlets.Int(500)
    level = traitlets.Float(0.95)
    seed = traitlets.Int(0)
    # results
    accuracy = traitlets.Float(float("nan"))
    accuracy_interval = traitlets.Tuple()
    brier_raw = traitlets.Float(float("nan"))
    brier_calibrated = traitlets.Float(float("nan"))
    interval_coverage = traitlets.Float(float("nan"))
    results = (
        "accuracy",
        "accuracy_interval",
        "brier_raw",
        "brier_calibrated",
        "interval_coverage",
    )

    def __init__(self, data="sdss_dr14", name=None):
        super().__init__(data, name)
        self.noise_slider = widgets.FloatSlider(
            min=0, max=0.5, step=0.05, description="noise (mag)"
        )
        self.size_slider = widgets.FloatSlider(
            value=1.0, min=0.05, max=1.0, step=0.05, description="sample"
        )
        traitlets.dlink((self.noise_slider, "value"), (self, "noise_sigma"))
        traitlets.dlink((self.size_slider, "value"), (self, "sample_fraction"))
        self.calibration_figure, self.calibration_line = line_figure(
            "Reliability (diagonal = calibrated)", "predicted probability", "observed fraction"
        )
        # Raw and calibrated curves have different numbers of bins: one Lines mark each.
        self.calibrated_line = Lines(
            x=[],
            y=[],
            scales=self.calibration_line.scales,
            colors=[OKABE_ITO[5]],
            line_style="dashed",
            labels=["calibrated"],
            display_legend=True,
        )
        self.calibration_line.labels = ["raw"]
        self.calibration_line.display_legend = True
        self.calibration_figure.marks = [*self.calibration_figure.marks, self.calibrated_line]
        self.interval_button = widgets.Button(description="Prediction intervals")
        self.interval_button.on_click(lambda _: self.prediction_intervals())
        self.children = [
            widgets.HBox(
                [self.noise_slider, self.size_slider, self.train_button, self.interval_button]
            ),
            self.status_html,
            self.calibration_figure,
        ]

    def _sample(self):
        table = self.work_table
        if self.sample_fraction < 1:
            rng = np.random.default_rng(self.seed)
            size = max(50, int(self.sample_fraction * len(table)))
            table = table[np.sort(rng.choice(len(table), size, replace=False))]
        if self.noise_sigma > 0:
            table = table.copy()
            X, good = features.feature_matrix(table, self.features)
            noisy = uncertainty.with_noise(X, self.noise_sigma, self.seed)
            for index, name in enumerate(self.features):
                column = np.asarray(table[name], dtype=float)
                column[good] = noisy[:, index]
                table[name] = column
        return table

    def _fit(self) -> str:
        table = self._sample()
        result = classify.train_and_test(
            table, self.features, self.target, self.model, seed=self.seed
        )
        estimate, low, high = uncertainty.bootstrap_metric(
            result.y_test, result.y_pred, accuracy_score, self.n_boot, self.level, self.seed
        )
        self.accuracy, self.accuracy_interval = estimate, (low, high)
        truth = result.y_test == self.positive
        column = list(result.estimator.classes_).index(self.positive)
        raw = uncertainty.calibration(
            truth, result.estimator.predict_proba(result.X_test)[:, column]
        )
        fixed = classify.train_and_test(
            table,
            self.features,
            self.target,
            uncertainty.calibrated(classify.make_classifier(self.model, self.seed)),
            seed=self.seed,
        )
        calibrated = uncertainty.calibration(
            truth, fixed.estimator.predict_proba(fixed.X_test)[:, column]
        )
        self.brier_raw, self.brier_calibrated = raw["brier"], calibrated["brier"]
        self.calibration_line.x, self.calibration_line.y = raw["predicted"], raw["observed"]
        self.calibrated_line.x = calibrated["predicted"]
        self.calibrated_line.y = calibrated["observed"]
        return (
            f"Accuracy {estimate:.3f} ({self.level:.0%} bootstrap interval {low:.3f}–{high:.3f},"
            f" {len(result.y_test):,} test objects); Brier score for {self.positive} "
            f"{raw['brier']:.4f} raw, {calibrated['brier']:.4f} calibrated."
        )

    def prediction_intervals(self, value: str = "redshift", only: str = "GALAXY") -> None:
        """Conformal quantile intervals for ``value`` (galaxy photo-z by default)."""

        def step() -> str:
            table = self._sample()
            if only:
                table = table[np.asarray(table[self.target]) == only]
            X, good = features.feature_matrix(table, self.features)
            y = np.asarray(table[value], dtype=float)[good]
            order = np.random.default_rng(self.seed).permutation(len(X))
            half = len(order) // 2
            train, test = order[:half], order[half:]
            _, low, high = uncertainty.prediction_interval(
                X[train], y[train], X[test], 0.9, self.seed
            )
            self.interval_coverage = uncertainty.coverage(y[test], low, high)
            return (
                f"90% intervals for {value} cover {self.interval_coverage:.1%} of "
                f"{len(test):,} held-out objects (median width {np.median(high - low):.3f})."
            )

        fit, self._fit = self._fit, step
        try:
            self.train()
        finally:
            self._fit = fit
