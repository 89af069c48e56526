"""``astrolearn serve`` (public Voila apps) and ``astrolearn lab`` (JupyterLab on lessons).

``serve`` builds the apps (MyST Markdown in ``apps/``) into notebooks in a temporary
folder, writes the static gallery page, and runs Voila on loopback with what a public
server needs: no source cells, no file browsing (``/`` is the gallery; the tree and
contents pages are gone), preheated kernels, culling of idle kernels (Voila otherwise
keeps the kernel of every closed tab), and the guards of ``app_guard`` and
``app_kernels`` against hostile visitors: checked websocket messages, kernels only for
their own visitor, limits on kernels with a "busy" page past them, incident ids
instead of tracebacks, security headers. ``apps/README.md`` is the operator's guide.
Everything runs on bundled data, so it works with no network.

Examples
--------
.. code-block:: console

    $ astrolearn serve --port 8866 --pool-size 2
    $ astrolearn lab --no-browser
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import errno
import html
import os
import shutil
import socket
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from astrolearn import content  # standard library only

#: The gallery page, written by ``build_apps`` beside the apps' folder.
GALLERY = "gallery.html"
#: Largest websocket message a visitor may send (app_guard.py): widget state updates
#: are a few kB; 1 MiB leaves room for a drawn selection of many points.
MAX_FRAME_BYTES = 1 << 20
#: Voila template of the apps: "lab" without its CDN stylesheets (apps/template/).
TEMPLATE = "astrolearn"
#: The scripts every app page loads, recorded in the template's folder (see
#: ``static_files.page_scripts``).
SCRIPTS = "scripts.txt"
#: Their preload links, written beside it when the server starts, included by the template.
PRELOADS = "preloads.html.j2"
#: The only lab extensions an app page loads: Voila's widget manager and the widget
#: libraries the apps draw with. Everything else installed beside them stays out:
#: nbgrader's extension throws module-federation errors in Voila pages, jupytext's and
#: the notebook's are JupyterLab UI, and every extension costs the visitor load time.
APP_EXTENSIONS = [
    "@voila-dashboards/widgets-manager8",
    "@jupyter-widgets/jupyterlab-manager",
    "bqplot",
    "bqscales",
]
#: Extensions added only when an app's source mentions one of the markers: WebGL
#: scatters cost a visitor about 0.9 MB of JavaScript and 150 ms before the app
#: draws (benchmarks/bench_apps.py), so apps drawn with plain bqplot go without.
OPTIONAL_EXTENSIONS = {
    # astrolearn's widgets draw with bqplot-gl; ours keeps bqplot's selectors
    # working on its marks (labextension/). Importing one module of astrolearn.ui
    # (``from astrolearn.ui.sky_bands import ...``) brings no plot.
    (
        "bqplot_gl",
        "from astrolearn.ui import",
        "import astrolearn.ui",
        "from astrolearn import ui",
    ): [
        "bqplot-gl",
        "@astrolearn/d3-event",
    ],
    ("ipyaladin", "SkyViewer", "MultiBandSky"): ["anywidget"],  # ipyaladin is an anywidget
}


def configure_serve(parser: argparse.ArgumentParser) -> None:
    """Options of ``astrolearn serve``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=8866, help="port to listen on (0: any free port, logged)"
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=1,
        help="preheated kernels kept ready per app (0 turns preheating off)",
    )
    parser.add_argument(
        "--cull-idle-timeout",
        type=int,
        default=600,
        help="seconds after which an idle visitor's kernel is shut down, tab open or not",
    )
    parser.add_argument(
        "--cull-interval", type=int, default=60, help="seconds between idle-kernel checks"
    )
    parser.add_argument(
        "--max-starting",
        type=int,
        default=os.cpu_count() or 1,
        help="app pages whose kernel starts and runs at the same time (default: the CPUs)",
    )
    parser.add_argument(
        "--max-waiting",
        type=int,
        default=50,
        help="visitors who may wait for a start; more get a 'busy, retrying' page",
    )
    parser.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        help="visitors' kernels at once; more get a 'busy' page (default: what free memory holds)",
    )
    parser.add_argument(
        "--max-kernels-per-address",
        type=int,
        default=20,
        help="visitors' kernels one address may hold at once (a class behind a router: more)",
    )
    parser.add_argument(
        "--behind-proxy",
        action="store_true",
        help="a reverse proxy on this machine forwards the visitors: take their address "
        "from X-Real-IP / X-Forwarded-For (never use it without such a proxy)",
    )
    parser.add_argument(
        "--new-kernels-per-minute",
        type=int,
        default=30,
        help="app pages one address may open per minute (a class behind one router needs more)",
    )
    parser.add_argument(
        "--max-frame-bytes",
        type=int,
        default=MAX_FRAME_BYTES,
        help="largest websocket message a visitor may send; a larger one closes its socket",
    )
    parser.add_argument(
        "--base-url", default="/", help="URL prefix when served behind a reverse proxy"
    )
    parser.add_argument(
        "--no-fork",
        action="store_true",
        help="start every kernel as a new Python process instead of forking it from a "
        "warm parent (slower to start, and more memory per visitor)",
    )
    parser.add_argument(
        "--apps",
        type=Path,
        metavar="DIR",
        default=None,
        help="folder of the app sources, MyST .md (default: the content root's apps/)",
    )
    content.add_option(parser)


