"""Positional cross-match: every pair closer than a radius, with the distance ``angDist``.

Against a local table (or offline) astropy's KD-tree (``search_around_sky``) does the
work; against a named catalog, CDS XMatch (astroquery) answers live and a TAP upload
join answers on the mirror. All return the same shape: the input row's columns, the
catalog's columns (suffixed ``_2`` on clashes) and ``angDist`` in arcsec, as CDS XMatch.

Examples
--------
>>> import astropy.units as u
>>> from astropy.table import Table
>>> from astrolearn import vo
>>> mine = Table({"ra": [56.75], "dec": [24.12]})
>>> pairs = vo.xmatch(mine, Table({"ra": [56.7501], "dec": [24.12]}), 1 * u.arcsec)
>>> round(float(pairs["angDist"][0]), 3)
0.329
"""

from __future__ import annotations

from datetime import UTC, datetime

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord, search_around_sky
from astropy.table import Table, hstack

from astrolearn.vo import config, services
from astrolearn.vo.errors import (
    InvalidInputError,
    MalformedResponseError,
    ServiceUnavailableError,
)
from astrolearn.vo.inputs import parse_radius
from astrolearn.vo.tap import TAP

MAX_XMATCH_RADIUS = 1 * u.arcmin


def _coords(table: Table, ra: str, dec: str, argument: str) -> SkyCoord:
    if not isinstance(table, Table):
        raise InvalidInputError(f"{argument} must be an astropy Table, not {type(table).__name__}")
    missing = [name for name in (ra, dec) if name not in table.colnames]
    if missing:
        raise InvalidInputError(
            f"{argument} has no column {missing[0]!r} (columns: {', '.join(table.colnames)}); "
            "pass ra=/dec= with the names of its position columns (degrees)"
        )
    ra_deg = np.asarray(table[ra], float)
    dec_deg = np.asarray(table[dec], float)
    return SkyCoord(ra_deg * u.deg, dec_deg * u.deg, frame="icrs")


def match_local(
    table: Table,
    catalog: Table,
    radius: u.Quantity,
    ra="ra",
    dec="dec",
    cat_ra="ra",
    cat_dec="dec",
) -> Table:
    """All pairs within ``radius`` between two local tables (KD-tree), nearest first per row."""
    left = _coords(table, ra, dec, "table")
    right = _coords(catalog, cat_ra, cat_dec, "catalog")
    known_left = np.flatnonzero(np.isfinite(left.ra.deg) & np.isfinite(left.dec.deg))
    known_right = np.flatnonzero(np.isfinite(right.ra.deg) & np.isfinite(right.dec.deg))
    i, j, sep, _ = search_around_sky(left[known_left], right[known_right], radius)
    i, j = known_left[i], known_right[j]
    order = np.lexsort((sep.arcsec, i))
    # The two tables' meta are not merged (``_stamp`` gives the pairs their own): two
    # sources would otherwise warn on every match, and the warning show in the lessons.
    pairs = hstack(
        [table[i[order]], catalog[j[order]]],
        table_names=["", "2"],
        uniq_col_name="{col_name}_{table_name}",
        metadata_conflicts="silent",
    )
    pairs = _tidy_names(pairs)
    pairs["angDist"] = sep.arcsec[order] * u.arcsec
    return pairs


def _tidy_names(pairs: Table) -> Table:
    for name in pairs.colnames:
        if name.endswith("_"):  # left-table clashes keep their own name
            pairs.rename_column(name, name[:-1])
    return pairs


def xmatch(
    table: Table,
    catalog,
    radius: u.Quantity,
    backend: str | None = None,
    ra: str = "ra",
    dec: str = "dec",
    timeout: float | None = None,
) -> Table:
    """Cross-match ``table`` with ``catalog`` within ``radius``.

    Parameters
    ----------
    table : astropy.table.Table
        Your sources, with positions in degrees (ICRS) in columns ``ra``/``dec``.
    catalog : astropy.table.Table or str
        A local table (matched here), or a named service (``"gaia_dr3"``, ``"twomass"``).
    radius : astropy.units.Quantity
        Match radius, at most 1 arcmin (e.g. ``1 * u.arcsec``).
    backend : str, optional
        For a named catalog: ``live`` (CDS XMatch), ``mirror`` (TAP upload to the local
        mirror), ``offline`` (the bundled snapshot) or ``auto`` (in that order).

    Returns
    -------
    astropy.table.Table
        One row per pair, with ``angDist`` (arcsec) and ``meta["source"]``.
    """
    match_radius = parse_radius(radius, maximum=MAX_XMATCH_RADIUS)
    _coords(table, ra, dec, "table")
    if isinstance(catalog, Table):
        pairs = match_local(table, catalog, match_radius, ra, dec)
        return _stamp(pairs, "local", "astropy search_around_sky")
    entry = services.get(catalog)
    chosen = config.check_backend(backend)
    failures = []
    steps = {"live": ["live"], "mirror": ["mirror"], "offline": [], "auto": ["live", "mirror"]}
    for step in steps[chosen]:
        try:
            if step == "live" and entry.xmatch_id and not _paused(chosen, "xmatch"):
                seconds = config.settings.auto_live_timeout if chosen == "auto" else timeout
                return _cds_xmatch(table, entry, match_radius, ra, dec, seconds)
            if step == "mirror" and entry.mirror_table:
                return _tap_upload(table, entry, match_radius, ra, dec, timeout)
        except ServiceUnavailableError as error:
            if step == "live":
                config.pause_live("xmatch")
            if chosen != "auto":
                raise
            failures.append(str(error))
    if chosen != "auto" and chosen != "offline":
        raise ServiceUnavailableError(
            f"{catalog!r} cannot be cross-matched with backend={chosen!r}"
        )
    pairs = match_local(table, entry.local(), match_radius, ra, dec, entry.ra, entry.dec)
    pairs = _stamp(pairs, "offline snapshot", f"bundled {entry.name} snapshot")
    if failures:
        pairs.meta["fallback_reason"] = "; ".join(failures)
    return pairs


