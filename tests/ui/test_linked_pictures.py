"""Linked views of many rows drawn as pictures (astrolearn.ui._scatter, .points, .ml.raster).

The data are the 136,196 real SDSS Stripe 82 RR Lyrae measurements bundled as
``rrlyrae_s82_lightcurves``: above ``RASTER_ABOVE`` rows, so the views draw pictures.
Every selection is checked against rows worked out here from the table's columns.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from astrolearn import data
from astrolearn.ui import ParameterSpaceExplorer, Selection, _scatter
from astrolearn.ui._scatter import RASTER_ABOVE, ScatterView
from astrolearn.ui.palette import OKABE_ITO, SELECTION_COLOUR, VIRIDIS_STEPS
from astrolearn.ui.points import PICTURE_SHAPE, rgb
from PIL import Image

VIEWS = [("time", "mag"), ("mag", "magerr")]


@pytest.fixture(scope="module")
def light_curves():
    return data.load("rrlyrae_s82_lightcurves")


@pytest.fixture
def explorer(light_curves):
    return ParameterSpaceExplorer(light_curves, views=VIEWS, colour="band")


def rgba(picture: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(picture)).convert("RGBA"))


def column(table, name) -> np.ndarray:
    return np.ma.filled(np.ma.asarray(table[name], dtype=float), np.nan)


def inside(table, x_name, y_name, x_range, y_range) -> np.ndarray:
    x, y = column(table, x_name), column(table, y_name)
    keep = (x >= min(x_range)) & (x <= max(x_range))
    return np.flatnonzero(keep & (y >= min(y_range)) & (y <= max(y_range)))


def test_the_real_table_is_drawn_as_pictures(explorer, light_curves):
    assert len(light_curves) == 136_196 > RASTER_ABOVE
    for view in explorer.views:
        assert view.rasterised
        assert view.figure.marks == view.pictures.marks
        assert view.mark.x.size == 0  # no point travels as a WebGL mark
        assert view.brush.marks == []
        # A lasso would test the pictures' pixels, not the data: it is not offered.
        assert "Lasso" not in view.tool.options
    picture = rgba(explorer.views[0].pictures.base.image.value)
    assert picture.shape == (PICTURE_SHAPE[1], PICTURE_SHAPE[0], 4)
    assert (picture[..., 3] > 0).sum() > 5000  # the light curves cover the picture


def test_a_brush_selects_exactly_the_rows_inside_it(explorer, light_curves):
    first, second = explorer.views
    first.brush.selected_x = np.array([52200.0, 53700.0])  # what the browser sends
    first.brush.selected_y = np.array([18.5, 16.0])
    expected = inside(light_curves, "time", "mag", (52200, 53700), (16.0, 18.5))
    assert 1000 < expected.size < len(light_curves) // 2
    np.testing.assert_array_equal(explorer.selection.indices, expected)
    assert f"{expected.size:,} of 136,196" in explorer.status.value
    # The other view draws the same rows in its selection picture, at the pixels of
    # their (mag, magerr): every selected point lights its own pixel, and pixels far
    # from every selected point stay clear.
    chosen = rgba(second.pictures.chosen.image.value)[..., 3]
    pixels = second.pictures.pixels[expected]
    width, height = PICTURE_SHAPE
    on_picture = pixels[pixels < width * height]
    assert (chosen.ravel()[on_picture] > 0).all()
    near = np.zeros((height, width), bool)
    near.ravel()[on_picture] = True
    reach = 3  # a disc of 8 px² reaches 2.1 px from its pixel's centre
    near = np.pad(near, reach)
    grown = np.zeros((height, width), bool)
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            grown |= near[reach + dy : reach + dy + height, reach + dx : reach + dx + width]
    assert (chosen[~grown] == 0).all()
    assert (
        rgba(second.pictures.chosen.image.value)[chosen > 0][:, :3] == rgb(SELECTION_COLOUR)
    ).all()


def test_pictures_and_webgl_marks_select_the_same_rows(light_curves, monkeypatch):
    box = ((16.5, 17.2), (0.01, 0.03))  # bright, well-measured points in (mag, magerr)
    pictures = ScatterView(Selection(light_curves), "mag", "magerr")
    pictures.select_box(*box)
    assert pictures.rasterised
    monkeypatch.setattr(_scatter, "RASTER_ABOVE", len(light_curves))
    marks = ScatterView(Selection(light_curves), "mag", "magerr")
    marks.select_box(*box)
    assert not marks.rasterised
    assert marks.mark.x.size == len(light_curves)
    np.testing.assert_array_equal(pictures.selection.indices, marks.selection.indices)
    np.testing.assert_array_equal(
        pictures.selection.indices, inside(light_curves, "mag", "magerr", *box)
    )


def test_keyboard_ranges_select_exactly_on_pictures(explorer, light_curves):
    view = explorer.views[1]  # mag against magerr
    view.x_range.value = (17.0, 19.0)
    expected = inside(light_curves, "mag", "magerr", (17.0, 19.0), (view.y_range.min, 1e9))
    np.testing.assert_array_equal(explorer.selection.indices, expected)


def test_a_view_switches_to_pictures_above_the_threshold(light_curves):
    table = light_curves[: RASTER_ABOVE + 1]
    selection = Selection(table[:RASTER_ABOVE])
    view = ScatterView(selection, "time", "mag")
    assert not view.rasterised and view.figure.marks == [view.mark]
    assert view.mark.x.size == RASTER_ABOVE and "Lasso" in view.tool.options
    view.tool.value = "Lasso"
    selection.table = table  # one row more
    assert view.rasterised and view.figure.marks == view.pictures.marks
    assert view.mark.x.size == 0 and view.brush.marks == []
    assert view.tool.value == "Box select" and view.figure.interaction is view.brush
    selection.table = table[:100]  # a small result: WebGL marks and the lasso again
    assert not view.rasterised and view.figure.marks == [view.mark]
    assert view.brush.marks == [view.mark] and "Lasso" in view.tool.options
    assert view.mark.x.size == 100


def test_a_new_selection_redraws_only_the_selection_pictures(explorer):
    bases = [view.pictures.base.image for view in explorer.views]
    chosen = [view.pictures.chosen.image for view in explorer.views]
    explorer.views[0].select_box((52000, 53000), (15, 20))
    assert [view.pictures.base.image for view in explorer.views] == bases
    for view, old in zip(explorer.views, chosen, strict=True):
        assert view.pictures.chosen.image is not old and old.comm is None  # closed


def test_pan_and_zoom_draw_the_pictures_at_the_new_limits(explorer, light_curves):
    view = explorer.views[0]
    view.select_box((52000, 53000), (15, 20))
    with view.x_scale.hold_trait_notifications():  # as the browser sets both at once
        view.x_scale.min, view.x_scale.max = 52000.0, 53000.0
    for mark in view.pictures.marks:
        assert list(mark.x) == [52000.0, 53000.0]
    # Each selected point lights its pixel at the new limits, worked out here.
    time, mag = column(light_curves, "time"), column(light_curves, "mag")
    rows = explorer.selection.indices
    (y_low, y_high), (width, height) = view.pictures.chosen.y, PICTURE_SHAPE
    x_pixel = np.floor((time[rows] - 52000.0) / 1000.0 * width).astype(int)
    y_pixel = np.floor((y_high - mag[rows]) / (y_high - y_low) * height).astype(int)
    shown = (x_pixel >= 0) & (x_pixel < width) & (y_pixel >= 0) & (y_pixel < height)
    assert shown.sum() > 1000
    chosen = rgba(view.pictures.chosen.image.value)[..., 3]
    assert (chosen[y_pixel[shown], x_pixel[shown]] > 0).all()
    base = rgba(view.pictures.base.image.value)[..., 3]
    assert (base[chosen > 0] > 0).all()  # the selected points are among all points


def test_a_pan_step_draws_each_picture_once(explorer):
    # The browser sends a scale's new min and max in one message (bqplot's PanZoom).
    view = explorer.views[0]
    drawn = []
    for mark in view.pictures.marks:
        mark.observe(lambda change: drawn.append(change["owner"]), "image")
    view.x_scale.set_state({"min": 52100.0, "max": 53100.0})
    assert drawn == view.pictures.marks
    view.x_scale.set_state({"min": 52100.0, "max": 53100.0})  # no change: nothing drawn
    assert drawn == view.pictures.marks


@pytest.mark.parametrize("state", [{"min": 52500.0, "max": 52500.0}, {"min": None}])
def test_a_scale_without_width_is_refused_and_the_next_pan_draws(explorer, state):
    # A browser (or a visitor's own comm message) may send any scale state.
    view = explorer.views[0]
    with pytest.raises(ValueError, match="different min and max"):
        view.x_scale.set_state(state)
    view.x_scale.set_state({"min": 52100.0, "max": 53100.0})
    assert [list(mark.x) for mark in view.pictures.marks] == [[52100.0, 53100.0]] * 2


def test_class_colours_mix_where_classes_overlap(explorer, light_curves):
    view = explorer.views[0]
    picture = rgba(view.pictures.base.image.value)
    bands = sorted(set(np.asarray(light_curves["band"]).astype(str)))
    assert bands == ["g", "i", "r", "u", "z"]
    colours = {tuple(rgb(c)) for c in OKABE_ITO[: len(bands)]}
    shown = picture[picture[..., 3] > 0][:, :3]
    exact = np.array([tuple(p) in colours for p in map(tuple, shown)])
    assert exact.mean() > 0.05  # pixels of one band keep its colour
    assert exact.mean() < 0.95  # where bands overlap, their colours mix


def test_the_hidden_matrix_draws_the_selection_when_opened(explorer, light_curves):
    matrix = explorer.matrix
    assert matrix.pictures and not matrix.scatters and not matrix.drawing
    explorer.views[0].select_box((52000, 53000), (15, 20))
    old = [pictures.chosen.image for pictures in matrix.pictures.values()]
    assert [pictures.chosen.image for pictures in matrix.pictures.values()] == old
    explorer.children[2].selected_index = 1  # open the matrix tab
    assert matrix.drawing
    assert all(p.chosen.image is not o for p, o in zip(matrix.pictures.values(), old, strict=True))
    name = matrix.names[0]
    values = column(light_curves, name)[explorer.selection.indices]
    expected, _ = np.histogram(values[np.isfinite(values)], bins=matrix._edges(name))
    np.testing.assert_array_equal(matrix.selected_counts(name), expected)


def test_a_continuous_colour_takes_eight_steps_of_viridis(light_curves):
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    codes, colours = _scatter.picture_colours(light_curves, "magerr", {})
    # Eight even steps of viridis as matplotlib defines it, the scheme of the WebGL marks.
    viridis = tuple(to_hex(colormaps["viridis"](step)) for step in np.linspace(0, 1, 8))
    assert colours == VIRIDIS_STEPS == viridis
    error = column(light_curves, "magerr")
    low, high = np.nanpercentile(error, [1, 99])
    assert (codes[error <= low] == 0).all() and (codes[error >= high] == 7).all()
    middle = (error > low) & (error < high)
    expected = np.floor((error[middle] - low) / (high - low) * 8)
    np.testing.assert_array_equal(codes[middle], expected)


def test_a_selection_keeps_its_own_copy_of_sorted_rows(light_curves):
    selection = Selection(light_curves)
    rows = np.array([3, 7, 11])
    selection.indices = rows
    rows[0] = 5  # the caller reuses its array
    assert selection.indices.tolist() == [3, 7, 11]
    selection.indices = [11, 3, 3, 7]  # any order, repeats
    assert selection.indices.tolist() == [3, 7, 11]
