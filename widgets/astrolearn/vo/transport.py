"""Timeouts, bounded retries with backoff, and translation of pyvo/requests errors.

pyvo does the HTTP and VOTable work; this module only gives it a session whose every
request carries a timeout, retries transient failures a bounded number of times, and
turns the many low-level exceptions into the small :mod:`astrolearn.vo.errors` family.

Examples
--------
>>> session = timeout_session(5)
>>> session.timeout
5
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar
from xml.parsers.expat import ExpatError

import requests
from pyvo.dal import DALFormatError, DALQueryError, DALServiceError

from astrolearn.vo.errors import (
    ADQLError,
    MalformedResponseError,
    ServiceUnavailableError,
    VOError,
)

T = TypeVar("T")


class TimeoutSession(requests.Session):
    """A requests session that adds ``timeout`` to every request pyvo makes."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = "astrolearn-vo (pyvo)"

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, **kwargs)


def timeout_session(timeout: float) -> TimeoutSession:
    """A session whose every request times out after ``timeout`` seconds."""
    return TimeoutSession(timeout)


def translate(error: Exception, url: str, timeout: float) -> VOError | None:
    """Map a pyvo/requests/parser exception to an astrolearn VO error (None: a bug, re-raise)."""
    if isinstance(error, VOError):
        return error
    if isinstance(error, DALQueryError):
        return ADQLError(f"{url} rejected the query: {error}")
    cause = getattr(error, "cause", None) or error.__cause__ or error
    # pyvo wraps transport failures in its own classes (even DALFormatError): look at
    # the cause first.
    if isinstance(cause, requests.Timeout | TimeoutError):
        return ServiceUnavailableError(f"{url} did not answer within {timeout:g} s")
    if isinstance(cause, requests.exceptions.ChunkedEncodingError):
        return MalformedResponseError(f"{url} cut its answer off: {cause}")
    if isinstance(cause, requests.ConnectionError | ConnectionError):
        return ServiceUnavailableError(f"{url} is unreachable (connection failed: {cause})")
    if isinstance(error, DALServiceError):
        code = getattr(error, "code", None)
        if code is not None and int(code) >= 500:
            return ServiceUnavailableError(f"{url} answered HTTP {code}: {error}")
        if code is not None and int(code) == 400:
            return ADQLError(f"{url} rejected the query: {error}")
        return ServiceUnavailableError(f"{url} failed: {error}")
    if isinstance(error, DALFormatError | ExpatError | ValueError | IndexError | KeyError):
        return MalformedResponseError(f"{url} answered something that is not a VOTable: {error}")
    if isinstance(error, OSError):
        return ServiceUnavailableError(f"{url} failed: {error}")
    return None


def with_retries(
    call: Callable[[], T], url: str, timeout: float, retries: int, backoff: float
) -> T:
    """Run ``call``; retry only when the service looked unavailable, waiting with backoff.

    Query errors and malformed answers are not retried: asking again gets the same.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as error:
            translated = translate(error, url, timeout)
            if translated is None or translated is error:
                raise
            if not isinstance(translated, ServiceUnavailableError) or attempt >= retries:
                raise translated from error
        time.sleep(backoff * 2**attempt)
        attempt += 1
