"""Virtual Observatory access that keeps working when the network does not.

Name resolution, cone search, ADQL/TAP, cross-match, image cutouts, image (SIA) and
spectrum (SSA) search, and registry discovery over pyvo and astroquery, with three
backends: ``live`` (public services), ``mirror`` (the local DaCHS server of
``astrolearn mirror start``) and ``offline`` (the bundled datasets). The default
``auto`` tries them in that order. Every result says where it came from in
``meta["source"]``.

Examples
--------
>>> import astropy.units as u
>>> from astrolearn import vo
>>> stars = vo.cone_search("gaia_dr3", "Pleiades", 0.2 * u.deg, backend="offline")
>>> stars.meta["source"]
'offline snapshot'
"""

from __future__ import annotations

from astrolearn.vo import cache, config
from astrolearn.vo.cone import cone_search
from astrolearn.vo.cutout import cutout
from astrolearn.vo.datasets import fetch, image_search, spectrum_search
from astrolearn.vo.discover import discover
from astrolearn.vo.errors import (
    ADQLError,
    CacheWriteWarning,
    DeadlineExceededError,
    EmptyResultError,
    InvalidInputError,
    MalformedResponseError,
    OfflineUnavailableError,
    PartialCoverageWarning,
    ResponseTooLargeError,
    ServiceUnavailableError,
    TruncatedResultError,
    UnknownObjectError,
    UnknownServiceError,
    VOError,
    VOWarning,
)
from astrolearn.vo.resolve import known_objects, resolve
from astrolearn.vo.tap import TAP, tap
from astrolearn.vo.xmatch import xmatch

__all__ = [
    "TAP",
    "ADQLError",
    "CacheWriteWarning",
    "DeadlineExceededError",
    "EmptyResultError",
    "InvalidInputError",
    "MalformedResponseError",
    "OfflineUnavailableError",
    "PartialCoverageWarning",
    "ResponseTooLargeError",
    "ServiceUnavailableError",
    "TruncatedResultError",
    "UnknownObjectError",
    "UnknownServiceError",
    "VOError",
    "VOWarning",
    "cache",
    "cone_search",
    "config",
    "cutout",
    "discover",
    "fetch",
    "image_search",
    "known_objects",
    "resolve",
    "spectrum_search",
    "tap",
    "xmatch",
]
