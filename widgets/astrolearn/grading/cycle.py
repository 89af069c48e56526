"""``astrolearn grade``: the nbgrader cycle of an assignment, step by step or all at once.

Steps (each is a sub-command; ``cycle`` runs them in order)::

    astrolearn grade init DIR                             # a course folder of one's own
    astrolearn grade generate-sources [ASSIGNMENT ...]   # lessons/*.md -> course/source/
    astrolearn grade release ASSIGNMENT [--exchange]      # nbgrader generate_assignment
    astrolearn grade students add ID [ID ...]             # nbgrader db student add
    astrolearn grade students list                        # read only: writes nothing
    astrolearn grade collect ASSIGNMENT --from DIR        # DIR/<student>/<name>.ipynb
    astrolearn grade check ASSIGNMENT                     # integrity report, no grading
    astrolearn grade autograde ASSIGNMENT [--timeout S]   # check, then nbgrader autograde
    astrolearn grade feedback ASSIGNMENT [--exchange]     # nbgrader generate_feedback
    astrolearn grade export [--to grades.csv]             # nbgrader export (CSV)
    astrolearn grade cycle ASSIGNMENT --from DIR          # all of the above

nbgrader runs as a subprocess in the course folder (``--course``, default the current
folder when it holds ``nbgrader_config.py``), so its ``nbgrader_config.py`` applies.
The content root's ``course/`` (:mod:`astrolearn.content`; in a clone, tracked files)
holds the settings only and is never the default: ``init`` copies it to a folder of
one's own, where the gradebook and the grades are written. nbgrader's own log goes in
full to ``reports/nbgrader.log`` in the course; the terminal shows its warnings and
errors and one line per run. Only the standard library is imported at module level
(the ``astrolearn`` parser must stay fast).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

from astrolearn import content, processes  # standard library only

from . import sandbox  # standard library only

_CHECKSUM_WARNING = re.compile(r"Attribute 'checksum' for cell (\S+) has changed")
_GRADING_LINE = re.compile(r"(?:Sanitizing|Autograding|Grading) .*?submitted[/\\]([^/\\]+)[/\\]")


def _folder_options(parser: argparse.ArgumentParser, *, repeated: bool = False) -> None:
    """``--course``, ``--lessons`` and ``--content``; ``repeated`` for a step's parser,
    whose defaults are left out so that a value given before the step is kept."""
    unset = argparse.SUPPRESS if repeated else None
    parser.add_argument(
        "--course",
        type=Path,
        metavar="DIR",
        default=unset,
        help="nbgrader course folder, where the gradebook and grades are written (default: "
        "the current folder if it holds nbgrader_config.py; start one of your own with: "
        "astrolearn grade init DIR)",
    )
    parser.add_argument(
        "--lessons",
        type=Path,
        metavar="DIR",
        default=unset,
        help="folder of NN-slug/lesson.md sources (default: the content root's lessons/)",
    )
    content.add_option(parser, repeated=repeated)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``grade`` options and steps to ``parser``.

    The folder options are accepted before and after the step
    (``grade --course D release X`` and ``grade release X --course D``).
    """
    _folder_options(parser)
    shared = argparse.ArgumentParser(add_help=False)
    _folder_options(shared, repeated=True)
    steps = parser.add_subparsers(dest="step", metavar="STEP", required=True)
    init = steps.add_parser(
        "init",
        help="start a course folder of your own from the content root's course/",
        description="Copy the course settings (nbgrader_config.py, assignments.toml, guides) "
        "into DIR, a new or empty folder; then grade with --course DIR.",
        parents=[shared],
    )
    init.add_argument("folder", metavar="DIR", help="new or empty folder for the course")
    gen = steps.add_parser(
        "generate-sources",
        help="write course/source/ from the lessons",
        description="write course/source/ from the lessons",
        parents=[shared],
    )
    gen.add_argument(
        "assignments",
        nargs="*",
        metavar="ASSIGNMENT",
        help="graded lessons to write, such as 05-unsupervised-learning (default: all the "
        "course's assignments.toml lists)",
    )
    helps = {
        "release": "generate the source and the student version (nbgrader generate_assignment)",
        "check": "report deleted/edited test cells and suspicious code in submissions",
        "autograde": "check, then autograde the submissions (nbgrader autograde)",
        "feedback": "write feedback HTML for every student (nbgrader generate_feedback)",
        "cycle": "release, collect, autograde, feedback and export in one go",
    }
    for name, text in helps.items():
        step = steps.add_parser(name, help=text, description=text, parents=[shared])
        _assignment(step)
        if name in ("release", "feedback", "cycle"):
            step.add_argument(
                "--exchange",
                action="store_true",
                help=(
                    "also release through nbgrader's exchange (JupyterHub); on a classroom "
                    "hub, run as root: the collector reads each student's private folder"
                ),
            )
        if name in ("autograde", "cycle"):
            step.add_argument(
                "--timeout",
                type=int,
                metavar="SECONDS",
                help="seconds per cell (default: the course's nbgrader_config.py, 60)",
            )
            step.add_argument(
                "--budget",
                type=int,
                metavar="SECONDS",
                help="seconds one submission may take in all; it is then stopped and the "
                "others graded (default: every code cell at its time limit, plus 60)",
            )
            if name == "autograde":
                step.add_argument("--student", metavar="ID", help="grade only this student")
            step.add_argument(
                "--strict",
                action="store_true",
                help="exit with status 3 when a test cell was deleted/edited",
            )
        if name == "cycle":
            _from_option(step, "default: nbgrader collect, from the exchange")
            _to_option(step)
    text = "add students to the gradebook, or list them"
    students = steps.add_parser("students", help=text, description=text, parents=[shared])
    students.add_argument("action", choices=["add", "list"], help="add IDs, or list all")
    students.add_argument("ids", nargs="*", metavar="ID", help="student ids to add")
    text = "copy submissions into the course's submitted/ folder"
    collect = steps.add_parser("collect", help=text, description=text, parents=[shared])
    _assignment(collect)
    _from_option(collect, "default: nbgrader's exchange")
    text = "export all grades to CSV"
    export = steps.add_parser("export", help=text, description=text, parents=[shared])
    _to_option(export)


