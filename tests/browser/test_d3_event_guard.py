"""The @astrolearn/d3-event lab extension patches only the bqplot versions that need it.

Its two fixes (window.event answered with d3's event, the lasso asked with arrays) were
measured for bqplot 0.13 (front end 0.6) beside bqplot-gl 0.1; other versions must be left
alone. The extension is run in Chromium with share scopes as JupyterLab builds them (module
name -> version -> {get}), so the guard is checked in the engine that runs it.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import astrolearn
import pytest

EXTENSION = Path(astrolearn.__file__).parent / "labextension" / "static" / "remoteEntry.js"


#: Loads the extension, offers bqplot, bqplot-gl and d3 at the given versions, loads d3
#: while it dispatches an event, and reports what the page's window.event answered.
SCENARIO = """([bqplot, bqplotGl]) => {
  const container = window._JUPYTERLAB["@astrolearn/d3-event"];
  const d3 = { event: null };
  const scope = { d3: { "5.16.0": { get: () => () => d3 } } };
  if (bqplot) scope.bqplot = { [bqplot]: { get: () => () => ({}) } };
  if (bqplotGl) scope["bqplot-gl"] = { [bqplotGl]: { get: () => () => ({}) } };
  container.init(scope);
  scope.d3["5.16.0"].get()();
  d3.event = { type: "brush-from-d3" };
  const seen = window.event;
  return { affected: container.affected(scope), seen: seen ? seen.type : null };
}"""


@pytest.mark.browser
@pytest.mark.parametrize(
    ("bqplot", "bqplot_gl", "patched"),
    [
        ("0.6.1", "0.1.1", True),  # the locked pair, measured to need it
        ("0.6.3", "0.1.0", True),  # same minor versions
        ("0.7.0", "0.1.1", False),  # a newer bqplot front end
        ("0.6.1", "0.2.0", False),  # a newer bqplot-gl
        ("0.6.1", None, False),  # bqplot alone: its own d3 is used, nothing to fix
        (None, None, False),
    ],
)
def test_window_event_is_patched_only_for_the_affected_versions(
    extension_page, bqplot, bqplot_gl, patched
):
    result = extension_page.evaluate(SCENARIO, [bqplot, bqplot_gl])
    assert result["affected"] is patched, json.dumps(result)
    # Outside an event handler the browser's own window.event is undefined.
    assert result["seen"] == ("brush-from-d3" if patched else None), json.dumps(result)


def test_the_locked_versions_are_the_ones_the_workaround_covers():
    """An upgrade of bqplot or bqplot-gl turns the workaround off: re-measure, then say so."""
    from bqplot.marks import Scatter

    affected = dict(re.findall(r'"?([\w-]+)"?: "(\d+\.\d+)\."', _affected_line()))
    assert set(affected) == {"bqplot", "bqplot-gl"}, _affected_line()
    front_end = Scatter._model_module_version.default_value.lstrip("^~")
    installed = {"bqplot": front_end, "bqplot-gl": version("bqplot-gl")}
    for name, prefix in affected.items():
        assert installed[name].startswith(prefix + "."), (
            f"{name} {installed[name]} is outside the d3-event workaround's AFFECTED "
            f"({prefix}.x): run tests/browser/test_widgets.py (brush and lasso on WebGL "
            "marks); if they pass, remove the workaround, else add this version to AFFECTED"
        )


def _affected_line() -> str:
    (line,) = [line for line in EXTENSION.read_text().splitlines() if "const AFFECTED" in line]
    return line
