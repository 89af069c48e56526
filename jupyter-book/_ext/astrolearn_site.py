"""Small Sphinx fixes for the astrolearn course website (a local extension).

1. Duplicate inline scripts.

Jupyter Book 1 with Sphinx 7.4 registers some inline scripts twice (sphinx-thebe's
``const THEBE_JS_URL = ...`` and sphinx-togglebutton's selector): the second
``const`` declaration throws "Identifier 'THEBE_JS_URL' has already been declared" in
the browser on every page. The copies differ only in ``filename`` (``None`` vs ``""``,
both meaning an inline script), so Sphinx's own de-duplication misses them. This
extension drops such duplicates from each page's script and style lists just before the
page is written.

2. Stale widget buffers. nbclient records a widget's state and its binary buffers
separately; when a binary trait is later set to None (bqplot-gl's ``selected`` after a
selection is cleared) the state says None but the old buffer path (``selected/value``)
is kept. html-manager then fails on the whole page ("Cannot set properties of null")
and renders no widget. Buffers whose path no longer leads into the state are dropped
before myst-nb writes the state into the page.

3. The exercise convention (EXERCISES.md) on the page. Lessons tag cells ``exercise``,
``exercise-test`` and ``exercise-written`` and need not add display tags: when myst-nb
renders a code cell, exercise cells get ``hide-input`` (the solution behind a toggle)
and exercise-test cells ``remove-input`` (the hidden tests never reach the page); the
model answer of a written exercise goes into a "Model answer" drop-down when the
notebook is read. Code cells are changed at render time only, because jupyter-cache
hashes code cells with their metadata: tags added when reading would make the cached
execution unrecognisable from the source file.
"""

from __future__ import annotations

import json
import re
from typing import Any

DISPLAY_TAGS = {"exercise": "hide-input", "exercise-test": "remove-input"}
SOLUTION_REGION = re.compile(
    r"^[ \t]*###\s*BEGIN SOLUTION[ \t]*\n(?P<answer>.*?)^[ \t]*###\s*END SOLUTION[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def drop_duplicate_assets(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep the first of identical script/style entries, in their original order."""
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not isinstance(assets, list):
            continue
        seen: set[tuple] = set()
        unique = []
        for asset in assets:
            key_of_asset = _identity(asset)
            if key_of_asset not in seen:
                seen.add(key_of_asset)
                unique.append(asset)
        context[key] = unique


def _identity(asset: Any) -> tuple:
    """What makes two script/style entries the same (an empty filename is no filename)."""
    attributes = getattr(asset, "attributes", {})
    filename = getattr(asset, "filename", asset) or ""
    return (str(filename), getattr(asset, "priority", 500), tuple(sorted(attributes.items())))


def drop_stale_widget_buffers(app, pagename: str, *args: Any) -> None:
    """Remove buffers that point into a None/missing part of the embedded widget state."""
    try:
        from myst_nb.sphinx_ import NbMetadataCollector

        js_files = NbMetadataCollector.get_js_files(app.env, pagename)
    except (ImportError, KeyError, AttributeError):
        return
    entry = js_files.get("ipywidgets_state")
    if not entry:
        return
    uri, attributes = entry
    widget_state = json.loads(attributes["body"])
    if stale_buffers_removed(widget_state):
        body = json.dumps(widget_state).replace("</script>", r"<\/script>")
        js_files["ipywidgets_state"] = (uri, {**attributes, "body": body})


def stale_buffers_removed(widget_state: dict) -> int:
    """Drop, in place, the buffers whose parent path is not a dict/list; return how many.

    >>> state = {"state": {"m": {"state": {"selected": None},
    ...          "buffers": [{"path": ["selected", "value"], "data": "", "encoding": "base64"}]}}}
    >>> stale_buffers_removed(state), state["state"]["m"]["buffers"]
    (1, [])
    """
    removed = 0
    for model in widget_state.get("state", {}).values():
        kept = []
        for buffer in model.get("buffers", []):
            parent: Any = model.get("state", {})
            for key in buffer["path"][:-1]:
                try:
                    parent = parent[key]
                except (KeyError, IndexError, TypeError):
                    parent = None
                    break
            if isinstance(parent, dict | list):
                kept.append(buffer)
            else:
                removed += 1
        if "buffers" in model:
            model["buffers"] = kept
    return removed


def fold_model_answers(notebook) -> None:
    """Put the model answer of each written exercise into a drop-down (in place).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "Why?\\n### BEGIN SOLUTION\\nBecause.\\n### END SOLUTION",
    ...     metadata={"tags": ["exercise-written"]})])
    >>> fold_model_answers(nb)
    >>> print(nb.cells[0].source)
    Why?
    :::{dropdown} Model answer
    Because.
    :::
    """
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown" and "exercise-written" in tags:
            cell.source = SOLUTION_REGION.sub(_dropdown, cell.source)


def display_tags(tags: list[str]) -> list[str]:
    """The tags of a code cell with the display tags its exercise role implies.

    >>> display_tags(["exercise-test"])
    ['exercise-test', 'remove-input']
    """
    extra = [shown for role, shown in DISPLAY_TAGS.items() if role in tags and shown not in tags]
    return [*tags, *extra]


def _dropdown(match: re.Match) -> str:
    return ":::{dropdown} Model answer\n" + match.group("answer").rstrip("\n") + "\n:::"


def _wrap_notebook_reader() -> None:
    """Make myst-nb's Sphinx parser apply the exercise convention to what it reads."""
    import myst_nb.sphinx_ as sphinx_parser

    create_reader = sphinx_parser.create_nb_reader
    if getattr(create_reader, "astrolearn", False):
        return

    def create_nb_reader(*args, **kwargs):
        reader = create_reader(*args, **kwargs)
        if reader is not None:
            read = reader.read

            def read_with_convention(text: str):
                notebook = read(text)
                fold_model_answers(notebook)
                return notebook

            reader.read = read_with_convention
        return reader

    create_nb_reader.astrolearn = True
    sphinx_parser.create_nb_reader = create_nb_reader


def _wrap_code_cell_renderer() -> None:
    """Make myst-nb render exercise code cells with their display tags."""
    from myst_nb.core.render import MditRenderMixin

    render_code_cell = MditRenderMixin.render_nb_cell_code
    if getattr(render_code_cell, "astrolearn", False):
        return

    def render_nb_cell_code(self, token) -> None:
        metadata = token.meta["metadata"]
        tags = display_tags(list(metadata.get("tags", [])))
        if tags != list(metadata.get("tags", [])):
            token.meta["metadata"] = {**metadata, "tags": tags}
        return render_code_cell(self, token)

    render_nb_cell_code.astrolearn = True
    MditRenderMixin.render_nb_cell_code = render_nb_cell_code


def setup(app) -> dict[str, Any]:
    """Register the handler late, after the theme and extensions added their assets."""
    _wrap_notebook_reader()
    _wrap_code_cell_renderer()
    app.connect("html-page-context", drop_duplicate_assets, priority=900)
    # Before myst-nb's own handler (priority 500) adds the widget state to the page.
    app.connect("html-page-context", drop_stale_widget_buffers, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
