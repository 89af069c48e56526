"""``astrolearn mirror start|stop|status``: the local VO mirror (GAVO DaCHS on loopback).

The mirror publishes the bundled Gaia and SDSS tables as ``gaiadr3.gaia_source``,
``gaiadr2.gaia_source`` (the GD-1 stream field) and ``sdss.specphoto`` through TAP and
Simple Cone Search on http://127.0.0.1:8080, so the ADQL of a lesson runs unchanged
against the live Gaia archive or the mirror. It also serves the bundled image through
SIA, the bundled spectrum through SSA, and a registry of its own services (RegTAP).
Starting is idempotent: data are imported only when the bundled tables or the resource
descriptors changed, and a running server is left alone. Only the standard library is
imported at top level (the CLI builds its parser from this module).

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> configure(parser)
>>> parser.parse_args(["status"]).action
'status'
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

MIRROR_URL = os.environ.get("ASTROLEARN_MIRROR_URL", "http://127.0.0.1:8080").rstrip("/")
RD_DIR = Path(__file__).resolve().parent / "dachs"
SCHEMAS = ("gaiadr3", "gaiadr2", "sdss")
#: Collections and the registry (astrolearn.vo.mirror_products), imported after the tables.
PRODUCT_SCHEMAS = ("images", "spectra", "rr")
STAMP = ".astrolearn-stamp"
OWNED = ".astrolearn-owned"
INSTALL_HINT = (
    "GAVO DaCHS is not installed. On Debian/Ubuntu (as root): "
    "`bash tools/install-system.sh` from the astrolearn repository, or "
    "`apt-get install postgresql gavodachs2-server` (see the astrolearn.vo README)."
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the mirror sub-commands to ``parser``."""
    parser.add_argument("action", choices=("start", "stop", "status"), help="what to do")
    parser.add_argument(
        "--reimport", action="store_true", help="start: import the tables again even if unchanged"
    )
    parser.add_argument(
        "--timeout", type=float, default=90.0, help="seconds to wait for the server"
    )


def run(args: argparse.Namespace) -> int:
    """Run one mirror action; return the process exit code (0 = success/running)."""
    if args.action == "status":
        return status()
    if shutil.which("dachs") is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 3
    inputs = _inputs_dir()
    if not os.access(inputs, os.W_OK):
        print(
            f"cannot write {inputs}: run `astrolearn mirror {args.action}` as root",
            file=sys.stderr,
        )
        return 4
    with _locked(inputs):  # two starts at once (tests, a second terminal) must not race
        if args.action == "stop":
            return stop(args.timeout)
        return start(args.timeout, reimport=args.reimport, inputs=inputs)


def is_running(timeout: float = 2.0) -> bool:
    """True when the mirror's TAP service answers its availability endpoint."""
    try:
        with urllib.request.urlopen(f"{MIRROR_URL}/tap/availability", timeout=timeout) as answer:
            return answer.status == 200
    except (OSError, urllib.error.URLError):
        return False


def status() -> int:
    """Print whether the mirror runs, and its endpoints; exit code 0 when running."""
    if is_running():
        print(f"mirror running: TAP {MIRROR_URL}/tap")
        for schema in SCHEMAS:
            print(f"  cone search: {MIRROR_URL}/{schema}/q/scs/scs.xml")
        print(f"  images (SIA2): {MIRROR_URL}/__system__/siap2/sitewide/siap2.xml")
        print(f"  spectra (SSA): {MIRROR_URL}/spectra/q/ssa/ssap.xml")
        print(f"  registry (RegTAP): the rr schema of {MIRROR_URL}/tap")
        return 0
    installed = shutil.which("dachs") is not None
    print(
        "mirror not running; start it with: astrolearn mirror start"
        if installed
        else f"mirror not running ({INSTALL_HINT})"
    )
    return 1


def start(timeout: float = 90.0, reimport: bool = False, inputs: Path | None = None) -> int:
    """Start PostgreSQL and DaCHS, importing the tables when they changed."""
    inputs = inputs or _inputs_dir()
    _start_postgresql()
    stale = [s for s in SCHEMAS + PRODUCT_SCHEMAS if reimport or not _up_to_date(inputs / s)]
    site_changed = _install_site_config()
    running = is_running()
    if (stale or site_changed) and running:
        # DaCHS caches resource descriptors and its configuration: restart after a change.
        _dachs("serve", "stop")
        running = False
    if stale:
        _import(inputs, stale)
    if running:
        print("mirror already running")
    else:
        _dachs("serve", "start")
        if not _wait(is_running, timeout):
            print(f"DaCHS did not answer at {MIRROR_URL} within {timeout:.0f} s", file=sys.stderr)
            return 5
    return status()


