"""Benchmark: course-website build time, cold (every notebook executed) vs cached.

Builds the book from this checkout into a temporary output folder with
``astrolearn book`` three times and prints a table of times and ratios to the cold
build of the same run:

- cold: empty output folder, every notebook is executed;
- cached: the same folder again, nothing changed: every page is re-read (warnings are
  errors on every build) but execution results come from the jupyter-cache;
- text edit: one page's prose changed, still no notebook executed.

Run: ``python benchmarks/bench_book.py`` (takes about as long as executing every lesson
once, plus two short builds). ``--book DIR`` benchmarks another book.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed_build(book: Path, output: Path) -> tuple[float, int, str]:
    """Run ``astrolearn book``; return (seconds, exit code, log)."""
    command = [sys.executable, "-m", "astrolearn.cli", "book", "--book", str(book)]
    command += ["--output", str(output)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=REPO / "jupyter-book")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-book-") as scratch:
        # A private copy of the book folder, so the text edit does not touch the checkout;
        # lessons/ and course/ (included by the grading page) point at the real ones.
        book = Path(scratch) / "jupyter-book"
        shutil.copytree(args.book, book, symlinks=True, ignore=shutil.ignore_patterns("_build"))
        for name in ("lessons", "course"):
            (Path(scratch) / name).symlink_to(args.book.resolve().parent / name)
        output = Path(scratch) / "out"
        rows = []
        for case in ("cold", "cached", "text edit"):
            if case == "text edit":
                intro = book / "intro.md"
                intro.write_text(intro.read_text() + "\nEdited for the benchmark.\n")
            seconds, code, log = timed_build(book, output)
            executed = log.count("Executed notebook")
            rows.append((case, seconds, executed, code))
            if code != 0:
                print(log[-3000:], file=sys.stderr)
    cold = rows[0][1]
    pages = len(list((args.book / "lessons").glob("*/lesson.md")))
    print(f"Book build ({pages} lessons + the book's own pages), one run each, 2-core machine\n")
    print(f"{'case':<12} {'seconds':>8} {'vs cold':>8} {'notebooks executed':>19} {'exit':>5}")
    for case, seconds, executed, code in rows:
        print(f"{case:<12} {seconds:8.1f} {seconds / cold:8.2f} {executed:19d} {code:5d}")
    return max(code for *_, code in rows)


if __name__ == "__main__":
    sys.exit(main())
