"""The cluster's state beyond its health, read from introspect on demand: every control node's peers, control-node
routes, a vrouter's VRFs, routes, next hops, XMPP sessions and drop counters, any daemon's trace buffers.

Every call reads through the generic request client (clients/introspect_requests.py: positional arguments, every
page and ``next_batch`` followed, caps) and returns an immutable snapshot; a node that cannot be read is an error
in the snapshot, never an exception. The path of a pod is in services/pod_path.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass, field
from typing import Any

from tftui.clients.introspect import IntrospectSettings
from tftui.clients.introspect_requests import IntrospectRequester, IntrospectRequestError, RequestLimits
from tftui.core.control.expect import Endpoint, PeerFinding, peer_findings
from tftui.core.control.instances import RoutingInstance, TableSummary, instances_from, route_summary_from
from tftui.core.control.peers import BgpNeighbor, neighbors_from
from tftui.core.control.routes import ControlTable, RoutePage, merge_pages, routes_from
from tftui.core.introspect import RequestDef
from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.core.routes.config import parse_routers
from tftui.core.sandesh import Message
from tftui.core.traces import TraceLine, trace_buffers_from, trace_from
from tftui.core.vrouter.drops import DropRate, DropStats, drop_rates, drop_stats_from
from tftui.core.vrouter.oper import AgentRoute, NextHop, Vrf, nhs_from, uc_routes_from, vrfs_from
from tftui.core.vrouter.xmpp import AgentXmppPeer, agent_xmpp_from

CONTROL = "control"
AGENT = "vrouter-agent"


class StateError(Exception):
    """A request that could not be answered (unknown node, a node that did not answer); fit to show as is."""


@dataclass(frozen=True)
class PeerRow:
    control_node: str
    neighbor: BgpNeighbor

    def to_json(self) -> dict[str, Any]:
        n = self.neighbor
        return {"control_node": self.control_node, "peer": n.peer, "peer_address": n.peer_address,
                "peer_asn": n.peer_asn, "encoding": n.encoding, "peer_type": n.peer_type, "state": n.state,
                "established": n.established, "flap_count": n.flap_count, "last_flap": n.last_flap or None,
                "prefixes": n.prefixes, "send_state": n.send_state or None}


@dataclass(frozen=True)
class PeersSnapshot:
    peers: tuple[PeerRow, ...]
    findings: tuple[PeerFinding, ...]
    errors: tuple[tuple[str, str], ...] = ()  # (control node, why it could not be read)
    at: float = 0.0


@dataclass(frozen=True)
class ControlRoutesSnapshot:
    tables: tuple[tuple[str, ControlTable], ...]  # (control node, table)
    errors: tuple[tuple[str, str], ...] = ()
    incomplete: tuple[tuple[str, str], ...] = ()  # (control node, why the listing stopped early)
    at: float = 0.0


@dataclass(frozen=True)
class InstancesSnapshot:
    instances: tuple[RoutingInstance, ...]
    tables: tuple[TableSummary, ...]
    at: float = 0.0


@dataclass(frozen=True)
class VrouterSnapshot:
    vrouter: str
    address: str
    vrfs: tuple[Vrf, ...] = ()
    vrf: str = ""  # the VRF whose routes are listed
    routes: tuple[AgentRoute, ...] = ()
    nhs: tuple[NextHop, ...] = ()
    xmpp: tuple[AgentXmppPeer, ...] = ()
    drops: tuple[DropRate, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()  # (what, why)
    at: float = 0.0


@dataclass(frozen=True)
class Offered:
    """What one daemon's index and module pages list."""

    node: str
    address: str
    port: int
    service: str
    modules: tuple[tuple[str, tuple[RequestDef, ...]], ...]


@dataclass
class _Sample:
    stats: DropStats
    rates: tuple[DropRate, ...] = field(default_factory=tuple)


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _route_args(index: int, prefix: str) -> dict[str, Any]:
    """Inet4UcRouteReq's and Inet6UcRouteReq's fields: the VRF's table index (``ucindex``/``uc6index``), and
    ``prefix`` ADDR/LEN for exactly that route."""
    args: dict[str, Any] = {"vrf_index": index}
    if prefix:
        ip, _, plen = prefix.partition("/")
        args.update(src_ip=ip, prefix_len=int(plen) if plen.isdigit() else 128 if ":" in ip else 32)
    return args


