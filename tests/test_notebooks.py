"""The one MyST-to-notebook converter (astrolearn.notebooks), on a real graded lesson."""

from __future__ import annotations

import nbformat
import pytest
from astrolearn import content
from astrolearn.notebooks import MystNotebookError, read_myst, write_ipynb

LESSON = content.folder("lessons") / "05-unsupervised-learning" / "lesson.md"


def _graded(notebook) -> dict[str, dict]:
    return {c.metadata["grade_id"]: c.metadata for c in notebook.cells if "grade_id" in c.metadata}


def test_a_lesson_keeps_its_header_kernel_and_grading_metadata():
    notebook = read_myst(LESSON)
    assert notebook.metadata.kernelspec.name == "python3"
    assert notebook.metadata.jupytext.text_representation.format_name == "myst"
    assert notebook.metadata.jupytext.formats == "md:myst"  # paired, as in the source
    graded = _graded(notebook)
    # Both kinds of cell options survive: a code cell's ``:tags:``/``:points:`` lines and
    # a markdown cell's ``+++ {...}`` JSON.
    assert "exercise" in graded["clustering-distance"]["tags"]
    assert "exercise-test" in graded["clustering-distance-test"]["tags"]
    assert isinstance(graded["clustering-distance-test"]["points"], int)
    written = graded["kmeans-versus-density"]
    assert written["tags"] == ["exercise-written"] and written["points"] == 2
    assert [c.cell_type for c in notebook.cells].count("code") > 10


def test_a_standalone_notebook_drops_only_the_pairing(tmp_path):
    target = write_ipynb(LESSON, tmp_path / "lesson.ipynb")
    written = nbformat.read(target, as_version=4)
    nbformat.validate(written)
    assert "formats" not in written.metadata.jupytext
    assert written.metadata.kernelspec.name == "python3"
    assert _graded(written) == _graded(read_myst(LESSON))
    assert [c.source for c in written.cells] == [c.source for c in read_myst(LESSON).cells]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\njupytext: [\nkernelspec: x\n---\n\n# Broken front matter\n", "ParserError"),
        ("# A page\n\n```{code-cell} ipython3\nx = 1\n```\n", "names no kernelspec"),
        ("---\nkernelspec:\n  name: python3\n---\n\n# No display name\n", "display_name"),
    ],
)
def test_an_invalid_file_is_named_in_the_error(tmp_path, text, reason):
    path = tmp_path / "broken-lesson.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MystNotebookError, match=reason) as error:
        read_myst(path)
    assert str(path) in str(error.value)


def test_undecodable_bytes_are_named_in_the_error(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("---\nkernelspec: {name: python3}\n---\n# Caf\xe9\n".encode("latin-1"))
    with pytest.raises(MystNotebookError, match="UnicodeDecodeError") as error:
        read_myst(path)
    assert str(path) in str(error.value)


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothing-here\.md"):
        read_myst(tmp_path / "nothing-here.md")
