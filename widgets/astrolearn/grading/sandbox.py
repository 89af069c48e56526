"""Run the autograding kernel where it can neither look around nor leave anything behind.

During autograding a submission's code runs on the grader's machine, with the course
folder around it: ``source/`` (solutions), ``gradebook.db`` and other students' work,
the lessons, and the notebook being graded (nbgrader writes it in the kernel's folder
with the hidden tests put back). It could read them, or leave code that runs later
outside: a kernelspec, the course's ``nbgrader_config.py``, an IPython startup file, a
``.pth`` file. The grading kernel therefore starts in new mount, PID and network
namespaces (``unshare``) where:

* every mount is read-only, the kernel's own folder included;
* those course paths and that notebook are covered by empty read-only mounts;
* ``/tmp`` and ``/dev/shm`` are private and empty (the folders under ``/tmp`` the kernel
  needs, such as this Python, are bound back read-only), and ``$HOME`` (with
  ``IPYTHONDIR``) lives there: everything written is gone with the kernel;
* there is no network: the kernel talks to nbgrader over Unix sockets in a runtime
  folder of its own, the only place it can write outside its private ``/tmp``;
* it runs with limits on memory, processes, CPU time and file size (``prlimit``), as
  an unprivileged user that no account has, a new one for each grading run, when
  grading runs as root (in a user namespace of its own otherwise), with every
  capability dropped (``setpriv``) so that it cannot undo any of it.

``kernel_env`` writes a ``python3`` kernelspec wrapping ipykernel this way, in a new
private folder, and returns the environment that makes nbgrader pick it, with the
kernelspec's hash; ``verify_kernel`` checks that hash before every submission. Where
namespaces are not allowed (some containers) it says so loudly and grading runs
unsandboxed. Set ``ASTROLEARN_GRADING_SANDBOX=0`` to turn it off. Linux only.

Examples
--------
>>> env = kernel_env(Path("course"))  # doctest: +SKIP
>>> sorted(env)  # doctest: +SKIP
['ASTROLEARN_GRADING_KERNEL_SHA256', 'JUPYTER_PATH', 'JUPYTER_RUNTIME_DIR']
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Course paths a submission must not see while it is graded.
COURSE_SECRETS = ("source", "autograded", "submitted", "feedback", "reports", "gradebook.db")
EXCHANGE = Path("/srv/nbgrader/exchange")  # nbgrader's default exchange root
#: Users a sandboxed kernel runs as when grading runs as root, one per grading run: no
#: account has them, and runs at the same time share no process limit.
GRADING_USERS = range(2_000_000_000, 2_001_000_000)
HASH_VARIABLE = "ASTROLEARN_GRADING_KERNEL_SHA256"
TOOLS = ("unshare", "setpriv", "mount", "prlimit")


@dataclass(frozen=True)
class Limits:
    """What one grading kernel may use (``ulimit``-style, per process)."""

    #: Address space, MiB: a kernel with numpy, scikit-learn and astropy maps about 2 GiB.
    memory_mib: int = 6144
    #: Processes and threads of the kernel's user: a fork bomb stops here.
    processes: int = 256
    #: CPU seconds of the kernel; None: no limit (the wall-clock budget still holds).
    cpu_seconds: int | None = None
    #: Largest file the kernel may write, MiB (its private /tmp holds at most 512).
    file_mib: int = 256
    #: The user it runs as when grading runs as root (``kernel_env`` picks a new one).
    user: int = GRADING_USERS[0]


def _unshare_prefix() -> list[str]:
    prefix = ["unshare", "--mount", "--pid", "--net", "--fork", "--kill-child", "--mount-proc"]
    prefix += ["--propagation", "private"]
    if os.geteuid() != 0:  # an unprivileged user gets its own user namespace
        prefix.insert(1, "--map-root-user")
        prefix.insert(1, "--user")
    return prefix


#: Every mount read-only, before anything else (the shared /tmp included, which the
#: kernel could otherwise still reach from its folder with ".."), keeping its other
#: flags: a user namespace may not clear nosuid or nodev.
_READ_ONLY = r"""
awk '{print $5, $6}' /proc/self/mountinfo | sort -u | while read -r target options; do
  case "$options" in *,*) keep=",${options#*,}" ;; *) keep="" ;; esac
  case "$target" in
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|*\\*) ;;
    *) mount -o "remount,bind,ro$keep" "$target" ;;
  esac
