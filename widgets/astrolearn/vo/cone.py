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
    PartialCoverageWarning,
    ServiceUnavailableError,
    TruncatedResultError,
)
from astrolearn.vo.inputs import parse_center, parse_radius
from astrolearn.vo.resolve import resolve
from astrolearn.vo.tap import TAP, nothing_answered
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
        Row limit; more rows raise :class:`TruncatedResultError` (whose ``.table``
        holds the rows received) by TAP, SCS and offline alike.
    timeout : float, optional
        Wall-clock seconds per HTTP exchange (see :mod:`astrolearn.vo.transport`).
    protocol : {"tap", "scs"}
        On the mirror, query through TAP (ADQL) or Simple Cone Search.

    Returns
    -------
    astropy.table.Table
        The catalog's columns plus ``dist`` (degrees), ``meta["source"]`` and
        ``meta["fetched_at"]``; after a fallback ``meta["fallback_reason"]``; offline,
        ``meta["coverage"]`` and ``meta["complete"]`` (False, with a
        :class:`PartialCoverageWarning`, when the cone reaches beyond the snapshot).

    Raises
    ------
    EmptyResultError
        No source in the cone (offline: the message states the snapshot's coverage).
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
            failures.extend(service.skipped)
        except ServiceUnavailableError as error:
            if chosen != "auto":
                raise
            failures.append(str(error))
    if chosen in ("live", "mirror"):
        raise OfflineUnavailableError(f"{catalog!r} has no {chosen} service for cone searches")
    return offline_cone(entry, position, cone_radius, limit, failures)


def _tap_cone(service, entry, position, radius, maxrec) -> Table:
    """Try each TAP candidate with the table name valid on that service."""
    failures: list[ServiceUnavailableError | str] = [*service.skipped]
    for url, timeout, retries in service.candidates:
        name = entry.mirror_table if url.startswith(config.mirror_tap_url()) else entry.table
        one = TAP(url, timeout=timeout)
        one.candidates = [(url, timeout, retries)]
        try:
            with warnings.catch_warnings():
                # Truncation and emptiness are judged below, in cone search's own terms.
                warnings.filterwarnings("ignore", message="the result was cut at maxrec")
                table = one.run(
                    cone_adql(name, entry.ra, entry.dec, position, radius),
                    maxrec=maxrec,
                    allow_truncated=True,
                    allow_empty=True,
                )
        except ServiceUnavailableError as error:
            failures.append(error)
            continue
        return _checked(table, entry, position, radius, maxrec, failures)
    raise nothing_answered(failures)


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
            return result.to_table(), _overflowed(result.votable)

    table, overflow = with_retries(call, url, seconds, config.settings.retries, 0.5)
    if "_r" in table.colnames:
        table.rename_column("_r", "dist")
    # SCS sends the main identifier as a string; give it back the catalog's integer type.
    reference = entry.local()
    for name in table.colnames:
        integer = name in reference.colnames and reference[name].dtype.kind == "i"
        if integer and table[name].dtype.kind in "OUS":
            table[name] = np.asarray(table[name], dtype=reference[name].dtype)
    table.meta = _meta("mirror", url)
    table.meta["truncated"] = overflow or len(table) > maxrec
    return _checked(table, entry, position, radius, maxrec)


def _overflowed(votable) -> bool:
    """True when any ``QUERY_STATUS`` INFO of the answer says ``OVERFLOW``.

    DaCHS puts it in the results RESOURCE, where pyvo's SCS status does not look (it
    reports OK for a cut table).
    """
    return any(
        info.name == "QUERY_STATUS" and str(info.value).upper() == "OVERFLOW"
        for info in votable.iter_info()
    )


def _checked(table, entry, position, radius, maxrec, failures=()) -> Table:
    """One contract for every backend and protocol: no silent cut, no silent emptiness."""
    where = f"{table.meta['service']} ({table.meta['source']})"
    if table.meta.get("truncated"):
        raise TruncatedResultError(
            f"the cone search on {where} was cut at maxrec={maxrec} rows (the cone holds "
            "more): use a smaller radius or a larger maxrec; the rows received are in "
            "the error's .table",
            table,
        )
    if len(table) == 0:
        covers = f"; it covers {entry.coverage}" if table.meta["source"] != "live" else ""
        raise EmptyResultError(
            f"no {entry.name} sources within {radius} of ({position.ra.deg:.4f}, "
            f"{position.dec.deg:+.4f}) on {where}{covers}"
        )
    if failures:
        table.meta["fallback_reason"] = "; ".join(map(str, failures))
    return table


def covered(entry, position: SkyCoord, radius: u.Quantity) -> bool:
    """True when the cone lies inside one circle of ``entry.footprint``."""
    return any(
        position.separation(SkyCoord(ra * u.deg, dec * u.deg)).deg + float(radius.to_value(u.deg))
        <= field_radius
        for ra, dec, field_radius in entry.footprint
    )


def offline_cone(entry, position, radius, maxrec, failures=()) -> Table:
    """Cone search on the bundled snapshot of ``entry``.

    A cone that reaches beyond the snapshot's fields gives a
    :class:`PartialCoverageWarning`; ``meta["complete"]`` says whether the cone was
    covered and ``meta["coverage"]`` what the snapshot holds.
    """
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
    result.meta = _meta("offline snapshot", f"bundled {entry.name} snapshot")
    result.meta["truncated"] = len(result) > maxrec
    if result.meta["truncated"]:
        result = result[:maxrec]
    complete = not entry.footprint or covered(entry, position, radius)
    result.meta["complete"] = complete
    result.meta["coverage"] = entry.coverage
    checked = _checked(result, entry, position, radius, maxrec, failures)
    if not complete:
        warnings.warn(
            f"the offline snapshot of {entry.name} covers only {entry.coverage}; this cone "
            f"(r={radius}) reaches beyond it, so the {len(checked)} sources found are "
            "only those inside the bundled fields",
            PartialCoverageWarning,
            stacklevel=3,
        )
    return checked


def _meta(source: str, service: str) -> dict:
    return {
        "source": source,
        "service": service,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
