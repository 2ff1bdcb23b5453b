"""The feeds of the cluster-state views, over one NetworkStateService (services/network_state.py).

Plain names: ``peers`` (every control node's neighbors), ``croutes`` (every control node's routes). With an
argument after a colon, one feed per thing looked at: ``vrouter:NAME`` (its VRFs, one VRF's routes, next hops,
XMPP, drops; ``feed.vrf`` picks the VRF), ``path:POD_OR_IP``, ``traces:NODE:SERVICE`` (its trace buffers),
``trace:NODE:SERVICE:BUFFER`` (one buffer's lines), ``introspect:NODE:SERVICE`` (the modules and requests the
daemon's own pages list).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from .feed import FetchFeed
from .network_state import NetworkStateService, StateError

EXPECTED = (StateError,)
PEERS_EVERY = 10.0  # seconds between two reads of the neighbor lists while a view shows them
VROUTER_EVERY = 5.0  # a vrouter's state: drop counters' rates over this long


class PeriodicFeed(FetchFeed):
    """A FetchFeed read again every ``every`` seconds while someone listens and it is not paused (`p`)."""

    can_pause = True

    def __init__(self, fetch: Callable[[], Awaitable[Any]], source: str, every: float,
                 expected: tuple[type[BaseException], ...] = EXPECTED):
        super().__init__(fetch, source, expected)
        self.every = every
        self._timer: asyncio.Task | None = None

    def start(self) -> None:
        super().start()
        if self._timer is None or self._timer.done():
            if self.version and not self.paused:  # a view opened again: fresh data now, not after `every`
                self.refresh_soon()
            self._timer = asyncio.get_running_loop().create_task(self._again_and_again(), name=f"every {self.source}")

    async def _again_and_again(self) -> None:
        while self._listeners:
            await asyncio.sleep(self.every)
            if self._listeners and not self.paused:
                self.refresh_soon()

    async def aclose(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        await super().aclose()


class VrouterFeed(PeriodicFeed):
    """One vrouter's state; ``vrf`` (a VRF name, None for the first network VRF) is read at every fetch."""

    def __init__(self, state: NetworkStateService, name: str):
        self.vrf: str | None = None
        super().__init__(lambda: state.vrouter(name, self.vrf), f"{name}'s agent introspect", VROUTER_EVERY)


def network_state(services) -> NetworkStateService:
    spec = services.spec
    if not any(role in n.roles for n in spec.nodes for role in ("control", "vrouter")):
        raise StateError(f"cluster {spec.name} has no control or vrouter nodes")  # the registry: Unavailable
    return NetworkStateService(spec, clock=services.clock)


def peers(services) -> FetchFeed:
    state = services.get("network_state")
    return PeriodicFeed(state.peers, f"BgpNeighborReq on {len(state.control_nodes())} control node(s)", PEERS_EVERY)


def croutes(services) -> FetchFeed:
    state = services.get("network_state")
    return FetchFeed(lambda: state.control_routes(), f"ShowRouteReq on {len(state.control_nodes())} control node(s)",
                     EXPECTED)


def _node_service(arg: str) -> tuple[str, str, str]:
    node, _, rest = arg.partition(":")
    service, _, extra = rest.partition(":")
    return node, service, extra


def parametric(services, kind: str, arg: str) -> Any:
    """The feed ``kind:arg``, or None when ``kind`` is not one of this module's."""
    if kind not in ("vrouter", "path", "traces", "trace", "introspect"):
        return None
    state: NetworkStateService = services.get("network_state")
    if kind == "vrouter":
        state.node(arg, "vrouter")  # StateError now, not at the first fetch, for a name that is no vrouter
        return VrouterFeed(state, arg)
    if kind == "path":
        from .pod_path import pod_path

        return FetchFeed(lambda: pod_path(state, arg), f"the path of {arg}", EXPECTED)
    node, service, extra = _node_service(arg)
    if kind == "traces":
        return FetchFeed(lambda: state.trace_buffers(node, service), f"{node} {service} trace buffers", EXPECTED)
    if kind == "trace":
        return FetchFeed(lambda: state.trace(node, service, extra), f"{node} {service} {extra}", EXPECTED)
    return FetchFeed(lambda: state.offered(node, service), f"{node} {service} index and module pages", EXPECTED)
