"""The roster of `astrolearn classroom`: every name becomes a Unix account, so a bad
one is refused, with its line, before anything is created."""

from __future__ import annotations

import grp
import pwd

import pytest
from astrolearn.classroom import roster


def write(tmp_path, *lines: str):
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_roster_lists_students_and_instructors_in_order(tmp_path):
    path = write(
        tmp_path,
        "# Astronomy 101",
        "username,role",
        "",
        "ada,instructor",
        "bea,student",
        "carl_2,student",
    )
    members = roster.read(path)
    assert roster.names(members, "student") == ["bea", "carl_2"]
    assert roster.names(members, "instructor") == ["ada"]
    assert [m.line for m in members] == [4, 5, 6]


def a_system_group_without_its_own_user() -> str:
    users = {entry.pw_name for entry in pwd.getpwall()}
    return next(g.gr_name for g in grp.getgrall() if g.gr_gid < 1000 and g.gr_name not in users)


def test_every_bad_line_is_named_with_its_reason(tmp_path):
    group = a_system_group_without_its_own_user()
    bad = {
        3: ("root,student", "system account"),
        4: ("../etc,student", "not a Unix user name"),
        5: ("Bea,student", "not a Unix user name"),
        6: ("a" * 32 + ",student", "not a Unix user name"),
        7: ("-rf,student", "not a Unix user name"),
        8: ("nobody,student", "system account"),
        9: (f"{group},student", "system group"),
        10: ("carl,teacher", "role 'teacher'"),
        11: ("dora,student,extra", "3 fields"),
        12: ("bea,student", "listed twice"),
        13: ("é,student", "not a Unix user name"),
        14: ("x y,student", "not a Unix user name"),
    }
    path = write(tmp_path, "username,role", "bea,student", *(line for line, _ in bad.values()))
    with pytest.raises(roster.RosterError) as error:
        roster.read(path)
    messages = str(error.value).splitlines()
    assert len(messages) == len(bad)
    for message, (number, (_, reason)) in zip(messages, bad.items(), strict=True):
        assert message.startswith(f"{path} line {number}: ")
        assert reason in message


@pytest.mark.parametrize(
    "lines", [[], ["# only a comment"], ["name,role", "bea,student"], ["username,role"]]
)
def test_a_roster_without_header_or_people_is_refused(tmp_path, lines):
    with pytest.raises(roster.RosterError):
        roster.read(write(tmp_path, *lines))


def test_a_missing_or_binary_roster_is_a_roster_error(tmp_path):
    with pytest.raises(roster.RosterError, match="cannot read"):
        roster.read(tmp_path / "absent.csv")
    (tmp_path / "binary.csv").write_bytes(b"username,role\n\xff\xfe,student\n")
    with pytest.raises(roster.RosterError, match="cannot read"):
        roster.read(tmp_path / "binary.csv")


def test_an_account_the_classroom_did_not_create_is_refused(monkeypatch):
    # Someone's own login: the first to log in at the hub would set its password.
    def account(name, gecos):
        return pwd.struct_passwd((name, "x", 1500, 1500, gecos, f"/home/{name}", "/bin/bash"))

    monkeypatch.setattr(roster.pwd, "getpwnam", lambda name: account(name, "Ada Lovelace"))
    assert "did not create" in roster.problem("ada")
    monkeypatch.setattr(roster.pwd, "getpwnam", lambda name: account(name, roster.COMMENT))
    assert roster.problem("ada") is None


def test_the_longest_accepted_name_fits_a_unix_account():
    assert roster.problem("a" * 31) is None
    assert roster.problem("a" * 32) is not None
