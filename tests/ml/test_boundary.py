import subprocess
import sys

import numpy as np
import pytest
from astrolearn import data
from astrolearn.ml import boundary


@pytest.fixture(scope="module")
def star_quasar():
    objects = data.load("sdss_star_quasar")
    colour = {
        f"{blue}-{red}": np.asarray(objects[f"{blue}_mag"], float)
        - np.asarray(objects[f"{red}_mag"], float)
        for blue, red in zip("ugri", "griz", strict=True)
    }
    return colour, np.asarray(objects["class"]).astype(str) == "QSO"


def test_a_line_calls_the_side_its_normal_points_away_from_positive():
    x, y = np.array([-1.0, 1.0, 0.3, 0.3]), np.array([0.3, 0.3, -1.0, 1.0])
    assert boundary.Line(0, 0).side(x, y).tolist() == [True, False, False, False]
    assert boundary.Line(180, 0).side(x, y).tolist() == [False, True, True, True]
    assert boundary.Line(90, 0).side(x, y).tolist() == [False, False, True, False]
    # Moved by 2 from the centre (5, 5) along +x: the vertical line x = 7.
    line = boundary.Line(0, 2, centre=(5.0, 5.0))
    assert line.side(np.array([6.9, 7.1]), np.array([0.0, 0.0])).tolist() == [True, False]
    (x0, x1), (y0, y1) = line.ends(10)
    assert x0 == pytest.approx(7) and x1 == pytest.approx(7) and abs(y1 - y0) == 20


def test_the_shaded_half_lies_on_the_positive_side_against_the_line():
    line = boundary.Line(35, 0.3, centre=(1.0, 2.0))
    xs, ys = line.positive_half(5)
    inside = (np.mean(xs), np.mean(ys))  # the square's middle
    assert line.side(*inside)
    assert not boundary.Line(35 + 180, -0.3, centre=(1.0, 2.0)).side(*inside)
    assert ([xs[0], xs[1]], [ys[0], ys[1]]) == line.ends(5)


def test_best_line_finds_a_perfect_tilted_line_and_a_better_one_than_any_other():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, 300), rng.uniform(-1, 1, 300)
    positive = y < 0.5 * x + 0.1
    line, score = boundary.best_line(x, y, positive)
    assert score == 1.0
    assert boundary.accuracy(line.side(x, y), positive) == 1.0
    # Its score is what the line it returns really scores, and no tried line beats it.
    for turn in range(-180, 180, 15):
        for shift in np.linspace(-1, 1, 21):
            assert boundary.accuracy(boundary.Line(turn, shift).side(x, y), positive) <= score


def test_the_star_quasar_sample_is_hard_in_u_g_and_easier_in_the_red(star_quasar):
    colour, quasar = star_quasar
    # About a third of these z = 2.2-3.5 quasars pass the low-z rule u - g < 0.6.
    assert np.mean(colour["u-g"][quasar] < 0.6) == pytest.approx(0.336)
    _, score = boundary.best_line(colour["u-g"], np.zeros(quasar.size), quasar)
    assert score == pytest.approx(0.715)
    lines = boundary.best_lines(colour, quasar)
    assert next(iter(lines)) == ("r-i", "i-z")
    assert lines["r-i", "i-z"][1] > 0.8 > lines["u-g", "g-r"][1]
    assert list(lines.values())[-1][1] < 0.7


def test_the_held_out_split_is_fixed_by_class_and_disjoint():
    labels = np.array(["QSO"] * 500 + ["STAR"] * 500)
    train, test = boundary.held_out_split(labels, 0.25, seed=0)
    again_train, again_test = boundary.held_out_split(labels, 0.25, seed=0)
    assert np.array_equal(test, again_test) and np.array_equal(train, again_train)
    assert len(test) == 250 and np.sum(labels[test] == "QSO") == 125
    assert np.intersect1d(train, test).size == 0 and len(train) + len(test) == 1000
    assert not np.array_equal(test, boundary.held_out_split(labels, 0.25, seed=1)[1])


def test_circle_and_overlap():
    x, y = np.array([0.0, 1.0, 3.0, np.nan]), np.zeros(4)
    chosen = boundary.in_circle(x, y, (0.0, 0.0), 1.0)
    assert chosen.tolist() == [True, True, False, False]
    assert boundary.overlap(chosen, np.array([True, False, False, False])) == 0.5
    assert boundary.overlap(np.zeros(3, bool), np.zeros(3, bool)) == 0.0
    with pytest.raises(ValueError, match="radius must be positive"):
        boundary.in_circle(x, y, (0.0, 0.0), 0)
    with pytest.raises(ValueError, match="chosen has 4 values but 2"):
        boundary.overlap(chosen, np.array([True, False]))


def test_boundary_needs_no_scikit_learn():
    # The apps score a visitor before the machine plays: no scikit-learn memory yet.
    code = "import sys, astrolearn.ml.boundary; print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
