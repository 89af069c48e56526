"""Run the autograding kernel where it cannot read solutions, hidden tests or other work.

During autograding a submission's code runs as the grader, with the course folder
around it: ``source/`` (solutions), ``gradebook.db`` and other students' autograded
notebooks (hidden tests), the lessons (solutions again). A submission could read them
and copy the answers; so could it read the notebook being graded, which nbgrader
writes in the kernel's folder with the hidden tests put back. The grading kernel
therefore starts in new mount and PID namespaces (``unshare``) where those paths and
that notebook are covered by empty read-only mounts, and
with every capability dropped (``setpriv``) so it cannot unmount them. The kernel keeps
its working folder (the submission's own folder) and the network loopback that links it
to nbgrader.

``kernel_env`` writes a ``python3`` kernelspec wrapping ipykernel this way and returns
the ``JUPYTER_PATH`` that makes nbgrader pick it. Where namespaces are not allowed
(some containers) it says so loudly and grading runs unsandboxed. Set
``ASTROLEARN_GRADING_SANDBOX=0`` to turn it off. Linux only; stdlib only.

Examples
--------
>>> env = kernel_env(Path("course"))  # doctest: +SKIP
>>> sorted(env)  # doctest: +SKIP
['JUPYTER_PATH']
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Course paths a submission must not see while it is graded.
COURSE_SECRETS = ("source", "autograded", "submitted", "feedback", "reports", "gradebook.db")
EXCHANGE = Path("/srv/nbgrader/exchange")  # nbgrader's default exchange root


def _unshare_prefix() -> list[str]:
    prefix = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"]
    prefix += ["--propagation", "private"]
    if os.geteuid() != 0:  # an unprivileged user gets its own user namespace
        prefix.insert(1, "--map-root-user")
        prefix.insert(1, "--user")
    return prefix


def _script(hidden: list[Path]) -> str:
    mounts = []
    for path in hidden:
        quoted = shlex.quote(str(path))
        if path.is_dir():
            mounts.append(f"mount -t tmpfs -o ro,size=4k,mode=0 astrolearn-hidden {quoted}")
        elif path.exists():
            mounts.append(f"mount --bind -o ro /dev/null {quoted}")
    # The notebook being graded, in the kernel's folder: nbgrader wrote it there with
    # the hidden tests put back.
    mounts.append(
        'for notebook in ./*.ipynb; do if [ -f "$notebook" ]; then '
        'mount --bind -o ro /dev/null "$notebook"; fi; done'
    )
    drop = "setpriv --no-new-privs --bounding-set=-all --inh-caps=-all --"
    return "set -e; " + "; ".join([*mounts, f'exec {drop} "$@"'])


def wrap(command: list[str], hidden: list[Path]) -> list[str]:
    """The command line that runs ``command`` with ``hidden`` paths covered."""
    return [*_unshare_prefix(), "sh", "-c", _script(hidden), "astrolearn-sandbox", *command]


@functools.cache
def available() -> str:
    """Empty string when the sandbox works here, else the reason it does not."""
    if os.environ.get("ASTROLEARN_GRADING_SANDBOX") == "0":
        return "turned off by ASTROLEARN_GRADING_SANDBOX=0"
    missing = [tool for tool in ("unshare", "setpriv", "mount") if not shutil.which(tool)]
    if missing or not sys.platform.startswith("linux"):
        return f"needs Linux with {', '.join(missing) or 'namespaces'} (util-linux)"
    with tempfile.TemporaryDirectory() as secret:
        probe = wrap(["sh", "-c", f"! ls {shlex.quote(secret)}/x 2>/dev/null"], [Path(secret)])
        Path(secret, "x").touch()
        try:
            result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"unshare failed: {error}"
    return "" if result.returncode == 0 else f"unshare failed: {result.stderr.strip()[:200]}"


def hidden_paths(course: Path, extra: list[Path] = ()) -> list[Path]:
    """The paths covered for a course: its secrets, the lessons, the exchange."""
    paths = [Path(course).resolve() / name for name in COURSE_SECRETS]
    for folder in paths[:-1]:  # nbgrader makes some later: cover them from the start
        folder.mkdir(exist_ok=True)
    paths += [Path(p).resolve() for p in extra] + [EXCHANGE]
    return [p for p in paths if p.exists()]


def kernel_env(course: Path, extra: list[Path] = ()) -> dict:
    """Environment that makes nbgrader run notebooks in the sandboxed ``python3`` kernel."""
    reason = available()
    if reason:
        print(
            f"WARNING: grading WITHOUT a sandbox ({reason}): submissions could read "
            "solutions and hidden tests on this machine.",
            file=sys.stderr,
        )
        return {}
    hidden = hidden_paths(course, extra)
    key = hashlib.sha1(str(Path(course).resolve()).encode()).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"astrolearn-grading-kernel-{key}"
    spec_dir = root / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "astrolearn.grading.sandbox",
            *map(str, hidden),
            "--",
            *kernel,
        ],
        "display_name": "Python 3 (astrolearn grading sandbox)",
        "language": "python",
        # A signal would reach unshare, not the kernel: interrupt by message instead.
        "interrupt_mode": "message",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("JUPYTER_PATH")]))
    return {"JUPYTER_PATH": path}


def main(argv: list[str]) -> None:
    """``python -m astrolearn.grading.sandbox HIDDEN... -- COMMAND...``: exec COMMAND inside."""
    split = argv.index("--")
    command = wrap(argv[split + 1 :], [Path(p) for p in argv[:split]])
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
