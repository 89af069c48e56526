"""Pixel geometry of points drawn as one picture: where each lands, what it covers.

No widgets: :class:`astrolearn.ui.points.PointCloud` and
:class:`astrolearn.ui.points.PointPictures` turn the opacity maps into pictures inside a
plot. :func:`points_opacity` places each point to a fraction of a pixel (thousands of
points); :func:`binned_opacity` puts each at the centre of its pixel, which lets a million
points be counted per pixel and spread by one convolution in a few milliseconds.

Examples
--------
>>> alpha = points_opacity([5.0], [5.0], (0, 10), (0, 10), (20, 10), size=4.0, opacity=1.0)
>>> alpha.shape, float(alpha.max())
((10, 20), 1.0)
"""

from __future__ import annotations

import numpy as np
from scipy.signal import oaconvolve


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
    return opacity_of(layers, opacity).reshape(height, width)


def pixel_index(
    x: np.ndarray,
    y: np.ndarray,
    x_limits: tuple[float, float],
    y_limits: tuple[float, float],
    shape: tuple[int, int],
) -> np.ndarray:
    """Index ``row * width + column`` of the pixel under each point.

    The picture lies as in :func:`points_opacity`; a point on its right or bottom edge
    is in the last column or row. A point outside the limits, or not finite, gets
    ``width * height``: one spare index past the picture, so that counting a subset of
    points needs no further test.

    Examples
    --------
    >>> pixel_index([0.5, 9.9, 11.0], [9.9, 0.5, 5.0], (0, 10), (0, 10), (10, 5)).tolist()
    [0, 49, 50]
    """
    width, height = shape
    x, y = np.asarray(x, float), np.asarray(y, float)
    column = (x - x_limits[0]) * (width / (x_limits[1] - x_limits[0]))
    row = (y_limits[1] - y) * (height / (y_limits[1] - y_limits[0]))
    with np.errstate(invalid="ignore"):  # NaN compares False: off the picture
        inside = (column >= 0) & (column <= width) & (row >= 0) & (row <= height)
    # A point on the right or bottom edge itself is drawn in the last pixel.
    column = np.minimum(column[inside].astype(np.intp), width - 1)
    row = np.minimum(row[inside].astype(np.intp), height - 1)
    index = np.full(x.shape, width * height, dtype=np.intp)
    index[inside] = row * width + column
    return index


def disc_cover(size: float) -> np.ndarray:
    """Share of each pixel that a disc of area ``size`` centred on the middle pixel covers.

    The same antialiased edge as :func:`points_opacity`, so a point at a pixel's centre
    looks the same drawn either way.
    """
    radius = np.sqrt(size / np.pi)
    steps = np.arange(-int(np.ceil(radius + 1)), int(np.ceil(radius + 1)) + 1)
    distance = np.hypot(steps[:, None], steps[None, :])
    return np.clip(radius + 0.5 - distance, 0.0, 1.0).astype(np.float32)


def binned_layers(
    pixels: np.ndarray,
    shape: tuple[int, int],
    size: float,
    codes: np.ndarray | None = None,
    classes: int = 1,
) -> np.ndarray:
    """How many discs (of area ``size``) cover each pixel, per class of point.

    Parameters
    ----------
    pixels : numpy.ndarray
        Pixel of each point, from :func:`pixel_index` (``width * height`` is off the
        picture).
    shape : tuple of int
        ``(width, height)`` of the picture.
    size : float
        Area of one point in square pixels.
    codes : numpy.ndarray, optional
        Class of each point, ``0 .. classes - 1`` (default: all of class 0).
    classes : int
        Number of classes.

    Returns
    -------
    numpy.ndarray
        ``(classes, height, width)`` float32 layer counts, each point spread over its disc.
    """
    width, height = shape
    index = pixels if codes is None else pixels * classes + codes
    # One count per (pixel, class); the spare pixel past the picture is dropped.
    counts = np.bincount(index, minlength=(width * height + 1) * classes)
    counts = counts[: width * height * classes].astype(np.float32)
    counts = counts.reshape(height, width, classes).transpose(2, 0, 1)
    layers = oaconvolve(counts, disc_cover(size)[None], mode="same", axes=(1, 2))
    # The FFT leaves rounding noise of about 1e-6 where nothing is drawn.
    return np.clip(layers, 0.0, None, out=layers)


def binned_opacity(
    pixels: np.ndarray, shape: tuple[int, int], size: float, opacity: float
) -> np.ndarray:
    """:func:`points_opacity` of the points at ``pixels``, each at its pixel's centre.

    Examples
    --------
    >>> pixels = pixel_index([5.0], [5.0], (0, 10), (0, 10), (20, 10))
    >>> alpha = binned_opacity(pixels, (20, 10), size=4.0, opacity=1.0)
    >>> alpha.shape, round(float(alpha.max()), 3)
    ((10, 20), 1.0)
    """
    return opacity_of(binned_layers(pixels, shape, size)[0], opacity)


def opacity_of(layers: np.ndarray, opacity: float) -> np.ndarray:
    """Opacity of ``layers`` transparent discs of ``opacity`` each: ``1 - (1 - opacity)**n``."""
    transparency = np.power(np.float32(1.0 - opacity), layers)
    return np.subtract(1.0, transparency, out=transparency)
