"""Build the mirror's tables from the bundled datasets, in the live services' shapes.

The same builders serve the offline backend, so the mirror and the offline snapshot
answer with the same columns as the live service (``gaiadr3.gaia_source`` and
``gaiadr2.gaia_source`` of the ESA Gaia archive, an SDSS ``specphoto`` table).

Examples
--------
>>> from astrolearn.vo import mirror_data
>>> gaia = mirror_data.gaia_source()
>>> "bp_rp" in gaia.colnames and len(gaia) > 15_000
True
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from astropy.table import MaskedColumn, Table, vstack

from astrolearn import data

#: The bundled Gaia fields that make up the mirror's ``gaiadr3.gaia_source``.
GAIA_FIELDS = {"pleiades": "gaia_pleiades", "ngc188": "gaia_ngc188", "cosmos": "gaia_cosmos"}
GAIA_COLUMNS = (
    "source_id",
    "field",
    "ra",
    "dec",
    "parallax",
    "parallax_error",
    "pmra",
    "pmdec",
    "phot_g_mean_mag",
    "phot_bp_mean_mag",
    "phot_rp_mean_mag",
    "bp_rp",
    "radial_velocity",
)


#: Gaia EDR3/DR3 photometric zero points AB minus Vega (Riello et al. 2021, A&A 649, A3,
#: Table 2: G 25.8010 - 25.6874, BP 25.3540 - 25.3385, RP 25.1040 - 24.7479).
AB_MINUS_VEGA = {"phot_g_mean_mag": 0.1136, "phot_bp_mean_mag": 0.0155, "phot_rp_mean_mag": 0.3561}
#: Bundled fields whose magnitudes are AB (computed from refcat fluxes), not Gaia's Vega.
AB_FIELDS = ("gaia_cosmos",)


def _masked(n: int, unit=None) -> MaskedColumn:
    return MaskedColumn(np.full(n, np.nan), mask=np.ones(n, bool), unit=unit)


@functools.cache
def gaia_source() -> Table:
    """The bundled Gaia fields as one table with the columns of ``gaiadr3.gaia_source``.

    Magnitudes are Vega, as in the Gaia archive: the COSMOS field's AB magnitudes are
    converted with the published zero points. ``bp_rp`` is computed as
    ``phot_bp_mean_mag - phot_rp_mean_mag`` where a field gives only the two magnitudes;
    columns a field lacks are masked (NULL). Rows without a position (COSMOS sources
    with no astrometric solution in the source catalogue) are left out.
    """
    parts = []
    for field_name, dataset in GAIA_FIELDS.items():
        table = data.load(dataset)
        table = table[np.isfinite(np.asarray(table["ra"], float))]
        if dataset in AB_FIELDS:
            for name, offset in AB_MINUS_VEGA.items():
                table[name] = table[name] - offset
        n = len(table)
        if "bp_rp" not in table.colnames:
            table["bp_rp"] = table["phot_bp_mean_mag"] - table["phot_rp_mean_mag"]
        for name, unit in (
            ("phot_bp_mean_mag", "mag"),
            ("phot_rp_mean_mag", "mag"),
            ("radial_velocity", "km/s"),
        ):
            if name not in table.colnames:
                table[name] = _masked(n, unit)
        table["field"] = field_name
        parts.append(Table(table[[c for c in GAIA_COLUMNS]], masked=True))
    merged = vstack(parts, metadata_conflicts="silent")
    merged.meta = {"name": "gaiadr3.gaia_source", "datasets": list(GAIA_FIELDS.values())}
    return merged


@functools.cache
def sdss_specphoto() -> Table:
    """The bundled SDSS DR14 sample with a ``specid`` (plate-mjd-fiberid) key."""
    table = data.load("sdss_dr14").copy(copy_data=True)
    specid = [
        f"{p}-{m}-{f}"
        for p, m, f in zip(table["plate"], table["mjd"], table["fiberid"], strict=True)
    ]
    table.add_column(specid, name="specid", index=0)
    table.meta = {"name": "sdss.specphoto", "datasets": ["sdss_dr14"]}
    return table


#: The bundled Gaia DR2 fields that make up the mirror's ``gaiadr2.gaia_source``. DR2
#: positions and motions differ from DR3's, so they get a table of their own.
GAIA_DR2_FIELDS = {"gd1": "gaia_gd1"}
GAIA_DR2_COLUMNS = (
    "source_id",
    "field",
    "ra",
    "dec",
    "parallax",
    "pmra",
    "pmdec",
    "radial_velocity",
)


@functools.cache
def gaia_dr2_source() -> Table:
    """The bundled Gaia DR2 fields with the columns of ``gaiadr2.gaia_source``.

    Only the archive's own columns: the GD-1 table's stream coordinates (``phi1``,
    ``phi2``, ``pm_phi1``, ``pm_phi2``) are computed from these, not served. The rows
    are those bundled, which were cut to the stream's proper motion before bundling.

    Example
    -------
    >>> from astrolearn.vo import mirror_data
    >>> sorted(set(mirror_data.gaia_dr2_source()["field"].tolist()))
    ['gd1']
    """
    parts = []
    for field_name, dataset in GAIA_DR2_FIELDS.items():
        table = data.load(dataset)
        table["field"] = field_name
        parts.append(Table(table[list(GAIA_DR2_COLUMNS)], masked=True))
    merged = vstack(parts, metadata_conflicts="silent")
    merged.meta = {"name": "gaiadr2.gaia_source", "datasets": list(GAIA_DR2_FIELDS.values())}
    return merged


#: Mirror table name -> builder.
TABLES = {
    "gaiadr3.gaia_source": gaia_source,
    "gaiadr2.gaia_source": gaia_dr2_source,
    "sdss.specphoto": sdss_specphoto,
}
#: Mirror table name -> the bundled datasets it is built from.
DATASETS = {
    "gaiadr3.gaia_source": tuple(GAIA_FIELDS.values()),
    "gaiadr2.gaia_source": tuple(GAIA_DR2_FIELDS.values()),
    "sdss.specphoto": ("sdss_dr14",),
}


def write_fits(directory: Path, schemas: list[str] | None = None) -> list[Path]:
    """Write mirror tables as FITS into ``directory/<schema>/data/<table>.fits``."""
    written = []
    for qualified, builder in TABLES.items():
        schema, table_name = qualified.split(".")
        if schemas is not None and schema not in schemas:
            continue
        target = Path(directory) / schema / "data" / f"{table_name}.fits"
        target.parent.mkdir(parents=True, exist_ok=True)
        table = _for_fits(builder())
        table.write(target, overwrite=True)
        written.append(target)
    return written


def _for_fits(table: Table) -> Table:
    """Masked floats become NaN (DaCHS reads NaN as NULL with nanIsNULL)."""
    out = Table()
    for name in table.colnames:
        column = table[name]
        if isinstance(column, MaskedColumn) and column.dtype.kind == "f":
            out[name] = column.filled(np.nan)
        elif isinstance(column, MaskedColumn):
            out[name] = column.filled()
        else:
            out[name] = column
    return out
