"""App kernels forked from a warm parent (``astrolearn.kernel_fork``), with real kernels.

Most tests drive jupyter_client's kernel manager with the ``astrolearn-fork``
provisioner in this process, which then plays the server: the fork server is its
child and answers it alone. The last ones run ``astrolearn serve`` itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import textwrap
import time

import psutil
import pytest
from astrolearn import kernel_fork
from astrolearn.kernel_fork import ForkedKernel, fork_server
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory

#: Seconds any one step here may take on a loaded two-core machine.
PATIENCE = 60


@pytest.fixture(scope="module", autouse=True)
def forking():
    """Kernels from the fork provisioner, with the thread settings ``serve`` gives."""
    factory = KernelProvisionerFactory.instance()
    stock = factory.default_provisioner_name
    factory.default_provisioner_name = "astrolearn-fork"
    threads = os.environ.setdefault("OMP_NUM_THREADS", "1")
    yield
    factory.default_provisioner_name = stock
    if threads == "1":
        os.environ.pop("OMP_NUM_THREADS", None)


def in_own_loop(coroutine):
    """``asyncio.run`` in a thread of its own: the browser tests leave a loop running
    in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def until(condition, what: str, timeout: float = PATIENCE) -> None:
    """Wait until ``condition()`` holds, polling; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)


def gone(pid: int) -> bool:
    """The process ended and was reaped (no zombie left)."""
    return not psutil.pid_exists(pid)


async def started(**kwargs) -> tuple[AsyncKernelManager, object]:
    manager = AsyncKernelManager()
    await manager.start_kernel(**kwargs)
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=PATIENCE)
    return manager, client


async def run(client, code: str) -> dict:
    """Run ``code`` in the kernel; the JSON it prints, or the error reply's content."""
    printed: list[str] = []

    def output(message: dict) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = await client.execute_interactive(code, timeout=PATIENCE, output_hook=output)
    if reply["content"]["status"] != "ok":
        return reply["content"]
    return json.loads("".join(printed))


async def stopped(manager: AsyncKernelManager, client) -> None:
    client.stop_channels()
    await manager.shutdown_kernel(now=True)


PROBE = textwrap.dedent(
    """
    import json, os, random, signal, sys, numpy
    def links():  # the listing's own descriptor is gone once listed
        for fd in os.listdir("/proc/self/fd"):
            try:
                yield os.readlink(f"/proc/self/fd/{fd}")
            except FileNotFoundError:
                pass
    print(json.dumps({
        "pid": os.getpid(), "ppid": os.getppid(), "sid": os.getsid(0),
        "pgid": os.getpgid(0), "cwd": os.getcwd(), "probe": os.environ.get("AL_PROBE"),
        "sigterm_default": signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
        "stdin": os.readlink("/proc/self/fd/0"),
        "fds": list(links()),
        "numpy": numpy.random.random(), "random": random.random(),
    }))
    """
)


def listener_inode(server: psutil.Process) -> str:
    """What the fork server's listening socket is (``socket:[inode]``)."""
    fd = server.cmdline()[3]
    return os.readlink(f"/proc/{server.pid}/fd/{fd}")


def test_forked_kernel_runs_as_jupyter_asked_and_shares_nothing_private(tmp_path):
    async def scenario():
        env = {**os.environ, "AL_PROBE": "asked"}
        one = await started(cwd=str(tmp_path), env=env)
        two = await started(cwd=str(tmp_path), env=env)
        try:
            assert isinstance(one[0].provisioner.process, ForkedKernel)
            # Told apart from other processes as a stock kernel is: by its command line.
            assert "ipykernel_launcher" in psutil.Process(one[0].provisioner.pid).cmdline()
            return [await run(client, PROBE) for _, client in (one, two)]
        finally:
            await stopped(*one)
            await stopped(*two)

    first, second = in_own_loop(scenario())
    server = psutil.Process(fork_server().process.pid)
    assert first["ppid"] == server.pid, "the fork server's child"
    assert first["sid"] == first["pid"] == first["pgid"], "its own session and group"
    assert first["cwd"] == str(tmp_path) and first["probe"] == "asked"
    assert first["sigterm_default"] and first["stdin"] == os.devnull
    # The fork server's socket is closed in the kernel.
    assert listener_inode(server) not in first["fds"]
    assert len(os.listdir(f"/proc/{server.pid}/task")) == 1, "it forks single-threaded"
    # Two visitors never share a random stream.
    assert first["numpy"] != second["numpy"] and first["random"] != second["random"]


