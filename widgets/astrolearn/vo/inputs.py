"""Check and convert user input: sky positions and angular radii.

Positions may be a ``SkyCoord``, a ``"ra dec"`` string (degrees or sexagesimal) or an
object name; radii must be astropy Quantities with angular units. Bad input fails here,
before any network call, with a message that names the argument.

Examples
--------
>>> import astropy.units as u
>>> from astrolearn.vo.inputs import parse_center, parse_radius
>>> float(parse_center("56.75 24.12").ra.deg)
56.75
>>> float(parse_radius(30 * u.arcmin).to_value(u.deg))
0.5
"""

from __future__ import annotations

import math
import re

import astropy.units as u
from astropy.coordinates import SkyCoord

from astrolearn.vo.errors import InvalidInputError

#: Largest cone radius accepted by default: bigger cones return millions of rows live.
MAX_CONE_RADIUS = 5 * u.deg
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DEGREES = re.compile(rf"^\s*({_NUMBER})\s*[, ]\s*({_NUMBER})\s*$")
_SEXAGESIMAL = re.compile(r"^[\s\dhmsd:+\-.'\"°]+$")


def parse_center(center, resolver=None, argument: str = "center") -> SkyCoord:
    """Return an ICRS ``SkyCoord`` for ``center``.

    Parameters
    ----------
    center : SkyCoord or str
        A position, ``"ra dec"`` in degrees (``"56.75 24.12"``), sexagesimal
        (``"03h47m00s +24d07m00s"``, ``"03:47:00 +24:07:00"``) or an object name.
    resolver : callable, optional
        Called with a name to resolve it; without one, names are rejected.
    argument : str
        Name of the argument, for error messages.
    """
    if isinstance(center, SkyCoord):
        if not center.isscalar:
            raise InvalidInputError(f"{argument} must be one position, not {len(center)}")
        icrs = center.icrs
        # A NaN position matches nothing: say so instead of returning an empty result.
        if not (math.isfinite(icrs.ra.deg) and math.isfinite(icrs.dec.deg)):
            raise InvalidInputError(
                f"{argument}={center!r} has no finite position (NaN or infinite ra/dec)"
            )
        return icrs
    if not isinstance(center, str) or not center.strip():
        raise InvalidInputError(
            f"{argument}={center!r} is not a position: pass a SkyCoord, a 'ra dec' string "
            "in degrees such as '56.75 24.12', or an object name such as 'Pleiades'"
        )
    text = center.strip()
    match = _DEGREES.match(text)
    if match:
        ra, dec = float(match.group(1)), float(match.group(2))
        if not (0 <= ra < 360 and -90 <= dec <= 90):
            raise InvalidInputError(
                f"{argument}={center!r}: ra must be in [0, 360) and dec in [-90, 90] degrees"
            )
        return SkyCoord(ra * u.deg, dec * u.deg, frame="icrs")
    if _SEXAGESIMAL.match(text) and any(ch.isdigit() for ch in text):
        try:
            return SkyCoord(text, unit=(u.hourangle, u.deg), frame="icrs")
        except ValueError as error:
            raise InvalidInputError(
                f"{argument}={center!r} is not a valid position: {error}"
            ) from None
    if resolver is None:
        raise InvalidInputError(f"{argument}={center!r}: object names are not accepted here")
    return resolver(text)


def parse_radius(radius, argument: str = "radius", maximum=MAX_CONE_RADIUS) -> u.Quantity:
    """Return ``radius`` as an angle Quantity after checking it is positive and not huge.

    Parameters
    ----------
    radius : astropy.units.Quantity
        An angle such as ``0.5 * u.deg`` or ``10 * u.arcmin``. Bare numbers are
        rejected: a radius without a unit is ambiguous (degrees? arcseconds?).
    argument : str
        Name of the argument, for error messages.
    maximum : astropy.units.Quantity or None
        Largest accepted value.
    """
    if not isinstance(radius, u.Quantity):
        raise InvalidInputError(
            f"{argument}={radius!r} has no unit; pass an astropy Quantity such as "
            f"{radius!r} * u.deg or {radius!r} * u.arcsec"
        )
    if not radius.unit.is_equivalent(u.deg):
        raise InvalidInputError(f"{argument}={radius} is not an angle (use deg, arcmin, arcsec)")
    if not radius.isscalar or not radius.value > 0:
        raise InvalidInputError(f"{argument}={radius} must be one positive angle")
    if maximum is not None and radius > maximum:
        raise InvalidInputError(
            f"{argument}={radius} is larger than the {maximum} allowed: "
            "a cone that big returns too many rows; use a smaller radius or ADQL with TOP"
        )
    return radius.to(u.deg)
