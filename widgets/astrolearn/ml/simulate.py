"""astrolearn's simulation of RR Lyrae light curves, observed at a real survey's cadence.

Everything this module returns is a **simulation** made by astrolearn, not observed
data; the tables say so in their ``meta`` and their ids start with ``sim-``. The model
is deliberately small, so that a learner can read all of it (numpy only):

- **RRab** stars (pulsating in the fundamental mode) brighten over a short fraction of
  the cycle, the *rise fraction* (drawn uniformly from 0.10 to 0.25), and fade over the
  rest. With ``model="sawtooth"`` the fade is a straight line in magnitude. With
  ``model="standstill"`` it slows down as the star approaches minimum light (an
  exponential approach with an e-folding of one third of the fade), so the star spends
  longer near minimum, as real RRab stars do.
- **RRc** stars (first overtone) vary as a sinusoid, in both models.
- Periods and peak-to-peak amplitudes are drawn uniformly from rough ranges for RR Lyrae
  stars in the SDSS *g* band (:data:`RR_LYRAE_RANGES`; our choice, not a fit to any
  data).
- Cadence and noise are borrowed from real light curves: each simulated star takes the
  observing times and magnitude errors of one real star (its *donor*, drawn at random),
  is centred on the donor's median magnitude, and gets Gaussian noise with the donor's
  errors. Nothing else of the donor, in particular not its type, is used.

Example
-------
>>> from astropy.table import Table
>>> real = Table({"id": [7] * 40, "time": np.linspace(0, 300, 40), "mag": [17.0] * 40,
...               "magerr": [0.02] * 40})
>>> curves, truth = rr_lyrae_light_curves(real, n_per_class=2, seed=1)
>>> truth["type"].tolist(), len(curves)
(['ab', 'c', 'ab', 'c'], 160)
>>> curves.meta["simulation"]
True
"""

from __future__ import annotations

import numpy as np
from astropy.table import Table

from ._checks import check_choice, check_columns, check_table

#: Uniform ranges of the simulated stars' parameters: period (days), g-band peak-to-peak
#: amplitude (mag) and, for RRab, the fraction of the cycle spent brightening.
RR_LYRAE_RANGES = {
    "ab": {"period": (0.45, 0.80), "amplitude": (0.6, 1.3), "rise_fraction": (0.10, 0.25)},
    "c": {"period": (0.25, 0.42), "amplitude": (0.3, 0.6)},
}
#: The two versions of the RRab fade (see the module docstring).
MODELS = ("sawtooth", "standstill")
#: The e-folding of the "standstill" fade, as a fraction of the fade's duration.
STANDSTILL_EFOLDING = 1 / 3
#: Said by every table this module returns.
SOURCE = (
    "SIMULATION by astrolearn (astrolearn.ml.simulate): RR Lyrae light curves from a "
    "stated toy model, at the cadence and with the errors of real light curves"
)


def rrab_profile(phase: np.ndarray, rise_fraction: float, model: str = "sawtooth") -> np.ndarray:
    """Magnitude of a simulated RRab star over its cycle, 0 at maximum light, 1 at minimum.

    Phase 0 is minimum light; the star brightens until ``rise_fraction``, then fades.

    Examples
    --------
    >>> rrab_profile(np.array([0.0, 0.2, 0.6, 1.0]), 0.2).round(2).tolist()
    [1.0, 0.0, 0.5, 1.0]
    >>> float(rrab_profile(np.array([0.6]), 0.2, "standstill")[0].round(2))
    0.82
    """
    check_choice(model, MODELS, "model")
    if not 0 < rise_fraction < 1:
        raise ValueError(f"rise_fraction must be between 0 and 1, got {rise_fraction}")
    phase = np.mod(np.asarray(phase, dtype=float), 1.0)
    rising = phase < rise_fraction
    fade = (phase - rise_fraction) / (1 - rise_fraction)  # 0 at maximum, 1 at the end
    if model == "standstill":
        fade = (1 - np.exp(-fade / STANDSTILL_EFOLDING)) / (1 - np.exp(-1 / STANDSTILL_EFOLDING))
    return np.where(rising, 1 - phase / rise_fraction, fade)


def rrc_profile(phase: np.ndarray) -> np.ndarray:
    """Magnitude of a simulated RRc star over its cycle: a sinusoid, 0 at maximum light.

    Examples
    --------
    >>> rrc_profile(np.array([0.0, 0.25, 0.5])).round(2).tolist()
    [1.0, 0.5, 0.0]
    """
    return 0.5 + 0.5 * np.cos(2 * np.pi * np.asarray(phase, dtype=float))