class NetworkStateService:
    """``svc = NetworkStateService(spec)``; ``await svc.peers()``; ``await svc.close()``."""

    def __init__(self, spec: ClusterSpec, requester: IntrospectRequester | None = None,
                 limits: RequestLimits | None = None, clock=time.time):
        self.spec = spec
        self.clock = clock
        self._own = requester is None
        self.requester = requester or IntrospectRequester(IntrospectSettings.from_cluster(spec), limits)
        self._drops: dict[str, _Sample] = {}  # previous drop sample per vrouter, for rates

    async def close(self) -> None:
        if self._own:
            await self.requester.close()

    # -------------------------------------------------------------------------------- nodes

    def control_nodes(self) -> list[NodeSpec]:
        return [n for n in self.spec.nodes if "control" in n.roles]

    def vrouters(self) -> list[NodeSpec]:
        return [n for n in self.spec.nodes if "vrouter" in n.roles]

    def node(self, name: str, role: str) -> NodeSpec:
        found = self.spec.node(name) or next((n for n in self.spec.nodes if n.address == name), None)
        if found is None or role not in found.roles:
            known = ", ".join(n.name for n in self.spec.nodes if role in n.roles)[:300] or "none"
            raise StateError(f"no {role} node {name!r} in cluster {self.spec.name} (known: {known})")
        return found

    async def ask(self, node: NodeSpec, service: str, request: str, args: dict | None = None) -> list[Message]:
        """One request with every page; StateError when the daemon cannot be reached or refused it."""
        svc = next((s for s in node.services() if s.key == service and s.port), None)
        if svc is None:
            raise StateError(f"{node.name} runs no {service}")
        try:
            reply = await self.requester.request(node.address, svc.port, request, args or {}, service=service)
        except IntrospectRequestError as exc:
            raise StateError(f"{node.name}: {exc}") from None
        if reply.error is not None:
            raise StateError(f"{node.name} {service}: {reply.error}")
        return reply.messages

    async def _each(self, nodes: list[NodeSpec], call) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        results = await asyncio.gather(*(call(n) for n in nodes), return_exceptions=True)
        got, errors = {}, []
        for node, result in zip(nodes, results, strict=True):
            if isinstance(result, StateError):
                errors.append((node.name, str(result)))
            elif isinstance(result, BaseException):
                raise result
            else:
                got[node.name] = result
        return got, errors

    # -------------------------------------------------------------------------------- control nodes

    async def peers(self, node: str | None = None) -> PeersSnapshot:
        """Every control node's BGP and XMPP neighbors at once, and what is not as the inventory expects."""
        controls = [self.node(node, "control")] if node else self.control_nodes()

        async def one(n: NodeSpec) -> tuple[BgpNeighbor, ...]:
            return neighbors_from(await self.ask(n, CONTROL, "BgpNeighborReq")).neighbors

        got, errors = await self._each(controls, one)
        rows = tuple(PeerRow(c.name, nb) for c in controls for nb in got.get(c.name, ()))
        vrouters = [Endpoint(v.name, v.address) for v in self.vrouters()]
        if node:
            # one control node says what is down on it, not how many sessions each vrouter has in all
            findings = [f for f in peer_findings([Endpoint(c.name, c.address) for c in self.control_nodes()],
                                                 got, vrouters, []) if f.control_node == controls[0].name]
        else:
            findings = peer_findings([Endpoint(c.name, c.address) for c in controls], got, vrouters, self._routers())
        return PeersSnapshot(rows, tuple(findings), tuple(errors), self.clock())

    def _routers(self) -> list[Endpoint]:
        try:
            routers = parse_routers(self.spec.raw, f"clusters.{self.spec.name}")
        except Exception:  # a bad routers: section is reported by the routes view; peers still work
            return []
        return [Endpoint(r.name, r.host) for r in routers if _ip(r.host)]

    async def control_routes(self, node: str | None = None, instance: str = "", table: str = "", prefix: str = "",
                             protocol: str = "", source: str = "", family: str = "") -> ControlRoutesSnapshot:
        controls = [self.node(node, "control")] if node else self.control_nodes()
        args = {"routing_table": table, "routing_instance": instance, "prefix": prefix, "source": source,
                "protocol": protocol, "family": family}
        args = {k: v for k, v in args.items() if v}

        async def one(n: NodeSpec) -> tuple[ControlTable, ...]:
            messages = await self.ask(n, CONTROL, "ShowRouteReq", args)
            return merge_pages([routes_from([m]) for m in messages] or [RoutePage(())])

        got, errors = await self._each(controls, one)
        tables = tuple((c.name, t) for c in controls for t in got.get(c.name, ()))
        return ControlRoutesSnapshot(tables, tuple(errors), (), self.clock())

    async def instances(self, node: str, search: str = "") -> InstancesSnapshot:
        ctrl = self.node(node, "control")
        args = {"search_string": search} if search else {}
        instances = instances_from(await self.ask(ctrl, CONTROL, "ShowRoutingInstanceReq", args)).instances
        tables = route_summary_from(await self.ask(ctrl, CONTROL, "ShowRouteSummaryReq", args)).tables
        return InstancesSnapshot(instances, tables, self.clock())

    # -------------------------------------------------------------------------------- vrouters

    async def drops(self, name: str) -> tuple[DropRate, ...]:
        """Every non-zero drop counter with its rate since the previous call for this vrouter."""
        vr = self.node(name, "vrouter")
        stats = drop_stats_from(await self.ask(vr, AGENT, "KDropStatsReq"), self.clock())
        previous = self._drops.get(vr.name)
        rates = tuple(drop_rates(stats, previous.stats if previous else None))
        self._drops[vr.name] = _Sample(stats, rates)
        return rates

    async def vrouter(self, name: str, vrf: str | None = None, prefix: str = "",
                      parts: tuple[str, ...] = ("nhs", "xmpp", "drops")) -> VrouterSnapshot:
        """VRFs, one VRF's routes (the first network VRF by default; ``prefix`` ADDR/LEN picks one route), and the
        ``parts`` asked for of next hops, XMPP sessions and drops; each part that fails is an error of the
        snapshot, and reading one never stops the others."""
        vr = self.node(name, "vrouter")
        errors: list[tuple[str, str]] = []

        async def part(what: str, coro):
            try:
                return await coro
            except StateError as exc:
                errors.append((what, str(exc)))
                return None

        async def nothing():
            return None

        vrfs_msgs, nh_msgs, xmpp_msgs, drops = await asyncio.gather(
            part("VRFs", self.ask(vr, AGENT, "VrfListReq")),
            part("next hops", self.ask(vr, AGENT, "NhListReq")) if "nhs" in parts else nothing(),
            part("XMPP", self.ask(vr, AGENT, "AgentXmppConnectionStatusReq")) if "xmpp" in parts else nothing(),
            part("drops", self.drops(vr.name)) if "drops" in parts else nothing())
        vrfs = tuple(vrfs_from(vrfs_msgs).items) if vrfs_msgs is not None else ()
        chosen = self._pick_vrf(vrfs, vrf)
        routes: tuple[AgentRoute, ...] = ()
        if vrf and chosen is None and vrfs:
            errors.append(("routes", f"{vr.name} has no VRF {vrf!r}"))
        elif chosen is not None:
            routes = await self._vrf_routes(vr, chosen, prefix, part)
        return VrouterSnapshot(vr.name, vr.address, vrfs, chosen.name if chosen else "", routes,
                               tuple(nhs_from(nh_msgs).items) if nh_msgs is not None else (),
                               tuple(agent_xmpp_from(xmpp_msgs)) if xmpp_msgs is not None else (),
                               drops or (), tuple(errors), self.clock())

    async def _vrf_routes(self, vr: NodeSpec, vrf: Vrf, prefix: str, part) -> tuple[AgentRoute, ...]:
        """IPv4 routes, then IPv6 ones where the VRF has an inet6 table (``uc6index``; a prefix asks one family)."""
        v6 = ":" in prefix
        asks = [] if v6 else [part("routes", self.ask(vr, AGENT, "Inet4UcRouteReq", _route_args(vrf.ucindex, prefix)))]
        if vrf.uc6index >= 0 and (v6 or not prefix):
            asks.append(part("IPv6 routes", self.ask(vr, AGENT, "Inet6UcRouteReq", _route_args(vrf.uc6index, prefix))))
        pages = await asyncio.gather(*asks)
        return tuple(r for msgs in pages if msgs is not None for r in uc_routes_from(msgs).items)

    @staticmethod
    def _pick_vrf(vrfs: tuple[Vrf, ...], wanted: str | None) -> Vrf | None:
        if wanted:
            exact = next((v for v in vrfs if v.name == wanted), None)
            return exact or next((v for v in vrfs if wanted in v.name), None)
        # the first VRF of a virtual network that is not the fabric's own
        return next((v for v in vrfs if "ip-fabric" not in v.name), vrfs[0] if vrfs else None)

    async def vrf_routes(self, name: str, vrf_name: str, prefix: str = "") -> tuple[AgentRoute, ...]:
        """One VRF's routes (``prefix`` ADDR/LEN: the route with exactly that prefix); none when there is no such VRF."""
        vr = self.node(name, "vrouter")
        vrfs = vrfs_from(await self.ask(vr, AGENT, "VrfListReq", {"name": vrf_name})).items
        vrf = next((v for v in vrfs if v.name == vrf_name), None)
        if vrf is None:
            return ()
        return tuple(uc_routes_from(await self.ask(vr, AGENT, "Inet4UcRouteReq", _route_args(vrf.ucindex, prefix))).items)

    # -------------------------------------------------------------------------------- any request

    async def offered(self, node: str, service: str) -> Offered:
        """The modules and requests a daemon offers, from its own index and module pages."""
        n = self._daemon(node, service)
        port = next(s.port for s in n.services() if s.key == service and s.port)
        try:
            modules = await self.requester.offered(n.address, port)
        except IntrospectRequestError as exc:
            raise StateError(f"{n.name} {service}: {exc}") from None
        return Offered(n.name, n.address, port, service, tuple((m, tuple(reqs)) for m, reqs in modules.items()))

    async def send(self, node: str, service: str, request: str, args: dict[str, str] | None = None):
        """Any read-only request with its arguments by field name, pages followed (the generic client's reply:
        ``error`` and ``stopped`` say what went wrong or where it stopped); StateError when it is not sent."""
        n = self._daemon(node, service)
        port = next(s.port for s in n.services() if s.key == service and s.port)
        try:
            return await self.requester.request(n.address, port, request, args or {}, service=service)
        except IntrospectRequestError as exc:
            raise StateError(str(exc)) from None

    # -------------------------------------------------------------------------------- traces

    def _daemon(self, node: str, service: str) -> NodeSpec:
        found = self.spec.node(node) or next((n for n in self.spec.nodes if n.address == node), None)
        if found is None:
            raise StateError(f"no node {node!r} in cluster {self.spec.name}")
        if not any(s.key == service and s.port for s in found.services()):
            offered = ", ".join(s.key for s in found.services() if s.port) or "none"
            raise StateError(f"{found.name} has no introspect service {service!r} (it has: {offered})")
        return found

    async def trace_buffers(self, node: str, service: str) -> list[str]:
        return trace_buffers_from(await self.ask(self._daemon(node, service), service,
                                                 "SandeshTraceBufferListRequest"))

    async def trace(self, node: str, service: str, buffer: str, count: int | None = None) -> list[TraceLine]:
        args: dict[str, Any] = {"buf_name": buffer}
        if count:
            args["count"] = count
        return trace_from(await self.ask(self._daemon(node, service), service, "SandeshTraceRequest", args))
