"""``astrolearn classroom init|start``: a JupyterHub for one class on one machine.

``init DIR --roster FILE`` writes a folder an operator can read and keep (see
``jupyterhub_config.py.in`` beside this file for what the hub does), makes the
students' Python environment, copies the lessons, creates a Unix account for every
name on the roster (home at mode 700) and nbgrader's exchange, with a private inbound
folder for each student (:mod:`astrolearn.classroom.exchange`). Running it again with a
longer roster adds the new accounts and changes nothing else; with ``--vo-mirror`` or
``--no-vo-mirror`` it also switches the mirror in the existing config, line
``VO_MIRROR = ...`` only, keeping the operator's other edits. ``start DIR`` runs the
hub in the foreground. Both need root: the hub starts each student's server as that student.

The parts, and why:

* JupyterHub from PyPI and configurable-http-proxy from npm: the same parts as a Zero
  to JupyterHub deployment, so a class can grow onto one.
* FirstUseAuthenticator, restricted to the roster: each student sets a password at the
  first login; nothing else to run or to hand out.
* LocalProcessSpawner with real accounts; the students' environment (``env/``) is a
  virtual environment made with ``uv`` from a Python every user can run (by default
  the system's ``/usr/bin/python3``; a Python under a private home, such as pyenv's
  under ``/root``, cannot be run by the students).
* With ``--vo-mirror``, the local VO mirror (``astrolearn mirror``) as a hub-managed
  service (``vo_mirror.py``), and the students' servers pointed at it on loopback.

Only the standard library is imported at top level (the CLI builds its parser from
this module).

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> configure(parser)
>>> parser.parse_args(["start", "/srv/class"]).action
'start'
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import os
import pwd
import re
import shutil
import signal
import stat
import string
import subprocess
import sys
from pathlib import Path

from astrolearn import content
from astrolearn.classroom import roster

TEMPLATE = Path(__file__).with_name("jupyterhub_config.py.in")
CONFIG = "jupyterhub_config.py"
PROXY = "configurable-http-proxy"
#: The line of the config that turns the VO mirror service on or off.
VO_MIRROR_LINE = re.compile(r"^VO_MIRROR = (True|False)\b", re.MULTILINE)
#: Run by a student (``nobody``) with the students' Python: it must import what a
#: student's server needs, and it prints where astrolearn's JupyterLab settings are.
LAB_CONFIG = (
    "import pathlib, astrolearn, jupyterhub, jupyterlab; "
    "print(pathlib.Path(astrolearn.__file__).parent / 'lab_config')"
)
EXTRA_HINT = "it needs astrolearn's classroom extra: pip install 'astrolearn[classroom]'"
PROXY_HINT = (
    "configurable-http-proxy is not installed: run 'bash tools/install-system.sh' as root "
    "in the astrolearn repository, or 'npm install --global configurable-http-proxy@5.3.0'"
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the classroom sub-commands to ``parser``."""
    steps = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = steps.add_parser(
        "init",
        help="write a classroom hub in DIR and create the roster's accounts",
        description=(
            "Write a JupyterHub for one class in DIR (jupyterhub_config.py, the roster, the "
            "lessons, the students' Python) and create a Unix account for each name on the "
            "roster, its home at mode 700. Run it again with a longer roster to add students."
        ),
    )
    init.add_argument("folder", type=Path, metavar="DIR", help="the classroom's folder")
    init.add_argument(
        "--roster",
        type=Path,
        required=True,
        metavar="FILE",
        help="CSV with the header 'username,role'; role is student or instructor",
    )
    init.add_argument("--ip", default="127.0.0.1", help="address the hub listens on")
    init.add_argument("--port", type=int, default=8000, help="port students open")
    init.add_argument("--hub-port", type=int, default=8081, help="the hub's API port")
    init.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port")
    init.add_argument(
        "--idle-timeout", type=int, default=3600, help="seconds before an idle server stops"
    )
    init.add_argument(
        "--python",
        default="/usr/bin/python3",
        help="a Python (3.11 or newer) that every user can run, for the students' env",
    )
    init.add_argument(
        "--proxy",
        default=shutil.which(PROXY),
        help="the configurable-http-proxy command (default: the one on the PATH)",
    )
    init.add_argument(
        "--vo-mirror",
        action=argparse.BooleanOptionalAction,
        help="start the local VO mirror (astrolearn mirror, GAVO DaCHS) with the hub and "
        "point every student's server at it; on an existing classroom, switch it on (or "
        "off) in its config, then restart the hub (default: off, or as the config says)",
    )
    content.add_option(init)
    start = steps.add_parser(
        "start",
        help="run the classroom hub in the foreground",
        description=(
            "Run the JupyterHub that init wrote in DIR, in the foreground, and print the "
            "address students open. Stop it with Ctrl+C; students' work stays in their homes."
        ),
    )
    start.add_argument("folder", type=Path, metavar="DIR", help="a folder made by init")