def configure_lab(parser: argparse.ArgumentParser) -> None:
    """Options of ``astrolearn lab``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8888, help="port to listen on")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--lessons",
        type=Path,
        metavar="DIR",
        default=None,
        help="folder of lessons to open; edits are saved there (default: the content "
        "root's lessons/; the lessons installed with astrolearn are first copied to "
        "./astrolearn-lessons)",
    )
    content.add_option(parser)


def port_taken(host: str, port: int) -> bool:
    """Whether another program listens on ``host:port`` already (port 0 is never taken).

    Asked before a server starts, so that a busy port gets a sentence saying what to
    do instead of the server's traceback.

    Examples
    --------
    >>> port_taken("127.0.0.1", 0)
    False
    """
    if port == 0:
        return False
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the servers do: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def free_port(host: str, port: int, tries: int = 100) -> int:
    """The first port after ``port`` that nothing listens on (0 if none of ``tries`` is).

    Examples
    --------
    >>> 8866 < free_port("127.0.0.1", 8866) <= 8966
    True
    """
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        if not port_taken(host, candidate):
            return candidate
    return 0


def _busy_port_message(command: str, host: str, port: int) -> str:
    # What holds the port is not known (any program may): the message names none.
    return (
        f"{command}: port {port} is in use by another program. Stop it, or use a free "
        f"port: astrolearn {command} --port {free_port(host, port)} (--port 0 picks any "
        "free port and prints it)."
    )


def app_sources(folder: Path | None = None) -> list[Path]:
    """The app sources: every MyST notebook in ``folder`` except its README, sorted.

    ``folder`` defaults to the content root's ``apps/`` (:mod:`astrolearn.content`).

    Examples
    --------
    >>> [p.stem for p in app_sources()][:1]
    ['catch_a_transient']
    """
    folder = content.folder("apps") if folder is None else folder
    return sorted(
        path
        for path in folder.glob("*.md")
        if path.name != "README.md" and path.read_text().lstrip().startswith("---")
    )


def _title_and_goal(markdown: str) -> tuple[str, str]:
    """The first ``#`` heading and the paragraph after it (the app's one-line goal)."""
    lines = markdown.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("# "):
            goal = []
            for following in lines[number + 1 :]:
                if goal and not following.strip():
                    break
                if following.strip():
                    goal.append(following.strip())
            return line[2:].strip(), " ".join(goal).strip("*_ ")
    return "", ""


