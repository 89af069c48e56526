"""Cone search on a named catalog, live (TAP), on the mirror (TAP or SCS) or offline.

Examples
--------
>>> import astropy.units as u
>>> from astrolearn import vo
>>> stars = vo.cone_search("gaia_dr3", "Pleiades", 10 * u.arcmin, backend="offline")
>>> bool((stars["dist"] <= 10 / 60).all()), stars.meta["source"]
(True, 'offline snapshot')
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import astropy.units as u
import numpy as np
import pyvo
from astropy.coordinates import SkyCoord
from astropy.table import Table

from astrolearn.vo import config, services
from astrolearn.vo.errors import (
    EmptyResultError,
    InvalidInputError,
    OfflineUnavailableError,
    ServiceUnavailableError,
    TruncatedResultError,
)
from astrolearn.vo.inputs import parse_center, parse_radius
from astrolearn.vo.resolve import resolve
from astrolearn.vo.tap import TAP
from astrolearn.vo.transport import timeout_session, with_retries


def cone_adql(table: str, ra: str, dec: str, center: SkyCoord, radius: u.Quantity) -> str:
    """ADQL of a cone search, nearest first, with the distance in degrees as ``dist``."""
    point = f"POINT('ICRS', t.{ra}, t.{dec})"
    ra0, dec0, r = float(center.ra.deg), float(center.dec.deg), float(radius.to_value(u.deg))
    here = f"POINT('ICRS', {ra0!r}, {dec0!r})"
    return (
        f"SELECT t.*, DISTANCE({point}, {here}) AS dist FROM {table} AS t "
        f"WHERE 1 = CONTAINS({point}, CIRCLE('ICRS', {ra0!r}, {dec0!r}, {r!r})) ORDER BY dist"
    )


def cone_search(
    catalog: str,
    center,
    radius: u.Quantity,
    backend: str | None = None,
    maxrec: int | None = None,
    timeout: float | None = None,
    protocol: str = "tap",
) -> Table:
    """Sources of ``catalog`` within ``radius`` of ``center``, nearest first.

    Parameters
    ----------
    catalog : str
        A named service (``"gaia_dr3"``, ``"sdss"``, ``"twomass"``, ``"simbad"``).
    center : SkyCoord or str
        Position or object name (``"Pleiades"``, ``"56.75 24.12"``).
    radius : astropy.units.Quantity
        Cone radius, e.g. ``0.5 * u.deg`` (at most 5 deg).
    backend : str, optional
        ``auto`` (default setting), ``live``, ``mirror`` or ``offline``.
    maxrec : int, optional
        Row limit; more rows raise :class:`TruncatedResultError`.
    timeout : float, optional
        Seconds per HTTP exchange.
    protocol : {"tap", "scs"}
        On the mirror, query through TAP (ADQL) or Simple Cone Search.

    Returns
    -------
    astropy.table.Table
        The catalog's columns plus ``dist`` (degrees), ``meta["source"]`` and
        ``meta["fetched_at"]``.
    """
    entry = services.get(catalog)
    chosen = config.check_backend(backend)
    position = parse_center(center, resolver=lambda name: resolve(name, backend=chosen))
    cone_radius = parse_radius(radius)
    limit = config.check_maxrec(maxrec)
    if protocol not in ("tap", "scs"):
        raise InvalidInputError(f"protocol={protocol!r} must be 'tap' or 'scs'")
    failures = []
    if chosen != "offline" and entry.table is not None:
        try:
            if protocol == "scs":
                if chosen != "mirror":
                    raise InvalidInputError("protocol='scs' is available with backend='mirror'")
                return _scs(entry, position, cone_radius, limit, timeout)
            service = TAP(catalog, backend=chosen, timeout=timeout)
            if service.candidates:
                return _tap_cone(service, entry, position, cone_radius, limit)
        except ServiceUnavailableError as error:
            if chosen != "auto":
                raise
            failures.append(str(error))
    if chosen in ("live", "mirror"):
        raise OfflineUnavailableError(f"{catalog!r} has no {chosen} service for cone searches")
    return offline_cone(entry, position, cone_radius, limit, failures)


def _tap_cone(service, entry, position, radius, maxrec) -> Table:
    """Try each TAP candidate with the table name valid on that service."""
    failures = []
    for url, timeout, retries in service.candidates:
        name = entry.mirror_table if url.startswith(config.mirror_tap_url()) else entry.table
        one = TAP(url, timeout=timeout)
        one.candidates = [(url, timeout, retries)]
        try:
            return one.run(cone_adql(name, entry.ra, entry.dec, position, radius), maxrec=maxrec)
        except ServiceUnavailableError as error:
            failures.append(str(error))
    raise ServiceUnavailableError("; ".join(failures))


def _scs(entry, position, radius, maxrec, timeout) -> Table:
    """Simple Cone Search on the mirror (DaCHS's SCS endpoint for the table's schema)."""
    if entry.mirror_table is None:
        raise OfflineUnavailableError(f"{entry.name!r} is not published on the mirror")
    schema = entry.mirror_table.split(".")[0]
    url = f"{config.settings.mirror_url.rstrip('/')}/{schema}/q/scs/scs.xml"
    seconds = config.check_timeout(timeout)
    service = pyvo.dal.SCSService(url, session=timeout_session(seconds))

    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = service.search(position, radius, verbosity=3, maxrec=maxrec)
            return result.to_table(), str(result.status[0]).upper()

    table, status = with_retries(call, url, seconds, config.settings.retries, 0.5)
    if status == "OVERFLOW" or len(table) > maxrec:
        raise TruncatedResultError(f"cone search cut at maxrec={maxrec} rows", table)
    if len(table) == 0:
        raise EmptyResultError(f"no {entry.name} sources within {radius} of the position")
    if "_r" in table.colnames:
        table.rename_column("_r", "dist")
    # SCS sends the main identifier as a string; give it back the catalog's integer type.
    reference = entry.local()
    for name in table.colnames:
        integer = name in reference.colnames and reference[name].dtype.kind == "i"
        if integer and table[name].dtype.kind in "OUS":
            table[name] = np.asarray(table[name], dtype=reference[name].dtype)
    table.meta = _meta("mirror", url)
    return table


def offline_cone(entry, position, radius, maxrec, failures=()) -> Table:
    """Cone search on the bundled snapshot of ``entry``."""
    if entry.local is None:
        raise OfflineUnavailableError(f"{entry.name!r} has no offline snapshot")
    local = entry.local()
    ra = np.asarray(local[entry.ra], float)
    dec = np.asarray(local[entry.dec], float)
    known = np.isfinite(ra) & np.isfinite(dec)
    coords = SkyCoord(ra[known] * u.deg, dec[known] * u.deg, frame="icrs")
    dist = coords.separation(position).deg
    inside = np.flatnonzero(known)[dist <= radius.to_value(u.deg)]
    order = np.argsort(dist[dist <= radius.to_value(u.deg)], kind="stable")
    result = local[inside[order]]
    result["dist"] = np.sort(dist[dist <= radius.to_value(u.deg)], kind="stable") * u.deg
    if len(result) == 0:
        raise EmptyResultError(
            f"the offline snapshot of {entry.name} has no sources within {radius} of "
            f"({position.ra.deg:.4f}, {position.dec.deg:+.4f}); it covers {entry.coverage}"
        )
    if len(result) > maxrec:
        raise TruncatedResultError(f"cone search cut at maxrec={maxrec} rows", result[:maxrec])
    result.meta = _meta("offline snapshot", f"bundled {entry.name} snapshot")
    if failures:
        result.meta["fallback_reason"] = "; ".join(failures)
    return result


def _meta(source: str, service: str) -> dict:
    return {
        "source": source,
        "service": service,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
