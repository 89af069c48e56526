"""Image search (SIA2) and spectrum search (SSA): the offline path, typed errors, and the
real DaCHS mirror answering with the same data sets."""

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data, vo
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS

NGC6819 = SkyCoord(295.327, 40.19, unit="deg")
AGC100051 = SkyCoord(2.0037095, 14.839847, unit="deg")  # the spectrum's FITS header


def test_offline_image_search_describes_the_bundled_image():
    images = vo.image_search(NGC6819, 5 * u.arcmin, backend="offline")
    assert images.meta["source"] == "offline snapshot"
    assert list(images["target_name"]) == ["NGC 6819"]
    # Field of view recomputed from the image's own WCS and size.
    with data.load_image("dss_ngc6819") as hdus:
        scale = abs(WCS(hdus[0].header).celestial.wcs.cdelt[0])
        side = hdus[0].data.shape[1] * scale
    assert images["s_fov"][0] == pytest.approx(side, rel=1e-6)
    assert str(images["s_fov"].unit) == "deg"
    with vo.fetch(images["access_url"][0]) as hdus:
        assert hdus[0].data.shape == (1024, 1024)


def test_offline_spectrum_search_and_fetch_give_the_bundled_spectrum():
    spectra = vo.spectrum_search(AGC100051, 1 * u.arcmin, backend="offline")
    assert spectra.meta["source"] == "offline snapshot"
    assert list(spectra["target_name"]) == ["AGC 100051"]
    # SSA states the band as wavelengths: c / frequency at the two ends of the band.
    frequency = data.load_spectrum()["frequency"].quantity
    band = (frequency.to(u.m, equivalencies=u.spectral())).value
    assert spectra["spec_start"][0] == pytest.approx(band.min(), rel=1e-9)
    assert spectra["spec_end"][0] == pytest.approx(band.max(), rel=1e-9)
    with vo.fetch(spectra["access_url"][0]) as hdus:
        assert hdus[1].header["OBJECT"] == "AGC 100051"


def test_nothing_there_is_an_empty_result_that_says_what_is_bundled():
    with pytest.raises(vo.EmptyResultError, match="AGC 100051"):
        vo.spectrum_search(NGC6819, 10 * u.arcmin, backend="offline")
    with pytest.raises(vo.EmptyResultError, match="NGC 6819"):
        vo.image_search(AGC100051, 10 * u.arcmin, backend="offline")


def test_bad_arguments_are_named():
    with pytest.raises(vo.InvalidInputError, match="radius"):
        vo.image_search(NGC6819, 0.1, backend="offline")
    with pytest.raises(vo.InvalidInputError, match="backend"):
        vo.spectrum_search(NGC6819, 1 * u.arcmin, backend="cloud")
    with pytest.raises(vo.InvalidInputError, match="access_url"):
        vo.fetch("dss_ngc6819.fits")


def test_live_ssa_without_a_service_says_how_to_set_one():
    with pytest.raises(vo.OfflineUnavailableError, match="endpoints"):
        vo.spectrum_search(AGC100051, 1 * u.arcmin, backend="live")


@pytest.mark.parametrize("fault", ["slow", "error500", "malformed"])
def test_a_failing_service_is_a_typed_error_and_auto_falls_back(fault_server, fault):
    vo.config.settings.endpoints["sia2"] = f"{fault_server}/{fault}/sia2"
    vo.config.settings.mirror_url = f"{fault_server}/{fault}"
    vo.config.settings.retries = 0
    with pytest.raises(vo.VOError):
        vo.image_search(NGC6819, 5 * u.arcmin, backend="live", timeout=1)
    vo.config.settings.auto_live_timeout = 1
    vo.config.settings.timeout = 1
    images = vo.image_search(NGC6819, 5 * u.arcmin) if fault != "malformed" else None
    if images is not None:
        assert images.meta["source"] == "offline snapshot" and images.meta["fallback_reason"]


def test_fetch_of_a_dead_url_is_a_typed_error(refused_url):
    with pytest.raises(vo.ServiceUnavailableError):
        vo.fetch(refused_url + "/x.fits", timeout=2)


@pytest.mark.mirror
def test_the_mirror_serves_the_image_through_sia2(mirror):
    images = vo.image_search("NGC 6819", 5 * u.arcmin, backend="mirror")
    assert images.meta["source"] == "mirror" and list(images["target_name"]) == ["NGC 6819"]
    assert images["access_url"][0].startswith(mirror)
    offline = vo.image_search("NGC 6819", 5 * u.arcmin, backend="offline")
    assert images["s_fov"][0] == pytest.approx(offline["s_fov"][0], rel=1e-5)
    with vo.fetch(images["access_url"][0]) as served, data.load_image("dss_ngc6819") as bundled:
        assert np.array_equal(served[0].data, bundled[0].data)
    # A circle far from the image finds nothing.
    with pytest.raises(vo.EmptyResultError):
        vo.image_search(AGC100051, 5 * u.arcmin, backend="mirror")


@pytest.mark.mirror
def test_the_mirror_serves_the_spectrum_through_ssa(mirror):
    spectra = vo.spectrum_search(AGC100051, 1 * u.arcmin, backend="mirror")
    assert spectra.meta["source"] == "mirror" and list(spectra["target_name"]) == ["AGC 100051"]
    offline = vo.spectrum_search(AGC100051, 1 * u.arcmin, backend="offline")
    for name in ("ra", "dec", "spec_start", "spec_end", "length"):
        assert spectra[name][0] == pytest.approx(offline[name][0], rel=1e-6)
    with vo.fetch(spectra["access_url"][0]) as served:
        flux = np.asarray(served[1].data["FLUXDENS"][0])
    bundled = data.load_spectrum()["flux_density"]
    assert np.array_equal(flux, np.asarray(bundled), equal_nan=True)
    with pytest.raises(vo.EmptyResultError):
        vo.spectrum_search(NGC6819, 10 * u.arcmin, backend="mirror")


@pytest.mark.mirror
def test_auto_uses_the_mirror_when_live_is_down(mirror, refused_url):
    vo.config.settings.endpoints["sia2"] = refused_url
    vo.config.settings.endpoints["ssa"] = refused_url
    images = vo.image_search("NGC 6819", 5 * u.arcmin)
    assert images.meta["source"] == "mirror"
    host = refused_url.split("/")[2]
    assert host in images.meta["fallback_reason"]  # says which service failed, and why
    # Asked again at once, the live service rests, and the result says that too.
    again = vo.image_search("NGC 6819", 5 * u.arcmin)
    assert "failed moments ago" in again.meta["fallback_reason"], again.meta
    spectra = vo.spectrum_search(AGC100051, 1 * u.arcmin)
    assert spectra.meta["source"] == "mirror" and spectra.meta["fallback_reason"]
