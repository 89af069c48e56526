"""Point clouds drawn as one picture (astrolearn.ui.points, astrolearn.ml.raster).

The point pictures are checked against geometry worked out by hand: where a point
must land, how much area it must cover (bqplot's ``default_size`` is an area in px²),
and how overlapping points add up.
"""

from __future__ import annotations

import io

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import pytest
from astrolearn.ml.raster import binned_layers, binned_opacity, pixel_index, points_opacity
from astrolearn.ui.points import PointCloud, tinted_png
from PIL import Image


def alpha(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))[..., 3] / 255.0


def picture(x, y, size=16.0, opacity=0.5, colour="#0072B2") -> bytes:
    # Data 0..10 on both axes, on a 100 x 50 px plot area, drawn at 2x: 200 x 100 pixels.
    return tinted_png(
        points_opacity(x, y, (0, 10), (0, 10), (200, 100), size * 4, opacity), colour
    )


def test_a_point_lands_where_the_axes_put_it_with_the_area_bqplot_gives_it():
    shown = alpha(picture([2.5], [8.0]))
    assert shown.shape == (100, 200)
    rows, columns = np.nonzero(shown)
    weights = shown[rows, columns]
    # x = 2.5 of 0..10 is a quarter across 200 pixels; y = 8 is a fifth down from the top
    # (row 0 is the top, y = 10). Pixel i spans [i, i+1], so its centre is i + 0.5.
    assert np.average(columns + 0.5, weights=weights) == pytest.approx(50.0, abs=0.05)
    assert np.average(rows + 0.5, weights=weights) == pytest.approx(20.0, abs=0.05)
    # 16 px² at twice the resolution is 64 pixels, each at opacity 0.5.
    assert weights.sum() / 0.5 == pytest.approx(64, rel=0.05)
    centre = Image.open(io.BytesIO(picture([5], [5]))).convert("RGB")
    assert np.asarray(centre)[50, 100].tolist() == [0x00, 0x72, 0xB2]


def test_reversed_scales_put_the_larger_limit_at_the_bottom():
    # Magnitudes: 17 at the bottom, -2 at the top (y_limits = (min, max) = (17, -2)).
    png = tinted_png(points_opacity([0], [15.1], (-1, 1), (17, -2), (20, 380), 16, 1.0), "#000000")
    rows, _ = np.nonzero(alpha(png))
    assert rows.mean() + 0.5 == pytest.approx((15.1 + 2) / 19 * 380, abs=0.5)


def test_overlapping_points_add_up_as_transparent_discs_do():
    one, two = alpha(picture([5], [5])), alpha(picture([5, 5], [5, 5]))
    assert one.max() == pytest.approx(0.5, abs=0.01)
    assert two.max() == pytest.approx(1 - 0.5**2, abs=0.01)


def test_points_outside_the_limits_or_not_finite_are_left_out():
    shown = alpha(picture([-3, 12, np.nan, 5, 5], [5, 5, 5, np.inf, -20]))
    assert shown.sum() == 0


def test_a_cloud_draws_beneath_the_figure_marks_and_follows_its_scales():
    x_scale, y_scale = bq.LinearScale(min=0, max=10), bq.LinearScale(min=0, max=10)
    circle = bq.Lines(x=[1, 2], y=[1, 2], scales={"x": x_scale, "y": y_scale})
    figure = bq.Figure(
        marks=[circle],
        layout=widgets.Layout(width="180px", height="140px"),
        fig_margin={"top": 10, "bottom": 20, "left": 30, "right": 50},
        padding_x=0.0,
        padding_y=0.05,
    )
    cloud = PointCloud(figure, x_scale, y_scale, "#000000")
    assert figure.marks == [cloud.mark, circle]
    # Plot area 100 x 110 px; the scales leave 5 % of its height free at each end.
    assert cloud.plot_size == (100, 99)
    first = cloud.mark.image
    y_scale.min, y_scale.max = 20, 0
    cloud.show(np.array([5.0]), np.array([15.0]))
    assert cloud.mark.y == pytest.approx([20, 0])
    rows, _ = np.nonzero(alpha(cloud.mark.image.value))
    assert rows.mean() + 0.5 == pytest.approx(0.75 * 198, abs=0.5)  # y = 15 of 20..0
    # bqplot's Image view redraws only for a new image widget; the old one is closed.
    assert cloud.mark.image is not first and first.comm is None


