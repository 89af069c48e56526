"""Interactive parts say, in plain words, why the course website cannot run them and how to.

On the static site a widget shows the state it was left in. Each lesson says so where it
shows one, in the same words: a MyST include or substitution would be written once, but
JupyterLab and the nbgrader notebooks show those raw, so the sentence is written in each
lesson and this test keeps every copy the same.
"""

from __future__ import annotations

import re

import pytest
from harness import LESSONS_DIR

#: Why the interactive part does nothing on the website.
WHY = "It computes in Python, so on the course website it shows the state it was left in"
#: How to run it instead: the website's launch button, or the package on one's computer.
HOW = (
    "To use it, run this lesson: the rocket button at the top of the page opens it on "
    "Binder, or on your own computer run `pip install astrolearn`, then `astrolearn lab`, "
    "and open this lesson there."
)
LESSONS = sorted(LESSONS_DIR.glob("[0-9][0-9]-*/lesson.md"))


def paragraphs(path) -> list[str]:
    """The lesson's prose paragraphs, each on one line (code cells left out)."""
    text = re.sub(r"```\{code-cell\}.*?```", "", path.read_text(), flags=re.S)
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


def explore_prose(path) -> str:
    """The prose of the Explore section before its first code cell."""
    text = path.read_text()
    start = text.find("\n## Explore")
    if start < 0:
        return ""
    return " ".join(text[start:].split("```{code-cell}")[0].split())


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.parent.name)
def test_interactive_parts_say_how_to_run_them_in_the_same_plain_words(path):
    text = " ".join(path.read_text().split())
    assert "Jupyter kernel" not in text  # jargon: the reader may not know what one is
    explore = explore_prose(path)
    if "explorer" in explore or " lab " in explore or "viewer" in explore:
        assert WHY in explore and HOW in explore, path
    for paragraph in paragraphs(path):
        if WHY in paragraph:
            assert HOW in paragraph, paragraph


def test_the_lessons_with_explorers_are_found():
    # Guards the test above against finding none (a renamed heading, say).
    assert sum(HOW in explore_prose(path) for path in LESSONS) >= 11
