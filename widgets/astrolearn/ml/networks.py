"""Small neural networks trained epoch by epoch: scikit-learn's MLPClassifier, watched.

A lesson draws training curves (loss and accuracy after every pass over the training
set) and an app redraws a network's decision regions while it learns. Both train the
same way: ``partial_fit`` makes one pass (an *epoch*) per call, so the caller can
measure, draw or stop between epochs. The estimators are scikit-learn's own.

Example
-------
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
>>> y = np.array([0, 1, 1, 0] * 10)             # exclusive or: no straight line sorts it
>>> network = make_network([8], seed=0, learning_rate=0.05)
>>> history = train_epochs(network, X, y, epochs=300, classes=[0, 1])
>>> history["train_accuracy"][-1]
1.0
>>> layer_sizes(network)
[2, 8, 1]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier

from . import models
from ._checks import check_matrix, check_vector, one_thread


def make_network(
    hidden_layers: Sequence[int], seed: int = 0, learning_rate: float = 0.01, **params
) -> MLPClassifier:
    """An MLPClassifier with the given hidden layers, ready to train epoch by epoch.

    Parameters
    ----------
    hidden_layers : sequence of int
        Neurons in each hidden layer; empty for no hidden layer (one output neuron on
        the inputs: logistic regression, a straight boundary).
    seed : int
        Seed of the initial weights and of the shuffling of each epoch.
    learning_rate : float
        Initial step size of the Adam optimiser.
    **params
        Other MLPClassifier parameters (``alpha``, ``activation``, ...).

    Examples
    --------
    >>> make_network([4, 4]).hidden_layer_sizes
    (4, 4)
    """
    sizes = tuple(int(size) for size in hidden_layers)
    if any(size < 1 for size in sizes):
        raise ValueError(f"hidden_layers must be positive neuron counts, got {list(sizes)}")
    if not float(learning_rate) > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    return models.build(
        "network",
        "mlp",
        seed,
        hidden_layer_sizes=sizes,
        learning_rate_init=float(learning_rate),
        **params,
    )


@one_thread
def train_epochs(
    network: MLPClassifier,
    X: np.ndarray,
    y: Sequence,
    epochs: int,
    classes: Sequence,
    validation: tuple[np.ndarray, Sequence] | None = None,
) -> dict[str, list[float]]:
    """Train ``network`` for ``epochs`` passes over (X, y) and measure it after each one.

    The network keeps what it learned: call again to go on training.

    Parameters
    ----------
    network : MLPClassifier
        A new or partly trained network (``partial_fit`` is used).
    X, y : array
        Training features (scaled) and labels.
    epochs : int
        Passes over the training set.
    classes : sequence
        Every label the network must know (``partial_fit`` needs them at the start).
    validation : (X_val, y_val), optional
        Held-out objects, measured after every epoch but never trained on.

    Returns
    -------
    dict
        Lists with one value per epoch: ``train_loss`` and ``train_accuracy`` (and
        ``validation_loss`` and ``validation_accuracy`` when ``validation`` is given).
        The loss is the mean cross-entropy (log loss) of the whole set after the epoch.
    """
    X = check_matrix(X, "X")
    y = check_vector(y, "y", len(X))
    if int(epochs) < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    sets = {"train": (X, y)}
    if validation is not None:
        X_val = check_matrix(validation[0], "validation X")
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(f"validation X has {X_val.shape[1]} columns but X has {X.shape[1]}")
        sets["validation"] = (X_val, check_vector(validation[1], "validation y", len(X_val)))
    classes = np.asarray(classes)
    history: dict[str, list[float]] = {
        f"{name}_{what}": [] for name in sets for what in ("loss", "accuracy")
    }
    for _ in range(int(epochs)):
        network.partial_fit(X, y, classes=classes)
        for name, (features, labels) in sets.items():
            probabilities = network.predict_proba(features)
            predicted = network.classes_[np.argmax(probabilities, axis=1)]
            history[f"{name}_loss"].append(
                float(log_loss(labels, probabilities, labels=network.classes_))
            )
            history[f"{name}_accuracy"].append(float(np.mean(predicted == labels)))
    return history


def layer_sizes(network: MLPClassifier) -> list[int]:
    """Neurons in every layer of a trained network, inputs first and outputs last.

    Examples
    --------
    >>> net = make_network([3]).fit(np.eye(4), [0, 1, 0, 1])  # doctest: +SKIP
    >>> layer_sizes(net)  # doctest: +SKIP
    [4, 3, 1]
    """
    if not hasattr(network, "coefs_"):
        raise ValueError("the network has not been trained yet (no coefs_)")
    return [network.coefs_[0].shape[0]] + [weights.shape[1] for weights in network.coefs_]


def count_weights(sizes: Sequence[int]) -> int:
    """Weights and biases of a fully connected network with these layer sizes.

    Each neuron of a layer has one weight per neuron of the layer before it and one
    bias.

    Examples
    --------
    >>> count_weights([2, 8, 1])   # 2*8 + 8 + 8*1 + 1
    33
    """
    sizes = [int(size) for size in sizes]
    if len(sizes) < 2 or any(size < 1 for size in sizes):
        raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
    return sum((before + 1) * after for before, after in itertools.pairwise(sizes))
