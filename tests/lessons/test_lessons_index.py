"""lessons/README.md: the curriculum index names all eleven lessons and its links work."""

from __future__ import annotations

import re

import pytest
from harness import LESSONS_DIR, lesson_path
from structure import structure_problems

# The lessons that nbgrader assignments are made from need graded exercises.
GRADED = {2, 4, 5, 6, 9}


def test_index_lists_eleven_lessons_and_every_link_resolves():
    index = (LESSONS_DIR / "README.md").read_text()
    rows = re.findall(r"^\| (\d+) \|", index, flags=re.M)
    assert [int(n) for n in rows] == list(range(1, 12))
    links = re.findall(r"\]\((\d\d-[a-z0-9-]+/lesson\.md)\)", index)
    assert len(links) >= 5
    for link in links:
        assert (LESSONS_DIR / link).is_file(), link


@pytest.mark.parametrize("number", range(1, 12))
def test_lesson_has_every_part(number):
    assert structure_problems(lesson_path(number), graded=number in GRADED) == []
