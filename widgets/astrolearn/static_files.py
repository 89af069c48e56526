"""Aladin Lite and the bundled HiPS tiles as static files, cached by the browser.

The sky viewer (``astrolearn.ui.sky``) used to send Aladin Lite's 2.6 MB of code
through a synced widget trait: over the kernel's websocket for every viewer, and into
the saved widget state of every book page. Here the code and the tiles are plain
files, served under one prefix that the widget's JavaScript finds in each setting:

============================  ===========================================================
setting                       prefix (``ROOT``)
============================  ===========================================================
JupyterLab, Notebook          ``{baseUrl}astrolearn/``: a Jupyter server extension,
                              enabled by ``jupyter_server_config.d/astrolearn.json``
Voila (``astrolearn serve``)  the same, added to Voila's handlers (``serve.py``)
Jupyter Book site             ``{content root}_static/astrolearn/``: ``publish`` copies
                              the same tree there when the book is built
============================  ===========================================================

Beneath the prefix, only these paths exist:

* ``static/aladin-lite.js?v=<hash>``: the URL names the file's content, so the answer
  may be cached for a year (``immutable``); a new Aladin Lite gets a new URL.
* ``static/toggle-state.js`` and ``static/toggle-state.css``: a toggle button that is
  on says so by more than its shade, in every setting (:data:`PAGE_FILES`).
* ``sky/<survey>/<token>/<HiPS file>``: ``properties``, ``Moc.fits``,
  ``Norder<k>/Allsky.<ext>`` or ``Norder<k>/Dir<d>/Npix<n>.<ext>`` of a tile set in
  ``astrolearn/data/sky/<survey>/``. ``<token>`` is a hash of the survey's
  ``properties``, which a rebuilt tile set changes (``hips_release_date``), so tiles
  are cached for a year too and a new release gets new URLs.

Every path is checked against those forms after tornado has decoded it, before the
file system is touched: dot segments, encoded slashes, absolute paths, other files of
the package and odd names all end in 404.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import posixpath
import re
import shutil
from pathlib import Path

from tornado import web

PACKAGE = Path(__file__).resolve().parent
STATIC = PACKAGE / "static"
ALADIN_LITE = STATIC / "aladin-lite.js"
#: Loaded by every page that shows widgets: the Voila template (apps/template), the
#: book (its local extension) and JupyterLab (the lab extension). ipywidgets shows which
#: toggle is on by its shade alone; the script says it to screen readers (aria-pressed)
#: and the style draws it as bold text and a bar.
PAGE_FILES = ("toggle-state.js", "toggle-state.css")
#: Where the HiPS tile sets live, one folder per survey id (``astrolearn.data.sky``).
SKY = PACKAGE / "data" / "sky"
#: The URL prefix beneath a server's base URL, and the folder beneath a book's _static.
PREFIX = "astrolearn"
#: A year: what browsers keep a file whose URL names its content.
CACHE_SECONDS = 365 * 24 * 3600
_SURVEY = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
_HIPS_FILE = re.compile(
    r"properties|Moc\.fits"
    r"|Norder\d{1,2}/Allsky\.(?:png|jpg|webp)"
    r"|Norder\d{1,2}/Dir\d{1,9}/Npix\d{1,16}\.(?:png|jpg|webp|fits)"
)
_SKY_PATH = re.compile(rf"(?P<survey>{_SURVEY})/(?P<token>[0-9a-f]{{12}})/(?P<file>.+)")


@functools.cache
def aladin_lite_version() -> str:
    """A short hash of the bundled Aladin Lite: the ``v`` of its URL."""
    return hashlib.sha256(ALADIN_LITE.read_bytes()).hexdigest()[:16]


def aladin_lite_path() -> str:
    """Aladin Lite's URL beneath the prefix, with its version."""
    return f"static/aladin-lite.js?v={aladin_lite_version()}"


@functools.cache
def _survey_token(survey: str, sky: Path) -> str | None:
    properties = sky / survey / "properties"
    if not properties.is_file():
        return None
    return hashlib.sha256(properties.read_bytes()).hexdigest()[:12]


def survey_path(survey: str, sky: Path = SKY) -> str:
    """The folder of a local tile set beneath the prefix (``sky/<survey>/<token>``).

    Without a final slash: Aladin Lite adds one before each file's name.

    Raises
    ------
    LookupError
        When ``survey`` is not a local tile set with a ``properties`` file.
    """
    token = _survey_token(survey, sky) if re.fullmatch(_SURVEY, survey) else None
    if token is None:
        raise LookupError(f"no local HiPS tile set {survey!r}")
    return f"sky/{survey}/{token}"


