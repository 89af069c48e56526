"""ADQL through TAP (pyvo), with timeouts, retries, MAXREC, cache and fallbacks.

``tap("gaia_dr3")`` follows the backend setting: ``live`` asks the ESA Gaia archive,
``mirror`` the local DaCHS mirror (same table and column names), ``auto`` tries live with
a short timeout and then the mirror. ADQL cannot run offline: with neither service
answering, the error says how to start the mirror. ``tap(url)`` talks to any TAP URL.

Examples
--------
>>> from astrolearn import vo
>>> service = vo.tap("gaia_dr3", backend="mirror")   # doctest: +SKIP
>>> stars = service.run("SELECT TOP 5 ra, dec FROM gaiadr3.gaia_source")  # doctest: +SKIP
>>> stars.meta["source"]   # doctest: +SKIP
'mirror'
"""

from __future__ import annotations

import time
import warnings
from datetime import UTC, datetime

import pyvo
from astropy.table import Table

from astrolearn.vo import cache, config, services
from astrolearn.vo.errors import (
    MIRROR_HINT,
    EmptyResultError,
    InvalidInputError,
    OfflineUnavailableError,
    ServiceUnavailableError,
    TruncatedResultError,
)
from astrolearn.vo.transport import timeout_session, with_retries


def _is_url(service: str) -> bool:
    return service.startswith(("http://", "https://"))


def source_of(url: str) -> str:
    """``"mirror"`` for the local mirror's URL, ``"live"`` for any other service."""
    return "mirror" if url.startswith(config.settings.mirror_url.rstrip("/")) else "live"


class TAP:
    """A TAP service chosen by name (with fallbacks) or by URL.

    Parameters
    ----------
    service : str
        A registry name (``"gaia_dr3"``, ``"simbad"``, ...) or a TAP base URL.
    backend : str, optional
        ``auto``, ``live``, ``mirror`` or ``offline`` (default: the session setting).
    timeout : float, optional
        Seconds per HTTP exchange (default: the session setting).
    """

    def __init__(self, service: str, backend: str | None = None, timeout: float | None = None):
        if not isinstance(service, str) or not service:
            raise InvalidInputError(f"service={service!r} must be a service name or a TAP URL")
        self.backend = config.check_backend(backend)
        self.timeout = config.check_timeout(timeout)
        self.service = service
        #: Why a live service was not asked (for ``meta["fallback_reason"]``).
        self.skipped: list[str] = []
        self.candidates = self._candidates(service)

    def _candidates(self, service: str) -> list[tuple[str, float, int]]:
        """(url, timeout, retries) to try in order."""
        settings = config.settings
        if _is_url(service):
            return [(service.rstrip("/"), self.timeout, settings.retries)]
        entry = services.get(service)
        live = settings.live_urls.get(service, entry.live_tap)
        mirror = config.mirror_tap_url() if entry.mirror_table else None
        if self.backend == "auto" and live and config.live_paused(live):
            # It failed moments ago: go straight to the mirror, and say so in the result.
            self.skipped.append(config.pause_reason(live))
            live = None
        plan = {
            "live": [(live, self.timeout, settings.retries)],
            "mirror": [(mirror, self.timeout, settings.retries)],
            "auto": [
                (live, min(self.timeout, settings.auto_live_timeout), 0),
                (mirror, self.timeout, 1),
            ],
            "offline": [],
        }[self.backend]
        return [step for step in plan if step[0]]

    def run(
        self,
        adql: str,
        maxrec: int | None = None,
        mode: str = "sync",
        uploads: dict | None = None,
        allow_truncated: bool = False,
        allow_empty: bool = False,
        use_cache: bool = True,
    ) -> Table:
        """Run ``adql`` and return an astropy Table.

        Parameters
        ----------
        adql : str
            The query.
        maxrec : int, optional
            Row limit asked of the service (default ``config.settings.maxrec``).
        mode : {"sync", "async"}
            Synchronous request, or an asynchronous (UWS) job for long queries.
        uploads : dict, optional
            Tables to upload, ``{"name": Table}``, usable as ``TAP_UPLOAD.name``.
        allow_truncated : bool
            Return a result cut at ``maxrec`` (with a warning) instead of raising
            :class:`TruncatedResultError`.
        allow_empty : bool
            Return an empty table instead of raising :class:`EmptyResultError`.
        use_cache : bool
            Answer identical earlier queries from the disk cache.

        Returns
        -------
        astropy.table.Table
            With ``meta["source"]`` (``"live"`` or ``"mirror"``), ``meta["service"]``,
            ``meta["fetched_at"]`` (UTC ISO time) and ``meta["query"]``.
        """
        if not isinstance(adql, str) or not adql.strip():
            raise InvalidInputError("adql must be a non-empty ADQL query string")
        if mode not in ("sync", "async"):
            raise InvalidInputError(f"mode={mode!r} must be 'sync' or 'async'")
        maxrec = config.check_maxrec(maxrec)
        if not self.candidates:
            raise OfflineUnavailableError(
                f"ADQL needs a TAP service, and the {self.backend!r} backend has none for "
                f"{self.service!r}. {MIRROR_HINT}"
            )
        failures: list[ServiceUnavailableError | str] = [*self.skipped]
        for url, timeout, retries in self.candidates:
            try:
                table = self._run_one(
                    url, timeout, retries, adql, maxrec, mode, uploads, use_cache
                )
            except ServiceUnavailableError as error:
                failures.append(error)
                continue
            if failures:
                table.meta["fallback_reason"] = "; ".join(map(str, failures))
            return _check(table, maxrec, allow_truncated, allow_empty)
        raise nothing_answered(failures, named=not _is_url(self.service))

    def _run_one(self, url, timeout, retries, adql, maxrec, mode, uploads, use_cache) -> Table:
        cache_key = cache.key(url, adql, maxrec) if use_cache and not uploads else None
        cached = cache.get(cache_key) if cache_key else None
        if cached is not None:
            return cached
        service = pyvo.dal.TAPService(url, session=timeout_session(timeout))

        def call():
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # overflow is reported by _check instead
                if mode == "async":
                    result = service.run_async(
                        adql, maxrec=maxrec, uploads=uploads, timeout=timeout
                    )
                else:
                    result = service.run_sync(adql, maxrec=maxrec, uploads=uploads)
                table = result.to_table()
            table.meta = {
                "source": source_of(url),
                "service": url,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "elapsed_s": round(time.perf_counter() - started, 3),
                "query": adql,
                "maxrec": maxrec,
                "truncated": str(result.status[0]).upper() == "OVERFLOW" or len(table) > maxrec,
                "cached": False,
            }
            return table

        try:
            table = with_retries(call, url, timeout, retries, config.settings.backoff)
        except ServiceUnavailableError as error:
            if source_of(url) == "live":
                config.pause_live(url, str(error))
            raise
        if cache_key and not table.meta["truncated"]:
            cache.put(cache_key, table)
        return table

    def tables(self) -> list[str]:
        """Names of the tables the first reachable service publishes."""
        for url, timeout, retries in self.candidates:
            service = pyvo.dal.TAPService(url, session=timeout_session(timeout))
            try:
                found = with_retries(
                    lambda s=service: [t.name for t in s.tables], url, timeout, retries, 0.2
                )
            except ServiceUnavailableError:
                continue
            return found
        raise OfflineUnavailableError(
            f"no TAP service answered for {self.service!r}. {MIRROR_HINT}"
        )


