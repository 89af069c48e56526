"""Shared real-data fixtures for the widget tests."""

from __future__ import annotations

import pytest
from astrolearn import data
from astrolearn.ui import ParameterSpaceExplorer


@pytest.fixture(scope="session")
def sdss():
    """SDSS DR14: 10,000 spectroscopic objects with ugriz magnitudes and classes."""
    return data.load("sdss_dr14")


@pytest.fixture
def explorer(sdss):
    """A fresh explorer of the SDSS sample (every test may change its state)."""
    return ParameterSpaceExplorer(sdss, name="sdss_dr14")
