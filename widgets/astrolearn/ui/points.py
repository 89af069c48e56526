"""Thousands of points drawn in the kernel as one picture inside a bqplot figure.

bqplot's SVG scatter makes three page elements per point, and a browser without a GPU
spends about 70 µs on each: 0.7 s before the 9,700 points of the app "Find the hidden
cluster" are drawn and the page answers again. The same points as one PNG take it a few
milliseconds. Use a :class:`PointCloud` for the many points a visitor looks at, and a
bqplot Scatter for the few that answer to the mouse. The geometry is
:func:`astrolearn.ml.raster.points_opacity`.

Linked views of a hundred thousand to a million points draw them as
:class:`PointPictures`: all the points in one picture, the selected ones in a second
picture above it, which alone is redrawn when the selection changes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import bqplot as bq
import ipywidgets as widgets
import numpy as np
from PIL import Image

from ..ml.raster import binned_layers, binned_opacity, opacity_of, pixel_index, points_opacity
from .palette import DEFAULT_COLOUR, SELECTION_COLOUR

#: Picture pixels per screen pixel: sharp on high-density screens.
RESOLUTION = 2
#: (width, height) of a PointPictures picture: about a linked view's plot area on a
#: desktop screen, one picture pixel per screen pixel (counting and spreading a million
#: points then takes milliseconds; twice the resolution would take four times as long).
PICTURE_SHAPE = (560, 310)
#: Opacity of one selected point drawn by PointPictures.
SELECTED_OPACITY = 0.7


class PointCloud:
    """Points drawn as one picture, beneath the other marks of a bqplot figure.

    Parameters
    ----------
    figure : bqplot.Figure
        The figure to draw in, of fixed size in pixels (``layout.width`` and
        ``layout.height`` such as ``"560px"``), so that the picture maps one to one
        (at ``RESOLUTION`` picture pixels per screen pixel).
    x_scale, y_scale : bqplot.LinearScale
        The figure's scales, with ``min`` and ``max`` set (either may be the larger).
    colour : str
        Fill colour of the points, as ``"#rrggbb"``.
    size : float
        Area of a point in square pixels, as bqplot's ``default_size``.
    opacity : float
        Opacity of one point; overlapping points add up as they would in SVG.

    Examples
    --------
    >>> x_scale, y_scale = bq.LinearScale(min=0, max=1), bq.LinearScale(min=0, max=1)
    >>> figure = bq.Figure(layout=widgets.Layout(width="300px", height="200px"))
    >>> cloud = PointCloud(figure, x_scale, y_scale, "#0072B2")
    >>> cloud.show(np.array([0.5]), np.array([0.5]))
    >>> figure.marks == [cloud.mark]
    True
    """

    def __init__(
        self,
        figure: bq.Figure,
        x_scale: bq.LinearScale,
        y_scale: bq.LinearScale,
        colour: str,
        size: float = 16.0,
        opacity: float = 0.6,
    ) -> None:
        margin = figure.fig_margin
        width = _pixels(figure.layout.width) - margin["left"] - margin["right"]
        height = _pixels(figure.layout.height) - margin["top"] - margin["bottom"]
        # The figure pads its scales' ranges by padding_x and padding_y of the plot area.
        self.plot_size = (
            round(width * (1 - 2 * figure.padding_x)),
            round(height * (1 - 2 * figure.padding_y)),
        )
        self.x_scale, self.y_scale = x_scale, y_scale
        self.colour, self.size, self.opacity = colour, size, opacity
        self.mark = bq.Image(
            image=widgets.Image(format="png"),
            scales={"x": x_scale, "y": y_scale},
            pixelated=False,  # smooth: the picture has twice the screen's resolution
        )
        figure.marks = [self.mark, *figure.marks]  # beneath the figure's other marks

    def show(self, x: np.ndarray, y: np.ndarray) -> None:
        """Draw the points (x, y), in data units, within the scales' current limits."""
        x_limits, y_limits = scale_limits(self.x_scale, self.y_scale)
        width, height = self.plot_size
        shape, size = (RESOLUTION * width, RESOLUTION * height), self.size * RESOLUTION**2
        alpha = points_opacity(x, y, x_limits, y_limits, shape, size, self.opacity)
        replace_picture(self.mark, tinted_png(alpha, self.colour), x_limits, y_limits)


