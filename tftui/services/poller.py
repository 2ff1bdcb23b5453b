"""The poller: every service introspect of every node, round after round, into a ClusterState.

A round polls all due nodes concurrently (bounded by the client's semaphore); each node's result
lands in the state the moment it is ready, so a slow node delays nobody's display. The next round
is scheduled when the last one finished (never overlapping); nodes that answer nothing are backed
off exponentially but still shown with the age of their last result.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from tftui.clients.introspect import IntrospectClient, IntrospectSettings
from tftui.core.cluster import (
    NodeResult,
    evaluate_node,
    introspect_states,
    node_layout,
    services_needing_probe,
    services_to_fetch,
)
from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.core.status import FetchResult, ProbeResult

from .state import ClusterState
from .status_sources import AnalyticsStatusSource, status_source_for

MAX_BACKOFF = 60.0
_FROM_CONFIG = object()  # Poller's default status source: the one the cluster's config names


@dataclass
class RoundStats:
    started: float
    duration: float
    nodes: int
    skipped: int


class Poller:
    def __init__(self, spec: ClusterSpec, state: ClusterState | None = None,
                 client: IntrospectClient | None = None, clock: Callable[[], float] = time.time,
                 status_source: AnalyticsStatusSource | None | object = _FROM_CONFIG):
        self.spec = spec
        # analytics (status_source: auto | analytics) answers for what it knows; introspect for the rest
        self.status_source: AnalyticsStatusSource | None = (
            status_source_for(spec) if status_source is _FROM_CONFIG else status_source)  # type: ignore[assignment]
        self.state = state or ClusterState(spec)
        self.client = client or IntrospectClient(IntrospectSettings.from_cluster(spec))
        self.clock = clock
        self.paused = False
        self._wake = asyncio.Event()
        self._force = False
        self._failures: dict[str, int] = {}
        self._next_due: dict[str, float] = {}
        self.last_round: RoundStats | None = None

    async def poll_node(self, node: NodeSpec) -> NodeResult:
        previous = self.state.results.get(node.name)
        previous = previous if previous is not None and previous.polled else None
        services = services_to_fetch(node, previous)
        known = self.status_source.states_for(node) if self.status_source is not None else {}
        introspect = [s for s in services if s.port is not None and s.key not in known]
        fetched = await asyncio.gather(*(self.client.node_status(node.address, s.port) for s in introspect))
        fetches: dict[str, FetchResult] = {s.key: f for s, f in zip(introspect, fetched, strict=True)}
        max_bytes = self.client.settings.max_bytes
        states = introspect_states(services, fetches, max_bytes, previous)
        states.update(known)
        decided = node_layout(node, fetches, states, previous)
        probes: dict[str, ProbeResult] = {}
        wanted = services_needing_probe(node.services(decided[0]), states)
        if wanted:
            results = await asyncio.gather(*(self.client.probe(node.address, s.probe_port) for s in wanted))
            probes = {s.key: r for s, r in zip(wanted, results, strict=True)}
        result = evaluate_node(node, fetches, probes, at=self.clock(), max_bytes=max_bytes, previous=previous,
                               introspected=states, decided=decided)
        return replace(result, reachable=True) if known and not result.reachable else result

    def _due(self, node: NodeSpec, now: float, force: bool) -> bool:
        return force or now >= self._next_due.get(node.name, 0.0)

    def _after_result(self, result: NodeResult, now: float) -> None:
        if result.reachable:
            self._failures.pop(result.name, None)
            self._next_due.pop(result.name, None)
        else:
            n = self._failures.get(result.name, 0) + 1
            self._failures[result.name] = n
            self._next_due[result.name] = now + min(self.spec.poll_interval * (2 ** (n - 1)), MAX_BACKOFF)

    def backoffs(self) -> dict[str, float]:
        """Backed-off nodes and the wall-clock time each is tried again."""
        return dict(self._next_due)

    def backoff_of(self, name: str) -> float:
        """Seconds until a backed-off node is tried again (0 when it is polled every round)."""
        due = self._next_due.get(name)
        return max(0.0, due - self.clock()) if due else 0.0

    async def _poll_and_store(self, node: NodeSpec) -> None:
        try:
            result = await self.poll_node(node)
        except Exception as exc:  # a bug must not take the whole round down: show it on the node
            self.state.record_error(node, f"poll failed: {type(exc).__name__}: {exc}")
            return
        self._after_result(result, self.clock())
        self.state.update(result)

    async def poll_round(self, force: bool = False) -> RoundStats:
        started = self.clock()
        t0 = time.monotonic()
        due = [n for n in self.spec.nodes if self._due(n, started, force)]
        if self.status_source is not None and due:
            await self.status_source.refresh()  # a failure leaves it empty: this round is all introspect
        await asyncio.gather(*(self._poll_and_store(n) for n in due))
        stats = RoundStats(started, time.monotonic() - t0, len(due), len(self.spec.nodes) - len(due))
        self.last_round = stats
        self.state.round_finished(self.clock(), stats.duration)
        return stats

    def refresh_now(self) -> None:
        self._force = True
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            self._wake.set()

    async def run(self) -> None:
        """Poll until cancelled; each next round starts ``poll_interval`` after the last one ended."""
        await self.client.open()
        try:
            while True:
                if not self.paused or self._force:
                    force, self._force = self._force, False
                    await self.poll_round(force=force)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.spec.poll_interval)
        finally:
            await self.close()

    async def close(self) -> None:
        await self.client.close()
        if self.status_source is not None:
            await self.status_source.close()
