"""astrolearn's simulated RR Lyrae: the stated model, the borrowed cadence and noise."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from astrolearn import data
from astrolearn.ml import lightcurves, simulate
from astropy.table import Table
from scipy import stats


@pytest.fixture(scope="module")
def stripe82_g():
    """Real SDSS Stripe 82 g-band light curves (the cadence the simulation borrows)."""
    points = data.load("rrlyrae_s82_lightcurves")
    keep = (np.asarray(points["band"]).astype(str) == "g") & (np.asarray(points["mag"]) < 40)
    return points[keep]


@pytest.fixture(scope="module")
def simulated(stripe82_g):
    return simulate.rr_lyrae_light_curves(stripe82_g, n_per_class=40, seed=3)


def test_rrab_profile_rises_over_its_rise_fraction_then_fades():
    phase = np.linspace(0, 0.999, 1000)
    for model in simulate.MODELS:
        shape = simulate.rrab_profile(phase, 0.2, model)
        assert shape.min() == pytest.approx(0, abs=1e-9) and shape.max() == pytest.approx(1)
        assert phase[np.argmin(shape)] == pytest.approx(0.2, abs=0.002)  # maximum light
        rise, fade = shape[phase < 0.2], shape[phase >= 0.2]
        assert np.all(np.diff(rise) < 0) and np.all(np.diff(fade) > 0)


def test_the_standstill_fade_spends_longer_near_minimum_light():
    phase = np.linspace(0, 1, 2001)[:-1]
    sawtooth = simulate.rrab_profile(phase, 0.15, "sawtooth")
    standstill = simulate.rrab_profile(phase, 0.15, "standstill")
    near_minimum = [float(np.mean(shape > 0.8)) for shape in (sawtooth, standstill)]
    assert near_minimum[1] > 1.5 * near_minimum[0]
    # A straight fade spends equal time at every magnitude: no skew. Lingering at the
    # faint end (large magnitudes) leaves a tail towards bright (small) magnitudes.
    assert abs(stats.skew(sawtooth)) < 0.2 < -stats.skew(standstill)


def test_rrc_profile_is_a_sinusoid_and_bad_inputs_are_refused():
    phase = np.linspace(0, 1, 400, endpoint=False)
    shape = simulate.rrc_profile(phase)
    spectrum = np.abs(np.fft.rfft(shape - shape.mean()))
    assert spectrum[1] > 100 * spectrum[2:].max()  # one harmonic only
    with pytest.raises(ValueError, match="model"):
        simulate.rrab_profile(phase, 0.2, "cepheid")
    with pytest.raises(ValueError, match="rise_fraction"):
        simulate.rrab_profile(phase, 1.2)


def test_every_table_says_it_is_a_simulation(simulated):
    curves, truth = simulated
    for table in (curves, truth):
        assert table.meta["simulation"] is True
        assert "SIMULATION" in table.meta["source"] and table.meta["model"] == "sawtooth"
    assert all(str(star).startswith("sim-") for star in truth["id"])
    assert set(np.unique(np.asarray(curves["id"]))) == set(np.asarray(truth["id"]))


def test_classes_alternate_and_parameters_stay_in_the_stated_ranges(simulated):
    _, truth = simulated
    assert truth["type"].tolist() == ["ab", "c"] * 40
    for kind, ranges in simulate.RR_LYRAE_RANGES.items():
        stars = truth[truth["type"] == kind]
        for name, (low, high) in ranges.items():
            assert np.all((stars[name] >= low) & (stars[name] <= high)), (kind, name)
    assert np.all(np.isnan(truth["rise_fraction"][truth["type"] == "c"]))


def test_each_star_borrows_a_real_stars_times_and_errors(simulated, stripe82_g):
    curves, truth = simulated
    real_ids = np.asarray(stripe82_g["id"])
    for row in truth[:10]:
        mine = curves[np.asarray(curves["id"]) == row["id"]]
        donor = stripe82_g[real_ids == row["donor"]]
        assert sorted(np.asarray(mine["time"])) == sorted(np.asarray(donor["time"]))
        assert sorted(np.asarray(mine["magerr"])) == sorted(np.asarray(donor["magerr"]))
        # Centred on the donor's median magnitude, up to the amplitude.
        assert (
            abs(np.median(np.asarray(mine["mag"])) - np.median(np.asarray(donor["mag"])))
            < row["amplitude"]
        )


def test_the_noise_is_the_donors_errors():
    # A noiseless profile plus the noise: with one donor whose errors are known, the
    # residuals from the true light curve must scatter by those errors.
    time = np.sort(np.random.default_rng(0).uniform(0, 2000, 400))
    cadence = Table({"id": [1] * 400, "time": time, "mag": [17.0] * 400, "magerr": [0.05] * 400})
    curves, truth = simulate.rr_lyrae_light_curves(cadence, n_per_class=1, seed=5)
    star = truth[1]  # the RRc star: a sinusoid, fitted exactly by two Fourier terms
    mine = curves[np.asarray(curves["id"]) == star["id"]]
    angle = 2 * np.pi * np.asarray(mine["time"]) / star["period"]
    design = np.column_stack([np.ones_like(angle), np.cos(angle), np.sin(angle)])
    coefficients, *_ = np.linalg.lstsq(design, np.asarray(mine["mag"]), rcond=None)
    residuals = np.asarray(mine["mag"]) - design @ coefficients
    assert np.std(residuals) == pytest.approx(0.05, rel=0.15)
    assert 2 * np.hypot(*coefficients[1:]) == pytest.approx(star["amplitude"], abs=0.02)


@pytest.mark.slow
def test_the_true_period_is_recovered_at_the_real_cadence(simulated):
    curves, truth = simulated
    ids = np.asarray(curves["id"])
    found = 0
    for row in truth[:6]:
        star = curves[ids == row["id"]]
        period = lightcurves.best_period(
            star["time"], star["mag"], star["magerr"], min_period=0.2, max_period=1.0
        )
        found += abs(period / row["period"] - 1) < 0.002
    assert found >= 4  # one-band Stripe 82 light curves alias now and then (lesson 9)


def test_same_seed_same_simulation_and_another_seed_differs(stripe82_g):
    first = simulate.rr_lyrae_light_curves(stripe82_g, n_per_class=3, seed=11)
    again = simulate.rr_lyrae_light_curves(stripe82_g, n_per_class=3, seed=11)
    other = simulate.rr_lyrae_light_curves(stripe82_g, n_per_class=3, seed=12)
    assert np.array_equal(first[0]["mag"], again[0]["mag"])
    assert not np.allclose(first[1]["period"], other[1]["period"])


def test_bad_arguments_are_named(stripe82_g):
    with pytest.raises(ValueError, match="n_per_class"):
        simulate.rr_lyrae_light_curves(stripe82_g, n_per_class=0)
    with pytest.raises(ValueError, match="model"):
        simulate.rr_lyrae_light_curves(stripe82_g, n_per_class=1, model="bump")
    with pytest.raises(KeyError, match="cadence columns"):
        simulate.rr_lyrae_light_curves(stripe82_g[["id", "time"]], n_per_class=1)
    with pytest.raises(ValueError, match="at least 10"):
        simulate.rr_lyrae_light_curves(stripe82_g[:5], n_per_class=1)


def test_the_two_models_differ_only_in_the_rrab_fade(stripe82_g):
    # Lesson 10 compares the two versions star by star: the same seed must give the same
    # periods, amplitudes, donors and noise, and identical RRc light curves.
    saw_curves, saw = simulate.rr_lyrae_light_curves(stripe82_g, n_per_class=5, seed=2)
    still_curves, still = simulate.rr_lyrae_light_curves(
        stripe82_g, n_per_class=5, model="standstill", seed=2
    )
    for name in ("period", "amplitude", "donor", "type"):
        assert np.array_equal(saw[name], still[name]), name
    is_rrc = np.isin(saw_curves["id"], saw["id"][saw["type"] == "c"])
    assert np.array_equal(saw_curves["mag"][is_rrc], still_curves["mag"][is_rrc])
    assert not np.allclose(saw_curves["mag"][~is_rrc], still_curves["mag"][~is_rrc])


def test_the_examples_in_the_docstrings_are_true():
    results = doctest.testmod(simulate)
    assert results.attempted >= 5 and results.failed == 0
