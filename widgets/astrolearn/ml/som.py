"""A self-organising map (Kohonen map) and its U-matrix, in numpy.

A self-organising map is a grid of nodes, each holding a weight vector in the data's
feature space. Training pulls the node that best matches each object (its *best
matching unit*, BMU) and that node's grid neighbours towards the object, so that
nodes close on the grid end up close in feature space: the grid becomes a
two-dimensional picture of the data. The *U-matrix* holds, for each node, the mean
distance in feature space to its grid neighbours: low inside a group of similar
objects, high on the borders between groups.

This is the batch algorithm (Kohonen 2013, "Essentials of the self-organizing map",
Neural Networks 37, 52): each epoch assigns every object to its BMU, then sets every
node to the neighbourhood-weighted mean of the objects, with a Gaussian neighbourhood
whose width shrinks from ``sigma_start`` to ``sigma_end`` nodes. It is deterministic
once the seeded initial weights are drawn. No package (MiniSom, somoclu) is needed.

Example
-------
>>> rng = np.random.default_rng(0)
>>> X = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal(3, 0.1, (50, 2))]
>>> som = SelfOrganisingMap(rows=6, columns=6, random_state=0).fit(X)
>>> bool(som.quantisation_errors_[-1] < som.quantisation_errors_[0])
True
>>> som.u_matrix().shape
(6, 6)
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from ._checks import check_choice, check_matrix


def _squared_distances(X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, one row per object and one column per node."""
    squared = (X**2).sum(1)[:, None] - 2 * X @ weights.T + (weights**2).sum(1)[None, :]
    return np.maximum(squared, 0.0)  # rounding can make a zero distance slightly negative


