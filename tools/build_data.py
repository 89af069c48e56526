"""Build the bundled datasets of ``astrolearn.data`` from the real survey files.

Reads the original files (CSV, FITS, ECSV, Parquet, text) from the project's shared
data folder, gives every physical column a unit and a description, and writes one
Parquet file per dataset (astropy keeps units and descriptions in the Parquet
metadata) plus ``catalog.json`` (provenance, citation, row count, checksum).

Usage: python tools/build_data.py SHARED_DATA_DIR

Every transformation is recorded in the dataset's ``notes``; row counts are checked
against the numbers the provenance files state.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.io import ascii
from astropy.table import Table, vstack
from references import bibtex
from specs import DATASETS, IMAGES

PACKAGE_DATA = Path(__file__).resolve().parents[1] / "widgets" / "astrolearn" / "data"


@dataclass
class Built:
    table: Table
    notes: list[str] = field(default_factory=list)


def read(folder: Path, spec: dict) -> Table:
    """Read and reshape one dataset as its spec says."""
    reader = spec.get("reader", "csv")
    paths = [folder / name for name in spec["files"]]
    if reader == "csv":
        tables = [Table.read(p, format="ascii.csv", **spec.get("read_args", {})) for p in paths]
    elif reader == "whitespace":
        tables = [
            ascii.read(p, format="basic", guess=False, **spec.get("read_args", {})) for p in paths
        ]
    else:
        tables = [Table.read(p) for p in paths]
    if spec.get("stack_by"):
        column, values = spec["stack_by"]
        for table, value in zip(tables, values, strict=True):
            table[column] = value
        table = vstack(tables, metadata_conflicts="silent")
        table = table[[column] + [c for c in table.colnames if c != column]]
    else:
        (table,) = tables
    table.meta.clear()
    for name in table.colnames:
        table.rename_column(name, name.strip())
    for old, new in spec.get("rename", {}).items():
        table.rename_column(old, new)
    for transform in spec.get("transforms", []):
        table = transform(table)
    keep = list(spec["columns"])
    missing = [c for c in keep if c not in table.colnames]
    if missing:
        raise KeyError(f"{spec['name']}: columns missing after reading: {missing}")
    table = table[keep]
    for name, (unit, description) in spec["columns"].items():
        column = table[name]
        if column.dtype.kind in "US":
            table[name] = np.char.strip(column.astype(str))
        if unit is not None:
            table[name].unit = u.Unit(unit)
        table[name].description = description
    return table


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entry(spec: dict, path: Path, rows: int | None) -> dict:
    return {
        "name": spec["name"],
        "file": path.name,
        "sha256": sha256(path),
        "size_kb": round(path.stat().st_size / 1024, 1),
        "rows": rows,
        "description": spec["description"],
        "survey": spec["survey"],
        "release": spec["release"],
        "licence": spec["licence"],
        "source_folder": spec["folder"],
        "provenance": spec["provenance"],
        "notes": spec.get("notes", []),
        "acknowledgement": spec["acknowledgement"],
        "references": spec["references"],
        "bibtex": "\n\n".join(bibtex(code) for code in spec["references"]),
    }


def build(shared: Path) -> None:
    files = PACKAGE_DATA / "files"
    provenance = PACKAGE_DATA / "provenance"
    for folder in (files, provenance):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    catalog = []
    for spec in DATASETS:
        table = read(shared / spec["folder"], spec)
        if len(table) != spec["rows"]:
            raise ValueError(f"{spec['name']}: {len(table)} rows, provenance says {spec['rows']}")
        path = files / f"{spec['name']}.parquet"
        table.write(path, format="parquet", overwrite=True)
        catalog.append(entry(spec, path, len(table)))
        print(f"{spec['name']:28s} {len(table):7d} rows {path.stat().st_size / 1024:8.1f} kB")
    for spec in IMAGES:
        source = shared / spec["folder"] / spec["files"][0]
        path = files / f"{spec['name']}.fits.gz"
        with (
            source.open("rb") as raw,
            gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as packed,
        ):
            shutil.copyfileobj(raw, packed)
        catalog.append(entry(spec, path, None))
        print(f"{spec['name']:28s}   image {path.stat().st_size / 1024:8.1f} kB")
    for folder in sorted({spec["folder"] for spec in [*DATASETS, *IMAGES]}):
        shutil.copy(shared / folder / "PROVENANCE.md", provenance / f"{folder}.md")
    (PACKAGE_DATA / "catalog.json").write_text(json.dumps(catalog, indent=1) + "\n")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
