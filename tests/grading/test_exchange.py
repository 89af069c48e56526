"""The JupyterHub path: release, fetch, submit, collect and feedback via nbgrader's exchange.

The exchange is a real folder (as /srv/nbgrader/exchange is on a hub); the student is
this OS account running nbgrader's own student commands (fetch_assignment, submit,
fetch_feedback) in a home folder of its own, as the Assignments tab does on a hub.
"""

from __future__ import annotations

import argparse
import os
import pwd
import subprocess
import sys

import nbformat
import pytest
from astrolearn.grading import cycle
from grading_course import FIXTURES, make_course, reference, scores

NAME = "00-pleiades-fixture"


def student_nbgrader(home, *arguments: str) -> None:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env["PATH"]])
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_cycle_through_the_exchange(tmp_path):
    course, lessons = make_course(tmp_path, {NAME: FIXTURES / NAME / "lesson.md"})
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    settings = f'c.CourseDirectory.course_id = "astrolearn"\nc.Exchange.root = "{exchange}"\n'
    with (course / "nbgrader_config.py").open("a") as config:
        config.write(settings)
    assert cycle.release(course, lessons, NAME, exchange=True) == 0
    # nbgrader names a submitter by the OS account (pwd), so one account is one student.
    student = pwd.getpwuid(os.getuid()).pw_name
    home = tmp_path / "home"
    home.mkdir()
    (home / "nbgrader_config.py").write_text("c = get_config()\n" + settings)
    student_nbgrader(home, "fetch_assignment", NAME)
    notebook = home / NAME / f"{NAME}.ipynb"
    assert "BEGIN SOLUTION" not in notebook.read_text()
    nbformat.write(reference(course, NAME), notebook)
    student_nbgrader(home, "submit", NAME)

    parser = argparse.ArgumentParser()
    cycle.configure(parser)
    arguments = ["--course", str(course), "--lessons", str(lessons), "cycle", NAME]
    assert cycle.run(parser.parse_args([*arguments, "--exchange", "--timeout", "30"])) == 0

    got = scores(course, NAME)
    assert got == {student: {"bright-members-test": 1.0, "cluster-distance-test": 2.0}}
    student_nbgrader(home, "fetch_feedback", NAME)
    assert list((home / NAME / "feedback").glob("*/*.html"))
