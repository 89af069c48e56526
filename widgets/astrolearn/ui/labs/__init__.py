"""The machine-learning labs: one widget per lab, each driven by traits and a Train button.

Every lab takes a dataset name, an astropy Table or a shared :class:`Selection`; pass
the explorer's selection to link them, so the lab's results (misclassified objects,
cluster members, outliers, a star's points) light up in the explorer and on the sky::

    from astrolearn.ui import ParameterSpaceExplorer
    from astrolearn.ui.labs import ClassifierLab
    explorer = ParameterSpaceExplorer("sdss_dr14")
    lab = ClassifierLab(explorer.selection)
"""

from __future__ import annotations

from .classifier import ClassifierLab
from .clustering import ClusteringLab
from .lightcurve import LightCurveLab
from .outliers import OutlierLab
from .reduction import ReductionLab
from .uncertainty import UncertaintyLab

__all__ = [
    "ClassifierLab",
    "ClusteringLab",
    "LightCurveLab",
    "OutlierLab",
    "ReductionLab",
    "UncertaintyLab",
]
