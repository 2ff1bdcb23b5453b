"""What the UI watches: the latest result per node, the transition log, and what changed since last looked."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tftui.core.cluster import NodeResult, health_counts, pending_result
from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.core.status import Health

log = logging.getLogger("tftui.events")

MAX_EVENTS = 5000


@dataclass(frozen=True)
class Event:
    at: float
    node: str
    service: str  # service key, or "" for the node itself
    old: str
    new: str
    kind: str = "transition"  # transition | first (bad from the first result on) | error

    def line(self) -> str:
        what = f"{self.node} {self.service}".strip()
        if self.kind == "transition":
            return f"{what}: {self.old} -> {self.new}"
        return f"{what}: first seen {self.new}" if self.kind == "first" else f"{what}: {self.new}"


class ClusterState:
    def __init__(self, spec: ClusterSpec):
        self.spec = spec
        self.results: dict[str, NodeResult] = {n.name: pending_result(n) for n in spec.nodes}
        self.events: deque[Event] = deque(maxlen=MAX_EVENTS)
        self.events_total = 0
        self._changed: set[str] = set()
        self.last_round_at = 0.0
        self.last_round_duration = 0.0
        self.rounds = 0
        self.analytics_expected = spec.has_analytics
        self.last_answered: dict[str, float] = {}  # node -> when it last answered (a dead node's age)
        # called after every change, from the poller's thread: the cluster feed tells its views
        self.listener: Callable[[], None] | None = None
        self.watched: str | None = None  # the node whose full replies the UI shows (detail pane, raw view)
        self.on_watch: Callable[[str | None], None] | None = None  # a poller in another process listens
        self._lock = threading.Lock()

    def _changed_now(self) -> None:
        if self.listener is not None:
            self.listener()

    def _event(self, ev: Event) -> None:
        with self._lock:
            self.events.append(ev)
            self.events_total += 1
        log.info("%s", ev.line())

    @staticmethod
    def _visible(r: NodeResult) -> tuple:
        return (r.polled, r.reachable, tuple(s.status for s in r.services))

    def update(self, result: NodeResult) -> None:
        """Store a node's result; mark it changed only when something shown changed (not on every poll)."""
        with self._lock:
            old = self.results.get(result.name)
            self.results[result.name] = result
            if old is None or self._visible(old) != self._visible(result):
                self._changed.add(result.name)
            if result.polled and result.reachable:
                self.last_answered[result.name] = result.at
        self._log_transitions(old, result)
        self._changed_now()

    def _log_transitions(self, old: NodeResult | None, result: NodeResult) -> None:
        if old is None or not old.polled:
            self._first_events(result)
            return
        if old.reachable != result.reachable:
            self._event(Event(result.at, result.name, "", "reachable" if old.reachable else "unreachable",
                              "reachable" if result.reachable else "unreachable"))
        before = {s.key: s.status for s in old.services}
        for s in result.services:
            prev = before.get(s.key)
            if prev is not None and prev != s.status:
                self._event(Event(result.at, result.name, s.key, prev, s.status))

    def _first_events(self, result: NodeResult) -> None:
        """A node that is bad from its very first result has no transition to log: log what it is."""
        if not result.polled:
            return
        if not result.reachable:
            self._event(Event(result.at, result.name, "", "", "unreachable", kind="first"))
        for s in result.services:
            if not s.ok:
                self._event(Event(result.at, result.name, s.key, "", s.status, kind="first"))

    def record_error(self, node: NodeSpec, message: str) -> None:
        """A poll that failed in tftui itself (not the node): logged and listed in the events view."""
        self._event(Event(time.time(), node.name, "", "", message, kind="error"))
        self._changed_now()

    def round_finished(self, at: float, duration: float, count: int = 1) -> None:
        self.last_round_at = at
        self.last_round_duration = duration
        self.rounds += count
        self._changed_now()

    def merge(self, results: Iterable[NodeResult], events: Iterable[Event],
              answered: dict[str, float] | None = None) -> None:
        """Results and events worked out elsewhere (a poller process, which logged the events already)."""
        with self._lock:
            for result in results:
                self.results[result.name] = result
                self._changed.add(result.name)
            for ev in events:
                self.events.append(ev)
                self.events_total += 1
            if answered:
                self.last_answered.update(answered)
        self._changed_now()

    def watch(self, name: str | None) -> None:
        """The node the operator is looking at: a poller in another process sends its whole replies."""
        if name != self.watched:
            self.watched = name
            if self.on_watch is not None:
                self.on_watch(name)

    def drain_changed(self) -> set[str]:
        with self._lock:  # the poller may run in its own thread
            changed, self._changed = self._changed, set()
        return changed

    def health(self, name: str) -> Health:
        return self.results[name].health(self.analytics_expected)

    def counts(self):
        return health_counts(self.results.values(), self.analytics_expected)

    def ordered(self) -> list[NodeResult]:
        return [self.results[n.name] for n in self.spec.nodes]