def gallery_page(apps: list[tuple[str, str, str]]) -> str:
    """The gallery: one card (picture, title, goal) per ``(stem, title, goal)``.

    A static page, served without a kernel at the server's base URL (its links are
    relative to it): a visitor who only looks costs nothing.
    """
    cards = []
    for stem, title, goal in apps:
        stem, title, goal = html.escape(stem), html.escape(title), html.escape(goal)
        cards.append(
            f'<li><a class="al-card" href="voila/render/{stem}.ipynb">'
            f'<img src="voila/files/pictures/{stem}.png"'
            f' alt="Screenshot of the app {title}" width="380" height="260" loading="lazy">'
            f"<strong>{title}</strong><span>{goal}</span></a></li>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1a1a1a}"
        "main{max-width:64em;margin:0 auto;padding:1em}"
        ".al-cards{display:flex;flex-wrap:wrap;gap:1.2em;list-style:none;padding:0}"
        ".al-card{display:flex;flex-direction:column;width:min(380px,100%);box-sizing:border-box;"
        "padding:.6em;border:1px solid #767676;border-radius:8px;color:inherit;"
        "text-decoration:none}.al-cards li{width:min(380px,100%)}"
        ".al-card:hover,.al-card:focus{border-color:#0072B2;outline:3px solid #0072B2}"
        ".al-card img{border-radius:4px;margin-bottom:.4em;width:100%;height:auto}"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        # No favicon: without this line browsers ask for /favicon.ico, which is a 404.
        "<link rel='icon' href='data:,'>"
        f"<title>astrolearn: astronomy as data science</title><style>{style}</style></head>"
        "<body><main><h1>astrolearn: astronomy as data science</h1>"
        "<p>Real data from real sky surveys (SDSS, Gaia, ZTF). Pick an app: no code, no "
        "installation, just explore.</p>"
        f'<ul class="al-cards">{"".join(cards)}</ul></main></body></html>'
    )


def script_links(scripts: list[str], rel: str, prefix: str = "") -> str:
    """``<link>`` tags fetching ``scripts`` (paths beneath the base URL) ahead of use.

    ``preload`` in an app page: now, at high priority. ``prefetch`` in the gallery: when
    the browser idles, for the page a visitor picks next.

    Examples
    --------
    >>> script_links(["voila/static/voila.js"], "prefetch")
    '<link rel="prefetch" href="voila/static/voila.js" as="script">\\n'
    """
    return "".join(
        f'<link rel="{rel}" href="{prefix}{html.escape(path)}" as="script">\n' for path in scripts
    )


def build_apps(source: Path, target: Path) -> list[str]:
    """Convert the MyST app sources into notebooks in ``target`` and write the gallery.

    ``pictures/`` is copied along (the only files Voila serves as files). The apps
    import what they share from the installed package (``astrolearn.ui``), never from
    their own folder. The Voila template
    goes to ``target/../jupyter/voila/templates``, the gallery page to
    ``target/../gallery.html``. Returns the app stems.

    Examples
    --------
    >>> build_apps(content.folder("apps"), Path(tempfile.mkdtemp()))  # doctest: +SKIP
    ['catch_a_transient', 'explore_the_sky', ...]
    """
    from astrolearn import notebooks

    if not source.is_dir():
        raise FileNotFoundError(f"apps: no such folder {source}")
    target.mkdir(parents=True, exist_ok=True)
    apps = []
    for path in app_sources(source):
        notebooks.write_ipynb(path, target / f"{path.stem}.ipynb")
        apps.append((path.stem, *_title_and_goal(path.read_text())))
    if not apps:
        raise FileNotFoundError(f"apps: no MyST app sources in {source}")
    if (source / "pictures").is_dir():
        shutil.copytree(source / "pictures", target / "pictures", dirs_exist_ok=True)
    (target.parent / GALLERY).write_text(gallery_page(apps))
    templates = target.parent / "jupyter" / "voila" / "templates"
    shutil.copytree(source / "template", templates / TEMPLATE, dirs_exist_ok=True)
    return [stem for stem, _, _ in apps]


def lab_extensions(root: Path) -> list[str]:
    """The lab extensions the app pages in ``root`` need (see APP_EXTENSIONS)."""
    sources = [path.read_text() for path in root.glob("*.ipynb")]
    extensions = list(APP_EXTENSIONS)
    for markers, needed in OPTIONAL_EXTENSIONS.items():
        if any(marker in text for marker in markers for text in sources):
            extensions += needed
    return extensions


