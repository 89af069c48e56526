"""nbgrader's exchange for a classroom hub: one private inbound folder per student.

nbgrader's default exchange shares one world-writable inbound folder: a student who
learns another's submission folder name reads, deletes or replaces it, and
``nbgrader submit --student=OTHER`` hands work in under another name. Here, instead::

    exchange/                     root, 755
      astrolearn/                 root, 755 (the course id)
        outbound/                 root, 755: released assignments, read by everyone
        duedates/                 root, 755: <assignment>.txt, each one's due date, 644
        inbound/                  root, 711: nobody lists who submitted
          <student>/              the student, 700: only they (and root) enter it
        feedback/                 root, 711: HTML named by a secret only the submitter has

* A student submits with :class:`Submit`: always as their own Unix account, into their
  own folder (``--student`` naming someone else is refused).
* The collector, :class:`Collect`, reads the students' folders as root
  (``astrolearn grade cycle --exchange`` or ``nbgrader collect`` as root); an
  instructor's own server (the formgrader's Collect, ``nbgrader collect``) has the hub's
  collector service do that part (:mod:`astrolearn.classroom.collector`). It takes a
  submission only from the folder of the account that owns it, and copies it without
  following links: every folder and file must belong to that student, files must be
  regular with one link, and the counts and sizes are bounded. A submission that fails
  a check is refused with the reason; the others are collected. A student names their
  submission, time included, and writes its ``timestamp.txt``: the collector times it
  by when its files last changed instead (:func:`_made`), and writes ``timestamp.txt``
  itself.
* The instructor's release (:class:`ReleaseAssignment`) also writes the assignment's
  due date from the gradebook into ``duedates/``, which students read but cannot
  change, and which fetch does not copy. Run as root, it is nbgrader's copy; in an
  instructor's own server (the formgrader's Release), the collector service copies the
  release folder as root (:func:`release`), with the checks of collect; so also for
  Unrelease (:func:`unrelease`) and feedback (:class:`ReleaseFeedback`). At submit, a
  student is told whether the submission is on time or late, by the collector's rule
  (:func:`lateness`).
* Feedback stays nbgrader's: a file per notebook in ``feedback/``, named by a keyed hash
  of a 512-bit secret written into the submission, which now only the submitter reads.
  A submission without that secret is refused: nbgrader's release would stop there.
* A student who submits more than ``MAX_SUBMISSIONS`` times, or leaves more than
  ``MAX_INBOUND`` names in their folder, has none collected: each refused one costs the
  collector time, and a flood of them would stall the class. So,
  once a student's refused submissions add up to more bytes than one may hold, their
  older ones are not tried.

``nbgrader list --inbound`` (:class:`List`, :func:`inbound`) lists the submissions the
same two ways.

``layout`` (run by ``astrolearn classroom init``) makes the folders; ``write_config``
writes the nbgrader settings every user's server reads, and the settings that hide the
formgrader from students.
"""

from __future__ import annotations

import datetime
import errno
import json
import logging
import logging.handlers
import os
import pwd
import re
import shutil
import stat
import sys
import tempfile
from fnmatch import fnmatch
from itertools import islice
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import (
    Exchange,
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeReleaseFeedback,
    ExchangeSubmit,
)
from nbgrader.utils import check_directory, notebook_hash, parse_utc

#: The course id of the astrolearn course (course/nbgrader_config.py).
COURSE_ID = "astrolearn"
#: At most this many files and folders in one submission.
MAX_ENTRIES = 200
#: At most this many submissions of one assignment by one student.
MAX_SUBMISSIONS = 100
#: At most this many names in a student's inbound folder (all assignments): each collect
#: reads all of them, and a student could otherwise leave millions there.
MAX_INBOUND = 20 * MAX_SUBMISSIONS
#: At most this many seconds between the time a submission's name claims and the last
#: change to its files (nbgrader names a submission, then copies its files into it).
SUBMIT_SECONDS = 60
#: The folder of the course in the exchange that holds each assignment's due date.
DUE_DATES = "duedates"
#: How a due date is written there (naive UTC, as nbgrader's gradebook keeps it).
DUE_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
#: nbgrader's server extensions a student's server does not load: the formgrader (and
#: its API) and the course list are the instructor's.
INSTRUCTOR_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
#: The JupyterLab plugins students do not see (the Assignments tab stays).
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
CLASSES = {
    "release_assignment": "ReleaseAssignment",
    "release_feedback": "ReleaseFeedback",
    "submit": "Submit",
    "fetch_assignment": "FetchAssignment",
    "fetch_feedback": "FetchFeedback",
    "list": "List",
    "collect": "Collect",
}


def nbgrader_settings(root: Path) -> str:
    """The nbgrader configuration of the exchange at ``root`` (Python, for any user)."""
    lines = [
        "# The classroom's nbgrader exchange (astrolearn.classroom.exchange).",
        f"c.Exchange.root = {str(root)!r}",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
        "# A submission must hold the released notebooks, under their names.",
        "c.ExchangeSubmit.strict = True",
    ]
    lines += [
        f"c.ExchangeFactory.{step} = 'astrolearn.classroom.exchange.{name}'"
        for step, name in CLASSES.items()
    ]
    return "\n".join(lines) + "\n"


