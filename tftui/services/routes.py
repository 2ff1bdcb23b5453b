"""RouterMonitor: keeps the gateway router's neighbors, routes, raw outputs and the gatewayless cross-check fresh.

The next refresh is scheduled when the last one finished, so a slow router is never asked twice at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tftui.clients.router import CommandOutput, Fetched, PasswordPrompt, RouterClient, RouterError
from tftui.core.inventory import ClusterSpec
from tftui.core.routes.config import RouterSpec, choose_router
from tftui.core.routes.crosscheck import CrossCheck, cross_check
from tftui.core.routes.models import Neighbor, Route

from .feed import Feed, describe_error
from .gatewayless import HostsProvider, hosts_from_file, hosts_provider
from .heap import settle_heap

__all__ = ["HostsProvider", "RouterMonitor", "RouterState", "hosts_from_file", "state_json"]

log = logging.getLogger(__name__)


@dataclass
class RouterState:
    name: str
    suite: str | None = None
    neighbors: list[Neighbor] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    raw: dict[str, CommandOutput] = field(default_factory=dict)  # "summary" / "routes" -> last output
    skipped: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    check: CrossCheck | None = None
    check_note: str | None = None  # why there is no cross-check
    last_fetched: float | None = None  # wall clock of the last complete fetch
    last_attempt: float | None = None
    generation: int = 0
    fetching: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and self.last_fetched is not None


BIG_TABLE = 50_000  # routes past which the heap is settled after a fetch (see settle_heap)


RAW_KEEP = 200_000  # characters of each raw output kept for the pane's raw view (a 200k-route table is 60 MB)


def _kept(out: CommandOutput) -> CommandOutput:
    if len(out.stdout) <= RAW_KEEP:
        return out
    cut = out.stdout.rfind("\n", 0, RAW_KEEP) + 1 or RAW_KEEP
    more = len(out.stdout) - cut
    return replace(out, stdout=f"{out.stdout[:cut]}... ({more} more characters not kept)\n")


class RouterMonitor(Feed):
    """A feed of one router's RouterState (the same object, updated in place, published after each step)."""

    can_pause = True

    def __init__(self, spec: RouterSpec, hosts: HostsProvider | None = None, interval: float | None = None,
                 prompt: PasswordPrompt | None = None, client: RouterClient | None = None,
                 clock: Callable[[], float] = time.time):
        super().__init__()
        self.spec = spec
        self.source = f"router {spec.name} ({spec.host})"
        self.clock = clock
        self.client = client or RouterClient(spec, prompt)
        self.hosts = hosts
        self.interval = interval if interval is not None else spec.refresh
        self.state = RouterState(spec.name)
        self.snapshot = self.state
        self._task: asyncio.Task | None = None
        self._refresh_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self.settle_big_tables = True  # a one-shot command has no pane to keep smooth
        self.cross_checks = True  # `tftui routes` prints no cross-check: it need not compute one
        self.vrouter_names: dict[str, str] = {}  # address -> node name of the cluster's vrouters
        self.no_hosts_note = "no interface list: configure config_api or gatewayless.networks, or gatewayless.hosts_file"

    @classmethod
    def from_cluster(cls, cluster: ClusterSpec, router: str | None = None, prompt: PasswordPrompt | None = None,
                     interval: float | None = None) -> RouterMonitor:
        """The monitor for one router of the cluster's `routers:` list (the first unless named)."""
        # the cluster's `timeout` is for introspect polls; a router table can take longer, so routers default to 10s
        monitor = cls(choose_router(list(cluster.routers), router), hosts_provider(cluster), interval, prompt)
        monitor.vrouter_names = {n.address: n.name for n in cluster.vrouters}
        if not cluster.vrouters:
            monitor.no_hosts_note = ("no vrouters known: no pod/VM /32 to compare (add the cluster's nodes, an "
                                     "inventory or config_api; or gatewayless.hosts_file)")
        return monitor

    @staticmethod
    def router_names(cluster: ClusterSpec) -> list[str]:
        return [r.name for r in cluster.routers]

    def _notify(self) -> None:
        st = self.state
        self.busy = st.fetching
        self.publish(st, error=st.errors[-1] if st.errors else None, updated_at=st.last_fetched)

    async def refresh(self) -> RouterState:
        async with self._refresh_lock:
            st = self.state
            st.fetching = True
            st.last_attempt = self.clock()
            self._notify()
            warnings: list[str] = []
            errors: list[str] = []
            try:
                suite = await self.client.detect()
                st.suite = suite.label()
                got: dict[str, Fetched] = {}
                for name, call in (("summary", self.client.neighbors), ("routes", self.client.routes)):
                    try:
                        got[name] = await call()
                    except RouterError as exc:
                        errors.append(str(exc))
                for name, f in got.items():
                    st.raw[name] = _kept(f.output)
                    st.skipped[name] = f.parsed.skipped
                    warnings.extend(f.warnings)
                    errors.extend(f"{self.spec.name}: {e}" for e in f.parsed.errors
                                  if not e.startswith("% No BGP neighbors"))
                if "summary" in got:
                    st.neighbors = got["summary"].parsed.items
                if "routes" in got:
                    st.routes = got["routes"].parsed.items
                    if self.settle_big_tables and len(st.routes) > BIG_TABLE:
                        await asyncio.to_thread(settle_heap)
                if got and not errors:
                    st.last_fetched = self.clock()
            except RouterError as exc:
                errors.append(str(exc))
            await self._check(st)
            for e in errors:
                log.error("router %s: %s", self.spec.name, e)
            st.warnings, st.errors = warnings, errors
            st.fetching = False
            st.generation += 1
            self._notify()
            return st

    async def _check(self, st: RouterState) -> None:
        if not self.cross_checks:
            st.check, st.check_note = None, "not asked for"
            return
        if st.last_fetched is None:
            st.check, st.check_note = None, "no router tables yet"
            return
        if self.hosts is None:  # the neighbors can still be checked; say what could not be
            hosts, note = [], self.no_hosts_note
        else:
            try:
                hosts, note = await self.hosts(), None
            except RouterError as exc:
                st.check, st.check_note = None, str(exc)
                return
        # orphans only via vrouters that listed their interfaces: an unreadable agent's pods are not orphans
        vrouters = {h.vrouter_address for h in hosts}
        st.check = await asyncio.to_thread(cross_check, hosts, st.routes, st.neighbors, vrouters, self.vrouter_names)
        st.check.note = note
        st.check_note = None

    @property
    def unknown_host_key(self) -> str | None:
        """SHA256 fingerprint of a host key waiting for the operator's yes, if any."""
        pending = self.client.unknown_key
        return pending.fingerprint if pending is not None else None

    def accept_host_key(self) -> str:
        fingerprint = self.client.accept_unknown_key()
        self.refresh_soon()
        return fingerprint

    async def prefix_detail(self, prefix: str) -> Fetched:
        """`show ip bgp PREFIX`; ValueError for anything that is not an address or prefix."""
        return await self.client.bgp_prefix(prefix)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name=f"router-{self.spec.name}")

    def refresh_soon(self) -> None:
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            self._wake.set()
        self._notify()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            if not self.paused or self._wake.is_set():
                try:
                    await self.refresh()
                except Exception as exc:  # a bug in a parser must not end the monitor: say it, keep the tables
                    log.exception("router %s: refresh failed", self.spec.name)
                    self.state.fetching = False
                    self.state.errors = [describe_error(exc)]
                    self._notify()
            spent = loop.time() - started
            self._wake.clear()
            # a 200k-route table costs seconds of CPU to fetch and read: at most a fifth of the time goes to it,
            # so the pane stays responsive between refreshes (ctrl+r still refreshes at once)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(self.interval, 4 * spent))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self.client.close()

    async def aclose(self) -> None:
        await self.stop()


def state_json(st: RouterState) -> str:
    from tftui.core.routes.render import routes_document_chunks

    return "".join(routes_document_chunks(st.name, st.suite, st.neighbors, st.routes, st.warnings, st.errors))
