"""Image search (SIA version 2) and spectrum search (SSA): live, on the mirror, offline.

A TAP or cone search answers with catalogue rows; an image or spectrum search answers
with a list of *data sets* (one row per image or spectrum, with its coverage and an
``access_url`` to download it). :func:`fetch` then downloads one. Both follow the
backend setting like :func:`astrolearn.vo.cone_search`: ``live`` asks a public service,
``mirror`` the local DaCHS mirror (which publishes the bundled image and spectrum),
``offline`` describes the bundled files themselves with the same columns, and ``auto``
tries them in that order. ``meta["source"]`` says which answered.

Examples
--------
>>> import astropy.units as u
>>> from astrolearn import vo
>>> images = vo.image_search("NGC 6819", 5 * u.arcmin, backend="offline")
>>> images["target_name"].tolist(), images.meta["source"]
(['NGC 6819'], 'offline snapshot')
>>> hdus = vo.fetch(images["access_url"][0])
>>> hdus[0].data.shape
(1024, 1024)
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS

from astrolearn import data
from astrolearn.vo import config
from astrolearn.vo.errors import (
    EmptyResultError,
    InvalidInputError,
    MalformedResponseError,
    OfflineUnavailableError,
    ServiceUnavailableError,
    clean,
)
from astrolearn.vo.inputs import parse_center, parse_radius
from astrolearn.vo.resolve import resolve
from astrolearn.vo.transport import service_name, timeout_session, with_retries

#: Public services asked by the ``live`` backend (override in ``config.settings.endpoints``
#: as ``"sia2"`` and ``"ssa"``). GAVO's data centre runs the same software as the mirror.
LIVE = {
    "sia2": "https://dc.g-vo.org/__system__/siap2/sitewide/siap2.xml",
    "ssa": None,  # no public SSA service holds the ALFALFA spectra: set one to use live SSA
}
#: The mirror's services, relative to ``config.settings.mirror_url``.
MIRROR_PATHS = {"sia2": "__system__/siap2/sitewide/siap2.xml", "ssa": "spectra/q/ssa/ssap.xml"}
#: The columns of an image search (ObsCore names, as SIA version 2 answers).
IMAGE_COLUMNS = (
    "obs_title",
    "target_name",
    "dataproduct_type",
    "s_ra",
    "s_dec",
    "s_fov",
    "em_min",
    "em_max",
    "facility_name",
    "access_format",
    "access_url",
)
#: The columns of a spectrum search (read from SSA's data-model fields).
SPECTRUM_COLUMNS = (
    "title",
    "target_name",
    "ra",
    "dec",
    "spec_start",
    "spec_end",
    "length",
    "format",
    "access_url",
)
#: The bundled spectra: dataset -> the DSS2 NIR band as SIA states it (m), for offline.
DSS2_NIR_BAND_M = (7.0e-7, 1.0e-6)
#: SSA Utypes of the spectral range and length (SSA 1.1 data model).
_SPECTRAL_UTYPES = {
    "spec_start": "ssa:Char.SpectralAxis.Coverage.Bounds.Start",
    "spec_end": "ssa:Char.SpectralAxis.Coverage.Bounds.Stop",
    "length": "ssa:Dataset.Length",
}


def _position(record) -> tuple[float, float]:
    """Where the spectrum was taken (its location, else its target's position)."""
    for utype in ("ssa:Char.SpatialAxis.Coverage.Location.Value", "ssa:Target.Pos"):
        value = record.getbyutype(utype)
        if value is not None and len(value) == 2:
            return _number(value[0]), _number(value[1])
    return float("nan"), float("nan")


def _number(value) -> float:
    """A float, NaN for a missing or masked value."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def image_search(
    center, radius: u.Quantity, backend: str | None = None, timeout: float | None = None
) -> Table:
    """Images that overlap a circle on the sky (SIA version 2).

    Parameters
    ----------
    center : SkyCoord or str
        Position or object name.
    radius : astropy.units.Quantity
        Radius of the circle (at most 5 deg).
    backend : str, optional
        ``auto``, ``live``, ``mirror`` or ``offline``.
    timeout : float, optional
        Seconds per HTTP exchange.

    Returns
    -------
    astropy.table.Table
        One row per image, with the ObsCore columns of :data:`IMAGE_COLUMNS`
        (``s_fov`` in degrees, ``em_min``/``em_max`` wavelengths in metres) and
        ``meta["source"]``; ``access_url`` is what :func:`fetch` downloads.
    """
    return _search("sia2", center, radius, backend, timeout)


def spectrum_search(
    center, radius: u.Quantity, backend: str | None = None, timeout: float | None = None
) -> Table:
    """Spectra of targets inside a circle on the sky (SSA).

    Parameters
    ----------
    center : SkyCoord or str
        Position or object name.
    radius : astropy.units.Quantity
        Radius of the circle (at most 5 deg).
    backend : str, optional
        ``auto``, ``live``, ``mirror`` or ``offline``.
    timeout : float, optional
        Seconds per HTTP exchange.

    Returns
    -------
    astropy.table.Table
        One row per spectrum with the columns of :data:`SPECTRUM_COLUMNS`
        (``spec_start``/``spec_end``: wavelengths in metres, as SSA states them) and
        ``meta["source"]``; ``access_url`` is what :func:`fetch` downloads.
    """
    return _search("ssa", center, radius, backend, timeout)


def fetch(access_url: str, timeout: float | None = None) -> fits.HDUList:
    """Download one image or spectrum found by a search, as a FITS HDUList.

    ``file://`` URLs (the offline backend's) are read from the disk.
    """
    if not isinstance(access_url, str) or "://" not in access_url:
        raise InvalidInputError(f"access_url={access_url!r} must be a URL from a search result")
    if access_url.startswith("file://"):
        return fits.open(Path(access_url.removeprefix("file://")))
    seconds = config.check_timeout(timeout)
    session = timeout_session(seconds)

    def call():
        answer = session.get(access_url)
        answer.raise_for_status()
        return answer

    answer = with_retries(
        call, access_url, seconds, config.settings.retries, config.settings.backoff
    )
    try:
        return fits.HDUList.fromstring(answer.content)
    except (OSError, ValueError) as error:
        raise MalformedResponseError(
            f"{access_url} did not answer a FITS file: {clean(error)}"
        ).answered(service_name(answer.url), answer.status_code, None) from None


def _search(kind, center, radius, backend, timeout) -> Table:
    chosen = config.check_backend(backend)
    position = parse_center(center, resolver=lambda name: resolve(name, backend=chosen))
    circle = parse_radius(radius)
    seconds = config.check_timeout(timeout)
    live = config.settings.endpoints.get(kind, LIVE[kind])
    mirror = f"{config.settings.mirror_url.rstrip('/')}/{MIRROR_PATHS[kind]}"
    live_rests = chosen == "auto" and bool(live) and config.live_paused(live)
    plan = {
        "live": [(live, seconds, config.settings.retries)],
        "mirror": [(mirror, seconds, config.settings.retries)],
        "auto": [
            (None if live_rests else live, config.settings.auto_live_timeout, 0),
            (mirror, seconds, 1),
        ],
        "offline": [],
    }[chosen]
    failures = [config.pause_reason(live)] if live_rests else []
    for url, seconds_one, retries in plan:
        if url is None:
            if chosen == "live":
                raise OfflineUnavailableError(
                    f"no live {kind.upper()} service is set: "
                    f"config.settings.endpoints[{kind!r}] = <URL>"
                )
            continue
        try:
            table = with_retries(
                lambda u=url, s=seconds_one: _ask(kind, u, position, circle, s),
                url,
                seconds_one,
                retries,
                config.settings.backoff,
            )
        except ServiceUnavailableError as error:
            if url == live:
                config.pause_live(url, str(error))
            if chosen != "auto":
                raise
            failures.append(str(error))
            continue
        return _finish(table, "mirror" if url == mirror else "live", url, kind, failures)
    table = _offline(kind, position, circle)
    if failures:
        table.meta["fallback_reason"] = "; ".join(failures)
    return table


def _ask(kind, url, position, circle, seconds) -> Table:
    import pyvo

    session = timeout_session(seconds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DaCHS capabilities carry elements pyvo skips
        if kind == "sia2":
            results = pyvo.dal.SIA2Service(url, session=session).search(pos=(position, circle))
            table = results.to_table()
            return Table({name: table[name] for name in IMAGE_COLUMNS if name in table.colnames})
        results = pyvo.dal.SSAService(url, session=session).search(
            pos=position, diameter=2 * circle
        )
    rows = []
    for record in results:
        ra, dec = _position(record)
        row = {
            "title": str(record.title),
            "target_name": str(record.getbyutype("ssa:Target.Name", "", decode=True)),
            "ra": ra,
            "dec": dec,
            "format": str(record.format),
            "access_url": str(record.getdataurl()),
        }
        for column, utype in _SPECTRAL_UTYPES.items():
            row[column] = _number(record.getbyutype(utype))
        rows.append(row)
    return Table(rows=rows, names=SPECTRUM_COLUMNS) if rows else Table(names=SPECTRUM_COLUMNS)


def _finish(table: Table, source: str, service: str, kind: str, failures: list[str]) -> Table:
    if len(table) == 0:
        what = "images" if kind == "sia2" else "spectra"
        raise EmptyResultError(f"no {what} on {service} ({source}) overlap the search circle")
    _units(table, kind)
    table.meta = {
        "source": source,
        "service": service,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if failures:  # the mirror answered because the live service did not
        table.meta["fallback_reason"] = "; ".join(failures)
    return table


def _units(table: Table, kind: str) -> None:
    units = (
        {"s_ra": u.deg, "s_dec": u.deg, "s_fov": u.deg, "em_min": u.m, "em_max": u.m}
        if kind == "sia2"
        else {"ra": u.deg, "dec": u.deg, "spec_start": u.m, "spec_end": u.m}
    )
    for name, unit in units.items():
        if name in table.colnames:
            table[name].unit = unit


def local_images() -> Table:
    """The bundled images described with the columns of an image search."""
    from astrolearn.vo import mirror_products

    rows = []
    for name, target in mirror_products.IMAGES.items():
        with data.load_image(name) as hdus:
            header = hdus[0].header
            wcs = WCS(header).celestial
            ny, nx = hdus[0].data.shape
        centre = wcs.pixel_to_world((nx - 1) / 2, (ny - 1) / 2)
        scale_deg = np.abs(wcs.proj_plane_pixel_scales()[0].to_value(u.deg))
        rows.append(
            {
                "obs_title": f"DSS2 near-infrared image of {target}",
                "target_name": target,
                "dataproduct_type": "image",
                "s_ra": float(centre.ra.deg),
                "s_dec": float(centre.dec.deg),
                # s_fov as DaCHS states it: the larger side of the image.
                "s_fov": float(max(nx, ny) * scale_deg),
                "em_min": DSS2_NIR_BAND_M[0],
                "em_max": DSS2_NIR_BAND_M[1],
                "facility_name": "Palomar Oschin Schmidt (DSS2)",
                "access_format": "image/fits",
                "access_url": data.path(name).as_uri(),
            }
        )
    return Table(rows=rows, names=IMAGE_COLUMNS)


def local_spectra() -> Table:
    """The bundled spectra described with the columns of a spectrum search."""
    from astrolearn.vo import mirror_products

    rows = []
    for name in mirror_products.SPECTRA:
        with mirror_products.spectrum_hdus(name) as hdus:
            header = hdus[0].header
            rows.append(
                {
                    "title": f"ALFALFA H I spectrum of {header['OBJECT']}",
                    "target_name": header["OBJECT"],
                    "ra": float(header["RA"]),
                    "dec": float(header["DEC"]),
                    "spec_start": float(header["SPECSTRT"]),
                    "spec_end": float(header["SPECEND"]),
                    "length": float(header["CHAN"]),
                    "format": "application/fits",
                    "access_url": data.path(name).as_uri(),
                }
            )
    return Table(rows=rows, names=SPECTRUM_COLUMNS)


def _offline(kind, position, circle) -> Table:
    if kind == "sia2":
        table = local_images()
        # An image overlaps the circle when their centres are closer than the sum of
        # their radii (the image taken as the circle of its field of view).
        reach = np.asarray(table["s_fov"]) / 2 + circle.to_value(u.deg)
        where = SkyCoord(table["s_ra"], table["s_dec"], unit="deg")
        what, coverage = "images", "NGC 6819 (295.33, +40.19; about 0.67 deg wide)"
    else:
        table = local_spectra()
        reach = np.full(len(table), circle.to_value(u.deg))
        where = SkyCoord(table["ra"], table["dec"], unit="deg")
        what, coverage = "spectra", "the galaxy AGC 100051 (2.004, +14.840)"
    table = table[where.separation(position).deg <= reach]
    if len(table) == 0:
        raise EmptyResultError(
            f"offline, there are no bundled {what} within {circle} of "
            f"({position.ra.deg:.4f}, {position.dec.deg:+.4f}); the bundled {what}: {coverage}"
        )
    _units(table, kind)
    table.meta = {
        "source": "offline snapshot",
        "service": f"bundled {what}",
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return table


__all__ = ["fetch", "image_search", "local_images", "local_spectra", "spectrum_search"]
