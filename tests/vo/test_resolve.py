"""Name resolution: the bundled table of positions, checked against the bundled data."""

import astropy.units as u
import numpy as np
import pytest
from astrolearn import data, vo
from astrolearn.vo.errors import InvalidInputError, UnknownObjectError
from astropy.wcs import WCS


def test_offline_cluster_positions_agree_with_the_bundled_gaia_fields():
    # The bundled Gaia cones were centred on the clusters: the median star position of
    # each field must lie within a few arcmin of the resolved centre.
    for name, dataset, tolerance in (
        ("Pleiades", "gaia_pleiades", 15),
        ("NGC 188", "gaia_ngc188", 5),
    ):
        stars = data.load(dataset)
        centre = vo.resolve(name, backend="offline")
        ra = np.median(np.asarray(stars["ra"]))
        dec = np.median(np.asarray(stars["dec"]))
        offset = centre.separation(type(centre)(ra * u.deg, dec * u.deg)).arcmin
        assert offset < tolerance, (name, offset)


def test_ngc6819_falls_inside_the_bundled_dss_image_of_ngc6819():
    image = data.load_image("dss_ngc6819")
    wcs = WCS(image[0].header).celestial
    x, y = wcs.world_to_pixel(vo.resolve("NGC 6819", backend="offline"))
    ny, nx = image[0].data.shape
    # Near the image centre (the plate was centred on the cluster).
    assert abs(x - nx / 2) < nx / 4 and abs(y - ny / 2) < ny / 4


def test_aliases_spacing_and_case_do_not_matter():
    m31 = vo.resolve("M31", backend="offline")
    for alias in ("m 31", "Andromeda Galaxy", "NGC224", "messier 31"):
        assert vo.resolve(alias, backend="offline").separation(m31) == 0 * u.deg
    # SIMBAD: M31 at 00 42 44.33 +41 16 07.5
    assert m31.ra.deg == pytest.approx(10.6847, abs=1e-3)
    assert m31.dec.deg == pytest.approx(41.2688, abs=1e-3)


def test_result_says_it_is_an_offline_snapshot():
    coord = vo.resolve("COSMOS", backend="offline")
    assert coord.info.meta["source"] == "offline snapshot"
    assert "Scoville" in coord.info.meta["service"]


def test_unknown_name_offline_lists_what_is_known():
    with pytest.raises(UnknownObjectError, match="Pleiades"):
        vo.resolve("Nonexistent Nebula 42", backend="offline")


def test_coordinates_string_needs_no_resolver():
    assert vo.resolve("10.5 -3.25", backend="offline").dec.deg == pytest.approx(-3.25)


def test_empty_name_is_invalid():
    with pytest.raises(InvalidInputError, match="name"):
        vo.resolve("   ")


def test_known_objects_table_has_references():
    table = vo.known_objects()
    assert len(table) >= 10
    assert all(reference for reference in table["reference"])


def test_slow_sesame_times_out_live_and_falls_back_in_auto(fault_server):
    # astropy's real Sesame client, pointed at a loopback server that answers too late.
    vo.config.settings.endpoints["sesame"] = [f"{fault_server}/slow/sesame"]
    with pytest.raises(vo.ServiceUnavailableError, match="Sesame"):
        vo.resolve("M31", backend="live", timeout=0.5)
    vo.config.settings.auto_live_timeout = 0.5
    assert vo.resolve("M31").info.meta["source"] == "offline snapshot"


def test_the_names_table_is_checksummed_like_the_datasets(tmp_path, monkeypatch):
    from astrolearn.data import CorruptDataError
    from astrolearn.vo import services

    services.names_table.cache_clear()
    assert len(services.names_table()) >= 10  # the bundled file matches its checksum
    damaged = tmp_path / "names.ecsv"
    damaged.write_bytes(services.NAMES_FILE.read_bytes().replace(b"10.684708", b"11.684708"))
    monkeypatch.setattr(services, "NAMES_FILE", damaged)
    services.names_table.cache_clear()
    try:
        with pytest.raises(CorruptDataError, match=r"names\.ecsv.*corrupted"):
            vo.resolve("M31", backend="offline")
        monkeypatch.setattr(services, "NAMES_FILE", tmp_path / "gone.ecsv")
        services.names_table.cache_clear()
        with pytest.raises(CorruptDataError, match="missing"):
            vo.known_objects()
    finally:
        services.names_table.cache_clear()
