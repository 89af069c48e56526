"""Inputs of the mirror's data collections: images (SIA), spectra (SSA) and its registry.

``astrolearn mirror start`` calls :func:`write_inputs` to put into DaCHS's inputs
directory the FITS files that the resource descriptors ``images``, ``spectra`` and
``rr`` import: the bundled image(s) with an ``OBJECT`` keyword, the bundled spectra
with the keywords the SSA descriptor reads in their primary header, and the RegTAP
tables of :mod:`astrolearn.vo.mirror_registry`.

Examples
--------
>>> from astrolearn.vo import mirror_products
>>> mirror_products.SCHEMAS
('images', 'spectra', 'rr')
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy import constants
from astropy.io import fits

from astrolearn import data
from astrolearn.vo import mirror_registry

#: The schemas this module writes inputs for, in the order they are imported.
SCHEMAS = ("images", "spectra", "rr")
#: Bundled image -> the object at its centre (its header does not name it).
IMAGES = {"dss_ngc6819": "NGC 6819"}
#: Bundled spectra published by the SSA service.
SPECTRA = ("alfalfa_agc100051",)
#: The ALFALFA beam is 3.5 x 3.8 arcmin: the larger side is the SSA aperture.
BEAM_DEG = 3.8 / 60


def image_hdus(name: str) -> fits.HDUList:
    """The bundled image ``name`` as DaCHS imports it (with ``OBJECT`` set)."""
    with data.load_image(name) as hdus:
        header = hdus[0].header.copy()
        header["OBJECT"] = (IMAGES[name], "object at the centre of the image")
        return fits.HDUList([fits.PrimaryHDU(np.asarray(hdus[0].data), header=header)])


def spectrum_hdus(name: str) -> fits.HDUList:
    """The bundled spectrum ``name`` with its SSA metadata in the primary header.

    ``SPECSTRT`` and ``SPECEND`` are the wavelengths (m) at the ends of the band, as SSA
    states spectral ranges; the channels themselves stay in frequency and velocity.
    """
    with fits.open(data.path(name)) as hdus:
        table = hdus[1].copy()
    header = table.header
    wavelength_m = (constants.c / (np.asarray(table.data["FREQ"][0]) * u.MHz)).to_value(u.m)
    primary = fits.PrimaryHDU()
    for key in ("OBJECT", "RA", "DEC", "TELESCOP", "INSTRUME", "RESTFRQ", "CHAN"):
        primary.header[key] = (header[key], header.comments[key])
    primary.header["SPECSTRT"] = (float(wavelength_m.min()), "[m] shortest wavelength")
    primary.header["SPECEND"] = (float(wavelength_m.max()), "[m] longest wavelength")
    primary.header["BEAMDEG"] = (BEAM_DEG, "[deg] beam (larger side)")
    return fits.HDUList([primary, table])


def write_inputs(directory: Path, schemas, base_url: str) -> list[Path]:
    """Write the FITS inputs of ``schemas`` (a subset of :data:`SCHEMAS`) under ``directory``."""
    written = []
    if "images" in schemas:
        for name in IMAGES:
            target = Path(directory) / "images" / "data" / f"{name}.fits"
            target.parent.mkdir(parents=True, exist_ok=True)
            image_hdus(name).writeto(target, overwrite=True)
            written.append(target)
    if "spectra" in schemas:
        for name in SPECTRA:
            target = Path(directory) / "spectra" / "data" / f"{name}.fits"
            target.parent.mkdir(parents=True, exist_ok=True)
            spectrum_hdus(name).writeto(target, overwrite=True)
            written.append(target)
    if "rr" in schemas:
        written += mirror_registry.write_fits(directory, base_url)
    return written


def fingerprint(schema: str, base_url: str) -> bytes:
    """What the inputs of ``schema`` are made from: change it and the mirror re-imports."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    names = {"images": tuple(IMAGES), "spectra": SPECTRA}.get(schema, ())
    for name in names:
        digest.update(data.path(name).read_bytes())
    if schema == "rr":
        digest.update(Path(mirror_registry.__file__).read_bytes() + base_url.encode())
        for described in mirror_registry.DESCRIBED:
            digest.update((mirror_registry.RD_DIR / described / "q.rd").read_bytes())
    return digest.digest()
