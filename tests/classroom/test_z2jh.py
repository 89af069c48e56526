"""The Zero to JupyterHub files (deploy/z2jh/) and the hub config's SystemdSpawner
block: valid, the same class as `astrolearn classroom` on one machine, and as private an
exchange: each user's pod runs as a uid of their own, which owns their inbound folder.

No validator of the chart is on the package registries: the chart is published only in
its own Helm repository, Debian has no Helm package, the PyPI and npm packages named
``helm`` are other things, and Helm's Go source would need a Go toolchain. So the
values are checked against a schema derived from the chart's own (4.4.0), kept beside
this file: every key name on the paths the values set, with the chart's types and
``additionalProperties``. The full chart schema accepted the same values when this was
written (see the schema file's ``$comment``). The pods are built by a real KubeSpawner
from the values, without a cluster; the program of their init container then runs here,
and nbgrader submits and collects with the accounts it writes (that part needs root, for
chown and a private mount namespace). Nothing here needs a network.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import concurrent.futures
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml
from astrolearn import classroom
from nbgrader.exchange.default.exchange import Exchange
from traitlets.config import Config

from tests.conftest import REPO

VALUES = REPO / "deploy" / "z2jh" / "values.yaml"
CLAIM = REPO / "deploy" / "z2jh" / "exchange-pvc.yaml"
JOB = REPO / "deploy" / "z2jh" / "grade-job.yaml"
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
    [volume] = [each for each in storage["extraVolumes"] if "persistentVolumeClaim" in each]
    [mount] = [each for each in storage["extraVolumeMounts"] if each["name"] == volume["name"]]
    claim = yaml.safe_load(CLAIM.read_text())
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert mount["mountPath"] == Exchange.root.default_value
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


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
    image_config = "/srv/astrolearn/binder"  # the JUPYTER_CONFIG_PATH the hub sets
    assert f"--target-repo-dir {Path(image_config).parent}" in VALUES.read_text()
    assert (REPO / Path(image_config).name / "jupyter_server_config.py").is_file()


# --- Per-student ownership: the hub's extraConfig, with a real KubeSpawner -------------
# The chart's hub config (4.4.0) turns the values into KubeSpawner settings; these are the
# ones it makes of what this values file and the chart's defaults set (home storage
# "dynamic", uid 1000, fsGid 100, extraEnv {}), then it runs hub.extraConfig. The pod is
# what KubeSpawner sends to Kubernetes, after its modify_pod_hook: no cluster is needed,
# only a kube-config to load (it is never contacted).
HOME_VOLUME = "volume-{user_server}"
NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: none, user: {token: unused}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
"""


def chart_config(values: dict) -> Config:
    user = values["singleuser"]
    c = Config()
    c.KubeSpawner.uid = 1000
    c.KubeSpawner.fs_gid = 100
    c.KubeSpawner.environment = {}
    c.KubeSpawner.image = f"{user['image']['name']}:{user['image']['tag']}"
    c.KubeSpawner.lifecycle_hooks = user["lifecycleHooks"]
    home = {"name": HOME_VOLUME, "persistentVolumeClaim": {"claimName": "{pvc_name}"}}
    c.KubeSpawner.volumes = {
        HOME_VOLUME: home,
        **{volume["name"]: volume for volume in user["storage"]["extraVolumes"]},
    }
    c.KubeSpawner.volume_mounts = {
        HOME_VOLUME: {"name": HOME_VOLUME, "mountPath": "/home/jovyan"},
        **{f"{i}-{m['name']}": m for i, m in enumerate(user["storage"]["extraVolumeMounts"])},
    }
    for key, code in sorted(values["hub"]["extraConfig"].items()):
        exec(compile(code, key, "exec"), {"c": c})
    return c


