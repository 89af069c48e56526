"""Object names to positions: Sesame (CDS) live, a bundled table of SIMBAD values offline.

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

import re
from datetime import UTC, datetime

import astropy.units as u
from astropy.coordinates import SkyCoord
from astropy.coordinates.name_resolve import NameResolveError, sesame_url
from astropy.table import Table
from astropy.utils.data import conf as data_conf

from astrolearn.vo import config, services
from astrolearn.vo.errors import InvalidInputError, UnknownObjectError
from astrolearn.vo.inputs import parse_center


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


def _live(name: str, timeout: float) -> SkyCoord:
    # astropy's Sesame client reads its timeout from this setting.
    urls = config.settings.endpoints.get("sesame") or sesame_url.get()
    with data_conf.set_temp("remote_timeout", timeout), sesame_url.set(urls):
        coord = SkyCoord.from_name(name, frame="icrs", parse=False, cache=False)
    return _stamp(coord, "live", "Sesame (CDS)")


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
        return _offline(name)
    try:
        return _live(name, seconds)
    except NameResolveError as error:
        unreachable = "Unable to find coordinates" not in str(error)
        if unreachable:
            config.pause_live("sesame")
        if chosen == "auto" and unreachable:
            return _offline(name)
        if unreachable:
            from astrolearn.vo.errors import ServiceUnavailableError

            raise ServiceUnavailableError(f"Sesame name resolver unreachable: {error}") from None
        raise UnknownObjectError(f"Sesame does not know name={name!r}") from None
