"""Replacing a shared Selection's table (issue 19): every view follows the new table.

Driven through traits as a user (or a new query result) would, on real bundled data.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data, vo
from astrolearn.ui import ParameterSpaceExplorer, Selection, SkyViewer
from astrolearn.ui.labs import LightCurveLab, ReductionLab
from astropy.coordinates import SkyCoord
from astropy.table import Table


@pytest.fixture(scope="module")
def pleiades():
    return data.load("gaia_pleiades")


def _floats(column):
    """A column as float64 with masked entries (not measured) as NaN."""
    return np.ma.filled(np.ma.asarray(column, dtype=float), np.nan)


def _colour(table, a, b):
    return _floats(table[a]) - _floats(table[b])


def _expected(table, name):
    """A column, or a colour "a-b" computed here, as the float32 sent to the browser."""
    if name in table.colnames:
        return _floats(table[name]).astype(np.float32)
    return _colour(table, *name.split("-")).astype(np.float32)


def _marks(explorer):
    return [view.mark for view in explorer.views] + list(explorer.matrix.scatters.values())


def _assert_shows(explorer, table):
    """Every mark of the explorer holds ``table``'s values and nothing is selected."""
    for view in explorer.views:
        np.testing.assert_array_equal(view.mark.x, _expected(table, view.x))
        np.testing.assert_array_equal(view.mark.y, _expected(table, view.y))
        assert view.mark.selected is None
    for (row, col), mark in explorer.matrix.scatters.items():
        np.testing.assert_array_equal(mark.x, _expected(table, col))
        np.testing.assert_array_equal(mark.y, _expected(table, row))
        assert mark.selected is None
    for everything, _ in explorer.matrix.histograms.values():
        assert everything.y.sum() <= len(table)  # counts of this table, not the old one
    for name in explorer.matrix.names:
        assert explorer.matrix.selected_counts(name).sum() == 0
    assert explorer.selection.indices.size == 0 and explorer.selection.focus == -1
    assert f"0 of {len(table):,} rows selected" in explorer.status.value


def test_fewer_rows_then_a_brush_selects_the_last_row_of_the_new_table(explorer, sdss):
    explorer.views[0].select_box((-0.3, 0.6), (-1.0, 0.6))  # a selection in the old table
    assert explorer.selection.indices.max() > 100
    smaller = sdss[::100]  # 100 rows, other objects than rows 0..99
    explorer.selection.table = smaller
    _assert_shows(explorer, smaller)
    view = explorer.views[0]  # g-r against u-g
    gr, ug = _colour(smaller, "g", "r"), _colour(smaller, "u", "g")
    # A small brush around the last object of the new table, as the browser sends it.
    view.brush.selected_x = np.array([gr[-1] - 1e-3, gr[-1] + 1e-3])
    view.brush.selected_y = np.array([ug[-1] - 1e-3, ug[-1] + 1e-3])
    inside = (np.abs(gr - gr[-1]) <= 1e-3) & (np.abs(ug - ug[-1]) <= 1e-3)
    np.testing.assert_array_equal(explorer.selection.indices, np.flatnonzero(inside))
    assert 99 in explorer.selection.indices
    for mark in _marks(explorer):
        np.testing.assert_array_equal(mark.selected, explorer.selection.indices)
    expected, _ = np.histogram(ug[explorer.selection.indices], bins=explorer.matrix._edges("u-g"))
    np.testing.assert_array_equal(explorer.matrix.selected_counts("u-g"), expected)


def test_other_columns_update_menus_and_keep_axes_that_still_exist(explorer, sdss, pleiades):
    view = explorer.views[0]
    view.y_menu.value = "redshift"
    some = sdss["g", "r", "redshift", "class"][:500]  # no u, i, z any more
    explorer.selection.table = some
    assert (view.x, view.y) == ("g-r", "redshift")  # both still exist: kept
    assert "u-g" not in view.x_menu.options and "i" not in view.y_menu.options
    assert explorer.colour == "class"
    _assert_shows(explorer, some)

    explorer.selection.table = pleiades  # Gaia columns only
    for view in explorer.views:
        assert {view.x, view.y} <= set(pleiades.colnames)
        assert set(view.x_menu.options) <= set(pleiades.colnames) | {"bp_rp"}
        assert "source_id" not in view.x_menu.options  # 64-bit identifiers are not axes
        assert view.x_axis.label.split(" [")[0] == view.x
    assert set(explorer.matrix.names) <= set(pleiades.colnames)
    # No "class" column any more: the points are coloured plainly, the menu offers Gaia's.
    assert explorer.colour == "" and explorer.legend.value == ""
    assert "class" not in dict(explorer.colour_menu.options).values()
    assert "parallax" in dict(explorer.colour_menu.options).values()
    assert all(view.mark.color is None for view in explorer.views)
    _assert_shows(explorer, pleiades)
    explorer.colour_menu.value = "parallax"
    np.testing.assert_allclose(
        explorer.views[1].mark.color, np.asarray(pleiades["parallax"], np.float32)
    )


def test_an_empty_result_shows_nothing_and_selects_nothing(explorer, sdss):
    empty = sdss[:0]
    explorer.selection.table = empty
    _assert_shows(explorer, empty)
    explorer.views[1].brush.selected_x = np.array([0.0, 1.0])
    explorer.views[1].brush.selected_y = np.array([10.0, 25.0])
    assert explorer.selection.indices.size == 0
    # A table without any column (a query that returned nothing at all) shows nothing too.
    explorer.selection.table = Table()
    assert explorer.views[0].mark.x.size == 0 and explorer.views[0].x == ""
    assert explorer.matrix.scatters == {} and explorer.matrix.histograms == {}
    assert "0 of 0 rows selected" in explorer.status.value
    explorer.selection.table = sdss  # and a real result after it draws again
    _assert_shows(explorer, sdss)
    assert explorer.views[0].x in explorer.views[0].x_menu.options


