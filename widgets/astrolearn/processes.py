"""Child processes that end with the command that started them.

A command that runs a long child (the book's builder, nbgrader) must not leave it
behind when it is stopped: Jupyter kernels run in sessions of their own (jupyter_client
starts them so), out of reach of a signal to the child's process group, so the whole
tree is found and killed. Only the standard library is imported at module level;
psutil (a dependency of ipykernel) when a tree is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator

__all__ = ["kill_tree", "stopped_with"]

#: The signals a service manager, a job's timeout or Ctrl-C stop a command with.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def kill_tree(pid: int) -> None:
    """Kill a process and every process below it; those already gone are skipped."""
    import psutil

    try:
        top = psutil.Process(pid)
        # Listed before any is killed: an orphaned kernel is no longer anyone's child.
        processes = [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


@contextlib.contextmanager
def stopped_with(child: subprocess.Popen) -> Iterator[None]:
    """While in the block, SIGTERM or SIGINT kill ``child``'s tree, then this process.

    This process then ends as killed by that signal (a shell reports 128 + its
    number), as a command without children would. Outside the main thread, where
    Python cannot catch signals, nothing is changed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame) -> None:
        # Not child.wait(): the handler may interrupt a wait that holds Popen's lock.
        # Killed, the child is reaped by init once this process has ended.
        kill_tree(child.pid)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
