"""Fixtures for the lesson tests: execute each lesson once per session, offline.

Test files import the helpers directly (``from harness import execute_lesson``); this
conftest makes that import work under any pytest import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import LessonRun, lesson_path, run_lesson


@pytest.fixture(scope="session")
def lesson_run():
    """Return a function ``lesson_run(number, student=False) -> LessonRun`` (cached)."""

    def _run(number: int, student: bool = False) -> LessonRun:
        return run_lesson(lesson_path(number), student)

    return _run