def nothing_answered(
    failures: list[ServiceUnavailableError | str], named: bool = True
) -> ServiceUnavailableError:
    """The error after every candidate service failed.

    For a named service (live, then mirror): :class:`OfflineUnavailableError`, as
    documented, with every reason and how to start the mirror. For an explicit URL: the
    service's own error (it names the service and the limit that was hit).
    """
    if not named and len(failures) == 1 and isinstance(failures[0], ServiceUnavailableError):
        return failures[0]
    error = OfflineUnavailableError(
        "no TAP service answered: " + "; ".join(map(str, failures)) + ". " + MIRROR_HINT
    )
    causes = [f for f in failures if isinstance(f, BaseException)]
    if causes:
        error.__cause__ = causes[-1]
        error.same_answer(causes[-1])
    return error


def _check(table: Table, maxrec: int, allow_truncated: bool, allow_empty: bool) -> Table:
    if table.meta.get("truncated"):
        message = (
            f"the result was cut at maxrec={maxrec} rows (the service has more); add TOP N or a "
            "tighter WHERE clause, raise maxrec, or pass allow_truncated=True"
        )
        if not allow_truncated:
            raise TruncatedResultError(message, table)
        warnings.warn(message, stacklevel=3)
    if len(table) == 0 and not allow_empty:
        raise EmptyResultError(
            f"the query matched no rows on {table.meta['service']} "
            f"({table.meta['source']}); pass allow_empty=True to get an empty table"
        )
    return table


def tap(service: str, backend: str | None = None, timeout: float | None = None) -> TAP:
    """A :class:`TAP` service by registry name or URL (see :class:`TAP`)."""
    return TAP(service, backend=backend, timeout=timeout)
