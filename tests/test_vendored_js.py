"""Vendored JavaScript matches the packages it was taken from, as locked and installed here.

Three places hold JavaScript copied from packages, each with its versions recorded:

- ``widgets/astrolearn/static/aladin-*.js`` (Aladin Lite from npm, patched ipyaladin
  widget code), versions in each file's first line; written by ``tools/vendor-js.sh``.
- ``jupyter-book/_assets/widgets/`` (the book's widget manager and widget bundles) and
  ``jupyter-book/_assets/mathjax/``, versions in ``_assets/widgets/VERSIONS.txt``;
  written by ``tools/vendor-book-js.sh``.
- ``tests/book/vendor/axe.min.js`` (axe-core), version in ``VERSIONS.txt`` beside it;
  written by ``tools/vendor-book-js.sh``.

After an upgrade of a Python package in ``constraints.txt``, these tests say which copy is
stale and how to refresh it, instead of a widget failing in a browser later.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_lock import locked_pins

STATIC = REPO / "widgets" / "astrolearn" / "static"
WIDGETS = REPO / "jupyter-book" / "_assets" / "widgets"
AXE = REPO / "tests" / "book" / "vendor"
BOOK_SCRIPT = REPO / "tools" / "vendor-book-js.sh"
REFRESH_ALADIN = "refresh it: bash tools/vendor-js.sh (needs npm), then commit static/"
REFRESH_BOOK = (
    "refresh it: set the version in tools/vendor-book-js.sh if it is an npm package, "
    "run bash tools/vendor-book-js.sh (needs npm), then commit the vendored files"
)


def _recorded(versions_file: Path) -> dict[str, str]:
    """{package: version} from a VERSIONS.txt ("name version (source): licence")."""
    found = re.findall(r"^(\S+) (\d\S*) \(", versions_file.read_text(), re.M)
    assert found, f"{versions_file.relative_to(REPO)} records no versions"
    return dict(found)


def _script_pin(variable: str) -> str:
    match = re.search(rf"^{variable}=(\S+)", BOOK_SCRIPT.read_text(), re.M)
    assert match, f"tools/vendor-book-js.sh sets no {variable}"
    return match.group(1)


def _caret_allows(spec: str, version: str) -> bool:
    """npm's ``^x.y.z`` (same major, at least x.y.z) and ``~x.y.*`` (same x.y) ranges."""
    wanted = [int(part) for part in re.findall(r"\d+", spec)]
    have = [int(part) for part in re.findall(r"\d+", version)][:3]
    if spec.startswith("~"):
        return have[:2] == wanted[:2]
    assert spec.startswith("^"), f"unexpected npm range {spec!r}"
    return have[0] == wanted[0] and have >= wanted


@pytest.mark.parametrize("name", ["aladin-lite.js", "aladin-widget.js"])
def test_aladin_lite_is_the_version_the_locked_ipyaladin_loads(name):
    import ipyaladin

    header = (STATIC / name).read_text(encoding="utf-8")[:400]
    match = re.search(r"aladin-lite (\S+) \(npm.*ipyaladin (\S+) \(", header)
    assert match, f"static/{name}: no 'aladin-lite X (npm...), ipyaladin Y (' header"
    aladin, recorded_ipyaladin = match.groups()
    locked = locked_pins()["ipyaladin"]
    assert recorded_ipyaladin == locked, (
        f"static/{name} was taken from ipyaladin {recorded_ipyaladin}, the lock has "
        f"{locked}: {REFRESH_ALADIN}"
    )
    # What the installed ipyaladin imports from the CDN (tools/vendor-js.sh reads the same).
    widget_js = (Path(ipyaladin.__file__).parent / "static" / "widget.js").read_text()
    wanted = re.findall(r"esm\.sh/aladin-lite@([0-9A-Za-z.-]+)", widget_js)
    assert wanted, "ipyaladin's widget.js no longer imports aladin-lite from esm.sh"
    assert {aladin} == set(wanted), (
        f"static/{name} holds aladin-lite {aladin}, ipyaladin {ipyaladin.__version__} "
        f"loads {sorted(set(wanted))}: {REFRESH_ALADIN}"
    )


