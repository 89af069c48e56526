"""App kernels forked from a warm parent, so that visitors share what every kernel imports.

Each visitor's kernel imports the same stack (ipykernel, numpy, astropy, scikit-learn,
bqplot, ipywidgets, astrolearn's widgets) and reads the same data: 150-200 MB that a
started kernel keeps private. Here one process, the *fork server*, imports that stack
and holds the apps' data once, freezes its objects out of the garbage collector
(``gc.freeze``: a collection would otherwise write to every object and copy its page)
and forks a kernel on request. A forked
kernel shares those pages with the fork server and every other kernel until it
writes to them (copy-on-write), so each visitor costs only what its app adds.

Three parts:

* ``serve_forks``, the fork server's loop (``python -m astrolearn.kernel_fork``): it
  answers only the server process that started it (its pid and uid, read from the
  socket: ``SO_PEERCRED``), forks only while it runs one thread, reaps its children,
  and ends its kernels and itself when the server is gone.
* ``ForkServer``, the server's handle on it: it starts the fork server on a listening
  socket in a private (0700) folder, asks it for kernels, and starts a new one if it
  died.
* ``ForkProvisioner``, a jupyter_client kernel provisioner (entry point
  ``astrolearn-fork``) that launches a kernel through the fork server, and the stock
  way when the fork server cannot (the visitor is served either way).

The server watches a forked kernel, which is the fork server's child and not its own,
through a pidfd that the fork server sends along with the answer (``os.pidfd_open``:
signals and the end of the process, with no pid reused by mistake).
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

#: What the fork server imports before it forks: the kernel itself, with what it
#: imports as it starts (its debugger, its history database), and everything the apps
#: import at their start (apps/*.md), with the readers of their data and pictures.
WARM_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.comm",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "sqlite3",
    "pyarrow.parquet",
    "astropy.io.misc.parquet",
    "PIL.Image",
    "PIL.PngImagePlugin",
    "numpy",
    "astropy.coordinates",
    "astropy.table",
    "astropy.units",
    "sklearn.preprocessing",
    "sklearn.tree",
    "sklearn.neural_network",
    "bqplot",
    "ipywidgets",
    "astrolearn.data",
    "astrolearn.vo",
    "astrolearn.ml.boundary",
    "astrolearn.ml.features",
    "astrolearn.ml.networks",
    "astrolearn.ml.transients",
    "astrolearn.ui.page",
    "astrolearn.ui.palette",
    "astrolearn.ui.points",
    "astrolearn.ui.sky_bands",
)
#: The bundled datasets the apps load (apps/*.md), which the fork server holds before
#: it forks: a kernel's ``data.load`` then copies them from memory every kernel shares,
#: instead of reading a Parquet file, which added 40 MB to each visitor's kernel (the
#: reader's code and buffers). Another process reads them: pyarrow's reader starts
#: thread pools, and the fork server must keep a single thread.
APP_DATASETS = (
    "gaia_100pc",
    "gaia_ngc188",
    "sdss_dr17",
    "sdss_quasars",
    "sdss_star_quasar",
    "ztf_snia_lightcurves",
    "ztf_snia_metadata",
)
_READ_DATASETS = (
    "import pickle, sys\n"
    "from astrolearn import data\n"
    "tables = {name: data.load(name) for name in sys.argv[1:]}\n"
    "sys.stdout.buffer.write(pickle.dumps(tables))\n"
)
#: Seconds the server waits for a kernel from the fork server. The first request
#: waits while the fork server imports the stack (a few seconds; more on a busy machine).
FORK_LIMIT = 120
#: Largest request the fork server reads (a command line, an environment, a folder).
MAX_REQUEST_BYTES = 1 << 20
#: Seconds between the fork server's checks that the server is still there.
PARENT_CHECK = 1.0
#: Set in the fork server's environment and its kernels', beside the server's. pyarrow
#: (which scikit-learn's import brings) starts a jemalloc thread on import unless told
#: not to, and the fork server must stay single-threaded; its system allocator keeps
#: about 10 MB less of a kernel's memory than its default (mimalloc) after an app reads
#: its data. ipykernel reads its parent's pid on import: a forked kernel's parent is
#: the fork server, not the server, and with 1 (init) ipykernel neither watches its
#: parent nor prints a connection banner (each kernel watches the server itself:
#: ``_end_with``). The thread pools of OpenMP and BLAS start with numpy's import: one
#: thread each, whatever the operator's environment says, or no fork would be safe
#: and every kernel would start the stock way, at twice the memory the cap budgets.
#: glibc's allocator serves blocks of 128 KiB and more (numpy's arrays) from mappings of
#: their own, returned when freed; by default it raises that bound as such blocks are
#: freed, and a kernel then keeps its freed arrays' memory: 20 MB per kernel once an app
#: has drawn (benchmarks/bench_memory.py). A fixed bound keeps it at 128 KiB.
FORK_SERVER_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(128 << 10),
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
    "ARROW_DEFAULT_MEMORY_POOL": "system",
    "JPY_PARENT_PID": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
#: Room kept in the fork server's command line for a kernel's (see ``_retitle``).
TITLE_ROOM = 1024
#: The command line jupyter_client gives a Python kernel, the only one forked.
KERNEL_MODULE = "ipykernel_launcher"

_log = logging.getLogger("astrolearn.kernel_fork")


def threads() -> int:
    """Threads of this process (a fork copies only the calling one; the others' locks
    would stay held in the child for ever)."""
    return len(os.listdir("/proc/self/task"))


def _peer(connection: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a Unix socket."""
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", raw)
    return pid, uid