def test_interrupt_kill_restart_and_the_fork_server_reaps():
    async def scenario():
        manager, client = await started()
        try:
            first = manager.provisioner.pid
            running = asyncio.create_task(run(client, "import time; time.sleep(120)"))
            await asyncio.sleep(1)  # let the cell start; the interrupt is what ends it
            await manager.interrupt_kernel()
            interrupted = await asyncio.wait_for(running, PATIENCE)
            assert interrupted.get("ename") == "KeyboardInterrupt"
            os.kill(first, signal.SIGKILL)  # the kernel dies as a crash would end it
            await asyncio.wait_for(manager.provisioner.wait(), PATIENCE)
            assert not await manager.is_alive()
            await manager.restart_kernel(now=True)
            assert await manager.is_alive()
            assert isinstance(manager.provisioner.process, ForkedKernel)
            client.stop_channels()
            client = manager.client()
            client.start_channels()
            await client.wait_for_ready(timeout=PATIENCE)
            again = await run(client, "import os, json; print(json.dumps(os.getpid()))")
            return first, again
        finally:
            await stopped(manager, client)

    first, again = in_own_loop(scenario())
    assert again != first
    until(lambda: gone(first), "the killed kernel reaped by the fork server")
    until(lambda: gone(again), "the shut-down kernel reaped by the fork server")


def test_the_fork_server_answers_only_its_server():
    async def scenario():
        manager, client = await started()
        try:
            server = psutil.Process(fork_server().process.pid)
            before = {child.pid for child in server.children()}
            request = {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "/dev/null"],
                "env": {},
                "cwd": "/",
            }
            code = textwrap.dedent(
                f"""
                import json, socket
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(30)
                    s.connect({str(fork_server().path)!r})
                    try:
                        s.sendall({json.dumps(request).encode()!r})
                        s.shutdown(socket.SHUT_WR)
                        got = s.recv(4096).decode()
                    except (BrokenPipeError, ConnectionResetError):  # closed on it
                        got = ""
                    print(json.dumps(got))
                """
            )
            answer = await run(client, code)
            return answer, before, {child.pid for child in server.children()}
        finally:
            await stopped(manager, client)

    answer, before, after = in_own_loop(scenario())
    assert answer == "", "the kernel got no answer"
    assert after <= before, "and nothing was forked for it"
    assert oct(fork_server().folder.stat().st_mode & 0o777) == "0o700"


def test_a_kernel_the_server_stopped_waiting_for_is_ended(tmp_path, capfd):
    """The server gave up on an answer and starts that kernel the stock way, on the same
    ports: the forked one must not live on holding them."""
    forks = kernel_fork.ForkServer()  # its own, so that its log is this test's
    forks.start()
    try:
        request = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")],
            "env": dict(os.environ),
            "cwd": str(tmp_path),
        }
        with socket.socket(socket.AF_UNIX) as asked:
            asked.connect(str(forks.path))
            asked.sendall(json.dumps(request).encode())
            asked.shutdown(socket.SHUT_WR)
        # Closed before the answer: the fork server forks, then cannot hand it over.
        found = re.compile(r"kernel (\d+) ended: the server stopped waiting")
        log = ""
        deadline = time.monotonic() + PATIENCE
        while not found.search(log) and time.monotonic() < deadline:
            time.sleep(0.2)
            log += capfd.readouterr().err
        match = found.search(log)
        assert match, log[-2000:]
        assert gone(int(match[1])), "ended and reaped at once"
        assert not psutil.Process(forks.process.pid).children(), "no kernel left"
    finally:
        forks.stop()


def test_a_dead_fork_server_is_replaced_and_the_next_visitor_served(caplog):
    async def scenario():
        old = await started()
        dead = fork_server().process
        dead.kill()
        dead.wait()
        try:
            assert await old[0].is_alive(), "running kernels outlive their fork server"
            with caplog.at_level(logging.WARNING, logger="astrolearn.kernel_fork"):
                stock = await started()
            assert not isinstance(stock[0].provisioner.process, ForkedKernel)
            await stopped(*stock)
            forked = await started()
            assert isinstance(forked[0].provisioner.process, ForkedKernel)
            assert fork_server().process.pid != dead.pid
            await stopped(*forked)
        finally:
            await stopped(*old)

    in_own_loop(scenario())
    assert [r.message for r in caplog.records if "fork server ended" in r.message]


def ended(pid: int) -> bool:
    """The process ended (reaped, or a zombie: an orphan waits for whoever adopted it)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_kernel_is_watched_through_a_descriptor_above_1023():
    """A busy server holds over a thousand descriptors; select(2) cannot watch those."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= 1500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    sleeper = subprocess.Popen(["sleep", "120"])
    pidfd = os.pidfd_open(sleeper.pid)
    kernel = ForkedKernel(sleeper.pid, os.dup2(pidfd, 1500))
    os.close(pidfd)
    try:
        assert kernel.poll() is None
        kernel.kill()
        assert kernel.wait() == -1
    finally:
        sleeper.kill()
        sleeper.wait()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("end", ["killed", "stopped", "killed after its fork server"])
