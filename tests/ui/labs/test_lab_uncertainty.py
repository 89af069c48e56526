import pytest
from astrolearn.ui.labs import UncertaintyLab


@pytest.fixture(scope="module")
def lab():
    return UncertaintyLab("sdss_dr14")


def test_bootstrap_and_calibration(lab):
    lab.train_button.click()
    assert lab.error == ""
    low, high = lab.accuracy_interval
    assert low < lab.accuracy < high
    # Isotonic calibration of naive Bayes lowers the Brier score for quasars.
    assert lab.brier_calibrated < lab.brier_raw
    full_width = high - low
    lab.sample_fraction = 0.1
    lab.train()
    # Ten times fewer test objects: the interval widens by about sqrt(10) = 3.2.
    assert (lab.accuracy_interval[1] - lab.accuracy_interval[0]) / full_width > 2
    lab.sample_fraction = 1.0


def test_measurement_noise_lowers_accuracy(lab):
    lab.noise_sigma = 0.0
    lab.train()
    clean = lab.accuracy
    lab.noise_sigma = 0.3
    lab.train()
    assert lab.accuracy < clean - 0.05
    lab.noise_sigma = 0.0


def test_prediction_intervals_cover(lab):
    lab.prediction_intervals()
    assert lab.error == ""
    # Conformal intervals: >= 90% coverage expected (Romano et al. 2019), within noise.
    assert lab.interval_coverage == pytest.approx(0.9, abs=0.04)
