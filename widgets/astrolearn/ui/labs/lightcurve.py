"""Light-curve lab: periodograms, folding, features, a variable-star classifier, triage.

Example
-------
>>> lab = LightCurveLab("ogle_lightcurves")                  # doctest: +SKIP
>>> lab.star = "OGLE-SMC-ECL-0124"; lab.train(); lab.period  # doctest: +SKIP
>>> lab.train_classifier(); lab.classifier_accuracy          # doctest: +SKIP
>>> lab.run_stream(); lab.stream_recall                      # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from sklearn.model_selection import train_test_split

from ... import data as datasets
from ...ml import classify, features, lightcurves, triage
from ...ml._checks import one_thread
from ._lab import Lab, line_figure
from ._lab_scatter import label_scatter, show_labels


def _id_column(table) -> str:
    for name in ("star", "id", "object_id"):
        if name in table.colnames:
            return name
    return ""


class LightCurveLab(Lab):
    """One light curve at a time (``star``), plus a classifier and a stream of candidates."""

    star = traitlets.Unicode("")
    value_column = traitlets.Unicode("mag")
    band = traitlets.Unicode("")
    min_period = traitlets.Float(0.2)
    max_period = traitlets.Float(100.0)
    # results of train(): the period search on one star
    period = traitlets.Float(float("nan"))
    light_curve_features = traitlets.Dict()
    # variable-star classifier (EROS-1 LMC, train/test as published in the RAMP kit)
    classifier_model = traitlets.Unicode("random_forest")
    classifier_accuracy = traitlets.Float(float("nan"))
    classifier_recall = traitlets.Dict()
    # real-time triage (HTRU2 pulsar candidates arriving in batches)
    threshold = traitlets.Float(0.3)
    batch_size = traitlets.Int(500)
    stream_flagged = traitlets.Int(0)
    stream_seen = traitlets.Int(0)
    stream_recall = traitlets.Float(float("nan"))
    #: The classifier and the stream use their own datasets: only these follow the table.
    results = ("period", "light_curve_features")

    def __init__(self, data="ogle_lightcurves", name=None):
        super().__init__(data, name)
        self.star_menu = widgets.Dropdown(description="star")
        self._use_table()
        traitlets.dlink((self.star_menu, "value"), (self, "star"), lambda value: value or "")
        self.periodogram_figure, self.periodogram_line = line_figure(
            "Lomb–Scargle periodogram", "period (d)", "power"
        )
        self.fold_figure, self.fold_mark = label_scatter("Folded light curve", "phase", "mag")
        self.fold_figure.axes[1].scale.reverse = self.value_column == "mag"  # bright = up
        self.classify_button = widgets.Button(description="Train classifier")
        self.classify_button.on_click(lambda _: self.train_classifier())
        self.stream_button = widgets.Button(description="Start stream")
        self.stream_button.on_click(lambda _: self.run_stream())
        self.children = [
            widgets.HBox(
                [self.star_menu, self.train_button, self.classify_button, self.stream_button]
            ),
            self.status_html,
            widgets.HBox([self.periodogram_figure, self.fold_figure]),
        ]

    def _use_table(self) -> None:
        """Offer the table's stars (the first 500), keeping the chosen one if it is there."""
        table = self.table
        self.id_column = _id_column(table)
        if "mag" in table.colnames or "flux" in table.colnames:
            # Kepler light curves hold flux, not magnitudes.
            self.value_column = "mag" if "mag" in table.colnames else "flux"
        ids = np.unique(np.asarray(table[self.id_column]).astype(str)) if self.id_column else []
        stars = [str(star) for star in ids]
        star = self.star if self.star in stars else (stars[0] if stars else self.star)
        # New options reset the menu (and through it ``star``): choose the star after.
        self.star_menu.options = stars[:500]
        self.star_menu.value = star if star in stars[:500] else None
        self.star = star

    def _new_table(self, change) -> None:
        super()._new_table(change)
        self._use_table()
        self.periodogram_line.x, self.periodogram_line.y = [], []
        self.fold_mark.x, self.fold_mark.y = [], []

    def _points(self):
        table = self.table
        keep = np.ones(len(table), dtype=bool)
        if self.id_column:
            keep &= np.asarray(table[self.id_column]).astype(str) == self.star
        if self.band and "band" in table.colnames:
            keep &= np.asarray(table["band"]) == self.band
        if self.value_column == "mag":
            keep &= np.asarray(table["mag"], dtype=float) < 40  # 99.x marks a missing value
        return np.flatnonzero(keep)

    def _fit(self) -> str:
        rows = self._points()
        if self.id_column and rows.size == 0:
            raise ValueError(f"star {self.star!r} has no points in {self.selection.name}")
        part = self.table[rows]
        error = next((c for c in ("mag_err", "magerr", "flux_err") if c in part.colnames), None)
        time, value = part["time"], part[self.value_column]
        err = part[error] if error else None
        period = lightcurves.best_period(time, value, err, self.min_period, self.max_period)
        self.period = period
        self.light_curve_features = lightcurves.features(time, value, err, period)
        periods, power = lightcurves.periodogram(
            time, value, err, self.min_period, self.max_period
        )
        self.periodogram_line.x, self.periodogram_line.y = periods, power
        phase = lightcurves.fold(time, period)
        show_labels(
            self.fold_figure,
            self.fold_mark,
            phase,
            np.asarray(value),
            np.zeros(len(rows)),
            f"phase (P = {period:.5f} d)",
            self.value_column,
        )
        self.show_rows(rows)
        return f"{self.star}: best period {period:.5f} d from {len(rows)} points."

    def train_classifier(self) -> None:
        """Fit ``classifier_model`` on EROS-1 training stars and score the test stars."""
        self._run(self._classify)

    def _classify(self) -> str:
        train = lightcurves.eros_features(datasets.load("eros_lmc_train"))
        test = lightcurves.eros_features(datasets.load("eros_lmc_test"))
        X, good = features.feature_matrix(train, lightcurves.EROS_FEATURES)
        estimator = classify.make_classifier(self.classifier_model)
        one_thread(estimator.fit)(X, features.labels(train, "type", good))
        X_test, good_test = features.feature_matrix(test, lightcurves.EROS_FEATURES)
        scores = classify.evaluate(
            features.labels(test, "type", good_test), one_thread(estimator.predict)(X_test)
        )
        self.classifier_recall = {str(k): v for k, v in scores["recall"].items()}
        self.classifier_accuracy = scores["accuracy"]
        return f"EROS-1 test accuracy {scores['accuracy']:.3f} on {len(X_test)} variable stars."

    def run_stream(self) -> None:
        """Train on 70% of HTRU2 candidates, then triage the rest as they 'arrive'."""
        self._run(self._stream)

    def _stream(self) -> str:
        htru = datasets.load("htru2_pulsars")
        X, good = features.feature_matrix(htru, htru.colnames[:8])
        y = features.labels(htru, "is_pulsar", good).astype(bool)
        X_past, X_new, y_past, y_new = train_test_split(
            X, y, test_size=0.3, random_state=0, stratify=y
        )
        estimator = classify.make_classifier("gradient_boosting", class_weight="balanced")
        one_thread(estimator.fit)(X_past, y_past)
        flags = []
        for batch in triage.stream_triage(estimator, X_new, self.threshold, self.batch_size):
            flags.append(batch["follow_up"])
            self.stream_seen = batch["start"] + len(batch["follow_up"])
            self.stream_flagged = batch["flagged_so_far"]
        follow_up = np.concatenate(flags)
        self.stream_recall = float(follow_up[y_new].mean())
        return (
            f"{self.stream_flagged:,} of {self.stream_seen:,} candidates sent to follow-up; "
            f"they include {self.stream_recall:.1%} of the real pulsars."
        )

    def _run(self, step) -> None:
        # Reuse the Train machinery (timing, status, error reporting) for other steps.
        fit, self._fit = self._fit, step
        try:
            self.train()
        finally:
            self._fit = fit