def test_the_fork_server_ends_its_kernels_with_its_server(tmp_path, end):
    """Killed, the server leaves the fork server to notice; stopping, it tells it. A
    kernel whose fork server died first watches the server itself."""
    script = textwrap.dedent(
        """
        import asyncio, os, sys
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_client.provisioning import KernelProvisionerFactory
        from astrolearn.kernel_fork import fork_server
        KernelProvisionerFactory.instance().default_provisioner_name = "astrolearn-fork"
        async def main():
            manager = AsyncKernelManager()
            await manager.start_kernel()
            print(fork_server().process.pid, manager.provisioner.pid, flush=True)
            sys.stdin.readline()
            fork_server().stop()
        asyncio.run(main())
        """
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        fork, kernel = map(int, server.stdout.readline().split())
        assert psutil.Process(kernel).ppid() == fork
        if end == "killed after its fork server":
            os.kill(fork, signal.SIGKILL)
            until(lambda: psutil.Process(kernel).ppid() != fork, "the kernel orphaned")
            assert not ended(kernel), "a kernel outlives its fork server"
        if end == "stopped":
            server.stdin.write("stop\n")
            server.stdin.flush()
            assert server.wait(timeout=PATIENCE) == 0
            assert gone(fork) and gone(kernel), "both ended and reaped at once"
    finally:
        server.kill()
        server.wait()
    until(lambda: ended(fork) and ended(kernel), "the fork server and its kernel ended")


def test_serve_forks_kernels_and_no_fork_starts_them(app_server, start_server):
    forked = psutil.Process(app_server.process.pid)
    servers = [
        p for p in forked.children(recursive=True) if "astrolearn.kernel_fork" in p.cmdline()
    ]
    assert len(servers) == 1
    kernels = [p for p in servers[0].children() if "ipykernel_launcher" in p.cmdline()]
    assert kernels and len(kernels) == app_server.kernels(), "every pooled kernel is forked"
    assert "MiB each" in app_server.log()

    stock = start_server("--pool-size=1", "--no-fork")
    tree = psutil.Process(stock.process.pid).children(recursive=True)
    assert not [p for p in tree if "astrolearn.kernel_fork" in p.cmdline()]
    assert stock.kernels() >= 1


def test_warm_modules_exist():
    """Every module the fork server imports is installed (a typo would only slow it)."""
    import importlib.util

    assert all(importlib.util.find_spec(name) for name in kernel_fork.WARM_MODULES)


def test_the_fork_server_holds_the_datasets_the_apps_load():
    from astrolearn import content

    pages = content.folder("apps").glob("*.md")
    loaded = {name for page in pages for name in re.findall(LOAD, page.read_text())}
    assert loaded == set(kernel_fork.APP_DATASETS)


LOAD = r"""data\.load\(["']([a-z0-9_]+)["']\)"""
HELD = textwrap.dedent(
    """
    import json, sys
    from astrolearn import data
    from astrolearn.data import catalog
    held = sorted(catalog._TABLES)
    table = data.load("sdss_dr17")
    print(json.dumps({
        "held": held, "rows": len(table), "columns": table.colnames,
        "units": {name: str(table[name].unit) for name in table.colnames},
        "sum": float(table["ra"].sum()), "citation": table.meta["citation"],
        "parquet_read_here": "pyarrow.dataset" in sys.modules,
    }))
    """
)


def test_a_forked_kernel_copies_the_apps_data_from_its_parent():
    async def scenario():
        manager, client = await started()
        try:
            return await run(client, HELD)
        finally:
            await stopped(manager, client)

    found = in_own_loop(scenario())
    assert found["held"] == sorted(kernel_fork.APP_DATASETS)
    assert not found["parquet_read_here"], "the kernel read no Parquet file itself"
    from astrolearn.data import catalog

    read = catalog._read_file("sdss_dr17")  # the file, read here
    assert found["rows"] == len(read) and found["columns"] == read.colnames
    assert found["units"] == {name: str(read[name].unit) for name in read.colnames}
    assert found["sum"] == float(read["ra"].sum()) and found["citation"] == read.meta["citation"]


@pytest.mark.parametrize(
    "reader", ["import sys; sys.exit(3)", "print('not a pickle')", "import time; time.sleep(60)"]
)
def test_a_failed_read_ahead_leaves_each_kernel_to_read_its_data(reader, monkeypatch, caplog):
    from astrolearn.data import catalog

    monkeypatch.setattr(catalog, "_TABLES", {})
    monkeypatch.setattr(kernel_fork, "FORK_LIMIT", 2)
    process = subprocess.Popen([sys.executable, "-c", reader], stdout=subprocess.PIPE)
    with caplog.at_level(logging.WARNING, "astrolearn.kernel_fork"):
        kernel_fork._keep_datasets(process)
    assert process.poll() is not None, "the reader is not left running"
    assert catalog._TABLES == {} and "not read ahead" in caplog.text
