"""``pip install astrolearn`` works from any folder: the wheel, installed in a fresh venv.

The wheel is built once from this tree and installed, with the book and grading extras at
the versions of the lock, into a new virtual environment without this machine's site
packages (about a minute, from the registry). Every command then runs from a temporary
folder outside the repository, so nothing can be found through a clone.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import stop_process, wait_for_url

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
#: The lesson the book subset keeps: it is short and executes in seconds.
BOOK_LESSON = "01-data-deluge"
#: A graded lesson (course/assignments.toml) to release from the installed content.
GRADED = "05-unsupervised-learning"


class Installed:
    """The wheel installed in a fresh venv, and a folder outside the repository to work in."""

    def __init__(self, venv: Path, wheel: Path, home: Path) -> None:
        self.venv, self.wheel, self.home = venv, wheel, home
        self.command = str(venv / "bin" / "astrolearn")
        found = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import astrolearn; print(astrolearn.__file__)"],
            capture_output=True,
            text=True,
            check=True,
            cwd=home,
            env=self.env(),
        )
        self.package = Path(found.stdout.strip()).parent

    def env(self, **extra: str) -> dict:
        """This machine's environment without anything that leads back to the clone."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.pop("ASTROLEARN_CONTENT", None)
        # The venv is installed without bytecode (see ``installed``): let its first
        # import of a module write it, or every command compiles its imports again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return {**env, "PATH": f"{self.venv / 'bin'}{os.pathsep}{env['PATH']}", **extra}

    def run(self, *arguments: str, cwd: Path | None = None, timeout: float = 120, **env):
        return subprocess.run(
            [self.command, *arguments],
            capture_output=True,
            text=True,
            cwd=cwd or self.home,
            env=self.env(**env),
            timeout=timeout,
        )

    def start(self, log: Path, *arguments: str, **env) -> subprocess.Popen:
        with log.open("w") as output:
            return subprocess.Popen(
                [self.command, *arguments],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                env=self.env(**env),
            )


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root), str(REPO)],
        check=True,
        timeout=300,
    )
    (wheel,) = root.glob("astrolearn-*.whl")
    built = time.perf_counter()
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            # No bytecode for the thousands of modules no test imports: about half of the
            # install's CPU. What the commands import is compiled on first use instead.
            "--no-compile",
            "--constraint",
            str(REPO / "constraints.txt"),
            f"{wheel}[book,grading]",
        ],
        check=True,
        timeout=900,
        cwd=root,
    )
    print(
        f"\nwheel {wheel.stat().st_size / 1e6:.1f} MB built in {built - started:.1f} s; "
        f"venv and install {time.perf_counter() - built:.1f} s"
    )
    home = root / "elsewhere"
    home.mkdir()
    return Installed(venv, wheel, home)


def snapshot(folder: Path) -> dict[str, tuple[int, float]]:
    """Size and modification time of every file under ``folder``."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime)
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def free_port_held() -> socket.socket:
    """A listening socket on a free loopback port: that port is busy until it is closed."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    return held


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=120) as answer:
        return answer.status, answer.read().decode()


def test_version_is_the_package_version(installed):
    result = installed.run("--version")
    written = re.search(
        r'__version__ = "([^"]+)"', (REPO / "widgets/astrolearn/__init__.py").read_text()
    )
    assert result.returncode == 0 and result.stdout.strip() == f"astrolearn {written[1]}"


def test_the_wheel_carries_the_content_and_not_what_is_generated(installed):
    import zipfile

    names = zipfile.ZipFile(installed.wheel).namelist()
    for part, marker in [
        ("lessons", f"{GRADED}/lesson.md"),
        ("apps", "hr_diagram.md"),
        ("course", "nbgrader_config.py"),
        ("jupyter-book", "_config.yml"),
    ]:
        assert f"astrolearn/content/{part}/{marker}" in names, part
    assert "astrolearn/data/catalog.py" in names
    generated = [n for n in names if n.endswith(".ipynb") or "/_build/" in n or "gradebook" in n]
    assert generated == []


def test_help_is_plain_text_with_defaults_and_global_options_after_the_step(installed):
    book = installed.run("book", "--help")
    assert book.returncode == 0, book.stderr
    words = " ".join(book.stdout.split())
    assert "--output DIR" in words and "--content DIR" in words
    assert "stopped (default: 1800)" in words
    for command in ([], ["serve"], ["lab"], ["grade"], ["grade", "release"]):
        text = installed.run(*command, "--help").stdout
        assert text and not re.search(r"``|:(mod|func|class):`|^\.\. ", text, re.M), command
    # The folder options of `grade` after the step: the course named there is used.
    late = installed.run("grade", "students", "list", "--course", str(installed.home))
    assert late.returncode == 2 and f"--course {installed.home}: no nbgrader_config.py" in (
        late.stderr
    )


