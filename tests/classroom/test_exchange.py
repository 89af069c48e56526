"""Grading through the classroom hub: nbgrader's exchange with a private inbound folder
per student (astrolearn.classroom.exchange), and the formgrader for instructors only.

One assignment is released; one student finds it in JupyterLab's Assignments tab in
Chromium and, at phone width, fetches it there with the keyboard alone; the four others
fetch it with ``nbgrader`` run as their own account, as a terminal in JupyterLab does.
All work and submit (one a broken notebook, one twice, one late, and told so at submit);
``astrolearn grade cycle --exchange`` collects as root, grades in the sandbox and
releases feedback, which each graded student fetches. Meanwhile one student tries to
read, replace and forge the others' work, the instructor's course and the formgrader,
and fails. Accounts start with "tx" and are removed at teardown. Root only.
"""

from __future__ import annotations

import datetime
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from astrolearn.classroom.exchange import INSTRUCTOR_PLUGINS

from tests.apps.conftest import serious_axe_violations
from tests.classroom.conftest import Hub, astrolearn, log_in_with_chromium, running_hub
from tests.grading.grading_course import FIXTURE, FIXTURES, make_course, reference, scores

pytestmark = [pytest.mark.classroom, pytest.mark.slow]

FULL = {"bright-members-test": 1.0, "cluster-distance-test": 2.0}


@pytest.fixture(scope="module")
def hub(classroom_root, offline_namespace) -> Iterator[Hub]:
    """Five students (the first, s1, ..., the fifth the attacker) and an instructor."""
    prefix = "tx" + secrets.token_hex(2)
    with running_hub(classroom_root / "grading", prefix, 5, offline_namespace) as classroom:
        yield classroom


def home(name: str) -> Path:
    return Path(pwd.getpwnam(name).pw_dir)


def as_user(hub: Hub, name: str, *command: str, env: dict | None = None):
    """Run ``command`` as the account ``name`` in its home, with its server's settings."""
    jupyter = hub.folder / "jupyter"
    settings = {
        "HOME": str(home(name)),
        "PATH": f"{hub.folder / 'env' / 'bin'}:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": f"{jupyter / 'students'}:{jupyter / 'everyone'}",
        **(env or {}),
    }
    variables = [f"{key}={value}" for key, value in settings.items()]
    return subprocess.run(
        ["runuser", "-u", name, "--", "env", "-i", *variables, *command],
        cwd=home(name),
        capture_output=True,
        text=True,
        timeout=120,
    )


def nbgrader(hub: Hub, name: str, *arguments: str, env: dict | None = None):
    return as_user(hub, name, "nbgrader", *arguments, env=env)