def test_replacing_during_a_selection_clears_it_everywhere(sdss):
    selection = Selection(sdss, name="sdss")
    explorer = ParameterSpaceExplorer(selection)
    lasso = explorer.views[1]
    lasso.tool.value = "Lasso"
    lasso.mark.selected = np.array([9_000, 9_500], dtype=np.int32)
    selection.focus = 9_500
    assert selection.indices.tolist() == [9_000, 9_500]
    selection.table = sdss[:1_000]
    _assert_shows(explorer, sdss[:1_000])
    # A lasso answer drawn on the old points arrives late: rows beyond the new table
    # are not rows of it, so they select nothing instead of failing.
    lasso.mark.selected = np.array([5, 9_500], dtype=np.int32)
    assert selection.indices.tolist() == [5]


def test_replacing_twice_quickly_shows_the_last_table(explorer, sdss, pleiades):
    first = explorer.views[0]
    first.brush.selected_x = np.array([0.2, 0.5])
    first.brush.selected_y = np.array([1.0, 2.0])
    last = sdss[-10:]
    explorer.selection.table = pleiades
    explorer.selection.table = last
    _assert_shows(explorer, last)
    assert (first.x, first.y) == (explorer.views[0].x, "u-g") and first.x == "g-r"
    # The brush drawn on the first table does not linger on the new points.
    assert first.brush.selected_x is None
    first.select_box((-10, 10), (-10, 10))
    assert explorer.selection.indices.tolist() == list(range(10))


def test_the_sky_forgets_the_old_rows(pleiades):
    selection = Selection(pleiades, name="pleiades")
    sky = SkyViewer(selection, offline=True)
    sky.aladin.clicked_object = {"ra": 0, "dec": 0, "data": {"row": 700}}
    assert str(pleiades["source_id"][700]) in sky.details.value
    selection.table = pleiades[:100]
    assert str(pleiades["source_id"][700]) not in sky.details.value
    # Sources picked on the old overlay may name rows the new table does not have.
    sky.aladin._selected_objects = [[{"data": {"row": 3}}, {"data": {"row": 700}}]]
    assert selection.indices.tolist() == [3]


def test_labs_add_colours_to_the_new_table(sdss, pleiades):
    selection = Selection(pleiades, name="pleiades")
    lab = ReductionLab(selection)
    assert "u_g" not in lab.work_table.colnames
    selection.table = sdss[:600]
    np.testing.assert_allclose(lab.work_table["u_g"], _colour(sdss[:600], "u", "g"))
    lab.train()
    assert lab.error == "" and max(lab.embedded_rows) < 600


def test_observers_of_the_table_never_see_old_row_numbers(sdss):
    selection = Selection(sdss, name="sdss")
    selection.indices, selection.focus = [9_999], 9_999
    seen = []
    selection.observe(
        lambda change: seen.append((selection.indices.size, selection.focus)), "table"
    )
    selection.table = sdss[:10]
    assert seen == [(0, -1)]


def test_light_curve_lab_offers_the_new_stars():
    curves = data.load("ogle_lightcurves")
    selection = Selection(curves, name="ogle")
    lab = LightCurveLab(selection)
    lab.star_menu.value = "OGLE-SMC-ECL-0124"
    lab.train()
    period = lab.period
    stars = np.asarray(curves["star"]).astype(str)
    eclipsing = curves[np.char.find(stars, "-ECL-") >= 0]
    selection.table = eclipsing
    assert lab.star_menu.options == ("OGLE-SMC-ECL-0124", "OGLE-SMC-ECL-0322")
    assert lab.star == "OGLE-SMC-ECL-0124" and np.isnan(lab.period)
    lab.train()
    assert lab.period == period  # the same star's points, now rows of the smaller table
    points = eclipsing[selection.indices]
    assert set(np.asarray(points["star"]).astype(str)) == {"OGLE-SMC-ECL-0124"}
    assert len(points) == np.sum(stars == "OGLE-SMC-ECL-0124")
    selection.table = curves[stars == "OGLE-LMC-CEP-0727"]  # the chosen star is gone
    assert lab.star == lab.star_menu.value == "OGLE-LMC-CEP-0727"


def test_a_new_query_result_replaces_the_explorer_data():
    def query(radius_arcmin):
        pleiades = SkyCoord(56.75, 24.12, unit="deg")
        return vo.cone_search("gaia_dr3", pleiades, radius_arcmin * u.arcmin, backend="offline")

    first = query(10)
    explorer = ParameterSpaceExplorer(Selection(first, name="gaia_dr3"))
    view = explorer.views[0]
    view.x_menu.value, view.y_menu.value = "bp_rp", "phot_g_mean_mag"
    view.select_box((-10, 10), (0, 30))  # every star with a colour and a magnitude

    def measured(table):
        # Masked entries (no BP/RP photometry) are not measured: they select nothing.
        colour, magnitude = _floats(table["bp_rp"]), _floats(table["phot_g_mean_mag"])
        return np.flatnonzero(np.isfinite(colour) & np.isfinite(magnitude))

    np.testing.assert_array_equal(explorer.selection.indices, measured(first))
    wider = query(30)
    explorer.selection.table = wider
    assert len(wider) > 3 * len(first)  # the 30' cone holds about 9x the 10' one's stars
    _assert_shows(explorer, wider)
    assert (view.x, view.y) == ("bp_rp", "phot_g_mean_mag")
    view.select_box((-10, 10), (0, 30))
    np.testing.assert_array_equal(explorer.selection.indices, measured(wider))