class SelfOrganisingMap(BaseEstimator):
    """A rectangular self-organising map trained with the batch algorithm.

    Parameters
    ----------
    rows, columns : int
        Size of the grid of nodes.
    n_epochs : int
        Number of passes over the data.
    sigma_start, sigma_end : float or None
        Width (in nodes) of the Gaussian neighbourhood at the first and the last epoch;
        it shrinks geometrically between them. ``sigma_start=None`` takes half the larger
        grid side.
    init : {"pca", "random"}
        Initial weights: a regular grid on the plane of the data's first two principal
        components (spanning two standard deviations either side of the mean; the usual
        choice for the batch algorithm, which it makes deterministic), or objects drawn
        at random from ``X``.
    random_state : int
        Seed of the random initial weights (unused with ``init="pca"``). The name is scikit-learn's
        convention for an estimator's seed (so that ``clone`` and ``get_params`` work);
        astrolearn's functions call it ``seed``.

    Attributes
    ----------
    weights_ : numpy.ndarray, shape (rows, columns, n_features)
        The weight vector of each node after training.
    quantisation_errors_ : numpy.ndarray, shape (n_epochs,)
        Mean distance of the objects to their BMU after each epoch. It falls as the
        neighbourhood shrinks and the nodes are freed to follow the data.

    Examples
    --------
    >>> X = np.random.default_rng(1).normal(size=(200, 3))
    >>> SelfOrganisingMap(rows=4, columns=5).fit(X).predict(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        rows: int = 10,
        columns: int = 10,
        n_epochs: int = 20,
        sigma_start: float | None = None,
        sigma_end: float = 0.5,
        init: str = "pca",
        random_state: int = 0,
    ):
        self.rows = rows
        self.columns = columns
        self.n_epochs = n_epochs
        self.sigma_start = sigma_start
        self.sigma_end = sigma_end
        self.init = init
        self.random_state = random_state

    def _grid(self) -> np.ndarray:
        """Grid position (row, column) of each node, in the order of the flat weights."""
        row, column = np.meshgrid(np.arange(self.rows), np.arange(self.columns), indexing="ij")
        return np.column_stack([row.ravel(), column.ravel()]).astype(float)

    def _check_parameters(self) -> tuple[float, float]:
        if int(self.rows) < 1 or int(self.columns) < 1 or self.rows * self.columns < 2:
            raise ValueError(
                f"rows and columns must give at least 2 nodes, got {self.rows} x {self.columns}"
            )
        if int(self.n_epochs) < 1:
            raise ValueError(f"n_epochs must be at least 1, got {self.n_epochs}")
        start = max(self.rows, self.columns) / 2 if self.sigma_start is None else self.sigma_start
        if not 0 < self.sigma_end <= start:
            raise ValueError(
                f"need 0 < sigma_end <= sigma_start, got sigma_end={self.sigma_end}, "
                f"sigma_start={start}"
            )
        return float(start), float(self.sigma_end)

    def _initial_weights(self, X: np.ndarray, grid: np.ndarray) -> np.ndarray:
        check_choice(self.init, ("pca", "random"), "init")
        if self.init == "random":
            rng = np.random.default_rng(self.random_state)
            n_nodes = len(grid)
            return X[rng.choice(len(X), n_nodes, replace=len(X) < n_nodes)].copy()
        mean = X.mean(0)
        _, singular, axes = np.linalg.svd(X - mean, full_matrices=False)
        spread = singular / np.sqrt(len(X))  # standard deviation along each axis
        # The longer grid side follows the first principal component.
        first, second = (0, 1) if self.rows >= self.columns else (1, 0)
        weights = np.tile(mean, (len(grid), 1))
        sides = zip((first, second), (self.rows, self.columns), strict=True)
        for side, (axis, size) in enumerate(sides):
            if axis >= len(spread) or size < 2:
                continue
            position = grid[:, side] / (size - 1) * 4 - 2  # -2 ... +2 standard deviations
            weights += position[:, None] * spread[axis] * axes[axis]
        return weights

    def fit(self, X: np.ndarray, y: None = None) -> SelfOrganisingMap:
        """Train the map on ``X`` (rows are objects); returns ``self``.

        Parameters
        ----------
        X : array-like, shape (n_objects, n_features)
            Scaled features: the map measures plain Euclidean distances.
        y : None
            Ignored; the map never sees labels.
        """
        X = check_matrix(X, "X")
        sigma_start, sigma_end = self._check_parameters()
        n_nodes = self.rows * self.columns
        grid = self._grid()
        weights = self._initial_weights(X, grid)
        grid_squared = ((grid[:, None, :] - grid[None, :, :]) ** 2).sum(-1)
        sigmas = np.geomspace(sigma_start, sigma_end, int(self.n_epochs))
        errors = []
        for epoch, sigma in enumerate(sigmas):
            distances = _squared_distances(X, weights)
            bmu = distances.argmin(1)
            if epoch > 0:  # the distances to the weights the last epoch left
                errors.append(float(np.sqrt(distances[np.arange(len(X)), bmu]).mean()))
            # influence[j, k]: how much node k moves towards the objects whose BMU is j.
            influence = np.exp(-grid_squared / (2 * sigma**2))
            counts = np.bincount(bmu, minlength=n_nodes).astype(float)
            sums = np.column_stack(
                [np.bincount(bmu, weights=column, minlength=n_nodes) for column in X.T]
            )
            weight_of_node = influence.T @ counts
            # A node with (numerically) no object within reach keeps its weights.
            reached = weight_of_node > 1e-9
            weights[reached] = (influence.T @ sums)[reached] / weight_of_node[reached, None]
        errors.append(float(np.sqrt(_squared_distances(X, weights).min(1)).mean()))
        self.n_features_in_ = X.shape[1]
        self.weights_ = weights.reshape(self.rows, self.columns, X.shape[1])
        self.quantisation_errors_ = np.array(errors)
        return self

    def _flat_weights(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(self, "weights_"):
            raise RuntimeError("the map is not trained yet: call fit(X) first")
        X = check_matrix(X, "X", min_rows=1)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, the map was trained on {self.n_features_in_}"
            )
        return X, self.weights_.reshape(-1, self.n_features_in_)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Flat index (``row * columns + column``) of each object's best matching unit."""
        X, weights = self._flat_weights(X)
        return _squared_distances(X, weights).argmin(1)

    def quantisation_error(self, X: np.ndarray) -> float:
        """Mean Euclidean distance of the objects in ``X`` to their best matching unit."""
        X, weights = self._flat_weights(X)
        return float(np.sqrt(_squared_distances(X, weights).min(1)).mean())

    def u_matrix(self) -> np.ndarray:
        """Mean feature-space distance of each node to its (up to 4) grid neighbours.

        Returns
        -------
        numpy.ndarray, shape (rows, columns)
            High values mark borders between groups of objects, low values their insides.
        """
        if not hasattr(self, "weights_"):
            raise RuntimeError("the map is not trained yet: call fit(X) first")
        total = np.zeros((self.rows, self.columns))
        neighbours = np.zeros((self.rows, self.columns))
        down = np.linalg.norm(self.weights_[1:] - self.weights_[:-1], axis=-1)
        right = np.linalg.norm(self.weights_[:, 1:] - self.weights_[:, :-1], axis=-1)
        for step, (first, second) in (
            (down, (np.s_[:-1, :], np.s_[1:, :])),
            (right, (np.s_[:, :-1], np.s_[:, 1:])),
        ):
            for side in (first, second):
                total[side] += step
                neighbours[side] += 1
        return total / np.maximum(neighbours, 1)
