"""Execute a lesson (MyST Markdown notebook) with the network cut and read back its numbers.

The tests of ``lessons/`` use this module; so does ``benchmarks/bench_lessons.py``.

How it works: ``run_lesson(path)`` starts *this file* as a script in a subprocess under
``unshare -n`` (``run_offline`` from ``tests/conftest.py``). The script converts the MyST
source with ``astrolearn.notebooks.read_myst``, executes it with nbclient (kernel ``python3``, working directory
the lesson folder), fails on the first cell error, and appends one last cell that writes
every JSON-serialisable top-level variable of the kernel to a JSON file. Each lesson is
executed once per test session (results are cached by path).

Tests then assert the numbers the lesson tells the learner::

    from harness import execute_lesson, lesson_path, prose_number

    values = execute_lesson(lesson_path(5), ["cluster_distance_pc"])
    assert 130 < values["cluster_distance_pc"] < 142          # literature: ~136 pc
    quoted = prose_number(lesson_path(5), r"distance of about (\\d+) pc")
    assert abs(quoted - values["cluster_distance_pc"]) < 2     # prose matches the code

Store numbers a test checks as plain Python/NumPy scalars (``float``, ``int``, ``str``,
``bool``, or short lists/dicts of them); an astropy Quantity scalar is exported as its
value (put the unit in the variable name, e.g. ``distance_pc``).
"""

from __future__ import annotations

import functools
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LESSONS_DIR = REPO / "lessons"
CELL_TIMEOUT = 120  # seconds per cell: a lesson cell should take seconds
LESSON_TIMEOUT = 300  # seconds for a whole lesson (budget ~2 min, aim < 40 s)

# The cell appended to every executed lesson. It defines no lasting names and writes
# the kernel's JSON-serialisable globals to the file named in place of {out!r}.
_COLLECT_CELL = """
def _astrolearn_collect(out_path, max_items=1000):
    import json, math, numbers
    skip = object()

    def convert(value, depth=0):
        if value is None or isinstance(value, (bool, str)):
            return value if not isinstance(value, str) or len(value) < 20000 else skip
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value)
        try:  # astropy Quantity scalar -> its value; numpy 0-d arrays / scalars
            import numpy as np
            if getattr(value, "unit", None) is not None and np.ndim(value) == 0:
                return float(value.value)
            if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
                return convert(value.item(), depth)
        except Exception:
            return skip
        if depth < 3 and isinstance(value, (list, tuple)) and len(value) <= max_items:
            items = [convert(v, depth + 1) for v in value]
            return skip if any(i is skip for i in items) else items
        if depth < 3 and isinstance(value, dict) and len(value) <= max_items:
            if not all(isinstance(k, str) for k in value):
                return skip
            items = {k: convert(v, depth + 1) for k, v in value.items()}
            return skip if any(i is skip for i in items.values()) else items
        return skip

    values = {}
    for name, value in list(globals().items()):
        if name.startswith("_") or name in ("In", "Out") or callable(value):
            continue
        converted = convert(value)
        if converted is not skip:
            values[name] = converted
    with open(out_path, "w") as handle:
        json.dump(values, handle)

_astrolearn_collect({out!r})
del _astrolearn_collect
"""


@dataclass
class LessonRun:
    """The outcome of one offline execution of a lesson."""

    path: Path
    values: dict
    seconds: float
    cell_seconds: list[float] = field(default_factory=list)
    figures_without_alt: list[int] = field(default_factory=list)
    notebook: Path | None = None

    def get(self, names: list[str]) -> dict:
        """Return ``{name: value}`` for ``names``; a clear error names a missing one."""
        missing = [name for name in names if name not in self.values]
        if missing:
            raise KeyError(
                f"{self.path.name}: no JSON-serialisable top-level variable(s) {missing}; "
                f"available: {sorted(self.values)}"
            )
        return {name: self.values[name] for name in names}


def lesson_path(number: int) -> Path:
    """Return ``lessons/NN-slug/lesson.md`` for lesson ``number`` (1-based)."""
    matches = sorted(LESSONS_DIR.glob(f"{number:02d}-*/lesson.md"))
    if len(matches) != 1:
        raise FileNotFoundError(f"expected one lessons/{number:02d}-*/lesson.md, found {matches}")
    return matches[0]


def run_lesson(path: Path, student: bool = False) -> LessonRun:
    """Execute the lesson at ``path`` offline, once per session; fail on any cell error.

    With ``student=True`` the solutions are replaced by ``raise NotImplementedError()``
    as nbgrader does: exercise and exercise-test cells may then fail, every other cell
    must still run (later cells must not depend on an exercise's answer). A failure is
    cached too, so a broken lesson is executed once, not once per test.
    """
    import pytest  # only when used from tests: the script part below needs no pytest

    outcome = _execute_offline(Path(path).resolve(), bool(student))
    if isinstance(outcome, str):
        pytest.fail(outcome, pytrace=False)
    return outcome