done
"""
#: A private $HOME in the private /tmp, for IPython, matplotlib and caches.
_HOME = r"""
real_home=${HOME:-/nonexistent}
export HOME=/tmp/home TMPDIR=/tmp IPYTHONDIR=/tmp/home/.ipython
export XDG_CACHE_HOME=/tmp/home/.cache MPLCONFIGDIR=/tmp/home/.config/matplotlib
mkdir -p "$IPYTHONDIR" "$XDG_CACHE_HOME" "$MPLCONFIGDIR"
if [ -d "$real_home/.cache/matplotlib" ]; then
  cp -r "$real_home/.cache/matplotlib" "$XDG_CACHE_HOME/"  # its font list: a quick start
fi
"""


def _keep_lines(keep: list[Path]) -> tuple[str, str]:
    """Shell lines that carry folders of the shared /tmp into the private one: opened
    before it is mounted, bound back (with what covers them) at their own path after;
    -c: mount must follow /proc/self/fd/N to the folder itself, not to its name."""
    opened, bound = [], []
    for number, folder in enumerate(keep):
        fd, quoted = 3 + number, shlex.quote(str(folder))
        opened.append(f"exec {fd}< {quoted}")
        bind = f"mount -c --rbind /proc/self/fd/{fd} {quoted}"
        bound.append(f"mkdir -p {quoted}; {bind}; exec {fd}<&-")
    return "".join(f"{line}\n" for line in opened), "".join(f"{line}\n" for line in bound)


def _cover_lines(hidden: list[Path]) -> str:
    lines = []
    for path in hidden:
        quoted = shlex.quote(str(path))
        if path.is_dir():
            lines.append(f"mount -t tmpfs -o ro,size=4k,mode=0 astrolearn-hidden {quoted}")
        elif path.exists():
            lines.append(f"mount --bind -o ro /dev/null {quoted}")
    # The notebook being graded, in the kernel's folder: nbgrader wrote it there with
    # the hidden tests put back.
    lines.append(
        'for notebook in ./*.ipynb; do if [ -f "$notebook" ]; then '
        'mount --bind -o ro /dev/null "$notebook"; fi; done'
    )
    return "".join(f"{line}\n" for line in lines)


def _script(hidden: list[Path], keep: list[Path], runtime: Path | None, limits: Limits) -> str:
    opened, bound = _keep_lines(keep)
    body = opened + _READ_ONLY
    body += "mount -t tmpfs -o size=512m,mode=1777 astrolearn-tmp /tmp\n" + bound
    body += "mount -t tmpfs -o size=64m,mode=1777 astrolearn-shm /dev/shm\n"
    if runtime is not None:  # the kernel's sockets: its one writable folder outside /tmp
        quoted = shlex.quote(str(runtime))
        body += f"mount --bind {quoted} {quoted}; mount -o remount,bind,rw {quoted}\n"
    body += _cover_lines(hidden) + _HOME
    user = ""
    if os.geteuid() == 0:
        body += f"chown -R {limits.user}:{limits.user} /tmp/home\nexport USER=grading\n"
        user = f"--reuid={limits.user} --regid={limits.user} --clear-groups "
    cpu = f"--cpu={limits.cpu_seconds} " if limits.cpu_seconds else ""
    limit = (
        f"prlimit --as={limits.memory_mib * 2**20} --nproc={limits.processes} {cpu}"
        f"--fsize={limits.file_mib * 2**20} --core=0 --"
    )
    # A new user clears the parent-death signal unshare --kill-child set: set it again,
    # so that the kernel (and its whole PID namespace) dies with its sandbox.
    drop = f"setpriv {user}--pdeathsig=KILL --no-new-privs --bounding-set=-all --inh-caps=-all --"
    return "set -e\n" + body + f'exec {limit} {drop} "$@"'


def wrap(
    command: list[str],
    hidden: list[Path],
    keep: list[Path] = (),
    runtime: Path | None = None,
    limits: Limits = Limits(),
) -> list[str]:
    """The command line that runs ``command`` sandboxed, ``hidden`` paths covered.

    ``keep`` are the folders under /tmp that stay visible (read-only) in the private
    /tmp; ``runtime`` is a folder the command may write in, seen from outside too.
    """
    script = _script(list(hidden), list(keep), runtime, limits)
    return [*_unshare_prefix(), "sh", "-c", script, "astrolearn-sandbox", *command]


def _under_tmp(paths) -> list[Path]:
    """The folders right under /tmp that hold any of ``paths``, resolved."""
    tmp = Path("/tmp")
    tops = set()
    for path in paths:
        resolved = Path(path).resolve()
        if resolved.is_relative_to(tmp) and resolved != tmp:
            tops.add(tmp / resolved.relative_to(tmp).parts[0])
    return sorted(top for top in tops if top.is_dir())


def needed_folders(*extra: Path) -> list[Path]:
    """Folders under /tmp a kernel of this Python needs: the Python, its import path."""
    return _under_tmp([sys.prefix, sys.base_prefix, *filter(None, sys.path), *extra])


@functools.cache
def available() -> str:
    """Empty string when the sandbox works here, else the reason it does not."""
    if os.environ.get("ASTROLEARN_GRADING_SANDBOX") == "0":
        return "turned off by ASTROLEARN_GRADING_SANDBOX=0"
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing or not sys.platform.startswith("linux"):
        return f"needs Linux with {', '.join(missing) or 'namespaces'} (util-linux)"
    with tempfile.TemporaryDirectory() as secret:
        Path(secret).chmod(0o755)  # readable by anyone, unless the sandbox covers it
        probe = wrap(
            ["sh", "-c", f"! ls {shlex.quote(secret)}/x 2>/dev/null"],
            [Path(secret)],
            keep=needed_folders(secret),
        )
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


def kernel_env(course: Path, extra: list[Path] = (), limits: Limits = Limits()) -> dict:
    """Environment that makes nbgrader run notebooks in the sandboxed ``python3`` kernel.

    The kernelspec and the kernels' runtime folder are made in a new private folder
    (remove it when grading is done: ``shutil.rmtree(Path(env["JUPYTER_PATH"]))``).
    """
    reason = available()
    if reason:
        print(
            f"WARNING: grading WITHOUT a sandbox ({reason}): submissions could read "
            "solutions and hidden tests on this machine, and write anywhere it can.",
            file=sys.stderr,
        )
        return {}
    root = Path(tempfile.mkdtemp(prefix="astrolearn-grading-"))  # 0700, ours alone
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700)
    if os.geteuid() == 0:
        limits = dataclasses.replace(limits, user=secrets.choice(GRADING_USERS))
        os.chown(runtime, limits.user, limits.user)
        root.chmod(0o711)  # the kernel's user may pass through to its runtime, not list
    spec_file = root / "kernels" / "python3" / "kernel.json"
    spec_file.parent.mkdir(parents=True)
    options = [f"--hide={path}" for path in hidden_paths(course, extra)]
    options += [f"--keep={path}" for path in needed_folders(course, runtime)]
    options += [f"--runtime={runtime}", f"--memory-mib={limits.memory_mib}"]
    options += [f"--processes={limits.processes}", f"--file-mib={limits.file_mib}"]
    options += [f"--cpu-seconds={limits.cpu_seconds}"] if limits.cpu_seconds else []
    options += [f"--user={limits.user}"]
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {
        "argv": [sys.executable, "-m", "astrolearn.grading.sandbox", *options, "--", *kernel],
        "display_name": "Python 3 (astrolearn grading sandbox)",
        "language": "python",
        # A signal would reach unshare, not the kernel: interrupt by message instead.
        "interrupt_mode": "message",
    }
    spec_file.write_text(json.dumps(spec, indent=1))
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("JUPYTER_PATH")]))
    return {
        "JUPYTER_PATH": path,
        "JUPYTER_RUNTIME_DIR": str(runtime),
        HASH_VARIABLE: hashlib.sha256(spec_file.read_bytes()).hexdigest(),
    }


def discard(env: dict) -> None:
    """Remove the private folder ``kernel_env`` made (its kernelspec and runtime)."""
    if HASH_VARIABLE in env:
        shutil.rmtree(env["JUPYTER_PATH"].split(os.pathsep)[0], ignore_errors=True)


def verify_kernel(env: dict = os.environ) -> None:
    """Raise ``RuntimeError`` unless the grading kernelspec is the one ``kernel_env`` wrote."""
    expected = env.get(HASH_VARIABLE)
    if not expected:
        return  # not grading in the sandbox
    spec = Path(env["JUPYTER_PATH"].split(os.pathsep)[0]) / "kernels" / "python3" / "kernel.json"
    found = hashlib.sha256(spec.read_bytes()).hexdigest() if spec.is_file() else "missing"
    if found != expected:
        raise RuntimeError(f"the grading kernelspec {spec} changed ({found[:12]}): not grading")


def main(argv: list[str]) -> None:
    """``python -m astrolearn.grading.sandbox [OPTIONS] -- COMMAND...``: exec COMMAND inside."""
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="astrolearn.grading.sandbox")
    parser.add_argument("--hide", action="append", type=Path, default=[])
    parser.add_argument("--keep", action="append", type=Path, default=[])
    parser.add_argument("--runtime", type=Path)
    for name, default in vars(Limits()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    options = vars(parser.parse_args(argv[:split]))
    command = argv[split + 1 :]
    if os.geteuid() == 0 and "-f" in command:  # the kernel's user reads its connection file
        os.chown(command[command.index("-f") + 1], options["user"], options["user"])
    hidden, keep, runtime = options.pop("hide"), options.pop("keep"), options.pop("runtime")
    command = wrap(command, hidden, keep, runtime, Limits(**options))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
