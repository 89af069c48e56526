"""The content root: the one folder that holds the lessons, apps, course and book sources.

Every command finds its sources here, and only here::

    CONTENT/lessons/NN-slug/lesson.md    the lessons (MyST Markdown)
    CONTENT/apps/*.md                    the public Voila apps and their gallery
    CONTENT/course/nbgrader_config.py    the nbgrader course (assignments.toml)
    CONTENT/jupyter-book/_config.yml     the course website

The root is, first to last: the ``--content DIR`` option of a command, the
``ASTROLEARN_CONTENT`` environment variable (for instructors with their own lessons),
the content installed with the package (the wheel carries it in ``astrolearn/content/``),
and, in a clone or an editable install, the repository itself. A root that lacks what a
command needs gives a :class:`ContentError` whose message says what was expected.

Only the standard library is imported (the CLI imports this module to build its parser).

Examples
--------
>>> from astrolearn import content
>>> content.folder("lessons").joinpath("README.md").is_file()
True
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

__all__ = [
    "ENV",
    "WHAT",
    "ContentError",
    "add_option",
    "folder",
    "installed",
    "is_installed",
    "lesson_folders",
    "locate",
]

#: Environment variable naming a content root of one's own.
ENV = "ASTROLEARN_CONTENT"
#: What each part of a content root holds, and the file pattern that proves it is there.
PARTS = {
    "lessons": ("lessons/NN-slug/lesson.md", "*/lesson.md"),
    "apps": ("apps/*.md", "*.md"),
    "course": ("course/nbgrader_config.py", "nbgrader_config.py"),
    "jupyter-book": ("jupyter-book/_config.yml", "_config.yml"),
}
_PACKAGE = Path(__file__).resolve().parent
#: What a content root is, and how to name one: said by every error about one.
WHAT = (
    "A content root holds lessons/, apps/, course/ and jupyter-book/: give one with "
    f"--content DIR or {ENV}, or leave both unset to use the lessons installed with astrolearn."
)


class ContentError(FileNotFoundError):
    """A content root lacks a part that a command needs."""


def installed() -> Path:
    """The content shipped inside the package (present in a wheel, absent in a clone).

    Examples
    --------
    >>> installed().name
    'content'
    """
    return _PACKAGE / "content"


def _checkout() -> Path | None:
    """The repository, when the package is imported from a clone (``widgets/astrolearn``)."""
    repository = _PACKAGE.parent.parent
    if (repository / "pyproject.toml").is_file() and (repository / "lessons").is_dir():
        return repository
    return None


def locate(override: Path | str | None = None) -> tuple[Path, str]:
    """Return the content root and where it was chosen (for messages).

    Parameters
    ----------
    override : path, optional
        The ``--content`` option; it wins over ``ASTROLEARN_CONTENT``.

    Returns
    -------
    tuple of (pathlib.Path, str)
        The root (not checked) and its origin: ``"--content"``, ``"ASTROLEARN_CONTENT"``,
        ``"installed"`` or ``"clone"``.

    Examples
    --------
    >>> locate("/srv/my-course")
    (PosixPath('/srv/my-course'), '--content')
    """
    if override is not None and str(override):
        return Path(override).expanduser(), "--content"
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser(), ENV
    checkout = _checkout()
    if installed().is_dir() or checkout is None:
        return installed(), "installed"
    return checkout, "clone"


def folder(part: str, override: Path | str | None = None) -> Path:
    """Return ``ROOT/part``, checked to hold what that part holds.

    Parameters
    ----------
    part : {"lessons", "apps", "course", "jupyter-book"}
        The part a command needs.
    override : path, optional
        The ``--content`` option.

    Raises
    ------
    ContentError
        If the folder is missing or lacks its files; the message names the root, where
        it came from, and what was expected there.

    Examples
    --------
    >>> folder("course").joinpath("nbgrader_config.py").is_file()
    True
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {sorted(PARTS)}, got {part!r}")
    root, origin = locate(override)
    path = root / part
    expected, pattern = PARTS[part]
    if not path.is_dir() or next(path.glob(pattern), None) is None:
        where = {
            "--content": f"--content {root}",
            ENV: f"{ENV}={root}",
            "installed": f"the content installed with astrolearn ({root})",
            "clone": f"this clone ({root})",
        }[origin]
        raise ContentError(f"{where} has no {expected}. {WHAT}")
    return path


def is_installed(path: Path) -> bool:
    """Whether ``path`` lies in the content installed with the package (not to be written).

    Examples
    --------
    >>> is_installed(installed() / "jupyter-book")
    True
    """
    return Path(path).resolve().is_relative_to(installed())


def lesson_folders(override: Path | str | None = None) -> list[Path]:
    """Every folder of the content root that holds lesson sources, and so solutions.

    In a clone ``jupyter-book/lessons`` is a link to ``lessons/``; a wheel cannot hold
    links, so there it is a second copy, which grading must hide from the kernel too.

    Examples
    --------
    >>> [path.name for path in lesson_folders()]
    ['lessons']
    """
    root, _ = locate(override)
    copies = {(root / "lessons").resolve(), (root / "jupyter-book" / "lessons").resolve()}
    return sorted(path for path in copies if path.is_dir())


def add_option(
    parser: argparse.ArgumentParser, *, repeated: bool = False, dest: str = "content"
) -> None:
    """Add ``--content DIR`` to ``parser``, stored as ``dest``.

    ``repeated`` is for the parser of a step below the one that has the option already:
    its default is left out, so that a value given before the step is kept.
    """
    parser.add_argument(
        "--content",
        dest=dest,
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS if repeated else None,
        help=f"content root with lessons/, apps/, course/ and jupyter-book/ (default: "
        f"${ENV}, else the content installed with astrolearn, or this clone's folders)",
    )