def calls(hub: Hub, name: str, requests: list) -> list[dict]:
    """``name`` logs in and makes each (method, path, form) request under /user/NAME/."""
    done = subprocess.run(
        [*hub.student_command(name, "--calls"), json.dumps(requests)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{done.stderr[-2000:]}\nhub log:\n{hub.log()[-3000:]}"
    return json.loads(done.stdout)["answers"]


def write_notebook(name: str, notebook) -> None:
    """The student's work, saved in their fetched copy (owned by them)."""
    path = home(name) / FIXTURE / f"{FIXTURE}.ipynb"
    nbformat.write(notebook, path)
    account = pwd.getpwnam(name)
    os.chown(path, account.pw_uid, account.pw_gid)


def submissions(hub: Hub, name: str) -> list[str]:
    return sorted(os.listdir(hub.folder / "exchange" / "astrolearn" / "inbound" / name))


@pytest.fixture(scope="module")
def course(hub) -> Path:
    """The instructor's course in their private home, using the classroom's exchange."""
    course, _ = make_course(home(hub.instructor), {FIXTURE: FIXTURES / FIXTURE / "lesson.md"})
    settings = hub.folder / "jupyter" / "everyone" / "nbgrader_config.py"
    with (course / "nbgrader_config.py").open("a") as config:
        config.write(f"load_subconfig({str(settings)!r})\n")
    shutil.chown(course, hub.instructor, hub.instructor)
    return course


def grade(course: Path, *arguments: str) -> subprocess.CompletedProcess:
    """``astrolearn grade`` as root (the collector needs it) on the instructor's course."""
    options = ["--course", str(course), "--lessons", str(course.parent / "lessons")]
    return subprocess.run(
        astrolearn("grade", *options, *arguments), capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def released(course) -> None:
    """The instructor releases the assignment through the exchange (no due date yet)."""
    done = grade(course, "release", FIXTURE, "--exchange")
    assert done.returncode == 0, done.stdout + done.stderr


#: Where focus is, and whether it is the released assignment's Fetch button.
FOCUSED = """() => [document.activeElement.outerHTML.slice(0, 80),
    document.activeElement.matches('#released_assignments_list .list_item button')]"""
#: At phone width: how far the page reaches past its width (0: no sideways scroll),
#: what in nbgrader's panel is cut off (wider than its box, or past the panel's right
#: edge), and the Fetch button's edges beside the panel's.
PHONE_FIT = """() => {
    const panel = document.querySelector('#nbgrader-assignment-list');
    const edge = panel.getBoundingClientRect();
    const fetch = document.querySelector('#released_assignments_list .list_item button');
    const button = fetch.getBoundingClientRect();
    // Text only for screen readers (.sr-only) is clipped to a pixel on purpose.
    const cut = [...panel.querySelectorAll(':not(.sr-only)')].filter(e => e.getClientRects().length
        && (e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > edge.right + 1))
        .map(e => e.outerHTML.slice(0, 80));
    return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            cut, panel: [edge.left, edge.right], fetch: [button.left, button.right],
            width: innerWidth};
}"""


def open_assignments_tab(page, hub: Hub, name: str):
    """``name`` logs in and opens nbgrader's Assignments tab; returns its menu's entries
    and the panel, once the released assignment is listed."""
    log_in_with_chromium(page, hub, name)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    menu = page.locator("#jp-mainmenu-nbgrader")
    menu.wait_for()
    entries = [text.strip() for text in menu.locator(".lm-Menu-itemLabel").all_inner_texts()]
    menu.locator(".lm-Menu-item", has_text="Assignment List").click()
    panel = page.locator("#nbgrader-assignment-list")
    panel.locator("#released_assignments_list .list_item", has_text=FIXTURE).wait_for()
    return entries, panel


@pytest.fixture(scope="module")
def assignments_tab(hub, released, browser, artifacts_dir) -> dict:
    """s1 opens nbgrader's Assignments tab in Chromium at desktop width, then on a phone
    (390 px) fetches the assignment with the keyboard alone. Returns what was seen."""
    name, seen = hub.students[0], {}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(180_000)
    try:
        seen["entries"], panel = open_assignments_tab(page, hub, name)
        seen["fetch shown"] = panel.get_by_role("button", name="Fetch").is_visible()
        seen["axe before"] = serious_axe_violations(page, "#nbgrader-assignment-list")
        page.screenshot(path=str(artifacts_dir / "classroom-assignments-tab.png"))
    finally:
        page.close()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(180_000)
    try:
        _, panel = open_assignments_tab(page, hub, name)
        seen["sidebar open"] = page.evaluate(PHONE_FIT)
        # JupyterLab keeps its file browser open beside the panel at any width; on a
        # phone the student closes it by tapping its tab.
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
        seen["phone fit"] = page.evaluate(PHONE_FIT)
        page.screenshot(path=str(artifacts_dir / "classroom-assignments-tab-390.png"))
        # From the panel's first control, Tab alone reaches Fetch; Enter presses it.
        page.focus("#course_list_default")
        seen["focus path"] = [page.evaluate(FOCUSED)]
        while not seen["focus path"][-1][1] and len(seen["focus path"]) <= 20:
            page.keyboard.press("Tab")
            seen["focus path"].append(page.evaluate(FOCUSED))
        if seen["focus path"][-1][1]:
            page.keyboard.press("Enter")
            done = panel.locator("#fetched_assignments_list .list_item", has_text=FIXTURE)
            done.get_by_role("button", name="Submit").wait_for()
            seen["axe after"] = serious_axe_violations(page, "#nbgrader-assignment-list")
    finally:
        page.screenshot(path=str(artifacts_dir / "classroom-assignments-fetched-390.png"))
        page.close()
    return seen


def test_a_student_finds_the_assignment_in_the_assignments_tab_in_chromium(assignments_tab):
    entries = assignments_tab["entries"]
    assert "Assignment List" in entries
    assert not [e for e in entries if "Formgrader" in e or "Course List" in e], entries
    assert assignments_tab["fetch shown"]
    # nbgrader 0.9.6 marks its empty list of downloaded assignments as a tablist; the lab
    # extension drops that role (remoteEntry.js), so axe finds nothing serious.
    assert assignments_tab["axe before"] == []


def test_at_phone_width_the_tab_fits_and_fetches_by_keyboard(hub, assignments_tab):
    # With JupyterLab's file browser open (280 px) the panel keeps some 60 px and cuts
    # its text and Fetch off, but the page itself never scrolls sideways; closed, all fits.
    assert assignments_tab["sidebar open"]["page"] <= 0, assignments_tab["sidebar open"]
    fit = assignments_tab["phone fit"]
    assert fit["width"] == 390 and fit["page"] <= 0 and fit["cut"] == [], fit
    (left, right), (fetch_left, fetch_right) = fit["panel"], fit["fetch"]
    assert 0 <= left <= fetch_left < fetch_right <= right <= 390, fit
    path = assignments_tab["focus path"]
    assert path[-1][1], path  # Tab reached Fetch
    # Enter fetched: the downloaded list shows it with Submit (waited for above), and the
    # copy is in the student's home; that list, now filled, is clean for axe too.
    assert (home(hub.students[0]) / FIXTURE / f"{FIXTURE}.ipynb").is_file()
    assert assignments_tab["axe after"] == []


@pytest.fixture(scope="module")
def submitted(hub, course, assignments_tab) -> dict:
    """Every student fetches, works and submits. Returns what each handed in."""
    s1, s2, s3, s4, s5 = hub.students
    good = reference(course, FIXTURE)
    blank = nbformat.read(course / "release" / FIXTURE / f"{FIXTURE}.ipynb", as_version=4)
    form = {"course_id": "astrolearn", "assignment_id": FIXTURE}
    # s1 works in JupyterLab's Assignments tab: fetched there by keyboard (assignments_tab),
    # and submits through its server's nbgrader API below.
    assert (home(s1) / FIXTURE / f"{FIXTURE}.ipynb").is_file()
    for name in (s2, s3, s4, s5):
        done = nbgrader(hub, name, "fetch_assignment", FIXTURE)
        assert done.returncode == 0, done.stderr
    assert "BEGIN SOLUTION" not in (home(s2) / FIXTURE / f"{FIXTURE}.ipynb").read_text()
    # s1 submits the blank notebook first, then the full answer: the newest counts.
    write_notebook(s1, blank)
    first = nbgrader(hub, s1, "submit", FIXTURE)
    assert first.returncode == 0, first.stderr
    assert "due date" not in first.stderr and "on time" not in first.stderr  # none set yet
    write_notebook(s1, good)
    (second,) = calls(hub, s1, [["POST", "assignments/submit", form]])
    assert json.loads(second["body"])["success"], second
    for name in (s2, s5):
        write_notebook(name, good)
        done = nbgrader(hub, name, "submit", FIXTURE)
        assert done.returncode == 0, done.stderr
    (home(s4) / FIXTURE / f"{FIXTURE}.ipynb").write_text('{"cells": [')  # broken JSON
    done = nbgrader(hub, s4, "submit", FIXTURE)
    assert done.returncode == 0, done.stderr
    # The instructor sets a due date, now, and releases again; s3 then submits, late.
    due = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    from astrolearn.grading import cycle

    with cycle._gradebook(course) as gradebook:
        gradebook.update_or_create_assignment(FIXTURE, duedate=due)
    again = grade(course, "release", FIXTURE, "--exchange")
    assert again.returncode == 0, again.stdout + again.stderr
    write_notebook(s3, good)
    late = nbgrader(hub, s3, "submit", FIXTURE)
    assert late.returncode == 0, late.stderr
    assert re.search(
        rf"Submitted late by (under a minute|\d+ min) \(due {due:%Y-%m-%d %H:%M} UTC\); "
        "it is kept and the instructor's late policy applies",
        late.stderr,
    ), late.stderr
    return {"due": due}


def test_students_have_the_assignments_tab_and_not_the_formgrader(hub, course, submitted):
    student, instructor = hub.students[1], hub.instructor
    page, api = calls(
        hub, instructor, [["GET", "formgrader", {}], ["GET", "formgrader/api/assignments", {}]]
    )
    assert page["status"] == 200 and "formgrader" in page["body"].lower(), page
    assert api["status"] == 200 and isinstance(json.loads(api["body"]), list), api
    answers = calls(
        hub,
        student,
        [
            ["GET", "assignments?course_id=astrolearn", {}],
            ["GET", "formgrader", {}],
            ["GET", "formgrader/api/assignments", {}],
            ["GET", "formgrader/api/students", {}],
            ["GET", "formgraders", {}],  # the course list (of formgraders)
            # The instructor's own server, which runs the formgrader: not the student's.
            ["GET", f"/user/{instructor}/formgrader/api/assignments", {}],
            ["GET", "lab", {}],
        ],
    )
    listing, *refused, theirs, lab = answers
    page_config = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', lab["body"], re.S)
    hidden = set(json.loads(page_config.group(1))["disabledExtensions"])
    assert hidden >= set(INSTRUCTOR_PLUGINS) and "@jupyter/nbgrader:assignment-list" not in hidden
    assignments = json.loads(listing["body"])["value"]
    assert {(a["assignment_id"], a["status"]) for a in assignments} >= {(FIXTURE, "fetched")}
    assert [answer["status"] for answer in refused] == [404] * 4, refused
    assert theirs["status"] == 403, theirs["status"]


def test_a_second_submission_says_it_replaces_the_first(hub, submitted):
    s1 = hub.students[0]
    assert len([n for n in submissions(hub, s1) if FIXTURE in n]) == 2
    again = nbgrader(hub, s1, "submit", FIXTURE)
    assert again.returncode == 0, again.stderr
    assert "this submission replaces it; the newest one is graded" in again.stderr


def test_a_renamed_notebook_is_not_submitted(hub, submitted):
    s2 = hub.students[1]
    folder = home(s2) / FIXTURE
    before = submissions(hub, s2)
    (folder / f"{FIXTURE}.ipynb").rename(folder / "my-work.ipynb")
    try:
        done = nbgrader(hub, s2, "submit", FIXTURE)
    finally:
        (folder / "my-work.ipynb").rename(folder / f"{FIXTURE}.ipynb")
    assert done.returncode != 0
    assert f"{FIXTURE}.ipynb: MISSING" in done.stderr and "my-work.ipynb: EXTRA" in done.stderr
    assert submissions(hub, s2) == before


def attempt(hub: Hub, name: str, code: str) -> dict:
    """Run Python ``code`` as ``name``; it prints a JSON object of outcomes."""
    done = as_user(hub, name, "python", "-c", code)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


TRY = """
import json, os, shutil, sys
outcomes = {}
def attempt(label, action):
    try:
        action()
        outcomes[label] = "done"
    except OSError as error:
        outcomes[label] = type(error).__name__
"""


def test_a_student_cannot_reach_others_work_the_course_or_the_gradebook(hub, course, submitted):
    attacker, victim = hub.students[4], hub.students[1]
    inbound = hub.folder / "exchange" / "astrolearn" / "inbound"
    (learned,) = [n for n in submissions(hub, victim) if FIXTURE in n]  # a name leaked
    theirs = inbound / victim / learned
    targets = {
        "list inbound": f"os.listdir({str(inbound)!r})",
        "list feedback": f"os.listdir({str(inbound.parent / 'feedback')!r})",
        "list victim": f"os.listdir({str(inbound / victim)!r})",
        "read victim": f"open({str(theirs / (FIXTURE + '.ipynb'))!r}).read()",
        "delete victim": f"shutil.rmtree({str(theirs)!r})",
        "write victim": f"os.mkdir({str(inbound / victim / 'x')!r})",
        "release": f"os.mkdir({str(inbound.parent / 'outbound' / 'x')!r})",
        "source": f"os.listdir({str(course / 'source')!r})",
        "gradebook": f"open({str(course / 'gradebook.db')!r}, 'rb').read()",
    }
    code = TRY + "".join(f"attempt({k!r}, lambda: {v})\n" for k, v in targets.items())
    assert {(name, oct(os.stat(inbound / name).st_mode & 0o7777)) for name in hub.students} == {
        (name, "0o700") for name in hub.students
    }
    assert all(
        os.stat(inbound / name).st_uid == pwd.getpwnam(name).pw_uid for name in hub.students
    )
    # Releasing did not open the exchange's root to everyone (nbgrader's release does).
    assert oct(os.stat(hub.folder / "exchange").st_mode & 0o7777) == "0o755"
    outcomes = attempt(hub, attacker, code + "print(json.dumps(outcomes))")
    assert outcomes == dict.fromkeys(targets, "PermissionError")
    assert (theirs / f"{FIXTURE}.ipynb").is_file()

    forged = nbgrader(hub, attacker, "submit", FIXTURE, f"--student={victim}")
    assert forged.returncode != 0
    assert f"you submit as yourself ({attacker}): --student={victim} is not allowed" in (
        forged.stderr
    )
    # $USER and $LOGNAME do not make anyone someone else: this lands as the attacker's.
    before = submissions(hub, attacker)
    tricked = nbgrader(hub, attacker, "submit", FIXTURE, env={"USER": victim, "LOGNAME": victim})
    assert tricked.returncode == 0, tricked.stderr
    (new,) = set(submissions(hub, attacker)) - set(before)
    assert new.startswith(f"{attacker}+{FIXTURE}+")
    assert submissions(hub, victim) == sorted([learned])


def plant(hub: Hub, name: str, owner: str, link_to: Path) -> None:
    """A submission folder made by hand in the student's own folder: newest, with a link."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder = hub.folder / "exchange" / "astrolearn" / "inbound" / name
    target = folder / f"{owner}+{FIXTURE}+{when}+{secrets.token_hex(4)}"
    code = (
        f"import os; os.mkdir({str(target)!r}); "
        f"os.symlink({str(link_to)!r}, {str(target / (FIXTURE + '.ipynb'))!r})"
    )
    done = as_user(hub, name, "python", "-c", code)
    assert done.returncode == 0, done.stderr


def test_the_cycle_collects_grades_and_returns_feedback_to_each(hub, course, submitted):
    s1, s2, s3, s4, s5 = hub.students
    # The attacker's newest submissions: links to the victim's work and to the gradebook,
    # and one in the victim's name. The collector refuses them and takes an older one.
    (learned,) = [n for n in submissions(hub, s2) if FIXTURE in n]
    inbound = hub.folder / "exchange" / "astrolearn" / "inbound"
    plant(hub, s5, s5, inbound / s2 / learned / f"{FIXTURE}.ipynb")
    plant(hub, s5, s5, course / "gradebook.db")
    plant(hub, s5, s2, course / "gradebook.db")
    from astrolearn.grading import cycle

    with cycle._gradebook(course) as gradebook:
        gradebook.update_or_create_assignment(FIXTURE, duedate=submitted["due"])

    done = grade(course, "cycle", FIXTURE, "--exchange", "--timeout", "60")
    output = done.stdout + done.stderr
    assert done.returncode == cycle.NOT_ALL_GRADED, output  # the broken notebook
    refusals = re.findall(rf"refused the submission of {s5} at \S+ \S+: (.*)", output)
    assert len(refusals) == 2 and all("is a symbolic link" in r for r in refusals), output
    assert f"refused: {s5}'s folder holds a submission in the name of {s2}" in output
    log = (course / "reports" / "nbgrader.log").read_text()
    newest = max(n.split("+")[2] for n in submissions(hub, s1)).removesuffix(" UTC")
    assert f"{s1} submitted {FIXTURE} 3 times: collecting the one of {newest}" in log
    assert re.search(rf"{s3} submitted {FIXTURE} late: at .*after the due date", output)

    # The instructor grades written answers in their own formgrader: the files are theirs.
    teacher = pwd.getpwnam(hub.instructor).pw_uid
    assert {path.stat().st_uid for path in course.rglob("*")} == {teacher}
    got = scores(course, FIXTURE)
    # The broken notebook is collected and flagged, not scored.
    assert got == {s1: FULL, s2: FULL, s3: FULL, s4: dict.fromkeys(FULL), s5: FULL}, output
    for name in (s1, s2, s3, s5):
        fetched = nbgrader(hub, name, "fetch_feedback", FIXTURE)
        assert fetched.returncode == 0, fetched.stderr
        (html,) = (home(name) / FIXTURE / "feedback").glob(f"*/{FIXTURE}.html")
        # The tests' 3 points; the written answer (2 points) waits for the instructor.
        assert f"{FIXTURE} (Score: 3.0 / 5.0)" in html.read_text()
    assert not (home(s4) / FIXTURE / "feedback").exists()
