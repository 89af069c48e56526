"""A submission can neither look around nor leave anything behind that runs later.

Real ``astrolearn grade cycle``, real sandbox. One submission tries, each in its own
``try``, to write every place that would run later outside its sandbox: the grading
kernelspec, the course's ``nbgrader_config.py``, an IPython startup file in the
grader's real home, a ``.pth`` file in site-packages, its own folder, and files in
the shared ``/tmp`` and ``/dev/shm``. It also tries the network: a TCP server the test
runs on the loopback (as the reference kernel and any local service listen). It still
answers right, and uses its private temporary folder, which works. Afterwards none of
those places has changed, the server saw no one, and the next student is graded as if
nothing happened.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import site
import socket
import threading
from pathlib import Path

import pytest
from grading_course import FIXTURE as NAME
from grading_course import read, run_cycle, scores, with_cells, write_submissions

pytestmark = pytest.mark.timeout(600)
MARK = "astrolearn-escape-marker"
HOME = Path(pwd.getpwuid(os.getuid()).pw_dir)
SITE = Path(site.getsitepackages()[0])
ESCAPES = """
import os, pathlib, pwd, site, socket
home = pathlib.Path(pwd.getpwuid(0).pw_dir)
course = pathlib.Path.cwd().parents[2]
targets = [
    *[pathlib.Path(p) / "kernels" / "python3" / "kernel.json"
      for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p],
    course / "nbgrader_config.py",
    home / ".ipython" / "profile_default" / "startup" / "00-{mark}.py",
    pathlib.Path(site.getsitepackages()[0]) / "{mark}.pth",
    pathlib.Path("{mark}-in-my-folder.txt"),
    pathlib.Path("/tmp/{mark}"),
    pathlib.Path("/dev/shm/{mark}"),
]
for target in targets:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "a") as file:
            file.write("\\nprint('{mark}')\\n")
    except OSError:
        pass
reached = []
for host in ("127.0.0.1", "localhost"):
    try:
        socket.create_connection((host, {port}), timeout=2).sendall(b"{mark}")
        reached.append(host)
    except OSError:
        pass
print("reached:", reached)
# Its other kernels' connection files would give keys to them: only its own is here.
runtime = os.environ.get("JUPYTER_RUNTIME_DIR", "/nonexistent")
found = [f for f in os.listdir(runtime) if f.endswith(".json")] if os.path.isdir(runtime) else []
print("connection files:", len(found))
notes = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / "my_notes.txt"
notes.write_text("kept")
assert notes.read_text() == "kept"
"""


def grading_folders() -> set[Path]:
    """The private folders of grading runs (kernelspec and runtime) in the shared /tmp."""
    return set(Path("/tmp").glob("astrolearn-grading-*"))


def fingerprint(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the loopback that records whoever connects."""
    server = socket.create_server(("127.0.0.1", 0))
    heard = []

    def serve():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            heard.append(connection.recv(100))
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], heard
    server.close()


@pytest.fixture(scope="module")
def escaped(tmp_path_factory, listener, released_fixture):
    port, heard = listener
    root = tmp_path_factory.mktemp("escapes")
    course, lessons, good = released_fixture(root)
    right = next(c.source for c in good.cells if "n_bright =" in c.source)
    attack = ESCAPES.format(mark=MARK, port=port)
    submissions = {
        "a-escaper": with_cells(good, {"bright-members": attack + right}),
        "b-next": good,
    }
    inbox = write_submissions(root / "inbox", NAME, submissions)
    config = course / "nbgrader_config.py"
    before = fingerprint(config), fingerprint(SITE / "astrolearn.pth"), grading_folders()
    status = run_cycle(course, lessons, NAME, inbox, 10)
    after = fingerprint(config), fingerprint(SITE / "astrolearn.pth"), grading_folders()
    return course, status, scores(course, NAME), before, after, heard


@pytest.mark.slow
def test_nothing_outside_the_sandbox_was_written(escaped):
    course, status, _marks, before, after, _heard = escaped
    assert status == 0
    assert after[:2] == before[:2], "the course's nbgrader_config.py or a .pth file changed"
    assert after[2] == before[2], "a grading run left its private folder behind"
    for path in (
        HOME / ".ipython" / "profile_default" / "startup" / f"00-{MARK}.py",
        SITE / f"{MARK}.pth",
        Path("/tmp") / MARK,
        Path("/dev/shm") / MARK,
        course / "autograded" / "a-escaper" / NAME / f"{MARK}-in-my-folder.txt",
    ):
        assert not path.exists(), f"{path} was written from inside the sandbox"


@pytest.mark.slow
def test_no_network_and_no_other_kernels_keys(escaped):
    course, _status, _marks, _before, _after, heard = escaped
    assert heard == [], "a submission reached a server on the loopback"
    notebook = read(course, "autograded/a-escaper", NAME)
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "reached: []" in printed
    assert "connection files: 1\n" in printed, "it sees its own connection file only"


@pytest.mark.slow
def test_the_escaper_keeps_its_marks_and_the_next_is_untouched(escaped):
    course, _status, marks, *_ = escaped
    full = {"bright-members-test": 1.0, "cluster-distance-test": 2.0}
    assert marks["a-escaper"] == full, "its private temporary folder works"
    assert marks["b-next"] == full
    notebook = (course / "autograded" / "b-next" / NAME / f"{NAME}.ipynb").read_text()
    assert MARK not in notebook, "code planted by the escaper ran for the next student"