@pytest.mark.parametrize("name", ["bqplot", "bqplot-gl", "bqscales"])
def test_widget_bundles_are_the_locked_wheels_own(name):
    recorded = _recorded(WIDGETS / "VERSIONS.txt")[name]
    locked = locked_pins()[name]
    assert recorded == locked, (
        f"_assets/widgets/{name} records {name} {recorded}, the lock has {locked}: {REFRESH_BOOK}"
    )
    installed = Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / name / "index.js"
    assert installed.is_file(), f"{installed.name} of {name} is not installed: pip install"
    vendored = WIDGETS / name / "index.js"
    assert vendored.read_bytes() == installed.read_bytes(), (
        f"_assets/widgets/{name}/index.js differs from the installed {name}'s bundle: "
        f"{REFRESH_BOOK}"
    )


def test_anywidget_bundle_is_the_locked_anywidget():
    from anywidget import AnyWidget

    recorded = _recorded(WIDGETS / "VERSIONS.txt")["anywidget"]
    assert recorded == locked_pins()["anywidget"] == _script_pin("ANYWIDGET_VERSION"), (
        f"_assets/widgets/anywidget records {recorded}, the lock has "
        f"{locked_pins()['anywidget']}: {REFRESH_BOOK}"
    )
    code = (WIDGETS / "anywidget" / "index.js").read_text(encoding="utf-8")
    assert f'version = "{recorded}"' in code, "anywidget/index.js is not the version recorded"
    wanted = AnyWidget._model_module_version.default_value
    assert _caret_allows(wanted, recorded), (
        f"the Python anywidget asks for front end {wanted}, the book has {recorded}: "
        f"{REFRESH_BOOK}"
    )


def test_html_manager_speaks_the_locked_ipywidgets_protocol():
    import ipywidgets

    recorded = _recorded(WIDGETS / "VERSIONS.txt")["@jupyter-widgets/html-manager"]
    assert recorded == _script_pin("HTML_MANAGER_VERSION"), REFRESH_BOOK
    wanted = ipywidgets._version.__html_manager_version__
    assert _caret_allows(wanted, recorded), (
        f"ipywidgets {ipywidgets.__version__} needs html-manager {wanted}, the book has "
        f"{recorded}: {REFRESH_BOOK}"
    )


def test_requirejs_and_mathjax_are_the_refresh_scripts_versions():
    recorded = _recorded(WIDGETS / "VERSIONS.txt")
    assert recorded["requirejs"] == _script_pin("REQUIREJS_VERSION"), REFRESH_BOOK
    require = (WIDGETS / "require.js").read_text(encoding="utf-8")
    assert f"version = '{recorded['requirejs']}'" in require, "require.js is not as recorded"
    assert recorded["mathjax"] == _script_pin("MATHJAX_VERSION"), REFRESH_BOOK
    # Sphinx's own MathJax (the one the vendored copy replaces) is the same major version.
    from sphinx.ext import mathjax

    major = re.search(r"mathjax@(\d+)", mathjax.MATHJAX_URL).group(1)
    assert recorded["mathjax"].split(".")[0] == major, (
        f"Sphinx loads MathJax {major}, the book vendors {recorded['mathjax']}: {REFRESH_BOOK}"
    )


def test_axe_core_is_the_recorded_version():
    recorded = _recorded(AXE / "VERSIONS.txt")["axe-core"]
    assert recorded == _script_pin("AXE_CORE_VERSION"), REFRESH_BOOK
    first_line = (AXE / "axe.min.js").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"/*! axe v{recorded}", (
        f"tests/book/vendor/axe.min.js starts {first_line!r}, VERSIONS.txt says "
        f"{recorded}: {REFRESH_BOOK}"
    )


def test_the_checks_can_fail():
    """The version comparisons reject what they must (a stale copy would pass otherwise)."""
    assert _caret_allows("^1.0.1", "1.0.15") and not _caret_allows("^1.0.1", "2.0.0")
    assert not _caret_allows("^1.0.1", "1.0.0")
    assert _caret_allows("~0.11.*", "0.11.0") and not _caret_allows("~0.11.*", "0.12.0")
