"""nbgrader's Execute, with every test cell checked outside the learner's kernel.

``TrustedExecute`` runs a submission's cells in the (sandboxed) grading kernel as
nbgrader does, except its autograded test cells. Those never reach the learner's
kernel; for each one:

1. the learner's kernel is asked, through ``user_expressions``, for the answers the
   test reads (the names the instructor's solution cells bind), as JSON
   (``astrolearn.grading.answers.export``);
2. a second, *reference* kernel, which has run only the instructor's notebook from
   ``source/`` up to that test cell (solutions included), runs the test cell with
   those answers in place of its own (``answers.check``);
3. the reference kernel's outputs become the test cell's outputs, which nbgrader then
   scores as usual (an error means no points).

So the checks, numpy and the setup variables a hidden test uses are the instructor's,
whatever the submission did to its own kernel. The reference kernel starts in a fresh
private folder with this Python, and never runs anything from the submission.

What the checker sees is appended to ``reports/<assignment>-checks.jsonl`` (one line per
student and test cell: answers it could not read, answers it could not get at all),
for the grading table.

Used from ``course/nbgrader_config.py``::

    c.Autograde.autograde_preprocessors = ["astrolearn.grading.trusted.TrustedExecute", ...]
"""

from __future__ import annotations

import ast
import asyncio
import collections
import concurrent.futures
import contextlib
import copy
import functools
import json
import os
import re
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import nbformat
import zmq
import zmq.asyncio
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_core.utils import ensure_event_loop, run_sync
from nbclient import NotebookClient
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Integer

from .. import processes
from . import sandbox
from .answers import MAX_BYTES

REFERENCE_KERNEL = "astrolearn-reference"
_ANSWERS = '__import__("astrolearn.grading.answers", fromlist=["answers"])'
_EXPORT = _ANSWERS + ".export_payload({names!r}, globals())"
_CHECK = _ANSWERS + ".check({source!r}, {text!r}, globals(), {names!r})"
_MAGIC = re.compile(r"^\s*[%!].*$", re.MULTILINE)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded code that is not a learner's answer."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def _parse(source: str) -> ast.Module:
    return ast.parse(_MAGIC.sub("", source))