@pytest.fixture(scope="module")
def pods(values, tmp_path_factory) -> dict:
    """The pods of an instructor (hub user id 1) and two students (ids 2 and 7)."""
    from kubernetes_asyncio.client import ApiClient
    from kubernetes_asyncio.config import kube_config
    from kubespawner import KubeSpawner

    config = tmp_path_factory.mktemp("kube") / "config"
    config.write_text(KUBECONFIG)
    hub = SimpleNamespace(
        public_host="", url="http://hub:8081/hub/", base_url="/", api_url="http://hub:8081/hub/api"
    )
    users = {
        "ada": (1, ["instructors"]),
        "bob": (2, ["students"]),
        "cy.d@uni.edu": (7, ["students"]),
    }

    async def manifest(name, number, groups):
        user = SimpleNamespace(
            name=name,
            id=number,
            url=f"/user/{name}/",
            groups=[SimpleNamespace(name=g) for g in groups],
        )
        spawner = KubeSpawner(config=chart_config(values), user=user, hub=hub, _mock=True)
        pod = spawner.modify_pod_hook(spawner, await spawner.get_pod_manifest())
        async with ApiClient() as api:
            return api.sanitize_for_serialization(pod)  # as sent to Kubernetes

    async def every():
        return {name: await manifest(name, *user) for name, user in users.items()}

    with pytest.MonkeyPatch.context() as patch:
        # Where KubeSpawner's client looks when it is not in a cluster ($KUBECONFIG, read
        # when the client is imported).
        patch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(config))
        # In a thread of its own: a browser test's Playwright may hold this thread's loop.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, every()).result()


def account_step(pod: dict) -> dict:
    [step] = [
        each for each in pod["spec"]["initContainers"] if each["name"] == "astrolearn-account"
    ]
    return step


def mounts_of(container: dict) -> dict:
    return {mount["mountPath"]: mount for mount in container["volumeMounts"]}


def test_each_user_runs_as_a_uid_of_their_own(pods):
    server = {name: pod["spec"]["containers"][0] for name, pod in pods.items()}
    uids = {name: each["securityContext"]["runAsUser"] for name, each in server.items()}
    assert uids == {"ada": 10001, "bob": 10002, "cy.d@uni.edu": 10007}
    for name, pod in pods.items():
        assert server[name]["securityContext"]["runAsGroup"] == 100
        assert server[name]["securityContext"]["allowPrivilegeEscalation"] is False
        # No fsGroup: it would make the exchange group-writable on storage that takes it.
        assert "fsGroup" not in pod["spec"].get("securityContext", {})


def test_a_root_init_container_makes_the_users_account_and_folder(pods):
    for name, pod in pods.items():
        server = pod["spec"]["containers"][0]
        step = account_step(pod)
        assert step["image"] == server["image"]  # astrolearn is in the students' image
        assert unknown_keys(step, "V1Container") == []  # every key is Kubernetes'
        context = step["securityContext"]
        assert context["runAsUser"] == 0
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {
            "drop": ["ALL"],
            "add": ["CHOWN", "DAC_OVERRIDE", "FOWNER"],
        }
        uid = str(server["securityContext"]["runAsUser"])
        assert step["command"][-1] == "user"
        assert step["args"][:2] == [name, uid]  # a list: no shell reads the name
        mounts = {path: mount["name"] for path, mount in mounts_of(step).items()}
        assert mounts["/home/jovyan"] == mounts_of(server)["/home/jovyan"]["name"]
        volumes = {volume["name"]: volume for volume in pod["spec"]["volumes"]}
        assert set(mounts.values()) <= set(volumes)
        home = volumes[mounts["/home/jovyan"]]["persistentVolumeClaim"]["claimName"]
        assert home.startswith("claim-")  # the user's own home volume


def test_the_server_reads_its_account_from_a_file_it_cannot_change(pods):
    for pod in pods.values():
        mounts = mounts_of(pod["spec"]["containers"][0])
        step = mounts_of(account_step(pod))
        assert mounts["/etc/passwd"]["readOnly"] is True
        assert mounts["/etc/passwd"]["subPath"] == "passwd"
        assert mounts["/etc/passwd"]["name"] == step["/run/astrolearn"]["name"]
        assert mounts["/run/astrolearn"]["readOnly"] is True
        exchange = mounts[Exchange.root.default_value]
        assert exchange["name"] == step[Exchange.root.default_value]["name"]
        assert not exchange.get("readOnly")  # a student writes into their own folder


def test_only_students_servers_hide_the_formgrader(pods):
    def config_path(pod):
        env = pod["spec"]["containers"][0]["env"]
        [path] = [each["value"] for each in env if each["name"] == "JUPYTER_CONFIG_PATH"]
        return path.split(":")

    assert config_path(pods["ada"]) == [
        "/run/astrolearn/jupyter/everyone",
        "/srv/astrolearn/binder",
    ]
    assert config_path(pods["bob"]) == [
        "/run/astrolearn/jupyter/students",
        *config_path(pods["ada"]),
    ]