def _assignment(step: argparse.ArgumentParser) -> None:
    step.add_argument(
        "assignment",
        help="a graded lesson, such as 05-unsupervised-learning (the course's "
        "assignments.toml lists them)",
    )


def _from_option(step: argparse.ArgumentParser, default: str) -> None:
    step.add_argument(
        "--from",
        dest="source_dir",
        type=Path,
        metavar="DIR",
        help=f"folder of submissions, DIR/<student>/<assignment>.ipynb ({default})",
    )


def _to_option(step: argparse.ArgumentParser) -> None:
    step.add_argument(
        "--to", type=Path, metavar="CSV", help="grades CSV (default: the course's grades.csv)"
    )


def _default_course(content_root: Path | None) -> Path | None:
    """The current folder when it is a course (as for plain nbgrader), else None.

    The content root's ``course/`` is never the default: it holds the course settings
    that ``init`` copies (in a clone, tracked files), not a class's gradebook and grades.
    """
    here = Path.cwd()
    if (here / "nbgrader_config.py").is_file():
        return here
    template = content.folder("course", content_root)  # checked: a wrong root is named
    print(
        f"no course folder here: the current folder has no nbgrader_config.py, and "
        f"{template} holds the course settings, not a class's grades. Start a course of "
        "your own: astrolearn grade init my-course, then run this step in my-course or "
        "add --course my-course",
        file=sys.stderr,
    )
    return None


#: Steps that read the lessons (the others need only the course).
_READ_LESSONS = ("generate-sources", "release", "autograde", "cycle")


