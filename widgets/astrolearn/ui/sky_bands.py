"""The same sky in several wavelengths: HiPS layers blended with a slider.

:class:`MultiBandSky` stacks the bundled all-sky tile sets (``astrolearn.data.sky``:
Gaia optical, 2MASS near infrared, IRAS/WISE far infrared, Fermi gamma rays) as image
layers of one Aladin Lite view. A slider moves along the wavelengths and cross-fades
neighbouring bands; buttons jump to a band. Each band's caption says what that light
shows, and the credits of the maps on screen are shown beside it. The tiles come from
the server (``astrolearn.static_files``), so the sky works with no network; when the
CDS survey server answers, its HiPS surveys can be added as more bands.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
from astropy.coordinates import SkyCoord

from astrolearn.data import sky as local_sky
from astrolearn.static_files import survey_path

from .sky import OfflineAladin, ViewControls, network_available, point


@dataclass(frozen=True)
class Band:
    """One image layer: a local tile set or a CDS HiPS survey."""

    id: str
    label: str
    title: str
    url: str
    wavelength: str = ""
    caption: str = ""
    credit: str = ""


#: CDS HiPS surveys offered when the survey server answers (Aladin Lite's own list
#: names these URLs for them).
CDS_BANDS = (
    Band(
        "P/GALEXGR6_7/NUV",
        "ultraviolet (CDS)",
        "GALEX GR6/7 near ultraviolet",
        "https://alasky.cds.unistra.fr/GALEX/GALEXGR6_7_NUV",
        "0.18 to 0.28 µm",
        "Hot young stars and star-forming galaxies.",
        "NASA GALEX; HiPS by CDS",
    ),
    Band(
        "P/DSS2/color",
        "optical (CDS)",
        "DSS2 colour",
        "https://alasky.cds.unistra.fr/DSS/DSSColor",
        "blue and red photographic plates",
        "The sky of the photographic survey plates, star by star.",
        "STScI Digitized Sky Survey; HiPS by CDS",
    ),
    Band(
        "P/allWISE/color",
        "mid-infrared (CDS)",
        "AllWISE colour (W1, W2, W4)",
        "https://alaskybis.cds.unistra.fr/AllWISE/RGB-W4-W2-W1",
        "3.4, 4.6 and 22 µm",
        "Warm dust around young stars and in galaxies.",
        "NASA/JPL-Caltech/UCLA WISE; HiPS by CDS",
    ),
    Band(
        "P/Fermi/color",
        "gamma rays (CDS)",
        "Fermi LAT colour",
        "https://alasky.cds.unistra.fr/Fermi/Color",
        "GeV energies",
        "Cosmic rays hitting gas, pulsars and blazars.",
        "NASA/DOE/Fermi LAT Collaboration; HiPS by CDS",
    ),
)


def local_bands() -> list[Band]:
    """The bundled all-sky tile sets as bands, from visible light to gamma rays."""
    return [
        Band(
            survey.id,
            survey.regime,
            survey.title,
            survey_path(survey.id),
            survey.wavelength,
            survey.caption,
            survey.credit,
        )
        for survey in local_sky.surveys()
    ]


def blend_opacities(position: float, count: int) -> list[float]:
    """Opacity of each of ``count`` stacked layers at ``position`` on the band slider.

    Between bands ``k`` and ``k + 1`` the lower one is opaque and the upper one fades
    in: the picture is a mix of the two, never darker than either.

    Examples
    --------
    >>> blend_opacities(1.25, 4)
    [0.0, 1.0, 0.25, 0.0]
    """
    position = min(max(float(position), 0.0), count - 1.0)
    lower = int(position)
    fraction = round(position - lower, 6)
    return [1.0 if k == lower else fraction if k == lower + 1 else 0.0 for k in range(count)]


class MultiBandSky(widgets.VBox):
    """One region of the sky in every bundled wavelength, blended with a slider.

    Parameters
    ----------
    target : str
        ``"ra dec"`` in degrees (ICRS); by default the Galactic centre.
    fov : float
        Field of view in degrees.
    height : int
        Height of the sky view in pixels.
    online : bool, optional
        Whether to offer the CDS surveys; by default, when the CDS server answers.

    Examples
    --------
    >>> sky = MultiBandSky(online=False)  # doctest: +SKIP
    >>> sky.show_band("gaia-edr3-optical")  # doctest: +SKIP
    """

    def __init__(
        self,
        target: str = "266.40500 -28.93617",
        fov: float = 60.0,
        height: int = 400,
        online: bool | None = None,
    ) -> None:
        self.online = network_available() if online is None else bool(online)
        self.bands = local_bands()
        self.aladin = OfflineAladin(
            survey="",
            target=target,
            fov=fov,
            height=height,
            show_simbad_pointer_control=False,
            show_share_control=False,
            # Aladin Lite's own menus (layers, settings, grid, frame, projection,
            # full screen, zoom) are icon buttons and lists without accessible names;
            # the move, zoom and band buttons and the slider below take their place.
            show_layers_control=False,
            show_settings_control=False,
            show_coo_grid_control=False,
            show_projection_control=False,
            show_fullscreen_control=False,
            show_frame=False,
            show_zoom_control=False,
            # Its search box asks the network's name resolver, in grey on grey.
            show_coo_location=False,
        )
        # The bundled maps have pixels of a few arcminutes: half a degree shows them.
        self.controls = ViewControls(self.aladin, fov_range=(0.5, 180.0))
        self.buttons = widgets.ToggleButtons(
            description="Band:",
            style={"description_width": "initial", "button_width": "auto"},
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.blend = widgets.FloatSlider(
            value=0.0,
            min=0.0,
            step=0.05,
            description="Wavelength (blend):",
            readout=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", max_width="420px"),
        )
        self.caption = widgets.HTML()
        self.credits = widgets.HTML()
        self.cds_choice = widgets.Dropdown(
            options=[(band.title, band.id) for band in CDS_BANDS],
            description="CDS survey:",
            style={"description_width": "initial"},
        )
        self.add_button = widgets.Button(description="Add CDS survey")
        self.add_button.on_click(lambda _: self.add_cds_band(self.cds_choice.value))
        self.network_note = widgets.HTML()
        online_row = widgets.HBox(
            [self.cds_choice, self.add_button], layout=widgets.Layout(flex_flow="row wrap")
        )
        online_row.layout.display = None if self.online else "none"
        super().__init__(
            [
                self.aladin,
                self.controls,
                self.buttons,
                self.blend,
                self.caption,
                self.credits,
                self.network_note,
                online_row,
            ]
        )
        self._update_bands()
        self.blend.observe(self._blended, "value")
        self.buttons.observe(self._chosen, "value")
        self._blended()

    def _update_bands(self) -> None:
        self.blend.max = max(len(self.bands) - 1, 0.0001)
        self.buttons.options = [(band.label, index) for index, band in enumerate(self.bands)]
        local = ", ".join(f"{b.label} ({b.title})" for b in self.bands if "://" not in b.url)
        if self.online:
            note = f"Local surveys: {local}. Online: the CDS surveys below can be added."
        else:
            note = (
                f"Offline: the sky shows the local surveys only: {local}. "
                "The CDS surveys need the network."
            )
        self.network_note.value = f"<small>{html.escape(note)}</small>"

    def show_band(self, id: str) -> None:
        """Show band ``id`` alone."""
        ids = [band.id for band in self.bands]
        if id not in ids:
            raise ValueError(f"no band {id!r} in this view; its bands: {ids}")
        self.blend.value = float(ids.index(id))

    def add_cds_band(self, id: str) -> Band:
        """Add the CDS HiPS survey ``id`` as the last band and show it (online only)."""
        if not self.online:
            raise RuntimeError("the CDS surveys need the network")
        found = [band for band in CDS_BANDS if band.id == id]
        if not found:
            raise ValueError(f"no CDS survey {id!r}; offered: {[b.id for b in CDS_BANDS]}")
        band = found[0]
        if band not in self.bands:
            self.bands.append(band)
            self._update_bands()
        self.show_band(id)
        return band

    def goto(self, position: SkyCoord, fov: float | None = None) -> None:
        """Centre the view on ``position`` (any frame), with ``fov`` degrees if given."""
        point(self.aladin, position)
        if fov is not None:
            self.aladin.fov = float(fov)

    def _chosen(self, change) -> None:
        # A button pressed, not the slider's nearest band being shown (see _blended).
        if change["new"] is not None and round(self.blend.value) != change["new"]:
            self.blend.value = float(change["new"])

    def _blended(self, change=None) -> None:
        opacities = blend_opacities(self.blend.value, len(self.bands))
        self.aladin._layers = [
            {"name": band.id, "title": band.title, "url": band.url, "opacity": opacity}
            for band, opacity in zip(self.bands, opacities, strict=True)
        ]
        nearest = round(self.blend.value)
        if self.buttons.value != nearest:
            self.buttons.value = nearest
        shown = [(band, o) for band, o in zip(self.bands, opacities, strict=True) if o > 0]
        escape = html.escape
        if len(shown) == 1:
            band = shown[0][0]
            text = f"<b>{escape(band.title)}</b> ({escape(band.wavelength)}). "
            text += escape(band.caption)
        else:
            (lower, _), (upper, fraction) = shown
            text = (
                f"<b>{escape(lower.title)}</b> with <b>{escape(upper.title)}</b> blended "
                f"over it ({fraction:.0%}). {escape(upper.caption)}"
            )
        self.caption.value = f"<p role='status' aria-live='polite'>{text}</p>"
        credits = "; ".join(dict.fromkeys(band.credit for band, _ in shown))
        self.credits.value = f"<small>Image credit: {html.escape(credits)}</small>"
