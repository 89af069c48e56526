"""Real survey datasets bundled with astrolearn, usable with no network.

Every dataset is an astropy Table with a unit and a description on each physical
column, and its provenance and citation in ``meta``. All-sky maps in four wavelengths,
as HiPS tile sets for Aladin Lite, are in :mod:`astrolearn.data.sky`.

Examples
--------
>>> from astrolearn import data
>>> pleiades = data.load("gaia_pleiades")
>>> pleiades["parallax"].unit
Unit("mas")
>>> print(data.cite("gaia_pleiades"))  # doctest: +ELLIPSIS
This work has made use of data from the European Space Agency (ESA) mission Gaia...
"""

from __future__ import annotations

from astrolearn.data.catalog import (
    CorruptDataError,
    UnknownDatasetError,
    cite,
    credit,
    datasets,
    describe,
    load,
    load_image,
    load_spectrum,
    metadata,
    path,
)

__all__ = [
    "CorruptDataError",
    "UnknownDatasetError",
    "cite",
    "credit",
    "datasets",
    "describe",
    "load",
    "load_image",
    "load_spectrum",
    "metadata",
    "path",
]
