"""astrolearn.ml.networks: networks trained epoch by epoch, measured after each epoch."""

from __future__ import annotations

import numpy as np
import pytest
from astrolearn.ml import networks
from sklearn.metrics import log_loss

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
XOR_Y = np.array([0, 1, 1, 0] * 10)


def test_a_hidden_layer_learns_what_no_straight_line_can():
    # Exclusive or: no straight line separates it, so one neuron without a hidden
    # layer stays near chance while eight hidden neurons sort every point.
    straight = networks.make_network([], seed=0, learning_rate=0.05)
    flat = networks.train_epochs(straight, XOR_X, XOR_Y, 300, classes=[0, 1])
    hidden = networks.make_network([8], seed=0, learning_rate=0.05)
    curved = networks.train_epochs(hidden, XOR_X, XOR_Y, 300, classes=[0, 1])
    assert flat["train_accuracy"][-1] <= 0.75
    assert curved["train_accuracy"][-1] == 1.0
    assert networks.layer_sizes(straight) == [2, 1]
    assert networks.layer_sizes(hidden) == [2, 8, 1]


def test_the_history_measures_each_epoch_independently(sdss):
    colours = np.column_stack([np.asarray(sdss[name], float) for name in ("g_r", "r_i")])
    labels = np.asarray(sdss["class"]).astype(str)
    train, held = slice(0, 800), slice(800, 1200)
    network = networks.make_network([4], seed=1)
    history = networks.train_epochs(
        network,
        colours[train],
        labels[train],
        3,
        np.unique(labels),
        validation=(colours[held], labels[held]),
    )
    assert sorted(history) == [
        "train_accuracy",
        "train_loss",
        "validation_accuracy",
        "validation_loss",
    ]
    assert all(len(values) == 3 for values in history.values())
    # The last entries are those of the network as it is now, recomputed here.
    assert history["validation_accuracy"][-1] == pytest.approx(
        network.score(colours[held], labels[held])
    )
    assert history["train_loss"][-1] == pytest.approx(
        log_loss(labels[train], network.predict_proba(colours[train]))
    )
    # Training goes on from where it stopped.
    more = networks.train_epochs(network, colours[train], labels[train], 1, np.unique(labels))
    assert network.t_ == 4 * 800 and list(more) == ["train_loss", "train_accuracy"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_weights_are_counted_from_the_layer_sizes():
    network = networks.make_network([5, 3], max_iter=20).fit(XOR_X[:4], XOR_Y[:4])
    counted = sum(w.size for w in network.coefs_) + sum(b.size for b in network.intercepts_)
    assert networks.count_weights(networks.layer_sizes(network)) == counted
    assert counted == 2 * 5 + 5 + 5 * 3 + 3 + 3 + 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: networks.make_network([4, 0]), "positive neuron counts"),
        (lambda: networks.make_network([4], learning_rate=0), "learning_rate"),
        (
            lambda: networks.train_epochs(networks.make_network([2]), XOR_X, XOR_Y, 0, [0, 1]),
            "epochs",
        ),
        (
            lambda: networks.train_epochs(networks.make_network([2]), XOR_X, XOR_Y[:5], 1, [0, 1]),
            "y has 5 values",
        ),
        (lambda: networks.layer_sizes(networks.make_network([2])), "not been trained"),
        (lambda: networks.count_weights([3]), "at least two"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
