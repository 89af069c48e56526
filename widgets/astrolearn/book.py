"""``astrolearn book``: build the course website with Jupyter Book 1.

Jupyter Book 1 builds offline, but on its own it has three traps this command closes:

- it exits 0 when a notebook fails to execute (unless warnings are errors), so the
  build runs with ``-W -n --keep-going`` and afterwards checks the execution cache:
  every notebook page must have a successful, cached execution;
- an incremental Sphinx build does not repeat the warnings of unchanged pages, so a
  second build would pass with the same broken link: every build re-reads all pages
  (``--all``), which is cheap because execution results come from the jupyter-cache;
- only the notebooks whose code changed are executed again (jupyter-cache), so a
  rebuild takes seconds. jupyter-cache only sees a notebook's own code, so when the
  astrolearn package itself changed (its widgets, loaders, ...), the cache is emptied
  first: the pages never show outputs of an older package.

The public site shows no solution of a graded lesson (``course/assignments.toml``);
``--instructor`` builds the teachers' version with every solution and model answer, by
default into ``_build/instructor/`` so that it never replaces the public site.

Only the standard library is imported at module level (the CLI imports this module to
build its parser); Jupyter Book runs in a child process.

Examples
--------
>>> from astrolearn import book
>>> book.default_book_dir().name
'jupyter-book'
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from astrolearn import content, processes  # standard library only

# The backends of astrolearn.vo.config (not imported here: the CLI must stay light).
VO_BACKENDS = ("auto", "live", "mirror", "offline")
# Read by the book's Sphinx extension (jupyter-book/_ext/astrolearn_site.py).
INSTRUCTOR_ENV = "ASTROLEARN_BOOK_INSTRUCTOR"

__all__ = [
    "build",
    "configure",
    "default_book_dir",
    "failed_notebooks",
    "package_fingerprint",
    "run",
]


def default_book_dir(content_root: Path | str | None = None) -> Path:
    """Return the ``jupyter-book/`` folder of the content root (:mod:`astrolearn.content`).

    Parameters
    ----------
    content_root : path, optional
        The ``--content`` option; by default ``ASTROLEARN_CONTENT``, else the content
        installed with astrolearn, or the clone's folders.

    Raises
    ------
    astrolearn.content.ContentError
        If the content root has no ``jupyter-book/_config.yml``.

    Examples
    --------
    >>> default_book_dir().joinpath("_config.yml").is_file()
    True
    """
    return content.folder("jupyter-book", content_root)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``astrolearn book`` to ``parser``."""
    parser.add_argument(
        "--book",
        type=Path,
        metavar="DIR",
        default=None,
        help="book folder with _config.yml and _toc.yml (default: the content root's "
        "jupyter-book/)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        default=None,
        help="folder that receives _build/; the HTML is in OUTPUT/_build/html and the "
        "execution cache in OUTPUT/_build/.jupyter_cache (default: the book folder in a "
        "clone; the book installed with astrolearn needs a folder named here)",
    )
    parser.add_argument(
        "--instructor",
        action="store_true",
        help="build the teachers' version, with the solutions and model answers of the "
        "graded lessons (default output: BOOK/_build/instructor, never the public site)",
    )
    parser.add_argument(
        "--vo-backend",
        choices=VO_BACKENDS,
        default=os.environ.get("ASTROLEARN_VO_BACKEND", "offline"),
        help="VO backend the lessons use while executing (default: offline, so the site "
        "shows the bundled snapshots whatever the network does at build time)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=1800,
        help="seconds before the whole build is stopped (default: 1800)",
    )
    content.add_option(parser)


