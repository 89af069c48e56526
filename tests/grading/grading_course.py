"""Helpers for the grading tests: a throw-away course and made-up submissions.

Submissions are built from the real release notebook by replacing answer cells, the
way a learner edits them, so the tests exercise the real nbgrader pipeline.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
from pathlib import Path

import nbformat
from astrolearn.grading import assignments, cycle

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_course(root: Path, lessons: dict[str, Path]) -> tuple[Path, Path]:
    """A course folder (the real nbgrader_config.py) and a lessons folder under ``root``."""
    course, lesson_root = root / "course", root / "lessons"
    course.mkdir(parents=True)
    shutil.copy(REPO / "course" / "nbgrader_config.py", course)
    for name, lesson in lessons.items():
        (lesson_root / name).mkdir(parents=True)
        shutil.copy(lesson, lesson_root / name / "lesson.md")
    numbers = sorted({name.split("-")[0] for name in lessons})
    (course / "assignments.toml").write_text(f"graded = {numbers!r}\n")
    return course, lesson_root


FIXTURE = "00-pleiades-fixture"


def release_fixture(root: Path) -> None:
    """Release the fixture lesson in a course under ``root``, for sandboxed grading.

    Skips (fails under CI) where the grading sandbox cannot run. The tests take copies
    of one such release (the ``released_fixture`` fixture in conftest.py).
    """
    from astrolearn.grading import sandbox

    from tests.conftest import require

    require(sandbox.available() == "", "Linux namespaces (unshare, setpriv)", "util-linux")
    course, lessons = make_course(root, {FIXTURE: FIXTURES / FIXTURE / "lesson.md"})
    assert cycle.release(course, lessons, FIXTURE) == 0


def read(course: Path, stage: str, name: str) -> nbformat.NotebookNode:
    return nbformat.read(course / stage / name / f"{name}.ipynb", as_version=4)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def reference(course: Path, name: str) -> nbformat.NotebookNode:
    """The release with every answer cell replaced by the source's solution."""
    source = {grade_id(c): c.source for c in read(course, "source", name).cells}
    notebook = read(course, "release", name)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = source[grade_id(cell)]
    return notebook


def with_cells(notebook, replace: dict[str, str] = (), delete=()) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with cells (by grade_id) rewritten or deleted."""
    notebook = copy.deepcopy(notebook)
    replace = dict(replace)
    notebook.cells = [c for c in notebook.cells if grade_id(c) not in delete]
    for cell in notebook.cells:
        if grade_id(cell) in replace:
            cell.source = replace[grade_id(cell)]
    return notebook


def write_submissions(folder: Path, name: str, submissions: dict) -> Path:
    for student, notebook in submissions.items():
        (folder / student).mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, folder / student / f"{name}.ipynb")
    return folder


def scores(course: Path, name: str) -> dict[str, dict[str, float]]:
    """Per student, the autograded score of each test cell, read from the SQLite gradebook."""
    query = """
        SELECT student.id, base_cell.name, grade.auto_score
        FROM grade
        JOIN grade_cells ON grade.cell_id = grade_cells.id
        JOIN base_cell ON base_cell.id = grade_cells.id
        JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
        JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
        JOIN student ON submitted_assignment.student_id = student.id
        JOIN assignment ON submitted_assignment.assignment_id = assignment.id
        WHERE assignment.name = ? AND grade_cells.cell_type = 'code'
    """
    with sqlite3.connect(course / "gradebook.db") as db:
        rows = db.execute(query, (name,)).fetchall()
    result: dict[str, dict[str, float]] = {}
    for student, cell, score in rows:
        result.setdefault(student, {})[cell] = score
    return result


def run_cycle(
    course: Path, lessons: Path, name: str, submissions: Path, timeout: int = 10, *options: str
):
    """``astrolearn grade cycle`` as the command line runs it; returns the exit status."""
    import argparse

    parser = argparse.ArgumentParser()
    cycle.configure(parser)
    args = parser.parse_args(
        [
            "--course",
            str(course),
            "--lessons",
            str(lessons),
            "cycle",
            name,
            "--from",
            str(submissions),
            "--timeout",
            str(timeout),
            *options,
        ]
    )
    return cycle.run(args)


def processes_of(course: Path) -> list[dict]:
    """Processes still running for ``course``'s grading.

    Other gradings may be running meanwhile (the lessons' tests grade with nbgrader too,
    in another test worker), so only this course's count: a sandboxed kernel and every
    process it forks work in the course's folder, and the sandbox's wrapper names it.
    """
    import psutil

    def of_this_course(process) -> bool:
        try:
            folder = process.cwd()
        except psutil.Error:
            folder = ""
        return folder.startswith(str(course)) or str(course) in " ".join(
            process.info["cmdline"] or ()
        )

    return [
        process.info
        for process in psutil.process_iter(["pid", "uids", "cmdline"])
        if of_this_course(process)
    ]


def release_only(course: Path, lessons: Path, name: str) -> int:
    return cycle.release(course, lessons, name)


__all__ = [
    "assignments",
    "make_course",
    "processes_of",
    "reference",
    "run_cycle",
    "scores",
    "with_cells",
]
