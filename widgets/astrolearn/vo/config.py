"""Settings shared by every VO call: backend, deadlines, byte limit, retries, MAXREC, mirror.

Settings are plain attributes of :data:`settings`; change them for a whole session or
pass ``backend=``/``timeout=`` per call. Environment variables set the start values, so
a classroom can be configured without touching notebooks:
``ASTROLEARN_VO_BACKEND``, ``ASTROLEARN_MIRROR_URL``, ``ASTROLEARN_VO_TIMEOUT``,
``ASTROLEARN_VO_MAX_BYTES``.

Every HTTP exchange with a VO service is bounded twice (see :mod:`astrolearn.vo.transport`):
``timeout`` is a wall-clock deadline from connecting to the last byte of the answer (not a
limit per socket read, which a service that drip-feeds its answer never trips), and
``max_bytes`` caps the answer's size counted after decompression.

Examples
--------
>>> from astrolearn.vo import config
>>> config.settings.backend in config.BACKENDS
True
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

from astrolearn.vo.errors import InvalidInputError

BACKENDS = ("auto", "live", "mirror", "offline")
DEFAULT_MIRROR_URL = "http://127.0.0.1:8080"
#: Default byte limit of one answer: 10,000 rows of all 152 Gaia DR3 columns as VOTable
#: TABLEDATA take about 32 MB (3.1 kB a row), so a default TAP query fits with room to spare.
DEFAULT_MAX_BYTES = 100_000_000


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


@dataclass
class Settings:
    """Session-wide VO settings.

    Attributes
    ----------
    backend : str
        One of ``auto``, ``live``, ``mirror``, ``offline``.
    mirror_url : str
        Base URL of the local mirror (DaCHS); its TAP endpoint is ``<mirror_url>/tap``.
    timeout : float
        Wall-clock seconds allowed for one HTTP exchange with a mirror or an explicit
        service, from connecting to the last byte of the answer (default 30). A call
        makes at most ``1 + retries`` exchanges.
    max_bytes : int
        Largest answer accepted from a service, in bytes after decompression (default
        100 MB); a bigger one raises :class:`~astrolearn.vo.errors.ResponseTooLargeError`.
    auto_live_timeout : float
        Shorter timeout for the live attempt in ``auto`` mode, so a dead WiFi costs
        seconds, not minutes, before the mirror or the offline snapshot answers.
    live_pause : float
        After a live service fails in ``auto`` mode, skip it for this many seconds, so
        that a lesson with twenty queries on a dead WiFi waits once, not twenty times.
    retries : int
        Extra attempts after a failure that may be transient (timeout, HTTP 5xx).
    backoff : float
        First wait between attempts in seconds, doubled each time.
    maxrec : int
        Default row limit asked of TAP services.
    live_urls : dict
        Overrides of the live TAP URLs of the named services (service name -> URL).
    endpoints : dict
        Overrides of the other live endpoints: ``"sesame"``, ``"xmatch"``,
        ``"hips2fits"``, ``"registry"`` (a RegTAP service), e.g. a workshop proxy.
    """

    backend: str = os.environ.get("ASTROLEARN_VO_BACKEND", "auto")
    mirror_url: str = os.environ.get("ASTROLEARN_MIRROR_URL", DEFAULT_MIRROR_URL)
    timeout: float = _env_float("ASTROLEARN_VO_TIMEOUT", 30.0)
    max_bytes: int = int(_env_float("ASTROLEARN_VO_MAX_BYTES", DEFAULT_MAX_BYTES))
    auto_live_timeout: float = 5.0
    live_pause: float = 60.0
    retries: int = 2
    backoff: float = 0.5
    maxrec: int = 10_000
    live_urls: dict = field(default_factory=dict)
    endpoints: dict = field(default_factory=dict)


settings = Settings()
_paused_until: dict[str, float] = {}
_pause_reasons: dict[str, str] = {}


def live_paused(endpoint: str) -> bool:
    """True while ``endpoint`` rests after a failure in ``auto`` mode."""
    return time.monotonic() < _paused_until.get(endpoint, 0.0)


def pause_live(endpoint: str, reason: str = "") -> None:
    """Skip ``endpoint`` in ``auto`` mode for ``settings.live_pause`` seconds."""
    _paused_until[endpoint] = time.monotonic() + settings.live_pause
    _pause_reasons[endpoint] = reason


def pause_reason(endpoint: str) -> str:
    """Why ``endpoint`` is skipped, for a result's ``meta["fallback_reason"]``."""
    reason = _pause_reasons.get(endpoint) or _pause_reasons.get(endpoint.lower()) or "no detail"
    return f"{endpoint} not asked (it failed moments ago: {reason})"


def resume_live() -> None:
    """Forget every pause (the network is back)."""
    _paused_until.clear()
    _pause_reasons.clear()


def check_backend(backend: str | None) -> str:
    """Return a valid backend name (the session default when ``backend`` is None)."""
    chosen = settings.backend if backend is None else backend
    if chosen not in BACKENDS:
        raise InvalidInputError(f"backend={chosen!r} is not one of {', '.join(BACKENDS)}")
    return chosen


#: Longest deadline accepted, in seconds: a day. Larger values (and ``inf``) would turn
#: the deadline off, and the layer promises that nothing hangs the kernel.
MAX_TIMEOUT = 86_400.0


def check_timeout(timeout: float | None, default: float | None = None) -> float:
    """Return a finite, positive deadline in seconds.

    ``timeout=math.inf`` is refused with a message rather than mapped to "wait forever":
    every VO call must end, so a caller who wants a long wait passes a number.

    Examples
    --------
    >>> check_timeout(2)
    2.0
    """
    value = (settings.timeout if default is None else default) if timeout is None else timeout
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError(f"timeout={timeout!r} must be a positive number of seconds")
    if not value <= MAX_TIMEOUT:
        raise InvalidInputError(
            f"timeout={timeout!r} is not allowed: every VO call has a finite wall-clock "
            f"deadline so that nothing hangs the kernel; pass at most {MAX_TIMEOUT:g} "
            "seconds (e.g. timeout=600 for a long asynchronous query)"
        )
    return float(value)


def check_max_bytes(max_bytes: int | None) -> int:
    """Return a positive byte limit (the session default when ``max_bytes`` is None)."""
    value = settings.max_bytes if max_bytes is None else max_bytes
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInputError(f"max_bytes={max_bytes!r} must be a positive integer")
    return value


def check_maxrec(maxrec: int | None) -> int:
    """Return a positive integer row limit."""
    value = settings.maxrec if maxrec is None else maxrec
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInputError(f"maxrec={maxrec!r} must be a positive integer")
    return value


def mirror_tap_url() -> str:
    """TAP endpoint of the local mirror."""
    return settings.mirror_url.rstrip("/") + "/tap"
