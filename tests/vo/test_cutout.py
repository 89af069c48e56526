"""Image cutouts: offline from the bundled DSS plate, with a correct WCS."""

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data, vo
from astropy.wcs import WCS


def test_offline_cutout_is_centred_on_the_requested_position():
    centre = vo.resolve("NGC 6819", backend="offline")
    image = vo.cutout("DSS2/red", centre, 6 * u.arcmin, backend="offline")
    hdu = image[0]
    wcs = WCS(hdu.header).celestial
    ny, nx = hdu.data.shape
    middle = wcs.pixel_to_world((nx - 1) / 2, (ny - 1) / 2)
    assert middle.separation(centre) < 3 * u.arcsec  # within ~2 DSS pixels
    # The cut-out side covers the requested 6 arcmin.
    scale = np.abs(wcs.proj_plane_pixel_scales()[0]).to(u.arcmin)
    assert (nx * scale).to_value(u.arcmin) == pytest.approx(6, rel=0.05)
    assert hdu.header["ALSOURCE"] == "offline snapshot"


def test_cutout_pixels_are_the_plate_pixels():
    plate = data.load_image("dss_ngc6819")[0]
    image = vo.cutout("DSS2/red", "NGC 6819", 4 * u.arcmin, backend="offline")[0]
    wcs = WCS(plate.header).celestial
    corner = WCS(image.header).celestial.pixel_to_world(0, 0)
    x, y = np.round(wcs.world_to_pixel(corner)).astype(int)
    assert image.data[0, 0] == plate.data[y, x]


def test_outside_the_offline_image_is_explained():
    with pytest.raises(vo.EmptyResultError, match="NGC 6819"):
        vo.cutout("DSS2/red", "M31", 10 * u.arcmin, backend="offline")


def test_bad_arguments():
    with pytest.raises(vo.InvalidInputError, match="fov"):
        vo.cutout("DSS2/red", "NGC 6819", 10, backend="offline")
    with pytest.raises(vo.InvalidInputError, match="pixels"):
        vo.cutout("DSS2/red", "NGC 6819", 1 * u.arcmin, pixels=5, backend="offline")


def test_slow_hips2fits_times_out_and_auto_uses_the_bundled_image(fault_server):
    # astroquery's real hips2fits client, pointed at a loopback server that never answers
    # in time.
    vo.config.settings.endpoints["hips2fits"] = f"{fault_server}/slow/hips2fits"
    vo.config.settings.auto_live_timeout = 0.5
    with pytest.raises(vo.ServiceUnavailableError, match="did not answer"):
        vo.cutout("DSS2/red", "295.325 40.187", 2 * u.arcmin, backend="live", timeout=0.5)
    image = vo.cutout("DSS2/red", "NGC 6819", 2 * u.arcmin)
    assert image[0].header["ALSOURCE"] == "offline snapshot"