def sky_file(path: str, sky: Path = SKY) -> str | None:
    """The file, relative to ``sky``, that a decoded URL path beneath ``sky/`` names.

    None for anything but a HiPS file of a local survey with the current token.

    Examples
    --------
    >>> sky_file("../../cli.py") is None
    True
    """
    match = _SKY_PATH.fullmatch(path)
    if match is None or not _HIPS_FILE.fullmatch(match["file"]):
        return None
    if _survey_token(match["survey"], sky) != match["token"]:
        return None
    return f"{match['survey']}/{match['file']}"


#: What a browser may do with a file whose URL names its content.
IMMUTABLE = f"public, max-age={CACHE_SECONDS}, immutable"


class PageFiles(web.StaticFileHandler):
    """The :data:`PAGE_FILES` (the route names them; nothing else of ``static/``)."""

    def initialize(self) -> None:
        super().initialize(path=str(STATIC))


class SkyFiles(web.StaticFileHandler):
    """The HiPS files of the local tile sets, and nothing else (see :func:`sky_file`).

    Their URLs name the tile set's release, so they are cached for a year.
    """

    def initialize(self, sky: Path = SKY) -> None:
        super().initialize(path=str(sky))
        self.sky = sky

    def parse_url_path(self, url_path: str) -> str:
        relative = sky_file(url_path, self.sky)
        if relative is None:
            raise web.HTTPError(404)
        return relative

    def get_cache_time(self, path, modified, mime_type) -> int:
        return CACHE_SECONDS

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", IMMUTABLE)


