"""Unsupervised clustering: scikit-learn clusterers, validation scores, and star clusters.

Example
-------
>>> from astrolearn import data
>>> from astrolearn.ml import cluster
>>> pleiades = data.load("gaia_pleiades")                          # doctest: +SKIP
>>> members = cluster.find_star_cluster(pleiades)                  # doctest: +SKIP
>>> cluster.cluster_distance(pleiades["parallax"][members])        # doctest: +SKIP
<Quantity 135.8 pc>
"""

from __future__ import annotations

from collections.abc import Sequence

import astropy.units as u
import numpy as np
from astropy.table import Table
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import RobustScaler, StandardScaler

from . import models
from ._checks import check_choice, check_matrix, check_table, check_vector, one_thread
from .features import feature_matrix

NOISE = -1  # label scikit-learn gives to points in no cluster (DBSCAN, HDBSCAN)


def make_clusterer(
    method: str = "kmeans", seed: int = 0, scale: str = "standard", **params
) -> Pipeline:
    """A scaler + clusterer Pipeline; ``params`` set the clusterer's hyper-parameters.

    ``scale="robust"`` (median/IQR) keeps a dense cluster from being squashed by a
    few field stars with huge proper motions; ``"standard"`` is mean/std.

    Examples
    --------
    >>> make_clusterer("dbscan", eps=0.5).named_steps["model"].eps
    0.5
    """
    check_choice(method, models.names("cluster"), "method")
    check_choice(scale, ("standard", "robust"), "scale")
    estimator = models.build("cluster", method, seed, **params)
    scaler = StandardScaler() if scale == "standard" else RobustScaler()
    return Pipeline([("scale", scaler), ("model", estimator)])


@one_thread
def cluster_labels(pipeline: Pipeline, X: np.ndarray) -> np.ndarray:
    """Fit ``pipeline`` to ``X`` and return one cluster label per row (-1 = noise).

    Examples
    --------
    >>> X = np.r_[np.zeros((5, 1)), np.ones((5, 1))]
    >>> np.unique(cluster_labels(make_clusterer("kmeans", n_clusters=2), X)).size
    2
    """
    X = check_matrix(X, "X")
    return np.asarray(pipeline.fit_predict(X))


@one_thread
def scores(X: np.ndarray, cluster: Sequence[int]) -> dict:
    """Internal validation of a clustering, noise points left out.

    ``silhouette`` (-1..1, higher better), ``davies_bouldin`` (lower better),
    ``calinski_harabasz`` (higher better); NaN when fewer than two clusters.
    The silhouette is computed on at most 3,000 rows (seeded) because it is O(n^2).
    """
    X = check_matrix(X, "X")
    cluster = check_vector(cluster, "cluster", len(X))
    kept = cluster != NOISE
    X, cluster = X[kept], cluster[kept]
    if np.unique(cluster).size < 2:
        return {"silhouette": np.nan, "davies_bouldin": np.nan, "calinski_harabasz": np.nan}
    return {
        "silhouette": float(
            silhouette_score(X, cluster, sample_size=min(3000, len(X)), random_state=0)
        ),
        "davies_bouldin": float(davies_bouldin_score(X, cluster)),
        "calinski_harabasz": float(calinski_harabasz_score(X, cluster)),
    }


@one_thread
def gmm_bic(X: np.ndarray, components: Sequence[int] = range(1, 9), seed: int = 0) -> Table:
    """Bayesian information criterion of Gaussian mixtures with each number of components.

    The minimum BIC is a principled choice of the number of clusters.
    """
    X = StandardScaler().fit_transform(check_matrix(X, "X"))
    components = [int(k) for k in components]
    if not components or min(components) < 1:
        raise ValueError("components must be positive integers")
    bic = [models.build("cluster", "gmm", seed, n_components=k).fit(X).bic(X) for k in components]
    return Table({"components": components, "bic": bic})


def find_star_cluster(
    table: Table,
    features: Sequence[str] = ("pmra", "pmdec", "parallax"),
    min_cluster_size: int = 40,
) -> np.ndarray:
    """Members of the most populous HDBSCAN cluster in astrometric space (a boolean mask).

    A star cluster is a tight clump in proper motion and parallax: its stars move
    together and sit at the same distance, while field stars scatter widely. The
    features are robust-scaled, HDBSCAN finds dense clumps of any shape, and the
    largest clump is returned.

    Parameters
    ----------
    table : astropy.table.Table
        Gaia-like table.
    features : sequence of str
        Astrometric columns to cluster in.
    min_cluster_size : int
        Smallest group HDBSCAN calls a cluster.

    Returns
    -------
    numpy.ndarray of bool
        One value per row of ``table``.
    """
    table = check_table(table)
    if int(min_cluster_size) < 2:
        raise ValueError(f"min_cluster_size must be at least 2, got {min_cluster_size}")
    X, good = feature_matrix(table, features)
    pipeline = make_clusterer("hdbscan", scale="robust", min_cluster_size=int(min_cluster_size))
    found = cluster_labels(pipeline, X)
    if np.all(found == NOISE):
        raise ValueError("no cluster found: try a smaller min_cluster_size")
    biggest = np.bincount(found[found != NOISE]).argmax()
    members = np.zeros(len(table), dtype=bool)
    members[np.flatnonzero(good)[found == biggest]] = True
    return members


def cluster_distance(parallax: u.Quantity | Sequence[float]) -> u.Quantity:
    """Distance of a cluster from the median parallax of its members.

    Inverting the median parallax is fine for a cluster of many precise parallaxes
    (each star's 1/parallax is biased, the median of a clump much less). A bare
    array is taken to be in mas, the Gaia unit.

    Examples
    --------
    >>> cluster_distance([7.36, 7.37] * u.mas).round(1)
    <Quantity 135.7 pc>
    """
    # Masked entries (no parallax) are dropped before the median.
    parallax = u.Quantity(
        np.ma.compressed(np.ma.asarray(u.Quantity(parallax, u.mas).value)), u.mas
    )
    if parallax.size == 0:
        raise ValueError("parallax is empty: the cluster has no members")
    median = np.median(parallax.ravel())
    if median <= 0:
        raise ValueError(f"parallax median must be positive, got {median}")
    return median.to(u.pc, equivalencies=u.parallax())