# --- The init container's program, run for real (as root, in folders of the test) ------
def run_step(pod, places: dict[str, Path]) -> int:
    """Run the pod's account step here, with its paths moved into ``places``."""
    from astrolearn.classroom import pods as program

    step = account_step(pod)
    assert step["command"][:4] == ["python", "-I", "-m", program.__name__]
    args = [str(places.get(arg, arg)) for arg in step["args"]]
    return program.main([step["command"][-1], *args])


@pytest.fixture
def places() -> Iterator[dict[str, Path]]:
    """Where the pod's volumes are, in a folder every uid can enter (pytest's are private)."""
    root = Path(tempfile.mkdtemp(prefix="astrolearn-z2jh-", dir="/tmp"))
    root.chmod(0o755)
    try:
        yield {
            Exchange.root.default_value: root / "exchange",
            "/run/astrolearn": root / "run",
            "/home/jovyan": root / "home",
        }
    finally:
        shutil.rmtree(root)


def in_pod(uid: int, passwd: Path, *command: str, **options) -> subprocess.CompletedProcess:
    """Run ``command`` as ``uid`` with ``passwd`` as /etc/passwd, as in the pod.

    The file goes in through an overlay on /etc: a bind mount on /etc/passwd itself is
    dropped when the machine replaces that file (as ``useradd`` does, and other tests
    add accounts meanwhile).
    """
    scratch = passwd.parent.parent / "overlay"
    scratch.mkdir(exist_ok=True)
    script = (
        f"mount -t tmpfs tmpfs {scratch} && mkdir {scratch}/up {scratch}/work && "
        f"cp {passwd} {scratch}/up/passwd && mount -t overlay overlay "
        f"-o lowerdir=/etc,upperdir={scratch}/up,workdir={scratch}/work /etc && "
        f'exec setpriv --reuid={uid} --regid=100 --clear-groups "$@"'
    )
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", *command],
        capture_output=True,
        text=True,
        timeout=120,
        **options,
    )


def as_user(uid: int, passwd: Path, code: str) -> subprocess.CompletedProcess:
    """Run Python ``code`` as ``uid`` in the pod's accounts."""
    return in_pod(uid, passwd, sys.executable, "-I", "-c", code)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown and mount need root")


@needs_root
def test_the_step_gives_each_student_a_private_folder(pods, places):
    inbound = places[Exchange.root.default_value] / "astrolearn" / "inbound"
    for name in ("bob", "cy.d@uni.edu"):
        places["/home/jovyan"].mkdir(exist_ok=True)
        assert run_step(pods[name], places) == 0
        folder = os.lstat(inbound / name)
        assert (folder.st_uid, folder.st_gid, stat.S_IMODE(folder.st_mode)) == (
            pods[name]["spec"]["containers"][0]["securityContext"]["runAsUser"],
            100,
            0o700,
        )
    assert stat.S_IMODE(os.stat(inbound).st_mode) == 0o711
    assert os.stat(inbound).st_uid == 0
    assert os.stat(places["/home/jovyan"]).st_uid == 10007  # the last one's home

    passwd = places["/run/astrolearn"] / "passwd"
    assert passwd.read_text().startswith(Path("/etc/passwd").read_text())
    assert os.stat(passwd).st_uid == 0 and stat.S_IMODE(os.stat(passwd).st_mode) == 0o644
    # The exchange learns the name from the uid, through the mounted file.
    whoami = "import os, pwd; print(pwd.getpwuid(os.getuid()).pw_name)"
    assert as_user(10007, passwd, whoami).stdout.strip() == "cy.d@uni.edu"
    # Only the owner enters their folder: cy writes into theirs, not into bob's.
    write = "import sys; open(sys.argv[1], 'w').write('x')"
    for target, works in ((inbound / "cy.d@uni.edu" / "n", True), (inbound / "bob" / "n", False)):
        done = as_user(10007, passwd, f"import sys; sys.argv[1:] = [{str(target)!r}]; {write}")
        assert (done.returncode == 0) is works, done.stderr
        assert target.exists() is works
    settings = (
        places["/run/astrolearn"] / "jupyter" / "everyone" / "nbgrader_config.py"
    ).read_text()
    assert f"c.Exchange.root = {str(places[Exchange.root.default_value])!r}" in settings
    assert "astrolearn.classroom.exchange.Submit" in settings