def test_a_cloud_refuses_scales_without_limits():
    figure = bq.Figure(layout=widgets.Layout(width="300px", height="200px"))
    cloud = PointCloud(figure, bq.LinearScale(min=0, max=1), bq.LinearScale(), "#000000")
    with pytest.raises(ValueError, match="different min and max"):
        cloud.show(np.array([0.5]), np.array([0.5]))


def test_a_cloud_refuses_a_figure_without_a_size_in_pixels():
    figure = bq.Figure(layout=widgets.Layout(width="100%", height="400px"))
    with pytest.raises(ValueError, match="sized in pixels"):
        PointCloud(figure, bq.LinearScale(), bq.LinearScale(), "#000000")


def test_a_tinted_picture_keeps_the_colour_and_the_opacity_of_each_pixel():
    opacity = points_opacity([2.0, 2.0, 7.0], [5.0, 5.0, 5.0], (0, 10), (0, 10), (40, 20), 16, 0.5)
    shown = np.asarray(Image.open(io.BytesIO(tinted_png(opacity, "#D55E00"))).convert("RGBA"))
    assert shown.shape == (20, 40, 4)
    assert np.abs(shown[..., 3] / 255 - opacity).max() <= 0.5 / 255
    assert (shown[opacity > 0][:, :3] == [0xD5, 0x5E, 0x00]).all()
    assert opacity[:, :20].max() > opacity[:, 20:].max()  # two discs overlap on the left


def test_binned_points_look_as_points_drawn_at_their_pixel_centres():
    # Real positions: the first 2,000 Stripe 82 measurements, time against magnitude.
    from astrolearn import data

    table = data.load("rrlyrae_s82_lightcurves")[:2000]
    time, mag = np.asarray(table["time"], float), np.ma.filled(table["mag"], np.nan)
    limits, shape = ((time.min(), time.max() + 1), (22.0, 14.0)), (120, 80)  # y reversed
    pixels = pixel_index(time, mag, *limits, shape)
    drawn = pixels < shape[0] * shape[1]
    assert 1000 < drawn.sum() < 2000  # NaN and too faint magnitudes are off the picture
    # The centre of each point's pixel, back in data units.
    column, row = (pixels[drawn] % shape[0] + 0.5), (pixels[drawn] // shape[0] + 0.5)
    x = limits[0][0] + column / shape[0] * (limits[0][1] - limits[0][0])
    y = limits[1][1] - row / shape[1] * (limits[1][1] - limits[1][0])
    for size in (4.0, 8.0, 30.0):
        exact = points_opacity(x, y, *limits, shape, size, 0.3)
        binned = binned_opacity(pixels, shape, size, 0.3)
        assert np.abs(binned - exact).max() < 1e-4, size


def test_every_point_counts_once_in_its_pixel():
    x = np.array([0.0, 9.999, 5.0, 5.0, -0.1, 10.0, 10.1, np.nan])
    y = np.array([9.999, 0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0])
    pixels = pixel_index(x, y, (0, 10), (0, 10), (10, 10))
    # (0, 9.999) is the top-left pixel, (9.999, 0) the bottom-right; x = 10 (the right
    # edge itself) is the last column; x = -0.1, 10.1 and NaN are off: index 100.
    assert pixels.tolist() == [0, 99, 55, 55, 100, 59, 100, 100]
    layers = binned_layers(pixels, (10, 10), size=0.01)[0]  # discs smaller than a pixel
    assert layers.sum() == pytest.approx(5 * layers[0, 0], rel=1e-3)
    assert layers[5, 5] == pytest.approx(2 * layers[0, 0], rel=1e-3)
