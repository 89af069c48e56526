import numpy as np
import pytest
from astrolearn.ml import classify, features, regress, uncertainty
from sklearn.metrics import accuracy_score

COLOURS = ["u_g", "g_r", "r_i", "i_z"]


def test_bootstrap_interval_matches_binomial_error(sdss):
    result = classify.train_and_test(sdss, COLOURS, "class", "knn")
    estimate, low, high = uncertainty.bootstrap_metric(
        result.y_test, result.y_pred, accuracy_score, n_boot=500
    )
    assert low < estimate < high
    # An accuracy p on n test objects has binomial error sqrt(p(1-p)/n); the 95%
    # bootstrap interval should span about 2 x 1.96 of that.
    binomial = np.sqrt(estimate * (1 - estimate) / len(result.y_test))
    assert (high - low) / (2 * 1.96 * binomial) == pytest.approx(1.0, abs=0.25)


def test_calibration_of_a_naive_bayes_quasar_finder(sdss):
    result = classify.train_and_test(sdss, COLOURS, "class", "naive_bayes")
    quasar = list(result.estimator.classes_).index("QSO")
    raw = result.estimator.predict_proba(result.X_test)[:, quasar]
    truth = result.y_test == "QSO"
    before = uncertainty.calibration(truth, raw)
    fixed = classify.train_and_test(
        sdss, COLOURS, "class", uncertainty.calibrated(classify.make_classifier("naive_bayes"))
    )
    after = uncertainty.calibration(truth, fixed.estimator.predict_proba(fixed.X_test)[:, quasar])
    # Naive Bayes assumes independent colours, which they are not: its probabilities
    # are over-confident, and isotonic calibration lowers the Brier score.
    assert after["brier"] < before["brier"]
    assert np.all(np.diff(before["predicted"]) >= 0)


def test_prediction_intervals_cover_their_level(sdss):
    galaxies = sdss[sdss["class"] == "GALAXY"]
    X, good = features.feature_matrix(galaxies, [*COLOURS, "r"])
    z = np.asarray(galaxies["redshift"])[good]
    order = np.random.default_rng(0).permutation(len(X))
    X, z = X[order], z[order]
    median, low, high = uncertainty.prediction_interval(X[:3000], z[:3000], X[3000:], level=0.9)
    # Conformalised intervals guarantee >= 90% coverage on exchangeable data (Romano
    # et al. 2019); raw quantile boosting covered only 0.76 here.
    assert uncertainty.coverage(z[3000:], low, high) == pytest.approx(0.9, abs=0.05)
    assert regress.photo_z_metrics(z[3000:], median)["sigma_nmad"] < 0.03


def test_measurement_noise_and_sample_size_change_the_answer(sdss):
    X, good = features.feature_matrix(sdss, COLOURS)
    y = np.asarray(sdss["class"])[good]
    estimator = classify.make_classifier("knn")
    clean = classify.cross_validate(sdss, COLOURS, "class", estimator, folds=3).mean()
    noisy_table = sdss.copy()
    for index, name in enumerate(COLOURS):
        noisy_table[name] = uncertainty.with_noise(X, 0.3, seed=1)[:, index]
    noisy = classify.cross_validate(noisy_table, COLOURS, "class", estimator, folds=3).mean()
    # 0.3 mag colour errors (faint SDSS objects) blur the stellar locus into quasars.
    assert noisy < clean - 0.05
    curve = uncertainty.sample_size_curve(estimator, X, y, sizes=(0.02, 1.0))
    assert curve["mean"][-1] > curve["mean"][0]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        uncertainty.bootstrap_metric([1, 0], [1, 0], accuracy_score, level=95)
    with pytest.raises(ValueError, match="probability values must lie in"):
        uncertainty.calibration([0, 1], [0.5, 2.0])
    with pytest.raises(ValueError, match="method must be one of"):
        uncertainty.calibrated(classify.make_classifier("knn"), "platt")
    with pytest.raises(ValueError, match="sigma must be non-negative"):
        uncertainty.with_noise(np.ones((3, 2)), -1)
