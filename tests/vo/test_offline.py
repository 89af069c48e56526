"""With the network really cut (loopback only), lessons keep working from the snapshot."""

import json

import pytest

from tests.conftest import run_python_offline

pytestmark = pytest.mark.slow

SCRIPT = r"""
import json, time
import astropy.units as u
from astrolearn import vo

report = {}
started = time.monotonic()
report["resolve"] = vo.resolve("M31").info.meta["source"]
cone = vo.cone_search("gaia_dr3", "Pleiades", 10 * u.arcmin)
report["cone"] = [cone.meta["source"], len(cone)]
image = vo.cutout("DSS2/red", "NGC 6819", 5 * u.arcmin)
report["cutout"] = image[0].header["ALSOURCE"]
for name, call in {
    "tap": lambda: vo.tap("gaia_dr3").run("SELECT TOP 1 * FROM gaiadr3.gaia_source"),
    "discover": lambda: vo.discover("gaia"),
}.items():
    try:
        call()
        report[name] = "no error"
    except vo.VOError as error:
        report[name] = [type(error).__name__, str(error)]
report["seconds"] = time.monotonic() - started
print(json.dumps(report))
"""


def test_auto_backend_without_network():
    done = run_python_offline(SCRIPT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["resolve"] == "offline snapshot"
    assert report["cone"][0] == "offline snapshot" and report["cone"][1] > 10
    assert report["cutout"] == "offline snapshot"
    # Nothing can answer (live unreachable, no mirror): the documented error.
    assert report["tap"][0] == "OfflineUnavailableError"
    assert "astrolearn mirror start" in report["tap"][1]
    assert report["discover"][0] == "OfflineUnavailableError"
    # Nothing hangs: DNS fails at once, the loopback mirror refuses at once.
    assert report["seconds"] < 30
