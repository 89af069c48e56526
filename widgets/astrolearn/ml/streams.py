"""Stellar streams: the GD-1 stream frame, the solar reflex, and selections by polygon.

``GD1Koposov10`` is the stream-aligned frame of Koposov et al. (2010, ApJ 712, 260): a
rotation of ICRS whose longitude ``phi1`` runs along the GD-1 stream and whose latitude
``phi2`` is zero on it. ``reflex_correct`` removes the apparent motion that the Sun's
own orbit adds to every proper motion. ``in_polygon``, ``in_sky_polygon``, ``isochrone_band`` and
``purity_completeness`` are the small tools of a hand selection and of checking a
learned one against it. Nothing here imports a widget; astropy, numpy and matplotlib's
geometry only.

Example
-------
>>> import astropy.units as u
>>> from astropy.coordinates import SkyCoord
>>> on_stream = SkyCoord(phi1=-40 * u.deg, phi2=0 * u.deg, frame=GD1Koposov10())
>>> round(float(on_stream.icrs.ra.deg), 1), round(float(on_stream.icrs.dec.deg), 1)
(149.1, 36.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import astropy.coordinates as coord
import astropy.units as u
import numpy as np
from astropy.coordinates import frame_transform_graph
from astropy.coordinates.matrix_utilities import matrix_transpose
from matplotlib.path import Path

from astrolearn.ml._checks import check_vector

#: ICRS -> GD-1 rotation matrix, Koposov et al. 2010, ApJ 712, 260 (their Appendix).
KOPOSOV10_MATRIX = np.array(
    [
        [-0.4776303088, -0.1738432154, 0.8611897727],
        [0.510844589, -0.8524449229, 0.111245042],
        [0.7147776536, 0.4930681392, 0.4959603976],
    ]
)


class GD1Koposov10(coord.BaseCoordinateFrame):
    """The GD-1 stream frame of Koposov et al. (2010): ``phi1`` along, ``phi2`` across.

    ``phi1`` is wrapped to (-180, 180] deg. Proper motions are ``pm_phi1_cosphi2`` and
    ``pm_phi2`` (mas/yr).

    Example
    -------
    >>> import astropy.units as u
    >>> from astropy.coordinates import SkyCoord
    >>> star = SkyCoord(ra=149.14 * u.deg, dec=36.03 * u.deg).transform_to(GD1Koposov10())
    >>> abs(float(star.phi2.deg)) < 0.1
    True
    """

    default_representation = coord.SphericalRepresentation
    default_differential = coord.SphericalCosLatDifferential
    frame_specific_representation_info: ClassVar[dict] = {
        coord.SphericalRepresentation: [
            coord.RepresentationMapping("lon", "phi1"),
            coord.RepresentationMapping("lat", "phi2"),
            coord.RepresentationMapping("distance", "distance"),
        ]
    }

    def represent_as(self, base, s="base", in_frame_units=False):
        """As for any frame, with longitudes shown in (-180, 180] deg."""
        represented = super().represent_as(base, s=s, in_frame_units=in_frame_units)
        if hasattr(represented, "lon"):
            # astropy wraps longitudes at 360 deg; the stream's phi1 is quoted about 0.
            represented.lon.wrap_angle = 180 * u.deg
        return represented


@frame_transform_graph.transform(coord.StaticMatrixTransform, coord.ICRS, GD1Koposov10)
def _icrs_to_gd1():
    return KOPOSOV10_MATRIX


@frame_transform_graph.transform(coord.StaticMatrixTransform, GD1Koposov10, coord.ICRS)
def _gd1_to_icrs():
    return matrix_transpose(KOPOSOV10_MATRIX)


def reflex_correct(
    sky: coord.SkyCoord, galactocentric: coord.Galactocentric | None = None
) -> coord.SkyCoord:
    """The same stars with the Sun's own motion taken out of their proper motions.

    The Sun moves around the Galaxy at about 250 km/s; seen from it, every distant star
    seems to drift the other way. Adding the Sun's velocity to each star's
    Galactocentric velocity gives the motion a Sun at rest would see.

    Parameters
    ----------
    sky : SkyCoord
        Positions with distance, proper motions and radial velocity (in any frame).
    galactocentric : Galactocentric, optional
        The Sun's position and velocity (default: astropy's current ``Galactocentric()``).

    Returns
    -------
    SkyCoord
        In the frame of ``sky``, with corrected velocities.

    Example
    -------
    >>> import astropy.units as u
    >>> from astropy.coordinates import SkyCoord
    >>> star = SkyCoord(ra=150 * u.deg, dec=40 * u.deg, distance=8 * u.kpc,
    ...                 pm_ra_cosdec=0 * u.mas / u.yr, pm_dec=0 * u.mas / u.yr,
    ...                 radial_velocity=0 * u.km / u.s)
    >>> float(abs(reflex_correct(star).pm_ra_cosdec.to_value(u.mas / u.yr))) > 1
    True
    """
    if not isinstance(sky, coord.SkyCoord) or "s" not in sky.data.differentials:
        raise TypeError("sky must be a SkyCoord with distance, proper motions and radial velocity")
    frame = galactocentric if galactocentric is not None else coord.Galactocentric()
    centred = sky.transform_to(frame)
    position = centred.cartesian.without_differentials()
    sun_velocity = coord.CartesianDifferential(frame.galcen_v_sun.xyz)
    velocity = centred.cartesian.differentials["s"] + sun_velocity
    at_rest = frame.realize_frame(position.with_differentials(velocity))
    return coord.SkyCoord(at_rest.transform_to(sky.frame))


def in_polygon(
    x: Sequence[float],
    y: Sequence[float],
    vertices_x: Sequence[float],
    vertices_y: Sequence[float],
) -> np.ndarray:
    """True for the points (x, y) inside the polygon with the given vertices (a plane).

    Example
    -------
    >>> in_polygon([0.5, 2.0], [0.5, 0.5], [0, 1, 1, 0], [0, 0, 1, 1]).tolist()
    [True, False]
    """
    x, y = check_vector(x, "x"), check_vector(y, "y", len(x))
    vx, vy = check_vector(vertices_x, "vertices_x"), check_vector(vertices_y, "vertices_y")
    if len(vx) != len(vy) or len(vx) < 3:
        raise ValueError("a polygon needs at least three (vertices_x, vertices_y) pairs")
    return Path(np.column_stack([vx, vy])).contains_points(np.column_stack([x, y]))


def in_sky_polygon(sky: coord.SkyCoord, vertices: coord.SkyCoord) -> np.ndarray:
    """True for the positions inside a convex polygon on the sky, as ADQL's ``POLYGON``.

    The edges of an ADQL polygon are arcs of great circles, not straight lines in
    (ra, dec). A position is inside a convex polygon when it lies on the inner side of
    every edge's great circle.

    Parameters
    ----------
    sky : SkyCoord
        The positions to test.
    vertices : SkyCoord
        The polygon's corners, in order (either direction), at least three.

    Example
    -------
    >>> import astropy.units as u
    >>> from astropy.coordinates import SkyCoord
    >>> corners = SkyCoord(ra=[0, 10, 10, 0] * u.deg, dec=[0, 0, 10, 10] * u.deg)
    >>> in_sky_polygon(SkyCoord(ra=[5, 15] * u.deg, dec=[5, 5] * u.deg), corners).tolist()
    [True, False]
    """
    if len(vertices) < 3:
        raise ValueError("a sky polygon needs at least three vertices")
    points = sky.icrs.cartesian.xyz.value.reshape(3, -1).T
    corners = vertices.icrs.cartesian.xyz.value.T
    normals = np.cross(corners, np.roll(corners, -1, axis=0))  # one per edge
    sides = points @ normals.T
    inside = np.all(sides >= 0, axis=1) | np.all(sides <= 0, axis=1)
    return inside.reshape(np.shape(sky))


def isochrone_band(
    colour: Sequence[float],
    magnitude: Sequence[float],
    mag_range: tuple[float, float],
    bluer: float,
    redder: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A closed band around an isochrone in a colour-magnitude diagram.

    The isochrone's points with ``mag_range[0] < magnitude < mag_range[1]`` are shifted
    ``bluer`` mag to the blue and ``redder`` mag to the red; the polygon runs down one
    edge and back up the other.

    Returns
    -------
    (colours, magnitudes) : two numpy arrays, the polygon's vertices.

    Example
    -------
    >>> c, m = isochrone_band([0.5, 0.6, 0.7], [18, 19, 20], (17, 21), 0.1, 0.2)
    >>> c.round(2).tolist(), m.tolist()
    ([0.4, 0.5, 0.6, 0.9, 0.8, 0.7], [18.0, 19.0, 20.0, 20.0, 19.0, 18.0])
    """
    colour = check_vector(colour, "colour").astype(float)
    magnitude = check_vector(magnitude, "magnitude").astype(float)
    keep = (magnitude > mag_range[0]) & (magnitude < mag_range[1])
    if keep.sum() < 2:
        raise ValueError(f"fewer than two isochrone points have magnitudes in {mag_range}")
    edge_colour, edge_mag = colour[keep], magnitude[keep]
    vertices_colour = np.concatenate([edge_colour - bluer, (edge_colour + redder)[::-1]])
    return vertices_colour, np.concatenate([edge_mag, edge_mag[::-1]])


def purity_completeness(found: Sequence[bool], reference: Sequence[bool]) -> dict:
    """Purity and completeness of a selection ``found`` measured against ``reference``.

    Purity is the fraction of the found stars that the reference also selects;
    completeness the fraction of the reference's stars that were found.

    Example
    -------
    >>> purity_completeness([True, True, False, False], [True, False, True, False])
    {'purity': 0.5, 'completeness': 0.5, 'n_found': 2, 'n_reference': 2, 'n_both': 1}
    """
    found = np.asarray(found, dtype=bool)
    reference = np.asarray(reference, dtype=bool)
    if found.shape != reference.shape:
        raise ValueError(f"found {found.shape} and reference {reference.shape} differ in shape")
    both = int(np.sum(found & reference))
    n_found, n_reference = int(found.sum()), int(reference.sum())
    return {
        "purity": both / n_found if n_found else float("nan"),
        "completeness": both / n_reference if n_reference else float("nan"),
        "n_found": n_found,
        "n_reference": n_reference,
        "n_both": both,
    }
