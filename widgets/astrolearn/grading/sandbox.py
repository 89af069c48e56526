"""Run the autograding kernel where it cannot read solutions, hidden tests or other work.

During autograding a submission's code runs as the grader, with the course folder
around it: ``source/`` (solutions), ``gradebook.db`` and other students' autograded
notebooks (hidden tests), the lessons (solutions again). A submission could read them
and copy the answers, or leave behind code that runs later, outside: a kernelspec, the
course's ``nbgrader_config.py``, an IPython startup file, a ``.pth`` file. The grading
kernel therefore starts in new mount and PID namespaces (``unshare``) where:

* every mount is read-only except the kernel's own folder (the submission's), whose
  notebook (written there by nbgrader with the hidden tests put back) is covered;
* those course paths are covered by empty read-only mounts;
* ``/tmp``, ``/dev/shm`` and ``$HOME`` (with ``IPYTHONDIR``) are private and empty,
  gone with the kernel;

and with every capability dropped (``setpriv``) so it cannot unmount any of it. It keeps
the network loopback that links it to nbgrader.

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


#: Run inside the new mount namespace, before the kernel: every mount read-only but
#: the kernel's own folder, so that nothing it writes outlives it there, and nothing
#: can run later outside (a kernelspec, the course's nbgrader_config.py, IPython
#: startup files, .pth files in site-packages).
_READ_ONLY = r"""
work=$(pwd)
mount --bind "$work" "$work"
cd "$work"  # into the writable mount just made over it
# The notebook being graded: nbgrader wrote it here with the hidden tests put back.
for notebook in "$work"/*.ipynb; do
  if [ -f "$notebook" ]; then mount --bind -o ro /dev/null "$notebook"; fi
done
for target in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
  case "$target" in
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$work") ;;
    *) mount -o remount,bind,ro "$target" ;;
  esac
done
"""
#: After the hidden paths are covered: a private /tmp, /dev/shm and $HOME.
_PRIVATE = r"""
real_home=${HOME:-/nonexistent}
mount -t tmpfs -o size=512m,mode=1777 astrolearn-tmp /tmp
mount -t tmpfs -o size=64m,mode=1777 astrolearn-shm /dev/shm
# -c: the kernel follows /proc/self/cwd to the folder itself, not to its name.
case "$work" in /tmp/*) mkdir -p "$work"; mount -c --rbind /proc/self/cwd "$work" ;; esac
export HOME=/tmp/home IPYTHONDIR=/tmp/home/.ipython XDG_CACHE_HOME=/tmp/home/.cache
export MPLCONFIGDIR=/tmp/home/.config/matplotlib
mkdir -p "$IPYTHONDIR" "$XDG_CACHE_HOME" "$MPLCONFIGDIR"
if [ -d "$real_home/.cache/matplotlib" ]; then
  cp -r "$real_home/.cache/matplotlib" "$XDG_CACHE_HOME/"  # its font list: a quick start
fi
cd "$work"
"""


def _keep(files: list[str]) -> tuple[str, str]:
    """Shell lines that keep ``files`` under /tmp visible in the private /tmp: opened
    before it is mounted, bound at their own path after (the kernel's connection file,
    which jupyter_client may write there)."""
    opened, bound = [], []
    for number, file in enumerate(f for f in files if f.startswith(("/tmp/", "/dev/shm/"))):
        fd, quoted = 4 + number, shlex.quote(file)
        opened.append(f"exec {fd}< {quoted}")
        bound.append(
            f"mkdir -p $(dirname {quoted}); touch {quoted}; "
            f"mount -c --bind /proc/self/fd/{fd} {quoted}; exec {fd}<&-"
        )
    return "".join(f"{line}\n" for line in opened), "".join(f"{line}\n" for line in bound)


def _script(hidden: list[Path], keep: list[str] = ()) -> str:
    mounts = []
    for path in hidden:
        quoted = shlex.quote(str(path))
        if path.is_dir():
            mounts.append(f"mount -t tmpfs -o ro,size=4k,mode=0 astrolearn-hidden {quoted}")
        elif path.exists():
            mounts.append(f"mount --bind -o ro /dev/null {quoted}")
    drop = "setpriv --no-new-privs --bounding-set=-all --inh-caps=-all --"
    opened, bound = _keep(list(keep))
    body = _READ_ONLY + "\n".join(mounts) + "\n" + opened + _PRIVATE + bound
    return "set -e\n" + body + f'exec {drop} "$@"'


def wrap(command: list[str], hidden: list[Path]) -> list[str]:
    """The command line that runs ``command`` with ``hidden`` paths covered."""
    # The kernel's connection file: the argument after -f.
    keep = [command[i + 1] for i, arg in enumerate(command[:-1]) if arg == "-f"]
    script = _script(hidden, keep)
    return [*_unshare_prefix(), "sh", "-c", script, "astrolearn-sandbox", *command]


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
