"""Clustering lab: k-means, Gaussian mixtures (BIC), DBSCAN/HDBSCAN, agglomerative.

Default: find the Pleiades in Gaia proper motion and parallax, and its distance.

Example
-------
>>> lab = ClusteringLab("gaia_pleiades")                     # doctest: +SKIP
>>> lab.method = "hdbscan"; lab.params = {"min_cluster_size": 40}  # doctest: +SKIP
>>> lab.train(); lab.distance_pc                             # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets

from ...ml import cluster, features, models
from ._lab import Lab, line_figure
from ._lab_scatter import label_scatter, show_labels


class ClusteringLab(Lab):
    """Unsupervised grouping of a catalog; a chosen cluster's members go to the selection."""

    features = traitlets.List(traitlets.Unicode(), ["pmra", "pmdec", "parallax"])
    method = traitlets.Unicode("hdbscan")
    params = traitlets.Dict({"min_cluster_size": 40})
    scale = traitlets.Enum(["standard", "robust"], "robust")
    seed = traitlets.Int(0)
    # results
    n_clusters = traitlets.Int(0)
    cluster_sizes = traitlets.Dict()
    quality = traitlets.Dict()
    #: Cluster shown in the linked views (default: the most populous one).
    chosen_cluster = traitlets.Int(-1)
    member_rows = traitlets.List()
    distance_pc = traitlets.Float(float("nan"))
    bic = traitlets.Dict()
    results = (
        "n_clusters",
        "cluster_sizes",
        "quality",
        "chosen_cluster",
        "member_rows",
        "distance_pc",
        "bic",
    )

    def __init__(self, data="gaia_pleiades", name=None):
        super().__init__(data, name)
        self.labels = np.zeros(0, dtype=int)
        self._rows = np.zeros(0, dtype=int)
        self.method_menu = widgets.Dropdown(
            options=models.names("cluster"), value=self.method, description="method"
        )
        traitlets.dlink((self.method_menu, "value"), (self, "method"))
        self.bic_button = widgets.Button(description="BIC curve", tooltip="Gaussian-mixture BIC")
        self.bic_button.on_click(lambda _: self.compute_bic())
        self.figure, self.mark = label_scatter("Clusters", *self.features[:2])
        self.bic_figure, self.bic_line = line_figure(
            "GMM BIC (lower is better)", "components", "BIC"
        )
        self.children = [
            widgets.HBox([self.method_menu, self.train_button, self.bic_button]),
            self.status_html,
            widgets.HBox([self.figure, self.bic_figure]),
        ]

    def _new_table(self, change) -> None:
        # Labels of the old rows: choosing a cluster now must not select rows by them.
        self.labels, self._rows = np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        super()._new_table(change)

    def _fit(self) -> str:
        self.distance_pc = float("nan")
        X, good = features.feature_matrix(self.table, self.features)
        pipeline = cluster.make_clusterer(self.method, self.seed, self.scale, **self.params)
        self.labels = cluster.cluster_labels(pipeline, X)
        self._rows = np.flatnonzero(good)
        found = self.labels[self.labels != cluster.NOISE]
        sizes = np.bincount(found) if found.size else np.zeros(0, int)
        self.cluster_sizes = {str(k): int(v) for k, v in enumerate(sizes) if v}
        self.n_clusters = len(self.cluster_sizes)
        self.quality = cluster.scores(pipeline[0].transform(X), self.labels)
        show_labels(self.figure, self.mark, X[:, 0], X[:, 1], self.labels, *self.features[:2])
        biggest = int(np.argmax(sizes)) if sizes.size else -1
        self.chosen_cluster = -2  # force the observer below to run
        self.chosen_cluster = biggest
        noise = int(np.sum(self.labels == cluster.NOISE))
        text = f"{self.n_clusters} clusters, {noise:,} noise points"
        if np.isfinite(self.distance_pc):
            text += f"; largest cluster at {self.distance_pc:.1f} pc (median parallax)"
        return text

    @traitlets.observe("chosen_cluster")
    def _select_cluster(self, change) -> None:
        if change["new"] < 0 or self.labels.size == 0:
            return
        rows = self._rows[self.labels == change["new"]]
        self.member_rows = rows.tolist()
        self.show_rows(rows)
        if "parallax" in self.table.colnames and rows.size:
            self.distance_pc = float(cluster.cluster_distance(self.table["parallax"][rows]).value)

    def compute_bic(self, components=range(1, 9)) -> None:
        """Fill ``bic`` ({components: BIC}) and its plot for the current features."""
        X, _ = features.feature_matrix(self.table, self.features)
        found = cluster.gmm_bic(X, components, self.seed)
        self.bic = {
            int(k): float(b) for k, b in zip(found["components"], found["bic"], strict=True)
        }
        self.bic_line.x, self.bic_line.y = list(self.bic), list(self.bic.values())
