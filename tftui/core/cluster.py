"""One node's result of a poll round, and the cluster-wide counts the header shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .catalog import MODERN, SPLIT_NODEMGRS, Layout, ServiceDef
from .inventory import NodeSpec
from .layout import Evidence, decide_layout
from .status import (
    FetchResult,
    Health,
    ProbeResult,
    ServiceState,
    evaluate_from_process,
    evaluate_introspect,
    evaluate_probe,
    evaluate_unknown,
    nodemgr_evidence,
    pod_blocks,
    service_health,
)


@dataclass(frozen=True)
class NodeResult:
    name: str
    address: str
    roles: tuple[str, ...]
    services: tuple[ServiceState, ...]
    reachable: bool
    at: float
    polled: bool = True
    errors: tuple[str, ...] = field(default=())
    layout: Layout = MODERN  # the pods its release has (core/layout.py)
    layout_evidence: tuple[Evidence, ...] = field(default=())

    def health(self, analytics_expected: bool = True) -> Health:
        if not self.polled:
            return Health.PENDING
        if not self.reachable and any(s.evidence == "introspect" for s in self.services):
            return Health.UNREACHABLE
        return max((service_health(s, analytics_expected) for s in self.services), default=Health.OK)

    def blocks(self) -> dict[str, dict[str, ServiceState]]:
        return pod_blocks(self.services)

    def service(self, key: str) -> ServiceState | None:
        return next((s for s in self.services if s.key == key), None)


def pending_result(spec: NodeSpec) -> NodeResult:
    return NodeResult(spec.name, spec.address, spec.roles, (), reachable=False, at=0.0, polled=False)


_WATCHED = frozenset(k for keys in SPLIT_NODEMGRS.values() for k in keys)


def services_to_fetch(spec: NodeSpec, previous: NodeResult | None = None) -> list[ServiceDef]:
    """Every service the node may run until its layout is known; then its layout's, plus the nodemgrs only a newer
    release runs (their answer, or their refusal, is how a changed release shows)."""
    if previous is None or not previous.layout_evidence:
        return spec.services()
    current = spec.services(previous.layout)
    keys = {s.key for s in current}
    return current + [s for s in spec.services() if s.key in _WATCHED and s.key not in keys]


def services_needing_probe(spec_services: list[ServiceDef], introspected: dict[str, ServiceState]) -> list[ServiceDef]:
    """Services with no introspect and no nodemgr evidence, that have a port worth a TCP connect."""
    return [s for s in spec_services
            if s.port is None and s.probe_port and nodemgr_evidence(s, introspected) is None]


def _unchanged(previous: NodeResult | None, key: str, fetch: FetchResult) -> ServiceState | None:
    """The previous state when the service sent the very same bytes again: no need to parse them twice."""
    if previous is None or fetch.http_status != 200 or not fetch.body:
        return None
    old = previous.service(key)
    if old is None or old.evidence != "introspect" or old.raw != fetch.body:
        return None
    new = replace(old, at=fetch.at, elapsed=fetch.elapsed)
    if "node_statuses" in old.__dict__:  # the same bytes decode the same: keep the model decoded on demand
        new.__dict__["node_statuses"] = old.__dict__["node_statuses"]
    return new


def introspect_states(services: list[ServiceDef], fetches: dict[str, FetchResult], max_bytes: int | None = None,
                      previous: NodeResult | None = None) -> dict[str, ServiceState]:
    """The states of the services that have an introspect, from what was fetched for them.

    With ``previous`` (the node's last result), replies identical to last time reuse their state: at fleet
    scale most replies do not change between rounds, and parsing is the poller's largest CPU cost."""
    kw = {"max_bytes": max_bytes} if max_bytes else {}
    out: dict[str, ServiceState] = {}
    for svc in services:
        fetch = fetches.get(svc.key) if svc.port is not None else None
        if fetch is not None:
            out[svc.key] = _unchanged(previous, svc.key, fetch) or evaluate_introspect(svc, fetch, port=svc.port, **kw)
    return out


def node_layout(spec: NodeSpec, fetches: dict[str, FetchResult], introspected: dict[str, ServiceState],
                previous: NodeResult | None = None) -> tuple[Layout, tuple[Evidence, ...]]:
    return decide_layout(spec.roles, fetches, introspected, previous.layout_evidence if previous else ())


def evaluate_node(spec: NodeSpec, fetches: dict[str, FetchResult], probes: dict[str, ProbeResult],
                  at: float, max_bytes: int | None = None, previous: NodeResult | None = None,
                  introspected: dict[str, ServiceState] | None = None,
                  decided: tuple[Layout, tuple[Evidence, ...]] | None = None) -> NodeResult:
    """Turn what was fetched for a node (every introspect it may have, ``spec.services()``) into the
    contrail-status states of the services its release runs, in the pods that release has.

    ``introspected`` is ``introspect_states``'s result and ``decided`` ``node_layout``'s, when the caller already
    has them (it decided on probes with them)."""
    if introspected is None:
        introspected = introspect_states(spec.services(), fetches, max_bytes, previous)
    layout, evidence = decided or node_layout(spec, fetches, introspected, previous)
    services = spec.services(layout)
    states: list[ServiceState] = []
    for svc in services:
        if svc.key in introspected:
            st = introspected[svc.key]  # fetched before the layout was known: the pod may be this layout's other
            states.append(st if (st.pod, st.name) == (svc.pod, svc.name) else replace(st, pod=svc.pod, name=svc.name))
            continue
        if svc.port is not None:  # an introspect service we did not fetch (backed off): say so
            states.append(evaluate_unknown(svc, at))
            continue
        found = nodemgr_evidence(svc, introspected)
        if found is not None:
            info, source = found
            states.append(evaluate_from_process(svc, info, introspected[source].at, source))
        elif svc.key in probes:
            states.append(evaluate_probe(svc, probes[svc.key]))
        else:
            states.append(evaluate_unknown(svc, at))
    reachable = any(f.connected for f in fetches.values()) or any(p.kind.value == "reply" for p in probes.values())
    errors = tuple(f"{s.key}: {s.status} — {s.reason}" for s in states if not s.ok and s.reason)
    return NodeResult(spec.name, spec.address, spec.roles, tuple(states), reachable, at, errors=errors, layout=layout,
                      layout_evidence=evidence)


def health_counts(results, analytics_expected: bool = True) -> Counter:
    return Counter(r.health(analytics_expected) for r in results)


def summary_line(counts: Counter) -> str:
    parts = [f"{counts.get(Health.OK, 0)} ok", f"{counts.get(Health.DEGRADED, 0)} degraded",
             f"{counts.get(Health.UNREACHABLE, 0)} unreachable"]
    if counts.get(Health.UNKNOWN):
        parts.append(f"{counts[Health.UNKNOWN]} unknown")
    if counts.get(Health.PENDING):
        parts.append(f"{counts[Health.PENDING]} pending")
    return " / ".join(parts)
