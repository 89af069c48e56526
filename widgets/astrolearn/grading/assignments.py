"""Make nbgrader source notebooks from the lessons' MyST sources.

A lesson's exercises *are* the assignment (see EXERCISES.md): cells tagged
``exercise`` become nbgrader solution cells, ``exercise-test`` become locked autograder
test cells with ``points``, and ``exercise-written`` markdown cells become a locked
prompt followed by a manually graded answer cell. All other code cells are locked (their
source is restored at grading time, so a learner cannot change the setup the tests rely
on); markdown stays as written. Nothing is copied by hand, so the assignment cannot
drift from the lesson.

Examples
--------
>>> from pathlib import Path
>>> from astrolearn.grading.assignments import write_source
>>> write_source(Path("lessons/05-unsupervised-learning/lesson.md"), Path("course"))
... # doctest: +SKIP
PosixPath('course/source/05-unsupervised-learning/05-unsupervised-learning.ipynb')
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from astrolearn import content
from astrolearn.notebooks import read_myst

TAG_SOLUTION, TAG_TEST, TAG_WRITTEN = "exercise", "exercise-test", "exercise-written"
# Tags that only steer the book's rendering; in an assignment every cell is shown.
_BOOK_TAGS = {"hide-input", "remove-input", "hide-output", "remove-output", "hide-cell"}
_BOOK_TAGS |= {"remove-cell", TAG_SOLUTION, TAG_TEST, TAG_WRITTEN}
_GRADE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class LessonFormatError(ValueError):
    """A lesson's exercise cells break the EXERCISES.md convention."""


