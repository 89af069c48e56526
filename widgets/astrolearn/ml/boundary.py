"""Boundaries a person draws: a straight line between two classes, a circle around a clump.

The public apps let a visitor classify by hand: turn and move a line in a plane of two
colours, or drag a circle onto a clump of stars. These functions say which side of a
line each object is on, which straight line sorts a training set best, which objects a
circle holds and how much two selections overlap. They use numpy only, so an app can
score a visitor without paying scikit-learn's memory until the machine plays.

Example
-------
>>> x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.zeros(4)
>>> line = Line(turn=0.0, shift=1.5)   # vertical line at x = 1.5, positive side left
>>> line.side(x, y).tolist()
[True, True, False, False]
>>> best_line(x, y, np.array([True, True, False, False]))[1]
1.0
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ._checks import check_fraction, check_vector


@dataclass(frozen=True)
class Line:
    """A straight line in the plane, and the side of it called positive.

    The line's normal points at ``turn`` degrees (counter-clockwise from +x); the line
    lies ``shift`` along that normal from ``centre``. The positive side is the one the
    normal points away from: with ``turn=0`` the line is vertical at
    ``x = centre[0] + shift`` and the positive side is left of it; turning by 180
    degrees swaps the sides.
    """

    turn: float
    shift: float
    centre: tuple[float, float] = (0.0, 0.0)

    def _normal(self) -> np.ndarray:
        angle = np.radians(self.turn)
        return np.array([np.cos(angle), np.sin(angle)])

    def side(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """True for the points (x, y) on the positive side."""
        normal = self._normal()
        along = (np.asarray(x, float) - self.centre[0]) * normal[0]
        along += (np.asarray(y, float) - self.centre[1]) * normal[1]
        return along < self.shift

    def ends(self, reach: float) -> tuple[list[float], list[float]]:
        """Two points of the line ``reach`` either side of its foot, as ([x], [y]), to draw."""
        normal = self._normal()
        foot = np.asarray(self.centre, float) + self.shift * normal
        along = np.array([-normal[1], normal[0]])
        first, last = foot - reach * along, foot + reach * along
        return [first[0], last[0]], [first[1], last[1]]

    def positive_half(self, reach: float) -> tuple[list[float], list[float]]:
        """A square of side ``2 * reach`` on the positive side, against the line, to shade."""
        (x0, x1), (y0, y1) = self.ends(reach)
        back = -2 * reach * self._normal()
        return [x0, x1, x1 + back[0], x0 + back[0]], [y0, y1, y1 + back[1], y0 + back[1]]


def accuracy(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Fraction of ``predicted`` (booleans) equal to ``truth``."""
    truth = check_vector(truth, "truth")
    predicted = check_vector(predicted, "predicted", len(truth))
    return float(np.mean(predicted == truth))