@needs_root
def test_the_step_gives_the_home_volume_to_its_user(pods, places):
    home = places["/home/jovyan"]
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "old.md").write_text("from the days of uid 1000")
    secret = home.parent / "secret"  # not the user's: a link to it must not hand it over
    secret.write_text("root's")
    (home / "notes" / "link").symlink_to(secret)
    for path in (home, home / "notes", home / "notes" / "old.md"):
        os.chown(path, 1000, 1000)
    assert run_step(pods["bob"], places) == 0
    for path in (home, home / "notes", home / "notes" / "old.md", home / "notes" / "link"):
        info = os.lstat(path)
        assert (info.st_uid, info.st_gid) == (10002, 100), path
    assert os.stat(secret).st_uid == 0
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700


@needs_root
def test_the_step_refuses_a_uid_that_owns_another_users_folder(pods, places, capsys):
    places["/home/jovyan"].mkdir()
    assert run_step(pods["bob"], places) == 0
    # A new hub database gave ada bob's old id: ada must not get bob's submissions.
    inbound = places[Exchange.root.default_value] / "astrolearn" / "inbound"
    os.chown(inbound / "bob", 10001, 100)
    assert run_step(pods["ada"], places) == 1
    assert "already owns" in capsys.readouterr().err
    assert not (inbound / "ada").exists()


@needs_root
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a:b", "cannot be a classroom account"),
        ("x+y", "cannot be a classroom account"),  # "+" separates a submission's fields
        ("../up", "cannot be a classroom account"),
        ("Bob", "cannot be a classroom account"),
        ("", "cannot be a classroom account"),
        ("root", "an account of the image"),  # the collector would look up uid 0
    ],
)
def test_the_step_refuses_a_name_the_exchange_cannot_hold(places, name, reason, capsys):
    from astrolearn.classroom import pods as program

    places["/home/jovyan"].mkdir()
    args = ["user", name, "10002", "--exchange", str(places[Exchange.root.default_value])]
    args += ["--run", str(places["/run/astrolearn"]), "--home", str(places["/home/jovyan"])]
    assert program.main(args) == 1
    assert reason in capsys.readouterr().err
    assert not (places["/run/astrolearn"] / "passwd").exists()


@needs_root
def test_a_student_submits_and_the_grading_job_collects_with_these_accounts(pods, places):
    """nbgrader's own submit and collect, through the classroom's exchange, with the
    accounts the pods' steps write (none of these uids has an account on this machine)."""
    from astrolearn.classroom import pods as program

    home, run = places["/home/jovyan"], places["/run/astrolearn"]
    home.mkdir()
    for name in ("bob", "cy.d@uni.edu"):  # cy's pod starts last: the home is theirs
        assert run_step(pods[name], places) == 0
    course = places[Exchange.root.default_value] / "astrolearn"
    (course / "outbound" / "ps1").mkdir(mode=0o755)
    (course / "outbound" / "ps1" / "ps1.ipynb").write_text(NOTEBOOK)
    (home / "ps1").mkdir()
    (home / "ps1" / "ps1.ipynb").write_text(NOTEBOOK)
    os.chown(home / "ps1", 10007, 100)
    # nbgrader runs alembic (a new gradebook) from PATH: this environment's.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    settings = {"JUPYTER_CONFIG_PATH": str(run / "jupyter" / "everyone"), "PATH": path}
    nbgrader = [sys.executable, "-m", "nbgrader"]
    submit = in_pod(
        10007,
        run / "passwd",
        *nbgrader,
        "submit",
        "ps1",
        cwd=home,
        env={**settings, "HOME": str(home)},
    )
    assert submit.returncode == 0, submit.stderr
    [submitted] = os.listdir(course / "inbound" / "cy.d@uni.edu")
    assert submitted.startswith("cy.d@uni.edu+ps1+")

    # The Job: its init container writes everyone's accounts, then root collects.
    job = yaml.safe_load(JOB.read_text())["spec"]["template"]["spec"]
    [step] = job["initContainers"]
    args = [str(places.get(arg, arg)) for arg in step["args"]]
    assert program.main([step["command"][-1], *args]) == 0
    lines = (run / "passwd").read_text().splitlines()
    assert "bob:x:10002:100::/home/jovyan:/bin/bash" in lines
    assert "cy.d@uni.edu:x:10007:100::/home/jovyan:/bin/bash" in lines
    grading = places["/home/jovyan"].parent / "course"
    grading.mkdir()
    collect = in_pod(0, run / "passwd", *nbgrader, "collect", "ps1", cwd=grading, env=settings)
    assert collect.returncode == 0, collect.stderr
    assert "not a student's own folder" not in collect.stderr
    copied = grading / "submitted" / "cy.d@uni.edu" / "ps1" / "ps1.ipynb"
    assert json.loads(copied.read_text()) == json.loads(NOTEBOOK)
    assert not (grading / "submitted" / "bob").exists()  # bob submitted nothing