def test_a_wrong_content_root_says_what_was_expected(installed, tmp_path):
    by_flag = installed.run("lab", "--content", str(tmp_path))
    assert by_flag.returncode == 2
    assert f"--content {tmp_path} has no lessons/NN-slug/lesson.md" in by_flag.stderr
    assert "Traceback" not in by_flag.stderr
    by_env = installed.run("serve", ASTROLEARN_CONTENT=str(tmp_path))
    assert by_env.returncode == 2
    assert f"ASTROLEARN_CONTENT={tmp_path} has no apps/*.md" in by_env.stderr


def test_the_installed_content_is_the_default(installed):
    code = "from astrolearn import content; print(*content.locate(), sep='|')"
    result = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=installed.home,
        env=installed.env(),
        check=True,
    )
    assert result.stdout.strip() == f"{installed.package / 'content'}|installed"


def test_book_builds_into_a_named_folder_and_leaves_the_package_alone(installed, tmp_path):
    """A subset of the book (one lesson; the whole book executes 13 lessons, minutes),
    from a content root of one's own given with --content, built into a named folder."""
    shipped = installed.package / "content"
    before = snapshot(shipped)
    refused = installed.run("book")
    assert refused.returncode == 2 and "--output" in refused.stderr

    mine = tmp_path / "mine"
    shutil.copytree(shipped / "course", mine / "course")
    shutil.copytree(shipped / "jupyter-book", mine / "jupyter-book", ignore=lambda *_: ["lessons"])
    shutil.copytree(shipped / "lessons" / BOOK_LESSON, mine / "jupyter-book/lessons" / BOOK_LESSON)
    site = tmp_path / "site"
    started = time.perf_counter()
    result = installed.run("book", "--content", str(mine), "--output", str(site), timeout=900)
    print(f"\nbook subset built in {time.perf_counter() - started:.1f} s")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = (site / "_build/html/lessons" / BOOK_LESSON / "lesson.html").read_text()
    assert "<h1" in page
    assert (site / "_build/html/index.html").is_file()
    assert snapshot(shipped) == before, "the build wrote into the installed package"


def test_serve_shows_the_gallery_and_an_app(installed, tmp_path):
    apps = sorted(p.stem for p in (installed.package / "content/apps").glob("*.md"))
    apps.remove("README")
    server = installed.start(tmp_path / "serve.log", "serve", "--port", "0", "--pool-size", "0")
    try:
        url = wait_for_url(server, tmp_path / "serve.log", 120)
        status, gallery = fetch(url + "/")
        assert status == 200
        assert sorted(re.findall(r'href="voila/render/(\w+)\.ipynb"', gallery)) == apps
        status, page = fetch(f"{url}/voila/render/hr_diagram.ipynb")
        assert status == 200 and "HR diagram" in page
    finally:
        stop_process(server)


def test_serve_and_lab_on_a_busy_port_say_what_to_do(installed):
    held = free_port_held()
    port = str(held.getsockname()[1])
    try:
        for command in ("serve", "lab"):
            result = installed.run(command, "--port", port, timeout=60)
            assert result.returncode == 2, (command, result.stderr[-2000:])
            assert f"port {port} is in use" in result.stderr and "--port" in result.stderr
            assert "Traceback" not in result.stderr
    finally:
        held.close()


def test_lab_opens_a_copy_of_the_lessons(installed, tmp_path):
    server = installed.start(tmp_path / "lab.log", "lab", "--port", "0", "--no-browser")
    try:
        url = wait_for_url(server, tmp_path / "lab.log", 120, path=True)
        status, page = fetch(url)
        assert status == 200 and "JupyterLab" in page
        copy = installed.home / "astrolearn-lessons"
        assert (copy / GRADED / "lesson.md").is_file()
    finally:
        stop_process(server)


def test_grade_releases_from_the_installed_lessons_into_a_course_of_ones_own(installed):
    refused = installed.run("grade", "release", GRADED)
    assert refused.returncode == 2 and "grade init" in refused.stderr

    course = installed.home / "course"
    assert installed.run("grade", "init", str(course)).returncode == 0
    ungraded = installed.run("grade", "release", BOOK_LESSON, "--course", str(course))
    assert ungraded.returncode == 2 and f"lesson {BOOK_LESSON} is not graded" in ungraded.stderr

    result = installed.run("grade", "release", GRADED, "--course", str(course), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    released = (course / "release" / GRADED / f"{GRADED}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released and "YOUR CODE HERE" in released
    # nbgrader's log is summarised: its INFO lines are in the course's log file only.
    assert "| INFO]" not in result.stdout
    assert "| INFO]" in (course / "reports" / "nbgrader.log").read_text()
    # Inside the course folder, as with plain nbgrader, no --course is needed.
    feedback = installed.run("grade", "feedback", GRADED, cwd=course)
    assert feedback.returncode == 2 and f"autograde {GRADED}" in feedback.stderr
