"""The model factory: every registered estimator builds, is seeded, and refuses typos."""

import importlib.util
import warnings

import numpy as np
import pytest
from astrolearn.ml import classify, cluster, models, networks, outliers, reduce, regress
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from threadpoolctl import threadpool_limits

COLOURS = ["u_g", "g_r", "r_i", "i_z"]
# Every estimator this installation can build (UMAP only with umap-learn installed).
EVERY = [(task, name) for task in sorted(models.REGISTRY) for name in models.names(task)]


@pytest.fixture(scope="module")
def sample(sdss):
    """600 real SDSS objects: colours, class and spectroscopic redshift."""
    rows = sdss[np.random.default_rng(0).choice(len(sdss), 600, replace=False)]
    X = np.column_stack([np.asarray(rows[c], float) for c in COLOURS])
    return X, np.asarray(rows["class"]).astype(str), np.asarray(rows["redshift"], float)


def _output(task: str, estimator: BaseEstimator, sample) -> np.ndarray:
    """What a fitted estimator of ``task`` gives for the sample (the thing a seed changes)."""
    X, kind, redshift = sample
    X = (X - X.mean(0)) / X.std(0)
    # One thread, as astrolearn's fitting functions use: OpenMP threads busy-wait on a
    # loaded machine.
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        # A network's default 200 iterations do not converge on 600 rows; the seed test
        # only needs the same weights twice, not a converged network.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if task in ("classify", "network"):
            return estimator.fit(X, kind).predict_proba(X)
        if task == "regress":
            return estimator.fit(X, redshift).predict(X)
        if task == "cluster":
            return estimator.fit_predict(X)
        if task == "outliers":
            return estimator.fit(X).score_samples(X)
        return estimator.fit_transform(X[:300])


@pytest.mark.parametrize(("task", "name"), EVERY)
def test_each_registered_name_builds_a_new_estimator(task, name):
    first = models.build(task, name)
    second = models.build(task, name)
    assert isinstance(first, BaseEstimator)
    assert first is not second  # no state shared between two lessons' models
    assert not hasattr(first, "n_features_in_")  # unfitted


@pytest.mark.parametrize(("task", "name"), EVERY)
def test_unknown_parameter_is_named_with_the_valid_ones(task, name):
    valid = sorted(set(models.build(task, name).get_params()) - {"random_state"})
    with pytest.raises(ValueError) as raised:
        models.build(task, name, not_a_parameter=1)
    message = str(raised.value)
    assert "'not_a_parameter'" in message
    assert all(f"'{parameter}'" in message for parameter in valid)


@pytest.mark.parametrize(("task", "name"), EVERY)
def test_random_state_is_refused_in_favour_of_seed(task, name):
    with pytest.raises(ValueError, match="seed=") as raised:
        models.build(task, name, random_state=1)
    # The spelled-out valid parameters never suggest random_state either.
    assert "'random_state'" not in str(raised.value)


def test_a_typo_lists_the_right_spelling():
    with pytest.raises(ValueError, match=r"'n_neighbours'.*'n_neighbors'"):
        models.build("classify", "knn", n_neighbours=5)


@pytest.mark.parametrize(
    ("call", "typo"),
    [
        (lambda: classify.make_classifier("random_forest", depth=3), "depth"),
        (lambda: regress.make_regressor("knn", k=3), "k"),
        (lambda: cluster.make_clusterer("kmeans", clusters=3), "clusters"),
        (lambda: outliers.make_detector("isolation_forest", trees=10), "trees"),
        (lambda: reduce.embed(np.eye(5), "tsne", perplexty=2), "perplexty"),
        (lambda: networks.make_network([4], alpah=0.1), "alpah"),
    ],
)
def test_every_task_module_refuses_an_unknown_parameter(call, typo):
    with pytest.raises(ValueError, match=f"no parameter '{typo}'; valid parameters"):
        call()


def test_params_with_an_estimator_passed_as_model_raise_instead_of_being_ignored(sdss):
    with pytest.raises(ValueError, match=r"params \['n_neighbors'\].*KNeighborsClassifier"):
        classify.train_and_test(sdss, COLOURS, "class", KNeighborsClassifier(), n_neighbors=3)
    with pytest.raises(ValueError, match=r"params \['max_depth'\]"):
        classify.cross_validate(sdss, COLOURS, "class", KNeighborsClassifier(), max_depth=3)
    with pytest.raises(ValueError, match=r"params \['weights'\]"):
        regress.photo_z(sdss, COLOURS, "redshift", KNeighborsRegressor(), weights="uniform")
    # Without params the estimator passed is used as it is (a clone of it).
    result = classify.train_and_test(sdss[:400], COLOURS, "class", KNeighborsClassifier(3))
    assert result.estimator.n_neighbors == 3


def test_an_optional_model_not_installed_is_not_offered_and_says_what_to_install(monkeypatch):
    # umap-learn is either installed here or not: pretend it is missing to see both paths.
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "umap" else real_find_spec(name)
    )
    assert models.names("reduce") == ["pca", "tsne"] == reduce.available_methods()
    with pytest.raises(ValueError, match="pip install umap-learn"):
        models.build("reduce", "umap")


def test_unknown_task_and_name_list_the_choices():
    with pytest.raises(ValueError, match=r"task must be one of \['classify'"):
        models.names("forecast")
    with pytest.raises(ValueError, match=r"regress model must be one of \['gradient_boosting'"):
        models.build("regress", "svr")


def test_params_override_the_defaults_and_keep_the_rest():
    forest = models.build("classify", "random_forest", seed=5, n_estimators=10)
    assert (forest.n_estimators, forest.max_depth, forest.random_state) == (10, 12, 5)


SEEDED = [
    (task, name)
    for task in sorted(models.REGISTRY)
    for name in models.names(task)
    if name != "umap" and "random_state" in models.build(task, name).get_params()
]


@pytest.mark.parametrize(("task", "name"), SEEDED)
def test_the_same_seed_gives_the_same_result(sample, task, name):
    first = _output(task, models.build(task, name, seed=3), sample)
    again = _output(task, models.build(task, name, seed=3), sample)
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    ("task", "name"),
    [
        ("classify", "random_forest"),
        ("classify", "mlp"),
        ("outliers", "isolation_forest"),
        ("network", "mlp"),
    ],
)
def test_another_seed_gives_another_result(sample, task, name):
    first = _output(task, models.build(task, name, seed=3), sample)
    other = _output(task, models.build(task, name, seed=4), sample)
    assert not np.array_equal(first, other)