@functools.cache
def _execute_offline(path: Path, student: bool) -> LessonRun | str:
    """A LessonRun, or the failure message (a str), of one offline execution."""
    run_offline = _conftest().run_offline
    artifacts = REPO / "test-artifacts" / "lessons"
    artifacts.mkdir(parents=True, exist_ok=True)
    executed = artifacts / f"{path.parent.name}{'-student' if student else ''}.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        args = [sys.executable, str(Path(__file__).resolve()), str(path)]
        args += [str(result_file), str(executed)] + (["--student"] if student else [])
        started = time.perf_counter()
        environment = _kernel_environment(Path(tmp) / "vo-cache")
        process = run_offline(args, timeout=LESSON_TIMEOUT + 60, env=environment)
        wall = time.perf_counter() - started
        if process.returncode != 0 or not result_file.exists():
            return (
                f"lesson {path.parent.name} failed offline (exit {process.returncode}):\n"
                f"{process.stdout[-6000:]}\n{process.stderr[-6000:]}"
            )
        result = json.loads(result_file.read_text())
    return LessonRun(
        path=path,
        values=result["values"],
        seconds=result.get("seconds", wall),
        cell_seconds=result["cell_seconds"],
        figures_without_alt=result["figures_without_alt"],
        notebook=executed,
    )


def execute_lesson(path: Path, names: list[str]) -> dict:
    """Execute (cached) the lesson at ``path`` offline and return the named variables."""
    return run_lesson(Path(path).resolve()).get(list(names))


def prose_text(path: Path) -> str:
    """The markdown (prose) cells of a lesson, joined, as the learner reads them."""
    from astrolearn.notebooks import read_myst

    notebook = read_myst(path)
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def prose_number(path: Path, pattern: str) -> float:
    """The number a lesson's prose states, found by a regex with one capturing group.

    The pattern must match exactly once, so a test cannot silently check the wrong
    sentence. Thousands separators (``1,234``) and a leading ``~`` are allowed.
    """
    text = prose_text(path)
    matches = re.findall(pattern, text)
    if len(matches) != 1:
        raise AssertionError(
            f"{Path(path).parent.name}: pattern {pattern!r} matched {len(matches)} times "
            "in the prose (expected exactly once)"
        )
    return float(str(matches[0]).replace(",", "").lstrip("~"))


def _kernel_environment(vo_cache: Path) -> dict:
    """The environment of the lesson's kernel: ours, one OpenMP thread, an empty VO cache.

    The VO cache (``~/.cache/astrolearn/vo``) is shared with every other use of the
    package: an earlier run *with* a network or a mirror would answer the lesson's
    queries from there, and the test would not exercise the offline fallback it claims to.

    On a shared 2-core machine (CI, Binder) OpenMP threads of scikit-learn's KMeans or
    GaussianMixture spin against other processes: measured here, 28 s instead of 0.6 s
    for lesson 5's model-selection cell. One thread keeps the tests' timing honest;
    ``benchmarks/bench_lessons.py`` measures with the caller's own setting.
    """
    import os

    environment = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment.setdefault(name, "1")
    environment["ASTROLEARN_CACHE_DIR"] = str(vo_cache)
    return environment


def _conftest():
    """tests/conftest.py as a module (the one pytest imported, or loaded by path)."""
    import importlib.util

    conftest_file = REPO / "tests" / "conftest.py"
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == str(conftest_file):
            return module
    spec = importlib.util.spec_from_file_location("astrolearn_tests_conftest", conftest_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------
# The script part: runs inside the network namespace. Imports only the converter and nbclient.


_SOLUTION = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.S)


def _strip_solutions(notebook) -> None:
    """Turn the notebook into the student version, as nbgrader's generate step does."""
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if cell.cell_type != "code" or not {"exercise", "exercise-test"} & set(tags):
            continue
        cell.source = _SOLUTION.sub("# YOUR CODE HERE\nraise NotImplementedError()", cell.source)
        tags.append("raises-exception")  # nbclient lets these cells fail


def _execute(source: Path, result_file: Path, executed_file: Path | None, student: bool) -> int:
    import nbformat
    from astrolearn.notebooks import read_myst
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = read_myst(source)
    if student:
        _strip_solutions(notebook)
    collect = _COLLECT_CELL.replace("{out!r}", repr(str(result_file)))
    notebook.cells.append(nbformat.v4.new_code_cell(collect))
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
        record_timing=True,
    )
    started = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        print(f"cell error in {source.parent.name}:\n{error}", file=sys.stderr)
        if result_file.exists():
            result_file.unlink()
        return 1
    seconds = time.perf_counter() - started
    notebook.cells.pop()  # the collector cell is not part of the lesson
    if executed_file is not None:
        nbformat.write(notebook, executed_file)
    values = json.loads(result_file.read_text())
    result = {
        "values": values,
        "seconds": seconds,
        "cell_seconds": [_cell_seconds(cell) for cell in notebook.cells],
        "figures_without_alt": _figures_without_alt(notebook),
    }
    result_file.write_text(json.dumps(result))
    return 0


def _cell_seconds(cell) -> float:
    from datetime import datetime

    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if cell.cell_type != "code" or not start or not end:
        return 0.0
    parse = datetime.fromisoformat
    elapsed = parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))
    return elapsed.total_seconds()


def _figures_without_alt(notebook) -> list[int]:
    """Indices of code cells that draw an image but give no alt text (myst-nb metadata)."""
    missing = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        has_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        alt = mystnb.get("image", {}).get("alt") or mystnb.get("figure", {}).get("caption")
        if has_image and not alt:
            missing.append(index)
    return missing


if __name__ == "__main__":
    _source, _result = Path(sys.argv[1]), Path(sys.argv[2])
    _executed = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    sys.exit(_execute(_source, _result, _executed, "--student" in sys.argv[4:]))