def run(args: argparse.Namespace) -> int:
    """Run the chosen step; returns the exit status."""
    step = args.step
    if step == "init":
        return init(Path(args.folder), content.folder("course", args.content))
    if args.lessons is not None and not Path(args.lessons).is_dir():
        print(f"--lessons {args.lessons} is not a folder: name a lessons folder", file=sys.stderr)
        return 2
    course = args.course or _default_course(args.content)
    if course is None:
        return 2
    course = course.resolve()
    if not (course / "nbgrader_config.py").exists():
        print(
            f"--course {course}: no nbgrader_config.py there. Start a course folder with: "
            f"astrolearn grade init {course}",
            file=sys.stderr,
        )
        return 2
    if content.is_installed(course):
        print(
            f"the course installed with astrolearn ({course}) is not written to. Start one "
            "of your own: astrolearn grade init my-course, then add --course my-course",
            file=sys.stderr,
        )
        return 2
    if step in _READ_LESSONS and args.lessons is None:
        args.lessons = content.folder("lessons", args.content)
    if step == "generate-sources":
        return generate_sources(course, args.lessons, args.assignments)
    if step == "students":
        if args.action == "list":
            return list_students(course)
        return add_students(course, args.ids)
    if step == "export":
        return export(course, args.to)
    if step == "collect":
        status = collect(course, args.assignment, args.source_dir)
        if args.source_dir is None:
            give_back(course)
        return status
    released = course / "release" / args.assignment / f"{args.assignment}.ipynb"
    if step in ("check", "autograde") and not released.is_file():
        print(
            f"{args.assignment} is not released in {course}, so there is nothing to grade "
            f"against: astrolearn grade release {args.assignment} --course {course}",
            file=sys.stderr,
        )
        return 2
    if step == "check":
        from .integrity import report

        report(course, args.assignment)
        return 0
    if step == "release":
        return release(course, args.lessons, args.assignment, args.exchange)
    if step == "autograde":
        return autograde(
            course,
            args.assignment,
            args.timeout,
            args.student,
            args.strict,
            hidden=_hidden(args),
            budget=args.budget,
        )
    if step == "feedback":
        return feedback(course, args.assignment, args.exchange)
    status = cycle(course, args)
    if args.exchange:
        give_back(course)
    return status


#: While this reads 1 (Linux's default), nobody makes a hard link to a file they do not
#: own and cannot write: without it, the course's owner could link /etc/shadow into the
#: course for :func:`give_back` to hand over.
PROTECTED_HARDLINKS = Path("/proc/sys/fs/protected_hardlinks")


def give_back(course: Path) -> None:
    """Run as root, give the course's files back to the owner of the course folder.

    Collecting from a classroom hub's exchange needs root (astrolearn.classroom.exchange);
    the instructor then grades written answers in their own formgrader, as themselves.
    ``os.fwalk`` holds each folder open, so a link swapped in meanwhile is not followed;
    a hard link cannot be told from the file, so hard links must be protected.
    """
    owner = course.stat()
    if os.geteuid() != 0 or owner.st_uid == 0:
        return
    try:
        protected = PROTECTED_HARDLINKS.read_text().strip() == "1"
    except OSError:
        protected = False
    if not protected:
        print(
            f"{course}'s new files stay root's: hard links are not protected here "
            "(sysctl fs.protected_hardlinks=1 protects them), so the course's owner could "
            "have linked any file into it. Check the course, then chown its files yourself.",
            file=sys.stderr,
        )
        return
    for _, _, files, folder in os.fwalk(course):
        os.chown(folder, owner.st_uid, owner.st_gid)
        for name in files:
            os.chown(name, owner.st_uid, owner.st_gid, dir_fd=folder, follow_symlinks=False)


