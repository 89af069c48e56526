"""course/EXERCISES.md, the exercise convention that several files cite, is there and true."""

from __future__ import annotations

import re
import subprocess

import astrolearn.grading as grading
from astrolearn.grading import assignments
from astrolearn.notebooks import read_myst
from grading_course import REPO

GUIDE = REPO / "course" / "EXERCISES.md"


def test_every_file_that_cites_the_guide_can_find_it():
    cited = subprocess.run(
        ["git", "grep", "-l", "EXERCISES.md"], cwd=REPO, capture_output=True, text=True
    ).stdout.split()
    assert len(cited) >= 3, cited
    assert GUIDE.is_file()


def test_the_guide_names_the_tags_and_only_checks_that_exist():
    text = GUIDE.read_text()
    for tag in (assignments.TAG_SOLUTION, assignments.TAG_TEST, assignments.TAG_WRITTEN):
        assert f"`{tag}`" in text
    named = set(re.findall(r"`(check_[a-z_]+)`", text))
    assert named and named <= set(grading.__all__), named - set(grading.__all__)


def test_the_guides_examples_follow_the_convention(tmp_path):
    """The guide's example cells, put in a lesson, make a valid assignment."""
    blocks = re.findall(r"^````md\n(.*?)^````$", GUIDE.read_text(), re.MULTILINE | re.DOTALL)
    written = re.search(r"^```md\n(\+\+\+.*?)^```$", GUIDE.read_text(), re.M | re.S)
    assert len(blocks) == 2 and written
    lesson = (
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# Example\n\n" + "\n".join(blocks) + "\n" + written.group(1)
    )
    (tmp_path / "lesson.md").write_text(lesson, encoding="utf-8")
    notebook = read_myst(tmp_path / "lesson.md")
    _, summary = assignments.lesson_to_assignment(notebook, "example")
    assert summary.solutions == ["clustering-distance"]
    assert summary.autograded == {"clustering-distance-test": 2}
    assert summary.manual == {"kmeans-versus-density": 2}
