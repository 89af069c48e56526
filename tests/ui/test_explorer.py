"""ParameterSpaceExplorer driven through its traits on real SDSS data (no browser)."""

from __future__ import annotations

import numpy as np
import pytest
from astrolearn import data
from astrolearn.ui import OKABE_ITO, ParameterSpaceExplorer, Selection, _quantities
from astropy.table import Table, vstack


def _colour(table, a, b):
    return np.asarray(table[a], float) - np.asarray(table[b], float)


def test_default_views_are_colour_colour_and_colour_magnitude(explorer):
    colour_colour, colour_magnitude = explorer.views
    assert (colour_colour.x, colour_colour.y) == ("g-r", "u-g")
    assert colour_colour.x_axis.label == "g − r [mag]"
    assert colour_colour.y_axis.label == "u − g [mag]"
    assert (colour_magnitude.x, colour_magnitude.y) == ("g-r", "r")
    # A magnitude axis is drawn bright-up; a colour axis is not reversed.
    assert colour_magnitude.y_scale.reverse and not colour_colour.y_scale.reverse


def test_uv_excess_box_selects_mostly_quasars(explorer, sdss):
    # UV-excess selection (u-g < 0.6; Richards et al. 2002) finds low-z quasars: the box
    # must be mostly QSOs although they are 8.5 % of this sample.
    explorer.views[0].select_box((-0.3, 0.6), (-1.0, 0.6))
    gr, ug = _colour(sdss, "g", "r"), _colour(sdss, "u", "g")
    expected = np.flatnonzero((gr >= -0.3) & (gr <= 0.6) & (ug >= -1.0) & (ug <= 0.6))
    np.testing.assert_array_equal(explorer.selection.indices, expected)
    classes = np.asarray(sdss["class"]).astype(str)
    assert np.mean(classes == "QSO") < 0.1
    assert np.mean(classes[explorer.selection.indices] == "QSO") > 0.75
    assert f"{expected.size:,} of 10,000" in explorer.status.value


def test_brush_in_one_view_shows_in_other_views_and_histograms(explorer, sdss):
    first, second = explorer.views
    first.brush.selected_x = np.array([0.2, 0.5])  # what the browser sets after a drag
    first.brush.selected_y = np.array([1.0, 2.0])
    selected = explorer.selection.indices
    assert selected.size > 100
    np.testing.assert_array_equal(second.mark.selected, selected)
    assert second.mark.selected.dtype == np.int32
    ug = _colour(sdss, "u", "g")[selected]
    edges = explorer.matrix._edges("u-g")
    expected, _ = np.histogram(ug, bins=edges)
    np.testing.assert_array_equal(explorer.matrix.selected_counts("u-g"), expected)
    for mark in explorer.matrix.scatters.values():
        np.testing.assert_array_equal(mark.selected, selected)


def test_lasso_selection_from_the_browser_is_shared(explorer):
    first, second = explorer.views
    first.tool.value = "Lasso"
    assert first.figure.interaction is first.lasso
    first.mark.selected = np.array([5, 3, 9], dtype=np.int32)  # set by Chromium's lasso
    assert explorer.selection.indices.tolist() == [3, 5, 9]
    assert second.mark.selected.tolist() == [3, 5, 9]
    explorer.clear_button.click()
    assert explorer.selection.indices.size == 0
    assert second.mark.selected is None


def test_keyboard_range_sliders_select(explorer, sdss):
    view = explorer.views[1]  # g-r against r
    view.y_range.value = (15.0, 17.0)
    r = np.asarray(sdss["r"], float)
    gr = _colour(sdss, "g", "r")
    expected = np.flatnonzero((r >= 15) & (r <= 17) & (gr >= view.x_range.min))
    np.testing.assert_array_equal(explorer.selection.indices, expected)


