"""astrolearn widgets: sky viewer, parameter-space explorer, labs and quizzes.

Every view observes one shared :class:`Selection` (a catalog and its selected rows), so
a brush in a plot selects the same sources on the sky and in any lab linked to it::

    from astrolearn.ui import ParameterSpaceExplorer, SkyViewer
    explorer = ParameterSpaceExplorer("sdss_dr14")
    sky = SkyViewer(explorer.selection)
"""

from __future__ import annotations

from ._selection import Selection
from .explorer import ParameterSpaceExplorer, as_selection
from .palette import OKABE_ITO, class_colours
from .quiz import Choice, MultipleChoice, Numeric, Quiz
from .sky import OfflineAladin, SkyViewer
from .sky_bands import MultiBandSky

__all__ = [
    "OKABE_ITO",
    "Choice",
    "MultiBandSky",
    "MultipleChoice",
    "Numeric",
    "OfflineAladin",
    "ParameterSpaceExplorer",
    "Quiz",
    "Selection",
    "SkyViewer",
    "as_selection",
    "class_colours",
]
