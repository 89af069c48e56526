"""Fixtures for the lesson tests: execute each lesson once per session, offline.

Test files import the helpers directly (``from harness import execute_lesson``); this
conftest makes that import work under any pytest import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import LessonRun, run_lesson


@pytest.fixture(scope="module")
def run(request) -> LessonRun:
    """The offline run of the lesson named by the test module's ``LESSON`` (cached)."""
    return run_lesson(request.module.LESSON)
