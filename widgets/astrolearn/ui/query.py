"""VO query panel: cone search or ADQL through astrolearn.vo, in a background thread."""

from __future__ import annotations

import threading
import time

import astropy.units as u
import ipywidgets as widgets
import traitlets
from astropy.table import Table

from astrolearn import vo
from astrolearn.vo import services

from . import _samp
from ._selection import Selection
from ._table_view import TableView
from .page import say, status_line

#: ADQL examples offered in the editor (the lessons' queries; both run on the mirror).
EXAMPLE_QUERIES = {
    "Bright Pleiades stars (Gaia DR3)": (
        "gaia_dr3",
        "SELECT TOP 500 source_id, ra, dec, parallax, pmra, pmdec, phot_g_mean_mag, bp_rp\n"
        "FROM gaiadr3.gaia_source\n"
        "WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(56.75, 24.12, 1.0))\n"
        "  AND parallax > 6\nORDER BY phot_g_mean_mag",
    ),
    "Quasars with z > 2 (SDSS DR14 sample)": (
        "sdss",
        "SELECT TOP 1000 ra, dec, u, g, r, i, z, redshift, class\nFROM sdss.specphoto\n"
        "WHERE class = 'QSO' AND redshift > 2",
    ),
}
BACKENDS = [
    ("automatic (live, then mirror, then offline)", "auto"),
    ("live", "live"),
    ("local mirror", "mirror"),
    ("offline snapshot", "offline"),
]


def plain_words(error: BaseException) -> str:
    """What went wrong, for a learner: the kind of problem, what to do, the details."""
    advice = [
        (
            vo.UnknownObjectError,
            "The object name was not found. Check the spelling, or "
            "type coordinates in degrees such as '56.75 24.12'.",
        ),
        (vo.InvalidInputError, "One of the inputs is not valid."),
        (vo.ADQLError, "The service did not accept the ADQL query: check column and table names."),
        (
            vo.OfflineUnavailableError,
            "No service could answer: the network and the local mirror are both unavailable.",
        ),
        (
            vo.ServiceUnavailableError,
            "The service is down or too slow to answer. Try again "
            "later, or choose the local mirror.",
        ),
        (vo.EmptyResultError, "The query ran but found no rows: try a larger radius."),
        (vo.MalformedResponseError, "The service answered something that is not a table."),
        (vo.VOError, "The query failed."),
    ]
    for kind, words in advice:
        if isinstance(error, kind):
            return f"{words} ({error})"
    return f"Unexpected error {type(error).__name__}: {error}"


