"""Thousands of points drawn in the kernel as one picture inside a bqplot figure.

bqplot's SVG scatter makes three page elements per point, and a browser without a GPU
spends about 70 µs on each: 0.7 s before the 9,700 points of the app "Find the hidden
cluster" are drawn and the page answers again. The same points as one PNG take it a few
milliseconds. Use a :class:`PointCloud` for the many points a visitor looks at, and a
bqplot Scatter for the few that answer to the mouse. The geometry is
:func:`astrolearn.ml.raster.points_opacity`.
"""

from __future__ import annotations

import io
import re

import bqplot as bq
import ipywidgets as widgets
import numpy as np
from PIL import Image

from ..ml.raster import points_opacity

#: Picture pixels per screen pixel: sharp on high-density screens.
RESOLUTION = 2


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
        x_limits = (self.x_scale.min, self.x_scale.max)
        y_limits = (self.y_scale.min, self.y_scale.max)
        if None in x_limits + y_limits or x_limits[0] == x_limits[1] or y_limits[0] == y_limits[1]:
            raise ValueError(
                "a PointCloud needs scales with different min and max set, not "
                f"x {x_limits} and y {y_limits}"
            )
        width, height = self.plot_size
        shape, size = (RESOLUTION * width, RESOLUTION * height), self.size * RESOLUTION**2
        alpha = points_opacity(x, y, x_limits, y_limits, shape, size, self.opacity)
        # bqplot redraws an Image mark when its image widget changes, not the widget's
        # value: each picture is a new widget, and the one it replaces is closed.
        replaced = self.mark.image
        with self.mark.hold_sync():
            self.mark.x, self.mark.y = list(x_limits), list(y_limits)
            self.mark.image = widgets.Image(value=tinted_png(alpha, self.colour), format="png")
        replaced.close()


def tinted_png(alpha: np.ndarray, colour: str) -> bytes:
    """PNG of one colour, ``alpha`` (0 to 1, row 0 the top) its opacity in each pixel."""
    rgba = np.empty((*alpha.shape, 4), np.uint8)
    rgba[..., :3] = rgb(colour)
    rgba[..., 3] = np.rint(255.0 * alpha)
    return png(rgba)


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


def _pixels(length: str | None) -> int:
    match = re.fullmatch(r"(\d+)px", length or "")
    if match is None:
        raise ValueError(f"a PointCloud needs a figure sized in pixels, not {length!r}")
    return int(match.group(1))
