"""Outlier hunting: rank objects by how unusual they are in a feature space.

Example
-------
>>> from astrolearn import data
>>> from astrolearn.ml import outliers
>>> htru = data.load("htru2_pulsars")                                      # doctest: +SKIP
>>> ranked = outliers.rank_outliers(htru, ["profile_mean", "profile_kurtosis"])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy.table import Table
from sklearn.base import BaseEstimator
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from . import models
from ._checks import check_choice, check_matrix, check_table, one_thread
from .features import feature_matrix


def make_detector(method: str = "isolation_forest", seed: int = 0, **params) -> Pipeline:
    """A scaler + outlier-detector Pipeline; ``params`` set the detector's hyper-parameters.

    Examples
    --------
    >>> make_detector("local_outlier_factor", n_neighbors=5).named_steps["model"].n_neighbors
    5
    """
    check_choice(method, models.names("outliers"), "method")
    estimator = models.build("outliers", method, seed, **params)
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


@one_thread
def outlier_scores(pipeline: Pipeline | BaseEstimator, X: np.ndarray) -> np.ndarray:
    """Fit the detector to ``X`` and return one score per row; higher = more unusual.

    scikit-learn's detectors score "normality" (higher = more normal) in different
    ways; this flips the sign so that every method ranks the same way.

    Examples
    --------
    >>> X = np.r_[np.zeros((20, 1)) + np.linspace(0, 0.1, 20)[:, None], [[5.0]]]
    >>> int(np.argmax(outlier_scores(make_detector("isolation_forest"), X)))
    20
    """
    X = check_matrix(X, "X")
    pipeline.fit(X)
    model = pipeline[-1] if isinstance(pipeline, Pipeline) else pipeline
    if isinstance(model, LocalOutlierFactor) and not model.novelty:
        return -model.negative_outlier_factor_
    return -np.asarray(pipeline.score_samples(X))


def rank_outliers(
    table: Table,
    features: Sequence[str],
    method: str = "isolation_forest",
    top: int | None = 20,
    seed: int = 0,
    **params,
) -> Table:
    """The ``top`` most unusual rows of ``table``, most unusual first.

    Returns a copy of those rows with an ``outlier_score`` column (higher = more
    unusual), an ``outlier_rank`` (1 = most unusual) and ``row`` (index in ``table``).
    ``top=None`` returns every row, ranked.
    """
    table = check_table(table)
    if top is not None and int(top) < 1:
        raise ValueError(f"top must be a positive integer or None, got {top}")
    X, good = feature_matrix(table, features)
    score = outlier_scores(make_detector(method, seed, **params), X)
    order = np.argsort(-score, kind="stable")
    if top is not None:
        order = order[: int(top)]
    rows = np.flatnonzero(good)[order]
    out = table[rows]
    out["outlier_score"] = score[order]
    out["outlier_rank"] = np.arange(1, len(order) + 1)
    out["row"] = rows
    return out