def _hidden(args: argparse.Namespace) -> tuple[Path, ...]:
    """The lessons and every other copy of them: they hold the solutions, which the
    grading kernel must not read (a wheel carries the book's copy as a real folder)."""
    folders = [Path(args.lessons).resolve(), *content.lesson_folders(args.content)]
    return tuple(dict.fromkeys(folders))


#: What ``init`` copies: the settings and the guides, never generated folders or grades.
COURSE_FILES = ("nbgrader_config.py", "assignments.toml", "EXERCISES.md", "INSTRUCTORS.md")


def init(target: Path, template: Path) -> int:
    """Copy the course settings of ``template`` into ``target``, a new or empty folder."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(
            f"{target} exists and is not an empty folder: name a new folder for the course",
            file=sys.stderr,
        )
        return 2
    target.mkdir(parents=True, exist_ok=True)
    for name in COURSE_FILES:
        if (template / name).is_file():
            shutil.copyfile(template / name, target / name)
    print(
        f"course folder {target} ready (lessons graded: see {target / 'assignments.toml'}). "
        f"Next: astrolearn grade release ASSIGNMENT --course {target}"
    )
    return 0


def cycle(course: Path, args: argparse.Namespace) -> int:
    """Release, collect, autograde, feedback and export one assignment.

    Submissions that could not be graded (status ``NOT_ALL_GRADED``) do not stop the
    cycle: the others get their feedback and grades, and the status says so at the end.
    """
    status = 0
    for step in (
        lambda: release(course, args.lessons, args.assignment, args.exchange),
        lambda: collect(course, args.assignment, args.source_dir),
        lambda: autograde(
            course,
            args.assignment,
            args.timeout,
            None,
            args.strict,
            hidden=_hidden(args),
            budget=args.budget,
        ),
        lambda: feedback(course, args.assignment, args.exchange),
        lambda: export(course, args.to),
    ):
        code = step()
        if code == NOT_ALL_GRADED:
            status = code
        elif code:
            return code
    return status


#: Exit status of ``autograde`` (and ``cycle``) when some submissions were not graded.
NOT_ALL_GRADED = 4
#: Exit status of an nbgrader run stopped by its ``stop`` test (as timeout(1) uses).
STOPPED = 124


#: nbgrader's log lines and their level: ``[AutogradeApp | WARNING] ...``, and the
#: ``INFO  [alembic...]`` lines of its gradebook migrations.
_LOG_LEVEL = re.compile(r"^\[[^]|]*\|\s*([A-Z]+)\]|^([A-Z]+)\s+\[alembic")
#: Levels whose lines the terminal does not show (they stay in reports/nbgrader.log).
_QUIET_LEVELS = ("DEBUG", "INFO")


def nbgrader(course: Path, *arguments: str, echo=None, env: dict | None = None, stop=None) -> int:
    """Run ``nbgrader ARGUMENTS`` in the course folder and summarise its log.

    The whole log is appended to ``reports/nbgrader.log`` in the course; the terminal
    shows its warnings and errors (with the lines that follow them, such as a
    traceback), what ``echo`` rewrites, and one closing line. ``echo(line)`` may rewrite
    or drop (return None) each log line. ``stop()``, asked every second, ends the run
    (nbgrader and its kernels) when it returns True; the status is then ``STOPPED``.
    """
    command = [sys.executable, "-m", "nbgrader", *arguments]
    # nbgrader runs `alembic` (gradebook migrations) from PATH: use this environment's.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, **(env or {})}
    log_path = course / "reports" / "nbgrader.log"
    log_path.parent.mkdir(exist_ok=True)
    stopped = threading.Event()
    level, quiet = "", 0
    with (
        log_path.open("a", encoding="utf-8") as log,
        subprocess.Popen(
            command,
            cwd=course,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        ) as process,
    ):
        log.write(f"$ nbgrader {' '.join(arguments)}\n")

        def watch() -> None:
            while process.poll() is None:
                if stop():
                    stopped.set()
                    processes.kill_tree(process.pid)
                    return
                time.sleep(1)

        if stop is not None:
            threading.Thread(target=watch, daemon=True).start()
        for line in process.stdout:
            log.write(line)
            found = _LOG_LEVEL.match(line)
            level = (found.group(1) or found.group(2)) if found else level
            shown = echo(line) if echo else line
            if shown is None:
                continue
            if shown == line and level in _QUIET_LEVELS:
                quiet += 1
                continue
            print(shown, end="", flush=True)
    status = STOPPED if stopped.is_set() else process.returncode
    outcome = {0: "done", STOPPED: "stopped"}.get(status, f"failed (exit status {status})")
    print(f"nbgrader {arguments[0]}: {outcome}; {quiet} routine log lines in {log_path}")
    return status


def generate_sources(course: Path, lessons: Path, names: list[str] | None = None) -> int:
    """Write ``source/<name>/<name>.ipynb`` for the graded lessons (all by default)."""
    from . import assignments

    graded = assignments.graded_lessons(lessons, course)
    unknown = sorted(set(names or ()) - set(graded))
    if unknown:
        print(_not_graded(unknown[0], lessons, course, sorted(graded)), file=sys.stderr)
        return 2
    for name in names or sorted(graded):
        assignments.write_source(graded[name], course, name)
        print("wrote", course / "source" / name, "-", assignments.summarize(graded[name], name))
    return 0


def _not_graded(name: str, lessons: Path, course: Path, graded: list[str]) -> str:
    """What to do about an assignment name that is no graded lesson."""
    choices = ", ".join(graded) or "none yet"
    if (Path(lessons) / name / "lesson.md").is_file():
        number = name.split("-", 1)[0]
        return (
            f"lesson {name} is not graded: {course / 'assignments.toml'} does not list "
            f'"{number}". Add it there if the lesson has exercise-test cells (see '
            f"EXERCISES.md), or choose a graded lesson: {choices}"
        )
    return f"no lesson {name} in {lessons}; the graded lessons are: {choices}"


def release(course: Path, lessons: Path, name: str, exchange: bool = False) -> int:
    """Generate the source from the lesson, then the student version in release/."""
    from . import assignments

    if name in assignments.graded_lessons(lessons, course):
        code = generate_sources(course, lessons, [name])
        if code:
            return code
    elif not (course / "source" / name).is_dir():
        graded = sorted(assignments.graded_lessons(lessons, course))
        print(_not_graded(name, lessons, course, graded), file=sys.stderr)
        return 2
    code = nbgrader(course, "generate_assignment", name, "--force")
    if code or not exchange:
        return code
    return nbgrader(course, "release_assignment", name, "--force")


def _gradebook(course: Path):
    from nbgrader.api import Gradebook

    # A new gradebook runs `alembic` from PATH: make it this environment's.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    return Gradebook(f"sqlite:///{course / 'gradebook.db'}")


def add_students(course: Path, ids: list[str]) -> int:
    """Add students to the gradebook, as ``nbgrader db student add`` does.

    nbgrader 0.9 ignores the old ``db_students`` option; this calls the same gradebook
    method in-process (one nbgrader start-up per student would cost seconds each).
    """
    with _gradebook(course) as gradebook:
        for student_id in ids:
            gradebook.update_or_create_student(student_id)
            print("added student", student_id)
    return 0


def list_students(course: Path) -> int:
    """Print the students of the gradebook, which is only read.

    ``nbgrader db student list`` creates the gradebook (and this command its log) when
    there is none: a listing must leave the course as it found it.
    """
    database = course / "gradebook.db"
    if not database.is_file():
        print(
            f"no students yet ({course} has no gradebook); add them with: "
            f"astrolearn grade students add ID [ID ...] --course {course}"
        )
        return 0
    import sqlite3

    from nbgrader.api import Student
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    uri = f"{database.resolve().as_uri()}?mode=ro"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    with Session(engine) as session:
        students = session.query(Student).order_by(Student.id).all()
        print(f"{len(students)} student(s) in {database}:")
        for student in students:
            name = " ".join(filter(None, [student.first_name, student.last_name]))
            print(f"{student.id} ({name})" if name else student.id)
    engine.dispose()
    return 0


def collect(course: Path, name: str, source_dir: Path | None) -> int:
    """Copy ``DIR/<student>/<name>.ipynb`` (or ``DIR/<student>/<name>/``) into submitted/.

    Without a folder, collects from nbgrader's exchange (on a classroom hub, as root, through
    astrolearn.classroom.exchange.Collect). Students are added to the gradebook.
    """
    if source_dir is None:
        return nbgrader(course, "collect", name, "--update")
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        print(f"--from {source_dir}: not a folder", file=sys.stderr)
        return 2
    collected = []
    for student_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
        files = [student_dir / f"{name}.ipynb"]
        files = files if files[0].exists() else sorted((student_dir / name).glob("*.ipynb"))
        if not files:
            print(f"WARNING: no {name}.ipynb from {student_dir.name}", file=sys.stderr)
            continue
        target = course / "submitted" / student_dir.name / name
        target.mkdir(parents=True, exist_ok=True)
        for file in files:
            shutil.copy2(file, target / f"{name}.ipynb" if len(files) == 1 else file.name)
        stamp = student_dir / "timestamp.txt"
        if stamp.exists():
            shutil.copy2(stamp, target / "timestamp.txt")
        collected.append(student_dir.name)
    print(f"collected {len(collected)} submission(s) of {name}: {', '.join(collected)}")
    return add_students(course, collected)


def autograde(
    course: Path,
    name: str,
    timeout: int | None = None,
    student: str | None = None,
    strict: bool = False,
    hidden: tuple = (),
    budget: float | None = None,
) -> int:
    """Report tampering, then autograde every submission on its own merits.

    Whatever one submission does, the others are graded: a notebook nbgrader cannot
    read is not handed to it; one that makes nbgrader fail, or runs past its time
    (``STUDENT_BUDGET``), is stopped and the rest are graded in a new run. Every
    student ends in the table ``reports/<name>-grading.csv``: graded, or not graded
    and why, and flagged for review when the integrity report names them. nbgrader's
    false checksum alarms are explained. ``budget`` is the seconds one submission may
    take (default ``student_budget``).
    """
    from .integrity import UNGRADABLE, report

    findings, expected = report(course, name, student)
    everyone = [student] if student else submitted_students(course, name)
    outcome = {f.student: f"not graded: {f.message}" for f in findings if f.kind in UNGRADABLE}
    budget = budget or student_budget(course, name, timeout)
    state = {"explained": 0}
    pending = [who for who in everyone if who not in outcome]
    _forget_checks(course, name, everyone)
    config = _fingerprint(course / "nbgrader_config.py")
    while pending:
        if _fingerprint(course / "nbgrader_config.py") != config:  # a kernel wrote it?
            outcome.update({who: "not graded: nbgrader_config.py changed" for who in pending})
            break
        started = time.time()
        stuck, errors = _autograde_run(
            course, name, pending, timeout, hidden, budget, expected, state
        )
        for who in pending:
            if who == stuck:
                outcome[who] = f"not graded: still running after {budget:.0f} s, stopped"
            elif _autograded_since(course, name, who, started):
                outcome[who] = "graded"
            elif who in errors:
                outcome[who] = f"not graded: nbgrader failed: {errors[who].strip()}"
        # nbgrader stops at the first submission it cannot go past: grade the rest anew.
        left = [who for who in pending if who not in outcome]
        if left == pending:  # no progress: say so rather than loop
            outcome.update({who: "not graded: nbgrader did not get to it" for who in left})
            left = []
        pending = left
    if state["explained"]:
        print(
            f"note: {state['explained']} nbgrader 'checksum has changed' warning(s) hidden: "
            "those test cells hold hidden tests, which the release omits; nbgrader restored "
            "them as intended (the learners did not edit them)."
        )
    flagged = {f.student for f in findings if f.severe or f.kind == "suspicious-code"}
    for who, seen in _checker_findings(course, name).items():
        if outcome.get(who) == "graded":  # what the trusted checker saw, for review
            outcome[who] = "graded: " + "; ".join(seen)
            flagged.add(who)
    _record(course, name, outcome, flagged)
    tampered = [f for f in findings if f.kind in ("deleted-test", "edited-test")]
    if any(not result.startswith("graded") for result in outcome.values()):
        return NOT_ALL_GRADED
    return 3 if strict and tampered else 0


def _checks_file(course: Path, name: str) -> Path:
    """Where ``trusted.TrustedExecute`` notes what it saw, one JSON line per finding."""
    return course / "reports" / f"{name}-checks.jsonl"


def _forget_checks(course: Path, name: str, students: list[str]) -> None:
    """Drop the findings of earlier runs for ``students`` (they are graded anew)."""
    path = _checks_file(course, name)
    if path.exists():
        lines = path.read_text().splitlines()
        kept = [line for line in lines if json.loads(line).get("student") not in students]
        path.write_text("".join(line + "\n" for line in kept))


def _checker_findings(course: Path, name: str) -> dict[str, list[str]]:
    path = _checks_file(course, name)
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        finding = json.loads(line)
        note = f"{finding['detail']} ({finding['cell']})"
        found.setdefault(finding["student"], []).append(note)
    return found


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


#: Seconds nbgrader may spend on one submission beyond its cells' own time limits
#: (starting a kernel, restoring cells, saving the grades).
STUDENT_OVERHEAD = 60


def student_budget(course: Path, name: str, timeout: int | None) -> float:
    """Seconds one submission may take: every code cell at its time limit, plus overhead."""
    import nbformat

    release_nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    cells = sum(cell.cell_type == "code" for cell in release_nb.cells)
    # A deleted test cell is put back and run, an interrupted cell waits for the kernel.
    return (cells + 2) * (timeout or configured_timeout(course)) + STUDENT_OVERHEAD


def configured_timeout(course: Path) -> int:
    """The per-cell time limit ``nbgrader_config.py`` sets (60 s if it sets none)."""
    found = re.search(
        r"^c\.ExecutePreprocessor\.timeout\s*=\s*(\d+)",
        (course / "nbgrader_config.py").read_text(),
        re.MULTILINE,
    )
    return int(found.group(1)) if found else 60


def submitted_students(course: Path, name: str) -> list[str]:
    """Students with a submission of ``name`` in ``submitted/``, sorted."""
    found = (course / "submitted").glob(f"*/{name}")
    return sorted(path.parent.name for path in found if path.is_dir())


def _autograded_since(course: Path, name: str, student: str, since: float) -> bool:
    notebook = course / "autograded" / student / name / f"{name}.ipynb"
    return notebook.exists() and notebook.stat().st_mtime >= since - 1


def _autograde_run(course, name, students, timeout, hidden, budget, expected, state):
    """One ``nbgrader autograde`` over ``students``, stopped if one takes over ``budget`` s.

    Returns the student it was stopped on (or None) and the error nbgrader logged for
    each student it failed on.
    """
    arguments = ["autograde", name, "--force"]
    arguments += [f"--ExecutePreprocessor.timeout={timeout}"] if timeout else []
    if len(students) == 1:
        arguments += ["--student", students[0]]
    else:
        others = set(submitted_students(course, name)) - set(students)
        arguments += [f"--CourseDirectory.student_id_exclude={','.join(sorted(others))}"]
    current = {"student": "", "since": time.monotonic()}
    errors: dict[str, str] = {}

    def echo(line: str):
        # sqlalchemy warnings from inside nbgrader and ipykernel's TCP notice are noise.
        after_warning, state["sawarning"] = state.get("sawarning"), "SAWarning" in line
        if state["sawarning"] or after_warning or "without encryption" in line:
            return None
        match = _GRADING_LINE.search(line)
        if match and match.group(1) != current["student"]:
            current.update(student=match.group(1), since=time.monotonic())
            return f"  autograding {current['student']}\n"  # progress, in place of the log
        if "ERROR" in line and current["student"]:
            errors.setdefault(current["student"], line.split("ERROR", 1)[1].strip(" |]")[:300])
        warning = _CHECKSUM_WARNING.search(line)
        if warning and warning.group(1) in expected.get(current["student"], ()):
            state["explained"] += 1
            return None
        return line

    def overdue() -> bool:
        return bool(current["student"]) and time.monotonic() - current["since"] > budget

    env = sandbox_env(course, hidden, budget)
    try:
        status = nbgrader(course, *arguments, echo=echo, env=env, stop=overdue)
    finally:
        sandbox.discard(env)
    return (current["student"] if status == STOPPED else None), errors


def _record(course: Path, name: str, outcome: dict[str, str], flagged: set[str]) -> None:
    """Print the grading table, write it as CSV and flag students in the gradebook.

    A student is flagged for review when not graded or named by the integrity report.
    """
    import csv

    review = {who for who, result in outcome.items() if not result.startswith("graded")}
    review |= flagged
    target = course / "reports" / f"{name}-grading.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", "status", "why", "review"])
        for who, result in sorted(outcome.items()):
            status, _, why = result.partition(": ")
            writer.writerow([who, status, why, "yes" if who in review else ""])
    graded = sum(result.startswith("graded") for result in outcome.values())
    print(f"\n{name}: {graded} of {len(outcome)} submissions graded (table: {target})")
    for who in sorted(review & set(outcome)):
        print(f"  {who}: {outcome[who]}{' (review)' if who in flagged else ''}")
    if graded < len(outcome):
        print(
            "Students not graded are flagged in the gradebook. Fix the notebook by hand if "
            f"need be, then: astrolearn grade autograde {name} --student ID"
        )
    with warnings.catch_warnings(), _gradebook(course) as gradebook:
        warnings.simplefilter("ignore")  # sqlalchemy's, about nbgrader's own models
        for who in outcome:
            gradebook.update_or_create_student(who)
            submission = gradebook.update_or_create_submission(name, who)
            for notebook in submission.notebooks:
                notebook.flagged = who in review
        gradebook.db.commit()


def sandbox_env(course: Path, hidden: tuple = (), budget: float | None = None) -> dict:
    """Environment for nbgrader: the sandboxed grading kernel when it is available.

    A kernel may use as many CPU seconds as one submission has (``budget``).
    """
    limits = sandbox.Limits(cpu_seconds=math.ceil(budget) if budget else None)
    return sandbox.kernel_env(course, list(hidden), limits)


def feedback(course: Path, name: str, exchange: bool = False) -> int:
    """Write feedback HTML for every graded student (and release it through the exchange)."""
    if not any((course / "autograded").glob(f"*/{name}")):
        print(
            f"no submission of {name} is graded yet, so there is no feedback to write: "
            f"astrolearn grade collect {name} --from DIR, then astrolearn grade autograde {name}",
            file=sys.stderr,
        )
        return 2
    code = nbgrader(course, "generate_feedback", name, "--force")
    if code or not exchange:
        return code
    return nbgrader(course, "release_feedback", name)


def export(course: Path, to: Path | None = None) -> int:
    """Export the gradebook to CSV (one row per student and assignment)."""
    target = (to or course / "grades.csv").resolve()
    code = nbgrader(course, "export", f"--to={target}")
    if not code:
        print("grades:", target)
    return code
