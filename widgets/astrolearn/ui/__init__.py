"""astrolearn widgets: sky viewer, parameter-space explorer, labs and quizzes.

Every view observes one shared :class:`Selection` (a catalog and its selected rows), so
a brush in a plot selects the same sources on the sky and in any lab linked to it::

    from astrolearn.ui import ParameterSpaceExplorer, SkyViewer
    explorer = ParameterSpaceExplorer("sdss_dr14")
    sky = SkyViewer(explorer.selection)

The parts of a page (:mod:`.page`: instructions, help, status line, safe callbacks,
credit), the colours (:mod:`.palette`) and point pictures (:mod:`.points`) are used by
lessons and the public apps alike.

The names below are imported when first used: a page that needs only
``astrolearn.ui.page`` does not pay for the sky viewer and the WebGL plots (about
30 MB and half a second in every kernel of a public app).
"""

from __future__ import annotations

import importlib

#: Where each public name lives.
_HOMES = {
    "Selection": "._selection",
    "ParameterSpaceExplorer": ".explorer",
    "as_selection": ".explorer",
    "OKABE_ITO": ".palette",
    "class_colours": ".palette",
    "Choice": ".quiz",
    "MultipleChoice": ".quiz",
    "Numeric": ".quiz",
    "Quiz": ".quiz",
    "OfflineAladin": ".sky",
    "SkyViewer": ".sky",
    "MultiBandSky": ".sky_bands",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name], __name__), name)
    globals()[name] = value  # once: the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