class QueryPanel(widgets.VBox):
    """Ask a VO service for a table: cone search or ADQL, with progress and cancel.

    The query runs in a background thread so the notebook stays responsive; the
    result goes to ``result`` and to ``selection`` (a :class:`Selection` that an
    explorer or a sky viewer can share).

    Parameters
    ----------
    catalog : str
        Named service for the cone search (``"gaia_dr3"``, ``"sdss"``, ...).
    target : str
        Object name or ``"ra dec"`` in degrees.
    radius_arcmin : float
        Cone radius in arcminutes.
    backend : str
        ``"auto"``, ``"live"``, ``"mirror"`` or ``"offline"``.

    Examples
    --------
    >>> panel = QueryPanel(target="Pleiades", radius_arcmin=10, backend="offline")
    >>> panel.run(); panel.wait(60); panel.result.meta["source"]  # doctest: +SKIP
    'offline snapshot'
    """

    result = traitlets.Instance(Table, allow_none=True)
    running = traitlets.Bool(False)
    message = traitlets.Unicode("")

    def __init__(
        self,
        catalog: str = "gaia_dr3",
        target: str = "Pleiades",
        radius_arcmin: float = 10.0,
        backend: str = "auto",
    ) -> None:
        names = [n for n, s in services.SERVICES.items() if s.table is not None]
        self.catalog = widgets.Dropdown(options=names, value=catalog, description="Catalog")
        self.target = widgets.Text(
            value=target, description="Object", placeholder="name, or ra dec in degrees"
        )
        self.radius = widgets.BoundedFloatText(
            value=radius_arcmin, min=0.01, max=300, description="Radius [′]"
        )
        self.backend = widgets.Dropdown(options=BACKENDS, value=backend, description="Source")
        # A combobox: a named service, or the URL of any TAP service typed in.
        self.service = widgets.Combobox(
            options=list(services.SERVICES),
            value="gaia_dr3",
            description="Service",
            ensure_option=False,
            placeholder="name or TAP URL",
        )
        self.examples = widgets.Dropdown(
            options=["(choose an example)", *EXAMPLE_QUERIES], description="Examples"
        )
        self.adql = widgets.Textarea(
            description="ADQL", rows=7, layout=widgets.Layout(width="95%")
        )
        self.examples.observe(self._use_example, "value")
        self.mode = widgets.Tab(
            children=[
                widgets.VBox([self.catalog, self.target, self.radius]),
                widgets.VBox([self.service, self.examples, self.adql]),
            ],
            titles=("Cone search", "ADQL"),
        )
        self.run_button = widgets.Button(
            description="Run query", icon="play", button_style="primary"
        )
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True)
        self.samp_button = widgets.Button(
            description="Send to TOPCAT/Aladin (SAMP)",
            icon="share",
            layout=widgets.Layout(width="auto"),
        )
        self.progress = widgets.FloatProgress(value=0, min=0, max=1, description="Progress")
        self.status = status_line()
        self.status.layout.min_height = "2em"
        self.table_view = TableView()
        self.selection = Selection(Table(), name="query result")
        self.run_button.on_click(lambda _: self.run())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.samp_button.on_click(lambda _: self.send_samp())
        super().__init__(
            [
                self.mode,
                self.backend,
                widgets.HBox([self.run_button, self.cancel_button, self.progress]),
                self.status,
                self.table_view,
                self.samp_button,
            ]
        )
        self._job = 0
        self._thread: threading.Thread | None = None

    def _use_example(self, change) -> None:
        if change["new"] in EXAMPLE_QUERIES:
            self.service.value, self.adql.value = EXAMPLE_QUERIES[change["new"]]

    # --- running ---------------------------------------------------------------------
    def run(self) -> None:
        """Start the query of the open tab in a background thread."""
        if self.running:
            return
        self._job += 1
        job, backend = self._job, self.backend.value
        if self.mode.selected_index == 1:
            service, adql = self.service.value, self.adql.value
            work = lambda: vo.tap(service, backend=backend).run(adql)  # noqa: E731
            what = f"ADQL on {service}"
        else:
            catalog, target = self.catalog.value, self.target.value
            radius = self.radius.value * u.arcmin
            work = lambda: vo.cone_search(catalog, target, radius, backend=backend)  # noqa: E731
            what = f"{catalog} within {self.radius.value:g}′ of {target}"
        self._set_running(True, f"Running: {what}…")
        self._thread = threading.Thread(target=self._work, args=(job, work), daemon=True)
        self._thread.start()
        threading.Thread(target=self._tick, args=(job,), daemon=True).start()

    def _work(self, job: int, work) -> None:
        try:
            table, text = work(), None
        except vo.TruncatedResultError as error:
            table, text = error.table, f"Only the first rows are shown: {error}"
        except Exception as error:  # every failure is shown in plain words
            table, text = None, plain_words(error)
        if job != self._job:  # cancelled meanwhile: the late answer is dropped
            return
        self._finish(table, text)

    def _tick(self, job: int) -> None:
        started = time.monotonic()
        timeout = vo.config.settings.timeout
        while self.running and job == self._job:
            # The VO protocols report no progress: show the time used of the time allowed.
            self.progress.value = min((time.monotonic() - started) / timeout, 1.0)
            time.sleep(0.2)

    def _finish(self, table: Table | None, text: str | None) -> None:
        if table is not None:
            self.result = table
            self.table_view.table = table
            self.selection.table = table
            source = table.meta.get("source", "unknown")
            reason = table.meta.get("fallback_reason")
            note = f" (fell back because: {reason})" if reason else ""
            text = (f"{len(table):,} rows from {source}{note}. " + (text or "")).strip()
            self._set_running(False, text, "success")
        else:
            self._set_running(False, text or "The query failed.", "danger")

    def cancel(self) -> None:
        """Stop waiting for the running query; its answer, if it comes, is ignored.

        The VO protocols offer no way to stop a synchronous request, so the request is
        abandoned (it ends at its timeout) and the panel is free at once.
        """
        if not self.running:
            return
        self._job += 1
        self._set_running(False, "Cancelled: the answer of that query will be ignored.", "")

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running query has finished (for scripts and tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _set_running(self, running: bool, text: str, style: str = "info") -> None:
        self.running = running
        self.run_button.disabled = running
        self.cancel_button.disabled = not running
        self.progress.bar_style = style
        if not running:
            self.progress.value = 1.0 if style == "success" else 0.0
        self.message = text
        say(self.status, text)

    # --- sending ---------------------------------------------------------------------
    def send_samp(self) -> bool:
        """Broadcast the result to SAMP clients; False (with a message) when impossible."""
        if self.result is None:
            say(self.status, "Run a query first, then send its result.")
            return False
        try:
            _samp.send_table(self.result, name=self.selection.name)
        except ConnectionError as error:
            say(self.status, str(error))
            return False
        say(self.status, f"Sent {len(self.result):,} rows to the SAMP clients.")
        return True
