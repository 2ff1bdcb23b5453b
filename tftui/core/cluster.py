"""One node's result of a poll round, and the cluster-wide counts the header shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .catalog import ServiceDef
from .inventory import NodeSpec
from .status import (
    FetchResult,
    Health,
    ProbeResult,
    ServiceState,
    evaluate_from_process,
    evaluate_introspect,
    evaluate_probe,
    evaluate_unknown,
    merge_block,
    nodemgr_evidence,
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

    def health(self, analytics_expected: bool = True) -> Health:
        if not self.polled:
            return Health.PENDING
        if not self.reachable and any(s.evidence == "introspect" for s in self.services):
            return Health.UNREACHABLE
        return max((service_health(s, analytics_expected) for s in self.services), default=Health.OK)

    def blocks(self) -> dict[str, dict[str, ServiceState]]:
        return merge_block(list(self.services))

    def service(self, key: str) -> ServiceState | None:
        return next((s for s in self.services if s.key == key), None)


def pending_result(spec: NodeSpec) -> NodeResult:
    return NodeResult(spec.name, spec.address, spec.roles, (), reachable=False, at=0.0, polled=False)


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


def evaluate_node(spec: NodeSpec, fetches: dict[str, FetchResult], probes: dict[str, ProbeResult],
                  at: float, max_bytes: int | None = None, previous: NodeResult | None = None,
                  introspected: dict[str, ServiceState] | None = None) -> NodeResult:
    """Turn what was fetched for a node into contrail-status states, service by service.

    ``introspected`` is ``introspect_states``'s result when the caller already has it (it decided on probes)."""
    services = spec.services()
    if introspected is None:
        introspected = introspect_states(services, fetches, max_bytes, previous)
    states: list[ServiceState] = []
    for svc in services:
        if svc.key in introspected:
            states.append(introspected[svc.key])
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
    return NodeResult(spec.name, spec.address, spec.roles, tuple(states), reachable, at, errors=errors)


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
