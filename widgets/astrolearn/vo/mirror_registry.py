"""The mirror's own registry: RegTAP tables that describe the services of the mirror.

The IVOA Registry is a set of tables (RegTAP, schema ``rr``) that any TAP service can
hold; pyvo's registry search is plain ADQL on them. The public registries need the
internet, so the mirror publishes an ``rr`` schema of its own, built here from the
mirror's resource descriptors (``vo/dachs/*/q.rd``: title, description, subjects and
services), so a discovery query finds the mirror's cone, image and spectrum services
with the same pyvo code as on a full registry.

Examples
--------
>>> from astrolearn.vo import mirror_registry
>>> tables = mirror_registry.rr_tables("http://127.0.0.1:8080")
>>> sorted(tables)
['capability', 'interface', 'res_subject', 'resource']
>>> "ivo://ivoa.net/std/ssa" in set(tables["capability"]["standard_id"])
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from astropy.table import Table

RD_DIR = Path(__file__).resolve().parent / "dachs"
#: Authority of the identifiers of the mirror's resources (not a registered one).
AUTHORITY = "ivo://astrolearn.mirror"
#: The schemas the registry describes, in the mirror's order.
DESCRIBED = ("gaiadr3", "gaiadr2", "sdss", "images", "spectra")
#: service id in a resource descriptor -> (standard id, path under the schema, type).
STANDARDS = {
    "scs": ("ivo://ivoa.net/std/conesearch", "q/scs/scs.xml", "vs:paramhttp"),
    "sia": ("ivo://ivoa.net/std/sia", "q/sia/siap.xml", "vs:paramhttp"),
    "ssa": ("ivo://ivoa.net/std/ssa", "q/ssa/ssap.xml", "vs:paramhttp"),
}
TAP_STANDARD = "ivo://ivoa.net/std/tap"
SIA2_STANDARD = "ivo://ivoa.net/std/sia#query-2.0"
SIA2_PATH = "__system__/siap2/sitewide/siap2.xml"


def _text(element) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _meta(root, name: str) -> list[str]:
    return [_text(m) for m in root.findall("meta") if m.get("name") == name]


def describe_rd(schema: str) -> dict:
    """Title, description, subjects, wavebands and service ids of one resource descriptor."""
    root = ElementTree.parse(RD_DIR / schema / "q.rd").getroot()
    return {
        "schema": schema,
        "title": _meta(root, "title")[0],
        "description": _meta(root, "description")[0],
        "subjects": _meta(root, "subject"),
        "wavebands": _meta(root, "coverage.waveband"),
        "creator": (_meta(root, "creator.name") or [""])[0],
        "created": _meta(root, "creationDate")[0],
        "rights": (_meta(root, "rights") or [""])[0],
        "services": [s.get("id") for s in root.findall("service")],
    }


def rr_tables(base_url: str) -> dict[str, Table]:
    """The RegTAP tables ``resource``, ``capability``, ``interface`` and ``res_subject``.

    Parameters
    ----------
    base_url : str
        The mirror's base URL, e.g. ``"http://127.0.0.1:8080"``; access URLs start with it.

    Returns
    -------
    dict of astropy.table.Table
        Rows follow RegTAP 1.1: one resource per resource descriptor plus one for the
        mirror's TAP service; each resource has its protocol capability (cone search,
        SIA, SSA) and TAP as an auxiliary capability; the image collection also has
        DaCHS's site-wide SIA version 2 service.
    """
    base = base_url.rstrip("/")
    rows: dict[str, list[dict]] = {"resource": [], "capability": [], "interface": []}
    rows["res_subject"] = []

    def add(ivoid, info, capabilities, res_type="vs:catalogservice"):
        rows["resource"].append(
            {
                "ivoid": ivoid,
                "res_type": res_type,
                "short_name": info["schema"][:16],
                "res_title": info["title"],
                "content_level": "university#research",
                "res_description": info["description"],
                "reference_url": base,
                "creator_seq": info["creator"],
                "created": info["created"],
                "updated": info["created"],
                "rights": info["rights"],
                "content_type": "catalog",
                "source_format": "",
                "source_value": "",
                "region_of_regard": float("nan"),
                "waveband": "#".join(w.lower() for w in info["wavebands"]),
            }
        )
        for subject in info["subjects"]:
            rows["res_subject"].append({"ivoid": ivoid, "res_subject": subject})
        for index, (standard, url) in enumerate(capabilities, start=1):
            rows["capability"].append(
                {
                    "ivoid": ivoid,
                    "cap_index": index,
                    "cap_type": "",
                    "cap_description": "",
                    "standard_id": standard,
                }
            )
            rows["interface"].append(
                {
                    "ivoid": ivoid,
                    "cap_index": index,
                    "intf_index": 1,
                    "intf_type": "vs:paramhttp",
                    "intf_role": "std",
                    "std_version": "",
                    "query_type": "get",
                    "result_type": "application/x-votable+xml",
                    "url_use": "base",
                    "access_url": url,
                }
            )

    tap_info = {
        "schema": "tap",
        "title": "astrolearn mirror: TAP service",
        "description": "Table access (ADQL) to every table of the local astrolearn VO "
        "mirror, and to this registry's RegTAP tables (schema rr).",
        "subjects": ["virtual observatory"],
        "wavebands": [],
        "creator": "astrolearn",
        "created": "2026-12-07T00:00:00Z",
        "rights": "",
    }
    add(f"{AUTHORITY}/tap", tap_info, [(TAP_STANDARD, f"{base}/tap")], "vs:catalogservice")
    for schema in DESCRIBED:
        info = describe_rd(schema)
        capabilities = [
            (STANDARDS[s][0], f"{base}/{schema}/{STANDARDS[s][1]}")
            for s in info["services"]
            if s in STANDARDS
        ]
        if schema == "images":
            capabilities.append((SIA2_STANDARD, f"{base}/{SIA2_PATH}"))
        capabilities.append((TAP_STANDARD + "#aux", f"{base}/tap"))
        add(f"{AUTHORITY}/{schema}/q", info, capabilities)
    return {name: Table(rows=entries) for name, entries in rows.items()}


def write_fits(directory: Path, base_url: str) -> list[Path]:
    """Write the RegTAP tables as FITS into ``directory/rr/data/<table>.fits``."""
    written = []
    for name, table in rr_tables(base_url).items():
        target = Path(directory) / "rr" / "data" / f"{name}.fits"
        target.parent.mkdir(parents=True, exist_ok=True)
        table.write(target, overwrite=True)
        written.append(target)
    return written
