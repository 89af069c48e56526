"""Supervised classification: scikit-learn models, held-out scores and diagnostics.

Example
-------
>>> from astrolearn import data
>>> from astrolearn.ml import classify, features
>>> sdss = features.colours(data.load("sdss_dr14"))           # doctest: +SKIP
>>> result = classify.train_and_test(sdss, ["u_g", "g_r", "r_i", "i_z"], "class")  # doctest: +SKIP
>>> classify.evaluate(result.y_test, result.y_pred)["accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy.table import Table
from sklearn.base import BaseEstimator
from sklearn.inspection import permutation_importance
from sklearn.metrics import (
    accuracy_score,
    auc,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_curve,
)
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from . import models
from ._checks import check_choice, check_matrix, check_table, check_vector, one_thread
from .features import feature_matrix, labels
from .split import SplitResult, fit_split


def make_classifier(model: str = "random_forest", seed: int = 0, **params) -> Pipeline:
    """A scaler + classifier Pipeline; ``params`` set the classifier's hyper-parameters.

    The classifier comes from :func:`astrolearn.ml.models.build`: an unknown parameter
    raises a ValueError naming it and the valid ones.

    Scaling matters for k-NN and the MLP (distances, gradients) and is harmless for
    trees, so every model gets the same two-step Pipeline.

    Examples
    --------
    >>> make_classifier("knn", n_neighbors=5).named_steps["model"].n_neighbors
    5
    """
    estimator = models.build("classify", model, seed, **params)
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


def train_and_test(
    table: Table,
    features: Sequence[str],
    target: str = "class",
    model: str | BaseEstimator = "random_forest",
    test_size: float = 0.25,
    seed: int = 0,
    **params,
) -> SplitResult:
    """Fit a classifier on a stratified random split and predict the held-out rows.

    Examples
    --------
    >>> t = Table({"x": np.r_[np.zeros(20), np.ones(20)], "c": ["a"] * 20 + ["b"] * 20})
    >>> float(evaluate(*_truth(train_and_test(t, ["x"], "c", "knn", n_neighbors=3)))["accuracy"])
    1.0
    """
    estimator = models.named_or_clone(model, make_classifier, seed, params)
    return fit_split(table, features, target, estimator, test_size, seed, stratify=True)


def _truth(result: SplitResult) -> tuple[np.ndarray, np.ndarray]:
    return result.y_test, result.y_pred


def evaluate(y_true: Sequence, y_pred: Sequence, classes: Sequence | None = None) -> dict:
    """Accuracy, confusion matrix and per-class precision/recall/F1.

    Returns
    -------
    dict
        ``accuracy`` (float), ``classes`` (list), ``confusion`` (rows = true class,
        columns = predicted), ``precision``/``recall``/``f1``/``support`` (dict by class).

    Examples
    --------
    >>> evaluate(["a", "b", "b"], ["a", "b", "a"])["recall"]["b"]
    0.5
    """
    y_true = check_vector(y_true, "y_true")
    y_pred = check_vector(y_pred, "y_pred", len(y_true))
    classes = list(np.unique(np.r_[y_true, y_pred])) if classes is None else list(classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=classes, zero_division=0
    )
    per_class = lambda values: {c: float(v) for c, v in zip(classes, values, strict=True)}  # noqa: E731
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "classes": classes,
        "confusion": confusion_matrix(y_true, y_pred, labels=classes),
        "precision": per_class(precision),
        "recall": per_class(recall),
        "f1": per_class(f1),
        "support": {c: int(s) for c, s in zip(classes, support, strict=True)},
    }


@one_thread
def cross_validate(
    table: Table,
    features: Sequence[str],
    target: str = "class",
    model: str | BaseEstimator = "random_forest",
    folds: int = 5,
    seed: int = 0,
    **params,
) -> np.ndarray:
    """Accuracy of each of ``folds`` stratified cross-validation folds.

    Examples
    --------
    >>> t = Table({"x": np.r_[np.zeros(20), np.ones(20)], "c": ["a"] * 20 + ["b"] * 20})
    >>> cross_validate(t, ["x"], "c", "naive_bayes", folds=4).round(2).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    if int(folds) < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    estimator = models.named_or_clone(model, make_classifier, seed, params)
    X, good = feature_matrix(check_table(table), features)
    y = labels(table, target, good)
    splitter = StratifiedKFold(n_splits=int(folds), shuffle=True, random_state=seed)
    return cross_val_score(estimator, X, y, cv=splitter)


