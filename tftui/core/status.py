"""contrail-status's rules, applied to what the poller fetched, plus node health for the tree.

The ``status`` string of a service is exactly what contrail-status prints; ``reason`` says why in
words an operator can act on, even where contrail-status itself says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from functools import cached_property

from .catalog import ServiceDef
from .nodestatus import NodeStatus, ProcessInfo, decode_node_statuses, first_process_status
from .sandesh import DEFAULT_MAX_BYTES, SandeshError

ACTIVE, INITIALIZING, INACTIVE, BACKUP, TIMEOUT, BAD_REPLY, UNKNOWN = (
    "active", "initializing", "inactive", "backup", "timeout", "bad reply", "unknown",
)
OK_STATES = frozenset({ACTIVE, BACKUP})
COLLECTOR_DOWN = "Collector connection down"


class FetchKind(StrEnum):
    REPLY = "reply"  # an HTTP response arrived (any status code)
    REFUSED = "refused"  # nothing listening / host said no
    TIMEOUT = "timeout"
    ERROR = "error"  # connected, then the exchange broke (reset, truncated, TLS, oversize)


@dataclass(frozen=True)
class FetchResult:
    kind: FetchKind
    http_status: int = 0
    body: bytes = b""
    error: str = ""
    elapsed: float = 0.0
    at: float = 0.0  # wall-clock time the result arrived

    @property
    def connected(self) -> bool:
        return self.kind in (FetchKind.REPLY, FetchKind.ERROR)


@dataclass(frozen=True)
class ProbeResult:
    """A TCP connect to a well-known port, for services with neither introspect nor nodemgr."""

    port: int
    kind: FetchKind  # REPLY means the connection was accepted
    at: float = 0.0


@dataclass(frozen=True)
class ServiceState:
    key: str
    pod: str
    name: str
    state: str
    description: str = ""
    reason: str = ""  # why, for the detail pane and JSON; not part of contrail-status's text
    evidence: str = ""  # introspect | analytics | nodemgr | probe | none
    port: int | None = None
    at: float = 0.0
    elapsed: float = 0.0  # seconds the introspect reply took (0 for other evidence)
    raw: bytes = field(default=b"", compare=False, repr=False)
    decodable: bool = field(default=False, compare=False, repr=False)
    # NodeStatus that arrived decoded (the analytics API's UVE), where there are no raw introspect bytes
    reported: tuple[NodeStatus, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def node_statuses(self) -> tuple[NodeStatus, ...]:
        """The full NodeStatus model, decoded on first use (detail pane, nodemgr evidence), not per poll."""
        if self.reported:
            return self.reported
        if not self.decodable or not self.raw:
            return ()
        try:
            return tuple(decode_node_statuses(self.raw))
        except SandeshError:
            return ()

    @property
    def status(self) -> str:
        if self.state == BAD_REPLY:
            return f"{BAD_REPLY}: {self.reason}" if self.reason else BAD_REPLY
        return f"{self.state} ({self.description})" if self.description else self.state

    @property
    def ok(self) -> bool:
        return self.state in OK_STATES


def evaluate_introspect(svc: ServiceDef, fetch: FetchResult, port: int | None = None,
                        max_bytes: int = DEFAULT_MAX_BYTES) -> ServiceState:
    base = dict(key=svc.key, pod=svc.pod, name=svc.name, evidence="introspect", port=port or svc.port, at=fetch.at,
                elapsed=fetch.elapsed)
    if fetch.kind is FetchKind.REFUSED:
        if svc.standby:
            return ServiceState(state=BACKUP, reason="introspect closed: standby instance", **base)
        return ServiceState(state=INITIALIZING, reason=fetch.error or "connection refused", **base)
    if fetch.kind is FetchKind.TIMEOUT:
        return ServiceState(state=TIMEOUT, reason=fetch.error or "no reply in time", **base)
    if fetch.kind is FetchKind.ERROR:
        return ServiceState(state=BAD_REPLY, reason=fetch.error or "connection broke", **base)
    if fetch.http_status != 200:
        return ServiceState(state=INITIALIZING, reason=f"HTTP {fetch.http_status}", raw=fetch.body[:65536], **base)
    try:
        first = first_process_status(fetch.body, max_bytes)
    except SandeshError as exc:
        return ServiceState(state=BAD_REPLY, reason=str(exc), raw=fetch.body[:65536], **base)
    if first is None:
        return ServiceState(state=INITIALIZING, reason="no NodeStatus with process_status in reply",
                            raw=fetch.body, decodable=True, **base)
    ps_state, description = first
    state = ACTIVE if ps_state == "Functional" else INITIALIZING
    reason = f"process reports {ps_state}" if ps_state else "process_status without state"
    return ServiceState(state=state, description=description or "", reason=reason, raw=fetch.body, decodable=True,
                        **base)


def find_process(statuses: tuple[NodeStatus, ...] | list[NodeStatus], process: str) -> ProcessInfo | None:
    for ns in statuses:
        for pi in ns.process_info:
            if pi.process_name == process:
                return pi
    return None


def evaluate_from_process(svc: ServiceDef, info: ProcessInfo, at: float, source: str) -> ServiceState:
    base = dict(key=svc.key, pod=svc.pod, name=svc.name, evidence="nodemgr", at=at)
    if info.running:
        return ServiceState(state=ACTIVE, reason=f"{info.process_name} running per {source}", **base)
    return ServiceState(state=INACTIVE, description=info.process_state or "PROCESS_STATE_UNKNOWN",
                        reason=f"{info.process_name} {info.short_state} per {source}", **base)


def evaluate_probe(svc: ServiceDef, probe: ProbeResult) -> ServiceState:
    base = dict(key=svc.key, pod=svc.pod, name=svc.name, evidence="probe", port=probe.port, at=probe.at)
    if probe.kind is FetchKind.REPLY:
        return ServiceState(state=ACTIVE, reason=f"port {probe.port} accepts connections", **base)
    if probe.kind is FetchKind.TIMEOUT:
        return ServiceState(state=TIMEOUT, reason=f"port {probe.port}: no answer", **base)
    return ServiceState(state=INACTIVE, description=f"nothing listening on port {probe.port}",
                        reason=f"port {probe.port} refused", **base)


def evaluate_unknown(svc: ServiceDef, at: float) -> ServiceState:
    return ServiceState(key=svc.key, pod=svc.pod, name=svc.name, state=UNKNOWN, evidence="none", at=at,
                        reason="no introspect, no nodemgr process_info, no probe port")


def nodemgr_evidence(svc: ServiceDef, by_key: dict[str, ServiceState]) -> tuple[ProcessInfo, str] | None:
    """The process_info entry for ``svc``: its own pod's nodemgr first, then any other nodemgr."""
    order = [svc.nodemgr] if svc.nodemgr else []
    order += [k for k, s in by_key.items() if k not in order and s.name == "nodemgr"]
    for key in order:
        st = by_key.get(key)
        if st is None or not st.node_statuses:
            continue
        info = find_process(st.node_statuses, svc.process or svc.name)
        if info is not None:
            return info, key
    return None


# -------------------------------------------------------------------------------- node health


class Health(int, Enum):
    """Ordered worst-last so ``max`` picks the worst; names are what the header counts."""

    PENDING = 0
    OK = 1
    UNKNOWN = 2
    DEGRADED = 3
    UNREACHABLE = 4


def service_health(s: ServiceState, analytics_expected: bool = True) -> Health:
    if s.state in OK_STATES:
        return Health.OK
    if s.state == UNKNOWN:
        return Health.UNKNOWN
    # Without analytics every daemon says "Collector connection down": that is the setup, not an outage.
    if not analytics_expected and s.state == INITIALIZING and s.description.strip() == COLLECTOR_DOWN:
        return Health.OK
    return Health.DEGRADED


def pod_blocks(states) -> dict[str, dict[str, ServiceState]]:
    """pod -> service name -> state, in the order given (a release's layout names each service once per pod)."""
    pods: dict[str, dict[str, ServiceState]] = {}
    for s in states:
        pods.setdefault(s.pod, {})[s.name] = s
    return pods