def test_changing_axes_redraws_with_units(explorer, sdss):
    view = explorer.views[0]
    view.x_menu.value = "redshift"
    view.y_menu.value = "i-z"
    assert view.x_axis.label == "redshift"  # dimensionless: no unit shown
    assert view.y_axis.label == "i − z [mag]"
    np.testing.assert_allclose(view.mark.y, _colour(sdss, "i", "z").astype(np.float32))
    assert view.mark.x.dtype == np.float32


def test_colour_by_class_uses_okabe_ito_and_legend(explorer, sdss):
    assert explorer.colour == "class"
    view = explorer.views[0]
    assert view.colour_scale.colors == list(OKABE_ITO[:3])
    labels = sorted(set(np.asarray(sdss["class"]).astype(str)))
    codes = view.mark.color.astype(int)
    assert [labels[c] for c in codes[:5]] == list(np.asarray(sdss["class"][:5]).astype(str))
    for label in labels:
        assert label in explorer.legend.value
    explorer.colour_menu.value = "redshift"
    assert view.colour_scale.scheme == "viridis"
    np.testing.assert_allclose(view.mark.color, np.asarray(sdss["redshift"], np.float32))


def test_no_int64_reaches_the_browser():
    gaia = data.load("gaia_pleiades")  # has the int64 source_id
    explorer = ParameterSpaceExplorer(gaia)
    assert "source_id" not in explorer.views[0].x_menu.options
    for view in explorer.views:
        for array in (view.mark.x, view.mark.y):
            assert array.dtype == np.float32


def test_derived_quantity(sdss):
    derived = {"u-r": (lambda t: _colour(t, "u", "r"), "mag")}
    explorer = ParameterSpaceExplorer(sdss, views=[("u-r", "r"), ("g-r", "u-g")], derived=derived)
    assert explorer.views[0].x_axis.label == "u-r [mag]"
    np.testing.assert_allclose(explorer.views[0].mark.x, _colour(sdss, "u", "r"), rtol=1e-6)


def test_bad_input_names_the_argument(sdss):
    with pytest.raises(ValueError, match="'nonsense'"):
        ParameterSpaceExplorer(sdss, views=[("nonsense", "g")])
    with pytest.raises(TypeError, match="data must be"):
        ParameterSpaceExplorer(42)
    with pytest.raises(ValueError, match="2 to 4"):
        ParameterSpaceExplorer(sdss, matrix=["u"])
    selection = Selection(sdss)
    with pytest.raises(Exception, match=r"indices must lie in 0\.\.9999"):
        selection.indices = [10_000]


@pytest.mark.slow
def test_hundred_thousand_points():
    # 10 × the 10k SDSS sample: 100,000 real rows (repeated), as in the benchmark.
    big = vstack([data.load("sdss_dr14")] * 10)
    explorer = ParameterSpaceExplorer(Table(big), name="sdss x10")
    # So many points are drawn as pictures (see test_linked_pictures.py).
    assert all(view.rasterised and view.mark.x.size == 0 for view in explorer.views)
    assert explorer.views[0].pictures.pixels.size == 100_000
    explorer.views[0].select_box((-0.3, 0.6), (-1.0, 0.6))
    # Every copy contributes the same rows as the 10k test above.
    single = explorer.selection.indices[explorer.selection.indices < 10_000]
    np.testing.assert_array_equal(
        explorer.selection.indices, np.concatenate([single + 10_000 * k for k in range(10)])
    )


def test_a_colour_of_a_masked_magnitude_is_nan_not_zero():
    dwarfs = data.load("sdss_white_dwarfs")
    values, label = _quantities.evaluate(dwarfs, "u_mag-g_mag")
    masked = np.ma.getmaskarray(dwarfs["u_mag"]) | np.ma.getmaskarray(dwarfs["g_mag"])
    assert label == "u_mag − g_mag [mag]" and masked.sum() == 51
    assert np.isnan(values[masked]).all()
    raw = np.ma.getdata(dwarfs["u_mag"]) - np.ma.getdata(dwarfs["g_mag"])
    np.testing.assert_allclose(values[~masked], raw[~masked])
