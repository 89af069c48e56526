"""Dimensionality reduction: PCA (scree, loadings), t-SNE, and UMAP when installed.

Example
-------
>>> import numpy as np
>>> X = np.random.default_rng(0).normal(size=(100, 4))
>>> pipeline = pca(X, n_components=2)
>>> scree(pipeline)["explained_variance_ratio"].shape
(2,)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy.table import Table
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from . import models
from ._checks import check_choice, check_matrix, one_thread


def available_methods() -> list[str]:
    """Embedding methods usable here: PCA and t-SNE always, UMAP if umap-learn is installed."""
    return models.names("reduce")


@one_thread
def pca(X: np.ndarray, n_components: int | None = None, seed: int = 0) -> Pipeline:
    """Standardise ``X`` and fit a PCA; returns the fitted Pipeline.

    Standardising first puts every feature on an equal footing: otherwise the
    feature with the largest numeric range (e.g. a magnitude next to colours)
    dominates the first component.
    """
    X = check_matrix(X, "X")
    if n_components is not None and not 1 <= int(n_components) <= X.shape[1]:
        raise ValueError(f"n_components must be between 1 and {X.shape[1]}, got {n_components}")
    model = models.build("reduce", "pca", seed, n_components=n_components)
    return Pipeline([("scale", StandardScaler()), ("model", model)]).fit(X)


def scree(pipeline: Pipeline) -> Table:
    """Explained variance of each component of a fitted :func:`pca` Pipeline.

    Columns: ``component`` (1-based), ``explained_variance_ratio``, ``cumulative``.
    """
    model = _fitted_pca(pipeline)
    ratio = model.explained_variance_ratio_
    return Table(
        {
            "component": np.arange(1, ratio.size + 1),
            "explained_variance_ratio": ratio,
            "cumulative": np.cumsum(ratio),
        }
    )


def loadings(pipeline: Pipeline, features: Sequence[str]) -> Table:
    """Weight of each (standardised) feature in each component, one row per feature."""
    model = _fitted_pca(pipeline)
    if len(features) != model.components_.shape[1]:
        raise ValueError(
            f"features has {len(features)} names but the PCA has "
            f"{model.components_.shape[1]} inputs"
        )
    table = Table({"feature": list(features)})
    for index, component in enumerate(model.components_, start=1):
        table[f"pc{index}"] = component
    return table


def _fitted_pca(pipeline: Pipeline) -> PCA:
    model = pipeline[-1] if isinstance(pipeline, Pipeline) else pipeline
    if not isinstance(model, PCA) or not hasattr(model, "components_"):
        raise TypeError("pipeline must be a fitted PCA (as returned by astrolearn.ml.reduce.pca)")
    return model


@one_thread
def embed(X: np.ndarray, method: str = "pca", seed: int = 0, **params) -> np.ndarray:
    """2-D embedding of standardised ``X`` for plotting, shape ``(n_rows, 2)``.

    t-SNE and UMAP keep neighbours together but distort large distances: read
    clusters in the map, not distances between them. ``params`` go to the
    scikit-learn (or umap-learn) estimator, e.g. ``perplexity=30``; an unknown one
    raises (see :func:`astrolearn.ml.models.build`).
    t-SNE costs seconds per thousand rows; subsample first (the labs use 1,500).
    """
    X = check_matrix(X, "X", min_rows=3)
    check_choice(method, available_methods(), "method")
    scaled = StandardScaler().fit_transform(X)
    if method == "tsne":
        params.setdefault("perplexity", min(30.0, (len(X) - 1) / 3))
    return models.build("reduce", method, seed, **params).fit_transform(scaled)


def subsample(n_rows: int, size: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of a seeded random subsample of at most ``size`` of ``n_rows`` rows."""
    if int(size) < 1:
        raise ValueError(f"size must be positive, got {size}")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(int(n_rows), size=min(int(size), int(n_rows)), replace=False))
