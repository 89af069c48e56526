"""Sky image cutouts: hips2fits (CDS, via astroquery) live; the bundled DSS image offline.

Examples
--------
>>> import astropy.units as u
>>> from astrolearn import vo
>>> image = vo.cutout("DSS2/red", "NGC 6819", 10 * u.arcmin, backend="offline")
>>> image[0].header["ALSOURCE"]
'offline snapshot'
"""

from __future__ import annotations

from datetime import UTC, datetime

import astropy.units as u
from astropy.coordinates import Angle, Latitude, Longitude
from astropy.io import fits
from astropy.nddata import Cutout2D, NoOverlapError
from astropy.wcs import WCS

from astrolearn import data
from astrolearn.vo import config
from astrolearn.vo.errors import EmptyResultError, InvalidInputError, ServiceUnavailableError
from astrolearn.vo.inputs import parse_center, parse_radius
from astrolearn.vo.resolve import resolve

OFFLINE_IMAGE = "dss_ngc6819"


def cutout(
    survey: str,
    center,
    fov: u.Quantity,
    pixels: int = 300,
    backend: str | None = None,
    timeout: float | None = None,
) -> fits.HDUList:
    """A square image of ``fov`` around ``center`` from the HiPS ``survey``.

    Parameters
    ----------
    survey : str
        HiPS identifier, e.g. ``"CDS/P/DSS2/red"`` or ``"DSS2/red"``.
    center : SkyCoord or str
        Position or object name.
    fov : astropy.units.Quantity
        Side of the square (at most 5 deg).
    pixels : int
        Image side in pixels (live only; offline keeps the DSS plate scale).
    backend : str, optional
        ``live`` (hips2fits), ``offline`` (the bundled DSS image of NGC 6819) or ``auto``.

    Returns
    -------
    astropy.io.fits.HDUList
        Primary HDU with a celestial WCS; header ``ALSOURCE`` says where it came from.
    """
    if not isinstance(survey, str) or not survey:
        raise InvalidInputError(f"survey={survey!r} must be a HiPS identifier such as 'DSS2/red'")
    if isinstance(pixels, bool) or not isinstance(pixels, int) or not 16 <= pixels <= 4000:
        raise InvalidInputError(f"pixels={pixels!r} must be an integer between 16 and 4000")
    chosen = config.check_backend(backend)
    position = parse_center(center, resolver=lambda name: resolve(name, backend=chosen))
    side = parse_radius(fov, argument="fov")
    failure = ""
    paused = chosen == "auto" and config.live_paused("hips2fits")
    if chosen == "live" or (chosen == "auto" and not paused):
        seconds = config.settings.auto_live_timeout if chosen == "auto" else timeout
        try:
            return _hips2fits(survey, position, side, pixels, config.check_timeout(seconds))
        except ServiceUnavailableError as error:
            config.pause_live("hips2fits")
            if chosen == "live":
                raise
            failure = str(error)
    if chosen == "mirror":
        failure = "the mirror serves no images"
    hdus = _offline(position, side)
    if failure:
        hdus[0].header["ALREASON"] = failure[:60]
    return hdus


def _hips2fits(survey, position, side, pixels, timeout) -> fits.HDUList:
    from astroquery.hips2fits import hips2fitsClass

    from astrolearn.vo.transport import timeout_session, translate

    # A fresh client, not astroquery's shared one, with the bounded session: the
    # deadline and byte limit of every VO call hold for images too.
    hips2fits = hips2fitsClass()
    hips2fits.timeout = timeout
    hips2fits._session = timeout_session(timeout)
    hips2fits.server = config.settings.endpoints.get("hips2fits", hips2fits.server)
    try:
        hdus = hips2fits.query(
            hips=survey,
            width=pixels,
            height=pixels,
            projection="TAN",
            ra=Longitude(position.ra),
            dec=Latitude(position.dec),
            fov=Angle(side),
            format="fits",
        )
    except Exception as error:
        translated = translate(error, "hips2fits", timeout)
        if translated is None:
            raise
        raise translated from error
    _stamp(hdus[0].header, "live", f"hips2fits {survey}")
    return hdus


def _offline(position, side) -> fits.HDUList:
    image = data.load_image(OFFLINE_IMAGE)
    wcs = WCS(image[0].header).celestial
    try:
        piece = Cutout2D(image[0].data, position, (side, side), wcs=wcs, mode="trim")
    except NoOverlapError:
        raise EmptyResultError(
            "offline, the only sky image is the DSS field of NGC 6819 "
            "(295.33, +40.19, about 0.5 deg wide); this position is outside it"
        ) from None
    header = image[0].header.copy()
    header.update(piece.wcs.to_header())
    hdus = fits.HDUList([fits.PrimaryHDU(piece.data, header=header)])
    _stamp(hdus[0].header, "offline snapshot", "bundled DSS image of NGC 6819")
    return hdus


def _stamp(header: fits.Header, source: str, service: str) -> None:
    header["ALSOURCE"] = (source, "astrolearn: where this image came from")
    header["ALSERVIC"] = (service[:60], "astrolearn: service or file")
    header["ALFETCH"] = (datetime.now(UTC).isoformat(timespec="seconds"), "UTC fetch time")
