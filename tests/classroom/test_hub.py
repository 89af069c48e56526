"""`astrolearn classroom`: a real JupyterHub with real Unix accounts, used as a class
would use it.

Five students log in at once over HTTP (first-use passwords), each gets a server run as
their own account and runs the first lesson's code in a kernel; the instructor does the
same in Chromium. A student cannot read another's home, nor the instructor's. An idle
server is stopped by the culler, and the student's work stays. The accounts are removed
at teardown. Root only (skipped otherwise; under CI a missing part fails).
"""

from __future__ import annotations

import dbm
import json
import os
import pwd
import re
import stat
import subprocess
from pathlib import Path

import pytest
from astrolearn.classroom import roster
from astrolearn.notebooks import read_myst
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.classroom.conftest import (
    astrolearn,
    log_in_with_chromium,
    new_hub,
    port_options,
    require_classroom_parts,
)

pytestmark = [pytest.mark.classroom, pytest.mark.slow]

LESSON = Path("lessons/01-data-deluge/lesson.md")
#: Who runs the kernel, in which Python, and whether the student has their lessons.
WHO = (
    "import json, os, pwd, sys; print(json.dumps({'user': pwd.getpwuid(os.getuid()).pw_name, "
    f"'prefix': sys.prefix, 'lesson': os.path.isfile(os.path.expanduser('~/{LESSON}'))}}))"
)


def lesson_cells(folder: Path, count: int) -> list[str]:
    """The first code cells of the lesson the hub hands out."""
    notebook = read_myst(folder / LESSON)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"][:count]


def snooping(others: list[str]) -> str:
    """Code that tries to list other people's homes and read their copy of the lesson."""
    targets = [str(Path(pwd.getpwnam(name).pw_dir)) for name in others]
    return (
        "import json, os\nresult = {}\n"
        f"for home in {targets!r}:\n"
        "    try:\n"
        "        os.listdir(home)\n"
        f"        open(os.path.join(home, {str(LESSON)!r})).read()\n"
        "        result[home] = 'read'\n"
        "    except PermissionError:\n"
        "        result[home] = 'denied'\n"
        "print(json.dumps(result))"
    )


