"""'Find the hidden cluster' (apps/find_the_hidden_cluster.md): the circle follows a mouse,
a finger and the keyboard, the machine's members are drawn, and the agreement is right.
"""

from __future__ import annotations

import html
import io
import re

import numpy as np
import pytest
from astrolearn import data
from astrolearn.ml import boundary
from astrolearn.ml.cluster import find_star_cluster
from PIL import Image

from tests.apps.conftest import assert_fits_and_accessible, run_app
from tests.apps.test_apps_browser import assert_clean, status, wait_until

APP = "/voila/render/find_the_hidden_cluster.ipynb"
CLUSTER = (-2.3, -1.0)  # NGC 188's motion in mas/yr (Cantat-Gaudin et al. 2018: -2.31, -0.96)


@pytest.fixture
def app():
    return run_app("find_the_hidden_cluster")


def agreement(text: str) -> int:
    return int(re.search(r"you both picked (\d+)%", text).group(1))


def drawn(picture_mark) -> float:
    """How much of a PointCloud's picture is painted (sum of alpha)."""
    picture = Image.open(io.BytesIO(picture_mark.image.value)).convert("RGBA")
    return float(np.asarray(picture)[..., 3].sum())


def test_the_agreement_follows_the_circle_after_the_machine_has_looked(app):
    # The bug: the figure was computed once, when the button was pressed. The circle
    # starts away from the cluster, so a visitor who asked first read 0% for ever.
    app["ask_machine"]()
    assert agreement(html.unescape(app["machine_report"].value)) == 0
    app["centre_east"].value, app["centre_north"].value = CLUSTER
    found = agreement(html.unescape(app["machine_report"].value))
    # What the app says is the overlap of its circle and HDBSCAN's members, worked out here.
    stars = data.load("gaia_ngc188")
    usable = app["usable"]
    machine = np.zeros(len(stars), bool)
    machine[np.flatnonzero(usable)] = find_star_cluster(stars[usable])
    pmra, pmdec = (np.asarray(stars[name].filled(np.nan), float) for name in ("pmra", "pmdec"))
    yours = usable & boundary.in_circle(pmra, pmdec, CLUSTER, 1.0)
    assert found == round(100 * np.sum(yours & machine) / np.sum(yours | machine))
    assert found >= 80
    app["radius"].value = 4.0  # a big circle holds many field stars as well
    assert agreement(html.unescape(app["machine_report"].value)) < found - 20


def test_dragging_the_handle_moves_the_circle_and_the_sliders(app):
    before, circle = app["report"].value, list(app["circle"].x)
    handle = app["handle"]
    # What the page sends at the end of a drag: the point's new place, then the event.
    handle.x, handle.y = [CLUSTER[0] + 0.02], [CLUSTER[1] - 0.03]
    point = {"x": CLUSTER[0] + 0.02, "y": CLUSTER[1] - 0.03}
    handle._handle_custom_msgs(None, {"event": "drag_end", "point": point, "index": 0})
    assert (app["centre_east"].value, app["centre_north"].value) == CLUSTER
    assert list(app["circle"].x) != circle and app["report"].value != before
    assert "1.9 kiloparsecs" in app["report"].value  # NGC 188: 1.7-2.0 kpc
    assert handle.x.tolist() == [CLUSTER[0]]  # snapped onto the sliders' steps


def test_the_machine_members_are_drawn_and_start_again_clears_them(app):
    clouds = app["motion_machine"], app["colour_machine"]
    assert [drawn(cloud.mark) for cloud in clouds] == [0, 0]
    app["ask_machine"]()
    assert all(drawn(cloud.mark) > 0 for cloud in clouds)
    # Drawn where the machine's members move: around NGC 188's motion.
    alpha = np.asarray(Image.open(io.BytesIO(clouds[0].mark.image.value)).convert("RGBA"))[..., 3]
    rows, columns = np.nonzero(alpha)
    height, width = alpha.shape
    east = -10 + 20 * np.average(columns + 0.5, weights=alpha[rows, columns]) / width
    north = 10 - 20 * np.average(rows + 0.5, weights=alpha[rows, columns]) / height
    assert abs(east - CLUSTER[0]) < 0.3 and abs(north - CLUSTER[1]) < 0.3
    app["centre_east"].value = 5.0
    app["start_again"]()
    assert [drawn(cloud.mark) for cloud in clouds] == [0, 0]
    assert "has not looked yet" in app["machine_report"].value
    assert app["centre_east"].value == 0.0


def test_the_page_counts_the_stars_it_shows_and_says_when_the_circle_is_empty(app):
    stars = data.load("gaia_ngc188")
    usable = app["usable"]
    # Stars with a motion, a colour and a brightness: the ones drawn and counted.
    assert len(stars) == 4876 and usable.sum() == 4799
    assert f"one of {usable.sum():,} Gaia stars" in app["page"].children[0].value
    app["centre_east"].value, app["centre_north"].value, app["radius"].value = -9.9, 9.9, 0.2
    assert "0 stars in your circle. Drag the circle onto the dots" in app["report"].value


