"""lessons/README.md: the curriculum index names every lesson and its links work."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from harness import LESSONS_DIR, lesson_path
from structure import structure_problems

# The lessons that nbgrader assignments are made from need graded exercises.
GRADED = {2, 4, 5, 6, 9, 12, 13}
#: The lesson numbers, from the folders lessons/NN-slug/ (the eleven core lessons and
#: the ones added after them).
NUMBERS = sorted(int(path.parent.name[:2]) for path in LESSONS_DIR.glob("[0-9][0-9]-*/lesson.md"))


def test_index_lists_every_lesson_and_every_link_resolves():
    index = (LESSONS_DIR / "README.md").read_text()
    rows = re.findall(r"^\| (\d+) \|", index, flags=re.M)
    assert set(range(1, 12)) <= set(NUMBERS)
    assert [int(n) for n in rows] == NUMBERS
    links = re.findall(r"\]\((\d\d-[a-z0-9-]+/lesson\.md)\)", index)
    assert len(links) >= 5
    for link in links:
        assert (LESSONS_DIR / link).is_file(), link


@pytest.mark.parametrize("number", NUMBERS)
def test_lesson_has_every_part(number):
    assert structure_problems(lesson_path(number), graded=number in GRADED) == []


def test_every_claim_test_quotes_the_claim_it_protects():
    # lessons/README.md, "Writing a claim about the data": a test_claim_* function starts
    # with a comment that quotes the sentence it protects, so a reader can find it.
    claim_tests = 0
    for path in sorted(Path(__file__).parent.glob("test_lesson_*.py")):
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_claim_"):
                claim_tests += 1
                body = "\n".join(lines[node.lineno : node.body[0].lineno])
                assert "# Claim" in body, f"{path.name}::{node.name} does not quote its claim"
    assert claim_tests >= 10