class PointPictures:
    """Many linked points as two pictures: all of them, and the selected ones above.

    For linked views of 10⁵ to 10⁶ points, which a browser without a GPU cannot redraw
    as marks at every brush. Each point's pixel is worked out once per drawing of all
    points (:meth:`show`); a new selection then only counts the selected points per pixel
    and redraws the second picture (:meth:`show_selection`). Which rows are selected is
    for the caller to decide on the data, never from the pictures.

    Parameters
    ----------
    x_scale, y_scale : bqplot.LinearScale
        The figure's scales, with ``min`` and ``max`` set (either may be the larger).
    shape : tuple of int
        ``(width, height)`` of the pictures in pixels; the browser stretches them over
        the plot area, whatever its size on the screen.
    size : float
        Area of a point in square picture pixels.
    opacity : float
        Opacity of one point of the picture of all points (the selected ones are
        drawn at ``SELECTED_OPACITY``).

    Examples
    --------
    >>> x_scale, y_scale = bq.LinearScale(min=0, max=1), bq.LinearScale(min=0, max=1)
    >>> pictures = PointPictures(x_scale, y_scale, shape=(40, 30))
    >>> pictures.show(np.array([0.2, 0.7]), np.array([0.5, 0.5]))
    >>> pictures.show_selection(np.array([1]))
    >>> pictures.marks == [pictures.base, pictures.chosen]
    True
    """

    def __init__(
        self,
        x_scale: bq.LinearScale,
        y_scale: bq.LinearScale,
        shape: tuple[int, int] = PICTURE_SHAPE,
        size: float = 8.0,
        opacity: float = 0.3,
    ) -> None:
        self.x_scale, self.y_scale = x_scale, y_scale
        self.shape, self.size, self.opacity = shape, size, opacity
        self.base, self.chosen = (
            bq.Image(
                image=widgets.Image(format="png"),
                scales={"x": x_scale, "y": y_scale},
                pixelated=False,
            )
            for _ in range(2)
        )
        self.marks = [self.base, self.chosen]
        self.pixels = np.zeros(0, np.intp)
        self.limits = ((0.0, 1.0), (0.0, 1.0))

    def show(
        self,
        x: np.ndarray,
        y: np.ndarray,
        codes: np.ndarray | None = None,
        colours: Sequence[str] = (DEFAULT_COLOUR,),
    ) -> None:
        """Draw all points (x, y), in data units, within the scales' current limits.

        ``codes`` gives the class of each point (``0 .. len(colours) - 1``); a pixel
        where classes overlap takes their colours mixed by how much each covers it.
        """
        self.limits = scale_limits(self.x_scale, self.y_scale)
        self.pixels = pixel_index(x, y, *self.limits, self.shape)
        layers = binned_layers(self.pixels, self.shape, self.size, codes, len(colours))
        replace_picture(self.base, mixed_png(layers, colours, self.opacity), *self.limits)

    def show_selection(self, rows: np.ndarray) -> None:
        """Draw the points of these rows (indices into the x, y last shown) above the rest."""
        if len(rows) == 0:
            picture = EMPTY_PNG
        else:
            alpha = binned_opacity(self.pixels[rows], self.shape, self.size, SELECTED_OPACITY)
            picture = tinted_png(alpha, SELECTION_COLOUR)
        replace_picture(self.chosen, picture, *self.limits)


def scale_limits(
    x_scale: bq.LinearScale, y_scale: bq.LinearScale
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The scales' ``(min, max)``; an error unless both are set and differ."""
    x_limits, y_limits = (x_scale.min, x_scale.max), (y_scale.min, y_scale.max)
    if None in x_limits + y_limits or x_limits[0] == x_limits[1] or y_limits[0] == y_limits[1]:
        raise ValueError(
            "a picture of points needs scales with different min and max set, not "
            f"x {x_limits} and y {y_limits}"
        )
    return x_limits, y_limits


def replace_picture(mark: bq.Image, picture: bytes, x_limits, y_limits) -> None:
    """Show ``picture`` (PNG) in ``mark``, its edges at these data limits."""
    # bqplot redraws an Image mark when its image widget changes, not the widget's
    # value: each picture is a new widget, and the one it replaces is closed.
    replaced = mark.image
    with mark.hold_sync():
        mark.x, mark.y = list(x_limits), list(y_limits)
        mark.image = widgets.Image(value=picture, format="png")
    replaced.close()


def mixed_png(layers: np.ndarray, colours: Sequence[str], opacity: float) -> bytes:
    """PNG of points of several colours, from their ``(classes, height, width)`` layers."""
    total = layers.sum(axis=0)
    alpha = opacity_of(total, opacity)
    if len(colours) == 1:
        return tinted_png(alpha, colours[0])
    share = layers / np.maximum(total, 1e-6)
    rgba = np.empty((*alpha.shape, 4), np.uint8)
    mixed = np.tensordot(share, np.array([rgb(c) for c in colours], np.float32), axes=(0, 0))
    rgba[..., :3] = np.rint(mixed)
    rgba[..., 3] = np.rint(255.0 * alpha)
    return png(rgba)


def tinted_png(alpha: np.ndarray, colour: str) -> bytes:
    """PNG of one colour, ``alpha`` (0 to 1, row 0 the top) its opacity in each pixel."""
    # One byte a pixel: palette entry k is the colour at opacity k/255. A quarter of the
    # bytes of RGBA to compress, and about twenty times faster to encode.
    picture = Image.fromarray(np.rint(255.0 * alpha).astype(np.uint8), "P")
    picture.putpalette(list(rgb(colour)) * 256)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1, transparency=bytes(range(256)))
    return buffer.getvalue()


def rgb(colour: str) -> np.ndarray:
    """``"#rrggbb"`` as three numbers 0 to 255.

    Examples
    --------
    >>> rgb("#0072B2").tolist()
    [0, 114, 178]
    """
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def png(rgba: np.ndarray) -> bytes:
    """PNG of an ``(height, width, 4)`` array of bytes (row 0 is the top)."""
    buffer = io.BytesIO()
    # Fastest compression: the picture is made for one visitor, at every move.
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


#: A picture of nothing: one clear pixel.
EMPTY_PNG = png(np.zeros((1, 1, 4), np.uint8))


def _pixels(length: str | None) -> int:
    match = re.fullmatch(r"(\d+)px", length or "")
    if match is None:
        raise ValueError(f"a PointCloud needs a figure sized in pixels, not {length!r}")
    return int(match.group(1))
