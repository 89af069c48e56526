"""'Train a tiny neural network' (apps/train_a_neural_network.md): it trains, the
held-out accuracy it shows is right, its controls change the network, and a visitor can
use it by keyboard, on a phone.
"""

from __future__ import annotations

import html
import re
import time

import numpy as np
import pytest
from astrolearn import data

from tests.apps.conftest import assert_fits_and_accessible, run_app
from tests.apps.test_apps_browser import assert_clean, press, status, wait_until

APP = "/voila/render/train_a_neural_network.ipynb"
TRAIN_ENABLED = (
    "() => ![...document.querySelectorAll('button')]"
    ".find(b => b.innerText.trim() === 'Train').disabled"
)


@pytest.fixture(scope="module")
def app():
    return run_app("train_a_neural_network")


def said(line) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", line.value))


def own_forward_pass(network, colours: np.ndarray) -> np.ndarray:
    """True where the network says quasar, by numpy from its weights (ReLU, logistic)."""
    values = colours
    for weights, bias in zip(network.coefs_[:-1], network.intercepts_[:-1], strict=True):
        values = np.maximum(0, values @ weights + bias)
    return (values @ network.coefs_[-1] + network.intercepts_[-1])[:, 0] > 0


def test_it_trains_and_the_held_out_accuracy_shown_is_right(app):
    app["start_again"]()
    assert "Not trained yet" in said(app["progress"])
    practice, held_out = app["practice"], app["held_out"]
    assert (len(practice), len(held_out)) == (1500, 500)
    assert np.intersect1d(practice, held_out).size == 0
    # The colours shown are the objects' own SDSS g - r and r - i, from the bundled table.
    sdss = data.load("sdss_dr17")
    rows = app["rows"]
    assert set(np.asarray(sdss["class"]).astype(str)[rows]) == {"STAR", "QSO"}
    g, r, i = (np.asarray(sdss[band], float)[rows] for band in "gri")
    assert np.allclose(app["colours"], np.column_stack([g - r, r - i]))
    for _ in range(8):
        app["step"]()
    text = said(app["progress"])
    assert text.startswith("After 40 epochs")
    shown = int(re.search(r"right for (\d+)% of the 500 objects it never trained on", text)[1])
    # Recomputed from the held-out objects' own colours, scaled as the practice ones
    # were, and a forward pass written here.
    mean, spread = app["colours"][practice].mean(axis=0), app["colours"][practice].std(axis=0)
    held_colours = (np.column_stack([g - r, r - i])[held_out] - mean) / spread
    is_quasar = np.asarray(sdss["class"]).astype(str)[rows][held_out] == "QSO"
    accuracy = np.mean(own_forward_pass(app["state"]["network"], held_colours) == is_quasar)
    assert shown == round(100 * accuracy)
    # Better than calling everything a star, as the data allow with two colours.
    assert accuracy > max(np.mean(is_quasar), 1 - np.mean(is_quasar)) + 0.1


def test_the_controls_change_the_network_and_reset_puts_it_back(app):
    app["layers"].value, app["neurons"].value = 2, 6
    try:
        assert app["state"]["epoch"] == 0
        assert "2 → 6 → 6 → 1 neurons" in said(app["network_line"])
        # 2*6 + 6 weights and biases in, 6*6 + 6 between, 6 + 1 out.
        assert "67 weights" in said(app["network_line"])
        app["step"]()
        network = app["state"]["network"]
        assert [w.shape for w in network.coefs_] == [(2, 6), (6, 6), (6, 1)]
        app["layers"].value = 0
        assert app["neurons"].disabled and "straight line" in said(app["network_line"])
        app["step"]()
        # One neuron: its "quasar" region is a half-plane, on one side of a line.
        xs, ys = np.meshgrid(np.linspace(-3, 3, 50), np.linspace(-3, 3, 50))
        grid = np.column_stack([xs.ravel(), ys.ravel()])
        weights, bias = (
            app["state"]["network"].coefs_[0][:, 0],
            app["state"]["network"].intercepts_[0],
        )
        assert np.array_equal(app["state"]["network"].predict(grid), grid @ weights + bias > 0)
    finally:
        app["start_again"]()
    assert (app["layers"].value, app["neurons"].value) == (1, 4)
    assert app["state"]["epoch"] == 0 and not app["neurons"].disabled
    assert "Not trained yet" in said(app["progress"])
    assert not app["train_button"].disabled and app["stop_button"].disabled


