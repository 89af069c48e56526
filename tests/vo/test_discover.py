"""Registry discovery needs the internet, and says so."""

import pytest
from astrolearn import vo


@pytest.mark.parametrize("backend", ["offline", "mirror"])
def test_no_registry_offline_or_on_the_mirror(backend):
    with pytest.raises(vo.OfflineUnavailableError, match=r"needs the internet.*gaia_dr3"):
        vo.discover("gaia dr3", backend=backend)


def test_bad_arguments_are_named():
    with pytest.raises(vo.InvalidInputError, match="servicetype"):
        vo.discover("gaia", servicetype="ftp", backend="offline")
    with pytest.raises(vo.InvalidInputError, match="keywords"):
        vo.discover("", backend="offline")


def test_registry_errors_live_and_auto(fault_server):
    # pyvo's real RegTAP query builder and TAP client against a failing registry.
    vo.config.settings.endpoints["registry"] = f"{fault_server}/error500/tap"
    vo.config.settings.retries = 0
    with pytest.raises(vo.ServiceUnavailableError):
        vo.discover("gaia", backend="live")
    with pytest.raises(vo.OfflineUnavailableError, match="no local registry"):
        vo.discover("gaia")
