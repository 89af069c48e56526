"""Aladin Lite and the sky's tiles as static files: what is reachable, and how it is cached."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from astrolearn import static_files

from tests.servers import wait_for_url

#: Paths beneath ``/astrolearn/`` a visitor may try. None may reach a file.
HOSTILE = [
    "sky/../static_files.py",
    "sky/%2e%2e/%2e%2e/cli.py",
    "sky/survey/..%2F..%2Fcli.py",
    "sky/%2Fetc%2Fpasswd",
    "sky//etc/passwd",
    "sky/survey%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "sky/" + "a" * 5000,
    "sky/survey/000000000000/Norder3/Dir0/Npix0.png%00.py",
    "sky/survey/000000000000/Norder3/Dir0/../../properties",
    "sky/survey/000000000000/index.html",
    "static/aladin-widget.js",
    "static/aladin-widget.css",
    "static/toggle-state.js.map",
    "static/toggle-state.js/../aladin-widget.js",
    "static/toggle-state%2ejs",
    "static/Toggle-state.js",
    "static/../serve.py",
    "static/aladin-lite.js/../../cli.py",
    "static/%2e%2e/app_guard.py",
    "data/catalog.json",
]


@pytest.fixture
def sky(tmp_path):
    """A tile-set folder with one survey: its properties and a few HiPS files."""
    survey = tmp_path / "survey"
    for name in ("properties", "Norder3/Allsky.png", "Norder3/Dir0/Npix7.png", "notes.txt"):
        (survey / name).parent.mkdir(parents=True, exist_ok=True)
        (survey / name).write_text(name)
    (tmp_path / "secret.txt").write_text("secret")
    return tmp_path


def test_only_hips_files_of_a_known_survey_and_release_are_named(sky):
    folder = static_files.survey_path("survey", sky)
    token = folder.split("/")[2]
    assert folder == f"sky/survey/{token}" and len(token) == 12
    inside = folder.removeprefix("sky/") + "/"
    for name in ("properties", "Norder3/Allsky.png", "Norder3/Dir0/Npix7.png"):
        assert static_files.sky_file(inside + name, sky) == f"survey/{name}"
    refused = [
        inside + "notes.txt",
        inside + "../secret.txt",
        inside + "Norder3/Dir0/../../../secret.txt",
        "survey/000000000000/properties",  # an old release's token
        f"../{token}/properties",
        f"/survey/{token}/properties",
        f"survey/{token}/Norder3/Dir0/Npix7.png\x00",
        f"survey/{token}//Norder3/Allsky.png",
        f"Survey/{token}/properties",
        "secret.txt",
        "",
    ]
    for path in refused:
        assert static_files.sky_file(path, sky) is None, path
    for hostile in HOSTILE:
        assert static_files.sky_file(hostile.removeprefix("sky/"), sky) is None, hostile
    with pytest.raises(LookupError):
        static_files.survey_path("../survey", sky)


def test_published_tree_is_the_served_tree(sky, tmp_path):
    target = tmp_path / "site" / "_static" / "astrolearn"
    assert static_files.publish(target, sky) == ["survey"]
    assert (target / "static/aladin-lite.js").read_bytes() == static_files.ALADIN_LITE.read_bytes()
    for name in ("toggle-state.js", "toggle-state.css"):
        assert (target / "static" / name).read_bytes() == (static_files.STATIC / name).read_bytes()
    assert sorted(p.name for p in (target / "static").iterdir()) == [
        "aladin-lite.js",
        "toggle-state.css",
        "toggle-state.js",
    ]
    folder = target / static_files.survey_path("survey", sky)
    copied = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert copied == ["Norder3/Allsky.png", "Norder3/Dir0/Npix7.png", "properties"]
    assert not list(target.rglob("notes.txt")) and not list(target.rglob("secret.txt"))


def test_every_bundled_preview_is_named_and_published(tmp_path):
    # Aladin Lite asks each tile set for Norder3/Allsky.jpg.
    from astrolearn.data import sky as bundled

    target = tmp_path / "_static" / "astrolearn"
    assert static_files.publish(target) == sorted(s.id for s in bundled.surveys())
    for survey in bundled.surveys():
        folder = static_files.survey_path(survey.id)
        name = folder.removeprefix("sky/") + "/Norder3/Allsky.jpg"
        assert static_files.sky_file(name) == f"{survey.id}/Norder3/Allsky.jpg"
        preview = (survey.folder / "Norder3/Allsky.jpg").read_bytes()
        assert (target / folder / "Norder3/Allsky.jpg").read_bytes() == preview


PROBE = """
import http.client, json, sys
host, port = sys.argv[1].split("//")[1].split(":")
answers = []
for path, headers in json.loads(sys.argv[2]):
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    answers.append([response.status, dict(response.getheaders()), body.hex()])
print(json.dumps(answers))
"""


def probe(server, requests: list[tuple[str, dict]]) -> list:
    """Raw HTTP requests (paths sent as written) where the server runs."""
    result = subprocess.run(
        [*server.prefix, sys.executable, "-c", PROBE, server.url, json.dumps(requests)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [
        (status, headers, bytes.fromhex(body))
        for status, headers, body in json.loads(result.stdout)
    ]


@pytest.mark.slow
def test_public_server_serves_aladin_lite_cached_and_gzipped(app_server):
    path = "/astrolearn/" + static_files.aladin_lite_path()
    (status, headers, body), (plain_status, plain_headers, plain) = probe(
        app_server, [(path, {"Accept-Encoding": "gzip, br"}), (path, {})]
    )
    code = static_files.ALADIN_LITE.read_bytes()
    assert status == plain_status == 200
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == code
    assert len(body) < len(code) / 2
    assert plain == code and "Content-Encoding" not in plain_headers
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"].startswith("text/javascript")
    # The public server's security headers are on it too.
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    # A browser that has it is told so, without the body.
    ((again, _, empty),) = probe(app_server, [(path, {"If-None-Match": plain_headers["Etag"]})])
    assert again == 304 and empty == b""
    # A URL with another version is not cached for long.
    ((_, stale, _),) = probe(app_server, [("/astrolearn/static/aladin-lite.js?v=0", {})])
    assert stale["Cache-Control"] == "no-cache" and "Expires" not in stale


@pytest.mark.slow
def test_public_server_serves_the_toggle_files_every_page_loads(app_server):
    names = ["toggle-state.js", "toggle-state.css"]
    answers = probe(app_server, [(f"/astrolearn/static/{name}", {}) for name in names])
    for name, (status, headers, body) in zip(names, answers, strict=True):
        assert status == 200 and body == (static_files.STATIC / name).read_bytes(), name
        assert headers["Content-Type"].startswith(("text/css", "text/javascript", "application/"))


@pytest.mark.slow
def test_public_server_reaches_no_other_file(app_server):
    answers = probe(app_server, [("/astrolearn/" + path, {}) for path in HOSTILE])
    for path, (status, _, body) in zip(HOSTILE, answers, strict=True):
        assert status in (400, 404), (path, status)
        assert b"import" not in body and b"root:" not in body, path


@pytest.mark.slow
def test_jupyterlab_serves_aladin_lite_as_a_cached_file(tmp_path):
    """``astrolearn lab`` loads the server extension (its config layer enables it)."""
    log = tmp_path / "lab.log"
    command = [sys.executable, "-m", "astrolearn.cli", "lab", "--port=0", "--no-browser"]
    with log.open("w") as output:
        lab = subprocess.Popen(
            [*command, "--lessons", str(tmp_path)], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        url = wait_for_url(lab, log, 90)
        path = "/astrolearn/" + static_files.aladin_lite_path()
        with urllib.request.urlopen(url + path, timeout=60) as answer:
            assert answer.read() == static_files.ALADIN_LITE.read_bytes()
            assert "immutable" in answer.headers["Cache-Control"]
        # The lab extension loads the toggle files from here.
        with urllib.request.urlopen(url + "/astrolearn/static/toggle-state.js", timeout=60) as js:
            assert js.read() == (static_files.STATIC / "toggle-state.js").read_bytes()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/astrolearn/sky/%2e%2e/cli.py", timeout=60)
        assert refused.value.code == 404
    finally:
        lab.terminate()
        lab.wait(timeout=30)


def test_page_scripts_are_the_listed_scripts_this_server_has(tmp_path):
    static, extensions = tmp_path / "static", tmp_path / "labextensions"
    for path in (static / "voila.js", extensions / "bqplot/static/568.ca3cef0d.js"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("code")
    (tmp_path / "secret.js").write_text("secret")
    listed = tmp_path / "scripts.txt"
    kept = [
        "voila/static/voila.js",
        "voila/labextensions/bqplot/static/568.ca3cef0d.js?v=ca3cef0d",
    ]
    dropped = [
        "voila/static/9484.voila.js",  # another Voila release's chunk
        "voila/static/../secret.js",
        "voila/labextensions/../../secret.js",
        "voila/static/voila.js?v=<script>",
        'voila/static/voila.js"onload="alert(1)',
        "https://cdn.example.org/voila.js",
        "voila/api/kernels",
    ]
    listed.write_text("\n".join([kept[0], *dropped, kept[1]]) + "\n")
    found = static_files.page_scripts(listed, [str(static)], [str(extensions)])
    assert list(found) == kept
    assert found[kept[1]] == extensions / "bqplot/static/568.ca3cef0d.js"
    assert static_files.page_scripts(tmp_path / "none.txt", [str(static)], []) == {}


def test_every_recorded_script_is_installed():
    """The list the app pages preload names this install's scripts (else: record it
    again with ``benchmarks/bench_apps.py --record-scripts``)."""
    from astrolearn import content, serve
    from voila.paths import collect_static_paths
    from voila.utils import get_voila_labextensions_path

    listed = content.folder("apps") / "template" / serve.SCRIPTS
    lines = listed.read_text().split()
    static = collect_static_paths(["voila", "nbconvert"], "lab")
    found = static_files.page_scripts(listed, static, get_voila_labextensions_path())
    assert len(lines) > 50 and list(found) == lines


@pytest.mark.slow
def test_public_server_packs_voila_code_and_caches_files_named_by_content(app_server):
    code = "/voila/static/voila.js"
    hashed = next(path for path in recorded_scripts() if "/labextensions/" in path)
    gzipped = {"Accept-Encoding": "gzip, deflate"}
    answers = probe(
        app_server,
        [
            (code, gzipped),
            (code, {}),
            (code, {**gzipped, "Range": "bytes=0-99"}),
            (hashed, gzipped),
            (code, {"Accept-Encoding": "gzip;q=0, deflate"}),
        ],
    )
    (status, headers, body), (_, plain_headers, plain), (partial, _, first) = answers[:3]
    (_, cached, _), (_, refused, refused_body) = answers[3:]
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
    assert "Content-Encoding" not in plain_headers and headers["Vary"] == "Accept-Encoding"
    # A browser that refuses gzip (q=0) gets the file as it is.
    assert "Content-Encoding" not in refused and refused_body == plain
    # Ranges are offered only of the file as it is.
    assert "Accept-Ranges" not in headers and plain_headers["Accept-Ranges"] == "bytes"
    # The two forms are two versions for caches: their tags differ.
    assert headers["Etag"] != plain_headers["Etag"]
    # A part of the file is a part of the file as it is.
    assert partial == 206 and first == plain[:100]
    # Voila's chunks are not named by their content; the lab extensions' are.
    assert "immutable" not in headers.get("Cache-Control", "")
    assert cached["Cache-Control"] == "public, max-age=31536000, immutable"
    ((again, _, empty),) = probe(
        app_server, [(code, {**gzipped, "If-None-Match": headers["Etag"]})]
    )
    assert again == 304 and empty == b""
    # Packed or not, these handlers reach nothing beside the code they serve.
    odd = [
        "/voila/static/../../../../../../etc/passwd",
        "/voila/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/voila/labextensions/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/voila/labextensions/bqplot/static/../../../../../../../etc/passwd",
        "/voila/templates/astrolearn/static/../scripts.txt",
        "/voila/templates/astrolearn/static/../../astrolearn/preloads.html.j2",
        # Other spellings of served files: each would stay in a lookup table for good.
        hashed.replace("/static/", "/./static/"),
        hashed.replace("/static/", "/static//"),
        code.replace("/static/", "/static/./"),
    ]
    for path, (status, _, body) in zip(
        odd, probe(app_server, [(p, gzipped) for p in odd]), strict=True
    ):
        assert status in (400, 403, 404), (path, status)
        assert b"root:" not in body and b"voila/static" not in body, path


def recorded_scripts() -> list[str]:
    """The recorded scripts of an app page, as paths beneath the server's root."""
    from astrolearn import content, serve

    listed = content.folder("apps") / "template" / serve.SCRIPTS
    return ["/" + line for line in listed.read_text().split()]
