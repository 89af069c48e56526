import numpy as np
import pytest
from astrolearn.ml import classify, features, triage
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits


def test_pulsar_stream_flags_most_real_pulsars(htru2):
    X, good = features.feature_matrix(htru2, htru2.colnames[:8])
    y = features.labels(htru2, "is_pulsar", good).astype(bool)
    X_past, X_new, y_past, y_new = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    estimator = classify.make_classifier("gradient_boosting", class_weight="balanced")
    # One thread, as astrolearn.ml's own fitting functions use: OpenMP threads
    # busy-wait on a loaded shared machine (see astrolearn.ml._checks.one_thread).
    with threadpool_limits(1):
        estimator.fit(X_past, y_past)
    batches = list(triage.stream_triage(estimator, X_new, threshold=0.3, batch_size=500))
    follow_up = np.concatenate([b["follow_up"] for b in batches])
    assert len(batches) == int(np.ceil(len(X_new) / 500))
    assert batches[-1]["flagged_so_far"] == follow_up.sum()
    recall = follow_up[y_new].mean()
    # Lyon et al. 2016 (MNRAS 459, 1104) report pulsar recall 0.83-0.92 for their
    # classifiers on HTRU2; a low threshold trades purity for completeness.
    assert recall > 0.88
    # ...while following up only a small part of the stream (9% are pulsars).
    assert follow_up.mean() < 0.15


def test_bad_arguments_are_named(htru2):
    estimator = classify.make_classifier("naive_bayes").fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="threshold must be between 0 and 1"):
        next(triage.stream_triage(estimator, [[0.5]], threshold=1.5))
    with pytest.raises(ValueError, match="positive must be one of"):
        next(triage.stream_triage(estimator, [[0.5]], positive="pulsar"))
    with pytest.raises(TypeError, match="estimator must be a fitted classifier"):
        next(triage.stream_triage(object(), [[0.5]]))
