"""Kernels of the public apps (``astrolearn.app_kernels``): starts take turns, a kernel
is never culled while it starts or renders, and a crowd beyond the queue gets a busy page.

The server tests start a kernel that is slow to start on purpose: a real ipykernel
behind a three-second pause (a kernelspec named ``python3`` found first on
``JUPYTER_PATH``), which is what a start looks like on a loaded two-core machine, and
which is longer than the one-second idle timeout the tests set.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from astrolearn.app_kernels import (
    KERNEL_BYTES,
    RESERVED_BYTES,
    RETRY_AFTER,
    NewKernelRate,
    StartSlots,
    address_group,
    available_memory,
    default_max_kernels,
)

from tests.apps.test_load import APP, EXPECT, SETTING

SLOW_START_SECONDS = 3


def test_slots_let_a_few_start_queue_some_and_refuse_the_rest():
    async def scenario() -> list[str]:
        slots = StartSlots(max_starting=1, max_waiting=1)
        events: list[str] = []
        release = asyncio.Event()

        async def visitor(name: str) -> None:
            async with slots.slot():
                events.append(f"{name} starts")
                await release.wait()
            events.append(f"{name} done")

        assert not slots.full()
        first = asyncio.create_task(visitor("first"))
        await asyncio.sleep(0)
        assert not slots.full(), "one slot taken, the queue still has room"
        second = asyncio.create_task(visitor("second"))
        await asyncio.sleep(0)
        assert slots.waiting == 1 and slots.full()
        release.set()
        await asyncio.gather(first, second)
        assert not slots.full() and slots.waiting == 0
        return events

    # In a thread of its own: once a test of this worker has used the session's
    # Playwright (sync API), an event loop stays running in the main thread.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        events = thread.submit(asyncio.run, scenario()).result()
    assert events == [
        "first starts",
        "first done",
        "second starts",
        "second done",
    ]


@pytest.mark.parametrize("starting, waiting", [(0, 4), (1, -1)])
def test_slots_refuse_impossible_sizes(starting, waiting):
    with pytest.raises(ValueError, match="max_starting"):
        StartSlots(starting, waiting)


@pytest.fixture(scope="module")
def slow_kernel(tmp_path_factory) -> dict:
    """Environment whose ``python3`` kernel waits SLOW_START_SECONDS before it starts."""
    data = tmp_path_factory.mktemp("slow-kernel")
    spec = data / "kernels" / "python3"
    spec.mkdir(parents=True)
    script = f'sleep {SLOW_START_SECONDS}; exec "$0" -m ipykernel_launcher -f "$1"'
    kernel = {
        "argv": ["sh", "-c", script, sys.executable, "{connection_file}"],
        "display_name": "Python 3 (slow to start)",
        "language": "python",
    }
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return {"JUPYTER_PATH": str(data)}


@pytest.mark.slow
def test_a_kernel_slower_to_start_than_the_idle_timeout_serves_its_visitor(
    start_server, slow_kernel
):
    server = start_server(
        "--pool-size=0", "--cull-idle-timeout=1", "--cull-interval=1", pool=False, env=slow_kernel
    )
    crowd = server.visitors(APP, SETTING, EXPECT, "--count=2", "--hold=2", "--timeout=180")
    output, errors = crowd.communicate(timeout=200)
    results = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len(results) == 2, errors[-2000:]
    assert all(r["ok"] for r in results), (results, server.log()[-3000:])
    assert min(r["page_seconds"] for r in results) > SLOW_START_SECONDS
    log = server.log()
    assert "Culling 'starting'" not in log and "died before replying" not in log
    # Once the visitors have gone, their idle kernels are culled after all.
    deadline = time.monotonic() + 60
    while server.kernels() and time.monotonic() < deadline:
        time.sleep(1)
    assert server.kernels() == 0, "the visitors' kernels were never culled"


CROWD = """
import concurrent.futures, json, sys, urllib.error, urllib.request

def get(_):
    try:
        answer = urllib.request.urlopen(sys.argv[1], timeout=120)
        return {"status": answer.status, "retry": None, "body": answer.read().decode()}
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        return {"status": error.code, "retry": error.headers["Retry-After"], "body": body}

with concurrent.futures.ThreadPoolExecutor(int(sys.argv[2])) as pool:
    print(json.dumps(list(pool.map(get, range(int(sys.argv[2]))))))
