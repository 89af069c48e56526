"""The classroom collector's copy (astrolearn.classroom.exchange.copy_owned): it runs as
root in folders students write, so it copies only the student's own regular files and
refuses anything else with the reason. Fast: no hub, no accounts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from astrolearn.classroom.exchange import RefusedSubmission, copy_owned

from tests.conftest import require

LIMITS = {"entries": 10, "file": 1000, "total": 1500, "ignore": [".ipynb_checkpoints"]}
ME = os.getuid()


@pytest.fixture
def submission(tmp_path) -> Path:
    """A submission folder: a notebook, a data file in a subfolder, a checkpoint."""
    folder = tmp_path / "inbound" / "bea+hw+2026-12-07 10:00:00.000000 UTC+abc"
    (folder / "data").mkdir(parents=True)
    (folder / "hw.ipynb").write_text('{"cells": []}')
    (folder / "data" / "stars.csv").write_text("ra,dec\n56.75,24.12\n")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "hw-checkpoint.ipynb").write_text("{}")
    return folder


def refusal(submission: Path, dest: Path, uid: int = ME, **limits) -> str:
    with pytest.raises(RefusedSubmission) as refused:
        copy_owned(str(submission), str(dest), uid, LIMITS | limits)
    return str(refused.value)


def test_the_students_own_files_are_copied(submission, tmp_path):
    dest = tmp_path / "staged"
    copy_owned(str(submission), str(dest), ME, LIMITS)
    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))
    assert copied == ["data", "data/stars.csv", "hw.ipynb"]
    assert (dest / "data" / "stars.csv").read_text() == "ra,dec\n56.75,24.12\n"


def test_links_are_refused_and_never_followed(submission, tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("solutions")
    (submission / "hw.ipynb").unlink()
    (submission / "hw.ipynb").symlink_to(secret)
    message = refusal(submission, tmp_path / "a")
    assert message == f"{submission}/hw.ipynb is a symbolic link"
    (submission / "hw.ipynb").unlink()
    (submission / "hw.ipynb").write_text("{}")
    (submission / "other").symlink_to(tmp_path, target_is_directory=True)
    assert refusal(submission, tmp_path / "b") == f"{submission}/other is a symbolic link"
    # The submission folder itself swapped for a link.
    linked = submission.parent / "linked"
    linked.symlink_to(submission, target_is_directory=True)
    assert refusal(linked, tmp_path / "c") == f"{linked} is a symbolic link"
    assert not any(
        p.read_bytes() == b"solutions" for p in tmp_path.rglob("*") if p.is_file() and p != secret
    )


def test_hard_links_fifos_and_sizes_are_refused(submission, tmp_path):
    os.link(submission / "hw.ipynb", submission / "copy.ipynb")
    assert "copy.ipynb is a hard link (2 names)" in refusal(submission, tmp_path / "a")
    (submission / "copy.ipynb").unlink()
    os.mkfifo(submission / "pipe")  # must not hang the collector either
    assert refusal(submission, tmp_path / "b") == f"{submission}/pipe is not a regular file"
    (submission / "pipe").unlink()
    assert "more than 2 files and folders" in refusal(submission, tmp_path / "c", entries=2)
    assert "hw.ipynb is larger than 5 bytes" in refusal(submission, tmp_path / "d", file=5)
    assert "submission is larger than 20 bytes" in refusal(submission, tmp_path / "e", total=20)


def test_files_of_someone_else_are_refused(submission, tmp_path):
    require(os.geteuid() == 0, "root (to give a file to another account)", "run as root")
    os.chown(submission / "data" / "stars.csv", 65534, 65534)
    message = refusal(submission, tmp_path / "a")
    assert message == f"{submission}/data/stars.csv belongs to someone else (uid 65534)"
    assert refusal(submission, tmp_path / "b", uid=65534).endswith("(uid 0)")
