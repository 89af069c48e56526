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

MIRROR_HINT = (
    "Start the local VO mirror with `astrolearn mirror start` "
    "(it needs GAVO DaCHS; see the astrolearn.vo README)."
)


class VOError(Exception):
    """Base class of every astrolearn VO error."""


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