def _paused(backend: str, endpoint: str) -> bool:
    return backend == "auto" and config.live_paused(endpoint)


def _positions(table: Table, ra: str, dec: str) -> Table:
    return Table(
        {
            "in_row": np.arange(len(table)),
            "ra": np.asarray(table[ra], float),
            "dec": np.asarray(table[dec], float),
        }
    )


def _join_back(table: Table, found: Table) -> Table:
    rows = np.asarray(found["in_row"], int)
    found.remove_column("in_row")
    pairs = hstack(
        [table[rows], found],
        table_names=["", "2"],
        uniq_col_name="{col_name}_{table_name}",
        metadata_conflicts="silent",  # as for local pairs
    )
    return _tidy_names(pairs)


def _tap_upload(table, entry, radius, ra, dec, timeout) -> Table:
    """Cross-match by uploading positions to the mirror's TAP and joining there."""
    r = float(radius.to_value(u.deg))
    point = "POINT('ICRS', c.ra, c.dec)"
    adql = (
        f"SELECT u.in_row, c.*, DISTANCE({point}, POINT('ICRS', u.ra, u.dec)) * 3600 AS angDist "
        f"FROM TAP_UPLOAD.mine AS u JOIN {entry.mirror_table} AS c "
        f"ON 1 = CONTAINS({point}, CIRCLE('ICRS', u.ra, u.dec, {r!r})) ORDER BY u.in_row, angDist"
    )
    service = TAP(config.mirror_tap_url(), timeout=timeout)
    found = service.run(
        adql,
        maxrec=max(10 * len(table), 1000),
        uploads={"mine": _positions(table, ra, dec)},
        allow_empty=True,
    )
    meta = dict(found.meta)
    if "angdist" in found.colnames:
        found.rename_column("angdist", "angDist")
    if "angDist" not in found.colnames or "in_row" not in found.colnames:
        raise MalformedResponseError(f"{service.service} did not answer the cross-match query")
    found["angDist"].unit = u.arcsec
    pairs = _join_back(table, found)
    pairs.meta = meta
    return pairs


def _cds_xmatch(table, entry, radius, ra, dec, timeout) -> Table:
    """Cross-match with CDS XMatch (astroquery) against the live catalog."""
    from astroquery.xmatch import XMatch

    from astrolearn.vo.transport import timeout_session, translate

    service = XMatch()
    service.TIMEOUT = config.check_timeout(timeout)
    service.URL = config.settings.endpoints.get("xmatch", service.URL)
    # astroquery's table-list request carries no timeout: give its session one.
    service._session = timeout_session(service.TIMEOUT)
    try:
        # XMatch lists thousands of VizieR tables; a short list means a broken answer
        # (astroquery does not check the HTTP status of this request).
        available = service.get_available_tables(cache=False)
        if len(available) < 10:
            raise ServiceUnavailableError(f"CDS XMatch at {service.URL} lists no catalogs")
        found = service.query(
            cat1=_positions(table, ra, dec),
            cat2=entry.xmatch_id,
            max_distance=radius,
            colRA1="ra",
            colDec1="dec",
            cache=False,
        )
    except Exception as error:
        translated = translate(error, "CDS XMatch", service.TIMEOUT)
        if translated is None:
            raise
        raise translated from error
    found.remove_columns([c for c in ("ra", "dec") if c in found.colnames])
    return _stamp(_join_back(table, found), "live", "CDS XMatch")


def _stamp(pairs: Table, source: str, service: str) -> Table:
    pairs.meta = {
        "source": source,
        "service": service,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return pairs