def voila_arguments(args: argparse.Namespace, root: Path) -> list[str]:
    """Voila command-line options for a public, offline, preheated, culled server."""
    preheat = args.pool_size > 0
    options = [
        str(root),
        "--no-browser",
        f"--Voila.ip={args.host}",
        f"--Voila.port={args.port}",
        "--Voila.port_retries=0",
        f"--Voila.base_url={args.base_url}",
        # Our "lab" template without CDN links; "classic" loads jQuery and icons from CDNs.
        f"--VoilaConfiguration.template={TEMPLATE}",
        # "null" makes Voila use JupyterLab's bundled MathJax instead of cdnjs.
        "--Voila.mathjax_url=null",
        "--Voila.mathjax_config=null",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.extension_allowlist={lab_extensions(root)!r}",
        # Pictures only: never notebooks or Python sources.
        "--VoilaConfiguration.file_allowlist=['pictures/.*\\.(png|jpg)']",
        f"--VoilaConfiguration.preheat_kernel={preheat}",
        # Spares kernels that are starting or rendering a page (app_kernels.py).
        "--VoilaConfiguration.multi_kernel_manager_class=astrolearn.app_kernels.AppKernelManager",
        # No tracebacks, exception text or stderr over the websocket (app_guard.py).
        "--Voila.kernel_websocket_connection_class=astrolearn.app_guard.PrivateConnection",
        f"--MappingKernelManager.cull_idle_timeout={args.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={args.cull_interval}",
        # A tab left open holds its kernel no longer than a closed one; the page then
        # says the session ended (apps/template/static/session-ended.js).
        "--MappingKernelManager.cull_connected=True",
    ]
    if preheat:
        options.append(f"--VoilaConfiguration.default_pool_size={args.pool_size}")
    if not args.no_fork:
        # Kernels forked from a parent that has imported the apps' stack (kernel_fork.py).
        options.append("--KernelProvisionerFactory.default_provisioner_name=astrolearn-fork")
    return options


def reporting_voila(xheaders: bool = False):
    """Voila that can be given port 0 and that serves astrolearn's static files.

    Given port 0, it binds a free port and logs the one it got. Stock Voila tries a
    port, and on port 0 logs ``:0``; a caller that picks a free port itself races every
    other process (a kernel's ports) until Voila binds it. With ``xheaders``, a
    visitor's address is read from the headers a reverse proxy sets (tornado's
    ``X-Real-Ip``, else the last ``X-Forwarded-For`` entry). The static files are
    Aladin Lite and the sky's tiles (``static_files.py``).
    """
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets
    from voila.app import Voila

    from astrolearn import static_files

    class ReportingVoila(Voila):
        def init_handlers(self) -> list:
            # Aladin Lite and the sky's tiles, as cached files (static_files.py).
            return static_files.handlers(self.server_url) + super().init_handlers()

        def listen(self) -> None:
            application, held = self.app, None
            if self.port == 0:
                # Bind now and keep the sockets: Voila's own listen (which logs the URL
                # and runs the server) then "listens" on the port already held.
                held = bind_sockets(0, self.ip)
                self.port = held[0].getsockname()[1]

            def listen(port: int, address: str = "", **kwargs) -> HTTPServer:
                server = HTTPServer(application, xheaders=xheaders, **kwargs)
                if held:
                    server.add_sockets(held)
                else:
                    server.listen(port, address)
                return server

            self.app.listen = listen
            super().listen()

    return ReportingVoila


