"""A submission cannot leave anything behind that runs outside its grading.

Real ``astrolearn grade cycle``, real sandbox. One submission tries to write, each in its
own ``try``, every place that would run later outside its sandbox: the grading
kernelspec, the course's ``nbgrader_config.py``, an IPython startup file in the
grader's real home, a ``.pth`` file in site-packages, and files in the shared ``/tmp``
and ``/dev/shm``. It still answers right, and writes a file of its own in its folder,
which works. Afterwards none of those places has changed, and the next student is
graded as if nothing happened.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import site
from pathlib import Path

import pytest
from astrolearn.grading import sandbox
from grading_course import FIXTURE as NAME
from grading_course import released_fixture, run_cycle, scores, with_cells, write_submissions

MARK = "astrolearn-escape-marker"
HOME = Path(pwd.getpwuid(os.getuid()).pw_dir)
SITE = Path(site.getsitepackages()[0])
ESCAPES = f"""
import os, pathlib, pwd, site
home = pathlib.Path(pwd.getpwuid(os.getuid()).pw_dir)
course = pathlib.Path.cwd().parents[2]
targets = [
    *[pathlib.Path(p) / "kernels" / "python3" / "kernel.json"
      for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p],
    course / "nbgrader_config.py",
    home / ".ipython" / "profile_default" / "startup" / "00-{MARK}.py",
    pathlib.Path(site.getsitepackages()[0]) / "{MARK}.pth",
    pathlib.Path("/tmp/{MARK}"),
    pathlib.Path("/dev/shm/{MARK}"),
]
for target in targets:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "a") as file:
            file.write("\\nprint('{MARK}')\\n")
    except OSError:
        pass
pathlib.Path("my_notes.txt").write_text("kept")
assert pathlib.Path("my_notes.txt").read_text() == "kept"
"""


def fingerprint(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def escaped(tmp_path_factory):
    root = tmp_path_factory.mktemp("escapes")
    course, lessons, good = released_fixture(root)
    right = next(c.source for c in good.cells if "n_bright =" in c.source)
    submissions = {
        "a-escaper": with_cells(good, {"bright-members": ESCAPES + right}),
        "b-next": good,
    }
    inbox = write_submissions(root / "inbox", NAME, submissions)
    config = course / "nbgrader_config.py"
    before = fingerprint(config)
    status = run_cycle(course, lessons, NAME, inbox, 10)
    spec = Path(sandbox.kernel_env(course, [lessons])["JUPYTER_PATH"].split(os.pathsep)[0])
    return course, status, scores(course, NAME), before, fingerprint(config), spec


@pytest.mark.slow
def test_nothing_outside_the_sandbox_was_written(escaped):
    _course, status, _marks, config_before, config_after, spec = escaped
    assert status == 0
    assert config_after == config_before, "the course's nbgrader_config.py changed"
    assert MARK not in (spec / "kernels" / "python3" / "kernel.json").read_text()
    for path in (
        HOME / ".ipython" / "profile_default" / "startup" / f"00-{MARK}.py",
        SITE / f"{MARK}.pth",
        Path("/tmp") / MARK,
        Path("/dev/shm") / MARK,
    ):
        assert not path.exists(), f"{path} was written from inside the sandbox"


@pytest.mark.slow
def test_the_escaper_keeps_its_marks_and_its_own_file_and_the_next_is_untouched(escaped):
    course, _status, marks, *_ = escaped
    full = {"bright-members-test": 1.0, "cluster-distance-test": 2.0}
    assert marks["a-escaper"] == full, "writing in its own folder works"
    assert marks["b-next"] == full
    notebook = (course / "autograded" / "b-next" / NAME / f"{NAME}.ipynb").read_text()
    assert MARK not in notebook, "code planted by the escaper ran for the next student"