#: Types worth gzipping: Voila's and the widget libraries' code, styles, icons.
_PACKED_TYPES = ("text/javascript", "application/javascript", "text/css", "image/svg+xml")
#: A file name that carries a hash of its content (webpack's ``[contenthash]``):
#: ``remoteEntry.e01ddc1715812041a9e5.js``, ``9834b82ad26e2a37583d.woff2``.
_HASHED_NAME = re.compile(r"(?:^|[./])[0-9a-f]{8,}\.[a-z0-9]+$")


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header takes gzip (RFC 9110: ``q=0`` refuses).

    Examples
    --------
    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1.0, gzip;q=0")
    (True, False)
    >>> accepts_gzip("*;q=0.5"), accepts_gzip("gzip;q=0, *"), accepts_gzip("identity")
    (True, False, False)
    """
    weights = {}
    for item in accept_encoding.lower().split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights.setdefault(coding, weight)
    return weights.get("gzip", weights.get("*", 0.0)) > 0


@functools.lru_cache(maxsize=1024)
def _packed_file(path: str, modified_ns: int, size: int) -> tuple[bytes, str]:
    """A file gzipped and a hash of its content: read, packed and hashed once per version."""
    data = Path(path).read_bytes()
    return gzip.compress(data, mtime=0), hashlib.sha256(data).hexdigest()


def _packed(path: str) -> tuple[bytes, str]:
    stat = Path(path).stat()
    return _packed_file(path, stat.st_mtime_ns, stat.st_size)


class PackedFiles:
    """Mixin for a tornado static file handler of an app page's code and styles.

    An app page loads about 110 scripts (6 MB). Served as they are, each answer reads
    its file twice (the body, and the ETag, a hash of the whole file) and sends it
    unpacked. With this mixin, code and styles go gzipped (a quarter of the size) from
    memory, packed and hashed once per file version; a request with ``Range`` gets the
    file as it is. A file whose name carries a hash of its content may be kept for a
    year (Voila serves lab extensions with ``no-cache``, a round trip per file per
    visit).
    """

    def parse_url_path(self, url_path: str) -> str:
        # One spelling per file: jupyter_server's handler of the lab extensions keeps
        # every spelling it is asked for ("a/./b", "a//b") in a lookup table for good.
        if posixpath.normpath(url_path) != url_path:
            raise web.HTTPError(404)
        return super().parse_url_path(url_path)

    def _gzipped(self) -> bytes | None:
        """The gzipped body for this request, or None to send the file as it is."""
        if not hasattr(self, "_gzip_body"):
            self._gzip_body = None
            packable = self.get_content_type().split(";")[0] in _PACKED_TYPES
            accepted = accepts_gzip(self.request.headers.get("Accept-Encoding", ""))
            if packable and accepted and "Range" not in self.request.headers:
                self._gzip_body = _packed(self.absolute_path)[0]
        return self._gzip_body

    def compute_etag(self) -> str:
        # The packed and the plain answer differ: so must their tags.
        suffix = "-gzip" if self._gzipped() is not None else ""
        return f'"{_packed(self.absolute_path)[1]}{suffix}"'

    def set_headers(self) -> None:
        super().set_headers()
        if self.get_content_type().split(";")[0] in _PACKED_TYPES:
            self.set_header("Vary", "Accept-Encoding")
        if self._gzipped() is not None:
            self.set_header("Content-Encoding", "gzip")
            # A range of the packed body is not one of the file: ranges are of the file
            # as it is, asked for without the packing (a Range request is never packed).
            self.clear_header("Accept-Ranges")
        if _HASHED_NAME.search(self.absolute_path):
            self.set_header("Cache-Control", IMMUTABLE)

    def get_content_size(self) -> int:
        body = self._gzipped()
        return super().get_content_size() if body is None else len(body)

    def get_content(self, abspath: str, start: int | None = None, end: int | None = None):
        body = self._gzipped()
        return super().get_content(abspath, start, end) if body is None else body

    @classmethod
    def get_content_version(cls, abspath: str) -> str:
        return _packed(abspath)[1]


class AladinLiteFile(PackedFiles, web.StaticFileHandler):
    """``static/aladin-lite.js``, gzipped for browsers that take it (a third of the size).

    Its URL names its version (``?v=``): that answer is kept for a year, an answer to
    any other URL is checked again on each use (it may hold an older file).
    """

    def initialize(self) -> None:
        super().initialize(path=str(STATIC))

    def get_content_type(self) -> str:
        return "text/javascript; charset=utf-8"

    def get_cache_time(self, path, modified, mime_type) -> int:
        return 0  # Cache-Control alone says it (set_extra_headers)

    def set_extra_headers(self, path: str) -> None:
        current = self.get_argument("v", "") == aladin_lite_version()
        self.set_header("Cache-Control", IMMUTABLE if current else "no-cache")


def handlers(base_url: str, sky: Path = SKY) -> list[tuple]:
    """tornado routes serving the prefix beneath ``base_url``."""
    root = base_url.rstrip("/") + f"/{PREFIX}/"
    return [
        (re.escape(root) + r"static/(aladin-lite\.js)", AladinLiteFile),
        (re.escape(root) + rf"static/({'|'.join(map(re.escape, PAGE_FILES))})", PageFiles),
        (re.escape(root) + r"sky/(.*)", SkyFiles, {"sky": sky}),
    ]


def publish(target: Path, sky: Path = SKY) -> list[str]:
    """Write the tree the servers serve into ``target`` (a book's ``_static/astrolearn``).

    Returns the surveys copied. Only the files :func:`sky_file` admits are copied.
    """
    (target / "static").mkdir(parents=True, exist_ok=True)
    for path in (ALADIN_LITE, *(STATIC / name for name in PAGE_FILES)):
        shutil.copy2(path, target / "static" / path.name)
    surveys = []
    for folder in sorted(sky.iterdir()) if sky.is_dir() else []:
        try:
            destination = target / survey_path(folder.name, sky)
        except LookupError:
            continue
        for path in folder.rglob("*"):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and _HIPS_FILE.fullmatch(name):
                (destination / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination / name)
        surveys.append(folder.name)
    return surveys


#: One script of an app page, as listed in ``apps/template/scripts.txt``: Voila's own
#: chunks and the lab extensions' (whose ``?v=`` names their content).
_PAGE_SCRIPT = re.compile(
    r"voila/(?P<kind>static|labextensions)/(?P<file>[A-Za-z0-9@_][A-Za-z0-9@._/-]*\.js)"
    r"(?:\?v=[0-9a-f]{1,40})?"
)


def page_scripts(
    listed: Path, static_dirs: list[str], labextension_dirs: list[str]
) -> dict[str, Path]:
    """The scripts of ``listed`` (paths beneath the base URL) that this server has, and
    their files.

    An app page finds its scripts one wave after another: Voila's bundle, its chunks,
    then the lab extensions once the page has loaded, then the widget libraries once
    the kernel has answered. Named in advance (``<link rel="preload">`` in the app
    template, ``rel="prefetch"`` in the gallery) they all come in the first wave. The
    list is recorded from a real visit (``benchmarks/bench_apps.py --record-scripts``);
    a line naming no file here (another Voila release) is left out, so a stale list
    costs speed, never a broken page or a request for a missing file.
    """
    if not listed.is_file():
        return {}
    roots = {"static": static_dirs, "labextensions": labextension_dirs}
    scripts = {}
    for line in listed.read_text().split():
        match = _PAGE_SCRIPT.fullmatch(line)
        if match is None or ".." in match["file"].split("/"):
            continue
        files = (Path(root) / match["file"] for root in roots[match["kind"]])
        found = next((file for file in files if file.is_file()), None)
        if found is not None:
            scripts[line] = found
    return scripts


def pack(path: Path) -> None:
    """Gzip a file now, as :class:`PackedFiles` would on its first request: the first
    visitor after a start need not wait for it."""
    _packed(os.path.abspath(path))


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "astrolearn.static_files"}]


def _load_jupyter_server_extension(server) -> None:
    """Serve the prefix from a Jupyter server (JupyterLab, Notebook, Voila as extension)."""
    server.web_app.add_handlers(".*$", handlers(server.web_app.settings["base_url"]))
