"""Colour-blind-safe colours shared by every astrolearn widget.

The categorical colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal
Design"), distinguishable with the common forms of colour-vision deficiency.
Continuous values use ``viridis``, which is perceptually uniform and stays readable in
grey-scale print.

Examples
--------
>>> from astrolearn.ui.palette import class_colours
>>> class_colours(["STAR", "QSO"])
{'STAR': '#E69F00', 'QSO': '#56B4E9'}
"""

from __future__ import annotations

from collections.abc import Iterable

#: The Okabe–Ito colours by name, for marks that mean one thing (quasars blue, stars
#: orange): the apps and widgets name them rather than index a list.
ORANGE, SKY_BLUE, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILION, PURPLE, BLACK = "#0072B2", "#D55E00", "#CC79A7", "#000000"

#: Okabe–Ito colours, black last (it is used for text and axes, so it comes last for data).
OKABE_ITO: tuple[str, ...] = (ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILION, PURPLE, BLACK)

#: Name of the colour scheme for continuous values (bqplot ``ColorScale(scheme=...)``).
SEQUENTIAL_SCHEME = "viridis"
#: Eight even steps of viridis, low to high, for continuous values drawn as a picture.
VIRIDIS_STEPS: tuple[str, ...] = (
    "#440154",
    "#46327e",
    "#365c8d",
    "#277f8e",
    "#1fa187",
    "#4ac16d",
    "#a0da39",
    "#fde725",
)

#: Colour of selected points and of the selection overlay on the sky.
SELECTION_COLOUR = VERMILION

#: Colour of points when no colour column is chosen.
DEFAULT_COLOUR = BLUE


def class_colours(labels: Iterable[object]) -> dict[str, str]:
    """Give each distinct label an Okabe–Ito colour, in order of first appearance.

    Parameters
    ----------
    labels : iterable
        Class labels (strings, numbers or booleans); repeats are allowed.

    Returns
    -------
    dict
        ``{str(label): "#RRGGBB"}``. More than 8 classes reuse the palette cyclically.

    Examples
    --------
    >>> class_colours([True, False, True])
    {'True': '#E69F00', 'False': '#56B4E9'}
    """
    names = list(dict.fromkeys(str(label) for label in labels))
    return {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(names)}


def legend_html(colours: dict[str, str], title: str = "") -> str:
    """HTML legend: a coloured square and the class name, readable by screen readers.

    Examples
    --------
    >>> "STAR" in legend_html({"STAR": "#E69F00"})
    True
    """
    # A role="list" may contain only role="listitem" children (axe: aria-required-children),
    # so each entry is a listitem and the heading stays outside the list.
    items = "".join(
        f'<span role="listitem" style="margin-right:1em"><span aria-hidden="true" '
        f'style="display:inline-block;width:0.8em;height:0.8em;background:{colour};'
        f'margin-right:0.3em"></span>{name}</span>'
        for name, colour in colours.items()
    )
    heading = f"<b>{title}</b>: " if title else ""
    return f'<div>{heading}<span role="list" aria-label="legend {title}">{items}</span></div>'
