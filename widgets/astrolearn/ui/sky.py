"""Sky viewer: Aladin Lite (ipyaladin) that works offline and shows a shared Selection.

ipyaladin 0.8 loads Aladin Lite from a CDN at run time, so offline its widget stays
blank. :class:`OfflineAladin` is ipyaladin's widget with the same Python API, whose
JavaScript imports the npm ``aladin-lite`` bundle shipped in ``astrolearn/static`` (written by
``tools/vendor-js.sh``) as a static file that the browser caches
(``astrolearn.static_files``). Offline, a real DSS image of NGC 6819 is the base layer and
no survey servers are contacted; online, the usual HiPS surveys are used.
"""

from __future__ import annotations

import html
import socket

import ipywidgets as widgets
import numpy as np
import traitlets
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table
from ipyaladin import Aladin, Marker
from ipyaladin.utils.call_store import CallStore

from astrolearn.static_files import STATIC, aladin_lite_path

from ._selection import Selection
from .palette import OKABE_ITO, SELECTION_COLOUR

OFFLINE_IMAGE = "dss_ngc6819"
ONLINE_SURVEY = "P/DSS2/color"
#: Catalog overlaid on the offline image: Cantat-Gaudin+2018 clusters include NGC 6819.
OFFLINE_CATALOG = "open_clusters_cg2018"
SURVEY_HOST = ("alasky.cds.unistra.fr", 443)
NO_DETAILS = "<i>Click a source to see its row.</i>"
#: Where each move button takes the view, as a position angle (degrees east of north).
#: Aladin Lite shows the sky as seen from the ground, north up and east to the left, so
#: "Right" moves the view west, to lower right ascension (or Galactic longitude).
PAN_ANGLES = {"Left": 90.0, "Right": 270.0, "Up": 0.0, "Down": 180.0}
#: How far one press moves the view: this fraction of its width.
PAN_STEP = 0.25
#: Big enough to touch on a phone (WCAG 2.5.5: 44 CSS pixels).
TOUCH = widgets.Layout(width="auto", min_width="44px", height="44px")


class OfflineAladin(Aladin):
    """ipyaladin's ``Aladin`` loading Aladin Lite from the package, never from a CDN.

    Same Python API as :class:`ipyaladin.Aladin`; besides, ``survey=""`` means no HiPS
    at all and ``add_fits(..., as_base=True)`` makes the image the base layer.

    Examples
    --------
    >>> viewer = OfflineAladin(survey="", target="295.33 40.19", fov=0.7)  # doctest: +SKIP
    """

    _esm = STATIC / "aladin-widget.js"
    _css = STATIC / "aladin-widget.css"
    #: Where the widget module imports Aladin Lite from, beneath astrolearn's static
    #: prefix (astrolearn/static_files.py): a cached file, not widget state.
    _aladin_lite_path = traitlets.Unicode(aladin_lite_path()).tag(sync=True)
    #: HiPS image layers over the base: dicts of ``name``, ``title``, ``url`` (relative:
    #: a local tile set beneath the static prefix) and ``opacity`` (0 to 1).
    _layers = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, **options) -> None:
        # Aladin Lite reports every page view to CDS unless told not to.
        options.setdefault("log", False)
        # ipyaladin keeps queued calls in one store shared by all instances and never
        # empties it; each viewer gets its own, emptied once replayed.
        self._call_store = CallStore()
        super().__init__(**options)
        self.observe(self._forget_replayed_calls, "_is_loaded")

    def _forget_replayed_calls(self, change) -> None:
        if change["new"]:
            self._call_store.calls.clear()


def point(aladin: Aladin, position: SkyCoord) -> None:
    """Centre ``aladin`` on ``position`` (any frame)."""
    icrs = position.icrs
    # Aladin's target refuses a negative RA, and "-0 0" typed by a visitor gives -0.0.
    ra = float(icrs.ra.deg) % 360.0
    aladin.target = f"{ra:.6f} {icrs.dec.deg:.6f}"


