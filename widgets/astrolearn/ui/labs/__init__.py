"""The machine-learning labs: one widget per lab, each driven by traits and a Train button.

Every lab takes a dataset name, an astropy Table or a shared :class:`Selection`; pass
the explorer's selection to link them, so the lab's results (misclassified objects,
outliers, embedded points, a star's points) light up in the explorer and on the sky::

    from astrolearn.ui import ParameterSpaceExplorer
    from astrolearn.ui.labs import OutlierLab
    explorer = ParameterSpaceExplorer("sdss_dr14")
    lab = OutlierLab(explorer.selection)
"""

from __future__ import annotations

from .lightcurve import LightCurveLab
from .outliers import OutlierLab
from .reduction import ReductionLab
from .uncertainty import UncertaintyLab

__all__ = [
    "LightCurveLab",
    "OutlierLab",
    "ReductionLab",
    "UncertaintyLab",
]
