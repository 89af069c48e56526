"""``astrolearn serve`` against a hostile visitor, over real HTTP and websockets.

``attacks.py`` runs where the server runs and reports what the server answered to each
attack, and how long an innocent request took just after it. The frames are those that
freeze stock jupyter_server (a count of 2**64 - 1 in 16 bytes) and their relatives.
"""

from __future__ import annotations

import json
import re

import pytest
from astrolearn.app_guard import CLOSE_BAD_FRAME, CLOSE_TOO_BIG, MAX_SOCKETS_PER_KERNEL

from tests.apps.attacks import BAD_FRAMES, HEADER_PATHS, LEAKS
from tests.apps.test_serve import app_folder

#: Growth of the server process allowed over all the attacks (a frame of 8 MiB is
#: refused before it is buffered; the stock decoder grows by tens of MB per second).
MEMORY_BOUND = 60 << 20


@pytest.fixture(scope="module")
def attacked(app_server) -> tuple[dict, int]:
    """Run every attack once against the public app server: (reports, memory growth)."""
    before = app_server.resident_bytes()
    lines = app_server.run_script("attacks.py").splitlines()
    reports = {report.pop("attack"): report for report in map(json.loads, lines)}
    return reports, app_server.resident_bytes() - before


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_a_bad_frame_closes_only_its_socket_and_others_are_served(attacked, name):
    reports, _ = attacked
    report = reports[name]
    if name == "far too big":
        # tornado cuts the connection before reading the frame: no close frame arrives.
        assert report["close_code"] in (None, CLOSE_TOO_BIG), report
    else:
        expected = CLOSE_TOO_BIG if name == "oversized" else CLOSE_BAD_FRAME
        assert report["close_code"] == expected, report
    assert report["innocent_seconds"] < 1.0, report


@pytest.mark.slow
def test_after_the_bad_frames_the_kernel_and_server_are_well(attacked, app_server):
    reports, growth = attacked
    assert reports["kernel after bad frames"]["answers"] is True
    assert growth < MEMORY_BOUND, f"the server grew by {growth >> 20} MiB"
    log = app_server.log()
    assert log.count("bad frame:") >= len(BAD_FRAMES) - 1  # all but "far too big"
    assert "Traceback" not in log.split("bad frame:", 1)[1][:5000]


@pytest.mark.slow
def test_a_kernel_answers_only_the_visitor_whose_page_started_it(attacked):
    report = attacked[0]["foreign kernel"]
    assert report.pop("owner still connects") is True
    assert report == {
        "websocket, no cookie": 403,
        "websocket, another visitor": 403,
        "websocket, no such kernel": 404,
        "kernel model": 403,
        "request info": 403,
        "shutdown": 403,
        "delete": 403,
    }


@pytest.mark.slow
def test_one_kernel_takes_only_a_few_websockets(attacked):
    # All asked for at the same instant: the cap holds even so.
    statuses = attacked[0]["many sockets"]["statuses"]
    assert statuses == [101] * MAX_SOCKETS_PER_KERNEL + [429] * (8 - MAX_SOCKETS_PER_KERNEL)


@pytest.mark.slow
def test_arguments_no_page_needs_are_dropped_and_odd_paths_are_404(attacked, app_server):
    odd = attacked[0]["odd requests"]
    # A template that does not exist once left the page, its kernel and its start
    # slot rendering for ever: the apps take no arguments, so they are dropped.
    templated = odd["/voila/render/hr_diagram.ipynb?template=nope"]
    assert templated == {"status": 200, "url": app_server.url + "/voila/render/hr_diagram.ipynb"}
    assert odd["/voila/templates/nope"]["status"] == 404


@pytest.mark.slow
@pytest.mark.parametrize("path", HEADER_PATHS)
def test_every_page_says_what_it_may_load_and_who_may_frame_it(attacked, path):
    headers = attacked[0]["headers"][path]
    directives = headers["content-security-policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)
    assert policy["default-src"] == "'self'"
    # Besides this server: Aladin Lite's WebAssembly (a data: URL in its code), the
    # catalogues ipyaladin hands it (blob: URLs the page made) and the CDS's HiPS
    # servers, named; no wildcard.
    assert set(policy["connect-src"].split()) == {
        "'self'",
        "data:",
        "blob:",
        "https://alasky.cds.unistra.fr",
        "https://alaskybis.cds.unistra.fr",
    }
    assert policy["frame-ancestors"] == "'self'" and policy["object-src"] == "'none'"
    # WebAssembly may be compiled; JavaScript's eval stays forbidden.
    assert "'unsafe-eval'" not in headers["content-security-policy"]
    assert "*" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


BROKEN_BUTTON_APP = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A button that fails

Clicking the button raises an error, on purpose.

```{code-cell} ipython3
import ipywidgets


def fail(_button):
    raise ValueError("operator-only-marker")


button = ipywidgets.Button(description="Fail")
button.on_click(fail)
# An Output widget shows the traceback of what fails inside it: while the page
# renders, that output is stored in the widget's state.
captured = ipywidgets.Output()
with captured:
    raise ValueError("operator-only-marker, captured")
ipywidgets.VBox([button, captured])
```
"""


@pytest.mark.slow
def test_an_error_in_an_app_reaches_the_visitor_as_an_incident_id_only(start_server, tmp_path):
    apps = app_folder(tmp_path, broken_button=BROKEN_BUTTON_APP)
    server = start_server(f"--apps={apps}", "--pool-size=0", pool=False)
    report = json.loads(server.run_script("attacks.py", "--broken-app=broken_button"))
    assert report["leaks"] == [], f"sent to the browser: {report['leaks']} (of {LEAKS})"
    (error,) = report["errors"]
    incident = re.search(r"incident ([0-9a-f]{8})", error["evalue"]).group(1)
    assert error["traceback"] == [error["evalue"]]
    log = server.log()
    # The operator finds the whole story under the same id.
    logged = log.split(f"incident {incident} in kernel", 1)[1][:3000]
    assert "operator-only-marker" in logged and "Traceback" in logged
    # The traceback the Output widget captured while the page rendered travelled in
    # the widget's state: it was replaced (and logged) too.
    captured = [part for part in log.split("incident ")[1:] if "marker, captured" in part[:3000]]
    assert captured, "the captured traceback was not logged under an incident id"