def _seconds(text: str) -> float:
    """A positive number of seconds (argparse type: anything else is a usage error)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"a positive number of seconds, not {text!r}")
    return seconds


def run(args: argparse.Namespace) -> int:
    """Build the book; return 0 on success, 1 on any warning or failed notebook, and 2
    (a usage error, as argparse's) when a folder or option given does not fit."""
    if args.book is not None and not (args.book / "_config.yml").is_file():
        print(
            f"astrolearn book: --book {args.book} has no _config.yml: name the folder of a "
            "Jupyter Book (its _config.yml and _toc.yml), or leave --book out",
            file=sys.stderr,
        )
        return 2
    book_dir = args.book if args.book is not None else default_book_dir(args.content)
    try:
        html_dir = build(
            book_dir,
            args.output,
            vo_backend=args.vo_backend,
            timeout=args.timeout,
            instructor=args.instructor,
        )
    except ValueError as error:
        print(f"astrolearn book: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"astrolearn book: {error}", file=sys.stderr)
        return 1
    print(f"astrolearn book: built {html_dir / 'index.html'}")
    return 0


def build(
    book_dir: Path | str | None = None,
    output_dir: Path | str | None = None,
    *,
    vo_backend: str = "offline",
    timeout: float = 1800,
    instructor: bool = False,
) -> Path:
    """Build the book with warnings as errors and check that every notebook executed.

    Parameters
    ----------
    book_dir : path, optional
        Folder with ``_config.yml`` and ``_toc.yml``; default :func:`default_book_dir`.
    output_dir : path, optional
        Folder that receives ``_build/``; default ``book_dir`` (``book_dir/_build/instructor``
        for the instructor build). Required when ``book_dir`` is the book installed with
        the package, which is never written to.
    vo_backend : str
        ``ASTROLEARN_VO_BACKEND`` for the executing kernels: ``offline`` (default) makes
        the pages reproducible, from the bundled snapshots.
    timeout : float
        Seconds before the build process is stopped.
    instructor : bool
        Build the teachers' version: the graded lessons' solutions and model answers are
        shown (the public site shows none).

    Returns
    -------
    pathlib.Path
        The folder of the built HTML site.

    Raises
    ------
    FileNotFoundError
        If ``book_dir`` has no ``_config.yml``.
    ValueError
        If ``timeout`` or ``vo_backend`` is invalid, or ``output_dir`` is missing for the
        book installed with the package.
    RuntimeError
        If Jupyter Book is missing, the build reports a warning or error, or a notebook
        failed to execute (the message names each notebook).

    Examples
    --------
    >>> html = build()  # doctest: +SKIP
    >>> (html / "index.html").is_file()  # doctest: +SKIP
    True
    """
    book_dir = Path(book_dir) if book_dir is not None else default_book_dir()
    if not (book_dir / "_config.yml").is_file():
        raise FileNotFoundError(f"book_dir={str(book_dir)!r} has no _config.yml")
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if vo_backend not in VO_BACKENDS:
        raise ValueError(f"vo_backend must be one of {VO_BACKENDS}, got {vo_backend!r}")
    if importlib.util.find_spec("jupyter_book") is None:
        raise RuntimeError("Jupyter Book 1 is missing: pip install 'astrolearn[book]'")
    if output_dir is None and content.is_installed(book_dir):
        raise ValueError(
            "the book installed with astrolearn is not written to: name a folder for the "
            "website, for example: astrolearn book --output my-site"
        )
    if output_dir is None:
        output_dir = book_dir / "_build" / "instructor" if instructor else book_dir
    output_dir = Path(output_dir)
    build_dir = output_dir / "_build"
    if instructor:
        _seed_cache(book_dir / "_build", build_dir)
    command = [
        sys.executable,
        "-c",
        "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
        "build",
        str(book_dir),
        "--path-output",
        str(output_dir),
        "--all",  # re-read every page so warnings of unchanged pages are reported again
        "-W",
        "-n",
        "--keep-going",
    ]
    started = time.perf_counter()
    if _package_changed(build_dir):
        print("astrolearn book: the astrolearn package changed: executing every notebook again")
    builder = subprocess.Popen(
        command,
        env={
            **os.environ,
            "ASTROLEARN_VO_BACKEND": vo_backend,
            INSTRUCTOR_ENV: "1" if instructor else "0",
        },
    )
    # Stopped or timed out, the build ends with its kernels (processes.py).
    with processes.stopped_with(builder):
        try:
            returncode = builder.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            processes.kill_tree(builder.pid)
            builder.wait()
            raise RuntimeError(f"the book build took longer than timeout={timeout} s") from error
    failures = failed_notebooks(build_dir / ".jupyter_cache")
    if failures:
        listing = "\n".join(f"  {uri}:\n{_last_lines(tb)}" for uri, tb in failures.items())
        raise RuntimeError(f"{len(failures)} notebook(s) failed to execute:\n{listing}")
    if returncode != 0:
        raise RuntimeError(
            f"jupyter-book exited with {returncode} (warnings are errors; see the messages above)"
        )
    print(f"astrolearn book: {time.perf_counter() - started:.1f} s")
    return build_dir / "html"


def failed_notebooks(cache_dir: Path | str) -> dict[str, str]:
    """Return the notebooks of a jupyter-cache that have no successful execution.

    Parameters
    ----------
    cache_dir : path
        A jupyter-cache folder (``_build/.jupyter_cache``); a missing folder means no
        notebook was executed, and gives an empty result.

    Returns
    -------
    dict
        Source path of each failed notebook mapped to its traceback (or to a note when
        the cache holds no result for its current content). Notebooks whose source file
        no longer exists are ignored.

    Examples
    --------
    >>> failed_notebooks("/nonexistent/.jupyter_cache")
    {}
    """
    cache_dir = Path(cache_dir)
    if not (cache_dir / "global.db").is_file():
        return {}
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    failures: dict[str, str] = {}
    for record in cache.list_project_records():
        if not Path(record.uri).is_file():
            continue
        if record.traceback:
            failures[record.uri] = record.traceback
            continue
        if cache.get_cached_project_nb(record.uri) is None:
            failures[record.uri] = "no cached execution for the current source"
    return failures


def package_fingerprint() -> str:
    """A hash of the astrolearn package: its code, and the names and sizes of its data.

    Examples
    --------
    >>> len(package_fingerprint())
    64
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if content.is_installed(path):  # the book's own sources: jupyter-cache follows them
            continue
        digest.update(path.relative_to(package).as_posix().encode())
        if path.suffix in {".py", ".js", ".mjs", ".css", ".json", ".ecsv", ".rd"}:
            digest.update(path.read_bytes())
        else:  # bundled data files: large, and replaced whole, so the size tells
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()


def _package_changed(build_dir: Path) -> bool:
    """Empty the execution cache when the package changed since it was filled."""
    stamp = build_dir / ".astrolearn-package"
    cache = build_dir / ".jupyter_cache"
    fingerprint = package_fingerprint()
    previous = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
    changed = previous is not None and previous != fingerprint
    if changed or (previous is None and cache.exists()):
        shutil.rmtree(cache, ignore_errors=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return changed


def _seed_cache(public_build: Path, build_dir: Path) -> None:
    """Start an instructor build from the public build's executions (20 MB, copied).

    Both builds execute the same notebooks (only what is shown differs), and the cache
    knows notebooks by their source path, so the public build's results, when there
    are any, replace the instructor build's older ones.
    """
    source, target = public_build / ".jupyter_cache", build_dir / ".jupyter_cache"
    if not source.is_dir() or source.resolve() == target.resolve():
        return
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    stamp = public_build / ".astrolearn-package"
    if stamp.is_file():
        shutil.copy(stamp, build_dir / ".astrolearn-package")


def _last_lines(text: str, count: int = 12) -> str:
    """The end of a traceback, indented, where the error message is."""
    lines = text.rstrip().splitlines()[-count:]
    return "\n".join("    " + line for line in lines)