def _voila_application(args: argparse.Namespace):
    """Voila whose ``/`` is the static gallery and which has no tree or contents pages.

    Visitors take turns to start a kernel (``app_kernels.StartSlots``), at most
    ``args.max_kernels`` visitors' kernels run at once and one address opens at most
    ``args.new_kernels_per_minute`` pages a minute. Each visitor reaches only its own
    kernels, and every websocket frame is checked before it is decoded (``app_guard``).
    """
    import voila.notebook_renderer
    from jupyter_server.base.handlers import FileFindHandler
    from jupyter_server.services.kernels.handlers import KernelHandler
    from jupyter_server.utils import url_path_join
    from tornado.web import HTTPError, RedirectHandler, RequestHandler
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler

    from astrolearn import static_files
    from astrolearn.app_guard import (
        HARD_LIMIT_FACTOR,
        PrivateExecutor,
        SecurityHeaders,
        end_session,
        greet_visitor,
        guarded_kernel_websocket,
        private_request_info,
        visitors_own_kernels,
    )
    from astrolearn.app_kernels import (
        RENDER_LIMIT,
        RETRY_AFTER,
        NewKernelRate,
        StartSlots,
        busy_page,
    )

    slots = StartSlots(args.max_starting, args.max_waiting)
    rate = NewKernelRate(args.new_kernels_per_minute)

    class TemplateFiles(static_files.PackedFiles, TemplateStaticFileHandler):
        """Voila's template files, with a 404 (not a 500) for a path of the wrong form."""

        def parse_url_path(self, path: str) -> str:
            parts = path.split("/")
            if len(parts) < 3 or parts[1] != "static" or ".." in parts:
                raise HTTPError(404)
            return super().parse_url_path(path)

    # Voila's handlers that name a kernel in their URL (or fail on odd paths), and
    # what replaces each.
    guarded = {
        TornadoVoilaHandler: None,  # AppHandler, below
        VoilaKernelWebsocketHandler: guarded_kernel_websocket(VoilaKernelWebsocketHandler),
        KernelHandler: visitors_own_kernels(KernelHandler),
        VoilaShutdownKernelHandler: visitors_own_kernels(VoilaShutdownKernelHandler),
        RequestInfoSocketHandler: private_request_info(RequestInfoSocketHandler),
        TemplateStaticFileHandler: TemplateFiles,
        # Voila's code and the lab extensions': gzipped from memory, cached when their
        # names say their content (static_files.PackedFiles).
        MultiStaticFileHandler: type(
            "VoilaFiles", (static_files.PackedFiles, MultiStaticFileHandler), {}
        ),
        FileFindHandler: type("ExtensionFiles", (static_files.PackedFiles, FileFindHandler), {}),
    }

    class AppHandler(TornadoVoilaHandler):
        async def prepare(self) -> None:
            await super().prepare()
            # Sets the _xsrf cookie. The page sends it back when the tab closes, to shut
            # its kernel down at once; without it Voila refuses (403) and the kernel
            # lingers until culled (voila issue 1458).
            _ = self.xsrf_token
            self.visitor = greet_visitor(self)

        async def get(self, path: str | None = None) -> None:
            if self.request.query:
                # The apps take no arguments, and any (?template=, ?theme=, ...) makes
                # Voila start a kernel instead of handing out a preheated one; a
                # template that does not exist leaves the page rendering for ever.
                return self.redirect(self.request.path)
            manager = self.kernel_manager
            notebook = self.notebook_path or path
            # Voila's own test of whether this request gets a preheated kernel (a
            # ?template= or other arguments make it start one).
            preheated = self.should_use_rendered_notebook(
                manager.notebook_data.get(notebook, {}),
                manager.get_pool_size(notebook),
                self.get_argument("template", None),
                self.get_argument("theme", None),
                self.request.arguments,
            )
            if manager.visitor_kernels() >= args.max_kernels:
                self.log.warning(
                    "busy: %d kernels, the most allowed; %s refused", args.max_kernels, path
                )
                reason = f"All {args.max_kernels} places for visitors are taken."
                return self.refuse(503, reason)
            address = self.request.remote_ip
            if manager.address_kernels(address) >= args.max_kernels_per_address:
                self.log.warning(
                    "busy: %s holds the most kernels allowed; %s refused", address, path
                )
                reason = "Many apps are open from your network already."
                return self.refuse(429, reason)
            if not rate.allow(address):
                self.log.warning(
                    "busy: %s opened too many pages; %s refused", self.request.remote_ip, path
                )
                reason = "Many apps were opened from your network in the last minute."
                return self.refuse(429, reason)
            if not preheated and slots.full():
                self.log.warning("busy: %d visitors waiting; %s refused", slots.waiting, path)
                reason = f"{slots.waiting} visitors are already waiting for their app to start."
                return self.refuse(503, reason)
            # Entered before the queue, with no await since the checks above, so that a
            # visitor waiting for a start counts against --max-kernels. A preheated
            # kernel is ready: its visitor need not queue for a start.
            async with (
                manager.rendering_page(self.visitor, self.request.remote_ip),
                nullcontext() if preheated else slots.slot(),
            ):
                try:
                    # A timeout in this task (not wait_for's new task): the kernel
                    # manager tells this request's kernels by their task.
                    async with asyncio.timeout(RENDER_LIMIT):
                        await super().get(path)
                except TimeoutError:
                    # Its kernel is culled as any other once rendering_page ends.
                    self.log.warning("%s took over %d s to render; stopped", path, RENDER_LIMIT)
                    if not self._finished:
                        self.finish()

        def refuse(self, status: int, reason: str) -> None:
            """Answer with the busy page, which asks again by itself."""
            self.set_status(status)
            self.set_header("Retry-After", str(RETRY_AFTER))
            self.finish(busy_page(reason))

    guarded[TornadoVoilaHandler] = AppHandler

    class GalleryHandler(RequestHandler):
        """The gallery page, as built: no kernel, no template, nothing to compute."""

        def initialize(self, page: str) -> None:
            self.page = page

        def get(self) -> None:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(self.page)

    class GalleryVoila(reporting_voila(xheaders=args.behind_proxy)):
        def init_settings(self) -> dict:
            settings = super().init_settings()
            settings["transforms"] = [SecurityHeaders]  # tornado's default: none
            settings["astrolearn_max_frame_bytes"] = args.max_frame_bytes
            # tornado cuts far bigger websocket messages before reading them.
            settings["websocket_max_message_size"] = args.max_frame_bytes * HARD_LIMIT_FACTOR
            # The scripts every app page loads, named up front (static_files.page_scripts):
            # preloaded by the app template, prefetched by the gallery.
            # Written before any page (a pool's too) is rendered.
            template = Path(self.root_dir).parent / "jupyter" / "voila" / "templates" / TEMPLATE
            scripts = static_files.page_scripts(
                template / SCRIPTS, self.static_paths, self.labextensions_path
            )
            for file in scripts.values():
                static_files.pack(file)
            self.page_scripts = list(scripts)
            (template / PRELOADS).write_text(
                script_links(self.page_scripts, "preload", "{{ resources.base_url }}")
            )
            # Voila's renderer builds its executor from this module-level name.
            voila.notebook_renderer.VoilaExecutor = PrivateExecutor
            manager = self.kernel_manager
            manager.on_shutdown.append(end_session)
            if not hasattr(manager, "get_rendered_notebook"):  # preheating is off
                return settings
            hand_out = manager.get_rendered_notebook

            async def get_rendered_notebook(*args, **kwargs):
                task, cache, kernel_id = await hand_out(*args, **kwargs)
                # Once handed out, a pooled kernel is the page's kernel: spared by the
                # culler until the page has been sent and has had time to connect.
                manager.serving_page(kernel_id)
                return task, cache, kernel_id

            manager.get_rendered_notebook = get_rendered_notebook
            return settings

        def init_handlers(self) -> list:
            browsing = (TornadoVoilaTreeHandler, VoilaContentsHandler)
            kept = [
                (handler[0], guarded.get(handler[1], handler[1]), *handler[2:])
                for handler in super().init_handlers()
                if handler[1] not in browsing
            ]
            # The public comes through the gallery: a visitor who picks an app finds its
            # scripts in the browser's cache already. Links relative, as the cards' are.
            page = (Path(self.root_dir).parent / GALLERY).read_text()
            page = page.replace("</head>", script_links(self.page_scripts, "prefetch") + "</head>")
            home = {"url": self.base_url}
            routes = [
                (url_path_join(self.server_url, "/"), GalleryHandler, {"page": page}),
                (self.server_url.rstrip("/") or "/", RedirectHandler, home),
                # The former gallery notebook, file listings and contents: the gallery.
                (
                    url_path_join(self.server_url, "/voila/render/gallery.ipynb"),
                    RedirectHandler,
                    home,
                ),
                (url_path_join(self.server_url, "/voila/tree.*"), RedirectHandler, home),
                (url_path_join(self.server_url, "/voila/api/contents.*"), RedirectHandler, home),
            ]
            return routes + kept

    return GalleryVoila


