import numpy as np
import pytest
from astrolearn.ml import features
from astropy.table import Table


def test_colours_are_band_differences_on_real_rows(sdss):
    row = sdss[0]
    assert row["u_g"] == pytest.approx(row["u"] - row["g"])
    assert row["i_z"] == pytest.approx(row["i"] - row["z"])
    assert sdss["g_r"].unit == "mag"
    # Quasars are UV-bright: their median u-g is far bluer than stars' (Richards et al. 2002).
    qso = np.median(sdss["u_g"][sdss["class"] == "QSO"])
    star = np.median(sdss["u_g"][sdss["class"] == "STAR"])
    assert qso < 0.6 < star


def test_feature_matrix_drops_nonfinite_rows_and_reports_them():
    table = Table({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, np.inf]})
    X, good = features.feature_matrix(table, ["a", "b"])
    assert X.shape == (1, 2)
    assert good.tolist() == [True, False, False]


def test_bad_arguments_are_named():
    table = Table({"a": [1.0], "name": ["x"]})
    with pytest.raises(KeyError, match=r"features.*'nope'"):
        features.feature_matrix(table, ["nope"])
    with pytest.raises(TypeError, match="features: column 'name' is not numeric"):
        features.feature_matrix(table, ["name"])
    with pytest.raises(TypeError, match="table must be an astropy Table"):
        features.colours([[1, 2]])
    with pytest.raises(ValueError, match="bands must name at least two"):
        features.colours(table, ["a"])
