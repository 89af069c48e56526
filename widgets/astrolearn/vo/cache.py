"""Disk cache of VO answers, so repeated queries (and a workshop room) need no network.

Identical queries (same service URL, query text and MAXREC) are answered from
``~/.cache/astrolearn/vo`` (or ``$ASTROLEARN_CACHE_DIR``). Fill it before a workshop with
:func:`prefill`; empty it with :func:`clear`. A cached table keeps its original
``meta["source"]`` and ``meta["fetched_at"]`` and gains ``meta["cached"] = True``.

Examples
--------
>>> from astrolearn.vo import cache
>>> cache.key("http://127.0.0.1:8080/tap", "SELECT 1", 10) == cache.key(
...     "http://127.0.0.1:8080/tap", "SELECT 1", 10)
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from astropy.table import Table

from astrolearn.vo.errors import CacheWriteWarning

enabled = os.environ.get("ASTROLEARN_VO_CACHE", "1") != "0"


def directory() -> Path:
    """Folder of the cache files."""
    base = os.environ.get("ASTROLEARN_CACHE_DIR")
    return Path(base) if base else Path.home() / ".cache" / "astrolearn" / "vo"


def key(url: str, query: str, maxrec: int) -> str:
    """Cache key of one query."""
    text = json.dumps([url.rstrip("/"), " ".join(query.split()), maxrec])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def get(cache_key: str) -> Table | None:
    """The cached table for ``cache_key``, or None."""
    path = directory() / f"{cache_key}.ecsv"
    if not enabled or not path.exists():
        return None
    try:
        table = Table.read(path, format="ascii.ecsv")
    except Exception:
        path.unlink(missing_ok=True)
        return None
    table.meta["cached"] = True
    return table


def put(cache_key: str, table: Table) -> None:
    """Store ``table``; any failure to write only warns (:class:`CacheWriteWarning`).

    The answer in hand is good, so a cache that cannot be written (read-only or full
    disk, no home folder, a column ECSV cannot hold) must not turn it into an error.
    """
    if not enabled:
        return
    partial = None
    try:
        path = directory() / f"{cache_key}.ecsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        table.write(partial, format="ascii.ecsv", overwrite=True)
        partial.replace(path)  # atomic: a reader never sees half a file
    except Exception as error:
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        warnings.warn(
            f"astrolearn VO cache not written ({type(error).__name__}: {error}); the "
            "result is fine. Set ASTROLEARN_CACHE_DIR to a writable folder, or "
            "ASTROLEARN_VO_CACHE=0 to turn the cache off",
            CacheWriteWarning,
            stacklevel=2,
        )


def clear() -> int:
    """Delete every cached answer; return how many files were removed."""
    removed = 0
    for path in directory().glob("*.ecsv"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def prefill(calls: Iterable[Callable[[], object]]) -> int:
    """Run query callables once so their answers land in the cache; return the count.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astrolearn import vo
    >>> query = "SELECT TOP 10 source_id FROM gaiadr3.gaia_source"
    >>> vo.cache.prefill([lambda: vo.tap("gaia_dr3").run(query)])  # doctest: +SKIP
    1
    """
    done = 0
    for call in calls:
        call()
        done += 1
    return done