def bound_names(source: str) -> set[str]:
    """Names a cell's code binds (assignments, loops, imports, definitions).

    Examples
    --------
    >>> sorted(bound_names("import numpy as np\\nx, y = 1, 2\\ndef f(): z = 3"))
    ['f', 'np', 'x', 'y', 'z']
    """
    names = set()
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def read_names(source: str) -> set[str]:
    """Names a cell's code reads."""
    return {
        node.id
        for node in ast.walk(_parse(source))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


class Reference:
    """The instructor's notebook, run cell by cell in a kernel of its own.

    The reference kernel runs ahead: a worker thread, which owns the kernel and its
    client, runs the instructor's cells up to the next test cell the learner's notebook
    reaches while the learner's kernel runs the cells before it, and a check waits only
    for what is left. A thread (rather than tasks on nbclient's event loop) because that
    loop runs only while the learner's client waits for its kernel, and a thread of its
    own is stopped and joined in one place. The thread runs one job at a time, in the
    order given, so the reference kernel runs the same cells, in the same order, as it
    would if each check waited for all of them.

    ``order`` is the learner's test cells (grade ids) in the order the learner's notebook
    reaches them.
    """

    def __init__(
        self, notebook: nbformat.NotebookNode, order: list[str], timeout: int | None, log
    ) -> None:
        self.notebook = notebook
        self.answer_names = set()
        for cell in notebook.cells:
            if cell.cell_type == "code" and is_solution(cell):
                self.answer_names |= bound_names(cell.source)
        self.tests = {grade_id(c): i for i, c in enumerate(notebook.cells) if is_test_cell(c)}
        self._upcoming = collections.deque(test for test in order if test in self.tests)
        self.next_cell = 0
        self._stack = contextlib.ExitStack()
        self._folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory()))
        self.client = NotebookClient(
            copy.deepcopy(notebook),  # execute_cell puts each cell it runs into its notebook
            timeout=timeout,
            allow_errors=True,
            interrupt_on_timeout=True,
            resources={"metadata": {"path": str(self._folder)}},
            log=log,
        )
        self._kernel = None
        self._connected = False
        self._closing = threading.Event()
        self._worker = concurrent.futures.ThreadPoolExecutor(1, "reference")
        try:
            # Started now (it starts while the learner's kernel does), then run ahead.
            self._submit(self._start).result()
            self._ahead = self._run_ahead()
        except BaseException:
            self.close()
            raise

    def names_for(self, test: str) -> list[str]:
        """The learner's answers the test cell ``test`` reads, sorted."""
        source = self.notebook.cells[self.tests[test]].source
        return sorted(read_names(source) & self.answer_names)

    def check(self, test: str, answers: str, names: list[str]) -> list:
        """Outputs of test cell ``test`` run on the learner's ``answers``.

        The reference runs every cell before it first, test cells included (a test cell
        may import what later ones use), and the test cell itself after, on its own
        answers, so that its state stays the one the notebook's author saw. Then it runs
        ahead to the next test cell.
        """
        if self._upcoming and self._upcoming[0] == test:
            self._upcoming.popleft()
        else:  # not in the learner's order: run nothing ahead past what it asks for
            self._upcoming.clear()
        self._ahead.result()  # an error there is this check's, as if run now
        outputs = self._submit(self._check, test, answers, names).result()
        self._ahead = self._run_ahead()
        return outputs

    def _run_ahead(self) -> concurrent.futures.Future:
        """Have the cells before the learner's next test cell run (or just connect)."""
        return self._submit(self._run_to, self.tests[self._upcoming[0]] if self._upcoming else 0)

    def _submit(self, job, *args) -> concurrent.futures.Future:
        self._last = self._worker.submit(job, *args)
        return self._last

    # Run by the worker thread only.

    def _start(self) -> None:
        # Set after the client's __init__, so that the client still owns (and shuts
        # down) the kernel; made here, so that its event loop is this thread's.
        self.client.km = self._kernel = AsyncKernelManager(
            kernel_name=REFERENCE_KERNEL,
            kernel_spec_manager=_reference_specs(self._folder / "kernels"),
        )
        self.client.start_new_kernel()
        self._stack.callback(_stop, self._kernel)

    def _check(self, test: str, answers: str, names: list[str]) -> list:
        index = self.tests[test]
        self._run_to(index)
        source = self.notebook.cells[index].source
        probe = nbformat.v4.new_code_cell(_CHECK.format(source=source, text=answers, names=names))
        outputs = self.client.execute_cell(probe, index, store_history=False).outputs
        if self.next_cell <= index:  # not when the learner moved this test after a later one
            self._run(index)
            self.next_cell = index + 1
        return outputs

    def _run_to(self, index: int) -> None:
        """Connect on first use, then run the cells from ``next_cell`` to ``index``."""
        if not self._connected:
            self._stack.enter_context(self.client.setup_kernel())
            self._connected = True
        while self.next_cell < index and not self._closing.is_set():
            self._run(self.next_cell)
            self.next_cell += 1

    def _run(self, index: int) -> None:
        cell = self.notebook.cells[index]
        if cell.cell_type == "code":
            self.client.execute_cell(cell, index, store_history=False)

    def _finish(self) -> None:
        try:
            self._stack.close()
        finally:
            _close_loop()

    def close(self) -> None:
        """Stop the reference kernel, even in the middle of a cell, and the thread."""
        self._closing.set()
        pid = getattr(getattr(self._kernel, "provisioner", None), "pid", None)
        if pid and not self._last.done():  # the cell it runs could take its whole timeout
            processes.kill_tree(pid)
        try:
            self._worker.submit(self._finish).result()
        finally:
            self._worker.shutdown()


def _close_loop() -> None:
    """Close this thread's event loop, once what nbclient left on it has ended."""
    loop = ensure_event_loop()
    left = asyncio.all_tasks(loop)
    for task in left:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    loop.close()


def _stop(km: AsyncKernelManager) -> None:
    """Shut the kernel down if nothing did (a notebook that never reached a test)."""
    if km.has_kernel:
        run_sync(km.shutdown_kernel)(now=True)


