"""Fuzzy c-means: every object belongs to every cluster, by a membership that sums to 1.

k-means gives each object one label. Fuzzy c-means (Bezdek 1981, *Pattern Recognition
with Fuzzy Objective Function Algorithms*, Plenum) gives each object a membership
``u[i, j]`` between 0 and 1 in each cluster ``j``, with the memberships of one object
summing to 1. It minimises ``sum_ij u[i, j]**m * |x_i - c_j|**2`` by alternating two
steps: each centre is the mean of all objects weighted by ``u**m``, and each
membership is ``1 / sum_k (d_ij / d_ik)**(2 / (m - 1))``. The *fuzzifier* ``m > 1``
sets how soft the memberships are: as ``m`` falls towards 1 they become 0 or 1 and the
algorithm becomes k-means; ``m = 2`` is the usual choice. numpy only (no scikit-fuzzy).

Example
-------
>>> rng = np.random.default_rng(0)
>>> X = np.r_[rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (30, 2))]
>>> model = FuzzyCMeans(n_clusters=2, random_state=0).fit(X)
>>> bool(np.allclose(model.memberships_.sum(1), 1))
True
>>> sorted(abs(model.cluster_centers_[:, 0].round()).tolist())
[0.0, 5.0]
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

from ._checks import check_matrix


def fuzzy_memberships(X: np.ndarray, centres: np.ndarray, m: float = 2.0) -> np.ndarray:
    """Fuzzy c-means memberships of the objects ``X`` in clusters with ``centres``.

    Parameters
    ----------
    X : array-like, shape (n_objects, n_features)
    centres : array-like, shape (n_clusters, n_features)
    m : float
        Fuzzifier, larger than 1.

    Returns
    -------
    numpy.ndarray, shape (n_objects, n_clusters)
        Each row sums to 1; an object on a centre has membership 1 there.

    Examples
    --------
    >>> fuzzy_memberships([[0.0], [1.0], [0.5]], [[0.0], [1.0]]).round(2).tolist()
    [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
    """
    X = check_matrix(X, "X", min_rows=1)
    centres = check_matrix(centres, "centres", min_rows=1)
    if centres.shape[1] != X.shape[1]:
        raise ValueError(f"centres have {centres.shape[1]} features, X has {X.shape[1]}")
    if not m > 1:
        raise ValueError(f"m must be larger than 1, got {m}")
    squared = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    # u_ij is proportional to d_ij ** (-2 / (m - 1)); in logarithms (a softmax) so that
    # m close to 1 neither overflows nor divides by zero.
    log_weight = -np.log(np.maximum(squared, 1e-300)) / (m - 1)
    log_weight -= log_weight.max(1, keepdims=True)
    weight = np.exp(log_weight)
    return weight / weight.sum(1, keepdims=True)


class FuzzyCMeans(ClusterMixin, BaseEstimator):
    """Fuzzy c-means clustering with a scikit-learn face (``fit``, ``predict``, ``labels_``).

    Parameters
    ----------
    n_clusters : int
        Number of clusters c.
    m : float
        Fuzzifier (> 1). Near 1 the result approaches k-means; 2 is the usual choice.
    max_iter : int
        Largest number of iterations.
    tol : float
        Stop when no membership changes by more than this between two iterations.
    random_state : int
        Seed of the random initial memberships. The name is scikit-learn's
        convention for an estimator's seed (so that ``clone`` and ``get_params`` work);
        astrolearn's functions call it ``seed``.

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray, shape (n_clusters, n_features)
    memberships_ : numpy.ndarray, shape (n_objects, n_clusters)
        Membership of each training object in each cluster; rows sum to 1.
    labels_ : numpy.ndarray, shape (n_objects,)
        The cluster of largest membership (a hard label, for comparison with k-means).
    n_iter_ : int
        Iterations run.
    objective_ : float
        ``sum u**m d**2`` at the end.

    Examples
    --------
    >>> X = np.r_[np.zeros((5, 1)), np.ones((5, 1))]
    >>> FuzzyCMeans(2).fit(X).predict([[0.1], [0.9]]).size
    2
    """

    def __init__(
        self,
        n_clusters: int = 3,
        m: float = 2.0,
        max_iter: int = 300,
        tol: float = 1e-6,
        random_state: int = 0,
    ):
        self.n_clusters = n_clusters
        self.m = m
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: None = None) -> FuzzyCMeans:
        """Find the centres and memberships for ``X``; returns ``self``.

        Parameters
        ----------
        X : array-like, shape (n_objects, n_features)
            Scaled features (the distances are Euclidean).
        y : None
            Ignored.
        """
        X = check_matrix(X, "X")
        if not 2 <= int(self.n_clusters) <= len(X):
            raise ValueError(
                f"n_clusters must be between 2 and the number of objects ({len(X)}), "
                f"got {self.n_clusters}"
            )
        if not self.m > 1:
            raise ValueError(f"m must be larger than 1, got {self.m}")
        rng = np.random.default_rng(self.random_state)
        memberships = rng.dirichlet(np.ones(int(self.n_clusters)), size=len(X))
        iterations = 0
        while iterations < int(self.max_iter):
            iterations += 1
            weight = memberships**self.m
            centres = (weight.T @ X) / weight.sum(0)[:, None]
            updated = fuzzy_memberships(X, centres, self.m)
            change = float(np.abs(updated - memberships).max())
            memberships = updated
            if change < self.tol:
                break
        self.cluster_centers_ = centres
        self.memberships_ = memberships
        self.labels_ = memberships.argmax(1)
        self.n_iter_ = iterations
        squared = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        self.objective_ = float((memberships**self.m * squared).sum())
        self.n_features_in_ = X.shape[1]
        return self

    def predict_memberships(self, X: np.ndarray) -> np.ndarray:
        """Memberships of new objects in the fitted clusters (rows sum to 1)."""
        if not hasattr(self, "cluster_centers_"):
            raise RuntimeError("the model is not fitted yet: call fit(X) first")
        return fuzzy_memberships(X, self.cluster_centers_, self.m)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The cluster of largest membership for each object."""
        return self.predict_memberships(X).argmax(1)
