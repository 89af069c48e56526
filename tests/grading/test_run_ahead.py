"""The trusted checker's reference kernel runs the instructor's cells ahead of the checks.

Each test's instructor notebook first touches a file, which only the reference kernel can
do: the file appearing before any check is asked for shows the reference kernel working
while the learner's side (here, this test) is still busy.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import nbformat
import psutil
from astrolearn.grading import answers
from astrolearn.grading.trusted import Reference
from nbformat.v4 import new_code_cell, new_notebook

#: Seconds the reference kernel may take to start and run a cell on a loaded machine.
STARTUP = 120


def _notebook(setup: str) -> nbformat.NotebookNode:
    """An instructor's notebook: ``setup``, a solution binding ``answer``, its test."""

    def graded(source: str, grade_id: str, solution: bool, grade: bool) -> nbformat.NotebookNode:
        metadata = {"grade_id": grade_id, "solution": solution, "grade": grade}
        if grade:
            metadata["points"] = 1
        return new_code_cell(source, metadata={"nbgrader": metadata})

    return new_notebook(
        cells=[
            new_code_cell(setup),
            graded("answer = 6 * 7", "answer", solution=True, grade=False),
            graded("assert answer == 6 * 7, 'wrong'", "answer-test", solution=False, grade=True),
        ]
    )


def _appears(path: Path, within: float) -> bool:
    """Whether ``path`` exists within ``within`` seconds (polled: nothing to wait on)."""
    deadline = time.monotonic() + within
    while not path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _reference_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("reference")]


def test_instructor_cells_run_before_the_check_is_asked(tmp_path):
    started = tmp_path / "started"
    notebook = _notebook(f"import pathlib\npathlib.Path({str(started)!r}).touch()")
    reference = Reference(notebook, ["answer-test"], timeout=STARTUP, log=logging.getLogger())
    try:
        assert _appears(started, STARTUP), "the reference waited for the check to start"
        payload = answers.export(["answer"], {"answer": 42})
        right = reference.check("answer-test", payload, ["answer"])
        payload = answers.export(["answer"], {"answer": 41})
        wrong = reference.check("answer-test", payload, ["answer"])
    finally:
        reference.close()
    assert not [out for out in right if out.output_type == "error"]
    assert [out.evalue for out in wrong if out.output_type == "error"] == ["wrong"]
    assert not _reference_threads()


def test_closing_stops_an_instructor_cell_still_running(tmp_path):
    """A grading stopped mid-cell (an error, an interrupt) does not wait for that cell."""
    started = tmp_path / "started"
    setup = f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(600)"
    reference = Reference(_notebook(setup), ["answer-test"], timeout=900, log=logging.getLogger())
    try:
        assert _appears(started, STARTUP)
        kernel = psutil.Process(reference.client.km.provisioner.pid)
    finally:
        began = time.monotonic()
        reference.close()
    assert time.monotonic() - began < 60  # the cell would run for 600 s
    assert not kernel.is_running() or kernel.status() == psutil.STATUS_ZOMBIE
    assert not _reference_threads()