def _reference_specs(folder: Path) -> KernelSpecManager:
    """Kernel specs holding only the reference kernel: this Python's plain ipykernel."""
    spec = folder / REFERENCE_KERNEL / "kernel.json"
    spec.parent.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.write_text(json.dumps({"argv": argv, "display_name": "reference", "language": "python"}))
    return KernelSpecManager(kernel_dirs=[str(folder)], ensure_native_kernel=False)


#: Largest message nbgrader takes from a grading kernel: one print of gigabytes must not
#: fill the grader's memory (ZeroMQ drops the message and the connection restarts).
MAX_MESSAGE_BYTES = 64 * 2**20


@functools.cache
def _bounded_context() -> zmq.asyncio.Context:
    """One ZeroMQ context for every grading client (each would start its own I/O thread)."""
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    return context


class BoundedKernelManager(AsyncKernelManager):
    """A kernel manager whose clients refuse messages over ``MAX_MESSAGE_BYTES``."""

    def client(self, **kwargs):
        return super().client(context=_bounded_context(), **kwargs)


class TrustedExecute(Execute):
    """Execute a submission; check its test cells in the reference kernel."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", BoundedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        source = (
            Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
            / f"{info['notebook']}.ipynb"
        )
        sandbox.verify_kernel()  # before every submission: nothing changed the kernelspec
        if not source.is_file():
            raise FileNotFoundError(
                f"{source} is missing: test cells are checked against the instructor's "
                "notebook (astrolearn grade generate-sources writes it)"
            )
        self._findings, self._output_bytes, self._flooded = [], {}, set()
        order = [grade_id(cell) for cell in nb.cells if is_test_cell(cell)]
        reference = nbformat.read(source, as_version=4)
        self._reference = Reference(reference, order, self.timeout, self.log)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._reference.close()
            _append(
                Path(coursedir.root) / "reports" / f"{info['assignment']}-checks.jsonl",
                [{"student": info["student"], **f} for f in self._findings],
            )

    def create_kernel_manager(self):
        """The kernel's connection file (and, over IPC, its sockets) in the runtime folder,
        which the sandbox lets the kernel write in; jupyter_client would put the file in
        the shared temporary folder and the sockets in nbgrader's working folder."""
        km = super().create_kernel_manager()
        folder = Path(os.environ.get("JUPYTER_RUNTIME_DIR") or jupyter_runtime_dir())
        folder.mkdir(parents=True, exist_ok=True)
        km.connection_file = str(folder / f"kernel-{uuid.uuid4()}.json")
        return km

    # nbgrader fails the whole notebook when a cell's output is still arriving 4 s after
    # it finished (a flood): here no score depends on a submission's own outputs, since
    # test cells run in the reference kernel, so what arrives late is dropped instead.
    raise_on_iopub_timeout = Bool(False).tag(config=True)

    #: Output bytes kept per cell while it runs: a flood must not fill the grader's memory
    #: (LimitOutputSize then cuts what is kept to what a feedback page shows).
    max_output_bytes = Integer(10_000_000).tag(config=True)

    def output(self, outs, msg, display_id, cell_index):
        if cell_index in self._flooded:
            return None
        content = msg.get("content", {})
        data = content.get("data", {}) if isinstance(content.get("data"), dict) else {}
        size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in data.values())
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        self._flooded.add(cell_index)
        if isinstance(content.get("text"), str):  # keep a stream's start, as far as allowed
            content["text"] = content["text"][: self.max_output_bytes - used]
            super().output(outs, msg, display_id, cell_index)
        notice = f"... more output dropped by the grader (over {self.max_output_bytes} bytes)"
        outs.append(nbformat.v4.new_output("stream", name="stdout", text=notice))
        self._findings.append(
            {"cell": f"cell {cell_index}", "kind": "output-limit", "detail": notice.strip(". ")}
        )
        return None

    def preprocess_cell(self, cell, resources, index):
        test = grade_id(cell)
        if not is_test_cell(cell) or test not in self._reference.tests:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if any(out.get("ename") == "MemoryError" for out in cell.get("outputs", [])):
                self._findings.append(
                    {"cell": f"cell {index}", "kind": "memory-limit", "detail": "memory limit hit"}
                )
            stopped = _stop_copies(self.km)
            if stopped:
                detail = f"process limit hit: {stopped} processes it started were stopped"
                self._findings.append(
                    {"cell": f"cell {index}", "kind": "process-limit", "detail": detail}
                )
            return cell, resources
        names = self._reference.names_for(test)
        answers = self._answers(test, names)
        cell.outputs = self._reference.check(test, answers, names)
        cell.execution_count = None
        return cell, self.resources

    def _answers(self, test: str, names: list[str]) -> str:
        """The learner's ``names`` as JSON text from its kernel (untrusted, bounded)."""
        if not names:
            return "{}"
        expression = _EXPORT.format(names=names)
        msg_id = self.kc.execute(
            "", silent=True, store_history=False, user_expressions={"answers": expression}
        )
        reply = self.wait_for_reply(msg_id)
        text = _dig(reply, "content", "user_expressions", "answers", "data", "application/json")
        text = _dig(text, "answers")
        if not isinstance(text, str) or len(text) > MAX_BYTES:
            why = "no reply" if reply is None else "no readable answers"
            self._findings.append({"cell": test, "kind": "answers-not-read", "detail": why})
            return ""
        self._note_unreadable(test, text)
        return text

    def _note_unreadable(self, test: str, text: str) -> None:
        with contextlib.suppress(ValueError, RecursionError, AttributeError):
            for name, item in json.loads(text).items():
                if isinstance(item, dict) and "unreadable" in item:
                    detail = f"{name} is a {str(item['unreadable'])[:80]}"
                    self._findings.append(
                        {"cell": test, "kind": "unreadable-answer", "detail": detail}
                    )