def run_serve(args: argparse.Namespace) -> int:
    """Build the apps and run the Voila server until interrupted."""
    if args.pool_size < 0 or args.pool_size > 16:
        print("serve: --pool-size must lie in 0..16", file=sys.stderr)
        return 2
    if args.cull_idle_timeout <= 0 or args.cull_interval <= 0:
        print("serve: --cull-idle-timeout and --cull-interval must be > 0", file=sys.stderr)
        return 2
    if args.max_frame_bytes < 4096:
        print("serve: --max-frame-bytes must be >= 4096", file=sys.stderr)
        return 2
    counts = (args.new_kernels_per_minute, args.max_kernels_per_address, args.max_kernels or 1)
    if min(counts) < 1:
        print(
            "serve: --max-kernels, --max-kernels-per-address and --new-kernels-per-minute "
            "must be >= 1",
            file=sys.stderr,
        )
        return 2
    if args.max_starting < 1 or args.max_waiting < 0:
        print("serve: --max-starting must be >= 1 and --max-waiting >= 0", file=sys.stderr)
        return 2
    if port_taken(args.host, args.port):
        print(_busy_port_message("serve", args.host, args.port), file=sys.stderr)
        return 2
    source = args.apps if args.apps is not None else content.folder("apps", args.content)
    build = Path(tempfile.mkdtemp(prefix="astrolearn-apps-"))
    atexit.register(shutil.rmtree, build, ignore_errors=True)
    root = build / "apps"
    try:
        apps = build_apps(Path(source), root)
    except FileNotFoundError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    # Many visitors share a few cores: one OpenMP/BLAS thread per kernel avoids the
    # oversubscription that turned a 2 s scikit-learn fit into minutes under load.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # Voila finds the template through the Jupyter data path.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(build / "jupyter"), os.environ.get("JUPYTER_PATH")])
    )
    print(f"astrolearn serve: {len(apps)} apps: {', '.join(apps)}", file=sys.stderr)
    if args.max_kernels is None:
        from astrolearn.app_kernels import (
            FORKED_KERNEL_BYTES,
            KERNEL_BYTES,
            available_memory,
            default_max_kernels,
        )

        free = available_memory()
        each = KERNEL_BYTES if args.no_fork else FORKED_KERNEL_BYTES
        pooled = args.pool_size * len(apps)
        fits = default_max_kernels(free, pooled, each) if free else 4 * (os.cpu_count() or 1)
        args.max_kernels = fits
        print(
            f"astrolearn serve: at most {args.max_kernels} visitors' kernels "
            f"({free >> 20} MiB free, {each >> 20} MiB each; --max-kernels to change)",
            file=sys.stderr,
        )
    if not args.no_fork:
        from astrolearn.kernel_fork import fork_server

        # Now, so that it imports the apps' stack while Voila starts.
        fork_server().start()
    _voila_application(args).launch_instance(argv=voila_arguments(args, root))
    return 0


