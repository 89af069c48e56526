import numpy as np
import pytest
from astrolearn import data
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


WHITE_DWARF_BANDS = ["u_mag", "g_mag", "r_mag", "i_mag", "z_mag"]


def test_a_masked_magnitude_gives_no_colour_on_real_white_dwarfs():
    dwarfs = data.load("sdss_white_dwarfs")
    masked = np.zeros(len(dwarfs), dtype=bool)
    for band in WHITE_DWARF_BANDS:
        masked |= np.ma.getmaskarray(dwarfs[band])
    # 51 SDSS white dwarfs have no ugriz; the values under the mask are 0, which a plain
    # subtraction would turn into a colour of exactly 0 mag.
    assert masked.sum() == 51
    assert np.all(np.ma.getdata(dwarfs["u_mag"])[masked] == 0)
    with_colours = features.colours(dwarfs, WHITE_DWARF_BANDS)
    u_g = np.asarray(with_colours["u_mag_g_mag"])
    assert np.isnan(u_g[masked]).all()
    raw = np.ma.getdata(dwarfs["u_mag"]) - np.ma.getdata(dwarfs["g_mag"])
    np.testing.assert_allclose(u_g[~masked], raw[~masked])
    X, good = features.feature_matrix(with_colours, ["u_mag_g_mag", "g_mag_r_mag"])
    assert good.tolist() == (~masked).tolist() and len(X) == len(dwarfs) - 51


def test_colour_index_is_nan_where_either_gaia_magnitude_is_missing():
    stars = data.load("gaia_100pc")
    bp_rp = features.colour_index(stars, "phot_bp_mean_mag", "phot_rp_mean_mag")
    missing = np.ma.getmaskarray(stars["phot_bp_mean_mag"]) | np.ma.getmaskarray(
        stars["phot_rp_mean_mag"]
    )
    assert bp_rp.dtype == np.float64
    assert np.isnan(bp_rp).tolist() == missing.tolist() and missing.sum() == 10
    with pytest.raises(KeyError, match=r"bands.*'phot_g'"):
        features.colour_index(stars, "phot_g", "phot_rp_mean_mag")


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