@one_thread
def curves(estimator: BaseEstimator, X: np.ndarray, y: Sequence, kind: str = "roc") -> dict:
    """One-vs-rest ROC or precision-recall curve for each class.

    Returns
    -------
    dict
        class -> ``(x, y, area)``: for ``"roc"`` x = false-positive rate and
        y = true-positive rate, area = ROC AUC; for ``"pr"`` x = recall,
        y = precision, area = area under the PR curve.
    """
    check_choice(kind, ("roc", "pr"), "kind")
    X = check_matrix(X, "X")
    y = check_vector(y, "y", len(X))
    if not hasattr(estimator, "predict_proba"):
        raise TypeError("estimator must provide predict_proba (a fitted classifier)")
    proba = estimator.predict_proba(X)
    out = {}
    for column, name in enumerate(estimator.classes_):
        truth = y == name
        if kind == "roc":
            fpr, tpr, _ = roc_curve(truth, proba[:, column])
            out[name] = (fpr, tpr, float(auc(fpr, tpr)))
        else:
            precision, recall, _ = precision_recall_curve(truth, proba[:, column])
            out[name] = (recall, precision, float(auc(recall, precision)))
    return out


@one_thread
def feature_importance(
    estimator: BaseEstimator, X: np.ndarray, y: Sequence, features: Sequence[str], seed: int = 0
) -> Table:
    """Permutation importance on held-out data: the drop in accuracy when a column is shuffled.

    Works for every model (k-NN and naive Bayes have no built-in importances) and
    measures what the fitted model uses on unseen data, sorted most important first.
    """
    X = check_matrix(X, "X")
    y = check_vector(y, "y", len(X))
    if len(features) != X.shape[1]:
        raise ValueError(f"features has {len(features)} names but X has {X.shape[1]} columns")
    found = permutation_importance(estimator, X, y, n_repeats=5, random_state=seed, n_jobs=1)
    table = Table(
        {
            "feature": list(features),
            "importance": found.importances_mean,
            "std": found.importances_std,
        }
    )
    table.sort("importance", reverse=True)
    return table


@one_thread
def decision_grid(
    estimator: BaseEstimator, X2: np.ndarray, steps: int = 80, margin: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted class on a regular grid covering two features (a decision-boundary map).

    ``estimator`` must have been fitted on exactly these two features. Returns the
    grid x values, y values and the predicted labels with shape ``(steps, steps)``.
    """
    X2 = check_matrix(X2, "X2")
    if X2.shape[1] != 2:
        raise ValueError(f"X2 must have exactly 2 feature columns, got {X2.shape[1]}")
    low, high = np.percentile(X2, [0.5, 99.5], axis=0)
    pad = margin * (high - low)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], steps)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], steps)
    gx, gy = np.meshgrid(xs, ys)
    predicted = estimator.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    return xs, ys, predicted.reshape(gx.shape)


def misclassified(table: Table, result: SplitResult) -> Table:
    """The held-out rows whose prediction was wrong, with ``true`` and ``predicted`` columns."""
    table = check_table(table)
    wrong = result.y_test != result.y_pred
    out = table[result.test_rows[wrong]]
    out["true"] = result.y_test[wrong]
    out["predicted"] = result.y_pred[wrong]
    out["row"] = result.test_rows[wrong]
    return out