def run(args: argparse.Namespace) -> int:
    """Run ``init`` or ``start``; return the exit code."""
    if os.geteuid() != 0:
        print(
            f"astrolearn classroom {args.action}: run as root (the hub creates Unix accounts "
            "and starts each student's server as that student)",
            file=sys.stderr,
        )
        return 4
    try:
        return init(args) if args.action == "init" else start(args.folder)
    except (roster.RosterError, ClassroomError) as error:
        print(f"astrolearn classroom {args.action}: {error}", file=sys.stderr)
        return 2


class ClassroomError(RuntimeError):
    """A classroom that cannot be made or started; the message says what to do."""


def say(message: str) -> None:
    print(f"astrolearn classroom: {message}", flush=True)


def init(args: argparse.Namespace) -> int:
    """Write the classroom folder and create the accounts (idempotent)."""
    # Both checked before anything is changed.
    members = roster.read(args.roster)
    lessons = content.folder("lessons", args.content)
    if not all(importlib.util.find_spec(name) for name in ("uv", "jupyterhub")):
        raise ClassroomError(EXTRA_HINT)
    if not args.proxy or not Path(args.proxy).is_file():
        raise ClassroomError(PROXY_HINT)
    if args.vo_mirror and shutil.which("dachs") is None:
        from astrolearn.vo.mirror import INSTALL_HINT

        raise ClassroomError(f"--vo-mirror: {INSTALL_HINT}")
    folder = args.folder.resolve()
    if not folder.exists():
        folder.mkdir(parents=True)
        folder.chmod(0o755)
    check_reachable(folder)
    check_trusted(folder)
    state = folder / "state"
    state.mkdir(exist_ok=True)
    state.chmod(0o700)
    install_roster(args.roster, folder / "roster.csv")
    # Imported here: `python -m astrolearn.classroom.lessons` (run by the hub) imports this
    # package first, which must not have imported that module already.
    from astrolearn.classroom.lessons import copy_missing

    copied = copy_missing(lessons, folder / "lessons")
    share(folder / "lessons")
    say(f"lessons in {folder / 'lessons'} ({len(copied)} new file(s))")
    lab_config = make_environment(folder / "env", args.python)
    write_config(folder, args, lab_config)
    for member in members:
        say(f"{member.role} {member.username}: {add_account(member.username)}")
    # Imported here: it needs nbgrader, and the CLI's parser imports this module.
    from astrolearn.classroom import exchange

    course = exchange.layout(folder / "exchange", roster.names(members, "student"))
    exchange.write_config(
        folder / "jupyter" / "everyone", folder / "jupyter" / "students", folder / "exchange"
    )
    say(f"nbgrader exchange in {course}, a private inbound folder for each student")
    say(f"ready: start the hub with `astrolearn classroom start {folder}`")
    return 0


def check_reachable(folder: Path) -> None:
    """Fail unless every user can reach ``folder`` (students run ``env/`` from it)."""
    for parent in [folder, *folder.parents]:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise ClassroomError(
                f"students cannot reach {folder}: {parent} is mode "
                f"{stat.S_IMODE(parent.stat().st_mode):o}; choose a folder such as /srv/NAME"
            )


