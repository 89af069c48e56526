"""Copy the lessons into a folder without ever replacing a file that is already there.

The hub runs this as the student, in the student's own environment, before each of
their servers starts (``python -m astrolearn.classroom.lessons SOURCE DEST``): a student
gets the lessons they do not have yet, and keeps every change they made to the others.
Running as the student, not as root, means a link the student put in their home can
only lead where the student may write anyway.

Only the standard library is imported.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def copy_missing(source: Path, destination: Path) -> list[Path]:
    """Copy every file of ``source`` that ``destination`` lacks; keep the others.

    Parameters
    ----------
    source, destination : Path
        Folders; ``destination`` is created when missing.

    Returns
    -------
    list of Path
        The files copied (relative to ``destination``).
    """
    copied = []

    def copy_if_missing(src: str, dst: str) -> str:
        if not os.path.lexists(dst):
            shutil.copy2(src, dst)
            copied.append(Path(dst).relative_to(destination))
        return dst

    shutil.copytree(
        source,
        destination,
        dirs_exist_ok=True,
        copy_function=copy_if_missing,
        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"),
    )
    return copied


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m astrolearn.classroom.lessons SOURCE DEST", file=sys.stderr)
        return 2
    copied = copy_missing(Path(argv[0]), Path(argv[1]))
    print(f"astrolearn classroom: {len(copied)} lesson file(s) copied to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
