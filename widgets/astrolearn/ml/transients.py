"""Supernova light curves as a guessing game: when will it peak? (numpy only).

The ZTF Bright Transient Survey (BTS) catalogues each supernova's time of peak and its
rise time; a visitor who saw only the rise guesses the peak, and the catalogue marks
the guess.

Example
-------
>>> bts_peak_mjd([879.69])
array([58879.19])
>>> mark_peak_guess(58885.0, 58883.2, tolerance=3.0)
(True, 1.8...)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Half the peak flux is 2.5 log10(2) = 0.75 mag fainter than the peak.
HALF_FLUX_MAG = 2.5 * np.log10(2.0)


def bts_peak_mjd(peak_time: Sequence[float]) -> np.ndarray:
    """BTS peak times (JD - 2458000, as the BTS explorer gives them) as MJD.

    MJD = JD - 2400000.5, so MJD = peak_time + 58000 - 0.5.
    """
    return np.asarray(peak_time, dtype=float) + 58000.0 - 0.5


def measured_rises(rise: Sequence[str]) -> np.ndarray:
    """BTS rise times (days from half the peak flux to the peak) as numbers.

    The BTS writes a rise it could not see begin as a lower limit, ``">9.02"`` (the
    supernova was already brighter than half its peak at the first observation): those
    are NaN here, since a limit is no measurement.

    >>> measured_rises(["10.951", ">9.02", " 5.46"])
    array([10.951,    nan,  5.46 ])
    """
    values = []
    for text in np.char.strip(np.asarray(rise).astype(str)):
        try:
            values.append(float(text))
        except ValueError:
            values.append(np.nan)
    return np.asarray(values, dtype=float)


def mark_peak_guess(guess: float, peak: float, tolerance: float) -> tuple[bool, float]:
    """Is ``guess`` within ``tolerance`` days of ``peak``? And how far off (days, + late)."""
    if not tolerance > 0:
        raise ValueError(f"tolerance must be a positive number of days, not {tolerance!r}")
    off = float(guess) - float(peak)
    return bool(abs(off) <= tolerance), off


def playable_events(
    ids: Sequence[str],
    time: Sequence[float],
    peak: dict[str, float],
    lead: dict[str, float],
    min_before: int = 3,
    min_after: int = 4,
    window: tuple[float, float] = (30.0, 60.0),
) -> list[str]:
    """Supernovae whose light curve shows the rise before the cut and the fall after.

    ``peak`` and ``lead`` map an id to its peak (MJD) and to how many days before it
    the visitor's view is cut. An event is playable with at least ``min_before`` points
    from ``window[0]`` days before the peak up to the cut, and ``min_after`` points
    up to ``window[1]`` days after the peak. Ids come back sorted.
    """
    ids, time = np.asarray(ids).astype(str), np.asarray(time, dtype=float)
    if ids.shape != time.shape:
        raise ValueError(f"ids and time must have the same length, not {ids.size} and {time.size}")
    order = np.argsort(ids, kind="stable")
    names, starts = np.unique(ids[order], return_index=True)
    chosen = []
    for name, days in zip(names, np.split(time[order], starts[1:]), strict=True):
        if name not in peak or name not in lead:
            continue
        days = days - peak[name]
        before = np.sum((days >= -window[0]) & (days <= -lead[name]))
        after = np.sum((days > 0) & (days <= window[1]))
        if before >= min_before and after >= min_after:
            chosen.append(str(name))
    return chosen
