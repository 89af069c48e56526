"""Shared pieces of the public apps: page header, status line, safe callbacks, and
point clouds drawn as one picture.

Visitors never see a traceback: a failing callback is logged on the kernel's real
stderr (the operator's server log) and the visitor reads a short apology instead.

Examples
--------
>>> status = widgets.HTML()
>>> @safe(status)
... def on_click(_):
...     raise ValueError("boom")
>>> on_click(None)  # logged for the operator; the page says sorry
>>> "went wrong" in status.value
True
"""

from __future__ import annotations

import functools
import html
import io
import logging
import re
import sys
from collections.abc import Callable

import bqplot as bq
import ipywidgets as widgets
import numpy as np
from astrolearn import data
from PIL import Image

#: Okabe–Ito colours, safe for the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, VERMILION, PURPLE = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7"
SKY_BLUE, YELLOW, BLACK = "#56B4E9", "#F0E442", "#000000"

_log = logging.getLogger("astrolearn.apps")
if not _log.handlers:
    # sys.__stderr__ is the kernel process's own stderr, which Voila passes to the
    # server's log; sys.stderr would send the text to the visitor's page.
    _handler = logging.StreamHandler(sys.__stderr__)
    _handler.setFormatter(logging.Formatter("[astrolearn app] %(levelname)s %(message)s"))
    _log.addHandler(_handler)
    _log.propagate = False


def instructions(text: str) -> widgets.HTML:
    """What to do in the app, under a link back to the gallery."""
    return widgets.HTML(
        # The gallery is the server's home page, two levels up from voila/render/.
        "<nav><a href='../../'>&larr; all apps</a></nav>"
        f"<p style='font-size:1.1em;max-width:60em'>{html.escape(text)}</p>"
    )


def status_line(text: str = "") -> widgets.HTML:
    """A status line that screen readers announce when it changes."""
    line = widgets.HTML(text)
    line.add_class("al-status")
    return line


def say(line: widgets.HTML, text: str) -> None:
    """Write ``text`` (escaped) into a status line."""
    line.value = f"<p role='status' aria-live='polite'>{html.escape(text)}</p>"


def data_credit(*names: str) -> widgets.HTML:
    """The credit line of bundled datasets, from their catalogue entries.

    What the data are, the survey's acknowledgement and the papers to cite, so an app's
    credit always names the data it really loaded.
    """
    entries = [data.metadata(name) for name in names]
    described = " ".join(f"{entry['description']}." for entry in entries)
    acknowledged = " ".join(dict.fromkeys(entry["acknowledgement"] for entry in entries))
    references = ", ".join(dict.fromkeys(ref for entry in entries for ref in entry["references"]))
    text = f"Data: {described} {acknowledged} References: {references}."
    return widgets.HTML(f"<small>{html.escape(text)}</small>")


def safe(status: widgets.HTML) -> Callable:
    """Decorator for widget callbacks: log any exception, show an apology in ``status``."""

    def decorate(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except Exception:
                _log.exception("callback %s failed", callback.__name__)
                say(status, "Sorry, something went wrong. Please try another setting.")
                return None

        return wrapper

    return decorate


class PointCloud:
    """Thousands of points drawn in the kernel as one picture inside a bqplot figure.

    bqplot's SVG scatter makes three page elements per point, and a browser without a
    GPU spends about 70 µs on each: 0.7 s before the 9,700 points of "Find the hidden
    cluster" are drawn and the page answers again. The same points as one PNG take it
    a few milliseconds. Use a cloud for the many points a visitor looks at, and a
    bqplot Scatter for the few that answer to the mouse.

    Parameters
    ----------
    figure : bqplot.Figure
        The figure to draw in, of fixed size in pixels (``layout.width`` and
        ``layout.height`` such as ``"560px"``), so that the picture maps one to one
        (at twice the resolution, for sharp high-density screens).
    x_scale, y_scale : bqplot.LinearScale
        The figure's scales, with ``min`` and ``max`` set (either may be the larger).
    colour : str
        Fill colour of the points, as ``"#rrggbb"``.
    size : float
        Area of a point in square pixels, as bqplot's ``default_size``.
    opacity : float
        Opacity of one point; overlapping points add up as they would in SVG.
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
        picture = points_picture(
            x, y, x_limits, y_limits, self.plot_size, self.colour, self.size, self.opacity
        )
        # bqplot redraws an Image mark when its image widget changes, not the widget's
        # value: each picture is a new widget, and the one it replaces is closed.
        replaced = self.mark.image
        with self.mark.hold_sync():
            self.mark.x, self.mark.y = list(x_limits), list(y_limits)
            self.mark.image = widgets.Image(value=picture, format="png")
        replaced.close()


def points_picture(
    x: np.ndarray,
    y: np.ndarray,
    x_limits: tuple[float, float],
    y_limits: tuple[float, float],
    plot_size: tuple[int, int],
    colour: str,
    size: float,
    opacity: float,
    resolution: int = 2,
) -> bytes:
    """PNG of round points on a transparent background.

    Column 0 is ``x_limits[0]`` and row 0 (the top) is ``y_limits[1]``, as bqplot's
    Image mark places a picture between its x and y values. Points outside the limits,
    or not finite, are left out.
    """
    width, height = (resolution * side for side in plot_size)
    x, y = np.asarray(x, float), np.asarray(y, float)
    column = (x - x_limits[0]) / (x_limits[1] - x_limits[0]) * width
    row = (y_limits[1] - y) / (y_limits[1] - y_limits[0]) * height
    inside = np.isfinite(column) & np.isfinite(row)
    inside &= (column >= 0) & (column <= width) & (row >= 0) & (row <= height)
    column, row = column[inside], row[inside]
    radius = np.sqrt(size / np.pi) * resolution
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
    # Opacity of n overlapping discs: 1 - (1 - opacity)^n, worked in place (memory).
    transparency = np.power(1.0 - opacity, layers, out=layers)
    rgba = np.empty((height, width, 4), np.uint8)
    rgba[..., :3] = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    rgba[..., 3] = np.rint(255.0 - 255.0 * transparency).reshape(height, width)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _pixels(length: str | None) -> int:
    match = re.fullmatch(r"(\d+)px", length or "")
    if match is None:
        raise ValueError(f"a PointCloud needs a figure sized in pixels, not {length!r}")
    return int(match.group(1))
