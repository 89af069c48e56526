"""Static checks of a lesson's shape (no execution): the parts every lesson must have.

``structure_problems(path, graded=...)`` returns a list of human-readable problems (empty
when the lesson is complete), so a test can ``assert not problems, problems``.
"""

from __future__ import annotations

import re
from pathlib import Path

# Prose headings / phrases every lesson has (issue 6), matched case-insensitively.
REQUIRED_PROSE = {
    "learning objectives": r"learning objectives",
    "level": r"\blevel\b",
    "time needed": r"time( needed)?\s*[:|]|\b\d+\s*(min|minutes|h|hours)\b",
    "quiz": r"\bquiz\b",
    "further reading": r"further reading",
    "data citations": r"citation|acknowledg|cite",
}
GRADE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


def exercise_cells(notebook) -> dict[str, list]:
    """Cells by exercise role: ``exercise``, ``exercise-test``, ``exercise-written``."""
    roles: dict[str, list] = {"exercise": [], "exercise-test": [], "exercise-written": []}
    for cell in notebook.cells:
        for role in roles:
            if role in _tags(cell):
                roles[role].append(cell)
    return roles


def structure_problems(path: Path, graded: bool = False) -> list[str]:
    """Problems with the lesson at ``path``; ``graded`` lessons need 2 autograded + 1 written.

    Example
    -------
    >>> structure_problems(lesson_path(5), graded=True)
    []
    """
    from astrolearn.notebooks import read_myst

    text = Path(path).read_text()
    notebook = read_myst(path)
    problems = []
    header = notebook.metadata
    if header.get("kernelspec", {}).get("name") != "python3":
        problems.append("header: kernelspec name must be python3")
    fmt = header.get("jupytext", {}).get("text_representation", {}).get("format_name")
    if fmt != "myst":
        problems.append(f"header: jupytext format must be myst, got {fmt!r}")
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for part, pattern in REQUIRED_PROSE.items():
        if not re.search(pattern, prose, re.I):
            problems.append(f"prose: no {part}")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    if ".cite(" not in code:
        problems.append("code: no data.cite(...) call for the data used")
    if not re.search(r"dropdown|Quiz\(", text):
        problems.append("quiz: answers must be hidden (a dropdown) or checked (ui.Quiz)")
    problems += _exercise_problems(notebook, graded)
    return problems


def _exercise_problems(notebook, graded: bool) -> list[str]:
    problems = []
    roles = exercise_cells(notebook)
    grade_ids = [c.metadata.get("grade_id") for cells in roles.values() for c in cells]
    for grade_id in grade_ids:
        if not grade_id or not GRADE_ID.match(str(grade_id)):
            problems.append(f"exercise: bad or missing grade_id {grade_id!r}")
    if len(grade_ids) != len(set(grade_ids)):
        problems.append(f"exercise: grade_id not unique: {grade_ids}")
    for cell in roles["exercise"] + roles["exercise-written"]:
        if "### BEGIN SOLUTION" not in cell.source or "### END SOLUTION" not in cell.source:
            problems.append(f"{cell.metadata.get('grade_id')}: no BEGIN/END SOLUTION region")
    for cell in roles["exercise-test"] + roles["exercise-written"]:
        if not isinstance(cell.metadata.get("points"), int):
            problems.append(f"{cell.metadata.get('grade_id')}: points must be an integer")
    for cell in roles["exercise-test"]:
        if not re.search(r"\bcheck_\w+\(", cell.source):
            problems.append(f"{cell.metadata.get('grade_id')}: use astrolearn.grading checks")
    if roles["exercise-test"] and "astrolearn.grading" not in roles["exercise-test"][0].source:
        problems.append("the first exercise-test cell must import from astrolearn.grading")
    if graded:
        hidden = [c for c in roles["exercise-test"] if "### BEGIN HIDDEN TESTS" in c.source]
        if len(hidden) < 2:
            problems.append("graded lesson: needs >= 2 autograded tests with hidden tests")
        if len(roles["exercise"]) < 2:
            problems.append("graded lesson: needs >= 2 exercise cells")
        if len(roles["exercise-written"]) < 1:
            problems.append("graded lesson: needs >= 1 written exercise")
    return problems