#: Processes and threads a submission's kernel may keep after a cell: more is a fork bomb
#: held at the sandbox's process limit, whose copies would take the CPU from the rest of
#: the notebook. No exercise needs a tenth of it.
KEPT_TASKS = sandbox.Limits().processes // 2


def _stop_copies(km) -> int:
    """Kill the processes below the learner's kernel when, with it, they hold over
    ``KEPT_TASKS`` threads; the number killed.

    The sandboxed kernel is the child of the sandbox's process (``unshare``) and the init
    of its PID namespace: every process it starts stays below it, orphans included.
    Run after every cell: a kernel that started nothing costs a read or two of /proc.
    """
    import psutil

    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    kernel = pid
    if pid and sandbox.HASH_VARIABLE in os.environ:
        kernel = next(iter(_child_pids(pid)), None)
    if not kernel or not _child_pids(kernel):
        return 0
    try:
        kernel = psutil.Process(kernel)
        tree = [kernel, *kernel.children(recursive=True)]
    except psutil.Error:
        return 0
    if sum(_threads(process) for process in tree) <= KEPT_TASKS:
        return 0
    killed: set[int] = set()
    for _ in range(20):  # each round kills those a copy started before it was killed
        below = [p for p in _children(kernel) if p.pid not in killed]
        if not below:
            break
        for process in below:
            with contextlib.suppress(psutil.Error):
                process.kill()
            killed.add(process.pid)
    return len(killed)


def _child_pids(pid: int) -> list[int]:
    """The children of process ``pid`` (of every thread of it), from /proc."""
    found: list[int] = []
    with contextlib.suppress(OSError, ValueError):  # ended meanwhile
        for task in os.listdir(f"/proc/{pid}/task"):
            found += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    return found


def _children(process) -> list:
    import psutil

    try:
        return [p for p in process.children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
    except psutil.Error:
        return []


def _threads(process) -> int:
    import psutil

    try:
        return process.num_threads()
    except psutil.Error:
        return 0


def _dig(message, *keys):
    """``message[key][...]``, or None where the (untrusted) message has no such entry."""
    for key in keys:
        if not isinstance(message, dict):
            return None
        message = message.get(key)
    return message


def _append(path: Path, rows: list[dict]) -> None:
    if rows:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as stream:
            stream.writelines(json.dumps(row) + "\n" for row in rows)
