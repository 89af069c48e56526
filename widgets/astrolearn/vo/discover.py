"""Find VO services in the IVOA Registry (pyvo.registry). Needs the internet.

There is no local registry: offline, or on the mirror, discovery fails with a message
that lists the named services that keep working (``astrolearn.vo.services``).

Examples
--------
>>> from astrolearn import vo
>>> vo.discover("gaia", backend="offline")   # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
OfflineUnavailableError: registry discovery needs the internet ...
"""

from __future__ import annotations

from datetime import UTC, datetime

from astropy.table import Table

from astrolearn.vo import config, services
from astrolearn.vo.errors import InvalidInputError, OfflineUnavailableError

SERVICE_TYPES = ("tap", "conesearch", "sia", "ssa")


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
    servicetype : {"tap", "conesearch", "sia", "ssa"}
        Kind of service wanted.

    Returns
    -------
    astropy.table.Table
        The RegTAP answer (``ivoid``, ``res_title``, ``access_urls``, ...) with
        ``meta["source"] == "live"``.
    """
    if not isinstance(keywords, str) or not keywords.strip():
        raise InvalidInputError(f"keywords={keywords!r} must be a non-empty string")
    if servicetype not in SERVICE_TYPES:
        raise InvalidInputError(f"servicetype={servicetype!r} must be one of {SERVICE_TYPES}")
    chosen = config.check_backend(backend)
    offline_message = (
        "registry discovery needs the internet (there is no local registry); the named "
        f"services keep working offline: {', '.join(services.SERVICES)}"
    )
    if chosen in ("offline", "mirror"):
        raise OfflineUnavailableError(offline_message)
    seconds = config.check_timeout(timeout)
    import pyvo

    from astrolearn.vo.transport import timeout_session, with_retries

    registry_url = config.settings.endpoints.get("registry") or (
        pyvo.registry.regtap.get_RegTAP_service_url()
    )

    def call():
        service = pyvo.dal.TAPService(registry_url, session=timeout_session(seconds))
        query = pyvo.registry.regtap.get_RegTAP_query(
            keywords=keywords.split(), servicetype=servicetype, service=service
        )
        return service.run_sync(query, maxrec=maxrec).to_table()

    try:
        table = with_retries(call, registry_url, seconds, 0 if chosen == "auto" else 1, 0.5)
    except Exception as error:
        if chosen == "auto":
            raise OfflineUnavailableError(f"{offline_message} ({error})") from error
        raise
    table.meta = {
        "source": "live",
        "service": registry_url,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return table
