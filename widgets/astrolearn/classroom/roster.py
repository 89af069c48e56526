"""The class roster: who may log in to the classroom hub, as a student or an instructor.

The roster is a small CSV file, one account a line, with a header::

    # Astronomy 101, autumn term (lines starting with # are comments)
    username,role
    ada,instructor
    bea,student
    carl,student

Every username becomes a real Unix account on the hub's machine, so the rules are those
of a safe Unix user name, checked strictly: 1 to 31 characters, lower-case letters,
digits, ``_`` and ``-``, starting with a letter; never ``root`` nor any other system
account (user id below 1000, or ``nobody``), nor the name of a system group, nor an
existing account that ``astrolearn classroom init`` did not create (the first person to
log in sets the password, so listing someone's own account would hand it over).
Each bad line is named in the error with its reason; nothing is created from a roster
that has one.

Only the standard library is imported.
"""

from __future__ import annotations

import csv
import grp
import pwd
import re
from dataclasses import dataclass
from pathlib import Path

ROLES = ("student", "instructor")
NAME = re.compile(r"[a-z][a-z0-9_-]{0,30}")
#: Accounts below this user id belong to the system (Debian's UID_MIN).
FIRST_USER_ID = 1000
NOBODY = 65534
#: The comment (GECOS field) of the accounts ``astrolearn classroom init`` creates.
COMMENT = "astrolearn classroom"


class RosterError(ValueError):
    """A roster that cannot be used; the message names every bad line."""


@dataclass(frozen=True)
class Member:
    """One line of the roster."""

    username: str
    role: str
    line: int


def problem(username: str) -> str | None:
    """Why ``username`` cannot be a classroom account, or None when it can.

    Examples
    --------
    >>> problem("bea")
    >>> problem("root")
    "'root' is a system account"
    >>> problem("../etc")
    "'../etc' is not a Unix user name: 1 to 31 of a-z 0-9 _ -, starting with a-z"
    """
    if not NAME.fullmatch(username):
        return f"{username!r} is not a Unix user name: 1 to 31 of a-z 0-9 _ -, starting with a-z"
    try:
        account = pwd.getpwnam(username)
    except KeyError:
        account = None
    if account is not None and (account.pw_uid < FIRST_USER_ID or account.pw_uid == NOBODY):
        return f"{username!r} is a system account"
    if account is not None and account.pw_gecos != COMMENT:
        # Whoever logs in first sets the password: that would hand over the account.
        return f"{username!r} is an existing account that astrolearn classroom did not create"
    try:
        group = grp.getgrnam(username)
    except KeyError:
        group = None
    if group is not None and account is None and group.gr_gid < FIRST_USER_ID:
        return f"{username!r} is a system group"
    return None


def read(path: Path) -> list[Member]:
    """Read and check a roster file.

    Parameters
    ----------
    path : Path
        A CSV file with the header ``username,role`` (see the module's docstring).

    Returns
    -------
    list of Member
        In the file's order.

    Raises
    ------
    RosterError
        If any line is bad (every bad line is named), or the file has no one in it.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"cannot read the roster {path}: {error}") from error
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines or [c.strip() for c in lines[0][1].split(",")] != ["username", "role"]:
        raise RosterError(f"{path}: the first line that is not a comment must be 'username,role'")
    errors, members, seen = [], [], set()
    for number, row in zip(
        (n for n, _ in lines[1:]), csv.reader(line for _, line in lines[1:]), strict=True
    ):
        where = f"{path} line {number}"
        if len(row) != 2:
            errors.append(f"{where}: expected 'username,role', got {len(row)} fields")
            continue
        username, role = (field.strip() for field in row)
        reason = problem(username)
        if reason:
            errors.append(f"{where}: {reason}")
        elif role not in ROLES:
            errors.append(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
        elif username in seen:
            errors.append(f"{where}: {username!r} is listed twice")
        else:
            seen.add(username)
            members.append(Member(username, role, number))
    if errors:
        raise RosterError("\n".join(errors))
    if not members:
        raise RosterError(f"{path}: the roster lists no one")
    return members


def names(members: list[Member], role: str) -> list[str]:
    """The usernames of one role, in roster order."""
    return [member.username for member in members if member.role == role]
