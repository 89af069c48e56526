"""MyST Markdown notebooks (lessons, apps) turned into Jupyter notebooks.

The one converter every part of the project uses: the app server, the grading, the
Binder set-up and the tests. A MyST notebook is a Markdown file whose front matter names
a ``kernelspec`` (jupytext's MyST format); its cells keep their metadata (tags, grade ids,
points), which the grading and the book rely on.

Only jupytext and nbformat are imported: no widgets.

Examples
--------
>>> from astrolearn import content, notebooks
>>> lesson = content.folder("lessons") / "05-unsupervised-learning" / "lesson.md"
>>> notebooks.read_myst(lesson).metadata.kernelspec.name
'python3'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["MystNotebookError", "read_myst", "write_ipynb"]


class MystNotebookError(ValueError):
    """A file is not a readable MyST notebook; the message names the file and why."""


def read_myst(path: Path | str, *, standalone: bool = False):
    """Read the MyST Markdown notebook at ``path``.

    Parameters
    ----------
    path : Path or str
        A ``.md`` file with a MyST notebook header (``kernelspec`` in its front matter).
    standalone : bool
        Drop the pairing (``jupytext.formats``) from the metadata, for a notebook that is
        written as ``.ipynb`` and opened on its own: with the pairing kept, jupytext's
        contents manager in JupyterLab and Voila refuses to open the ``.ipynb`` (its
        path "matches none of the export formats").

    Returns
    -------
    nbformat.NotebookNode
        The notebook (version 4), with the front matter as notebook metadata and each
        cell's options (tags, grade ids, points) as cell metadata.

    Raises
    ------
    MystNotebookError
        If the file cannot be decoded or parsed, or has no kernel specification.
    OSError
        If the file is missing or cannot be read (``FileNotFoundError``, ...).
    """
    import jupytext

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        notebook = jupytext.reads(text, fmt="md:myst")
    except OSError:
        raise  # a missing or unreadable file: the error names it already
    except Exception as error:  # yaml, jsonschema, unicode: none of them names the file
        reason = next(iter(str(error).strip().splitlines()), "")
        raise MystNotebookError(
            f"{path}: not a readable MyST notebook ({type(error).__name__}: {reason})"
        ) from error
    if not notebook.metadata.get("kernelspec", {}).get("name"):
        raise MystNotebookError(
            f"{path}: not a MyST notebook: its front matter names no kernelspec "
            "(start it with '---', a 'kernelspec:' with 'name: python3', then '---')"
        )
    if standalone:
        notebook.metadata.get("jupytext", {}).pop("formats", None)
    return notebook


def write_ipynb(source: Path | str, target: Path | str) -> Path:
    """Convert the MyST notebook ``source`` into a standalone ``.ipynb`` at ``target``.

    Returns ``target``. Raises like :func:`read_myst`.
    """
    import nbformat

    target = Path(target)
    nbformat.write(read_myst(source, standalone=True), target)
    return target
