"""Check submissions against the released notebook before nbgrader grades them.

nbgrader restores an edited test cell silently, and scores a *deleted* test cell 0
without a word (unless ``OverwriteCells.add_missing_cells`` puts it back, which our
course config does). Either way the instructor should know. ``check_submission``
compares a submitted notebook with the release, cell by cell (by ``grade_id``), and
returns findings: deleted or edited test cells, changed grading metadata, duplicated
cells, deleted answer cells, and code that looks like tampering (patching the checking
helpers, reading course files) for a human to review. It never changes a file.

It also explains nbgrader's false alarm: the release holds test cells *without* their
hidden tests, so for every learner nbgrader warns that the checksum of each test cell
with hidden tests "has changed" while it restores the hidden tests, as intended.
``expected_checksum_warnings`` lists those cells so the report can drop the noise.

Examples
--------
>>> import nbformat
>>> cell = nbformat.v4.new_code_cell("check_close('x', x, 1)")
>>> cell.metadata.nbgrader = {"grade_id": "x-test", "grade": True, "solution": False,
...                           "locked": True, "points": 1}
>>> release = nbformat.v4.new_notebook(cells=[cell])
>>> [f.kind for f in check_submission(release, nbformat.v4.new_notebook())]
['deleted-test']
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Code in an answer cell that may try to defeat the tests or read what it should not.
SUSPICIOUS = {
    r"astrolearn\.grading|import grading|setattr\s*\(": "touches the checking helpers",
    r"\bsys\.modules\b|\bbuiltins\b|__import__|importlib\.reload": "rewires imports",
    r"gradebook|\.ipynb\b|\bsource/|\bnbgrader\b|autograded|lesson\.md": "reads course files",
    r"\b(os\.walk|listdir|scandir|r?glob|iterdir)\b": "searches the file system",
}
SEVERE = {"deleted-test", "edited-test-metadata", "duplicate-cell", "deleted-answer"}
#: Findings that stop a submission from being graded at all: nbgrader would fail on it
#: (and, upstream, take the rest of the class down with it).
UNGRADABLE = {"unreadable", "bad-metadata", "unknown-cell", "duplicate-cell"}
#: Largest submitted notebook read (a released one is well under 1 MB).
MAX_NOTEBOOK_BYTES = 20_000_000


@dataclass(frozen=True)
class Finding:
    """One integrity problem in one submission."""

    student: str
    grade_id: str
    kind: str
    message: str

    @property
    def severe(self) -> bool:
        return self.kind in SEVERE | UNGRADABLE


def read_submission(path: Path):
    """The notebook at ``path``, or a ``ValueError`` that says in plain words what is wrong.

    A submission is whatever a learner's tools wrote, or the learner: too big, not
    JSON, not a valid notebook.
    """
    import nbformat

    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is {size:,} bytes, more than {MAX_NOTEBOOK_BYTES:,}")
    try:
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(notebook)
    # nbformat fails in many ways on what is not a notebook (TypeError, KeyError ...).
    except Exception as error:
        first_line = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise ValueError(f"not a valid notebook ({type(error).__name__}: {first_line})") from None
    return notebook


def _metadata_findings(release, submitted, student: str) -> list[Finding]:
    """Grading metadata nbgrader cannot grade: not a table, or a cell it never released."""
    known = set(_cells_by_id(release))
    found = []
    for number, cell in enumerate(submitted.cells, 1):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict) or not isinstance(meta.get("grade_id", ""), str):
            message = f"cell {number} has grading metadata nbgrader cannot read"
            found.append(Finding(student, f"cell {number}", "bad-metadata", message))
        elif meta.get("grade_id") and meta["grade_id"] not in known:
            message = f"cell {number} claims to be {meta['grade_id']!r}, which was never released"
            found.append(Finding(student, meta["grade_id"], "unknown-cell", message))
    return found


def _cells_by_id(nb) -> dict:
    cells: dict = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id:
            cells.setdefault(grade_id, []).append(cell)
    return cells


def _flags(cell) -> tuple:
    meta = cell.metadata.get("nbgrader", {})
    return (
        cell.cell_type,
        bool(meta.get("grade")),
        bool(meta.get("solution")),
        bool(meta.get("locked")),
        meta.get("points"),
    )


def check_submission(release, submitted, student: str = "") -> list[Finding]:
    """Compare a submitted notebook with the released one.

    Parameters
    ----------
    release, submitted : nbformat.NotebookNode
        The notebook handed out and the one handed in.
    student : str
        Student id, copied into the findings.

    Returns
    -------
    list of Finding
        Empty for an honest submission.
    """
    found = _metadata_findings(release, submitted, student)
    if found:
        return found  # the cells cannot be matched with the release
    given, handed = _cells_by_id(release), _cells_by_id(submitted)
    for grade_id, copies in handed.items():
        if len(copies) > 1:
            found.append(
                Finding(
                    student,
                    grade_id,
                    "duplicate-cell",
                    f"cell {grade_id} appears {len(copies)} times",
                )
            )
    for grade_id, (original,) in given.items():
        meta = original.metadata.nbgrader
        is_test = meta.get("grade") and not meta.get("solution")
        if grade_id not in handed:
            kind = "deleted-test" if is_test else "deleted-answer" if meta.get("solution") else ""
            if kind:
                found.append(Finding(student, grade_id, kind, f"cell {grade_id} was deleted"))
            continue
        copy = handed[grade_id][-1]
        if _flags(copy) != _flags(original):
            kind = "edited-test-metadata" if is_test else "edited-metadata"
            found.append(
                Finding(
                    student,
                    grade_id,
                    kind,
                    f"grading metadata of {grade_id} changed: "
                    f"{_flags(original)} -> {_flags(copy)}",
                )
            )
        if is_test and copy.source.strip() != original.source.strip():
            found.append(
                Finding(
                    student,
                    grade_id,
                    "edited-test",
                    f"test cell {grade_id} was edited (the grader restores it)",
                )
            )
    for cell in submitted.cells:
        if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("locked"):
            continue
        where = cell.metadata.get("nbgrader", {}).get("grade_id", "added cell")
        for pattern, what in SUSPICIOUS.items():
            if re.search(pattern, cell.source):
                found.append(
                    Finding(student, where, "suspicious-code", f"{where} {what}: review by hand")
                )
    return found


def hidden_test_cells(source) -> set[str]:
    """grade_ids of the test cells that hold hidden tests in the source notebook."""
    return {
        cell.metadata.nbgrader["grade_id"]
        for cell in source.cells
        if "nbgrader" in cell.metadata and "BEGIN HIDDEN TESTS" in cell.source
    }


def expected_checksum_warnings(source, release, submitted) -> set[str]:
    """Test cells for which nbgrader's "checksum has changed" warning is a false alarm.

    They hold hidden tests (absent from the release) and the learner left them as
    released, so the changed checksum only means the hidden tests are being restored.
    """
    given, handed = _cells_by_id(release), _cells_by_id(submitted)
    return {
        grade_id
        for grade_id in hidden_test_cells(source)
        if grade_id in handed
        and grade_id in given
        and handed[grade_id][-1].source.strip() == given[grade_id][0].source.strip()
    }


def report(course: Path, name: str, student: str | None = None):
    """Print a loud report of tampered submissions; return (findings, false-alarm cells)."""
    import nbformat

    release_nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    source_nb = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    findings, expected = [], {}
    for path in sorted((course / "submitted").glob(f"*/{name}/{name}.ipynb")):
        who = path.parents[1].name
        if student and who != student:
            continue
        try:
            submitted = read_submission(path)
        except ValueError as error:
            findings.append(Finding(who, "", "unreadable", str(error)))
            continue
        found = check_submission(release_nb, submitted, who)
        findings += found
        if not any(f.kind in UNGRADABLE for f in found):
            expected[who] = expected_checksum_warnings(source_nb, release_nb, submitted)
    severe = [f for f in findings if f.severe or f.kind == "edited-test"]
    if severe:
        bar = "!" * 72
        print(f"\n{bar}\nINTEGRITY PROBLEMS in {name} ({len(severe)}):", file=sys.stderr)
        for finding in severe:
            print(f"  {finding.student}: {finding.kind}: {finding.message}", file=sys.stderr)
        print(
            "Deleted test cells are put back and run by the grader, edited ones restored;"
            f"\nno points are earned by tampering. Review these students.\n{bar}\n",
            file=sys.stderr,
        )
    for finding in (f for f in findings if f.kind == "suspicious-code"):
        print(f"REVIEW {finding.student}: {finding.message}")
    target = course / "reports" / f"{name}-integrity.csv"
    if findings:
        write_findings(target, findings)
    elif target.exists() and not student:
        target.unlink()  # a report from an earlier run would mislead
    return findings, expected


def write_findings(path: Path, findings) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", "grade_id", "kind", "message"])
        writer.writerows((f.student, f.grade_id, f.kind, f.message) for f in findings)
    print("integrity report:", path)
