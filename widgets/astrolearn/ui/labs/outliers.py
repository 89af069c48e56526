"""Outlier hunter: Isolation Forest, Local Outlier Factor, one-class SVM.

The ranked list of the most unusual objects goes to the shared selection, so they
show where they sit in parameter space and on the sky.

Example
-------
>>> lab = OutlierLab("htru2_pulsars")                        # doctest: +SKIP
>>> lab.train(); lab.top_rows[:5]                            # doctest: +SKIP
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import traitlets

from ...ml import models, outliers
from ._lab import Lab

#: Default features per bundled dataset; other tables use their numeric columns.
DEFAULT_FEATURES = {
    "htru2_pulsars": [
        "profile_mean",
        "profile_std",
        "profile_kurtosis",
        "profile_skewness",
        "dm_snr_mean",
        "dm_snr_std",
        "dm_snr_kurtosis",
        "dm_snr_skewness",
    ],
    "sdss_dr14": ["u", "g", "r", "i", "z"],
}
#: one-class SVM scales as n^2: fit it on at most this many rows (seeded subsample).
SVM_MAX_ROWS = 4000


class OutlierLab(Lab):
    """Rank a catalog's objects by how unusual they are; the top ones are selected."""

    features = traitlets.List(traitlets.Unicode())
    method = traitlets.Unicode("isolation_forest")
    params = traitlets.Dict()
    top = traitlets.Int(20)
    seed = traitlets.Int(0)
    # results
    top_rows = traitlets.List()
    top_scores = traitlets.List()
    results = ("top_rows", "top_scores")

    def __init__(self, data="htru2_pulsars", name=None):
        super().__init__(data, name)
        numeric = [n for n in self.table.colnames if self.table[n].dtype.kind in "fi"]
        self.features = DEFAULT_FEATURES.get(self.selection.name, numeric[:8])
        self.method_menu = widgets.Dropdown(
            options=models.names("outliers"), value=self.method, description="method"
        )
        traitlets.dlink((self.method_menu, "value"), (self, "method"))
        self.top_slider = widgets.IntSlider(value=self.top, min=5, max=200, description="top")
        traitlets.dlink((self.top_slider, "value"), (self, "top"))
        self.ranking = widgets.HTML()
        self.children = [
            widgets.HBox([self.method_menu, self.top_slider, self.train_button]),
            self.status_html,
            self.ranking,
        ]

    def _fit(self) -> str:
        table = self.table
        rows = np.arange(len(table))
        if self.method == "one_class_svm" and len(table) > SVM_MAX_ROWS:
            rows = np.sort(
                np.random.default_rng(self.seed).choice(len(table), SVM_MAX_ROWS, replace=False)
            )
            table = table[rows]
        ranked = outliers.rank_outliers(
            table, self.features, self.method, self.top, self.seed, **self.params
        )
        found = rows[np.asarray(ranked["row"])]
        self.top_rows = found.tolist()
        self.top_scores = [float(s) for s in ranked["outlier_score"]]
        self.show_rows(found)
        self._render(ranked)
        sampled = f" (on a random {SVM_MAX_ROWS:,} rows)" if len(rows) < len(self.table) else ""
        return f"The {len(found)} most unusual objects{sampled} are selected in the linked views."

    def _render(self, ranked) -> None:
        shown = [c for c in ranked.colnames if c not in ("row",)][:8]
        head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in shown)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_short(row[c]))}</td>" for c in shown) + "</tr>"
            for row in ranked[:20]
        )
        self.ranking.value = (
            f"<table><caption>Most unusual first</caption><tr>{head}</tr>{body}</table>"
        )


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float | np.floating) else str(value)