LAB_CONFIG = Path(__file__).resolve().parent / "lab_config"
#: Where ``lab`` copies the installed lessons, in the folder it is started from.
LESSONS_COPY = "astrolearn-lessons"


def _own_copy(lessons: Path, copy: Path) -> Path:
    """The learner's copy of the installed lessons, made once: edits are saved there,
    never into the installed package, and a later ``lab`` opens them again."""
    if not copy.exists():
        shutil.copytree(lessons, copy)
        print(
            f"astrolearn lab: copied the lessons to {copy}; your edits are saved there", flush=True
        )
    return copy


def run_lab(args: argparse.Namespace) -> int:
    """Run JupyterLab on the lessons, bound to ``args.host``."""
    if port_taken(args.host, args.port):
        print(_busy_port_message("lab", args.host, args.port), file=sys.stderr)
        return 2
    lessons = args.lessons if args.lessons is not None else content.folder("lessons", args.content)
    if not lessons.is_dir():
        print(f"lab: --lessons {lessons} is not a folder: name a lessons folder", file=sys.stderr)
        return 2
    if content.is_installed(lessons):
        lessons = _own_copy(lessons, Path.cwd() / LESSONS_COPY)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.ip={args.host}",
        f"--ServerApp.port={args.port}",
        f"--ServerApp.root_dir={lessons}",
        # JupyterLab would otherwise move to the next free port without a word.
        "--ServerApp.port_retries=0",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if os.geteuid() == 0:
        command.append("--allow-root")
    # The lessons are MyST Markdown: this layer of settings makes JupyterLab open them
    # as notebooks (through jupytext) on a double click, not in the text editor.
    config_path = [str(LAB_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH", "")]
    env = {**os.environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(filter(None, config_path))}
    # Become JupyterLab rather than wait for it: a stop signal (a service manager's, a
    # test's) then reaches the server itself instead of orphaning it with its kernels.
    os.execve(sys.executable, command, env)
