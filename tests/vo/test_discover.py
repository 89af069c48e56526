"""Registry discovery: live, or the mirror's own registry; offline it says there is none."""

import pytest
from astrolearn import vo


def test_no_registry_offline():
    with pytest.raises(vo.OfflineUnavailableError, match=r"needs the internet.*gaia_dr3"):
        vo.discover("gaia dr3", backend="offline")


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
    # auto: the dead live registry, then a mirror that is not there either.
    vo.config.settings.mirror_url = fault_server + "/error500"
    with pytest.raises(vo.OfflineUnavailableError, match="offline there is no registry"):
        vo.discover("gaia")


@pytest.mark.mirror
@pytest.mark.parametrize(
    ("keywords", "servicetype", "ivoid", "path"),
    [
        ("spectra", "ssa", "ivo://astrolearn.mirror/spectra/q", "/spectra/q/ssa/ssap.xml"),
        ("images", "sia2", "ivo://astrolearn.mirror/images/q", "/siap2/sitewide/siap2.xml"),
        ("gaia", "conesearch", "ivo://astrolearn.mirror/gaiadr3/q", "/gaiadr3/q/scs/scs.xml"),
    ],
)
def test_the_mirror_registry_finds_its_services(mirror, keywords, servicetype, ivoid, path):
    # pyvo's own RegTAP query, run on the real DaCHS mirror's rr tables.
    found = vo.discover(keywords, servicetype=servicetype, backend="mirror")
    assert found.meta["source"] == "mirror"
    rows = {str(row["ivoid"]): str(row["access_urls"]) for row in found}
    assert ivoid in rows and rows[ivoid].startswith(mirror) and rows[ivoid].endswith(path)
    # The registry knows nothing it does not serve.
    with pytest.raises(vo.EmptyResultError):
        vo.tap(f"{mirror}/tap").run(
            "SELECT ivoid FROM rr.resource WHERE 1 = ivo_hasword(res_description, 'pulsar')"
        )


@pytest.mark.mirror
def test_auto_falls_back_from_the_live_registry_to_the_mirror(mirror, refused_url):
    vo.config.settings.endpoints["registry"] = refused_url
    found = vo.discover("spectra", servicetype="ssa")
    assert found.meta["source"] == "mirror" and len(found) == 1