def test_the_grading_job_runs_the_one_machine_command_as_root(values, pods):
    # The Job as written for the instructor ada.
    job = yaml.safe_load(JOB.read_text().replace("<instructor>", "ada"))
    spec = job["spec"]["template"]["spec"]
    [grade] = spec["containers"]
    assert grade["command"][:2] == ["astrolearn", "grade"]
    assert grade["args"][0] == "cycle" and grade["args"][-1] == "--exchange"
    assert grade["securityContext"]["runAsUser"] == 0
    env = {each["name"]: each["value"] for each in grade["env"]}
    assert env["HOME"] == "/root"  # nothing of root's lands in the instructor's home
    ada = pods["ada"]
    server = ada["spec"]["containers"][0]
    [config_path] = [e["value"] for e in server["env"] if e["name"] == "JUPYTER_CONFIG_PATH"]
    assert env["JUPYTER_CONFIG_PATH"] == config_path  # the instructor's nbgrader settings
    assert {grade["image"], spec["initContainers"][0]["image"]} == {server["image"]}
    user = values["singleuser"]["storage"]
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    exchange = next(v for v in user["extraVolumes"] if "persistentVolumeClaim" in v)
    assert volumes[exchange["name"]] == exchange
    mounts = {m["mountPath"]: m for m in grade["volumeMounts"]}
    for mount in user["extraVolumeMounts"]:
        assert mounts[mount["mountPath"]] == mount
    # The instructor's home volume, beside their running server (a home volume may
    # attach to one node only): the claim and the labels KubeSpawner gives their pod.
    pod_volumes = {volume["name"]: volume for volume in ada["spec"]["volumes"]}
    home = pod_volumes[mounts_of(server)["/home/jovyan"]["name"]]
    assert volumes["home"]["persistentVolumeClaim"] == home["persistentVolumeClaim"]
    assert mounts["/home/jovyan"]["name"] == "home"
    [near] = spec["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert near["topologyKey"] == "kubernetes.io/hostname"
    assert near["labelSelector"]["matchLabels"].items() <= ada["metadata"]["labels"].items()


def unknown_keys(value, kind: str, where: str = "") -> list[str]:
    """The keys of ``value`` that are not fields of the Kubernetes object ``kind``
    (as the Kubernetes client's models, generated from Kubernetes' API, name them)."""
    from kubernetes_asyncio.client import models

    if kind.startswith("list["):
        return [bad for item in value for bad in unknown_keys(item, kind[5:-1], where + "[]")]
    if kind.startswith("dict(") or not hasattr(models, kind):
        return []  # free-form maps (labels, resources) and plain values
    model = getattr(models, kind)
    fields = {name: model.openapi_types[attr] for attr, name in model.attribute_map.items()}
    bad = [f"{where}.{key}" for key in value if key not in fields]
    for key, item in value.items():
        if key in fields:
            bad += unknown_keys(item, fields[key], f"{where}.{key}")
    return bad


@pytest.mark.parametrize(
    ("manifest", "kind"), [(JOB, "V1Job"), (CLAIM, "V1PersistentVolumeClaim")]
)
def test_the_manifests_are_kubernetes_objects(manifest, kind):
    assert unknown_keys(yaml.safe_load(manifest.read_text()), kind) == []
    misspelt = manifest.read_text().replace("metadata:", "metdata:", 1)
    assert unknown_keys(yaml.safe_load(misspelt), kind)  # the check can fail
