"""astrolearn: interactive lessons in astroinformatics.

Virtual Observatory queries and machine-learning exercises on real survey data,
as widgets for JupyterLab, Voila, Jupyter Book and nbgrader.

The sub-packages load lazily: ``import astrolearn`` is cheap, and
``astrolearn.data``, ``astrolearn.vo``, ``astrolearn.ml`` and ``astrolearn.ui`` are
imported on first use.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = ["data", "grading", "ml", "ui", "vo"]


def __getattr__(name: str):
    if name in __all__:
        return importlib.import_module(f"astrolearn.{name}")
    raise AttributeError(f"module 'astrolearn' has no attribute {name!r}")
