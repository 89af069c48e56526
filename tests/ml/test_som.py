"""The self-organising map: training lowers the quantisation error, the U-matrix finds borders."""

from __future__ import annotations

import numpy as np
import pytest
from astrolearn import data
from astrolearn.ml import cluster
from astrolearn.ml.som import SelfOrganisingMap
from sklearn.preprocessing import StandardScaler


def _two_blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(0, 0.2, (150, 3)), rng.normal(4, 0.2, (150, 3))]
    return X, np.repeat([0, 1], 150)


@pytest.mark.parametrize("init", ["pca", "random"])
def test_quantisation_error_falls_with_training(init):
    X, _ = _two_blobs()
    short = SelfOrganisingMap(rows=8, columns=8, n_epochs=2, init=init).fit(X)
    long = SelfOrganisingMap(rows=8, columns=8, n_epochs=30, init=init).fit(X)
    errors = long.quantisation_errors_
    assert errors.shape == (30,)
    assert errors[-1] < 0.5 * errors[0]
    assert np.all(np.diff(errors) < 1e-9)  # a shrinking neighbourhood only tightens the fit
    assert long.quantisation_error(X) == pytest.approx(errors[-1])
    assert long.quantisation_error(X) < short.quantisation_error(X)
    # Once trained, nodes sit among the data: closer than the blob's own spread.
    assert errors[-1] < 0.3


def test_u_matrix_is_high_between_two_separated_blobs():
    X, blob = _two_blobs()
    som = SelfOrganisingMap(rows=8, columns=8, n_epochs=30).fit(X)
    weights = som.weights_.reshape(-1, 3)
    # Which blob each node stands for: the nearer blob centre (the truth, not the map).
    centres = np.array([X[blob == 0].mean(0), X[blob == 1].mean(0)])
    side = np.linalg.norm(weights[:, None] - centres[None], axis=-1).argmin(1).reshape(8, 8)
    border = np.zeros((8, 8), bool)
    border[:-1] |= side[:-1] != side[1:]
    border[1:] |= side[1:] != side[:-1]
    border[:, :-1] |= side[:, :-1] != side[:, 1:]
    border[:, 1:] |= side[:, 1:] != side[:, :-1]
    u = som.u_matrix()
    assert u.shape == (8, 8)
    assert border.any() and (~border).any()
    assert np.median(u[border]) > 5 * np.median(u[~border])
    # Each blob's objects land on its own side of the map.
    node_side = side.ravel()[som.predict(X)]
    assert np.mean(node_side == blob) == 1.0


def test_u_matrix_by_hand_on_a_tiny_grid():
    som = SelfOrganisingMap(rows=2, columns=2)
    som.weights_ = np.array([[[0.0], [1.0]], [[3.0], [7.0]]])
    som.n_features_in_ = 1
    # Node (0, 0): neighbours at 1 and 3 -> 2; (0, 1): 1 and 6 -> 3.5;
    # (1, 0): 3 and 4 -> 3.5; (1, 1): 6 and 4 -> 5.
    assert som.u_matrix().tolist() == [[2.0, 3.5], [3.5, 5.0]]
    assert som.predict([[0.2], [6.0]]).tolist() == [0, 3]


def test_the_map_is_seeded_and_deterministic():
    X, _ = _two_blobs(1)
    first = SelfOrganisingMap(6, 5, init="random", random_state=3).fit(X).weights_
    again = SelfOrganisingMap(6, 5, init="random", random_state=3).fit(X).weights_
    other = SelfOrganisingMap(6, 5, init="random", random_state=4).fit(X).weights_
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.shape == (6, 5, 3)


def test_pleiades_members_share_a_compact_corner_of_the_map():
    stars = data.load("gaia_pleiades")
    X = StandardScaler().fit_transform(
        np.column_stack([np.asarray(stars[n], float) for n in ("pmra", "pmdec", "parallax")])
    )
    members = cluster.find_star_cluster(stars)
    som = SelfOrganisingMap(10, 10).fit(X)
    node = som.predict(X)
    member_nodes = set(node[members].tolist())
    field_nodes = set(node[~members].tolist())
    # The map never saw the membership, yet members and field stars hardly share a node.
    assert len(member_nodes & field_nodes) <= 2
    u = som.u_matrix().ravel()
    assert np.median(u[list(member_nodes)]) < 0.3 * np.median(u[list(field_nodes)])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": 1, "columns": 1}, "at least 2 nodes"),
        ({"n_epochs": 0}, "n_epochs"),
        ({"sigma_end": 9.0}, "sigma_end"),
        ({"init": "grid"}, "init"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SelfOrganisingMap(**kwargs).fit(np.random.default_rng(0).normal(size=(20, 2)))


def test_untrained_or_mismatched_use_is_refused():
    with pytest.raises(RuntimeError, match="fit"):
        SelfOrganisingMap().u_matrix()
    som = SelfOrganisingMap(3, 3).fit(np.random.default_rng(0).normal(size=(30, 2)))
    with pytest.raises(ValueError, match="features"):
        som.predict(np.zeros((2, 3)))
