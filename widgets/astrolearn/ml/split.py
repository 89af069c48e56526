"""Train/test split of a table, shared by classification and regression.

Example
-------
>>> from astropy.table import Table
>>> t = Table({"x": [0.0, 1, 2, 3, 4, 5, 6, 7], "y": [0, 1] * 4})
>>> from sklearn.neighbors import KNeighborsClassifier
>>> result = fit_split(t, ["x"], "y", KNeighborsClassifier(1), test_size=0.5, stratify=True)
>>> len(result.test_rows)
4
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from astropy.table import Table
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split

from ._checks import check_fraction, check_table, one_thread
from .features import feature_matrix, labels


@dataclass
class SplitResult:
    """What a held-out fit produced; ``*_rows`` index the rows of the input table.

    ``estimator`` is the fitted scikit-learn estimator or Pipeline itself: use its
    own ``predict``/``predict_proba`` on new data.
    """

    estimator: BaseEstimator
    features: list[str]
    train_rows: np.ndarray
    test_rows: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    y_pred: np.ndarray


@one_thread
def fit_split(
    table: Table,
    features: Sequence[str],
    target: str,
    estimator: BaseEstimator,
    test_size: float = 0.25,
    seed: int = 0,
    stratify: bool = False,
) -> SplitResult:
    """Fit ``estimator`` on a random part of ``table`` and predict the held-out rest.

    Parameters
    ----------
    table : astropy.table.Table
        Rows with a non-finite feature are left out.
    features : sequence of str
        Feature columns.
    target : str
        Label (or value) column.
    estimator : sklearn estimator or Pipeline
        Unfitted; it is fitted in place and returned in the result.
    test_size : float
        Fraction held out for testing.
    seed : int
        Seed of the split (the estimator carries its own ``random_state``).
    stratify : bool
        Keep class proportions equal in both parts (classification only).

    Returns
    -------
    SplitResult
    """
    table = check_table(table)
    test_size = check_fraction(test_size, "test_size")
    if not hasattr(estimator, "fit"):
        raise TypeError(
            f"estimator must be a scikit-learn estimator, got {type(estimator).__name__}"
        )
    X, good = feature_matrix(table, features)
    y = labels(table, target, good)
    rows = np.flatnonzero(good)
    train, test = train_test_split(
        np.arange(len(rows)),
        test_size=test_size,
        random_state=seed,
        stratify=y if stratify else None,
    )
    estimator.fit(X[train], y[train])
    return SplitResult(
        estimator=estimator,
        features=list(features),
        train_rows=rows[train],
        test_rows=rows[test],
        X_test=X[test],
        y_test=y[test],
        y_pred=estimator.predict(X[test]),
    )
