"""Fixtures shared by the grading tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lesson_runs import GradedLesson, grade_lesson


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