def test_stop_and_the_last_epoch_leave_the_buttons_right(app):
    app["start_again"]()
    app["state"]["training"] = True
    app["show_buttons"]()
    assert app["train_button"].disabled and not app["stop_button"].disabled
    app["stop_training"]()
    assert not app["state"]["training"]
    assert not app["train_button"].disabled and app["stop_button"].disabled
    app["state"]["epoch"] = app["MOST_EPOCHS"] - app["EPOCHS_PER_STEP"]
    app["step"]()
    app["show_buttons"]()
    assert "as long as it trains here" in said(app["progress"])
    assert app["train_button"].disabled
    app["start_training"]()
    assert not app["state"]["training"]
    app["start_again"]()
    assert not app["train_button"].disabled


def test_a_step_is_quick_even_for_the_biggest_network(app):
    app["layers"].value, app["neurons"].value = 3, 8
    try:
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            app["step"]()
            seconds.append(time.perf_counter() - started)
        assert sorted(seconds)[1] < 0.5, seconds
    finally:
        app["start_again"]()


def test_a_failure_is_said_kindly(app, monkeypatch):
    def broken():
        raise RuntimeError("the weights fell over")

    monkeypatch.setitem(app, "held_out_accuracy", broken)
    assert app["step"]() is None
    assert "Sorry, something went wrong" in said(app["progress"])
    assert "fell over" not in app["progress"].value
    monkeypatch.undo()
    app["start_again"]()


@pytest.mark.browser
@pytest.mark.slow
def test_a_keyboard_visitor_builds_trains_stops_and_starts_again(open_page):
    page = open_page(APP, "train_a_neural_network-keyboard")
    page.wait_for_selector(".al-status p", timeout=90_000)
    press(page, 0, "ArrowRight", 1)  # 2 hidden layers
    press(page, 1, "ArrowRight", 2)  # of 6 neurons
    wait_until(page, "() => document.body.innerText.includes('2 → 6 → 6 → 1')")
    picture = page.get_attribute(".bqplot image", "href")
    page.get_by_role("button", name="Train").focus()
    page.keyboard.press("Enter")
    # At least 15 epochs, not exactly 15: each message shows for a fraction of a second
    # before the next step replaces it, and a slow poll can miss it.
    wait_until(
        page,
        "() => (document.querySelectorAll('.al-status')[1].innerText"
        ".match(/After (\\d+) epochs/) || [0, 0])[1] >= 15",
        timeout=60_000,
    )
    page.get_by_role("button", name="Stop").focus()
    page.keyboard.press("Enter")
    wait_until(page, TRAIN_ENABLED)
    # Steps run one at a time in the kernel: once it has handled Stop, the last step's
    # message has come.
    page.traffic.wait_for_kernel()
    stopped = status(page, 1)
    epochs = int(re.search(r"After (\d+) epochs", stopped)[1])
    # An absence shows only over time: a running training would say more within 1.5 s
    # (a step every 0.05 s plus its few epochs).
    page.wait_for_timeout(1500)
    assert status(page, 1) == stopped, "training went on after Stop"
    assert 15 <= epochs < 300
    assert re.search(r"right for \d+% of the 500 objects it never trained on", stopped)
    assert page.get_attribute(".bqplot image", "href") != picture  # the regions were drawn
    page.get_by_role("button", name="Start again").focus()
    page.keyboard.press("Enter")
    wait_until(page, "() => document.body.innerText.includes('2 → 4 → 1')")
    assert "Not trained yet" in status(page, 1)
    page.get_by_text("Help: what is going on?").click()
    assert page.get_by_text("The score that counts").is_visible()
    assert_clean(page)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_it_fits_the_screen_and_axe_finds_nothing_serious(open_page, width):
    page = open_page(
        APP, f"train_a_neural_network-{width}", viewport={"width": width, "height": 844}
    )
    page.wait_for_selector(".al-status p", timeout=90_000)
    page.wait_for_selector(".noUi-handle[aria-labelledby]")
    assert_fits_and_accessible(page, width)
    assert_clean(page)
