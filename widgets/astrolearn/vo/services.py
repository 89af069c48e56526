"""The named services the lessons use, each paired with a bundled table of the same shape.

A service has a live TAP endpoint and table, the table's name on the local mirror (if
published there) and a builder of the offline snapshot with the same column names, so a
lesson's code does not change when the network goes away.

Examples
--------
>>> from astrolearn.vo.services import get
>>> get("gaia_dr3").table
'gaiadr3.gaia_source'
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.table import Table

from astrolearn import data
from astrolearn.vo import mirror_data
from astrolearn.vo.errors import UnknownServiceError

NAMES_FILE = Path(__file__).resolve().parent / "names.ecsv"
#: SHA-256 of names.ecsv, checked on first use like the bundled datasets' checksums
#: (astrolearn.data): a damaged or edited table must not resolve names to wrong places.
#: After a deliberate edit, update it with ``sha256sum names.ecsv``.
NAMES_SHA256 = "bf2486ee53736c6a5fc8a3a9244393104ae0298935f6b246207952ac573613e0"


@dataclass(frozen=True)
class Service:
    """A named VO service.

    Attributes
    ----------
    name, title : str
        Registry key and human title.
    live_tap : str or None
        TAP endpoint of the public service (None: no live TAP with these columns).
    table : str or None
        Table queried for cone searches, as named on the live service.
    ra, dec : str
        Position columns (degrees, ICRS).
    mirror_table : str or None
        Same table on the local mirror (None: not published there).
    local : callable or None
        Builds the offline snapshot (an astropy Table with the same columns).
    coverage : str
        Where the offline snapshot has data, for error messages.
    xmatch_id : str or None
        CDS XMatch identifier of the live catalog.
    footprint : tuple
        Where the offline snapshot is complete, as ``(ra, dec, radius)`` circles in
        degrees; empty for catalogs that are samples anyway (no coverage warning).
    """

    name: str
    title: str
    live_tap: str | None
    table: str | None
    ra: str = "ra"
    dec: str = "dec"
    mirror_table: str | None = None
    local: Callable[[], Table] | None = None
    coverage: str = ""
    xmatch_id: str | None = None
    footprint: tuple = ()


@functools.cache
def names_table() -> Table:
    """Offline positions of the objects the lessons use (see names.ecsv for sources).

    Raises
    ------
    astrolearn.data.CorruptDataError
        When the file is missing or does not match :data:`NAMES_SHA256`.
    """
    try:
        content = NAMES_FILE.read_bytes()
    except FileNotFoundError:
        raise data.CorruptDataError(
            f"the offline names table ({NAMES_FILE.name}) is missing; reinstall astrolearn"
        ) from None
    actual = hashlib.sha256(content).hexdigest()
    if actual != NAMES_SHA256:
        raise data.CorruptDataError(
            f"the offline names table ({NAMES_FILE.name}) is corrupted: its SHA-256 "
            f"checksum is {actual[:12]}…, expected {NAMES_SHA256[:12]}…; reinstall "
            "astrolearn (after a deliberate edit, update services.NAMES_SHA256)"
        )
    return Table.read(content.decode(), format="ascii.ecsv")


def _simbad_local() -> Table:
    names = names_table()
    return Table(
        {"main_id": names["name"], "ra": names["ra"], "dec": names["dec"]},
        meta={"name": "simbad (bundled positions)"},
    )


def _twomass_local() -> Table:
    table = data.load("twomass_ngc188")
    keep = np.isfinite(np.asarray(table["RAJ2000"], float))
    return table[keep]


SERVICES = {
    service.name: service
    for service in (
        Service(
            "gaia_dr3",
            "Gaia DR3 (ESA Gaia archive)",
            "https://gea.esac.esa.int/tap-server/tap",
            "gaiadr3.gaia_source",
            mirror_table="gaiadr3.gaia_source",
            local=mirror_data.gaia_source,
            coverage="Pleiades (56.75, 24.12; r=1 deg), NGC 188 (11.8, 85.24; r=0.5 deg), "
            "COSMOS field (150.13, 2.24; r=1 deg)",
            xmatch_id="vizier:I/355/gaiadr3",
            # The bundled fields (the COSMOS circle measured on the data's extent).
            footprint=((56.75, 24.12, 1.0), (11.8, 85.24, 0.5), (150.13, 2.24, 1.0)),
        ),
        Service(
            "gaia_dr2",
            "Gaia DR2 (ESA Gaia archive)",
            "https://gea.esac.esa.int/tap-server/tap",
            "gaiadr2.gaia_source",
            mirror_table="gaiadr2.gaia_source",
            local=mirror_data.gaia_dr2_source,
            coverage="the GD-1 stream field (stream longitude -70 to -20 deg), only the stars "
            "bundled after a cut to the stream's proper motion",
            xmatch_id="vizier:I/345/gaia2",
        ),
        Service(
            "sdss",
            "SDSS DR14 spectroscopic objects (bundled sample; SkyServer uses its own SQL)",
            None,
            "sdss.specphoto",
            mirror_table="sdss.specphoto",
            local=mirror_data.sdss_specphoto,
            coverage="10,000 SDSS DR14 spectra scattered over the SDSS footprint",
        ),
        Service(
            "twomass",
            "2MASS All-Sky Point Source Catalog (VizieR II/246)",
            "https://tapvizier.cds.unistra.fr/TAPVizieR/tap",
            '"II/246/out"',
            ra="RAJ2000",
            dec="DEJ2000",
            local=_twomass_local,
            coverage="NGC 188 field (11.8, 85.24; r=0.5 deg)",
            xmatch_id="vizier:II/246/out",
            footprint=((11.8, 85.24, 0.5),),
        ),
        Service(
            "simbad",
            "SIMBAD (CDS)",
            "https://simbad.cds.unistra.fr/simbad/sim-tap",
            "basic",
            local=_simbad_local,
            coverage="the named objects of the lessons (astrolearn.vo.known_objects())",
        ),
        Service(
            "vizier",
            "VizieR (CDS), any catalogue by ADQL",
            "https://tapvizier.cds.unistra.fr/TAPVizieR/tap",
            None,
        ),
    )
}


def get(name: str) -> Service:
    """The service registered as ``name``."""
    try:
        return SERVICES[name]
    except (KeyError, TypeError):
        raise UnknownServiceError(
            f"catalog/service {name!r} is not known; choose one of {', '.join(SERVICES)} "
            "or pass a TAP URL"
        ) from None
