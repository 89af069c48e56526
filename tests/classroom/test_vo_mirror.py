"""`astrolearn classroom init --vo-mirror`: the local VO mirror as a service of the hub.

One hub, one student and one instructor (accounts named ``tz...``, removed at teardown).
The hub starts the real GAVO DaCHS mirror as its managed service; the student's kernel
runs a cone search with the public archive unreachable, and the loopback mirror answers
with the bundled Gaia rows; when the hub stops, the mirror stops with it, unless it was
running before (then it is left alone).

This hub runs in the machine's own network namespace, not in the tests' loopback-only
one: DaCHS reaches PostgreSQL over TCP on localhost (its dsn), so the mirror and the
students' servers must share the machine's loopback, as they do on a class machine. The
internet is cut for the cone search instead, in the kernel: the live Gaia archive's URL
is a closed loopback port, which is what a dead network looks like to the client.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time

import astropy.units as u
import pytest
from astrolearn.vo import mirror, services
from astropy.coordinates import SkyCoord

from tests.classroom.conftest import Hub, port_options, remove_accounts, require_classroom_parts
from tests.conftest import require

pytestmark = [pytest.mark.classroom, pytest.mark.mirror, pytest.mark.slow]

#: The Pleiades field of the bundled Gaia DR3 table (49 sources within 0.2 deg).
RA, DEC, RADIUS = 56.75, 24.12, 0.2
CONE = f"""
import json, os
import astropy.units as u
from astropy.coordinates import SkyCoord
from astrolearn import vo
from astrolearn.vo import config

# The network is down: the public archive cannot be reached.
config.settings.live_urls["gaia_dr3"] = "http://127.0.0.1:9/tap"
centre = SkyCoord({RA}, {DEC}, unit="deg")
tap = vo.cone_search("gaia_dr3", centre, {RADIUS} * u.deg)
scs = vo.cone_search("gaia_dr3", centre, {RADIUS} * u.deg, backend="mirror", protocol="scs")
print(json.dumps({{
    "env": {{k: os.environ.get(k) for k in ("ASTROLEARN_MIRROR_URL", "ASTROLEARN_VO_BACKEND")}},
    "mirror_url": config.settings.mirror_url,
    "source": tap.meta["source"],
    "service": tap.meta["service"],
    "reason": tap.meta.get("fallback_reason", ""),
    "ids": sorted(int(i) for i in tap["source_id"]),
    "scs_service": scs.meta["service"],
    "scs_ids": sorted(int(i) for i in scs["source_id"]),
}}))
"""
MIRROR_WAIT = 300  # seconds: the first start imports the tables (about a minute)


def bundled_ids() -> list[int]:
    """Source ids of the bundled Gaia DR3 rows inside the cone, computed here."""
    table = services.get("gaia_dr3").local()
    inside = (
        SkyCoord(table["ra"], table["dec"], unit="deg").separation(
            SkyCoord(RA * u.deg, DEC * u.deg)
        )
        < RADIUS * u.deg
    )
    return sorted(int(i) for i in table["source_id"][inside])


def wait_until(condition, seconds: float, hub: Hub) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert hub.process.poll() is None, f"the hub stopped:\n{hub.log()[-3000:]}"
        assert time.monotonic() < deadline, f"gave up after {seconds} s:\n{hub.log()[-3000:]}"
        time.sleep(1)


@pytest.fixture
def class_with_mirror(classroom_root):
    require_classroom_parts()
    require(shutil.which("dachs") is not None, "GAVO DaCHS", "sudo bash tools/install-system.sh")
    prefix = "tz" + secrets.token_hex(3)
    names = [f"{prefix}-s1", f"{prefix}-teach"]
    hub = Hub(classroom_root / "vo", students=names[:1], instructor=names[1], namespace=[])
    try:
        yield hub
    finally:
        hub.stop()
        remove_accounts(names)


def test_the_hub_runs_the_mirror_and_a_student_is_answered_by_it(class_with_mirror):
    hub = class_with_mirror
    expected = bundled_ids()
    assert len(expected) == 49
    was_running = mirror.is_running()

    made = hub.init("--vo-mirror", *port_options([]))
    assert made.returncode == 0, made.stdout + made.stderr
    assert "VO_MIRROR = True" in (hub.folder / "jupyterhub_config.py").read_text()

    hub.start()
    wait_until(mirror.is_running, MIRROR_WAIT, hub)
    assert "Starting managed service vo-mirror" in hub.log()

    [result] = hub.students_run(hub.students, CONE)
    [output] = result["outputs"]
    assert output["error"] is None, output
    answer = json.loads(output["stdout"])
    # Every student's server is pointed at the loopback mirror.
    assert mirror.MIRROR_URL.startswith("http://127.0.0.1:")
    assert answer["env"]["ASTROLEARN_MIRROR_URL"] == mirror.MIRROR_URL
    assert answer["env"]["ASTROLEARN_VO_BACKEND"] == "auto"
    assert answer["mirror_url"] == mirror.MIRROR_URL
    # The live archive failed, and the loopback mirror answered with the bundled rows.
    assert answer["source"] == "mirror"
    assert answer["service"].startswith(f"{mirror.MIRROR_URL}/tap")
    assert "127.0.0.1:9" in answer["reason"]
    assert answer["ids"] == expected
    assert answer["scs_service"] == f"{mirror.MIRROR_URL}/gaiadr3/q/scs/scs.xml"
    assert answer["scs_ids"] == expected

    hub.stop()
    assert "vo-mirror" in hub.log()
    if was_running:  # someone else's mirror: the service left it alone
        assert "it is left alone" in hub.log()
        assert mirror.is_running()
    else:  # started by the hub's service: stopped with the hub
        assert "mirror stopped" in hub.log(), hub.log()[-3000:]
        assert not mirror.is_running()
