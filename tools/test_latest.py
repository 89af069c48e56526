"""Run the test suite against the newest releases and name the upgrade that breaks it.

``make test-latest`` runs this. It installs astrolearn with the newest release of
every dependency in its own virtual environment (``.venv-latest``; the locked
``.venv`` is not touched) and runs the whole suite there. When tests fail, it lists
the packages newer than the lock (``constraints.txt``) and tries them one at a time:
in ``.venv-bisect``, installed from the lock, it upgrades one package, reruns only the
tests that failed, and puts the lock back. A package whose upgrade alone makes them
fail is named as the cause. Run it before refreshing the lock (``make lock``), and
now and then to see upstream change coming.

Only the standard library is used; the virtual environments do the rest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LATEST, BISECT = ".venv-latest", ".venv-bisect"
LOCK = REPO / "constraints.txt"
#: Runs in a virtual environment: {name: (locked version, installed version)} of the
#: packages whose installed version differs from the one the lock pins for it.
UPGRADES = """
import json, sys
from importlib.metadata import distributions
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
locked = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line and not line.startswith("#"):
        pin = Requirement(line)
        if pin.marker is None or pin.marker.evaluate():
            locked[canonicalize_name(pin.name)] = str(pin.specifier).removeprefix("==")
installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
print(json.dumps({name: (locked[name], version) for name, version in installed.items()
                  if name in locked and locked[name] != version}))
"""


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command in the repository, its output shown."""
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, cwd=REPO, check=False, **kwargs)


def upgrades(venv: str) -> dict[str, tuple[str, str]]:
    """The packages of ``venv`` whose version differs from the lock's."""
    python = str(REPO / venv / "bin" / "python")
    answer = subprocess.run(
        [python, "-c", UPGRADES, str(LOCK)], capture_output=True, text=True, check=True
    )
    return json.loads(answer.stdout)


def failed_tests() -> list[str]:
    """The test ids pytest's cache holds as failed by the last run."""
    cache = REPO / ".pytest_cache" / "v" / "cache" / "lastfailed"
    return sorted(json.loads(cache.read_text())) if cache.exists() else []


def culprits(changed: dict[str, tuple[str, str]], tests: list[str]) -> list[str]:
    """The packages whose upgrade alone, on top of the lock, makes ``tests`` fail."""
    if run("make", "venv", f"VENV={BISECT}").returncode:
        sys.exit("test-latest: could not install the lock into " + BISECT)
    pip = [str(REPO / BISECT / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    pytest = [str(REPO / BISECT / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider"]
    found = []
    for name, (locked, newest) in sorted(changed.items()):
        print(f"test-latest: trying {name} {locked} -> {newest} alone", flush=True)
        if run(*pip, f"{name}=={newest}").returncode:
            print(f"test-latest: {name} {newest} does not install beside the lock; not tried")
            continue
        if run(*pytest, "-q", *tests).returncode:
            found.append(f"{name} {locked} -> {newest}")
        run(*pip, "-c", str(LOCK), "-e", ".[all]")
    return found


def main() -> int:
    """Test on the newest releases; on failure, name the upgrades that break the tests."""
    # The install stamp would keep last time's "newest" releases: install afresh.
    (REPO / LATEST / ".installed").unlink(missing_ok=True)
    suite = run("make", "test", f"VENV={LATEST}", "LATEST=1")
    changed = upgrades(LATEST)
    newer = ", ".join(f"{n} {old} -> {new}" for n, (old, new) in sorted(changed.items()))
    if suite.returncode == 0:
        print(f"test-latest: the suite passes on the newest releases ({newer or 'as locked'})")
        print("test-latest: refresh the lock with `make lock` and commit it on its own")
        return 0
    tests = failed_tests()
    print(f"test-latest: {len(tests)} tests fail; newer than the lock: {newer or 'nothing'}")
    if not changed or not tests:
        return 1
    found = culprits(changed, tests)
    if found:
        print("test-latest: the failures come with: " + "; ".join(found))
    else:
        print("test-latest: no single upgrade fails alone; the cause is a combination")
    return 1


if __name__ == "__main__":
    sys.exit(main())