@dataclass
class AssignmentSummary:
    """What an assignment contains: graded cells and their points."""

    name: str
    lesson: Path
    autograded: dict[str, int] = field(default_factory=dict)
    manual: dict[str, int] = field(default_factory=dict)
    solutions: list[str] = field(default_factory=list)

    @property
    def max_score(self) -> int:
        return sum(self.autograded.values()) + sum(self.manual.values())

    def __str__(self) -> str:
        return (
            f"{self.name}: {len(self.solutions)} exercises, "
            f"{len(self.autograded)} test cells ({sum(self.autograded.values())} points), "
            f"{len(self.manual)} written ({sum(self.manual.values())} points)"
        )


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3}
    meta |= {"solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _check_grade_id(cell, index: int, where: str, seen: set[str]) -> str:
    grade_id = cell.metadata.get("grade_id")
    if not isinstance(grade_id, str) or not _GRADE_ID.match(grade_id):
        raise LessonFormatError(
            f"{where}: cell {index} needs grade_id in lowercase-with-dashes, got {grade_id!r}"
        )
    if grade_id in seen:
        raise LessonFormatError(f"{where}: grade_id {grade_id!r} is used twice")
    seen.add(grade_id)
    return grade_id


def _check_points(cell, grade_id: str, where: str) -> int:
    points = cell.metadata.get("points")
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise LessonFormatError(f"{where}: {grade_id} needs integer points > 0, got {points!r}")
    return points


def _clean(cell, source: str | None = None):
    """A copy of a lesson cell without jupytext/book metadata and outputs."""
    import nbformat

    tags = [t for t in cell.metadata.get("tags", []) if t not in _BOOK_TAGS]
    metadata = {"tags": tags} if tags else {}
    text = cell.source if source is None else source
    if cell.cell_type == "code":
        return nbformat.v4.new_code_cell(text, metadata=metadata)
    return nbformat.v4.new_markdown_cell(text, metadata=metadata)


def _split_written(source: str, grade_id: str, where: str) -> tuple[str, str]:
    begin, end = "### BEGIN SOLUTION", "### END SOLUTION"
    if begin not in source or end not in source:
        raise LessonFormatError(f"{where}: written exercise {grade_id} needs a model answer")
    prompt, rest = source.split(begin, 1)
    answer, after = rest.split(end, 1)
    prompt = (prompt + after).strip()
    return prompt, f"{begin}\n{answer.strip()}\n{end}"


def lesson_to_assignment(lesson_nb, name: str, where: str = "lesson"):
    """Turn a lesson notebook (read from MyST) into an nbgrader source notebook.

    Parameters
    ----------
    lesson_nb : nbformat.NotebookNode
        The lesson as read by :func:`astrolearn.notebooks.read_myst`.
    name : str
        Assignment name (also the notebook name).
    where : str
        Text naming the lesson in error messages.

    Returns
    -------
    notebook : nbformat.NotebookNode
    summary : AssignmentSummary

    Raises
    ------
    LessonFormatError
        For a missing or duplicate grade_id, bad points, or a missing solution region.
    """
    import nbformat

    summary = AssignmentSummary(name=name, lesson=Path(where))
    seen: set[str] = set()
    cells = [_header(lesson_nb, name)]
    for index, cell in enumerate(lesson_nb.cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and TAG_SOLUTION in tags:
            grade_id = _check_grade_id(cell, index, where, seen)
            if "### BEGIN SOLUTION" not in cell.source:
                raise LessonFormatError(f"{where}: exercise {grade_id} has no solution region")
            new = _clean(cell)
            new.metadata.nbgrader = _meta(grade_id, grade=False, solution=True, locked=False)
            summary.solutions.append(grade_id)
        elif cell.cell_type == "code" and TAG_TEST in tags:
            grade_id = _check_grade_id(cell, index, where, seen)
            points = _check_points(cell, grade_id, where)
            new = _clean(cell)
            new.metadata.nbgrader = _meta(
                grade_id, grade=True, solution=False, locked=True, points=points
            )
            summary.autograded[grade_id] = points
        elif cell.cell_type == "markdown" and TAG_WRITTEN in tags:
            grade_id = _check_grade_id(cell, index, where, seen)
            points = _check_points(cell, grade_id, where)
            prompt_text, answer_text = _split_written(cell.source, grade_id, where)
            prompt = _clean(cell, prompt_text)
            prompt.metadata.nbgrader = _meta(
                f"{grade_id}-prompt", grade=False, solution=False, locked=True
            )
            cells.append(prompt)
            new = _clean(cell, answer_text)
            new.metadata.nbgrader = _meta(
                grade_id, grade=True, solution=True, locked=False, points=points
            )
            summary.manual[grade_id] = points
        elif "### BEGIN SOLUTION" in cell.source or "### BEGIN HIDDEN" in cell.source:
            raise LessonFormatError(
                f"{where}: cell {index} has a solution or hidden-test region but no "
                "exercise, exercise-test or exercise-written tag"
            )
        elif cell.cell_type == "code":
            new = _clean(cell)
            new.metadata.nbgrader = _meta(
                f"{name}-setup-{index}", grade=False, solution=False, locked=True
            )
        else:
            new = _clean(cell)
        cells.append(new)
    if not summary.autograded:
        raise LessonFormatError(f"{where}: no exercise-test cells, nothing to grade")
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    return notebook, summary


def _header(lesson_nb, name: str):
    import nbformat

    title = next(
        (
            line.lstrip("# ").strip()
            for c in lesson_nb.cells
            if c.cell_type == "markdown"
            for line in c.source.splitlines()
            if line.startswith("# ")
        ),
        name,
    )
    text = (
        f"# Assignment: {title}\n\n"
        "Write your answers in the cells that say `YOUR CODE HERE` or `YOUR ANSWER HERE`, "
        "keeping the variable names the exercise asks for. Run the test cells below each "
        "exercise to check your work: they give hints. More (hidden) tests run when your "
        "work is graded. Do not delete or copy test cells; the grader restores them.\n\n"
        "Before submitting: *Kernel → Restart Kernel and Run All Cells*."
    )
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata.nbgrader = _meta(f"{name}-header", grade=False, solution=False, locked=True)
    return cell


def write_source(lesson: Path, course_dir: Path, name: str | None = None) -> Path:
    """Write ``course_dir/source/<name>/<name>.ipynb`` from a lesson and return its path.

    ``name`` defaults to the lesson's folder name (for example ``05-unsupervised-learning``).
    """
    import nbformat

    lesson = Path(lesson)
    name = name or lesson.parent.name
    notebook, _ = lesson_to_assignment(read_myst(lesson), name, where=str(lesson))
    target = Path(course_dir) / "source" / name / f"{name}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def summarize(lesson: Path, name: str | None = None) -> AssignmentSummary:
    """The graded cells and points of a lesson, without writing anything."""
    lesson = Path(lesson)
    _, summary = lesson_to_assignment(
        read_myst(lesson), name or lesson.parent.name, where=str(lesson)
    )
    summary.lesson = lesson
    return summary


def graded_lessons(lessons_dir: Path | None = None, course_dir: Path | None = None) -> dict:
    """Map assignment name to lesson path for the lessons listed in ``assignments.toml``.

    ``course_dir/assignments.toml`` lists lesson number prefixes (``graded = ["02", ...]``);
    a listed lesson folder that does not exist yet is skipped. Both folders default to
    those of the content root (:mod:`astrolearn.content`).
    """
    lessons_dir = content.folder("lessons") if lessons_dir is None else lessons_dir
    course_dir = content.folder("course") if course_dir is None else course_dir
    config = Path(course_dir) / "assignments.toml"
    prefixes = tomllib.loads(config.read_text())["graded"] if config.exists() else None
    found = {}
    for lesson in sorted(Path(lessons_dir).glob("*/lesson.md")):
        number = lesson.parent.name.split("-", 1)[0]
        if prefixes is None or number in prefixes:
            found[lesson.parent.name] = lesson
    return found
