"""Shared real-data fixtures for the ml tests (loaded once per session)."""

from __future__ import annotations

import pytest
from astrolearn import data
from astrolearn.ml import features


@pytest.fixture(scope="session")
def sdss():
    """SDSS DR14 10k spectroscopic objects with adjacent-band colours added."""
    return features.colours(data.load("sdss_dr14"))


@pytest.fixture(scope="session")
def htru2():
    return data.load("htru2_pulsars")
