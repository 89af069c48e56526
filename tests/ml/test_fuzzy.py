"""Fuzzy c-means: memberships sum to 1, recover far blobs, and become k-means as m -> 1."""

from __future__ import annotations

import numpy as np
import pytest
from astrolearn.ml.fuzzy import FuzzyCMeans, fuzzy_memberships
from sklearn.cluster import KMeans


def _blobs(centres, spread, n=100, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.asarray(centres, float)
    X = np.concatenate([rng.normal(c, spread, (n, len(c))) for c in centres])
    return X, np.repeat(np.arange(len(centres)), n)


def _same_partition(first, second):
    """True when two labellings split the objects the same way, whatever the label numbers."""
    return len(set(zip(first.tolist(), second.tolist(), strict=True))) == len(set(first.tolist()))


def test_memberships_sum_to_one_and_lie_in_0_1():
    X, _ = _blobs([[0, 0], [1, 1], [2, 0]], 0.6)
    model = FuzzyCMeans(3, random_state=0).fit(X)
    assert model.memberships_.shape == (300, 3)
    assert np.allclose(model.memberships_.sum(1), 1)
    assert model.memberships_.min() >= 0 and model.memberships_.max() <= 1
    assert np.allclose(model.predict_memberships(X[:7]), model.memberships_[:7], atol=1e-5)
    assert np.array_equal(model.labels_, model.memberships_.argmax(1))


def test_two_far_blobs_give_sharp_memberships_and_their_centres():
    X, blob = _blobs([[0, 0, 0], [10, 10, 10]], 0.3)
    model = FuzzyCMeans(2, m=2.0, random_state=0).fit(X)
    assert np.all(model.memberships_.max(1) > 0.97)
    assert _same_partition(model.labels_, blob)
    found = model.cluster_centers_[np.argsort(model.cluster_centers_[:, 0])]
    assert np.allclose(found, [[0, 0, 0], [10, 10, 10]], atol=0.1)


def test_memberships_by_hand():
    # Distances 1 and 3 to the two centres, m = 2: u = (1/1) / (1/1 + 1/9) = 0.9.
    u = fuzzy_memberships([[1.0]], [[0.0], [4.0]], m=2.0)
    assert u[0].tolist() == pytest.approx([0.9, 0.1])
    # An object on a centre belongs to it alone.
    assert fuzzy_memberships([[4.0]], [[0.0], [4.0]])[0] == pytest.approx([0.0, 1.0], abs=1e-12)


def test_overlap_and_a_larger_m_give_softer_memberships():
    X, _ = _blobs([[0, 0], [2, 0]], 0.8)
    sharpness = [FuzzyCMeans(2, m=m).fit(X).memberships_.max(1).mean() for m in (1.5, 2, 3)]
    assert sharpness[0] > sharpness[1] > sharpness[2] > 0.5
    # Objects half-way between the blobs are shared, not given to one.
    middle = np.abs(X[:, 0] - 1) < 0.1
    assert np.all(FuzzyCMeans(2).fit(X).memberships_[middle].max(1) < 0.65)


def test_m_close_to_1_approaches_k_means():
    X, _ = _blobs([[0, 0], [2, 0], [1, 2]], 0.7, n=150, seed=2)
    kmeans = KMeans(3, n_init=10, random_state=0).fit(X)
    crisp = FuzzyCMeans(3, m=1.05, random_state=0).fit(X)
    assert crisp.memberships_.max(1).mean() > 0.99
    # The same split of the objects as k-means, but for a handful on the borders.
    assert np.mean(crisp.labels_ == _match(crisp.labels_, kmeans.labels_)) > 0.99
    for centre in kmeans.cluster_centers_:
        assert np.min(np.linalg.norm(crisp.cluster_centers_ - centre, axis=1)) < 0.05
    soft = FuzzyCMeans(3, m=2.0, random_state=0).fit(X)
    assert soft.memberships_.max(1).mean() < 0.9


def _match(labels, reference):
    """``reference`` renumbered to the label of ``labels`` it overlaps most."""
    mapping = {r: np.bincount(labels[reference == r]).argmax() for r in np.unique(reference)}
    return np.array([mapping[r] for r in reference])


def test_seeded_and_validated():
    X, _ = _blobs([[0, 0], [3, 3]], 0.5)
    first = FuzzyCMeans(2, random_state=1).fit(X).cluster_centers_
    again = FuzzyCMeans(2, random_state=1).fit(X).cluster_centers_
    assert np.array_equal(first, again)
    with pytest.raises(ValueError, match="m must be larger than 1"):
        FuzzyCMeans(2, m=1.0).fit(X)
    with pytest.raises(ValueError, match="n_clusters"):
        FuzzyCMeans(1).fit(X)
    with pytest.raises(RuntimeError, match="fit"):
        FuzzyCMeans(2).predict(X)
