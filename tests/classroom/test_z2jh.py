"""The Zero to JupyterHub values file (deploy/z2jh/) and the hub config's SystemdSpawner
block: valid, and the same class as `astrolearn classroom` on one machine.

No validator of the chart is on the package registries: the chart is published only in
its own Helm repository, Debian has no Helm package, the PyPI and npm packages named
``helm`` are other things, and Helm's Go source would need a Go toolchain. So the
values are checked against a schema derived from the chart's own (4.4.0), kept beside
this file: every key name on the paths the values set, with the chart's types and
``additionalProperties``. The full chart schema accepted the same values when this was
written (see the schema file's ``$comment``). Nothing here needs root or a network.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from astrolearn import classroom
from nbgrader.exchange.default.exchange import Exchange
from traitlets.config import Config

from tests.conftest import REPO

VALUES = REPO / "deploy" / "z2jh" / "values.yaml"
CLAIM = REPO / "deploy" / "z2jh" / "exchange-pvc.yaml"
SCHEMA = json.loads(Path(__file__).with_name("z2jh_values_schema.json").read_text())


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def rendered_config(folder: Path, *options: str) -> str:
    """jupyterhub_config.py as `classroom init` writes it with ``options``."""
    parser = argparse.ArgumentParser()
    classroom.configure(parser)
    args = parser.parse_args(
        ["init", str(folder), "--roster", "roster.csv", "--proxy", "/usr/bin/chp", *options]
    )
    folder.mkdir()
    classroom.write_config(folder, args, lab_config="/lab-config")
    return (folder / classroom.CONFIG).read_text()


def systemd_block(config: str) -> str:
    """The commented SystemdSpawner lines of the config, uncommented."""
    section = config.split("# --- Limits per student", 1)[1]
    return "\n".join(line[2:] for line in section.splitlines() if line.startswith("# c."))


def test_the_values_are_valid_for_the_chart(values):
    jsonschema.Draft7Validator(SCHEMA).validate(values)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["singleuser", "memroy"], {"limit": "1G"}),  # a misspelt key
        (["cull", "timeout"], "an hour"),  # a wrong type
        (["hub", "config", "firstuseauthenticator"], {"create_users": False}),  # not a class
        (["singleuser", "image", "registry"], "x"),  # not a key of the image
    ],
)
def test_the_schema_refuses_what_the_chart_refuses(values, path, value):
    broken = json.loads(json.dumps(values))
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(broken)


def test_the_config_is_python_with_and_without_the_mirror(tmp_path):
    for name, options in (("plain", ()), ("mirror", ("--vo-mirror",))):
        text = rendered_config(tmp_path / name, *options)
        assert "$" not in text  # every value of the template was filled in
        compile(text, name, "exec")
        assert f"VO_MIRROR = {bool(options)}" in text
        compile(systemd_block(text), "systemd", "exec")


def test_the_cluster_has_the_limits_and_culling_of_the_one_machine_class(values, tmp_path):
    text = rendered_config(tmp_path / "class")
    c = Config()
    exec(systemd_block(text), {"c": c})
    assert c.JupyterHub.spawner_class == "systemdspawner"
    user = values["singleuser"]
    assert c.SystemdSpawner.mem_limit == user["memory"]["limit"]
    assert c.SystemdSpawner.unit_extra_properties == {"MemoryLow": user["memory"]["guarantee"]}
    assert c.SystemdSpawner.cpu_limit == user["cpu"]["limit"]
    # The measured 281-346 MiB of an active student fit in the guarantee.
    assert int(user["memory"]["guarantee"].rstrip("M")) >= 346
    # The same culling: timeout and pace.
    culler = re.search(r"--timeout=(\d+)', '--cull-every=(\d+)'", text)
    assert (values["cull"]["timeout"], values["cull"]["every"]) == tuple(
        int(group) for group in culler.groups()
    )
    assert values["cull"]["enabled"] is True
    assert f'c.Spawner.default_url = "{user["defaultUrl"]}"' in text


def test_the_cluster_logs_in_as_the_one_machine_class_does(values, tmp_path):
    text = rendered_config(tmp_path / "class")
    hub = values["hub"]["config"]
    assert (
        f'c.JupyterHub.authenticator_class = "{hub["JupyterHub"]["authenticator_class"]}"' in text
    )
    assigned = dict(re.findall(r"^c\.FirstUseAuthenticator\.(\w+) = (.+)$", text, re.M))
    for key in ("create_users", "min_password_length"):
        assert ast.literal_eval(assigned[key]) == hub["FirstUseAuthenticator"][key]
    # Instructors are admins, on the roster, and a group; students a group.
    admins = hub["Authenticator"]["admin_users"]
    groups = hub["JupyterHub"]["load_groups"]
    assert admins == groups["instructors"]["users"]
    assert set(admins) | set(groups["students"]["users"]) == set(
        hub["Authenticator"]["allowed_users"]
    )


def test_the_exchange_is_a_shared_volume_at_nbgraders_root(values):
    storage = values["singleuser"]["storage"]
    [volume] = storage["extraVolumes"]
    [mount] = storage["extraVolumeMounts"]
    claim = yaml.safe_load(CLAIM.read_text())
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert mount["name"] == volume["name"]
    assert mount["mountPath"] == Exchange.root.default_value
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "PER-STUDENT OWNERSHIP" in VALUES.read_text()


def test_each_start_copies_the_lessons_with_the_classrooms_program(values):
    shell, option, script = values["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert (shell, option) == ("sh", "-c")
    copy, fallback = script.split(" || ")
    assert fallback == "true"  # a failed copy does not kill the student's pod
    command = copy.split()
    assert command[:4] == ["python", "-I", "-m", "astrolearn.classroom.lessons"]
    source, target = command[4:]
    # The image is built with the repository at /srv/astrolearn (--target-repo-dir).
    assert f"--target-repo-dir {Path(source).parent}" in VALUES.read_text()
    assert (REPO / Path(source).name).is_dir()
    assert target == "/home/jovyan/lessons"
    config_path = values["singleuser"]["extraEnv"]["JUPYTER_CONFIG_PATH"]
    assert (REPO / Path(config_path).name / "jupyter_server_config.py").is_file()
