"""Object names to positions: Sesame (CDS) live, a bundled table of SIMBAD values offline.

Sesame is asked through the bounded VO session (:mod:`astrolearn.vo.transport`), so the
deadline and byte limit of every VO call hold for name resolution too.

Examples
--------
>>> from astrolearn import vo
>>> m31 = vo.resolve("M31", backend="offline")
>>> round(float(m31.ra.deg), 2), round(float(m31.dec.deg), 2)
(10.68, 41.27)
>>> m31.info.meta["source"]
'offline snapshot'
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from urllib.parse import quote

import astropy.units as u
import requests
from astropy.coordinates import SkyCoord
from astropy.coordinates.name_resolve import sesame_url
from astropy.table import Table

from astrolearn.vo import config, services
from astrolearn.vo.errors import (
    InvalidInputError,
    MalformedResponseError,
    ResponseTooLargeError,
    ServiceUnavailableError,
    UnknownObjectError,
    VOError,
)
from astrolearn.vo.inputs import parse_center
from astrolearn.vo.transport import service_name, timeout_session, translate


def _normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "", name).casefold()


def known_objects() -> Table:
    """The objects resolvable offline, with their positions and sources."""
    return services.names_table().copy()


def _offline(name: str) -> SkyCoord:
    wanted = _normalise(name)
    table = services.names_table()
    for row in table:
        aliases = [row["name"], *str(row["aliases"]).split("|")]
        if wanted in {_normalise(alias) for alias in aliases}:
            return _stamp(
                SkyCoord(row["ra"] * u.deg, row["dec"] * u.deg, frame="icrs"),
                "offline snapshot",
                f"bundled names table ({row['reference']})",
            )
    raise UnknownObjectError(
        f"name={name!r} is not in the offline table of known objects "
        f"({', '.join(table['name'])}); pass 'ra dec' in degrees instead, "
        "or resolve it with the network on"
    )


#: Sesame's plain-text answer gives the ICRS position on a line ``%J ra dec``.
_SESAME_POSITION = re.compile(r"^%J\s+([0-9.eE+-]+)\s+([0-9.eE+-]+)", re.M)


def _live(name: str, timeout: float) -> SkyCoord:
    """Ask Sesame (as astropy's client does) through the bounded VO session.

    astropy's own client reads with urllib and a per-read timeout only: a Sesame
    mirror that drip-feeds or floods its answer would hold the kernel.
    """
    urls = config.settings.endpoints.get("sesame") or sesame_url.get()
    session = timeout_session(timeout)
    failures: list[VOError] = []
    for base in [urls] if isinstance(urls, str) else urls:
        url = f"{base.rstrip('/')}/SNV?{quote(name)}"  # SIMBAD, then NED, then VizieR
        try:
            answer = session.get(url)
            answer.raise_for_status()
            text = answer.text
        except (requests.RequestException, VOError) as error:
            # Never None: requests' errors and VO errors are all mapped.
            failures.append(translate(error, service_name(url), timeout))
            continue
        where = (service_name(answer.url), answer.status_code, None)
        found = _SESAME_POSITION.search(text)
        if found is None:
            raise UnknownObjectError(f"Sesame does not know name={name!r}").answered(*where)
        ra, dec = float(found.group(1)), float(found.group(2))
        if not (math.isfinite(ra) and math.isfinite(dec) and 0 <= ra <= 360 and abs(dec) <= 90):
            raise MalformedResponseError(
                f"Sesame answered an impossible position: {ra} {dec}"
            ).answered(*where)
        return _stamp(SkyCoord(ra * u.deg, dec * u.deg, frame="icrs"), "live", "Sesame (CDS)")
    if len(failures) == 1:
        # Keep the type (it says which limit was hit); say that it was Sesame.
        only = failures[0]
        only.args = (f"Sesame name resolver: {only}",)
        raise only
    raise ServiceUnavailableError(
        "Sesame name resolver unreachable: " + "; ".join(map(str, failures))
    ).same_answer(failures[-1])


def _stamp(coord: SkyCoord, source: str, service: str) -> SkyCoord:
    coord.info.meta = {
        "source": source,
        "service": service,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return coord


def resolve(name: str, backend: str | None = None, timeout: float | None = None) -> SkyCoord:
    """Resolve an object name (or a ``"ra dec"`` string) to an ICRS SkyCoord.

    Parameters
    ----------
    name : str
        ``"M31"``, ``"Pleiades"``, ``"NGC 188"`` ... or ``"10.68 41.27"``.
    backend : str, optional
        ``live`` asks Sesame; ``offline`` and ``mirror`` use the bundled table (the
        mirror has no name resolver); ``auto`` asks Sesame with a short timeout and
        falls back to the bundled table when the network fails.
    timeout : float, optional
        Seconds allowed for Sesame.

    Returns
    -------
    SkyCoord
        With ``info.meta["source"]`` (``"live"`` or ``"offline snapshot"``).

    Raises
    ------
    UnknownObjectError
        When the name is unknown (to Sesame, or to the offline table).
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"name={name!r} must be a non-empty object name")
    chosen = config.check_backend(backend)
    try:
        coord = parse_center(name, resolver=None, argument="name")
        return _stamp(coord, "offline snapshot", "parsed coordinates")
    except InvalidInputError:
        pass  # not coordinates: a name
    if chosen in ("offline", "mirror"):
        return _offline(name)
    limit = config.settings.auto_live_timeout if chosen == "auto" else config.settings.timeout
    seconds = config.check_timeout(timeout, limit)
    if chosen == "auto" and config.live_paused("sesame"):
        coord = _offline(name)
        coord.info.meta["fallback_reason"] = config.pause_reason("Sesame")
        return coord
    try:
        return _live(name, seconds)
    except (ServiceUnavailableError, MalformedResponseError, ResponseTooLargeError) as error:
        config.pause_live("sesame", str(error))
        if chosen == "auto":
            coord = _offline(name)
            coord.info.meta["fallback_reason"] = str(error)
            return coord
        raise
