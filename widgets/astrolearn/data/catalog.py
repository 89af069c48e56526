"""Loading, listing and citing the bundled datasets.

Storage: one Parquet file per table. Parquet keeps astropy units and descriptions in
its metadata and loads several times faster than the original CSV (see
``benchmarks/bench_data.py``). ``catalog.json`` holds each file's provenance, citation,
row count and SHA-256 checksum, which is verified the first time a file is read.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
PROVENANCE = HERE / "provenance"


class UnknownDatasetError(KeyError):
    """Raised for a dataset name that is not bundled."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class CorruptDataError(OSError):
    """Raised when a bundled file does not match its recorded checksum."""


@functools.cache
def _catalog() -> dict[str, dict[str, Any]]:
    entries = json.loads((HERE / "catalog.json").read_text())
    return {entry["name"]: entry for entry in entries}


def _entry(name: str) -> dict[str, Any]:
    catalog = _catalog()
    if name not in catalog:
        valid = ", ".join(sorted(catalog))
        raise UnknownDatasetError(f"unknown dataset {name!r}; the bundled datasets are: {valid}")
    return catalog[name]


def path(name: str) -> Path:
    """Path of the bundled file of a dataset.

    Parameters
    ----------
    name : str
        Dataset name, as listed by :func:`datasets`.

    Examples
    --------
    >>> path("gaia_pleiades").suffix
    '.parquet'
    """
    return FILES / _entry(name)["file"]


