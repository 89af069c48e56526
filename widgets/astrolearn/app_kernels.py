"""Kernels of the public apps: when a visitor gets one, and when it may be culled.

Voila starts one kernel per visitor and runs the app's notebook in it before the page
is complete. Two things go wrong under load (many visitors, two cores), and this
module is where the server decides instead:

* jupyter_server's culler counts a kernel as idle from the moment it was started, so
  a kernel that takes longer to start than the idle timeout is shut down while its
  visitor waits ("Kernel died before replying to kernel_info"). Here a kernel never
  counts as idle while it starts or while its page is being rendered, and a rendered
  page has at least ``PAGE_CONNECT_GRACE`` seconds to connect to its kernel.
* Every visitor's notebook runs at once, so twenty visitors each wait for twenty
  renders. Here at most ``max_starting`` pages render at a time; the next visitors
  wait their turn, and once ``max_waiting`` are waiting, a newcomer gets a short
  "busy, trying again" page (HTTP 503) instead of a kernel.

Examples
--------
>>> slots = StartSlots(max_starting=2, max_waiting=4)
>>> slots.full()
False
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

#: Seconds a visitor's page has to open its kernel's websocket after the page is
#: complete, whatever the idle timeout: a phone on a slow line needs several seconds
#: to load the app's JavaScript before it connects.
PAGE_CONNECT_GRACE = 60
#: Seconds a kernel may take to start before the culler treats it as any other: a
#: start that hangs must not hold its memory for ever.
START_LIMIT = 300
#: Seconds an app page may take to render (its notebook run) before it is stopped.
RENDER_LIMIT = 300
#: Seconds the busy page waits before it asks again.
RETRY_AFTER = 10

#: The request being rendered in this task: (task, its visitor, kernel ids it started).
#: A task, not only a context, because kernel-pool refills inherit the context of the
#: request that triggered them and must not be taken for that request's kernels.
_rendering_request: contextvars.ContextVar[tuple[asyncio.Task, str, list[str]] | None] = (
    contextvars.ContextVar("astrolearn_rendering_request", default=None)
)


class StartSlots:
    """At most ``max_starting`` app pages render at once; ``max_waiting`` may queue.

    Parameters
    ----------
    max_starting : int
        Pages whose kernel starts and runs the app at the same time.
    max_waiting : int
        Visitors that may wait for a free slot; more are told the server is busy.
    """

    def __init__(self, max_starting: int, max_waiting: int) -> None:
        if max_starting < 1 or max_waiting < 0:
            raise ValueError("max_starting must be >= 1 and max_waiting >= 0")
        self.max_starting, self.max_waiting = max_starting, max_waiting
        self._semaphore = asyncio.Semaphore(max_starting)
        self.waiting = 0

    def full(self) -> bool:
        """True when a newcomer would find every slot taken and the queue full."""
        return self._semaphore.locked() and self.waiting >= self.max_waiting

    @asynccontextmanager
    async def slot(self):
        """Wait for a free slot and hold it for the ``async with`` block."""
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._semaphore.release()


class AppKernelManager(AsyncMappingKernelManager):
    """A kernel manager whose culler spares kernels that are starting or rendering.

    Everything else (idle timeout, interval, busy and connected kernels) is
    jupyter_server's ``MappingKernelManager`` as configured.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rendering: set[str] = set()
        self._started: dict[str, datetime] = {}
        self._awaiting_page: dict[str, datetime] = {}
        self._owners: dict[str, tuple[str, str]] = {}  # kernel: (visitor, address)
        self._pages: list[tuple[str, list[str]]] = []  # (address, kernels started)
        #: Called with a kernel's id as it is shut down (to end its page's session).
        self.on_shutdown: list[Callable[[str], None]] = []

    @asynccontextmanager
    async def rendering_page(self, visitor: str, address: str):
        """Mark the kernels started inside the block as rendering ``visitor``'s page.

        When the block ends, the page is complete: its kernels' idle time starts then,
        and they wait for the page to connect (see ``PAGE_CONNECT_GRACE``). They belong
        to ``visitor`` (see ``owner``), who came from ``address``.
        """
        started: list[str] = []
        owner = (visitor, address_group(address))
        token = _rendering_request.set((asyncio.current_task(), owner, started))
        page = (owner[1], started)
        self._pages.append(page)
        try:
            yield
        finally:
            self._pages.remove(page)
            _rendering_request.reset(token)
            now = utcnow()
            for kernel_id in started:
                self._rendering.discard(kernel_id)
                if kernel_id in self._kernels:
                    self._kernels[kernel_id].last_activity = now
                    self._awaiting_page[kernel_id] = now

    async def start_kernel(self, *args, **kwargs) -> str:
        """Start a kernel; one started for a page being rendered is never idle meanwhile."""
        kernel_id = await super().start_kernel(*args, **kwargs)
        self._started.setdefault(kernel_id, utcnow())
        self.serving_page(kernel_id)
        return kernel_id

    def serving_page(self, kernel_id: str) -> None:
        """Count ``kernel_id`` as the kernel of the page this task renders, if any.

        Called for the kernels this manager starts and for a preheated kernel handed
        to a visitor; outside ``rendering_page`` (a pool refill) it does nothing.
        """
        request = _rendering_request.get()
        if request is not None and request[0] is asyncio.current_task():
            _task, owner, started = request
            started.append(kernel_id)
            self._rendering.add(kernel_id)
            self._owners[kernel_id] = owner

    def visitor_kernels(self) -> int:
        """Kernels serving visitors, plus one for each page still waiting for its kernel.

        Pooled kernels that no visitor has been handed yet are not counted.
        """
        return len(self._owners) + sum(1 for _, started in self._pages if not started)

    def address_kernels(self, address: str) -> int:
        """``visitor_kernels`` of the visitors from ``address`` (its /64 for IPv6)."""
        group = address_group(address)
        held = sum(1 for _, owner_address in self._owners.values() if owner_address == group)
        return held + sum(1 for at, started in self._pages if at == group and not started)

    def owner(self, kernel_id: str) -> str | None:
        """The visitor whose page ``kernel_id`` serves; None for a pooled or unknown one."""
        return self._owners.get(kernel_id, (None, None))[0]

    def _spared(self, kernel_id: str) -> bool:
        """True while the kernel starts, renders its page or waits for it to connect."""
        kernel = self._kernels[kernel_id]
        state = getattr(kernel, "execution_state", None)
        if state == "dead":
            return False
        if kernel_id in self._rendering:
            return True
        if state == "starting":
            started = self._started.get(kernel_id, utcnow())
            return utcnow() - started < timedelta(seconds=START_LIMIT)
        served = self._awaiting_page.get(kernel_id)
        grace = timedelta(seconds=max(PAGE_CONNECT_GRACE, self.cull_idle_timeout))
        return served is not None and utcnow() - served < grace

    def visitor_active(self, kernel_id: str) -> None:
        """The visitor sent its kernel a message: not idle, even before the kernel answers.

        jupyter_server counts only what kernels send as activity; a visitor who moves a
        slider on a busy machine would otherwise look idle until the answer comes.
        """
        if kernel_id in self._kernels:
            self._kernels[kernel_id].last_activity = utcnow()

    def notify_connect(self, kernel_id: str) -> None:
        """A page connected to its kernel: from now on it is culled as any other.

        Its idle time starts now: counted from the end of its page, a page that took
        longer than the idle timeout to connect (a slow phone; a kernel forked in a
        moment leaves the whole wait to the page) would be culled before its visitor's
        first message.
        """
        self._awaiting_page.pop(kernel_id, None)
        self.visitor_active(kernel_id)
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """jupyter_server's culling, except for the kernels that ``_spared`` names."""
        if kernel_id in self._kernels and self._spared(kernel_id):
            return
        await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        """Shut a kernel down and forget what was known about its page."""
        self._rendering.discard(kernel_id)
        self._started.pop(kernel_id, None)
        self._awaiting_page.pop(kernel_id, None)
        self._owners.pop(kernel_id, None)
        _forget_request_info(kernel_id)
        for callback in self.on_shutdown:
            callback(kernel_id)
        await super().shutdown_kernel(kernel_id, *args, **kwargs)


