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
before myst-nb writes the state into the page. In the same state, every ipywidgets
button is disabled and its tooltip says how to use it: a button only asks the kernel to
act, and a static page has none, so it would do nothing when pressed.

3. The exercise convention (EXERCISES.md) on the page. Lessons tag cells ``exercise``,
``exercise-test`` and ``exercise-written`` and need not add display tags. When the
notebook is read, the question of each exercise cell (its comment lines before
``### BEGIN SOLUTION``) becomes a visible paragraph before the cell. When myst-nb
renders a code cell, exercise-test cells get ``remove-input`` (the hidden tests never
reach the page) and exercise cells show only their solution, without the question or
the markers, behind a toggle (``hide-input``). Code cells are changed at render time
only, because jupyter-cache hashes code cells with their metadata: tags or source
changed when reading would make the cached execution unrecognisable from the source.

4. Glossary links. A lesson writes a term in bold (``**cross-match**``), which every
rendering shows well; a ``{term}`` role would show raw in JupyterLab and in the nbgrader
notebooks, which do not render MyST roles. When the book reads a lesson, a bold phrase
that is a term of ``glossary.md`` (ignoring case, or with a plural ``s``) becomes a link
to its entry.

5. Public and instructor books. The lessons graded as assignments
(``course/assignments.toml`` beside the book folder) show no solution on the public
site: their exercise cells are removed (input and output) and their written answers'
model answers and rubrics are dropped. ``astrolearn book --instructor`` sets
``ASTROLEARN_BOOK_INSTRUCTOR=1``, and then every solution and model answer is shown in
a drop-down, for teachers.

6. astrolearn's static files. Aladin Lite and the bundled HiPS tiles are copied into the
site's ``_static/astrolearn/`` once the pages are written (see ``publish_sky_files``),
with the script and style that every page loads so that a toggle button that is on says
so by more than its shade (``PAGE_FILES`` of astrolearn/static_files.py, as in the apps
and JupyterLab).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

DISPLAY_TAGS = {"exercise": "hide-input", "exercise-test": "remove-input"}
#: What a graded lesson's exercise cell gets on the public site: nothing of it is shown.
PUBLIC_GRADED_TAGS = ("remove-input", "remove-output")
INSTRUCTOR_ENV = "ASTROLEARN_BOOK_INSTRUCTOR"
SOLUTION_REGION = re.compile(
    r"^[ \t]*###\s*BEGIN SOLUTION[ \t]*\n(?P<answer>.*?)^[ \t]*###\s*END SOLUTION[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_LESSON_FOLDER = re.compile(r"(?:^|/)lessons/(\d+)-[^/]+/")


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


def fix_widget_state(app, pagename: str, *args: Any) -> None:
    """Remove stale buffers from the embedded widget state and disable its buttons."""
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
    if stale_buffers_removed(widget_state) + kernel_buttons_disabled(widget_state):
        body = json.dumps(widget_state).replace("</script>", r"<\/script>")
        js_files["ipywidgets_state"] = (uri, {**attributes, "body": body})


#: The tooltip of a button on the static site (see ``kernel_buttons_disabled``).
NEEDS_PYTHON = (
    "Needs Python: run this lesson to use it (the rocket button at the top opens it on "
    "Binder; on your computer: pip install astrolearn, then astrolearn lab)"
)


def kernel_buttons_disabled(widget_state: dict) -> int:
    """Disable, in place, every ipywidgets button, saying why; return how many.

    A button's click is a message to the kernel, so without one it is dead; toggles,
    menus and sliders are left alone, as they change the page's own state.

    >>> state = {"state": {"b": {"model_name": "ButtonModel",
    ...     "model_module": "@jupyter-widgets/controls", "state": {"disabled": False}}}}
    >>> kernel_buttons_disabled(state), state["state"]["b"]["state"]["disabled"]
    (1, True)
    """
    disabled = 0
    for model in widget_state.get("state", {}).values():
        if (model.get("model_module"), model.get("model_name")) != (
            "@jupyter-widgets/controls",
            "ButtonModel",
        ):
            continue
        model.setdefault("state", {}).update(disabled=True, tooltip=NEEDS_PYTHON)
        disabled += 1
    return disabled


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


def instructor_build() -> bool:
    """True when the book is built for teachers (``astrolearn book --instructor``)."""
    return os.environ.get(INSTRUCTOR_ENV, "") not in ("", "0")


def graded_numbers(book_dir: Path | str) -> set[str]:
    """Lesson numbers listed as graded in ``course/assignments.toml`` beside the book.

    >>> graded_numbers("/nonexistent/jupyter-book")
    set()
    """
    config = Path(book_dir).resolve().parent / "course" / "assignments.toml"
    if not config.is_file():
        return set()
    return {str(number) for number in tomllib.loads(config.read_text())["graded"]}


def is_graded_page(path: str, graded: set[str]) -> bool:
    """Whether a source file is the page of a graded lesson (``lessons/NN-slug/...``).

    >>> is_graded_page("/x/jupyter-book/lessons/05-unsupervised-learning/lesson.md", {"05"})
    True
    """
    match = _LESSON_FOLDER.search(Path(path).as_posix())
    return bool(match) and match.group(1) in graded


def exercise_question(source: str) -> str:
    """The question of an exercise cell: its comment lines before the solution region.

    >>> exercise_question("# Exercise: store 1 in `x`.\\n### BEGIN SOLUTION\\nx = 1\\n")
    'Exercise: store 1 in `x`.'
    """
    head = source.split("### BEGIN SOLUTION", 1)[0]
    lines = [line.strip() for line in head.splitlines()]
    return " ".join(line.lstrip("#").strip() for line in lines if line.startswith("#")).strip()


def exercise_solution(source: str) -> str:
    """The code of an exercise cell's solution region (the whole cell if it has none).

    >>> exercise_solution("# Exercise: ...\\n### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
    'x = 1'
    """
    match = SOLUTION_REGION.search(source)
    return match.group("answer").strip("\n") if match else source


def fold_model_answers(notebook, *, public_graded: bool = False) -> None:
    """Put the model answer of each written exercise into a drop-down (in place).

    On the public page of a graded lesson (``public_graded``) the model answer is dropped.

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
    replace = (lambda match: "") if public_graded else _dropdown
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown" and "exercise-written" in tags:
            cell.source = SOLUTION_REGION.sub(replace, cell.source).rstrip()


QUESTION_PREFIX = re.compile(r"^Exercise\s*(?P<objectives>\([^)]*\))?\s*:\s*")


def question_paragraph(question: str) -> str:
    """The Markdown paragraph that states an exercise's question on the page.

    >>> question_paragraph("Exercise (objective 5): compute `d`.")
    '**Exercise (objective 5).** Compute `d`.'
    """
    match = QUESTION_PREFIX.match(question)
    label = "Exercise"
    if match:
        if match.group("objectives"):
            label += " " + match.group("objectives")
        question = question[match.end() :]
    return f"**{label}.** {question[:1].upper()}{question[1:]}"


def show_exercise_questions(notebook) -> None:
    """Put each exercise's question in a visible paragraph before its code cell (in place).

    Only markdown cells are added: jupyter-cache matches code cells in order. The MyST
    reader's ``source_map`` (a line per cell) gets the exercise's line for the new cell.
    """
    import nbformat

    source_map = notebook.get("metadata", {}).get("source_map")
    cells, lines = [], []
    for index, cell in enumerate(notebook.cells):
        line = source_map[index] if source_map else None
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and "exercise" in tags:
            question = exercise_question(cell.source)
            if question:
                cells.append(nbformat.v4.new_markdown_cell(question_paragraph(question)))
                lines.append(line)
        cells.append(cell)
        lines.append(line)
    notebook.cells = cells
    if source_map:
        notebook.metadata["source_map"] = lines


BOLD = re.compile(r"\*\*(?P<shown>[^*`\n]+)\*\*")
GLOSSARY_BLOCK = re.compile(r"^```\{glossary\}[^\n]*\n(?P<body>.*?)^```", re.DOTALL | re.MULTILINE)


def glossary_terms(glossary: str) -> dict[str, str]:
    """The terms of a MyST glossary page, by their lower-case form.

    >>> glossary_terms("```{glossary}\\nADQL\\n  A language.\\n```\\n")
    {'adql': 'ADQL'}
    """
    terms = {}
    for block in GLOSSARY_BLOCK.finditer(glossary):
        for line in block.group("body").splitlines():
            if line.strip() and not line[0].isspace():
                terms[line.strip().lower()] = line.strip()
    return terms


def link_glossary_terms(text: str, terms: dict[str, str]) -> str:
    """Bold glossary terms of a Markdown text as links to the glossary.

    >>> link_glossary_terms("a **cross-matches** and **b**", {"cross-match": "Cross-match"})
    'a **{term}`cross-matches <Cross-match>`** and **b**'
    """

    def link(match: re.Match) -> str:
        shown = match.group("shown")
        key = shown.strip().lower()
        term = terms.get(key) or (terms.get(key[:-2]) if key.endswith("es") else None)
        term = term or (terms.get(key[:-1]) if key.endswith("s") else None)
        return f"**{{term}}`{shown} <{term}>`**" if term else match.group(0)

    return BOLD.sub(link, text)


def link_notebook_glossary_terms(notebook, terms: dict[str, str]) -> None:
    """:func:`link_glossary_terms` on every markdown cell of a notebook (in place)."""
    if terms:
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = link_glossary_terms(cell.source, terms)


#: A code cell that makes a quiz (``astrolearn.ui.Quiz``): its source holds the answers.
QUIZ_CELL = re.compile(r"\bQuiz\(")


def display_tags(tags: list[str], *, public_graded: bool = False, quiz: bool = False) -> list[str]:
    """The tags of a code cell with the display tags its role implies.

    A quiz shows its questions, not the code that holds its answers.

    >>> display_tags(["exercise-test"])
    ['exercise-test', 'remove-input']
    >>> display_tags(["exercise"], public_graded=True)
    ['exercise', 'remove-input', 'remove-output']
    >>> display_tags([], quiz=True)
    ['remove-input']
    """
    roles = dict(DISPLAY_TAGS)
    extra = [shown for role, shown in roles.items() if role in tags and shown not in tags]
    if quiz and "remove-input" not in tags:
        extra.append("remove-input")
    if public_graded and "exercise" in tags:
        extra = [t for t in extra if t != "hide-input"]
        extra += [t for t in PUBLIC_GRADED_TAGS if t not in tags and t not in extra]
    return [*tags, *extra]


def _dropdown(match: re.Match) -> str:
    return ":::{dropdown} Model answer\n" + match.group("answer").rstrip("\n") + "\n:::"


#: The book folder (Sphinx's confdir), set by :func:`setup`.
_BOOK_DIR: list[Path] = []


def _glossary_terms() -> dict[str, str]:
    """The book's glossary terms (``glossary.md`` beside ``_config.yml``), if it has one."""
    glossary = _BOOK_DIR[0] / "glossary.md" if _BOOK_DIR else None
    if glossary is None or not glossary.is_file():
        return {}
    return glossary_terms(glossary.read_text(encoding="utf-8"))


def _public_graded(path: str) -> bool:
    """A page of a graded lesson in the public (not instructor) build."""
    if instructor_build() or not _BOOK_DIR:
        return False
    return is_graded_page(path, graded_numbers(_BOOK_DIR[0]))


def _wrap_notebook_reader() -> None:
    """Make myst-nb's Sphinx parser apply the exercise convention to what it reads."""
    import myst_nb.sphinx_ as sphinx_parser

    create_reader = sphinx_parser.create_nb_reader
    if getattr(create_reader, "astrolearn", False):
        return

    def create_nb_reader(*args, **kwargs):
        reader = create_reader(*args, **kwargs)
        path = str(args[0] if args else kwargs.get("path", ""))
        if reader is not None:
            read = reader.read

            def read_with_convention(text: str):
                notebook = read(text)
                fold_model_answers(notebook, public_graded=_public_graded(path))
                show_exercise_questions(notebook)
                link_notebook_glossary_terms(notebook, _glossary_terms())
                return notebook

            reader.read = read_with_convention
        return reader

    create_nb_reader.astrolearn = True
    sphinx_parser.create_nb_reader = create_nb_reader


def _wrap_code_cell_renderer() -> None:
    """Make myst-nb render exercise and quiz code cells with their display tags."""
    from myst_nb.core.render import MditRenderMixin

    render_code_cell = MditRenderMixin.render_nb_cell_code
    if getattr(render_code_cell, "astrolearn", False):
        return

    def render_nb_cell_code(self, token) -> None:
        metadata = token.meta["metadata"]
        original = list(metadata.get("tags", []))
        public_graded = "exercise" in original and _public_graded(self.document["source"])
        quiz = bool(QUIZ_CELL.search(token.content))
        tags = display_tags(original, public_graded=public_graded, quiz=quiz)
        if tags != original:
            token.meta["metadata"] = {**metadata, "tags": tags}
        if "exercise" in original:
            # The question is shown above the cell; the toggle holds the solution only.
            attribute_token = token._attribute_token()
            attribute_token.content = exercise_solution(attribute_token.content) + "\n"
        return render_code_cell(self, token)

    render_nb_cell_code.astrolearn = True
    MditRenderMixin.render_nb_cell_code = render_nb_cell_code


def publish_sky_files(app, exception) -> None:
    """Aladin Lite, the sky's tiles and the toggle files into ``_static/astrolearn``.

    The sky viewer's widget state names them instead of holding them (the widget's
    module finds them beneath the page's content root; astrolearn/static_files.py).
    """
    if exception is None and app.builder.format == "html":
        from astrolearn import static_files

        static_files.publish(Path(app.outdir) / "_static" / static_files.PREFIX)


def setup(app) -> dict[str, Any]:
    """Register the handler late, after the theme and extensions added their assets."""
    _BOOK_DIR[:] = [Path(app.confdir)]
    _wrap_notebook_reader()
    _wrap_code_cell_renderer()
    app.connect("html-page-context", drop_duplicate_assets, priority=900)
    # Before myst-nb's own handler (priority 500) adds the widget state to the page.
    app.connect("html-page-context", fix_widget_state, priority=400)
    app.connect("build-finished", publish_sky_files)
    # On every page: a toggle that is on says so by more than its shade. The files are
    # written with the sky's (publish_sky_files).
    from astrolearn.static_files import PREFIX

    app.add_js_file(f"{PREFIX}/static/toggle-state.js")
    app.add_css_file(f"{PREFIX}/static/toggle-state.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
