"""One small exception hierarchy for every VO call.

Every error a lesson can meet derives from :class:`VOError`, so a notebook can catch
them all at once, while each subclass says precisely what went wrong and what to do.

Examples
--------
>>> from astrolearn.vo import errors
>>> issubclass(errors.ADQLError, errors.VOError)
True
"""

from __future__ import annotations

import unicodedata
from typing import Self

#: Longest service reason kept, in characters: enough for a parser's complaint about a
#: query, short enough that a hostile service cannot bury the message under its text.
REASON_CHARS = 300
#: Longest URL kept in an error (a redirect may point anywhere).
URL_CHARS = 200

MIRROR_HINT = (
    "Start the local VO mirror with `astrolearn mirror start` "
    "(it needs GAVO DaCHS; see the astrolearn.vo README)."
)


def clean(text: object, limit: int = REASON_CHARS) -> str | None:
    """``text`` safe to quote in a message: one line, printable, at most ``limit`` chars.

    A service chooses its reason freely, so it may hold newlines, terminal escapes,
    bidirectional overrides or megabytes: every control or format character becomes a
    space, runs of spaces become one, and a longer text is cut with an ellipsis.
    Double quotes become single ones, so the quoted reason cannot seem to end early.
    None or an empty result gives None.

    Examples
    --------
    >>> clean('line one\\n\\x1b[31mline "two"')
    "line one [31mline 'two'"
    """
    if text is None:
        return None
    kept = "".join(
        " " if unicodedata.category(char)[0] in "CZ" else char for char in str(text)[: 4 * limit]
    )
    words = " ".join(kept.split()).replace('"', "'")
    if len(words) > limit:
        words = words[: limit - 1].rstrip() + "\u2026"
    return words or None


class VOError(Exception):
    """Base class of every astrolearn VO error.

    An error raised after a service was asked says which answer it was about, both in
    its message (after the first sentence, which is always astrolearn's own) and as
    attributes; each is None when unknown (no service was asked, or no answer came).

    Attributes
    ----------
    url : str or None
        The URL that answered, after redirects, without its query string.
    status : int or None
        The HTTP status of that answer; None when no HTTP answer arrived.
    reason : str or None
        The service's own words (a VOTable or DALI error message, a plain-text body's
        first line, or the HTTP reason phrase), cleaned by :func:`clean`.
    """

    url: str | None = None
    status: int | None = None
    reason: str | None = None

    def answered(self, url: str | None, status: int | None, reason: str | None) -> Self:
        """Record the service's answer and state it after the message; returns ``self``."""
        self.url = clean(url, URL_CHARS)
        self.status = status
        self.reason = clean(reason)
        said = [f"HTTP {status}" if status is not None else "no HTTP answer"]
        if self.url:
            said.append(f"from {self.url}")
        details = " ".join(said)
        if self.reason:
            details += f'; the service said: "{self.reason}"'
        message = str(self.args[0]) if self.args else ""
        self.args = (f"{message} [{details}]", *self.args[1:])
        return self

    def same_answer(self, other: VOError) -> Self:
        """Take ``other``'s answer as attributes, for an error whose message quotes it."""
        self.url, self.status, self.reason = other.url, other.status, other.reason
        return self


class InvalidInputError(VOError, ValueError):
    """A coordinate, radius, name or option is not valid; the message names the argument."""


class UnknownObjectError(VOError, LookupError):
    """A name could not be resolved to a position."""


class UnknownServiceError(VOError, LookupError):
    """A catalog or service name is not in the registry of named services."""


class ServiceUnavailableError(VOError, ConnectionError):
    """The service is down, refused the connection, answered an HTTP error or was too slow."""


class ADQLError(VOError):
    """The server rejected the ADQL query; the message quotes the server."""


class MalformedResponseError(VOError):
    """The server answered something that is not a valid VOTable (truncated, not XML...)."""


class EmptyResultError(VOError, LookupError):
    """The query ran but matched no rows."""


class TruncatedResultError(VOError):
    """The result hit the MAXREC row limit, so rows are missing.

    Attributes
    ----------
    table : astropy.table.Table or None
        The truncated rows, for a caller who wants them anyway.
    """

    def __init__(self, message: str, table=None):
        super().__init__(message)
        self.table = table


class OfflineUnavailableError(ServiceUnavailableError):
    """The request needs a live service or the mirror, and neither answered."""


class DeadlineExceededError(ServiceUnavailableError):
    """A service did not deliver its whole answer within the call's wall-clock deadline.

    Attributes
    ----------
    service : str
        The URL asked (without its query string).
    limit : float
        The deadline in seconds (``timeout=`` or ``config.settings.timeout``).
    """

    def __init__(self, message: str, service: str = "", limit: float = 0.0):
        super().__init__(message)
        self.service = service
        self.limit = limit


class ResponseTooLargeError(VOError):
    """A service sent more bytes (after decompression) than the byte limit allows.

    Attributes
    ----------
    service : str
        The URL asked (without its query string).
    limit : int
        The byte limit (``config.settings.max_bytes``).
    """

    def __init__(self, message: str, service: str = "", limit: int = 0):
        super().__init__(message)
        self.service = service
        self.limit = limit


class VOWarning(UserWarning):
    """Base class of the warnings of the VO layer (a result came back, with a caveat)."""


class PartialCoverageWarning(VOWarning):
    """A cone reaches beyond the area the offline snapshot covers: sources are missing."""


class CacheWriteWarning(VOWarning):
    """An answer could not be stored in the disk cache (the answer itself is fine)."""
