"""Send a table to TOPCAT, Aladin desktop or any SAMP client, with a timeout on every call.

SAMP's Standard Profile is XML-RPC to the hub named in the lockfile (``~/.samp`` or
``$SAMP_HUB``). pyvo's client (like astropy's) calls the hub without a timeout, even
when it only checks that the hub runs, so a frozen hub (TOPCAT stopped in a debugger,
a stale lockfile whose port another program now holds) hung the kernel. This module
speaks the few messages it needs itself (register, declareMetadata, notifyAll,
unregister) over a transport with a socket timeout, and keeps pyvo's XXE-safe parser.

Sent tables are files (SAMP passes references, not data): they live in one folder per
process, removed when Python exits; only the last :data:`KEEP_FILES` are kept, since a
receiving client reads a file soon after the notification.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import shutil
import tempfile
import xmlrpc.client
from pathlib import Path
from urllib.parse import unquote, urlsplit

from astropy.table import Table
from pyvo.samp.utils import get_safe_parser

from ._table_view import table_bytes

#: Seconds allowed for each call to the hub.
TIMEOUT = 5.0
#: Sent tables kept on disk at once (older ones are removed as new ones are sent).
KEEP_FILES = 10
_folder: Path | None = None
_counter = itertools.count(1)


class _TimeoutTransport(xmlrpc.client.Transport):
    """XML-RPC over HTTP with a socket timeout and pyvo's XXE-safe parser."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection

    def getparser(self):
        return get_safe_parser(self._use_datetime, self._use_builtin_types)


def _lockfile() -> Path:
    """The Standard Profile lockfile: ``$SAMP_HUB`` (std-lockurl:) or ``~/.samp``."""
    named = os.environ.get("SAMP_HUB")
    if not named:
        return Path.home() / ".samp"
    if not named.startswith("std-lockurl:"):
        raise ConnectionError(f"SAMP_HUB={named!r}: only std-lockurl: hubs are supported")
    url = named.removeprefix("std-lockurl:")
    parts = urlsplit(url)
    if parts.scheme not in ("", "file"):
        # A remote lockfile would be one more network read without a deadline.
        raise ConnectionError(f"SAMP_HUB={named!r}: only a local lockfile is supported")
    return Path(unquote(parts.path) if parts.scheme else url)


def _hub(timeout: float) -> tuple[xmlrpc.client.ServerProxy, str]:
    """The hub's XML-RPC proxy and its secret, from the lockfile."""
    try:
        lines = _lockfile().read_text().splitlines()
    except OSError as error:
        raise ConnectionError(
            "no SAMP hub is running: start TOPCAT or Aladin desktop, then send again"
        ) from error
    entries = dict(
        line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")
    )
    try:
        url, secret = entries["samp.hub.xmlrpc.url"].strip(), entries["samp.secret"].strip()
    except KeyError:
        raise ConnectionError("the SAMP lockfile names no hub (damaged lockfile)") from None
    proxy = xmlrpc.client.ServerProxy(url, transport=_TimeoutTransport(timeout), allow_none=True)
    return proxy, secret


def _unreachable(error: Exception, timeout: float) -> ConnectionError:
    if isinstance(error, TimeoutError):
        return ConnectionError(
            f"the SAMP hub did not answer within {timeout:g} s (is TOPCAT or Aladin "
            "frozen?); restart it and send again"
        )
    return ConnectionError(
        f"the SAMP hub could not be reached ({error}): start TOPCAT or Aladin desktop, "
        "then send again"
    )


def hub_running(timeout: float = TIMEOUT) -> bool:
    """True when a SAMP hub answers a ping within ``timeout`` seconds."""
    try:
        proxy, _ = _hub(timeout)
        proxy.samp.hub.ping()
    except (ConnectionError, OSError, xmlrpc.client.Error):
        return False
    return True


def send_table(table: Table, name: str = "astrolearn table", timeout: float = TIMEOUT) -> Path:
    """Broadcast ``table`` to every SAMP client as ``table.load.votable``.

    Parameters
    ----------
    table : astropy.table.Table
        The rows to send.
    name : str
        The name the receiving clients show.
    timeout : float
        Seconds allowed for each call to the hub.

    Returns
    -------
    pathlib.Path
        The VOTable file whose ``file://`` URL was sent.

    Raises
    ------
    ConnectionError
        No SAMP hub is running, or it did not answer within ``timeout``.

    Examples
    --------
    >>> send_table(Table({"ra": [56.75], "dec": [24.12]}))  # doctest: +SKIP
    """
    proxy, secret = _hub(timeout)
    try:
        key = proxy.samp.hub.register(secret)["samp.private-key"]
    except (OSError, xmlrpc.client.Error, KeyError, TypeError) as error:
        raise _unreachable(error, timeout) from error
    path = _write(table)
    try:
        proxy.samp.hub.declareMetadata(
            key, {"samp.name": "astrolearn", "samp.description.text": "astrolearn query panel"}
        )
        proxy.samp.hub.notifyAll(
            key,
            {
                "samp.mtype": "table.load.votable",
                "samp.params": {"url": path.as_uri(), "name": name},
            },
        )
    except (OSError, xmlrpc.client.Error) as error:
        path.unlink(missing_ok=True)
        raise _unreachable(error, timeout) from error
    finally:
        # The hub forgets clients that vanish; the send itself is judged above.
        with contextlib.suppress(OSError, xmlrpc.client.Error):
            proxy.samp.hub.unregister(key)
    return path


def _write(table: Table) -> Path:
    """Write ``table`` as a VOTable in this process's folder, pruning old files."""
    global _folder
    if _folder is None or not _folder.is_dir():
        _folder = Path(tempfile.mkdtemp(prefix="astrolearn-samp-"))
        atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    path = _folder / f"table-{next(_counter):05d}.xml"
    path.write_bytes(table_bytes(table, "votable"))
    for old in sorted(_folder.glob("table-*.xml"))[:-KEEP_FILES]:
        old.unlink(missing_ok=True)
    return path
