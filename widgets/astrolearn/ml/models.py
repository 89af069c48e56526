"""Every scikit-learn estimator astrolearn builds, by task and name, from one factory.

:func:`build` makes an estimator from the registry, seeds it and sets its
hyper-parameters. A hyper-parameter the estimator does not have raises a ValueError
that names it and lists the valid ones, instead of being silently ignored.

astrolearn's own functions spell the seed ``seed``; :func:`build` hands it to the
estimator's ``random_state``, and passing ``random_state`` itself is refused so that
one call cannot carry two seeds. astrolearn's own estimators (``FuzzyCMeans``,
``SelfOrganisingMap``) keep ``random_state`` as a constructor parameter: that is the
scikit-learn convention for estimators, which they follow so that ``clone``,
``get_params`` and Pipelines work with them.

The defaults are chosen so that a fit on ~10k rows takes well under 2 s on one core.

Example
-------
>>> build("classify", "knn", n_neighbors=5).n_neighbors
5
>>> build("cluster", "kmeans", seed=3).random_state
3
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import partial

from sklearn.base import BaseEstimator, clone
from sklearn.cluster import DBSCAN, HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression
from sklearn.manifold import TSNE
from sklearn.mixture import GaussianMixture
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, LocalOutlierFactor
from sklearn.neural_network import MLPClassifier
from sklearn.svm import OneClassSVM
from sklearn.tree import DecisionTreeClassifier


def _umap() -> BaseEstimator:
    import umap  # optional dependency: only imported when a UMAP is asked for

    return umap.UMAP(n_components=2)


REGISTRY: dict[str, dict[str, Callable[[], BaseEstimator]]] = {
    "classify": {
        "knn": partial(KNeighborsClassifier, n_neighbors=15),
        "decision_tree": partial(DecisionTreeClassifier, max_depth=8),
        "random_forest": partial(RandomForestClassifier, n_estimators=100, max_depth=12, n_jobs=1),
        "gradient_boosting": partial(HistGradientBoostingClassifier, max_iter=100),
        "mlp": partial(
            MLPClassifier, hidden_layer_sizes=(32, 32), max_iter=300, early_stopping=True
        ),
        "naive_bayes": GaussianNB,
    },
    "regress": {
        "linear": LinearRegression,
        "knn": partial(KNeighborsRegressor, n_neighbors=10, weights="distance"),
        "random_forest": partial(
            RandomForestRegressor, n_estimators=100, min_samples_leaf=3, n_jobs=1
        ),
        "gradient_boosting": partial(HistGradientBoostingRegressor, max_iter=200),
    },
    "cluster": {
        "kmeans": partial(KMeans, n_clusters=3, n_init=4),
        "gmm": partial(GaussianMixture, n_components=3),
        "dbscan": partial(DBSCAN, eps=0.3, min_samples=10),
        "hdbscan": partial(HDBSCAN, min_cluster_size=30, copy=True),
        "agglomerative": partial(AgglomerativeClustering, n_clusters=3, linkage="ward"),
    },
    "outliers": {
        "isolation_forest": partial(IsolationForest, n_estimators=100),
        "local_outlier_factor": partial(LocalOutlierFactor, n_neighbors=35),
        # nu bounds the fraction of training points treated as outliers; a one-class SVM
        # scales as n^2, so the lab subsamples large tables before using it.
        "one_class_svm": partial(OneClassSVM, nu=0.05, gamma="scale"),
    },
    "reduce": {
        "pca": partial(PCA, n_components=2),
        # 500 iterations instead of 1,000: the map is settled and the fit twice as fast.
        "tsne": partial(TSNE, n_components=2, init="pca", max_iter=500),
        "umap": _umap,
    },
    # A network trained epoch by epoch (astrolearn.ml.networks): scikit-learn's defaults.
    "network": {"mlp": MLPClassifier},
}


def names(task: str) -> list[str]:
    """Registered estimator names of ``task``, sorted.

    Examples
    --------
    >>> names("regress")
    ['gradient_boosting', 'knn', 'linear', 'random_forest']
    """
    if task not in REGISTRY:
        raise ValueError(f"task must be one of {sorted(REGISTRY)}, got {task!r}")
    return sorted(name for name in REGISTRY[task] if _installed(name))


#: Estimators from optional packages: the module they import and the package to install.
OPTIONAL = {"umap": ("umap", "umap-learn")}


def _installed(name: str) -> bool:
    return name not in OPTIONAL or importlib.util.find_spec(OPTIONAL[name][0]) is not None


def build(task: str, name: str, seed: int = 0, **params) -> BaseEstimator:
    """A new, unfitted estimator ``name`` of ``task``, seeded and with ``params`` set.

    Parameters
    ----------
    task : str
        One of ``"classify"``, ``"regress"``, ``"cluster"``, ``"outliers"``,
        ``"reduce"``, ``"network"``.
    name : str
        A name from :func:`names`.
    seed : int
        Seed of the estimator's randomness (its ``random_state``); estimators without
        randomness (k-NN, naive Bayes, DBSCAN, ...) have nothing to seed.
    **params
        Hyper-parameters of the estimator, overriding the registered defaults.

    Returns
    -------
    sklearn.base.BaseEstimator

    Raises
    ------
    ValueError
        For an unknown task or name, for a parameter the estimator does not have
        (naming it and listing the valid ones), and for ``random_state`` (use ``seed``).

    Examples
    --------
    >>> build("outliers", "isolation_forest", seed=1, n_estimators=50).n_estimators
    50
    """
    choices = names(task)
    if name in REGISTRY.get(task, {}) and not _installed(name):
        package = OPTIONAL[name][1]
        raise ValueError(f"{task} model {name!r} needs {package}: pip install {package}")
    if name not in choices:
        raise ValueError(f"{task} model must be one of {choices}, got {name!r}")
    estimator = REGISTRY[task][name]()
    valid = estimator.get_params(deep=False)
    if "random_state" in params:
        raise ValueError("random_state: pass the seed as seed=... instead")
    unknown = sorted(set(params) - set(valid))
    if unknown:
        listed = sorted(set(valid) - {"random_state"})
        raise ValueError(
            f"params: {type(estimator).__name__} ({task} model {name!r}) has no parameter "
            f"{', '.join(map(repr, unknown))}; valid parameters: {listed}"
        )
    if "random_state" in valid:
        params["random_state"] = seed
    return estimator.set_params(**params)


def named_or_clone(
    model: str | BaseEstimator,
    make: Callable[..., BaseEstimator],
    seed: int = 0,
    params: dict | None = None,
) -> BaseEstimator:
    """``make(model, seed, **params)`` for a model given by name, else a clone of ``model``.

    A model passed as an estimator carries its own hyper-parameters and seed, so
    ``params`` given with it would be ignored: they raise instead.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> make = lambda name, seed, **params: build("classify", name, seed, **params)
    >>> named_or_clone("knn", make, params={"n_neighbors": 5}).n_neighbors
    5
    >>> named_or_clone(KNeighborsClassifier(3), make).n_neighbors
    3
    """
    if isinstance(model, str):
        return make(model, seed, **(params or {}))
    if params:
        raise ValueError(
            f"params {sorted(params)}: hyper-parameters only go with a model given by "
            f"name; set them on the {type(model).__name__} passed as model instead"
        )
    return clone(model)