def stop(timeout: float = 30.0) -> int:
    """Stop the DaCHS server (PostgreSQL keeps running: other programs may use it)."""
    if not is_running():
        print("mirror not running")
        return 0
    _dachs("serve", "stop")
    if not _wait(lambda: not is_running(0.5), timeout):
        print("DaCHS is still answering after `dachs serve stop`", file=sys.stderr)
        return 5
    print("mirror stopped")
    return 0


@contextlib.contextmanager
def _locked(inputs: Path):
    with open(inputs / ".astrolearn-mirror.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _inputs_dir() -> Path:
    """DaCHS's inputs directory (where resource descriptors live)."""
    answer = subprocess.run(
        ["dachs", "config", "inputsDir"], capture_output=True, text=True, timeout=60
    )
    text = answer.stdout.strip()
    return Path(text) if answer.returncode == 0 and text else Path("/var/gavo/inputs")


def _install_site_config() -> bool:
    """Write the mirror's ``userconfig.rd`` (its TAP examples) to DaCHS's configuration.

    Returns True when the file was written, so that a running server is restarted. An
    operator's own ``userconfig.rd`` (one that does not name astrolearn) is left alone.
    """
    answer = subprocess.run(
        ["dachs", "config", "configDir"], capture_output=True, text=True, timeout=60
    )
    folder = Path(answer.stdout.strip() or "/var/gavo/etc")
    ours = (RD_DIR / "userconfig.rd").read_text(encoding="utf-8")
    target = folder / "userconfig.rd"
    present = target.read_text(encoding="utf-8") if target.exists() else None
    if present == ours:
        return False
    if present is not None and "astrolearn" not in present:
        print(f"{target} is not astrolearn's: the mirror's TAP examples are not published")
        return False
    target.write_text(ours, encoding="utf-8")
    target.chmod(0o644)  # DaCHS runs as user gavo
    return True


def _fingerprint(schema: str) -> str:
    """Hash of the resource descriptor and of the bundled files the schema is built from."""
    from astrolearn import data
    from astrolearn.vo import mirror_data, mirror_products

    digest = hashlib.sha256((RD_DIR / schema / "q.rd").read_bytes())
    if schema in PRODUCT_SCHEMAS:
        digest.update(mirror_products.fingerprint(schema, MIRROR_URL))
    for qualified, datasets in mirror_data.DATASETS.items():
        if qualified.startswith(schema + "."):
            for name in datasets:
                digest.update(data.path(name).read_bytes())
    digest.update(Path(mirror_data.__file__).read_bytes())
    return digest.hexdigest()


def _up_to_date(target: Path) -> bool:
    stamp = target / STAMP
    return stamp.exists() and stamp.read_text().strip() == _fingerprint(target.name)


def _import(inputs: Path, schemas: list[str]) -> None:
    """Copy resource descriptors, write the tables as FITS and run ``dachs imp``."""
    from astrolearn.vo import mirror_data, mirror_products

    for schema in schemas:
        target = inputs / schema
        if target.exists() and not (target / OWNED).exists() and any(target.iterdir()):
            raise SystemExit(f"{target} exists and was not made by astrolearn; not touching it")
        target.mkdir(parents=True, exist_ok=True)
        (target / OWNED).write_text("made by `astrolearn mirror start`\n")
        shutil.copy(RD_DIR / schema / "q.rd", target / "q.rd")
    mirror_data.write_fits(inputs, schemas)
    mirror_products.write_inputs(inputs, schemas, MIRROR_URL)
    if "images" in schemas:  # SIA version 2 searches ObsCore, which DaCHS sets up apart
        _dachs("imp", "//obscore")
    for schema in schemas:
        target = inputs / schema
        for path in [target, *target.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # DaCHS runs as user gavo
        print(f"importing {schema} into DaCHS ...", flush=True)
        _dachs("imp", f"{schema}/q")
        # Table-level statistics only (fast), then the metadata again so that they
        # reach TAP_SCHEMA: without them its nrows is NULL, and clients (TOPCAT,
        # taplint) cannot tell how big a table is.
        _dachs("limits", "-t", f"{schema}/q")
        _dachs("imp", "-m", f"{schema}/q")
        (target / STAMP).write_text(_fingerprint(schema) + "\n")


def _start_postgresql() -> None:
    """Start any stopped Debian PostgreSQL cluster (nothing else starts it without systemd)."""
    if shutil.which("pg_lsclusters") is None:
        return
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, timeout=30
    )
    for line in listing.stdout.splitlines():
        version, cluster, _port, state, *_ = line.split()
        if state == "down":
            subprocess.run(["pg_ctlcluster", version, cluster, "start"], check=True, timeout=60)


def _dachs(*args: str) -> None:
    answer = subprocess.run(["dachs", *args], capture_output=True, text=True, timeout=300)
    if answer.returncode != 0:
        raise SystemExit(f"`dachs {' '.join(args)}` failed:\n{answer.stdout}{answer.stderr}")


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False