def write_config(everyone: Path, students: Path, root: Path) -> None:
    """Write the nbgrader settings (``everyone``) and the students' server settings.

    ``everyone`` and ``students`` are folders put on ``JUPYTER_CONFIG_PATH``. A student
    could turn the formgrader back on in their own ``~/.jupyter``; it would then show
    their own files only: what keeps the instructor's course private is its mode.
    """
    everyone.mkdir(parents=True, exist_ok=True)
    (everyone / "nbgrader_config.py").write_text(nbgrader_settings(root))
    (students / "labconfig").mkdir(parents=True, exist_ok=True)
    server = {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_EXTENSIONS, False)}}
    (students / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
    page = {"disabledExtensions": dict.fromkeys(INSTRUCTOR_PLUGINS, True)}
    (students / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
    for item in [everyone, students, *everyone.rglob("*"), *students.rglob("*")]:
        item.chmod(0o755 if item.is_dir() else 0o644)


def make_folder(path: Path, mode: int, uid: int = 0, gid: int = 0) -> None:
    """Make ``path`` a real folder with this owner and mode (never through a link)."""
    try:
        os.mkdir(path, mode)
    except FileExistsError:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise NotADirectoryError(f"{path} is not a folder: remove it") from None
    os.chown(path, uid, gid, follow_symlinks=False)
    os.chmod(path, mode)


def layout(root: Path, students: list[str]) -> Path:
    """Make the exchange at ``root`` with a private inbound folder for each student.

    Run as root; running it again repairs owners and modes and adds new students.

    Returns
    -------
    Path
        The course's folder in the exchange.
    """
    course = root / COURSE_ID
    make_folder(root, 0o755)
    make_folder(course, 0o755)
    make_folder(course / "outbound", 0o755)
    make_folder(course / "inbound", 0o711)
    make_folder(course / "feedback", 0o711)
    make_folder(course / DUE_DATES, 0o755)
    for name in students:
        account = pwd.getpwnam(name)
        make_folder(course / "inbound" / name, 0o700, account.pw_uid, account.pw_gid)
    return course


def gradebook_duedate(coursedir) -> datetime.datetime | None:
    """The due date of ``coursedir``'s assignment in its gradebook (naive UTC), if any."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            return gradebook.find_assignment(coursedir.assignment_id).duedate
        except MissingEntry:
            return None


def publish_duedate(course: Path, assignment: str, due: datetime.datetime | None) -> None:
    """Write ``assignment``'s due date where students read it (or remove it: none).

    Written by whoever releases (root) into a folder only they write, at mode 644, and
    swapped in whole, so that a submit never reads half a file.
    """
    folder = course / DUE_DATES
    make_folder(folder, 0o755, os.geteuid(), os.getegid())  # an exchange made before it had one
    path = folder / f"{assignment}.txt"
    if due is None:
        path.unlink(missing_ok=True)
        return
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False) as stream:
        stream.write(f"{due:{DUE_FORMAT}}\n")
    os.chmod(stream.name, 0o644)
    os.replace(stream.name, path)


def read_duedate(course: Path, assignment: str) -> datetime.datetime | None:
    """The due date the release published for ``assignment``: None if it has none.

    Raises
    ------
    ValueError
        If the file is there but is not a due date (a folder, garbage, an older format).
    """
    path = course / DUE_DATES / f"{assignment}.txt"
    try:
        with open(path, "rb") as stream:
            text = stream.read(100).decode("ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} cannot be read: {error}") from None
    try:
        return datetime.datetime.strptime(text, DUE_FORMAT)
    except ValueError:
        raise ValueError(f"{path} does not hold a due date: {_shown(text)}") from None


def lateness(made: datetime.datetime, due: datetime.datetime) -> str:
    """What a student is told at submit: on time, or late by how much (naive UTC times).

    The rule is nbgrader's, and the collector's: late if made after the due date.
    """
    when = f"due {due:%Y-%m-%d %H:%M} UTC"
    if made <= due:
        return f"Submitted on time ({when})."
    minutes = int((made - due).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    late = " ".join(
        f"{value} {unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if value
    )
    return (
        f"Submitted late by {late or 'under a minute'} ({when}); it is kept and the "
        "instructor's late policy applies. The time that counts is when your files reached "
        "the exchange, which the collector reads from the files themselves."
    )


def _shown(text: str) -> str:
    """``text`` safe to log: quoted with its control characters escaped if it has any, so
    that a name a student chose cannot start a log line of its own."""
    return text if text.isprintable() else repr(text)


class ReadableRoot:
    """Students read the exchange root; nbgrader's default wants it writable by all."""

    def ensure_root(self) -> None:
        if not check_directory(self.root, read=True, execute=True):
            self.fail(f"the exchange {self.root} is missing: ask your instructor")


def ask_service(exchange: Exchange, action: str, request: dict, folder: str | None = None) -> None:
    """Have the classroom's collector service do ``action``, handed ``folder`` if given
    (opened here, without following a link, and handed over open); log what it did.

    For an instructor's own server, which cannot write into root's exchange folders.
    """
    from astrolearn.classroom import collector

    fd = None
    if folder is not None:
        try:
            fd = os.open(folder, _DIRECTORY)
        except OSError as error:
            exchange.fail(f"{folder} cannot be opened as a folder: {error.strerror}")
    request = {"action": action, "course": exchange.coursedir.course_id, **request}
    try:
        connection, answer = collector.ask(exchange.root, request, fd)
    except collector.Refused as error:
        exchange.fail(str(error))
    finally:
        if fd is not None:
            os.close(fd)
    connection.close()
    for message in answer["log"]:
        exchange.log.info("%s", message)


class ReleaseAssignment(ReadableRoot, ExchangeReleaseAssignment):
    """nbgrader's release, which also publishes the gradebook's due date.

    nbgrader's own opens the exchange root to everyone (777): a student could then rename
    the course's folder and put one of their own in its place. This one leaves it at 755.
    As root, nbgrader's copy; anyone else (an instructor's own server: the formgrader's
    Release) hands the release folder to the classroom's collector service, which
    copies it as root (:func:`release`).
    """

    def init_dest(self) -> None:
        if os.geteuid() == 0:
            super().init_dest()
        else:  # the exchange's folders are root's: the service checks them
            self.dest_path = os.path.join(
                self.root, self.coursedir.course_id, "outbound", self.coursedir.assignment_id
            )

    def copy_files(self) -> None:
        due = gradebook_duedate(self.coursedir)
        if os.geteuid() != 0:
            request = {
                "assignment": self.coursedir.assignment_id,
                "force": self.force,
                "duedate": due.isoformat() if due else None,
            }
            ask_service(self, "release", request, self.src_path)
            return
        super().copy_files()
        course = Path(self.root, self.coursedir.course_id)
        publish_duedate(course, self.coursedir.assignment_id, due)
        if due is not None:
            self.log.info("Students are told at submit that it is due %s", f"{due:{DUE_FORMAT}}")


class ReleaseFeedback(ReadableRoot, ExchangeReleaseFeedback):
    """nbgrader's release_feedback as root; anyone else (an instructor's own server: the
    formgrader's Release feedback) hands the course's feedback folder to the classroom's
    collector service, which copies each student's as root (:func:`release_feedback`).
    The service reads the folder as nbgrader lays it out by default
    (``feedback/<student>/<assignment>``).
    """

    def init_dest(self) -> None:
        if os.geteuid() == 0:
            super().init_dest()

    def copy_files(self) -> None:
        if os.geteuid() == 0:
            super().copy_files()
            return
        request = {
            "assignment": self.coursedir.assignment_id,
            "student": self.coursedir.student_id or "*",
        }
        folder = os.path.join(self.coursedir.root, self.coursedir.feedback_directory)
        ask_service(self, "feedback", request, folder)


class FetchAssignment(ReadableRoot, ExchangeFetchAssignment):
    """nbgrader's fetch, from an exchange students cannot write to."""


class FetchFeedback(ReadableRoot, ExchangeFetchFeedback):
    """nbgrader's fetch_feedback, from an exchange students cannot write to."""


class List(ReadableRoot, ExchangeList):
    """nbgrader's list (the Assignments tab), from an exchange students cannot write to.

    ``--inbound`` (an instructor's list of submissions) reads the students' own folders:
    as root directly (:func:`inbound`), otherwise through the classroom's collector.
    ``--remove`` of a released assignment (the formgrader's Unrelease) also asks the
    collector when not root (:func:`unrelease`).
    """

    def remove_files(self) -> list[dict]:
        if os.geteuid() == 0 or self.inbound or self.cached:
            return super().remove_files()
        assignments = self.parse_assignments()
        ask_service(self, "unrelease", {"assignment": self.coursedir.assignment_id})
        return assignments

    def init_dest(self) -> None:
        if not self.inbound:
            super().init_dest()
        elif self.remove:
            self.fail("submissions are not removed here: each is in its student's own folder")

    def parse_assignments(self) -> list[dict]:
        if not self.inbound:
            return super().parse_assignments()
        assignment = self.coursedir.assignment_id or "*"
        student = self.coursedir.student_id or "*"
        if os.geteuid() == 0:
            found = inbound(Path(self.root), assignment, student)
        else:
            from astrolearn.classroom import collector

            request = {
                "action": "list",
                "course": self.coursedir.course_id,
                "assignment": assignment,
                "student": student,
            }
            try:
                connection, answer = collector.ask(self.root, request)
            except collector.Refused as error:
                self.fail(str(error))
            connection.close()
            found = answer["submissions"]
        # Grouped as nbgrader's list groups them: by student and assignment, oldest first.
        groups: dict[tuple, list] = {}
        for info in sorted(found, key=lambda info: info["timestamp"]):
            key = (info["course_id"], info["student_id"], info["assignment_id"])
            groups.setdefault(key, []).append(info)
        return [
            {
                "course_id": course,
                "student_id": student_id,
                "assignment_id": assignment_id,
                "status": "submitted",
                "submissions": submissions,
            }
            for (course, student_id, assignment_id), submissions in sorted(groups.items())
        ]


class Submit(ReadableRoot, ExchangeSubmit):
    """Submit into the caller's own inbound folder, as the caller's Unix account."""

    def init_dest(self) -> None:
        # The account, not $USER nor $LOGNAME (nbgrader's get_username reads those).
        me = pwd.getpwuid(os.getuid()).pw_name
        if self.coursedir.student_id not in ("*", me):
            self.fail(
                f"you submit as yourself ({me}): --student={_shown(self.coursedir.student_id)} "
                "is not allowed here"
            )
        self.coursedir.student_id = me
        own = Path(self.root, self.coursedir.course_id, "inbound", me)
        try:
            folder = os.lstat(own)
        except OSError:
            folder = None
        if folder is None or not stat.S_ISDIR(folder.st_mode) or folder.st_uid != os.getuid():
            self.fail(
                f"you have no submission folder ({own}): ask your instructor to add you "
                "to the roster and run `astrolearn classroom init` again"
            )
        earlier = sorted(entry.name for entry in os.scandir(own) if _is_of(entry.name, self))
        self.inbound_path = str(own)
        self.cache_path = os.path.join(self.cache, self.coursedir.course_id)
        self.assignment_filename = "+".join(
            [me, self.coursedir.assignment_id, self.timestamp, os.urandom(9).hex()]
        )
        if earlier:
            self.log.warning(
                "You submitted %s before (%d time(s), last at %s): this submission replaces "
                "it; the newest one is graded.",
                self.coursedir.assignment_id,
                len(earlier),
                _shown(max(name.split("+")[2] for name in earlier)),
            )

    def copy_files(self) -> None:
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        # nbgrader opens the submission to everyone (777); here only its owner needs it.
        os.chmod(submission, 0o700)
        self._tell_lateness(submission)

    def _tell_lateness(self, submission: str) -> None:
        """Say whether the submission is late, as the collector will judge it."""
        course = Path(self.root, self.coursedir.course_id)
        try:
            due = read_duedate(course, self.coursedir.assignment_id)
        except ValueError as error:
            self.log.warning(
                "Your submission is kept, but its due date is unreadable (%s): ask your "
                "instructor whether it is on time.",
                error,
            )
            return
        if due is None:
            return
        changes = []
        for folder, _, files in os.walk(submission):
            changes += [os.lstat(os.path.join(folder, name)).st_ctime for name in [".", *files]]
        changed = datetime.datetime.fromtimestamp(max(changes), datetime.UTC)
        made = _made(parse_utc(self.timestamp), changed.replace(tzinfo=None))
        if made > due:
            self.log.warning(lateness(made, due))
        else:
            self.log.info(lateness(made, due))


def _owner(entry: os.DirEntry) -> int | None:
    """The user id of the student whose folder ``entry`` is, if owned by the account of
    its name; else None."""
    try:
        owner = pwd.getpwnam(entry.name).pw_uid
    except KeyError:
        return None
    info = entry.stat(follow_symlinks=False)
    return owner if stat.S_ISDIR(info.st_mode) and info.st_uid == owner else None


def _is_of(name: str, exchange) -> bool:
    parts = name.split("+")
    return len(parts) == 4 and parts[1] == exchange.coursedir.assignment_id


def _made(claimed: datetime.datetime, changed: datetime.datetime) -> datetime.datetime:
    """When a submission was made: the time its name claims if the files last changed
    within ``SUBMIT_SECONDS`` after it (nbgrader names it, then copies), else when they
    last changed. A student writes the name, but cannot set the change time back."""
    if changed - datetime.timedelta(seconds=SUBMIT_SECONDS) <= claimed <= changed:
        return claimed
    return changed


class RefusedSubmission(Exception):
    """A submission the collector does not copy; the message says why."""


#: The secret nbgrader's submit writes into a submission.
SECRET = re.compile(rb"[0-9a-f]{128}")


def _read_secret(stream) -> str | None:
    """nbgrader's secret read from the binary ``stream``, or None if it holds anything else."""
    secret = stream.read(129)
    return secret.decode() if SECRET.fullmatch(secret) else None


def _check_secret(path: str) -> None:
    """Refuse a submission without nbgrader's secret (128 hex digits): nbgrader's
    release_feedback stops at the first secret it cannot use, for the whole class."""
    try:
        with open(path, "rb") as stream:
            secret = _read_secret(stream)
    except OSError:
        secret = None
    if secret is None:
        raise RefusedSubmission("its submission_secret.txt is not the one nbgrader wrote")


class Collect(ReadableRoot, ExchangeCollect):
    """Collect each student's newest acceptable submission from their own folder.

    As root, each candidate, newest first, is copied with :func:`copy_owned` into a
    private staging folder (:meth:`stage`); the first that passes is collected, and every
    refusal is logged with its reason. Anyone else (an instructor's own server) asks the
    classroom's collector service (:mod:`astrolearn.classroom.collector`), which stages
    them the same way as root and hands the copies over. nbgrader then copies the staged
    submissions into ``submitted/``.
    """

    def init_src(self) -> None:
        # The owner is checked more strictly while staging; the staged copy is not theirs.
        self.check_owner = False
        self.connection = None
        self.duedate = gradebook_duedate(self.coursedir)
        if os.geteuid() == 0:
            self.stage()
        else:
            self._ask()

    def stage(self) -> None:
        """Stage the submissions to collect into ``self.staging`` (root only)."""
        self.inbound_path = os.path.join(self.root, self.coursedir.course_id, "inbound")
        self.staging = tempfile.mkdtemp(prefix="astrolearn-collect-")
        wanted = self.coursedir.student_id or "*"
        self.src_records = []
        try:
            for entry in sorted(os.scandir(self.inbound_path), key=lambda e: e.name):
                if fnmatch(entry.name, wanted) and self._own_folder(entry):
                    chosen = self._choose(entry.name, self._records(entry))
                    if chosen is not None:
                        self.src_records.append(chosen)
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise

    def _ask(self) -> None:
        """Have the collector service stage them; it keeps them until we hang up."""
        from astrolearn.classroom import collector

        request = {
            "action": "collect",
            "course": self.coursedir.course_id,
            "assignment": self.coursedir.assignment_id,
            "student": self.coursedir.student_id or "*",
            "duedate": self.duedate.isoformat() if self.duedate else None,
            "before_duedate": self.before_duedate,
        }
        try:
            self.connection, answer = collector.ask(self.root, request)
        except collector.Refused as error:
            self.fail(str(error))
        for level, message in answer["log"]:
            self.log.log(level, "%s", message)
        self.inbound_path = self.root  # each record's filename is an absolute path
        self.src_records = [
            {**record, "timestamp": datetime.datetime.fromisoformat(record["timestamp"])}
            for record in answer["records"]
        ]

    def copy_files(self) -> None:
        try:
            super().copy_files()
        finally:
            if self.connection is not None:
                self.connection.close()  # the collector removes the staged copies
            else:
                shutil.rmtree(self.staging, ignore_errors=True)

    def _own_folder(self, entry: os.DirEntry) -> bool:
        if _owner(entry) is None:
            self.log.error("%s is not a student's own folder: skipped", _shown(entry.path))
            return False
        return True

    def _records(self, folder: os.DirEntry) -> list[dict]:
        """The student's submissions of this assignment, newest first."""
        records = []
        seen = 0
        for scanned, entry in enumerate(os.scandir(folder.path), start=1):
            if scanned > MAX_INBOUND:
                self.log.error(
                    "refused: %s's folder holds more than %d names: ask them to remove some",
                    folder.name,
                    MAX_INBOUND,
                )
                return []
            if not _is_of(entry.name, self):
                continue
            parts = entry.name.split("+")
            seen += 1
            if seen > MAX_SUBMISSIONS:
                # Each is tried in turn: a flood of refused ones would stall the collect.
                self.log.error(
                    "refused: %s submitted %s more than %d times: ask them to remove some",
                    folder.name,
                    self.coursedir.assignment_id,
                    MAX_SUBMISSIONS,
                )
                return []
            if parts[0] != folder.name:
                self.log.error(
                    "refused: %s's folder holds a submission in the name of %s (%s)",
                    folder.name,
                    _shown(parts[0]),
                    _shown(entry.name),
                )
                continue
            try:
                timestamp = parse_utc(parts[2])
            except (ValueError, OverflowError):
                self.log.error(
                    "refused: %s has no valid time: %s", folder.name, _shown(entry.name)
                )
                continue
            records.append({"username": folder.name, "path": entry.path, "timestamp": timestamp})
        return sorted(records, key=lambda record: record["timestamp"], reverse=True)

    def _choose(self, student: str, records: list[dict]) -> dict | None:
        """Stage the newest acceptable submission (on time first, if asked); say which."""
        if self.before_duedate and self.duedate is not None:
            records.sort(key=lambda record: record["timestamp"] > self.duedate)
        uid = pwd.getpwnam(student).pw_uid
        limits = copy_limits(self.coursedir)
        spent = 0  # bytes copied for the student's refused submissions
        for number, record in enumerate(records):
            # Each may be refused only at its end (no secret): without a bound on them all,
            # a student's MAX_SUBMISSIONS of the largest size would cost minutes each collect.
            if spent > limits["total"]:
                self.log.error(
                    "refused: %s's refused submissions of %s add up to more than %d bytes: "
                    "the %d older ones are not tried",
                    student,
                    self.coursedir.assignment_id,
                    limits["total"],
                    len(records) - number,
                )
                return None
            staged = os.path.join(self.staging, f"{student}+{number}")
            try:
                changed = copy_owned(record["path"], staged, uid, limits)
                _check_secret(os.path.join(staged, "submission_secret.txt"))
                made = _made(record["timestamp"], changed)
                # nbgrader times the submission by this file, which the student wrote.
                with open(os.path.join(staged, "timestamp.txt"), "w") as stream:
                    stream.write(f"{made:%Y-%m-%d %H:%M:%S.%f} UTC")
            except (RefusedSubmission, OSError) as error:
                spent += _size(staged)
                shutil.rmtree(staged, ignore_errors=True)
                self.log.error(
                    "refused the submission of %s at %s: %s",
                    student,
                    record["timestamp"],
                    _shown(str(error)),
                )
                continue
            record["timestamp"] = made
            if len(records) > 1:
                self.log.info(
                    "%s submitted %s %d times: collecting the one of %s",
                    student,
                    self.coursedir.assignment_id,
                    len(records),
                    record["timestamp"],
                )
            if self.duedate is not None and record["timestamp"] > self.duedate:
                self.log.warning(
                    "%s submitted %s late: at %s, %s after the due date",
                    student,
                    self.coursedir.assignment_id,
                    record["timestamp"],
                    record["timestamp"] - self.duedate,
                )
            # nbgrader joins the inbound folder and this absolute path: the path wins.
            return {"username": student, "filename": staged, "timestamp": record["timestamp"]}
        return None


def _size(folder: str) -> int:
    """The bytes in the files of ``folder`` (a staged copy: root's, links none)."""
    return sum(
        os.lstat(os.path.join(where, name)).st_size
        for where, _, files in os.walk(folder)
        for name in files
    )


def copy_limits(coursedir: CourseDirectory) -> dict:
    """The bounds of a copy through the exchange: nbgrader's sizes (in kB), our count."""
    return {
        "entries": MAX_ENTRIES,
        "file": 1000 * coursedir.max_file_size,
        "total": 1000 * coursedir.max_dir_size,
        "ignore": list(coursedir.ignore),
    }


def stage(
    root: Path,
    assignment: str,
    student: str,
    duedate: datetime.datetime | None,
    before_duedate: bool,
) -> tuple[list[dict], list[list], str]:
    """Stage one assignment's submissions as :class:`Collect` does (root only).

    For the collector service. ``student`` is a name or ``*``.

    Returns
    -------
    tuple
        nbgrader's records of the staged submissions, the log as ``[level, message]``
        pairs, and the staging folder (root's, mode 700) for the caller to remove.
    """
    log = logging.Logger("collect")
    captured = logging.handlers.BufferingHandler(capacity=sys.maxsize)
    log.addHandler(captured)
    coursedir = CourseDirectory(course_id=COURSE_ID, assignment_id=assignment, student_id=student)
    collect = Collect(coursedir=coursedir, root=str(root), before_duedate=before_duedate, log=log)
    collect.duedate = duedate
    collect.stage()
    messages = [[record.levelno, record.getMessage()] for record in captured.buffer]
    return collect.src_records, messages, collect.staging


def release(
    root: Path, folder: int, assignment: str, uid: int, force: bool, due: datetime.datetime | None
) -> list[str]:
    """Release the assignment whose release folder is open as ``folder`` (root only).

    For the collector service, asked by an instructor (``uid``). Everything in the folder
    must be theirs, regular files and folders only, bounded as a submission is
    (:func:`copy_limits`). The copy is staged in ``outbound/`` (root's, 700) and renamed
    into place whole, root's and readable by all, so that students fetch all of it or
    none; with ``force`` it replaces an earlier release. The due date is then published.

    Returns
    -------
    list of str
        What was done, for the instructor's log.

    Raises
    ------
    RefusedSubmission
        The folder holds something not copied (the message says what), or the
        assignment is released already and ``force`` is not set.
    """
    course = Path(root, COURSE_ID)
    dest = course / "outbound" / assignment
    if os.path.lexists(dest) and not force:
        raise RefusedSubmission(f"{assignment} is released already: add --force to replace it")
    staging = Path(tempfile.mkdtemp(prefix=".release-", dir=course / "outbound"))
    try:
        copy_owned(folder, staging / "new", uid, copy_limits(CourseDirectory()), assignment)
        for path in [staging / "new", *(staging / "new").rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if os.path.lexists(dest):
            os.rename(dest, staging / "old")
        os.rename(staging / "new", dest)
    finally:
        shutil.rmtree(staging)
    publish_duedate(course, assignment, due)
    done = [f"Released as: {COURSE_ID} {assignment}"]
    if due is not None:
        done.append(f"Students are told at submit that it is due {due:{DUE_FORMAT}}")
    return done


def _copy_pages(fd: int, where: str, dest: Path, uid: int, limits: dict) -> None:
    """Copy the feedback pages (``*.html``) and the secret from the folder open as ``fd``."""
    counts = {"entries": 0, "total": 0, "changed": 0.0}
    _check(os.fstat(fd), where, uid, counts)
    dest.mkdir(mode=0o700)
    names = []
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.name.endswith(".html") or entry.name == "submission_secret.txt":
                counts["entries"] += 1
                if counts["entries"] > limits["entries"]:
                    raise RefusedSubmission(f"{where} holds more than {limits['entries']} pages")
                names.append(entry.name)
    for name in names:
        _copy_file(fd, name, f"{where}/{name}", dest / name, uid, limits, counts)


def unrelease(root: Path, assignment: str) -> list[str]:
    """Withdraw a released assignment from ``outbound/`` (root only; for the collector
    service). It is moved aside whole first, so that no student fetches half of it."""
    outbound = Path(root, COURSE_ID, "outbound")
    if not os.path.lexists(outbound / assignment):
        return [f"{assignment} is not released"]
    staging = Path(tempfile.mkdtemp(prefix=".unrelease-", dir=outbound))
    try:
        os.rename(outbound / assignment, staging / assignment)
    finally:
        shutil.rmtree(staging)
    return [f"Removed the release of {COURSE_ID} {assignment}"]


def release_feedback(
    root: Path, folder: int, assignment: str, students: list[str], uid: int
) -> list[str]:
    """Release the feedback of ``students`` on ``assignment`` (root only).

    For the collector service. ``folder`` is the instructor's (``uid``) feedback folder,
    open, laid out as nbgrader's ``generate_feedback`` writes it:
    ``<student>/<assignment>/`` with the HTML of each notebook and the submission's
    ``submission_secret.txt`` (and the student's other files, which are not read). Each
    student's pages and secret are copied as a submission's files are (the instructor's
    own regular files in their own folders only, bounded) into a staging folder in the exchange's
    ``feedback/``; only when every one passed is each HTML file
    renamed to the name nbgrader's ``fetch_feedback`` looks for (a keyed hash of the
    secret), root's and readable by all in a folder nobody lists.

    Returns
    -------
    list of str
        What was released, for the instructor's log.

    Raises
    ------
    RefusedSubmission
        Something in a student's feedback is not copied; then nothing is released.
    """
    _check(os.fstat(folder), "feedback", uid, {"changed": 0.0})
    outbound = Path(root, COURSE_ID, "feedback")
    staging = Path(tempfile.mkdtemp(prefix=".feedback-", dir=outbound))
    limits = copy_limits(CourseDirectory())
    ready, done = [], []
    try:
        for student in students:
            where = f"feedback/{student}/{assignment}"
            try:
                mine = _open(student, _DIRECTORY, where, dir_fd=folder)
            except FileNotFoundError:
                continue
            try:
                # The folders on the way are the instructor's own, as the pages are.
                _check(os.fstat(mine), f"feedback/{student}", uid, {"changed": 0.0})
                theirs = _open(assignment, _DIRECTORY, where, dir_fd=mine)
            except FileNotFoundError:
                continue
            finally:
                os.close(mine)
            try:
                _copy_pages(theirs, where, staging / student, uid, limits)
            finally:
                os.close(theirs)
            try:
                _check_secret(str(staging / student / "submission_secret.txt"))
            except RefusedSubmission as error:
                raise RefusedSubmission(f"{where}: {error}") from None
            secret = (staging / student / "submission_secret.txt").read_text()
            for page in sorted((staging / student).glob("*.html")):
                key = notebook_hash(secret=secret, notebook_id=page.stem)
                ready.append((page, outbound / f"{key}.html"))
                done.append(
                    f"Releasing feedback for student '{student}' on {assignment}/{page.stem}"
                )
        for page, dest in ready:
            os.replace(page, dest)
    finally:
        shutil.rmtree(staging)
    return done or [f"No feedback found for {assignment}"]


def inbound(root: Path, assignment: str = "*", student: str = "*") -> list[dict]:
    """The submissions in the students' own folders, as ``nbgrader list --inbound``
    describes each (root only; names are read, notebooks are not opened).

    At most ``MAX_SUBMISSIONS`` per student and ``MAX_ENTRIES`` notebooks per submission
    are listed: a student's folder holds whatever they put there.
    """
    course = Path(root, COURSE_ID)
    found = []
    for folder in sorted(os.scandir(course / "inbound"), key=lambda entry: entry.name):
        uid = _owner(folder) if fnmatch(folder.name, student) else None
        if uid is None:
            continue
        with os.scandir(folder.path) as entries:
            names = sorted(
                entry.name
                for entry in islice(entries, 2 * MAX_SUBMISSIONS)
                if entry.is_dir(follow_symlinks=False)
            )
        for name in names[-MAX_SUBMISSIONS:]:
            parts = name.split("+")
            if len(parts) == 4 and parts[0] == folder.name and fnmatch(parts[1], assignment):
                found.append(_submission(course, os.path.join(folder.path, name), parts, uid))
    return found


def _submission(course: Path, path: str, parts: list[str], uid: int) -> dict:
    """nbgrader's description of one submission in the inbound folder."""
    # Opened without following a link: its student could swap it for one meanwhile.
    try:
        fd = os.open(path, _DIRECTORY)
    except OSError:
        fd = None
    try:
        if fd is None or os.fstat(fd).st_uid != uid:
            notebooks, secret = [], None
        else:
            with os.scandir(fd) as entries:
                notebooks = sorted(
                    entry.name.removesuffix(".ipynb")
                    for entry in islice(entries, MAX_ENTRIES)
                    if entry.name.endswith(".ipynb") and entry.is_file(follow_symlinks=False)
                )
            secret = _secret(fd, uid)
    finally:
        if fd is not None:
            os.close(fd)
    described = []
    for notebook in notebooks:
        key = notebook_hash(secret=secret, notebook_id=notebook) if secret else ""
        described.append(
            {
                "notebook_id": notebook,
                "path": os.path.join(path, f"{notebook}.ipynb"),
                "has_local_feedback": False,
                "has_exchange_feedback": bool(key)
                and (course / "feedback" / f"{key}.html").is_file(),
                "local_feedback_path": None,
                "feedback_updated": False,
            }
        )
    return {
        "course_id": COURSE_ID,
        "student_id": parts[0],
        "assignment_id": parts[1],
        "timestamp": parts[2],
        "status": "submitted",
        "path": path,
        "notebooks": described,
        "has_local_feedback": False,
        "has_exchange_feedback": bool(described)
        and all(notebook["has_exchange_feedback"] for notebook in described),
        "feedback_updated": False,
        "local_feedback_path": None,
    }


def _secret(folder: int, uid: int) -> str | None:
    """The secret of the submission open as ``folder``, read without following a link,
    from the student's own file."""
    try:
        with os.fdopen(os.open("submission_secret.txt", _FILE, dir_fd=folder), "rb") as stream:
            info = os.fstat(stream.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_uid == uid:
                return _read_secret(stream)
    except OSError:
        pass
    return None


_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
# Non-blocking, so that a file swapped for a FIFO after the check cannot hang the copy.
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK


def copy_owned(
    src: str | int, dest: str, uid: int, limits: dict, where: str | None = None
) -> datetime.datetime:
    """Copy the folder ``src`` to ``dest`` if everything in it is the account ``uid``'s own.

    Every open is relative to an already open folder and refuses links, and what is
    checked is the opened file itself (``fstat``), so nothing can be swapped in between.
    ``src`` is a path, or a folder already open (then ``where`` names it in messages).

    Returns
    -------
    datetime.datetime
        When the submission last changed (UTC, naive as nbgrader's): the newest inode
        change time (``st_ctime``) of its folders and files, which their owner cannot set.
    """
    counts = {"entries": 0, "total": 0, "changed": 0.0}
    if isinstance(src, int):
        _copy_folder(src, where or "the folder", Path(dest), uid, limits, counts)
    else:
        top = _open(src, _DIRECTORY, src)
        try:
            _copy_folder(top, src, Path(dest), uid, limits, counts)
        finally:
            os.close(top)
    changed = datetime.datetime.fromtimestamp(counts["changed"], datetime.UTC)
    return changed.replace(tzinfo=None)


def _check(info: os.stat_result, where: str, uid: int, counts: dict) -> None:
    if info.st_uid != uid:
        raise RefusedSubmission(f"{where} belongs to someone else (uid {info.st_uid})")
    counts["changed"] = max(counts["changed"], info.st_ctime)


def _copy_folder(fd: int, where: str, dest: Path, uid: int, limits: dict, counts: dict) -> None:
    _check(os.fstat(fd), where, uid, counts)
    dest.mkdir(mode=0o700)
    with os.scandir(fd) as entries:  # read lazily: the count limit stops a huge folder
        names = []
        for entry in entries:
            # Ignored names count too: else a folder of millions of them is read in full.
            counts["entries"] += 1
            if counts["entries"] > limits["entries"]:
                raise RefusedSubmission(f"more than {limits['entries']} files and folders")
            if not any(fnmatch(entry.name, pattern) for pattern in limits["ignore"]):
                names.append(entry.name)
    for name in names:
        path = f"{where}/{name}"
        kind = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
        if stat.S_ISDIR(kind):
            child = _open(name, _DIRECTORY, path, dir_fd=fd)
            try:
                _copy_folder(child, path, dest / name, uid, limits, counts)
            finally:
                os.close(child)
        elif stat.S_ISREG(kind):
            _copy_file(fd, name, path, dest / name, uid, limits, counts)
        else:
            what = "a symbolic link" if stat.S_ISLNK(kind) else "not a regular file"
            raise RefusedSubmission(f"{path} is {what}")


def _open(name: str, flags: int, where: str, dir_fd: int | None = None) -> int:
    """``os.open`` that says what was found instead of the file or folder expected."""
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as error:
        # O_NOFOLLOW fails on a link with ELOOP, or ENOTDIR when a folder is expected.
        if error.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        link = stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
        what = "a symbolic link" if link else "not a folder"
        raise RefusedSubmission(f"{where} is {what}") from None


def _copy_file(fd, name, where, dest: Path, uid: int, limits: dict, counts: dict) -> None:
    with os.fdopen(_open(name, _FILE, where, dir_fd=fd), "rb") as reader:
        info = os.fstat(reader.fileno())
        _check(info, where, uid, counts)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedSubmission(f"{where} is not a regular file")
        if info.st_nlink != 1:
            raise RefusedSubmission(f"{where} is a hard link ({info.st_nlink} names)")
        if info.st_size > limits["file"]:
            raise RefusedSubmission(f"{where} is larger than {limits['file']} bytes")
        counts["total"] += info.st_size
        if counts["total"] > limits["total"]:
            raise RefusedSubmission(f"the submission is larger than {limits['total']} bytes")
        with open(dest, "xb") as writer:
            left = info.st_size  # no more than was checked, should the file grow meanwhile
            while left > 0 and (chunk := reader.read(min(left, 1 << 20))):
                writer.write(chunk)
                left -= len(chunk)
        dest.chmod(0o644)