def test_a_failure_is_said_kindly_and_the_button_works_again(app, monkeypatch):
    import astrolearn.ml.cluster

    def broken(table):
        raise RuntimeError("HDBSCAN fell over")

    monkeypatch.setattr(astrolearn.ml.cluster, "find_star_cluster", broken)
    app["ask_machine"]()
    assert "Sorry, something went wrong" in app["machine_report"].value
    assert not app["machine_button"].disabled
    app["centre_east"].value = -2.3  # moving the circle still works
    assert "stars in your circle" in app["report"].value


def handle_box(page) -> dict:
    """The circle's draggable centre: the last point mark of the motion plot."""
    handle = page.locator(".bqplot").first.locator(".object_grp").last
    handle.scroll_into_view_if_needed()
    return handle.bounding_box()


def pixels_per_mas(page) -> float:
    # The circle (radius 1 mas/yr at the start) begins at angle 0, right of its centre.
    return page.evaluate("""() => {
        const figure = document.querySelector('.bqplot');
        const start = figure.querySelector('path.line').getAttribute('d').match(/^M([\\d.]+)/);
        const handles = figure.querySelectorAll('.object_grp');
        const centre = handles[handles.length - 1].getAttribute('transform').match(/\\(([\\d.]+)/);
        return parseFloat(start[1]) - parseFloat(centre[1]);
    }""")


def readouts(page) -> tuple[float, float]:
    values = page.locator(".widget-readout").all_inner_texts()[:2]
    return tuple(float(value.replace("−", "-")) for value in values)


def open_app(open_page, name: str, **options):
    page = open_page(APP, name, **options)
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".noUi-handle[aria-labelledby]")
    return page


@pytest.mark.browser
@pytest.mark.slow
def test_a_mouse_drags_the_circle_onto_the_cluster_and_the_agreement_follows(open_page):
    page = open_app(open_page, "find_the_hidden_cluster-mouse")
    page.get_by_role("button", name="Ask the machine (HDBSCAN)").click()
    wait_until(page, "() => document.querySelectorAll('.al-status')[1].innerText.includes('%')")
    assert agreement(status(page, 1)) == 0  # the circle starts away from the cluster
    box, scale = handle_box(page), pixels_per_mas(page)
    assert box["width"] >= 44  # big enough to grab
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    end = (start[0] + CLUSTER[0] * scale, start[1] - CLUSTER[1] * scale)
    before = status(page)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=10)
    page.mouse.up()
    wait_until(page, "t => document.querySelector('.al-status').innerText !== t", arg=before)
    wait_until(
        page, "() => /picked [1-9]/.test(document.querySelectorAll('.al-status')[1].innerText)"
    )
    east, north = readouts(page)
    assert abs(east - CLUSTER[0]) <= 0.2 and abs(north - CLUSTER[1]) <= 0.2
    assert agreement(status(page, 1)) >= 80
    moved = handle_box(page)
    assert abs(moved["x"] + moved["width"] / 2 - end[0]) < 4
    assert_clean(page)


@pytest.mark.browser
@pytest.mark.slow
def test_a_finger_drags_the_circle_on_a_phone_and_start_again_brings_it_back(open_page):
    page = open_app(
        open_page,
        "find_the_hidden_cluster-touch",
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    first = status(page)
    box, scale = handle_box(page), pixels_per_mas(page)
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    end = (start[0] + CLUSTER[0] * scale, start[1] - CLUSTER[1] * scale)
    touch = page.context.new_cdp_session(page)
    touch.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]},
    )
    for step in range(1, 11):
        point = [start[i] + (end[i] - start[i]) * step / 10 for i in (0, 1)]
        touch.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": point[0], "y": point[1]}]},
        )
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    wait_until(page, "t => document.querySelector('.al-status').innerText !== t", arg=first)
    east, north = readouts(page)
    assert abs(east - CLUSTER[0]) <= 0.2 and abs(north - CLUSTER[1]) <= 0.2
    assert "kiloparsecs" in status(page)
    page.get_by_role("button", name="Start again").focus()
    page.keyboard.press("Enter")
    wait_until(page, "t => document.querySelector('.al-status').innerText === t", arg=first)
    assert readouts(page) == (0.0, 0.0)
    assert_clean(page)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_it_fits_the_screen_and_axe_finds_nothing_serious(open_page, width):
    page = open_app(
        open_page, f"find_the_hidden_cluster-{width}", viewport={"width": width, "height": 844}
    )
    assert_fits_and_accessible(page, width)
    assert_clean(page)