@functools.cache
def _verified(name: str) -> Path:
    file = path(name)
    expected = _entry(name)["sha256"]
    try:
        actual = hashlib.sha256(file.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise CorruptDataError(
            f"the file of dataset {name!r} is missing ({file.name}); reinstall astrolearn"
        ) from None
    if actual != expected:
        raise CorruptDataError(
            f"the file of dataset {name!r} ({file.name}) is corrupted: its SHA-256 checksum "
            f"is {actual[:12]}…, expected {expected[:12]}…; reinstall astrolearn"
        )
    return file


#: The tables read so far, by dataset name: each file is read once per process.
_TABLES: dict[str, Any] = {}


def _read(name: str):
    table = _TABLES.get(name)
    if table is None:
        table = _TABLES[name] = _read_file(name)
    return table


def keep(tables: dict[str, Any]) -> None:
    """Take ``tables``, as :func:`load` returned them in another process, as the content
    of their datasets here: later loads copy them instead of reading their files.

    For a process that must not read Parquet itself: pyarrow's reader starts thread
    pools, and the kernel fork server (``astrolearn.kernel_fork``) forks only while it
    has a single thread.
    """
    _TABLES.update(tables)


def _read_file(name: str):
    from astropy.table import Table

    file = _verified(name)
    entry = _entry(name)
    if entry["rows"] is None:
        raise UnknownDatasetError(
            f"{name!r} is an image or a spectrum: use load_image({name!r}) or "
            f"load_spectrum({name!r})"
        )
    table = Table.read(file, format="parquet")
    table.meta.update(_meta(entry))
    return table


def _meta(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry["name"],
        "description": entry["description"],
        "survey": entry["survey"],
        "release": entry["release"],
        "licence": entry["licence"],
        "provenance": entry["provenance"],
        "notes": list(entry["notes"]),
        "citation": cite(entry["name"]),
        "source": "astrolearn bundled dataset",
    }


def load(name: str):
    """Load a bundled dataset as an astropy Table.

    Parameters
    ----------
    name : str
        Dataset name, as listed by :func:`datasets`.

    Returns
    -------
    astropy.table.Table
        A fresh copy (safe to modify), with units and descriptions on the columns and
        ``meta`` keys ``provenance``, ``citation``, ``survey``, ``release``, ``licence``.

    Raises
    ------
    UnknownDatasetError
        If no dataset has that name (the message lists the valid names).
    CorruptDataError
        If the bundled file does not match its checksum.

    Examples
    --------
    >>> cepheids = load("ogle_cepheids")
    >>> len(cepheids)
    7269
    """
    return _read(name).copy(copy_data=True)


def load_image(name: str = "dss_ngc6819"):
    """Load a bundled image as a FITS HDUList (with its WCS in the header).

    Examples
    --------
    >>> hdus = load_image("dss_ngc6819")
    >>> hdus[0].data.shape
    (1024, 1024)
    """
    from astropy.io import fits

    entry = _entry(name)
    if entry["rows"] is not None:
        raise UnknownDatasetError(f"{name!r} is a table: use load({name!r})")
    return fits.open(_verified(name))


#: Columns of the bundled ALFALFA spectrum: FITS name -> (column name, unit).
_SPECTRUM_COLUMNS = {
    "VHELIO": ("velocity", "km/s"),
    "FREQ": ("frequency", "MHz"),
    "FLUXDENS": ("flux_density", "mJy"),
    "BASELINE": ("baseline", "mJy"),
}


def load_spectrum(name: str = "alfalfa_agc100051"):
    """Load a bundled spectrum as an astropy Table, one row per channel.

    Parameters
    ----------
    name : str
        Dataset name of a spectrum (``alfalfa_agc100051``).

    Returns
    -------
    astropy.table.Table
        Columns ``velocity`` (heliocentric, km/s), ``frequency`` (MHz),
        ``flux_density`` (mJy) and ``baseline`` (mJy); ``meta`` holds the object, its
        position (``ra``, ``dec`` in degrees), the rest frequency in Hz and the citation.

    Examples
    --------
    >>> spectrum = load_spectrum("alfalfa_agc100051")
    >>> len(spectrum), str(spectrum["velocity"].unit)
    (1024, 'km / s')
    """
    import astropy.units as u
    import numpy as np
    from astropy.io import fits
    from astropy.table import Table

    entry = _entry(name)
    if entry["rows"] is not None:
        raise UnknownDatasetError(f"{name!r} is a table: use load({name!r})")
    with fits.open(_verified(name)) as hdus:
        if len(hdus) < 2 or "FLUXDENS" not in hdus[1].columns.names:
            raise UnknownDatasetError(f"{name!r} is an image: use load_image({name!r})")
        header, row = hdus[1].header, hdus[1].data[0]
        table = Table()
        for fits_name, (column, unit) in _SPECTRUM_COLUMNS.items():
            table[column] = np.asarray(row[fits_name], dtype=float) * u.Unit(unit)
    table.meta.update(_meta(entry))
    table.meta.update(
        {
            "object": header["OBJECT"],
            "ra": float(header["RA"]),
            "dec": float(header["DEC"]),
            "rest_frequency_hz": float(header["RESTFRQ"]),
            "telescope": header["TELESCOP"],
        }
    )
    return table


def datasets():
    """List the bundled datasets.

    Returns
    -------
    astropy.table.Table
        One row per dataset: name, description, rows (0 for images), size_kb,
        survey, release, licence.

    Examples
    --------
    >>> "gaia_pleiades" in datasets()["name"]
    True
    """
    from astropy.table import Table

    entries = list(_catalog().values())
    table = Table(
        {
            "name": [e["name"] for e in entries],
            "description": [e["description"] for e in entries],
            "rows": [e["rows"] or 0 for e in entries],
            "size_kb": [e["size_kb"] for e in entries],
            "survey": [e["survey"] for e in entries],
            "release": [e["release"] for e in entries],
            "licence": [e["licence"] for e in entries],
        }
    )
    table["size_kb"].unit = "kbyte"
    return table


def cite(name: str) -> str:
    """The acknowledgement and BibTeX that the data's authors ask for.

    Examples
    --------
    >>> "@ARTICLE{2016MNRAS.459.1104L" in cite("htru2_pulsars")
    True
    """
    entry = _entry(name)
    parts = [entry["acknowledgement"]]
    if entry["bibtex"]:
        parts.append(entry["bibtex"])
    return "\n\n".join(parts)


def credit(*names: str) -> str:
    """One credit line for datasets shown together: what they are, whom to thank, what to cite.

    Taken from the catalogue entries, so a page's credit names the data it really
    loaded; an acknowledgement or paper shared by several datasets is said once.

    Examples
    --------
    >>> credit("gaia_100pc").startswith("Data: ")
    True
    """
    entries = [_entry(name) for name in names]
    described = " ".join(f"{entry['description']}." for entry in entries)
    acknowledged = " ".join(dict.fromkeys(entry["acknowledgement"] for entry in entries))
    references = ", ".join(dict.fromkeys(ref for entry in entries for ref in entry["references"]))
    return f"Data: {described} {acknowledged} References: {references}."


def describe(name: str) -> str:
    """The full provenance record (origin, columns, checks, licence) as Markdown."""
    entry = _entry(name)
    return (PROVENANCE / f"{entry['source_folder']}.md").read_text()


def metadata(name: str) -> dict[str, Any]:
    """A copy of the catalogue entry of a dataset."""
    return copy.deepcopy(_entry(name))
