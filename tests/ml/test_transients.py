import numpy as np
import pytest
from astrolearn import data
from astrolearn.ml import transients


def test_bts_peak_times_are_the_brightest_observations_once_made_mjd():
    events = data.load("ztf_snia_metadata")
    points = data.load("ztf_snia_lightcurves")
    peak = dict(zip(events["ztf_id"], transients.bts_peak_mjd(events["peak_time"]), strict=True))
    ids = np.asarray(points["ztf_id"]).astype(str)
    time, mag = np.asarray(points["time"], float), np.asarray(points["mag"], float)
    offsets = []
    for name in np.unique(ids)[:300]:
        near = (ids == name) & (np.abs(time - peak[name]) < 40)
        if near.sum() >= 8:
            offsets.append(time[near][np.argmin(mag[near])] - peak[name])
    # Without the half day (JD starts at noon, MJD at midnight) the offset would be 0.5 d.
    assert len(offsets) > 100 and abs(np.median(offsets)) < 0.05


def test_rise_limits_are_not_measurements_and_the_median_is_9_7_days():
    assert np.isnan(transients.measured_rises([">9.02"])[0])
    rises = transients.measured_rises(data.load("ztf_snia_metadata")["rise"])
    assert np.isfinite(rises).sum() == 2287 and np.isnan(rises).sum() == 27
    assert np.nanmedian(rises) == pytest.approx(9.725)


def test_a_guess_is_marked_within_the_tolerance_only():
    assert transients.mark_peak_guess(13.0, 10.0, tolerance=3) == (True, 3.0)
    assert transients.mark_peak_guess(6.5, 10.0, tolerance=3) == (False, -3.5)
    with pytest.raises(ValueError, match="tolerance"):
        transients.mark_peak_guess(1, 1, tolerance=0)


def test_playable_events_show_the_rise_before_the_cut_and_the_fall_after():
    ids = ["a"] * 8 + ["b"] * 8
    days = [-20, -15, -10, -5, 2, 5, 10, 20, -20, -3, -1, 0, 2, 5, 10, 20]
    peak, lead = {"a": 0.0, "b": 0.0}, {"a": 4.0, "b": 4.0}
    # "b" has one point before its cut (the others are after it): not playable.
    assert transients.playable_events(ids, days, peak, lead) == ["a"]
    with pytest.raises(ValueError, match="same length"):
        transients.playable_events(["a"], [1.0, 2.0], peak, lead)