def _read_request(connection: socket.socket) -> dict:
    """The JSON request on ``connection``, read to its end (the client shuts its side)."""
    chunks, size = [], 0
    while chunk := connection.recv(65536):
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise ValueError("request too large")
        chunks.append(chunk)
    request = json.loads(b"".join(chunks))
    argv, env, cwd = request["argv"], request["env"], request["cwd"]
    if not (
        isinstance(argv, list)
        and all(isinstance(arg, str) for arg in argv)
        and argv[1:3] == ["-m", KERNEL_MODULE]
        and isinstance(env, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
        and isinstance(cwd, str)
    ):
        raise ValueError("not a Python kernel's command")
    return request


def _retitle(argv: list[str]) -> None:
    """Show ``argv`` as this process's command line (``ps``, ``/proc/PID/cmdline``).

    A forked kernel would otherwise show the fork server's, and the tools that tell
    kernels by their command line (with ``ipykernel_launcher`` and the kernel's id in
    it) would miss it. The text goes where the fork server's command line is, which
    has ``TITLE_ROOM`` spare bytes; its last byte stays non-zero, which tells Linux to
    read it up to the first zero byte (as ``setproctitle`` does).
    """
    import ctypes

    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (proc(5))
    title = " ".join(argv).encode()[: end - start - 2] + b"\0"
    ctypes.memmove(start, title.ljust(end - start, b" "), end - start)


def _run_kernel(request: dict, start_signals: dict, server_pid: int) -> int:
    """In the forked child: become the kernel jupyter asked for; its exit status."""
    import numpy

    _end_with(server_pid)

    for number, handler in start_signals.items():
        signal.signal(number, handler)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # ``python -m`` puts the working folder first on the path.
    sys.path[0] = request["cwd"]
    # Python's ``random`` reseeds itself at a fork; numpy's global generator does not,
    # and two visitors must not draw the same numbers.
    numpy.random.seed()
    sys.argv = [KERNEL_MODULE, *request["argv"][3:]]
    _retitle(request["argv"])
    # What ``python -m ipykernel_launcher`` does, with one step between the kernel's
    # start and its loop (see _register_in_kernel).
    from ipykernel.kernelapp import IPKernelApp

    kernel = IPKernelApp.instance()
    try:
        kernel.initialize(request["argv"][3:])
        _register_in_kernel()
        kernel.start()
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (done.code is not None)
    return 0


def _end_with(server_pid: int) -> None:
    """End this kernel when the server ends, even if its fork server died before.

    A kernel outlives a fork server that died (its visitor keeps the page), and is then
    nobody's child: without this, a server that is killed would leave it running.
    """
    server = os.pidfd_open(server_pid)  # fails if the server is gone already

    def watch() -> None:
        _ended(server, None)
        os._exit(1)

    threading.Thread(target=watch, name="astrolearn-server-watch", daemon=True).start()


def _ended(pidfd: int, timeout_ms: int | None) -> bool:
    """True once the process of ``pidfd`` has ended, waiting up to ``timeout_ms``.

    poll(2), not select(2): a busy server's descriptors pass 1024, select's limit.
    """
    watch = select.poll()
    watch.register(pidfd, select.POLLIN)
    return bool(watch.poll(timeout_ms))


def _register_in_kernel() -> None:
    """What modules do on import only inside a kernel, done now that there is one.

    The fork server imported them before any kernel existed: ipywidgets registers its
    comm targets (the widgets' channel to the browser) on import only in a kernel.
    """
    import ipywidgets

    ipywidgets.register_comm_target()


def _fork(
    request: dict, listener: socket.socket, connection: socket.socket, start_signals, server_pid
) -> int:
    """Fork a kernel for ``request``; its pid once it has its own session."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            # Kernels never reach the fork server: its sockets are closed in them.
            listener.close()
            connection.close()
            os.close(ready_read)
            os.setsid()  # its own process group, which the server signals as a whole
            os.close(ready_write)
            code = _run_kernel(request, start_signals, server_pid)
        except BaseException:
            traceback.print_exc()
        finally:
            # Not sys.exit: the exit handlers here were registered by the fork server's
            # imports, for its objects (weakref finalizers of its temporary files, say),
            # which it and the other kernels still use. Nothing of a kernel is saved at
            # exit: its visitor's work lives in the page.
            os._exit(code)
    os.close(ready_write)
    os.read(ready_read, 1)  # end of file once the child has its session (or died)
    os.close(ready_read)
    return pid


def serve_forks(listener: socket.socket, server_pid: int) -> None:
    """The fork server's loop: fork a kernel for each request of ``server_pid``.

    Returns when the server is gone, after ending the kernels it forked at once (each
    also watches the server itself, for when this process has died first).
    """
    # Read while this process imports the stack (each takes seconds on a busy machine).
    reader = subprocess.Popen(
        [sys.executable, "-c", _READ_DATASETS, *APP_DATASETS],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    for name in WARM_MODULES:
        __import__(name)
    _keep_datasets(reader)
    gc.collect()
    gc.freeze()
    start_signals = {
        number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)
    }
    # A Ctrl-C in the server's terminal is the server's to handle, not the fork server's;
    # a stop (the server's, at its exit) ends its kernels too.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    listener.settimeout(PARENT_CHECK)
    children: set[int] = set()
    try:
        while os.getppid() == server_pid:
            _reap(children)
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                _answer(connection, server_pid, listener, children, start_signals)
    finally:
        for pid in list(children):
            _end(pid, children)


def _keep_datasets(reader: subprocess.Popen) -> None:
    """Hold the tables ``reader`` read (our own child, running our own code)."""
    import pickle

    from astrolearn.data import catalog

    try:
        tables, _ = reader.communicate(timeout=FORK_LIMIT)
        if reader.returncode != 0:
            raise ChildProcessError(f"exit status {reader.returncode}")
        catalog.keep(pickle.loads(tables))
    except Exception as error:  # each kernel then reads its data, as a stock one does
        reader.kill()
        reader.wait()
        _log.warning("the apps' datasets were not read ahead: %s", error)


def _stop(number: int, frame) -> None:
    raise SystemExit(0)


def _answer(connection, server_pid: int, listener, children: set[int], start_signals) -> None:
    """Fork a kernel if ``connection`` comes from the server and asks for one."""
    connection.settimeout(PARENT_CHECK * 10)
    if _peer(connection) != (server_pid, os.getuid()):
        return  # anyone else gets no answer
    pid = None
    try:
        request = _read_request(connection)
        if threads() != 1:
            raise RuntimeError(f"{threads()} threads: a fork is not safe")
        pid = _fork(request, listener, connection, start_signals, server_pid)
        children.add(pid)
        pidfd = os.pidfd_open(pid)
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as error:
        if pid is not None:  # forked, but it cannot be handed over
            _end(pid, children)
        _send(connection, {"error": f"{type(error).__name__}: {error}"})
        return
    try:
        if not _send(connection, {"pid": pid}, pidfd):
            # The server stopped waiting and starts this kernel the stock way, on the
            # same ports: this one must not hold them.
            _end(pid, children)
            _log.warning("kernel %s ended: the server stopped waiting for it", pid)
    finally:
        os.close(pidfd)


def _send(connection: socket.socket, answer: dict, fd: int | None = None) -> bool:
    """Send ``answer`` (and ``fd``) to the server; False if it stopped waiting."""
    try:
        socket.send_fds(connection, [json.dumps(answer).encode()], [] if fd is None else [fd])
    except OSError:
        return False
    return True


def _end(pid: int, children: set[int]) -> None:
    """Kill the kernel ``pid`` (its whole session) and reap it."""
    with contextlib.suppress(OSError):  # ended already
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    children.discard(pid)


def _reap(children: set[int]) -> None:
    """Collect the kernels that ended (no zombies)."""
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


class ForkedKernel:
    """A forked kernel as jupyter_client's ``LocalProvisioner`` uses a ``Popen``.

    It is the fork server's child, which reaps it: its exit status is not known here,
    and an ended kernel reports -1.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid, self.pidfd = pid, pidfd
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """None while the kernel runs, else -1 (see the class)."""
        if self.returncode is None and _ended(self.pidfd, 0):
            self.returncode = -1
            os.close(self.pidfd)
        return self.returncode

    def wait(self) -> int | None:
        if self.returncode is None:
            _ended(self.pidfd, None)
        return self.poll()

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self.pidfd, number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkServer:
    """The server's fork server: started on first use, started again if it died."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="astrolearn-fork-"))  # mode 0700
        self.path = self.folder / "control"
        self.process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the fork server on a socket that listens before it runs: the first
        requests wait in the socket's queue while it imports, instead of failing."""
        self.path.unlink(missing_ok=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(str(self.path))
            listener.listen(64)
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    __name__,
                    str(listener.fileno()),
                    str(os.getpid()),
                    " " * TITLE_ROOM,
                ],
                pass_fds=[listener.fileno()],
                stdin=subprocess.DEVNULL,
                env={**os.environ, **FORK_SERVER_ENV},
                # ``python -m`` puts its folder first on the import path: a private one,
                # not the operator's (a stray json.py there would reach every kernel).
                cwd=self.folder,
                # Its own session: a Ctrl-C in the terminal goes to the server, which
                # shuts the kernels down; the fork server follows when the server ends.
                start_new_session=True,
            )

    def stop(self) -> None:
        """Stop the fork server, which ends the kernels it forked."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=PARENT_CHECK * 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> ForkedKernel | None:
        """A kernel forked with this command, environment and folder; None if the fork
        server cannot give one (a new fork server is then started for the next one)."""
        with self._lock:
            if self.process is None:
                self.start()
            elif self.process.poll() is not None:
                _log.warning(
                    "kernel fork server ended (status %s); starting a new one; this kernel "
                    "starts the stock way",
                    self.process.returncode,
                )
                self.start()
                return None
            process = self.process  # the one asked; another may replace it meanwhile
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(FORK_LIMIT)
                client.connect(str(self.path))
                client.sendall(request)
                client.shutdown(socket.SHUT_WR)
                message, fds, _flags, _address = socket.recv_fds(client, 65536, 1)
        except OSError as error:
            _log.warning("kernel fork server did not answer (%s); the stock way", error)
            if process.poll() is None:
                process.kill()  # hung: the next request starts a new one
            return None
        answer = json.loads(message or b"{}")
        if "pid" not in answer or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            _log.warning("kernel fork server refused (%s); the stock way", answer.get("error"))
            return None
        return ForkedKernel(answer["pid"], fds[0])


_server: ForkServer | None = None


def fork_server() -> ForkServer:
    """This process's fork server (one per server process), stopped at exit."""
    global _server
    if _server is None:
        import atexit

        _server = ForkServer()
        atexit.register(_server.stop)
    return _server


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching Python kernels by a fork."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        """Fork the kernel from the fork server; the stock launch if that fails."""
        import asyncio

        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        env.update(FORK_SERVER_ENV)
        kernel = None
        if cmd[1:3] == ["-m", KERNEL_MODULE] and cmd[0] == sys.executable:
            kernel = await asyncio.to_thread(fork_server().fork, cmd, env, cwd)
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process, self.pid, self.pgid, self.cwd = kernel, kernel.pid, kernel.pid, cwd
        return self.connection_info


def main() -> None:
    """``python -m astrolearn.kernel_fork LISTENER_FD SERVER_PID``: the fork server."""
    listener = socket.socket(fileno=int(sys.argv[1]))
    serve_forks(listener, int(sys.argv[2]))


if __name__ == "__main__":
    main()