def check_trusted(folder: Path) -> None:
    """Fail unless only root or the caller can change ``folder`` and the folders above it.

    The hub and its root services trust what is in it: the roster names the instructors.
    A folder above it that others may write must have the sticky bit (as ``/tmp``), so
    that they cannot move ``folder`` away or put another in its place.
    """
    trusted = {0, os.geteuid()}
    for path in [folder, *folder.parents]:
        info = path.stat()
        opened = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        sticky = path != folder and info.st_mode & stat.S_ISVTX
        if info.st_uid not in trusted or (opened and not sticky):
            raise ClassroomError(
                f"{path} may be changed by others (owner uid {info.st_uid}, mode "
                f"{stat.S_IMODE(info.st_mode):o}), and the classroom's roster decides who "
                "is an instructor: use a folder only root can change, such as /srv/NAME"
            )


def install_roster(source: Path, target: Path) -> None:
    """Copy the roster to ``target`` (mode 600), replacing whatever is there, a link too."""
    if target.is_file() and not target.is_symlink() and filecmp.cmp(source, target, False):
        return
    new = target.with_name(f".{target.name}.new")
    new.unlink(missing_ok=True)
    descriptor = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with open(descriptor, "wb") as copy:
        copy.write(Path(source).read_bytes())
    os.replace(new, target)


def share(path: Path) -> None:
    """Let every user read ``path`` and enter its folders (``chmod -R a+rX``)."""
    for item in [path, *path.rglob("*")]:
        if item.is_symlink():
            continue
        mode = item.stat().st_mode
        extra = stat.S_IROTH | stat.S_IRGRP
        if item.is_dir() or mode & stat.S_IXUSR:
            extra |= stat.S_IXOTH | stat.S_IXGRP
        item.chmod(stat.S_IMODE(mode) | extra)


def package_spec() -> tuple[str, list[str]]:
    """What to install in the students' environment, and the constraints to use.

    From a clone: this repository, with its lock (constraints.txt). From a wheel: the
    same version of astrolearn from the package index.
    """
    root, origin = content.locate()
    if origin == "clone" and (root / "constraints.txt").is_file():
        return f"astrolearn[classroom] @ {root.as_uri()}", ["-c", str(root / "constraints.txt")]
    import astrolearn

    return f"astrolearn[classroom]=={astrolearn.__version__}", []


def make_environment(env: Path, python: str) -> str:
    """Create the students' virtual environment with uv, unless it exists.

    Returns
    -------
    str
        The folder of astrolearn's JupyterLab settings in that environment.
    """
    if (env / "bin" / "jupyterhub-singleuser").is_file():
        say(f"students' environment kept: {env}")
    else:
        from uv import find_uv_bin

        uv = find_uv_bin()
        spec, constraints = package_spec()
        say(f"making the students' environment {env} from {python} (a minute at most)")
        subprocess.run([uv, "venv", "--quiet", "--python", python, str(env)], check=True)
        install = [uv, "pip", "install", "--quiet", "--python", str(env / "bin" / "python")]
        subprocess.run([*install, *constraints, spec], check=True)
    share(env)
    # Measured, not assumed: a student (here `nobody`) must be able to run it.
    nobody = pwd.getpwnam("nobody")
    check = subprocess.run(
        [str(env / "bin" / "python"), "-c", LAB_CONFIG],
        user=nobody.pw_uid,
        group=nobody.pw_gid,
        extra_groups=[],
        cwd="/",
        env={"PATH": "/usr/bin:/bin"},  # nothing of this process's Python
        capture_output=True,
        text=True,
    )
    if check.returncode:
        raise ClassroomError(
            f"other users cannot run {env / 'bin' / 'python'} (exit {check.returncode}: "
            f"{check.stderr.strip()[-300:]}); delete {env} and give --python a Python "
            "outside any private home, such as /usr/bin/python3"
        )
    return check.stdout.strip()