def best_line(
    x: np.ndarray,
    y: np.ndarray,
    positive: np.ndarray,
    centre: tuple[float, float] = (0.0, 0.0),
    turns: np.ndarray | None = None,
) -> tuple[Line, float]:
    """The straight line that sorts ``positive`` from the rest best, and its accuracy.

    Every direction in ``turns`` (degrees; default every degree round the circle) is
    tried with every cut between two neighbouring points along it: the exact best of
    those lines, found in a few milliseconds for a thousand points. Of lines that sort
    equally well, the one with the widest gap between the points either side wins.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 0.0, 1.0])
    >>> y = np.array([0.0, 0.0, 1.0, 1.0])
    >>> line, score = best_line(x, y, np.array([True, True, False, False]))
    >>> round(line.turn), round(line.shift, 2), score
    (90, 0.5, 1.0)
    """
    positive = check_vector(positive, "positive").astype(bool)
    x = check_vector(x, "x", len(positive)).astype(float)
    y = check_vector(y, "y", len(positive)).astype(float)
    turns = np.arange(-180.0, 180.0, 1.0) if turns is None else np.asarray(turns, float)
    angle = np.radians(turns)[:, None]
    along = (x - centre[0]) * np.cos(angle) + (y - centre[1]) * np.sin(angle)
    order = np.argsort(along, axis=1)
    ranked = along[np.arange(len(turns))[:, None], order]
    # Cutting after the first k points along a direction calls those k positive:
    # right are the positives among them and the negatives among the rest.
    hits = np.cumsum(positive[order], axis=1)
    k = np.arange(1, len(x) + 1)
    correct = hits + (np.sum(~positive) - (k - hits))
    correct = np.column_stack([np.full(len(turns), np.sum(~positive)), correct])
    # Of the lines that sort equally well, the one with the widest gap on either side.
    gap = np.zeros_like(correct, dtype=float)
    gap[:, 1:-1] = np.diff(ranked, axis=1)
    gap[correct < correct.max()] = -1.0
    best_turn, best_k = np.unravel_index(np.argmax(gap), gap.shape)
    row = ranked[best_turn]
    if best_k == 0:
        shift = row[0] - 1.0
    elif best_k == len(x):
        shift = row[-1] + 1.0
    else:
        shift = (row[best_k - 1] + row[best_k]) / 2
    line = Line(float(turns[best_turn]), float(shift), (float(centre[0]), float(centre[1])))
    return line, float(correct[best_turn, best_k] / len(x))


def best_lines(
    features: dict[str, np.ndarray], positive: np.ndarray
) -> dict[tuple[str, str], tuple[Line, float]]:
    """:func:`best_line` in the plane of every pair of ``features`` (name -> values).

    Each line is centred on the medians of its pair. The result maps ``(x name, y name)``
    to the line and its accuracy, best pair first.

    Examples
    --------
    >>> features = {"a": np.array([0.0, 1, 2, 3]), "b": np.array([0.0, 0, 1, 1])}
    >>> [score for line, score in best_lines(features, np.array([1, 1, 1, 0])).values()]
    [1.0]
    """
    found = {}
    for first, second in itertools.combinations(features, 2):
        x, y = features[first], features[second]
        centre = (float(np.median(x)), float(np.median(y)))
        found[first, second] = best_line(x, y, positive, centre)
    return dict(sorted(found.items(), key=lambda item: -item[1][1]))


def held_out_split(
    labels: np.ndarray, test_size: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of a seeded split into training and held-out rows, by class.

    Each class keeps its share in both parts. The same ``seed`` gives the same split on
    every machine, so a visitor and the machine are tested on the same unseen rows.

    Examples
    --------
    >>> train, test = held_out_split(np.array(["a", "b"] * 4), test_size=0.25)
    >>> len(train), len(test)
    (6, 2)
    """
    labels = np.asarray(labels)
    test_size = check_fraction(test_size, "test_size")
    generator = np.random.default_rng(seed)
    test = []
    for label in np.unique(labels):
        rows = generator.permutation(np.flatnonzero(labels == label))
        test.append(rows[: round(test_size * len(rows))])
    test = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(len(labels)), test), test


def in_circle(
    x: np.ndarray, y: np.ndarray, centre: tuple[float, float], radius: float
) -> np.ndarray:
    """True for the points (x, y) within ``radius`` of ``centre`` (NaN points are not)."""
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius}")
    return np.hypot(np.asarray(x, float) - centre[0], np.asarray(y, float) - centre[1]) <= radius


def overlap(chosen: np.ndarray, other: np.ndarray) -> float:
    """Of the objects either selection holds, the fraction both hold (0 if both are empty).

    Examples
    --------
    >>> overlap(np.array([True, True, False]), np.array([True, False, False]))
    0.5
    """
    other = check_vector(other, "other").astype(bool)
    chosen = check_vector(chosen, "chosen", len(other)).astype(bool)
    either = np.sum(chosen | other)
    return float(np.sum(chosen & other) / either) if either else 0.0
