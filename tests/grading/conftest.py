"""Fixtures shared by the grading tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from grading_course import FIXTURE, reference, release_fixture
from lesson_runs import GradedLesson, grade_lesson


@pytest.fixture(scope="session")
def released_fixture(tmp_path_factory) -> Callable[[Path], tuple]:
    """The fixture lesson released once per session, and copied for each grading module.

    Calling it with a module's own ``root`` copies the released course there and returns
    the course, the lessons folder and the reference submission (full marks). Every
    module then runs its own ``grade cycle`` (which releases again) in its copy.
    """
    original = tmp_path_factory.mktemp("fixture-release")
    release_fixture(original)

    def copy(root: Path) -> tuple[Path, Path, nbformat.NotebookNode]:
        shutil.copytree(original, root, dirs_exist_ok=True)
        return root / "course", root / "lessons", reference(root / "course", FIXTURE)

    return copy


@pytest.fixture(scope="session")
def graded_lesson(tmp_path_factory) -> Callable[[str], GradedLesson]:
    """Per graded lesson number, its one graded run: made on first use, then shared.

    test_hardcoded_answers and test_lessons both read it, so a lesson's reference
    solution is graded once per session, not once per test module.
    """
    runs: dict[str, GradedLesson] = {}

    def run(number: str) -> GradedLesson:
        if number not in runs:
            runs[number] = grade_lesson(tmp_path_factory.mktemp(f"lesson-{number}"), number)
        return runs[number]

    return run
