"""Regression, above all photometric redshifts: redshift from colours.

Example
-------
>>> from astrolearn import data
>>> from astrolearn.ml import features, regress
>>> sdss = features.colours(data.load("sdss_dr14"))                 # doctest: +SKIP
>>> galaxies = sdss[sdss["class"] == "GALAXY"]                        # doctest: +SKIP
>>> result = regress.photo_z(galaxies, ["u_g", "g_r", "r_i", "i_z", "r"])  # doctest: +SKIP
>>> regress.photo_z_metrics(result.y_test, result.y_pred)["sigma_nmad"]   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy.table import Table
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from . import models
from ._checks import check_vector
from .split import SplitResult, fit_split

# |dz|/(1+z) above this is a "catastrophic outlier" (the usual photo-z convention,
# e.g. Hildebrandt et al. 2010).
OUTLIER_CUT = 0.15


def make_regressor(model: str = "knn", seed: int = 0, **params) -> Pipeline:
    """A scaler + regressor Pipeline; ``params`` set the regressor's hyper-parameters.

    Examples
    --------
    >>> make_regressor("knn", n_neighbors=3).named_steps["model"].n_neighbors
    3
    """
    estimator = models.build("regress", model, seed, **params)
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


def photo_z(
    table: Table,
    features: Sequence[str],
    target: str = "redshift",
    model: str | BaseEstimator = "knn",
    test_size: float = 0.25,
    seed: int = 0,
    **params,
) -> SplitResult:
    """Fit a redshift regressor on a random split and predict the held-out rows.

    Examples
    --------
    >>> t = Table({"c": np.linspace(0, 1, 40), "z": np.linspace(0, 0.5, 40)})
    >>> r = photo_z(t, ["c"], "z", "linear")
    >>> bool(np.allclose(r.y_pred, r.y_test))
    True
    """
    estimator = models.named_or_clone(model, make_regressor, seed, params)
    return fit_split(table, features, target, estimator, test_size, seed, stratify=False)


def photo_z_metrics(z_true: Sequence[float], z_pred: Sequence[float]) -> dict:
    """Standard photo-z quality numbers on ``dz = (z_pred - z_true) / (1 + z_true)``.

    Returns
    -------
    dict
        ``bias`` (median dz), ``sigma_nmad`` (1.4826 x median |dz - median dz|,
        robust to outliers), ``outlier_fraction`` (|dz| > 0.15), ``rms``.

    Examples
    --------
    >>> photo_z_metrics([0.1, 0.2], [0.1, 0.2])["sigma_nmad"]
    0.0
    """
    z_true = check_vector(z_true, "z_true").astype(float)
    z_pred = check_vector(z_pred, "z_pred", len(z_true)).astype(float)
    dz = (z_pred - z_true) / (1 + z_true)
    bias = float(np.median(dz))
    return {
        "bias": bias,
        "sigma_nmad": float(1.4826 * np.median(np.abs(dz - bias))),
        "outlier_fraction": float(np.mean(np.abs(dz) > OUTLIER_CUT)),
        "rms": float(np.sqrt(np.mean(dz**2))),
    }
