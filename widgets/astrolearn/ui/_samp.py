"""Send a table to TOPCAT, Aladin desktop or any SAMP client.

Uses pyvo.samp, which replaces astropy.samp (deprecated in astropy 8).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from astropy.table import Table
from pyvo.samp import SAMPHubError, SAMPIntegratedClient

from ._table_view import table_bytes


def hub_running() -> bool:
    """True when a SAMP hub answers (TOPCAT and Aladin start one)."""
    client = SAMPIntegratedClient(name="astrolearn probe")
    try:
        client.connect()
    except (SAMPHubError, OSError):
        return False
    client.disconnect()
    return True


def send_table(table: Table, name: str = "astrolearn table") -> Path:
    """Broadcast ``table`` to every SAMP client as ``table.load.votable``.

    The table is written to a temporary VOTable file whose ``file://`` URL is sent:
    SAMP passes references, not data.

    Raises
    ------
    ConnectionError
        No SAMP hub is running (start TOPCAT or Aladin first).

    Examples
    --------
    >>> send_table(Table({"ra": [56.75], "dec": [24.12]}))  # doctest: +SKIP
    """
    folder = Path(tempfile.mkdtemp(prefix="astrolearn-samp-"))
    path = folder / "table.xml"
    path.write_bytes(table_bytes(table, "votable"))
    client = SAMPIntegratedClient(name="astrolearn", description="astrolearn query panel")
    try:
        client.connect()
    except (SAMPHubError, OSError) as error:
        raise ConnectionError(
            "no SAMP hub is running: start TOPCAT or Aladin desktop, then send again"
        ) from error
    try:
        client.notify_all(
            {
                "samp.mtype": "table.load.votable",
                "samp.params": {"url": path.as_uri(), "name": name},
            }
        )
    finally:
        client.disconnect()
    return path
