"""MultiBandSky driven through its traits (no browser): layers, blending, captions."""

from __future__ import annotations

import pytest
from astrolearn.data import sky
from astrolearn.static_files import sky_file
from astrolearn.ui import MultiBandSky
from astrolearn.ui.sky_bands import CDS_BANDS, blend_opacities
from astropy.coordinates import SkyCoord


def test_blend_fades_the_upper_band_over_the_lower_one():
    assert blend_opacities(0, 4) == [1, 0, 0, 0]
    assert blend_opacities(3, 4) == [0, 0, 0, 1]
    assert blend_opacities(2.4, 4) == [0, 0, 1, 0.4]
    assert blend_opacities(-1, 4) == [1, 0, 0, 0] and blend_opacities(9, 4) == [0, 0, 0, 1]


def test_every_local_survey_is_a_layer_served_from_its_tiles():
    view = MultiBandSky(online=False)
    layers = view.aladin._layers
    assert [layer["name"] for layer in layers] == [s.id for s in sky.surveys()]
    for layer in layers:
        # The layer's URL leads to the survey's real properties file through the server.
        inside = layer["url"].removeprefix("sky/")
        assert sky_file(inside + "/properties") == f"{layer['name']}/properties"
    assert [layer["opacity"] for layer in layers] == [1, 0, 0, 0]


def test_buttons_slider_caption_and_credit_follow_each_other():
    view = MultiBandSky(online=False)
    gamma = sky.survey("fermi-lat-gamma")
    view.buttons.value = 3
    assert view.blend.value == 3
    assert gamma.caption in view.caption.value and gamma.title in view.caption.value
    assert gamma.credit in view.credits.value.replace("&amp;", "&")
    view.blend.value = 0.5  # optical with near infrared faded in halfway
    assert [layer["opacity"] for layer in view.aladin._layers] == [1, 0.5, 0, 0]
    optical, infrared = sky.survey("gaia-edr3-optical"), sky.survey("2mass-near-infrared")
    assert "(50%)" in view.caption.value
    for survey in (optical, infrared):
        assert survey.credit in view.credits.value.replace("&amp;", "&")
    view.show_band("iras-wise-far-infrared")
    assert view.buttons.value == 2 and view.aladin._layers[2]["opacity"] == 1


def test_offline_it_says_which_surveys_are_local_and_offers_no_cds():
    view = MultiBandSky(online=False)
    note = view.network_note.value
    assert note.count("sky)") + note.count("(dust))") == len(sky.surveys())
    assert "Offline" in note and "need the network" in note
    assert view.children[-1].layout.display == "none"
    with pytest.raises(RuntimeError, match="network"):
        view.add_cds_band(CDS_BANDS[0].id)


def test_online_a_cds_survey_becomes_a_band():
    view = MultiBandSky(online=True)
    assert view.children[-1].layout.display is None
    view.cds_choice.value = "P/DSS2/color"
    view.add_button.click()
    last = view.aladin._layers[-1]
    assert last["url"] == "https://alasky.cds.unistra.fr/DSS/DSSColor"
    assert last["opacity"] == 1 and sum(layer["opacity"] for layer in view.aladin._layers) == 1
    assert "DSS2" in view.caption.value and "CDS" in view.credits.value
    assert len(view.buttons.options) == len(sky.surveys()) + 1


def test_goto_centres_the_view_in_icrs():
    view = MultiBandSky(online=False)
    # The Galactic centre, given in Galactic coordinates: RA 266.40, Dec -28.94 (ICRS).
    view.goto(SkyCoord(0, 0, unit="deg", frame="galactic"), fov=5)
    assert view.aladin.target.separation(SkyCoord(266.405, -28.936, unit="deg")).deg < 0.01
    assert view.aladin.fov.to_value("deg") == pytest.approx(5)


def test_zoom_buttons_halve_and_double_the_field_within_limits():
    view = MultiBandSky(fov=60, online=False)
    view.controls.zoom_in.click()
    assert view.aladin.fov.to_value("deg") == pytest.approx(30)
    for _ in range(5):
        view.controls.zoom_out.click()
    assert view.aladin.fov.to_value("deg") == pytest.approx(180)


def test_goto_takes_a_right_ascension_of_minus_zero():
    # A visitor's "-0 10" gives RA -0.0, printed -0.000000, which Aladin's target refused.
    view = MultiBandSky(online=False)
    view.goto(SkyCoord(-0.0, 10.0, unit="deg"))
    assert view.aladin.target.ra.deg == pytest.approx(0.0, abs=1e-6)
    assert view.aladin.target.dec.deg == pytest.approx(10.0)


def test_an_unknown_band_or_survey_is_named_with_the_known_ones():
    view = MultiBandSky(online=True)
    with pytest.raises(ValueError, match=r"no band 'radio'.*gaia-edr3-optical"):
        view.show_band("radio")
    with pytest.raises(ValueError, match=r"no CDS survey 'P/nothing'.*P/DSS2/color"):
        view.add_cds_band("P/nothing")
