"""Real-time triage: classify candidates as they arrive and flag the ones worth following up.

A survey alert stream (e.g. HTRU2 pulsar candidates, or transients from ZTF) is
too large to inspect by eye. A classifier trained on labelled past candidates scores
each new one on arrival; those above a probability threshold go to follow-up.

Example
-------
>>> from sklearn.naive_bayes import GaussianNB
>>> X = np.r_[np.zeros((10, 1)), np.ones((10, 1))]; y = np.r_[np.zeros(10), np.ones(10)]
>>> clf = GaussianNB().fit(X, y)
>>> [d["follow_up"].tolist() for d in stream_triage(clf, [[0.0], [1.0]], batch_size=2)]
[[False, True]]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.base import BaseEstimator
from threadpoolctl import threadpool_limits

from ._checks import check_fraction, check_matrix


def stream_triage(
    estimator: BaseEstimator,
    X: np.ndarray,
    threshold: float = 0.5,
    batch_size: int = 100,
    positive: object = None,
) -> Iterator[dict]:
    """Score ``X`` batch by batch, in arrival order, as a stream would deliver it.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba``
    X : array, shape (n, n_features)
        Candidates in order of arrival.
    threshold : float
        Follow up a candidate when P(positive) is at least this.
    batch_size : int
        Candidates per arriving batch.
    positive : label, optional
        The interesting class; defaults to the last of ``estimator.classes_``
        (1 / True for a binary problem).

    Yields
    ------
    dict
        ``start`` (index of the batch's first candidate), ``probability`` and
        ``follow_up`` (arrays for this batch) and ``flagged_so_far`` (running total).
    """
    X = check_matrix(X, "X", min_rows=1)
    threshold = check_fraction(threshold, "threshold")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    if not hasattr(estimator, "predict_proba") or not hasattr(estimator, "classes_"):
        raise TypeError("estimator must be a fitted classifier with predict_proba")
    classes = list(estimator.classes_)
    positive = classes[-1] if positive is None else positive
    if positive not in classes:
        raise ValueError(
            f"positive must be one of the estimator's classes {classes}, got {positive!r}"
        )
    column = classes.index(positive)
    flagged = 0
    for start in range(0, len(X), int(batch_size)):
        # One thread per batch, as in every astrolearn.ml fit (see _checks.one_thread).
        with threadpool_limits(limits=1):
            probability = estimator.predict_proba(X[start : start + int(batch_size)])[:, column]
        follow_up = probability >= threshold
        flagged += int(follow_up.sum())
        yield {
            "start": start,
            "probability": probability,
            "follow_up": follow_up,
            "flagged_so_far": flagged,
        }
