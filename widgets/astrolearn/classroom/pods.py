"""Unix accounts and the private exchange in a classroom on Kubernetes (Zero to JupyterHub).

On one machine each student is a Unix account, and the exchange
(:mod:`astrolearn.classroom.exchange`) separates students by the owner of their
inbound folder. Zero to JupyterHub runs every server as the same uid, so the hub
(``deploy/z2jh/values.yaml``) gives each user a uid of their own and runs this, as
root, in an init container before each of their servers starts::

    python -I -m astrolearn.classroom.pods user NAME UID --exchange ROOT --run DIR --home HOME

It writes ``DIR/passwd`` (the image's own, with the user's account added), which the
server's container mounts read-only over ``/etc/passwd``: the exchange learns who
submits from the uid, as on one machine, through a file the student cannot change
(environment variables they can). It makes the exchange's folders as
:func:`~astrolearn.classroom.exchange.layout` does, with this user's own inbound folder,
and gives the home volume to the user (all of it when its top is not theirs yet: a new
volume, or one of an earlier uid). No ``fsGroup`` is needed, which matters: Kubernetes
would apply it to the exchange's volume too on storage that supports it, and give every
student the group's access to every folder in it. It writes the nbgrader settings of
every server in ``DIR/jupyter/everyone`` and those of students' servers in
``DIR/jupyter/students``.

The grading Job (``deploy/z2jh/grade-job.yaml``) runs, as root::

    python -I -m astrolearn.classroom.pods collector --exchange ROOT --run DIR

which writes an account for the owner of each inbound folder: only root makes those
folders (``inbound/`` is root's, 711), so their owners are the hub's users.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
from pathlib import Path

from astrolearn.classroom import exchange

#: The group of every user's account (``users``, as the chart's ``fsGid``).
GID = 100
#: The image's own accounts, to which the users' are added.
IMAGE_PASSWD = Path("/etc/passwd")
#: A name the exchange can use as a folder and as the first field of a submission
#: (``NAME+ASSIGNMENT+TIME+RANDOM``), and a passwd file as an account name.
NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")


class Refused(Exception):
    """The pod must not start: the message says why."""


def _check(name: str) -> None:
    if not NAME.fullmatch(name):
        raise Refused(f"{name!r} cannot be a classroom account: use {NAME.pattern}")
    if any(line.split(":", 1)[0] == name for line in IMAGE_PASSWD.read_text().splitlines()):
        raise Refused(f"{name} is an account of the image: it cannot be a classroom user")


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o644)


def _settle(run: Path, root: Path, accounts: dict[str, int]) -> None:
    """Write ``run/passwd`` (the image's, with ``accounts`` added) and the nbgrader
    settings of the exchange at ``root`` under ``run/jupyter``."""
    exchange.make_folder(run, 0o755)
    _write(
        run / "passwd",
        IMAGE_PASSWD.read_text()
        + "".join(
            f"{name}:x:{uid}:{GID}::/home/jovyan:/bin/bash\n" for name, uid in accounts.items()
        ),
    )
    exchange.write_config(run / "jupyter" / "everyone", run / "jupyter" / "students", root)


def _owners(course: Path) -> dict[str, int]:
    """The inbound folders that are real folders, by name, with their owners' uids."""
    owners = {}
    for entry in os.scandir(course / "inbound"):
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode) and info.st_uid != 0 and NAME.fullmatch(entry.name):
            owners[entry.name] = info.st_uid
    return owners


def _give(home: Path, uid: int) -> None:
    """Make everything in ``home`` the user's. ``os.fwalk`` holds each folder open and
    links are changed, never followed; a hard link can only lead to a file of the same
    volume, which is the user's own."""
    for _, _, files, folder in os.fwalk(home):
        os.chown(folder, uid, GID)
        for name in files:
            os.chown(name, uid, GID, dir_fd=folder, follow_symlinks=False)


def user(name: str, uid: int, root: Path, run: Path, home: Path) -> None:
    """Prepare the pod of the hub user ``name``, who runs as ``uid`` (as root).

    Raises
    ------
    Refused
        For a name the exchange cannot hold, a uid that is root's or the image's, or a
        uid that already owns another user's inbound folder (the hub's user ids changed,
        say with a new hub database: that user's submissions must not become this one's).
    """
    _check(name)
    if uid < 10000:
        raise Refused(f"uid {uid} is below 10000: it may be the image's own user's")
    course = exchange.layout(root, [])  # the course's folders, owners and modes repaired
    taken = sorted(other for other, owner in _owners(course).items() if owner == uid)
    if set(taken) - {name}:
        raise Refused(
            f"uid {uid} of {name} already owns {course / 'inbound' / taken[0]}: the hub's "
            "user ids changed. Move the exchange's inbound folders aside, then start again."
        )
    exchange.make_folder(course / "inbound" / name, 0o700, uid, GID)
    if os.lstat(home).st_uid != uid:
        _give(home, uid)  # a new volume (root's), or files of an earlier uid
    exchange.make_folder(home, 0o700, uid, GID)
    _settle(run, root, {name: uid})


def collector(root: Path, run: Path) -> dict[str, int]:
    """Write the accounts of everyone with an inbound folder (as root), and return them."""
    owners = _owners(exchange.layout(root, []))
    _settle(run, root, owners)
    return owners


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m astrolearn.classroom.pods")
    steps = parser.add_subparsers(dest="step", required=True)
    one = steps.add_parser("user", help="prepare the pod of one hub user")
    one.add_argument("name")
    one.add_argument("uid", type=int)
    one.add_argument("--home", type=Path, required=True)
    every = steps.add_parser("collector", help="the accounts of every user, for grading")
    for step in (one, every):
        step.add_argument("--exchange", type=Path, required=True)
        step.add_argument("--run", type=Path, required=True)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("astrolearn classroom: run this as root (an init container)", file=sys.stderr)
        return 2
    try:
        if args.step == "user":
            user(args.name, args.uid, args.exchange, args.run, args.home)
            print(f"astrolearn classroom: {args.name} is uid {args.uid}")
        else:
            owners = collector(args.exchange, args.run)
            print(f"astrolearn classroom: {len(owners)} account(s) for the collector")
    except Refused as error:
        print(f"astrolearn classroom: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
