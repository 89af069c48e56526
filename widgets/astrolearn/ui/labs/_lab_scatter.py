"""A small bqplot scatter coloured by integer/categorical labels (Okabe–Ito), for the labs."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from bqplot import Axis, ColorScale, Figure, LinearScale, Scatter

from ..palette import OKABE_ITO


def label_scatter(title: str, x_label: str, y_label: str) -> tuple[Figure, Scatter]:
    """An empty scatter; fill with :func:`show_labels`."""
    x_scale, y_scale = LinearScale(), LinearScale()
    colour_scale = ColorScale(colors=list(OKABE_ITO))
    mark = Scatter(
        x=[],
        y=[],
        scales={"x": x_scale, "y": y_scale, "color": colour_scale},
        default_size=12,
        stroke=None,
    )
    axes = [Axis(scale=x_scale, label=x_label), Axis(scale=y_scale, side="left", label=y_label)]
    figure = Figure(
        marks=[mark], axes=axes, title=title, layout=widgets.Layout(width="460px", height="360px")
    )
    return figure, mark


def show_labels(figure: Figure, mark: Scatter, x, y, labels, x_label: str, y_label: str) -> None:
    """Plot points ``x, y`` coloured by ``labels`` (noise = -1 drawn in black, last colour)."""
    codes = np.unique(labels, return_inverse=True)[1]
    # Colour index: Okabe–Ito cycles; noise (-1) sorts first and gets black.
    colour = np.where(np.asarray(labels) == -1, len(OKABE_ITO) - 1, codes % (len(OKABE_ITO) - 1))
    with mark.hold_sync():
        mark.x = np.asarray(x, dtype=np.float32)
        mark.y = np.asarray(y, dtype=np.float32)
        mark.color = colour.astype(np.float32)
        mark.scales["color"].min, mark.scales["color"].max = 0.0, float(len(OKABE_ITO) - 1)
    figure.axes[0].label, figure.axes[1].label = x_label, y_label