def _donors(cadence: Table, id_column: str, min_points: int) -> list[np.ndarray]:
    """Row indices of each real star in ``cadence`` with at least ``min_points`` points."""
    ids = np.asarray(cadence[id_column])
    order = np.argsort(ids, kind="stable")
    _, starts = np.unique(ids[order], return_index=True)
    groups = np.split(order, starts[1:])
    return [rows for rows in groups if len(rows) >= min_points]


def rr_lyrae_light_curves(
    cadence: Table,
    n_per_class: int,
    model: str = "sawtooth",
    seed: int = 0,
    id_column: str = "id",
    time_column: str = "time",
    mag_column: str = "mag",
    err_column: str = "magerr",
    min_points: int = 10,
) -> tuple[Table, Table]:
    """Simulate labelled RRab and RRc light curves at the cadence of real ones.

    Parameters
    ----------
    cadence : astropy.table.Table
        Real light curves, one row per observation (one band), whose times and errors
        the simulated stars borrow.
    n_per_class : int
        How many RRab and how many RRc stars to simulate (they alternate: ab, c, ab, ...).
    model : {"sawtooth", "standstill"}
        The shape of the RRab fade (see the module docstring).
    seed : int
        Seed of the random generator: the same seed gives the same simulation.
    id_column, time_column, mag_column, err_column : str
        Column names in ``cadence``.
    min_points : int
        Donors need at least this many observations.

    Returns
    -------
    light_curves : astropy.table.Table
        One row per simulated observation: ``id``, ``time`` (d), ``mag``, ``magerr``.
    truth : astropy.table.Table
        One row per simulated star: ``id``, ``type`` (``ab`` or ``c``), ``period`` (d),
        ``amplitude`` (mag), ``rise_fraction`` (NaN for RRc) and ``donor``, the id of
        the real star whose cadence it borrowed. Both tables carry
        ``meta["simulation"] = True``, ``meta["source"]`` and ``meta["model"]``.
    """
    cadence = check_table(cadence, "cadence")
    check_columns(cadence, [id_column, time_column, mag_column, err_column], "cadence columns")
    check_choice(model, MODELS, "model")
    if int(n_per_class) < 1:
        raise ValueError(f"n_per_class must be a positive number of stars, got {n_per_class}")
    donors = _donors(cadence, id_column, min_points)
    if not donors:
        raise ValueError(f"cadence has no star with at least {min_points} observations")
    donor_ids = np.asarray(cadence[id_column])
    times = np.asarray(cadence[time_column], dtype=float)
    mags = np.asarray(cadence[mag_column], dtype=float)
    errors = np.asarray(cadence[err_column], dtype=float)

    rng = np.random.default_rng(seed)
    curve_parts, truth_rows = [], []
    for number in range(2 * int(n_per_class)):
        kind = "ab" if number % 2 == 0 else "c"
        ranges = RR_LYRAE_RANGES[kind]
        period = rng.uniform(*ranges["period"])
        amplitude = rng.uniform(*ranges["amplitude"])
        rows = donors[rng.integers(len(donors))]
        phase = np.mod(times[rows] / period + rng.uniform(), 1.0)
        if kind == "ab":
            rise_fraction = rng.uniform(*ranges["rise_fraction"])
            shape = rrab_profile(phase, rise_fraction, model)
        else:
            rise_fraction = np.nan
            shape = rrc_profile(phase)
        noise = rng.normal(0.0, errors[rows])
        star_id = f"sim-{number + 1:05d}"
        curve_parts.append(
            (
                np.full(len(rows), star_id),
                times[rows],
                np.median(mags[rows]) + amplitude * (shape - 0.5) + noise,
                errors[rows],
            )
        )
        truth_rows.append((star_id, kind, period, amplitude, rise_fraction, donor_ids[rows[0]]))

    meta = {"simulation": True, "source": SOURCE, "model": model, "seed": seed}
    light_curves = Table(
        [np.concatenate(column) for column in zip(*curve_parts, strict=True)],
        names=["id", "time", "mag", "magerr"],
        units=[None, "d", "mag", "mag"],
        meta=dict(meta),
    )
    truth = Table(
        rows=truth_rows,
        names=["id", "type", "period", "amplitude", "rise_fraction", "donor"],
        units=[None, None, "d", "mag", None, None],
        meta=dict(meta),
    )
    return light_curves, truth
