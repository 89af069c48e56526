"""Dimensionality reduction lab: PCA (scree plot, loadings), t-SNE, UMAP when installed.

Example
-------
>>> lab = ReductionLab("sdss_dr14")                          # doctest: +SKIP
>>> lab.method = "tsne"; lab.train(); lab.embedding_shape    # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets

from ...ml import features, reduce
from ._lab import Lab, bar_figure
from ._lab_scatter import label_scatter, show_labels


class ReductionLab(Lab):
    """Map many features to 2-D, coloured by a label column; PCA also gives scree and loadings."""

    features = traitlets.List(
        traitlets.Unicode(), ["u", "g", "r", "i", "z", "u_g", "g_r", "r_i", "i_z"]
    )
    label = traitlets.Unicode("class")
    method = traitlets.Unicode("pca")
    params = traitlets.Dict()
    #: t-SNE/UMAP cost grows fast with rows: embed a seeded subsample of this size.
    max_rows = traitlets.Int(600)
    seed = traitlets.Int(0)
    # results
    explained_variance = traitlets.List()
    loadings = traitlets.Dict()
    embedding_shape = traitlets.Tuple()
    embedded_rows = traitlets.List()
    results = ("explained_variance", "loadings", "embedding_shape", "embedded_rows")

    def __init__(self, data="sdss_dr14", name=None):
        super().__init__(data, name)
        self.embedding = np.zeros((0, 2))
        self.method_menu = widgets.Dropdown(
            options=reduce.available_methods(), value=self.method, description="method"
        )
        traitlets.dlink((self.method_menu, "value"), (self, "method"))
        self.figure, self.mark = label_scatter("2-D map", "1", "2")
        self.scree_figure, self.scree_bars = bar_figure(
            "Scree: variance per component", horizontal=False
        )
        self.children = [
            widgets.HBox([self.method_menu, self.train_button]),
            self.status_html,
            widgets.HBox([self.figure, self.scree_figure]),
        ]

    def _fit(self) -> str:
        X, good = features.feature_matrix(self.work_table, self.features)
        rows = np.flatnonzero(good)
        if self.method != "pca" and len(rows) > self.max_rows:
            pick = reduce.subsample(len(rows), self.max_rows, self.seed)
            X, rows = X[pick], rows[pick]
        self.embedding = reduce.embed(X, self.method, self.seed, **self.params)
        self.embedding_shape = self.embedding.shape
        self.embedded_rows = rows.tolist()
        labels = (
            np.unique(np.asarray(self.work_table[self.label])[rows], return_inverse=True)[1]
            if self.label in self.work_table.colnames
            else np.zeros(len(rows), int)
        )
        show_labels(
            self.figure,
            self.mark,
            self.embedding[:, 0],
            self.embedding[:, 1],
            labels,
            f"{self.method} 1",
            f"{self.method} 2",
        )
        if self.method == "pca":
            fitted = reduce.pca(X, seed=self.seed)
            scree = reduce.scree(fitted)
            self.explained_variance = [float(v) for v in scree["explained_variance_ratio"]]
            table = reduce.loadings(fitted, self.features)
            self.loadings = {
                f: [float(table[f"pc{k}"][i]) for k in (1, 2)]
                for i, f in enumerate(table["feature"])
            }
            self.scree_bars.x = [f"PC{k}" for k in scree["component"]]
            self.scree_bars.y = self.explained_variance
            return (
                f"PC1 and PC2 hold {sum(self.explained_variance[:2]):.0%} of the variance "
                f"of {len(self.features)} standardised features."
            )
        return f"{self.method} map of {len(rows):,} objects (a seeded random subsample)."
