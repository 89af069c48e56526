"""Find VO services in the IVOA Registry (pyvo.registry), live or on the mirror.

The live backend asks the public RegTAP registry. The local mirror holds a registry of
its own services (the RegTAP tables of :mod:`astrolearn.vo.mirror_registry`), so the
same pyvo query finds the mirror's cone, image and spectrum services with no internet.
Offline there is no registry: discovery fails with a message that lists the named
services that keep working (``astrolearn.vo.services``).

Examples
--------
>>> from astrolearn import vo
>>> vo.discover("gaia", backend="offline")   # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
OfflineUnavailableError: registry discovery needs the internet or the local mirror ...
>>> vo.discover("spectra", servicetype="ssa", backend="mirror")  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import UTC, datetime

from astropy.table import Table

from astrolearn.vo import config, services
from astrolearn.vo.errors import (
    InvalidInputError,
    OfflineUnavailableError,
    ServiceUnavailableError,
)
from astrolearn.vo.tap import source_of
from astrolearn.vo.transport import timeout_session, with_retries

SERVICE_TYPES = ("tap", "conesearch", "sia", "sia2", "ssa")


def discover(
    keywords: str,
    servicetype: str = "tap",
    backend: str | None = None,
    timeout: float | None = None,
    maxrec: int = 50,
) -> Table:
    """Services whose registry record matches ``keywords``.

    Parameters
    ----------
    keywords : str
        Words to look for, e.g. ``"gaia dr3"``.
    servicetype : {"tap", "conesearch", "sia", "sia2", "ssa"}
        Kind of service wanted (``sia2``: Simple Image Access version 2).
    backend : str, optional
        ``auto`` (live registry, then the mirror's), ``live``, ``mirror`` or ``offline``
        (which has no registry and raises :class:`OfflineUnavailableError`).

    Returns
    -------
    astropy.table.Table
        The RegTAP answer (``ivoid``, ``res_title``, ``access_urls``, ...; the access
        URLs of a resource joined by pyvo's separator) with ``meta["source"]``
        (``"live"`` or ``"mirror"``).
    """
    if not isinstance(keywords, str) or not keywords.strip():
        raise InvalidInputError(f"keywords={keywords!r} must be a non-empty string")
    if servicetype not in SERVICE_TYPES:
        raise InvalidInputError(f"servicetype={servicetype!r} must be one of {SERVICE_TYPES}")
    chosen = config.check_backend(backend)
    offline_message = (
        "registry discovery needs the internet or the local mirror (offline there is no "
        f"registry); the named services keep working offline: {', '.join(services.SERVICES)}"
    )
    if chosen == "offline":
        raise OfflineUnavailableError(offline_message)
    seconds = config.check_timeout(timeout)
    import pyvo

    live_url = config.settings.endpoints.get("registry") or (
        pyvo.registry.regtap.get_RegTAP_service_url()
    )
    plan = {
        "live": [(live_url, seconds, 1)],
        "mirror": [(config.mirror_tap_url(), seconds, 1)],
        "auto": [
            (live_url, min(seconds, config.settings.auto_live_timeout), 0),
            (config.mirror_tap_url(), seconds, 0),
        ],
    }[chosen]
    failures = []
    for url, seconds_one, retries in plan:
        try:
            table = with_retries(
                lambda u=url, s=seconds_one: _regtap(u, s, keywords, servicetype, maxrec),
                url,
                seconds_one,
                retries,
                0.5,
            )
        except ServiceUnavailableError as error:
            if chosen != "auto":
                raise
            failures.append(str(error))
            continue
        table.meta = {
            "source": source_of(url),
            "service": url,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return table
    raise OfflineUnavailableError(f"{offline_message} ({'; '.join(failures)})")


def _regtap(url: str, seconds: float, keywords: str, servicetype: str, maxrec: int) -> Table:
    """Run pyvo's RegTAP query for ``keywords`` and ``servicetype`` on the TAP service ``url``."""
    import pyvo

    service = pyvo.dal.TAPService(url, session=timeout_session(seconds))
    query = pyvo.registry.regtap.get_RegTAP_query(
        keywords=keywords.split(), servicetype=servicetype, service=service
    )
    return service.run_sync(query, maxrec=maxrec).to_table()
