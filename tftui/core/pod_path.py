"""The path of a pod's /32 through the cluster, hop by hop, and the first hop where it breaks.

The gatewayless question end to end: the pod's own vrouter must hold the /32 in its VRF pointing at the pod's
interface; every control node must hold it in the pod network's routing instance (and, with IP fabric
forwarding, in ``inet.0``) with the pod's vrouter as next hop; the gateway router must have learned it with the
same next hop. A hop that could not be read is ``unknown``: it is reported, never taken for the break.
"""

from __future__ import annotations

from dataclasses import dataclass

from .control.routes import ControlTable
from .routes.models import Route
from .vrouter.oper import AgentRoute

VROUTER, CONTROL, ROUTER = "vrouter", "control", "router"


@dataclass(frozen=True)
class PodTarget:
    name: str
    ip: str
    vrouter: str
    vrouter_address: str
    network: str  # fq name
    ip_fabric_forwarding: bool = False
    interface: str = ""  # tap name
    vrf: str = ""

    @property
    def prefix(self) -> str:
        return f"{self.ip}/32" if ":" not in self.ip else f"{self.ip}/128"

    @property
    def instance(self) -> str:
        """The network's routing instance on the control nodes: ``<network fq name>:<network name>``."""
        return f"{self.network}:{self.network.rsplit(':', 1)[-1]}"

    @property
    def instance_table(self) -> str:
        return f"{self.instance}.inet.0" if ":" not in self.ip else f"{self.instance}.inet6.0"


@dataclass(frozen=True)
class Hop:
    kind: str  # vrouter | control | router
    node: str
    table: str
    found: bool = False
    ok: bool = False
    next_hop: str = ""
    label: int | None = None
    protocol: str = ""
    source: str = ""
    problem: str = ""  # why the hop is not ok
    unknown: str = ""  # why the hop could not be read

    def to_json(self) -> dict:
        return {"kind": self.kind, "node": self.node, "table": self.table, "found": self.found, "ok": self.ok,
                "next_hop": self.next_hop or None, "label": self.label, "protocol": self.protocol or None,
                "source": self.source or None, "problem": self.problem or None, "unknown": self.unknown or None}


@dataclass(frozen=True)
class PodPath:
    target: PodTarget
    hops: tuple[Hop, ...]
    notes: tuple[str, ...] = ()

    @property
    def broken_at(self) -> Hop | None:
        return next((h for h in self.hops if not h.unknown and not h.ok), None)

    def to_json(self) -> dict:
        t = self.target
        broken = self.broken_at
        return {"pod": t.name, "ip": t.ip, "prefix": t.prefix, "vrouter": t.vrouter,
                "vrouter_address": t.vrouter_address, "network": t.network,
                "ip_fabric_forwarding": t.ip_fabric_forwarding, "hops": [h.to_json() for h in self.hops],
                "broken_at": None if broken is None else {"kind": broken.kind, "node": broken.node,
                                                          "table": broken.table, "problem": broken.problem},
                "notes": list(self.notes)}


def vrouter_hop(t: PodTarget, routes: list[AgentRoute] | None, error: str = "") -> Hop:
    vrf = t.vrf or t.instance
    if routes is None:
        return Hop(VROUTER, t.vrouter, vrf, unknown=error or "not read")
    route = next((r for r in routes if r.prefix == t.prefix), None)
    if route is None or route.active is None:
        return Hop(VROUTER, t.vrouter, vrf, problem=f"no {t.prefix} in VRF {vrf} on {t.vrouter}")
    path = route.active
    nh = path.nh
    hop = Hop(VROUTER, t.vrouter, vrf, found=True, next_hop=nh.target, label=path.label, protocol=path.peer)
    if nh.type != "interface":
        return _with(hop, f"{t.prefix} on {t.vrouter} goes to a {nh.type or 'missing'} next hop, not the pod's interface")
    if t.interface and nh.itf and nh.itf != t.interface:
        return _with(hop, f"{t.prefix} on {t.vrouter} goes to {nh.itf}, not the pod's interface {t.interface}")
    if not nh.valid:
        return _with(hop, f"the next hop of {t.prefix} on {t.vrouter} is not valid")
    return _ok(hop)


def control_hop(t: PodTarget, node: str, table: str, tables: list[ControlTable] | tuple | None, error: str = "") -> Hop:
    if tables is None:
        return Hop(CONTROL, node, table, unknown=error or "not read")
    route = next((r for tb in tables if tb.name == table for r in tb.routes if r.prefix == t.prefix), None)
    if route is None or route.best is None:
        return Hop(CONTROL, node, table, problem=f"{node} has no {t.prefix} in {table}")
    best = route.best
    hop = Hop(CONTROL, node, table, found=True, next_hop=best.next_hop, label=best.label, protocol=best.protocol,
              source=best.source)
    if best.next_hop != t.vrouter_address:
        return _with(hop, f"{node} sends {t.prefix} to {best.next_hop}, not to its vrouter {t.vrouter} "
                          f"({t.vrouter_address})")
    return _ok(hop)


def router_hop(t: PodTarget, router: str, routes: list[Route] | None, error: str = "") -> Hop:
    if routes is None:
        return Hop(ROUTER, router, "", unknown=error or "not read")
    candidates = [r for r in routes if r.prefix == t.prefix]
    route = next((r for r in candidates if r.selected), candidates[0] if candidates else None)
    if route is None:
        return Hop(ROUTER, router, "", problem=f"router {router} has no route to {t.prefix}")
    vias = [nh.via for nh in route.nexthops if nh.via]
    hop = Hop(ROUTER, router, route.vrf or "", found=True, next_hop=", ".join(vias), protocol=route.protocol,
              label=next((int(nh.label) for nh in route.nexthops if nh.label and nh.label.isdigit()), None))
    if not route.selected:
        return _with(hop, f"router {router} has {t.prefix} but does not use it")
    if t.vrouter_address not in vias:
        return _with(hop, f"router {router} sends {t.prefix} to {hop.next_hop or 'nowhere'}, not to its vrouter "
                          f"{t.vrouter} ({t.vrouter_address})")
    return _ok(hop)


def _with(hop: Hop, problem: str) -> Hop:
    return Hop(hop.kind, hop.node, hop.table, hop.found, False, hop.next_hop, hop.label, hop.protocol, hop.source,
               problem)


def _ok(hop: Hop) -> Hop:
    return Hop(hop.kind, hop.node, hop.table, hop.found, True, hop.next_hop, hop.label, hop.protocol, hop.source)


def control_tables_for(t: PodTarget) -> list[str]:
    """The tables a control node must hold the /32 in: the network's instance, and inet.0 with IP fabric forwarding."""
    tables = [t.instance_table]
    if t.ip_fabric_forwarding:
        tables.append("inet.0" if ":" not in t.ip else "inet6.0")
    return tables


def trace_path(t: PodTarget, vrouter: Hop, controls: list[Hop], router: Hop | None) -> PodPath:
    notes = []
    if router is None:
        notes.append("no gateway router configured: the path ends at the control nodes"
                     if t.ip_fabric_forwarding else
                     "the pod's network has no IP fabric forwarding: the gateway router is not on its path")
    return PodPath(t, (vrouter, *controls, *([router] if router is not None else [])), tuple(notes))