class ViewControls(widgets.HBox):
    """Buttons that move and zoom an Aladin view: the sky by keyboard, touch or mouse.

    Aladin Lite itself answers only to a mouse or fingers. These buttons are reached with
    Tab and pressed with Enter or Space: Left, Right, Up and Down move the view by a
    quarter of its width (see :data:`PAN_ANGLES` for the directions on the sky); Zoom in
    halves the field of view and Zoom out doubles it, within ``fov_range``. A line beside
    them says where the view is, for screen readers too.

    Parameters
    ----------
    aladin : ipyaladin.Aladin
        The view to drive.
    fov_range : tuple of float
        The narrowest and widest field of view the zoom buttons reach, in degrees.

    Examples
    --------
    >>> controls = ViewControls(OfflineAladin(target="10 20", fov=4))  # doctest: +SKIP
    >>> controls.buttons["Right"].click()  # doctest: +SKIP
    """

    def __init__(self, aladin: Aladin, fov_range: tuple[float, float] = (0.01, 180.0)) -> None:
        self.aladin = aladin
        self.fov_range = fov_range
        self.buttons = {}
        for name, angle in PAN_ANGLES.items():
            button = widgets.Button(description=name, layout=TOUCH)
            button.tooltip = f"Move the view {name.lower()}, a quarter of its width"
            button.on_click(lambda _, angle=angle: self.pan(angle))
            self.buttons[name] = button
        self.zoom_in = widgets.Button(description="Zoom in", layout=TOUCH)
        self.zoom_out = widgets.Button(description="Zoom out", layout=TOUCH)
        self.zoom_in.on_click(lambda _: self.zoom(0.5))
        self.zoom_out.on_click(lambda _: self.zoom(2.0))
        self.where = widgets.HTML()
        super().__init__(
            [*self.buttons.values(), self.zoom_in, self.zoom_out, self.where],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        aladin.observe(self._say_where, ["_target", "_fov"])
        self._say_where()

    def pan(self, angle: float) -> None:
        """Move the view a quarter of its width towards position angle ``angle`` (deg)."""
        # Offsets along the frame the view is drawn in: its "up" is that frame's north.
        frame = "galactic" if self.aladin.coo_frame.lower() == "galactic" else "icrs"
        centre = self.aladin.target.transform_to(frame)
        step = PAN_STEP * self.aladin.fov.to_value("deg")
        point(self.aladin, centre.directional_offset_by(angle * u.deg, step * u.deg))

    def zoom(self, factor: float) -> None:
        """Multiply the field of view by ``factor``, kept within ``fov_range``."""
        narrowest, widest = self.fov_range
        fov = self.aladin.fov.to_value("deg") * factor
        self.aladin.fov = min(max(fov, narrowest), widest)

    def _say_where(self, change=None) -> None:
        try:
            centre = self.aladin.target
        except ValueError:  # the page may send anything: keep the last line that made sense
            return
        self.where.value = (
            "<span role='status' aria-live='polite'>"
            f"Centre RA {centre.ra.deg:.2f}°, Dec {centre.dec.deg:+.2f}°; "
            f"{self.aladin.fov.to_value('deg'):.3g}° across</span>"
        )


def network_available(address: tuple[str, int] = SURVEY_HOST, timeout: float = 1.0) -> bool:
    """True when the survey server answers a TCP connection within ``timeout`` seconds."""
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


def _sky_table(table: Table, rows: np.ndarray, max_sources: int) -> Table:
    """Rows with positions for Aladin: ra, dec, the row number, short columns only."""
    rows = rows[:max_sources]
    keep = [
        name
        for name in table.colnames
        if table[name].ndim == 1
        and name not in ("ra", "dec")
        # 64-bit integers (Gaia source_id) lose digits as JavaScript numbers.
        and not (table[name].dtype.kind in "iu" and table[name].dtype.itemsize > 4)
    ][:8]
    sky = Table()
    sky["ra"] = np.asarray(table["ra"], dtype=float)[rows]
    sky["dec"] = np.asarray(table["dec"], dtype=float)[rows]
    sky["row"] = rows.astype(np.int32)
    for name in keep:
        sky[name] = table[name][rows]
    return sky


class SkyViewer(widgets.VBox):
    """Aladin Lite sky view of a catalog, linked to a :class:`Selection`.

    Select sources on the sky (Aladin's selection tool) to select them in every linked
    view; selections made elsewhere are drawn on the sky in the selection colour; a
    click on a source shows its row.

    Parameters
    ----------
    selection : Selection, optional
        Catalog to overlay (needs ``ra``/``dec`` in degrees) and its shared selection.
    offline : bool, optional
        Offline shows the bundled DSS image of NGC 6819 and contacts no server; online
        uses HiPS surveys. By default, online when the survey server answers in 1 s.
    target : str, optional
        ``"ra dec"`` in degrees or an object name (names need the network).
    fov : float, optional
        Field of view in degrees.
    max_sources : int
        At most this many sources are drawn (a browser handles a few 10^4 smoothly).

    Examples
    --------
    >>> from astrolearn import data
    >>> sky = SkyViewer(Selection(data.load("gaia_pleiades")), offline=True)  # doctest: +SKIP
    """

    def __init__(
        self,
        selection=None,
        offline=None,
        target=None,
        fov=None,
        height: int = 450,
        max_sources: int = 20_000,
    ) -> None:
        if selection is not None and not isinstance(selection, Selection):
            raise TypeError(f"selection must be a Selection, got {type(selection).__name__}")
        columns = set() if selection is None else set(selection.table.colnames)
        if selection is not None and len(selection.table) and not {"ra", "dec"} <= columns:
            raise ValueError("selection.table needs 'ra' and 'dec' columns (degrees, ICRS)")
        self.selection = selection
        self.offline = (not network_available()) if offline is None else bool(offline)
        self.max_sources = int(max_sources)
        centre, width = self._default_view()
        self.aladin = OfflineAladin(
            survey="" if self.offline else ONLINE_SURVEY,
            target=target or centre,
            fov=fov or width,
            height=height,
            # The SIMBAD pointer and the share button need CDS servers.
            show_simbad_pointer_control=not self.offline,
            show_share_control=False,
        )
        self.details = widgets.HTML(NO_DETAILS)
        source = "offline: DSS image of NGC 6819" if self.offline else f"online: {ONLINE_SURVEY}"
        self.status = widgets.HTML(f"Sky: {source}")
        self.select_button = widgets.Button(description="Select on sky", icon="square-o")
        self.select_button.on_click(lambda _: self.aladin.rectangular_selection())
        self.controls = ViewControls(self.aladin)
        super().__init__(
            [
                self.aladin,
                self.controls,
                widgets.HBox([self.select_button, self.status]),
                self.details,
            ]
        )
        if self.offline:
            self._add_offline_layers()
        if selection is not None:
            self._show_catalog()
            # A new table (e.g. a new query result in a shared Selection) replaces the old.
            selection.observe(self._show_catalog, "table")
            selection.observe(self._show_selection, "indices")
            selection.observe(self._show_focus, "focus")
        self.aladin.observe(self._sky_selected, "_selected_objects")
        self.aladin.observe(self._sky_clicked, "clicked_object")

    def _default_view(self) -> tuple[str, float]:
        if self.selection is None or len(self.selection.table) == 0:
            return "295.326 40.191", 0.7  # NGC 6819, the offline image
        ra = np.asarray(self.selection.table["ra"], dtype=float)
        dec = np.asarray(self.selection.table["dec"], dtype=float)
        # Mean on the unit sphere: a plain mean of RA fails across RA = 0.
        x = np.nanmean(np.cos(np.radians(dec)) * np.cos(np.radians(ra)))
        y = np.nanmean(np.cos(np.radians(dec)) * np.sin(np.radians(ra)))
        z = np.nanmean(np.sin(np.radians(dec)))
        centre_ra = np.degrees(np.arctan2(y, x)) % 360
        centre_dec = np.degrees(np.arctan2(z, np.hypot(x, y)))
        spread = float(np.nanmax(np.hypot((ra - centre_ra + 180) % 360 - 180, dec - centre_dec)))
        # Aladin Lite's default SIN projection shows at most a hemisphere: beyond ~120°
        # the corners of the view fall off the sky and ipyaladin's WCS update fails.
        return f"{centre_ra:.5f} {centre_dec:.5f}", float(min(max(2.2 * spread, 0.1), 120.0))

    def _add_offline_layers(self) -> None:
        from astrolearn import data

        self.aladin.add_fits(
            data.load_image(OFFLINE_IMAGE), name="DSS NGC 6819", as_base=True, keep_view=True
        )
        self.aladin.add_markers(
            Marker(
                "295.325 40.187",
                "NGC 6819",
                "Old open cluster (about 2.5 Gyr) in Cygnus, in the Kepler field.",
            ),
            name="target",
            color=OKABE_ITO[2],
        )
        # Nearby clusters appear when zooming out (none of them lies on the image).
        clusters = data.load(OFFLINE_CATALOG)
        self.aladin.add_table(
            clusters, name="open clusters (Cantat-Gaudin+ 2018)", color=OKABE_ITO[2], shape="plus"
        )

    def _show_catalog(self, change=None) -> None:
        for name in (self.selection.name, "selection"):
            if name in self.aladin.overlays:
                self.aladin.remove_overlay(name)
        table = self.selection.table
        if len(table) and {"ra", "dec"} <= set(table.colnames):
            rows = np.arange(len(table))
            self.aladin.add_table(
                _sky_table(table, rows, self.max_sources),
                name=self.selection.name,
                color=OKABE_ITO[4],
                shape="circle",
            )
            if change is not None:
                self.aladin.target, self.aladin.fov = self._default_view()

    def _show_selection(self, change=None) -> None:
        if "selection" in self.aladin.overlays:
            self.aladin.remove_overlay("selection")
        indices = self.selection.indices
        if indices.size:
            self.aladin.add_table(
                _sky_table(self.selection.table, indices, self.max_sources),
                name="selection",
                color=SELECTION_COLOUR,
                shape="square",
            )

    def _sky_selected(self, change) -> None:
        if self.selection is None:
            return
        rows = np.array(
            [
                int(source["data"]["row"])
                for catalog in change["new"]
                for source in catalog
                if isinstance(source.get("data"), dict) and "row" in source["data"]
            ],
            dtype=np.int64,
        )
        # Sources picked on an older, longer table's overlay may name rows this one lacks.
        self.selection.indices = rows[(rows >= 0) & (rows < len(self.selection.table))]

    def _sky_clicked(self, change) -> None:
        data = change["new"].get("data") or {}
        if self.selection is not None and "row" in data:
            self.selection.focus = int(data["row"])
        else:
            self.details.value = self._details_html(data)

    def _show_focus(self, change) -> None:
        row = self.selection.focus
        if row >= 0:
            record = self.selection.table[row]
            self.details.value = self._details_html({n: record[n] for n in record.colnames})
        else:  # no focus, e.g. a new table: the old row's details would mislead
            self.details.value = NO_DETAILS

    @staticmethod
    def _details_html(values: dict) -> str:
        cells = "".join(
            f"<tr><th scope='row'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in values.items()
        )
        return f"<table aria-label='selected source'>{cells}</table>"