def test_a_bad_roster_is_refused_before_anything_is_made(classroom_root, accounts):
    require_classroom_parts()
    roster_file = classroom_root / "bad-roster.csv"
    never = accounts[7]
    roster_file.write_text(f"username,role\n{never},student\nroot,student\n../x,student\n")
    folder = classroom_root / "refused"
    done = subprocess.run(
        astrolearn("classroom", "init", str(folder), "--roster", str(roster_file)),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert f"{roster_file} line 3: 'root' is a system account" in done.stderr
    assert f"{roster_file} line 4: '../x' is not a Unix user name" in done.stderr
    assert not folder.exists()
    with pytest.raises(KeyError):
        pwd.getpwnam(never)


def test_init_makes_private_homes_and_keeps_the_hub_state_private(hub):
    for name in [*hub.students, hub.instructor]:
        account = pwd.getpwnam(name)
        assert account.pw_gecos == roster.COMMENT
        home = Path(account.pw_dir).stat()
        assert (home.st_uid, stat.S_IMODE(home.st_mode)) == (account.pw_uid, 0o700)
    assert stat.S_IMODE((hub.folder / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE((hub.folder / "roster.csv").stat().st_mode) == 0o600
    config = (hub.folder / "jupyterhub_config.py").read_text()
    assert "firstuseauthenticator" in config and "jupyterhub_idle_culler" in config
    assert "$" not in config  # every value of the template was filled in
    # The hub's secrets went to state/, not to the folder every student can enter.
    assert (hub.folder / "state" / "jupyterhub_cookie_secret").is_file()
    assert (hub.folder / "state" / "jupyterhub.sqlite").is_file()
    assert sorted(p.name for p in hub.folder.iterdir()) == [
        "env",
        "exchange",
        "jupyter",
        "jupyterhub_config.py",
        "lessons",
        "roster.csv",
        "state",
    ]


def test_five_students_log_in_at_once_and_run_the_first_lesson(hub):
    cells = lesson_cells(hub.folder, 2)
    results = hub.students_run(
        hub.students,
        WHO,
        *cells,
        snooping([*hub.students, hub.instructor]),
    )
    timings = {}
    for name, result in zip(hub.students, results, strict=True):
        who, *ran, snooped = result["outputs"]
        assert json.loads(who["stdout"]) == {
            "user": name,
            "prefix": str(hub.folder / "env"),
            "lesson": True,
        }
        assert [output["error"] for output in ran] == [None, None]
        doubling = re.fullmatch(
            r"doubling time of flagship survey volumes: (\d+\.\d) years\n", ran[1]["stdout"]
        )
        assert doubling, ran[1]["stdout"]
        assert snooped["error"] is None
        others = {
            str(Path(pwd.getpwnam(other).pw_dir)): "denied"
            for other in [*hub.students, hub.instructor]
            if other != name
        }
        own = {str(Path(pwd.getpwnam(name).pw_dir)): "read"}
        assert json.loads(snooped["stdout"]) == others | own
        assert result["lab"].endswith(f"/user/{name}/lab")
        assert result["list_users"] == 403  # students are not admins
        timings[name] = {step: round(seconds, 1) for step, seconds in result["times"].items()}
    print(f"hub started in {hub.start_seconds:.1f} s; five students at once: {timings}")


def test_a_wrong_password_or_a_name_off_the_roster_is_refused(hub, accounts):
    student = hub.students[0]
    assert hub.student(student, "--login-only") == {"login": True}
    wrong = hub.password(student) + "x"
    assert hub.student(student, "--login-only", password=wrong) == {"login": False}
    for stranger in (accounts[5], "root"):
        assert hub.student(stranger, "--login-only") == {"login": False}
    # The first-use passwords: the student's, and none for the names off the roster.
    with dbm.open(str(hub.folder / "state" / "passwords.dbm"), "r") as passwords:
        assert student.encode() in passwords
        assert accounts[5].encode() not in passwords and b"root" not in passwords


def run_first_code_cell(page) -> None:
    """Shift+Enter on the first code cell; again if the kernel had not taken it (on a
    busy machine JupyterLab can send it on a kernel connection it then replaces)."""
    started = page.locator(".jp-CodeCell .jp-InputPrompt", has_text=re.compile(r"\[(\*|\d+)\]"))
    for _ in range(3):
        page.locator(".jp-Notebook .jp-CodeCell").first.click()
        page.keyboard.press("Shift+Enter")
        try:
            started.first.wait_for(timeout=30_000)
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError("Shift+Enter never started the lesson's first code cell")


def test_the_instructor_works_in_chromium(hub, browser, artifacts_dir):
    name = hub.instructor
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(180_000)
    try:
        log_in_with_chromium(page, hub, name)
        # JupyterLab opens on the lessons.
        page.locator(".jp-DirListing-itemText", has_text="01-data-deluge").wait_for()
        # A lesson opens as a notebook (astrolearn's JupyterLab settings reach the hub).
        page.goto(f"{hub.url}/user/{name}/lab/tree/{LESSON}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-CodeCell")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        run_first_code_cell(page)
        done = page.locator(".jp-CodeCell .jp-InputPrompt", has_text=re.compile(r"\[\d+\]"))
        done.first.wait_for()
        # Its output: the table of survey volumes, and no error.
        page.locator(".jp-CodeCell .jp-OutputArea-output", has_text="Pan-STARRS1").first.wait_for()
        errors = page.locator("[data-mime-type='application/vnd.jupyter.error']").count()
        assert errors == 0
        # Instructors are the hub's admins.
        answer = page.goto(f"{hub.url}/hub/admin")
        assert answer.status == 200
    finally:
        page.screenshot(path=str(artifacts_dir / "classroom-instructor.png"))
        page.close()


def test_init_again_with_a_longer_roster_adds_only_the_new_student(hub, accounts):
    first_home = Path(pwd.getpwnam(hub.students[0]).pw_dir)
    before = sorted(str(p.relative_to(first_home)) for p in first_home.rglob("*"))
    newcomer = accounts[5]
    people = [f"{hub.instructor},instructor"] + [f"{n},student" for n in hub.students]
    done = hub.init(roster=[*people, f"{newcomer},student"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    created = f"astrolearn classroom: student {newcomer}: account created"
    assert any(line.startswith(created) for line in lines), lines
    for name in hub.students:
        assert f"astrolearn classroom: student {name}: account exists" in lines
    assert any(line.startswith("astrolearn classroom: kept ") for line in lines)
    assert any("students' environment kept" in line for line in lines)
    home = Path(pwd.getpwnam(newcomer).pw_dir).stat()
    assert stat.S_IMODE(home.st_mode) == 0o700
    assert newcomer in (hub.folder / "roster.csv").read_text()
    assert sorted(str(p.relative_to(first_home)) for p in first_home.rglob("*")) == before
    # The newcomer's own folder in the exchange, to submit into.
    inbound = (hub.folder / "exchange" / "astrolearn" / "inbound" / newcomer).stat()
    assert (inbound.st_uid, stat.S_IMODE(inbound.st_mode)) == (
        pwd.getpwnam(newcomer).pw_uid,
        0o700,
    )


def test_an_idle_server_is_culled_and_the_work_stays(hub, classroom_root, accounts):
    name = hub.students[1]
    lesson = Path(pwd.getpwnam(name).pw_dir) / LESSON
    lesson.write_text(lesson.read_text() + "\nMy own notes.\n")
    readme = lesson.parents[1] / "README.md"
    readme.unlink()
    # A student's own package of the same name, in the home the copy runs from: the hub's
    # copy must run astrolearn's code, not this.
    account = pwd.getpwnam(name)
    planted = Path(account.pw_dir) / "astrolearn"
    planted.mkdir()
    (planted / "__init__.py").write_text("raise SystemExit('a student planted this')\n")
    for path in (planted, planted / "__init__.py"):
        os.chown(path, account.pw_uid, account.pw_gid)
    # A second hub on the same accounts and the same students' environment (made once),
    # with a short idle timeout.
    culled = new_hub(classroom_root, "culled", accounts, hub.namespace)
    culled.folder.mkdir()
    (culled.folder / "env").symlink_to(hub.folder / "env")
    made = culled.init(*port_options(hub.namespace), "--idle-timeout", "20")
    assert made.returncode == 0, made.stdout + made.stderr
    try:
        culled.start()
        times = culled.student(name, "--until-culled")
        log = culled.log()
    finally:
        culled.stop()
    assert 20 <= times["culled"] <= 20 + 5 + 60, times
    assert f"Culling server {name} " in log
    # The copy at this start kept the student's notes and gave back the deleted file.
    assert lesson.read_text().endswith("\nMy own notes.\n")
    assert readme.is_file()
    assert "a student planted this" not in log
    print(f"idle server culled {times['culled'] - times['ready']:.0f} s after it was ready")