"""


@pytest.mark.slow
def test_visitors_beyond_the_queue_get_a_busy_page_and_the_rest_are_served(
    start_server, slow_kernel
):
    server = start_server(
        "--pool-size=0", "--max-starting=1", "--max-waiting=1", pool=False, env=slow_kernel
    )
    url = f"{server.url}/voila/render/{APP}.ipynb"
    crowd = subprocess.run(
        [*server.prefix, sys.executable, "-c", CROWD, url, "4"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert crowd.returncode == 0, crowd.stderr[-2000:]
    answers = json.loads(crowd.stdout)
    served = [a for a in answers if a["status"] == 200]
    refused = [a for a in answers if a["status"] == 503]
    # One starts, one waits its turn; the two who find the queue full are told so.
    assert (len(served), len(refused)) == (2, 2), [a["status"] for a in answers]
    assert all('"kernelId"' in a["body"] for a in served)
    for answer in refused:
        assert answer["retry"] == str(RETRY_AFTER)
        assert "try again by itself" in answer["body"]
        assert "Traceback" not in answer["body"] and "kernel" not in answer["body"].lower()
    assert server.log().count("busy: 1 visitors waiting") == 2
    # When the crowd has gone, a newcomer is served again.
    status, _, page = server.fetch(f"/voila/render/{APP}.ipynb", timeout=120)
    assert status == 200 and '"kernelId"' in page


def crowd(server, count: int) -> list[dict]:
    """``count`` visitors GET the app page at once: status, Retry-After and body of each."""
    url = f"{server.url}/voila/render/{APP}.ipynb"
    result = subprocess.run(
        [*server.prefix, sys.executable, "-c", CROWD, url, str(count)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def innocent_seconds(server) -> float:
    """Seconds another visitor waits for a picture of the gallery."""
    started = time.monotonic()
    status, _, _ = server.fetch(f"/voila/files/pictures/{APP}.png", timeout=10)
    assert status == 200
    return time.monotonic() - started


@pytest.mark.slow
def test_past_the_kernel_cap_visitors_get_a_busy_page_and_no_kernel(start_server, slow_kernel):
    server = start_server(
        "--pool-size=0", "--max-starting=1", "--max-kernels=2", pool=False, env=slow_kernel
    )
    answers = crowd(server, 4)
    statuses = sorted(answer["status"] for answer in answers)
    assert statuses == [200, 200, 503, 503]
    for answer in answers:
        if answer["status"] == 503:
            assert answer["retry"] == str(RETRY_AFTER)
            assert "All 2 places for visitors are taken" in answer["body"]
    assert server.kernels() == 2
    assert server.log().count("busy: 2 kernels, the most allowed") == 2
    assert innocent_seconds(server) < 1.0


@pytest.mark.slow
def test_one_address_opens_only_so_many_pages_a_minute(start_server):
    server = start_server("--pool-size=0", "--new-kernels-per-minute=2", pool=False)
    answers = crowd(server, 3)
    assert sorted(answer["status"] for answer in answers) == [200, 200, 429]
    refused = next(answer for answer in answers if answer["status"] == 429)
    assert "Many apps were opened from your network" in refused["body"]
    assert refused["retry"] == str(RETRY_AFTER)
    assert server.kernels() == 2


@pytest.mark.slow
def test_one_address_holds_only_so_many_kernels(start_server, slow_kernel):
    server = start_server(
        "--pool-size=0",
        "--max-starting=1",
        "--max-kernels-per-address=1",
        pool=False,
        env=slow_kernel,
    )
    answers = crowd(server, 2)
    assert sorted(answer["status"] for answer in answers) == [200, 429]
    refused = next(answer for answer in answers if answer["status"] == 429)
    assert "Many apps are open from your network already" in refused["body"]
    assert server.kernels() == 1


def test_limits_count_an_ipv6_visitor_by_its_network_and_ipv4_by_its_address():
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:bbbb::2")
    assert address_group("2001:db8:1:3::1") != address_group("2001:db8:1:2::1")
    assert address_group("::ffff:192.0.2.7") == "192.0.2.7" != address_group("192.0.2.8")
    rate = NewKernelRate(per_minute=1)
    assert rate.allow("2001:db8::1", now=0.0) and not rate.allow("2001:db8::2", now=0.0)


def test_the_rate_refills_over_a_minute_and_forgets_old_addresses():
    rate = NewKernelRate(per_minute=2)
    assert [rate.allow("a", now=0.0) for _ in range(3)] == [True, True, False]
    assert rate.allow("b", now=0.0), "another address has its own allowance"
    assert not rate.allow("a", now=20.0), "two thirds of a page refilled"
    assert rate.allow("a", now=31.0)
    rate.MAX_ADDRESSES = 3
    for address in "cdef":
        rate.allow(address, now=40.0)
    assert len(rate._buckets) == 3
    with pytest.raises(ValueError):
        NewKernelRate(0)


def test_the_default_cap_leaves_room_for_the_server_and_the_pool():
    assert default_max_kernels(RESERVED_BYTES + 10 * KERNEL_BYTES, pooled_kernels=3) == 7
    assert default_max_kernels(RESERVED_BYTES, pooled_kernels=3) == 1, "always one"


MEMORY_CGROUPS = Path("/sys/fs/cgroup/memory")


@pytest.fixture
def memory_group():
    """A real cgroup v1 memory group of 1 GiB (root, where the hierarchy is writable)."""
    group = MEMORY_CGROUPS / f"astrolearn-test-{os.getpid()}"
    try:
        group.mkdir()
        (group / "memory.limit_in_bytes").write_text(str(1 << 30))
    except OSError as error:
        pytest.skip(f"no writable memory cgroup here: {error}")
    yield group
    for _ in range(50):  # empty once its processes are gone
        try:
            group.rmdir()
            break
        except OSError:
            time.sleep(0.1)


def test_the_cap_sees_the_memory_limit_of_its_control_group(memory_group):
    """A container's limit (Binder's 2 GB) is not in /proc/meminfo: the cap must see it."""
    measure = "from astrolearn.app_kernels import available_memory; print(available_memory())"
    inside = f'echo $$ > {memory_group}/cgroup.procs && exec "$0" -c "$1"'
    result = subprocess.run(
        ["sh", "-c", inside, sys.executable, measure], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    room = int(result.stdout)
    assert (1 << 30) - (200 << 20) < room <= 1 << 30, room


def test_the_cap_reads_a_cgroup_v2_limit(tmp_path):
    """cgroup v2 as Linux lays its files out: this machine runs v1, so the layout is
    written here (the v1 case above is a real group)."""
    proc, groups = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text("0::/user.slice/binder\n")
    (proc / "meminfo").write_text("MemTotal: 100000000 kB\nMemAvailable: 90000000 kB\n")
    pod = groups / "user.slice" / "binder"
    pod.mkdir(parents=True)
    (pod / "memory.max").write_text(f"{2 << 30}\n")
    (pod / "memory.current").write_text(f"{1 << 30}\n")
    (pod / "memory.stat").write_text(f"anon 1000\ninactive_file {256 << 20}\nfile 5\n")
    (groups / "user.slice" / "memory.max").write_text("max\n")
    # 2 GiB, of which 1 GiB is used, a quarter of it page cache the kernel can reclaim.
    assert available_memory(proc, groups) == (1 << 30) + (256 << 20)
    (pod / "memory.max").write_text("max\n")
    assert available_memory(proc, groups) == 90000000 * 1024, "no limit: the machine's"
    (proc / "meminfo").unlink()
    assert available_memory(proc, groups) == 0, "unknown"


GET_AS = """
import json, sys, urllib.error, urllib.request
statuses = []
for address in sys.argv[2:]:
    request = urllib.request.Request(sys.argv[1], headers={"X-Real-IP": address})
    try:
        statuses.append(urllib.request.urlopen(request, timeout=120).status)
    except urllib.error.HTTPError as error:
        statuses.append(error.code)
print(json.dumps(statuses))
"""


def get_as(server, addresses: list[str]) -> list[int]:
    """GET the app page once per address, each claiming it in ``X-Real-IP``: statuses."""
    url = f"{server.url}/voila/render/{APP}.ipynb"
    result = subprocess.run(
        [*server.prefix, sys.executable, "-c", GET_AS, url, *addresses],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.mark.slow
def test_behind_a_proxy_the_limits_count_the_address_it_forwards(start_server):
    server = start_server(
        "--pool-size=0", "--new-kernels-per-minute=1", "--behind-proxy", pool=False
    )
    assert get_as(server, ["203.0.113.1", "203.0.113.2", "203.0.113.1"]) == [200, 200, 429]


@pytest.mark.slow
def test_without_a_proxy_a_claimed_address_changes_nothing(start_server):
    server = start_server("--pool-size=0", "--new-kernels-per-minute=1", pool=False)
    assert get_as(server, ["203.0.113.1", "203.0.113.2"]) == [200, 429]