def _forget_request_info(kernel_id: str) -> None:
    """Drop what Voila kept for a page that never connected to ``kernel_id``."""
    from voila.request_info_handler import RequestInfoSocketHandler

    RequestInfoSocketHandler._cache.pop(kernel_id, None)


def simple_page(title: str, heading: str, paragraphs: list[str], refresh: int = 0) -> str:
    """A small page for visitors, readable on a phone; it reloads after ``refresh`` s."""
    reload = f"<meta http-equiv='refresh' content='{refresh}'>" if refresh else ""
    text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>{reload}"
        f"<title>astrolearn: {title}</title></head>"
        "<body style='font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em'>"
        f"<main><h1>{heading}</h1>{text}</main></body></html>"
    )


def busy_page(reason: str) -> str:
    """The page a visitor gets instead of an app: plain words, and it retries itself.

    Parameters
    ----------
    reason : str
        One or two sentences on why this visitor must wait.
    """
    retry = (
        f"This page will try again by itself in {RETRY_AFTER} seconds; "
        "you do not need to do anything."
    )
    return simple_page(
        "busy, please wait", "The apps are busy right now", [reason, retry], RETRY_AFTER
    )


def address_group(address: str) -> str:
    """The unit limits count visitors by: the address itself, or its /64 for IPv6 (one
    household or phone gets a whole /64, so single IPv6 addresses cost nothing)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class NewKernelRate:
    """At most ``per_minute`` new app pages per visitor address, in bursts of as many.

    A token bucket per address; only the ``MAX_ADDRESSES`` most recent addresses are
    remembered, so that a flood of addresses cannot grow the table without bound.
    """

    MAX_ADDRESSES = 10_000

    def __init__(self, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be >= 1")
        self.per_minute = per_minute
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, address: str, now: float | None = None) -> bool:
        """Take one new page for ``address`` if its bucket has one left."""
        now = time.monotonic() if now is None else now
        address = address_group(address)
        tokens, then = self._buckets.pop(address, (float(self.per_minute), now))
        tokens = min(self.per_minute, tokens + (now - then) * self.per_minute / 60)
        allowed = tokens >= 1
        self._buckets[address] = (tokens - allowed, now)
        while len(self._buckets) > self.MAX_ADDRESSES:
            self._buckets.popitem(last=False)
        return allowed


#: Resident memory of one visitor's kernel, measured (benchmarks/bench_apps.py: 194-198
#: MB with an app loaded), rounded up.
KERNEL_BYTES = 200 << 20
#: Memory of one visitor's kernel forked from the warm parent (kernel_fork.py): what it
#: does not share with the parent, measured with an app loaded and its visitor
#: connected (benchmarks/bench_memory.py: 41-49 MB of USS and PSS per additional
#: visitor at 10 and 50 visitors), with room for what training a network adds for a
#: while. The parent itself (about 100 MB of its own) is in RESERVED_BYTES.
FORKED_KERNEL_BYTES = 100 << 20
#: Memory kept for the server process, the operating system and a margin.
RESERVED_BYTES = 1 << 30


def default_max_kernels(
    available_bytes: int, pooled_kernels: int, kernel_bytes: int = KERNEL_BYTES
) -> int:
    """Visitors' kernels of ``kernel_bytes`` each that fit in ``available_bytes`` beside
    the pooled kernels.

    Examples
    --------
    >>> default_max_kernels(24 << 30, pooled_kernels=5)
    112
    """
    fits = (available_bytes - RESERVED_BYTES) // kernel_bytes - pooled_kernels
    return max(1, fits)


def available_memory(proc: Path = Path("/proc"), cgroups: Path = Path("/sys/fs/cgroup")) -> int:
    """Bytes of memory available to new processes, or 0 if unknown.

    The machine's ``MemAvailable``, or less where a control group caps this process's
    memory: a container's limit (Binder gives 2 GB on a machine of tens), which
    ``/proc/meminfo`` does not show.
    """
    known = [m for m in (_meminfo_available(proc), _cgroup_headroom(proc, cgroups)) if m]
    return min(known, default=0)


def _meminfo_available(proc: Path) -> int | None:
    try:
        for line in (proc / "meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


#: A cgroup v1 "no limit" is the largest page-aligned 64-bit value: anything this large.
_NO_LIMIT = 1 << 60


def _cgroup_headroom(proc: Path, cgroups: Path) -> int | None:
    """The least room left under the memory limits of this process's control group and
    those above it (cgroup v2 or v1), counting reclaimable page cache as room; None
    where no limit is set or none can be read."""
    try:
        lines = (proc / "self" / "cgroup").read_text().splitlines()
    except OSError:
        return None
    rooms = []
    for line in lines:
        _id, controllers, path = line.split(":", 2)
        if controllers == "":  # v2: memory.max, memory.current
            files, base = ("memory.max", "memory.current", "inactive_file"), cgroups
        elif "memory" in controllers.split(","):  # v1
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
            base = cgroups / "memory"
        else:
            continue
        # A container sees its own group at the root (cgroup namespace), a host the path.
        folder = base / path.lstrip("/")
        for group in [folder, *folder.parents]:
            room = _room(group, *files)
            if room is not None:
                rooms.append(room)
            if group == base:
                break
    return min(rooms, default=None)


def _room(group: Path, limit_file: str, usage_file: str, reclaimable: str) -> int | None:
    try:
        limit = (group / limit_file).read_text().strip()
        if limit == "max" or int(limit) >= _NO_LIMIT:
            return None
        used = int((group / usage_file).read_text())
    except (OSError, ValueError):
        return None
    return max(0, int(limit) - used + _stat(group, reclaimable))


def _stat(group: Path, key: str) -> int:
    """One value of the group's ``memory.stat`` (0 when it cannot be read)."""
    try:
        for line in (group / "memory.stat").read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0
