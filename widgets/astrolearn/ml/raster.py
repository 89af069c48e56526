"""Pixel geometry of points drawn as one picture: where each lands, what it covers.

Pure numpy, no widgets: :class:`astrolearn.ui.points.PointCloud` turns the opacity map
into a picture inside a plot.

Examples
--------
>>> alpha = points_opacity([5.0], [5.0], (0, 10), (0, 10), (20, 10), size=4.0, opacity=1.0)
>>> alpha.shape, float(alpha.max())
((10, 20), 1.0)
"""

from __future__ import annotations

import numpy as np


def points_opacity(
    x: np.ndarray,
    y: np.ndarray,
    x_limits: tuple[float, float],
    y_limits: tuple[float, float],
    shape: tuple[int, int],
    size: float,
    opacity: float,
) -> np.ndarray:
    """Opacity of each pixel of a picture of round points, 0 (clear) to 1.

    Parameters
    ----------
    x, y : array_like
        The points, in data units. Points outside the limits, or not finite, are left
        out.
    x_limits, y_limits : tuple of float
        Data values at the picture's edges. Column 0 is ``x_limits[0]`` and row 0 (the
        top) is ``y_limits[1]``, as bqplot's Image mark places a picture between its x
        and y values; either pair may run backwards (magnitudes).
    shape : tuple of int
        ``(width, height)`` of the picture in pixels.
    size : float
        Area of one point in square pixels (bqplot's ``default_size``).
    opacity : float
        Opacity of one point; overlapping points add up as transparent discs do:
        ``n`` of them give ``1 - (1 - opacity) ** n``.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` floats.
    """
    width, height = shape
    x, y = np.asarray(x, float), np.asarray(y, float)
    column = (x - x_limits[0]) / (x_limits[1] - x_limits[0]) * width
    row = (y_limits[1] - y) / (y_limits[1] - y_limits[0]) * height
    inside = np.isfinite(column) & np.isfinite(row)
    inside &= (column >= 0) & (column <= width) & (row >= 0) & (row <= height)
    column, row = column[inside], row[inside]
    radius = np.sqrt(size / np.pi)
    reach = int(np.ceil(radius + 1))
    steps = np.arange(-reach, reach + 1)
    # Every pixel near each point, and the share of it the point's disc covers.
    pixel_column = np.floor(column)[:, None, None] + steps[None, None, :]
    pixel_row = np.floor(row)[:, None, None] + steps[None, :, None]
    distance = np.hypot(
        pixel_column + 0.5 - column[:, None, None], pixel_row + 0.5 - row[:, None, None]
    )
    cover = np.clip(radius + 0.5 - distance, 0.0, 1.0)
    on_picture = (pixel_column >= 0) & (pixel_column < width) & (pixel_row >= 0)
    on_picture &= pixel_row < height
    index = (pixel_row * width + pixel_column)[on_picture].astype(np.int64)
    layers = np.bincount(index, cover[on_picture], minlength=width * height).astype(
        float, copy=False
    )
    # 1 - (1 - opacity)^n, worked in place: a picture of a million pixels is 8 MB.
    transparency = np.power(1.0 - opacity, layers, out=layers)
    return np.subtract(1.0, transparency, out=transparency).reshape(height, width)
