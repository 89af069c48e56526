"""The classroom folder is trusted by root (its roster names the instructors): only root
or the operator may change it or the folders above it, and writing the roster never
follows a link planted in its place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from astrolearn.classroom import ClassroomError, check_trusted, install_roster

NOBODY = 65534


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder under /tmp (sticky, writable by all), as a classroom's parent may be."""
    root = Path(tempfile.mkdtemp(prefix="astrolearn-place-", dir="/tmp"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root)


def test_a_folder_of_ones_own_under_a_sticky_folder_is_trusted(place):
    check_trusted(place)


@pytest.mark.parametrize("mode", [0o775, 0o757, 0o777])
def test_a_folder_others_may_write_is_refused(place, mode):
    place.chmod(mode)
    with pytest.raises(ClassroomError, match="may be changed by others"):
        check_trusted(place)


def test_a_folder_under_one_others_may_write_without_sticky_bit_is_refused(place):
    classroom = place / "class"
    classroom.mkdir(mode=0o755)
    place.chmod(0o777)
    with pytest.raises(ClassroomError, match=str(place)):
        check_trusted(classroom)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder away needs root")
def test_a_folder_someone_else_owns_is_refused(place):
    classroom = place / "class"
    classroom.mkdir(mode=0o755)
    os.chown(classroom, NOBODY, NOBODY)
    with pytest.raises(ClassroomError, match=f"owner uid {NOBODY}"):
        check_trusted(classroom)


def test_the_roster_replaces_a_planted_link_and_writes_nothing_through_it(place):
    target = place / "elsewhere.txt"
    target.write_text("not a roster\n")
    source = place / "roster-source.csv"
    source.write_text("username,role\nada,student\n")
    (place / "roster.csv").symlink_to(target)
    install_roster(source, place / "roster.csv")
    assert target.read_text() == "not a roster\n"
    assert not (place / "roster.csv").is_symlink()
    assert (place / "roster.csv").read_text() == source.read_text()
    assert (place / "roster.csv").stat().st_mode & 0o777 == 0o600


def test_a_longer_roster_replaces_the_old_one(place):
    source = place / "roster-source.csv"
    source.write_text("username,role\nada,student\n")
    install_roster(source, place / "roster.csv")
    source.write_text("username,role\nada,student\nbob,student\n")
    install_roster(source, place / "roster.csv")
    assert (place / "roster.csv").read_text() == source.read_text()
    assert [p.name for p in place.iterdir() if p.name.startswith(".")] == []
