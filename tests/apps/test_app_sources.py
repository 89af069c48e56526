"""The app sources (apps/*.md), run in-process: options, credits, what they claim."""

from __future__ import annotations

import ast
import re
import warnings

import ipywidgets as widgets
import numpy as np
import pytest
from astrolearn import content
from astrolearn.notebooks import read_myst
from astrolearn.serve import app_sources

APPS = content.folder("apps")


@pytest.mark.parametrize("source", app_sources(), ids=lambda path: path.stem)
def test_every_app_runs_and_passes_only_options_its_widgets_know(source):
    # traitlets only warns about an unknown option (a misspelt bqplot option is
    # silently dropped: the points lose their transparency and nobody notices).
    code = "\n".join(cell.source for cell in read_myst(source).cells if cell.cell_type == "code")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Passing unrecognized arguments")
        exec(compile(code, str(source), "exec"), {"__name__": "app"})


@pytest.mark.parametrize("source", app_sources(), ids=lambda path: path.stem)
def test_every_app_credits_the_datasets_it_loads(source):
    from astrolearn import data

    text = source.read_text()
    # Every dataset the app names, whether it loads it directly (data.load("name")) or
    # through a table of choices (a name in a dict, loaded when the visitor asks).
    known = set(data.datasets()["name"])
    loaded = {name for name in re.findall(r'"(\w+)"', text) if name in known}
    credited = {
        name
        for call in re.findall(r"data_credit\(([^)]*)\)", text)
        for name in re.findall(r'"(\w+)"', call)
    }
    assert loaded and loaded <= credited, f"{source.stem}: loads {loaded}, credits {credited}"


def test_the_hr_diagram_app_claims_what_the_gaia_sample_shows():
    from astrolearn import data

    stars = data.load("gaia_100pc")
    colour = np.asarray(
        stars["phot_bp_mean_mag"].filled(np.nan) - stars["phot_rp_mean_mag"].filled(np.nan)
    )
    parallax_mas = np.asarray(stars["parallax"], float)
    absolute_g = np.asarray(stars["phot_g_mean_mag"], float) + 5 * np.log10(parallax_mas / 100)
    giants = (absolute_g < 2.5) & (colour > 0.8)  # above the main sequence, red
    # White dwarfs lie far below the main sequence: faint for their colour.
    white_dwarfs = (absolute_g > 3 * colour + 8) & (colour < 1.5)
    assert giants.sum() >= 20 and white_dwarfs.sum() == 0
    # The page's sentences, with Python's adjacent string literals joined.
    text = re.sub(r'"\s*\n\s*f?"', "", (APPS / "hr_diagram.md").read_text())
    assert "red giants" in text and "No white dwarfs" in text
    assert "white dwarfs appear" not in text


def app_page(source) -> widgets.Widget:
    """Run an app source and return its page: the value of the cell's last expression."""
    code = "\n".join(cell.source for cell in read_myst(source).cells if cell.cell_type == "code")
    tree = ast.parse(code)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), f"{source.stem}: the cell must end with the page"
    names = {"__name__": "app"}
    exec(compile(tree, str(source), "exec"), names)
    return eval(compile(ast.Expression(last.value), str(source), "eval"), names)


def parts(widget: widgets.Widget) -> list[widgets.Widget]:
    """The widget and everything inside it."""
    inside = getattr(widget, "children", ())
    return [widget, *(part for child in inside for part in parts(child))]


@pytest.mark.parametrize("source", app_sources(), ids=lambda path: path.stem)
def test_every_app_has_instructions_help_start_again_status_and_credit(source):
    shown = parts(app_page(source))
    html_parts = [part for part in shown if isinstance(part, widgets.HTML)]
    assert any("all apps</a>" in part.value for part in html_parts), "no instructions"
    helps = [part for part in html_parts if "al-help" in part._dom_classes]
    assert len(helps) == 1 and helps[0].value.startswith("<details><summary>")
    assert any("al-status" in part._dom_classes for part in html_parts), "no status line"
    assert any(part.value.startswith("<small>Data: ") for part in html_parts), "no credit"
    restart = [
        part
        for part in shown
        if isinstance(part, widgets.Button) and part.description == "Start again"
    ]
    assert len(restart) == 1, "one Start again button"


@pytest.mark.parametrize("source", app_sources(), ids=lambda path: path.stem)
def test_every_plot_says_what_its_marks_are(source):
    import bqplot as bq

    shown = parts(app_page(source))
    keys = [p for p in shown if isinstance(p, widgets.HTML) and 'aria-label="legend' in p.value]
    for figure in (part for part in shown if isinstance(part, bq.Figure)):
        on_plot = any(
            isinstance(mark, bq.Label) or (mark.display_legend and mark.labels)
            for mark in figure.marks
        )
        assert on_plot or keys, f"{source.stem}: a plot with neither legend, names nor key"