def write_config(folder: Path, args: argparse.Namespace, lab_config: str) -> None:
    """Write jupyterhub_config.py from the template, unless the folder has one."""
    from astrolearn.vo.mirror import MIRROR_URL

    path = folder / CONFIG
    values = {
        "folder": str(folder),
        "bind_url": repr(f"http://{args.ip}:{args.port}"),
        "hub_bind_url": repr(f"http://127.0.0.1:{args.hub_port}"),
        "proxy_api_url": repr(f"http://127.0.0.1:{args.proxy_api_port}"),
        "proxy": repr(str(Path(args.proxy).resolve())),
        "lab_config": repr(lab_config),
        "python": repr(sys.executable),
        "idle_timeout": repr(f"--timeout={args.idle_timeout}"),
        # Check often enough that a server is stopped soon after its timeout.
        "cull_every": repr(f"--cull-every={max(1, min(300, args.idle_timeout // 4))}"),
        "vo_mirror": repr(bool(args.vo_mirror)),
        "mirror_url": repr(MIRROR_URL),
    }
    text = string.Template(TEMPLATE.read_text()).substitute(values)
    if path.exists():
        kept = "" if path.read_text() == text else " (it differs from what init would write)"
        say(f"kept {path}{kept}")
        if args.vo_mirror is not None:
            switch_vo_mirror(path, args.vo_mirror)
        return
    path.write_text(text)
    say(f"wrote {path}")


def switch_vo_mirror(path: Path, on: bool) -> None:
    """Set ``VO_MIRROR`` in the existing config ``path``, changing no other line."""
    text = path.read_text()
    found = VO_MIRROR_LINE.findall(text)
    if len(found) != 1:
        raise ClassroomError(
            f"{path} should have one line starting 'VO_MIRROR = True' or 'VO_MIRROR = False' "
            f"(found {len(found)}): set it there by hand"
        )
    if found[0] == str(on):
        say(f"VO_MIRROR is already {on} in {path}")
        return
    new = path.with_name(f".{path.name}.new")
    new.write_text(VO_MIRROR_LINE.sub(f"VO_MIRROR = {on}", text))
    shutil.copymode(path, new)
    os.chown(new, path.stat().st_uid, path.stat().st_gid)
    new.replace(path)
    say(
        f"changed VO_MIRROR from {found[0]} to {on} in {path}; restart the hub for it to "
        f"take effect (Ctrl+C, then `astrolearn classroom start {path.parent}`)"
    )


def add_account(username: str) -> str:
    """Create the Unix account ``username`` unless it exists; its home at mode 700."""
    try:
        account = pwd.getpwnam(username)
        done = "account exists"
    except KeyError:
        useradd = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash"]
        subprocess.run([*useradd, "--comment", roster.COMMENT, username], check=True)
        account = pwd.getpwnam(username)
        done = "account created"
    home = Path(account.pw_dir)
    if stat.S_IMODE(home.stat().st_mode) != 0o700:
        home.chmod(0o700)
        done += ", home set to mode 700"
    return done


def start(folder: Path) -> int:
    """Run JupyterHub on the classroom's config, in the foreground (Ctrl+C stops it)."""
    folder = folder.resolve()
    config = folder / CONFIG
    if not config.is_file():
        raise ClassroomError(f"{folder} has no {CONFIG}: run `astrolearn classroom init` first")
    if importlib.util.find_spec("jupyterhub") is None:
        raise ClassroomError(EXTRA_HINT)
    from traitlets.config.loader import PyFileConfigLoader

    hub = PyFileConfigLoader(CONFIG, path=str(folder)).load_config().JupyterHub
    members = roster.read(folder / "roster.csv")
    say(
        f"starting JupyterHub for {len(roster.names(members, 'student'))} students and "
        f"{len(roster.names(members, 'instructor'))} instructors; when it says it is "
        f"running, open {hub.bind_url} (Ctrl+C stops it)"
    )
    os.chdir(folder / "state")  # the proxy's pid file and the hub's own files go here
    # A hub started in the background (`&`, nohup) inherits SIGINT ignored, and passes it
    # on: the idle culler then ignores the hub's request to stop, which waits 30 s.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    command = [sys.executable, "-m", "jupyterhub", "-f", str(config)]
    os.execv(sys.executable, command)
