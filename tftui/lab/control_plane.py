"""What the simulated control nodes know, derived from the topology and the session state (lab/sessions.py).

Each pod's /32 is announced over XMPP by its vrouter to the control nodes its XMPP sessions are up with; a
control node holding it passes it to the other control nodes over iBGP. So on every control node the /32 sits in
its network's routing instance (and ``inet.0`` with IP fabric forwarding, and ``bgp.l3vpn.0``) with the vrouter
as next hop and the agent's MPLS label, as an XMPP path where the vrouter is connected and BGP paths from the
peers that are. A /32 the topology marks unannounced is nowhere; one whose vrouter has no session up is gone.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from tftui.core.control.instances import RoutingInstance, TableSummary
from tftui.core.control.peers import BgpNeighbor, XmppConnection
from tftui.core.control.routes import MASTER_INSTANCE, ControlPath, ControlRoute, ControlTable
from tftui.core.sandesh_fields import sandesh_time

from .agent import FIRST_LABEL, pod_label
from .sessions import control_nodes, xmpp_servers
from .topology import LabNode, Topology

IP_FABRIC_VN = "default-domain:default-project:ip-fabric"
IP_FABRIC_INSTANCE = f"{IP_FABRIC_VN}:ip-fabric"
MASTER_TABLES = ("inet.0", "inet6.0", "bgp.l3vpn.0", "bgp.rtarget.0", "bgp.evpn.0", "bgp.ermvpn.0")
INSTANCE_FAMILIES = ("inet", "inet6", "evpn", "ermvpn")
ENCAP = ("gre", "udp")
XMPP_PROTOCOL = "XMPP (interface)"
XMPP_PORT = 5269
HOLD_TIME = 90


def instance_name(network: str) -> str:
    return f"{network}:{network.rsplit(':', 1)[-1]}"


@dataclass(frozen=True)
class Announcement:
    """One /32 a vrouter announces, and which control nodes hear it directly (its XMPP sessions that are up)."""

    prefix: str
    vrouter: str
    next_hop: str
    label: int
    instance: str
    network: str
    vn_index: int
    iff: bool
    origins: tuple[str, ...]
    since: float
    stamp: str = ""  # since, as the control node prints times


def asn(topo: Topology) -> int:
    return topo.router.tf_asn


def _vn_index(topo: Topology, network: str) -> int:
    names = [n.fq_name_str for n in topo.networks]
    return names.index(network) + 5 if network in names else 0


def _up_origins(topo: Topology, vrouter: str) -> tuple[tuple[str, ...], float]:
    origins, since = [], topo.sessions.started
    for ctrl in xmpp_servers(topo, vrouter):
        state = topo.sessions.xmpp_state(vrouter, ctrl.name)
        if state.up:
            origins.append(ctrl.name)
            since = max(since, state.since or since)
    return tuple(origins), since


def announcements(topo: Topology) -> list[Announcement]:
    iff = {n.fq_name_str for n in topo.networks if n.ip_fabric_forwarding}
    vn_index = {n.fq_name_str: _vn_index(topo, n.fq_name_str) for n in topo.networks}
    by_vrouter: dict[str, list] = {}
    for itf in topo.interfaces:  # one pass: interfaces_on() per vrouter is quadratic at 2000 vrouters
        by_vrouter.setdefault(itf.vrouter, []).append(itf)
    out: list[Announcement] = []
    for vr in topo.vrouters():
        origins, since = _up_origins(topo, vr.name)
        if not origins:
            continue
        stamp = sandesh_time(since)
        out.append(Announcement(f"{vr.address}/32", vr.name, vr.address, FIRST_LABEL, IP_FABRIC_INSTANCE,
                                IP_FABRIC_VN, 1, False, origins, since, stamp))
        for k, itf in enumerate(by_vrouter.get(vr.name, ())):
            prefix = f"{itf.ip}/32"
            if not itf.active or prefix in topo.unannounced:
                continue
            out.append(Announcement(prefix, vr.name, vr.address, pod_label(k), instance_name(itf.network), itf.network,
                                    vn_index.get(itf.network, 0), itf.network in iff, origins, since, stamp))
    return out


def _bgp_up(topo: Topology, a: str, b: str) -> bool:
    return topo.sessions.bgp_state(a, b).up


def _paths(topo: Topology, ctrl: LabNode, a: Announcement, table: str,
           addresses: dict[str, str]) -> tuple[ControlPath, ...]:
    """Best first: the XMPP path where the vrouter is connected, then the peers' BGP paths by address."""
    stamp = a.stamp
    communities = tuple(f"encapsulation:{e}" for e in ENCAP) + (f"originvn:{asn(topo)}:{a.vn_index}",)
    vpn = table == "bgp.l3vpn.0"
    paths: list[ControlPath] = []
    if ctrl.name in a.origins:
        primary = table == f"{a.instance}.inet.0"
        paths.append(ControlPath(XMPP_PROTOCOL, a.vrouter, a.next_hop, a.label, 200, communities=communities,
                                 tunnel_encap=ENCAP, origin_vn=a.network, last_modified=stamp,
                                 replicated=not primary, primary_table="" if primary else f"{a.instance}.inet.0"))
    for origin in sorted(a.origins, key=lambda o: addresses.get(o, o)):
        if origin == ctrl.name or not _bgp_up(topo, ctrl.name, origin):
            continue
        paths.append(ControlPath("BGP", addresses.get(origin, origin), a.next_hop, a.label, 200,
                                 communities=communities, tunnel_encap=ENCAP, origin_vn="" if vpn else a.network,
                                 last_modified=stamp, replicated=not vpn, primary_table="" if vpn else "bgp.l3vpn.0",
                                 peer_router_id=addresses.get(origin, origin)))
    return tuple(paths)


def _sort_key(prefix: str) -> tuple:
    ip, _, plen = prefix.rpartition(":")[2].partition("/")
    try:
        return (0, int(ipaddress.ip_address(ip)), int(plen or 0), prefix)
    except ValueError:
        return (1, 0, 0, prefix)


class ControlRib:
    """Every table of every control node, rebuilt when a session or the interfaces change."""

    def __init__(self, topo: Topology):
        self.topo = topo
        self._key: tuple | None = None
        self._tables: dict[str, dict[str, list[ControlRoute]]] = {}
        self._counts: dict[str, dict[str, int]] = {}

    def _signature(self) -> tuple:
        return (self.topo.sessions.generation, len(self.topo.interfaces), len(self.topo.unannounced))

    def tables(self, ctrl: LabNode) -> dict[str, list[ControlRoute]]:
        """Table name -> routes (sorted), for every table the control node has, empty ones included."""
        if self._key != self._signature():
            self._key, self._tables, self._counts = self._signature(), {}, {}
        if ctrl.name not in self._tables:
            self._tables[ctrl.name] = self._build(ctrl)
        return self._tables[ctrl.name]

    def primary_paths(self, ctrl: LabNode) -> dict[str, int]:
        """Source -> how many primary (not replicated) paths the control node learned from it."""
        self.tables(ctrl)
        counts = self._counts.get(ctrl.name)
        if counts is None:
            counts = self._counts[ctrl.name] = {}
            for routes in self._tables[ctrl.name].values():
                for r in routes:
                    for p in r.paths:
                        if not p.replicated:
                            counts[p.source] = counts.get(p.source, 0) + 1
        return counts

    def _build(self, ctrl: LabNode) -> dict[str, list[ControlRoute]]:
        topo = self.topo
        tables: dict[str, list[ControlRoute]] = {t: [] for t in MASTER_TABLES}
        for ri in [IP_FABRIC_INSTANCE] + [instance_name(n.fq_name_str) for n in topo.networks]:
            for family in INSTANCE_FAMILIES:
                tables[f"{ri}.{family}.0"] = []
        addresses = {c.name: c.address for c in control_nodes(topo)}
        for a in announcements(topo):
            rd_prefix = f"{a.next_hop}:{a.vn_index}:{a.prefix}"
            targets = [(f"{a.instance}.inet.0", a.prefix), ("bgp.l3vpn.0", rd_prefix)]
            if a.iff:
                targets.append(("inet.0", a.prefix))
            for table, prefix in targets:
                paths = _paths(topo, ctrl, a, table, addresses)
                if paths:
                    tables.setdefault(table, []).append(ControlRoute(prefix, paths, a.stamp))
        for routes in tables.values():
            routes.sort(key=lambda r: _sort_key(r.prefix))
        return tables


def table_summary(name: str, routes: list[ControlRoute]) -> TableSummary:
    paths = [p for r in routes for p in r.paths]
    secondary = sum(1 for p in paths if p.replicated)
    return TableSummary(name, len(routes), len(paths), len(paths) - secondary, secondary)


def control_table(name: str, routes: list[ControlRoute]) -> ControlTable:
    s = table_summary(name, routes)
    instance = name.rsplit(".", 2)[0] if name.count(".") >= 2 and ":" in name else MASTER_INSTANCE
    return ControlTable(instance, name, tuple(routes), s.prefixes, s.paths, s.primary_paths, s.secondary_paths)


def routing_instances(topo: Topology, rib: ControlRib, ctrl: LabNode) -> list[RoutingInstance]:
    tables = rib.tables(ctrl)
    target = asn(topo)

    def summaries(names) -> tuple[TableSummary, ...]:
        return tuple(table_summary(t, tables.get(t, [])) for t in names)

    out = [RoutingInstance(MASTER_INSTANCE, tables=summaries(MASTER_TABLES))]
    vns = [(IP_FABRIC_INSTANCE, IP_FABRIC_VN, 1)] + [
        (instance_name(n.fq_name_str), n.fq_name_str, _vn_index(topo, n.fq_name_str)) for n in topo.networks]
    for ri, vn, index in vns:
        rt = (f"target:{target}:{8000000 + index}",)
        out.append(RoutingInstance(ri, vn, index, 0, rt, rt,
                                   tables=summaries(f"{ri}.{f}.0" for f in INSTANCE_FAMILIES)))
    return sorted(out, key=lambda ri: ri.name)


# ------------------------------------------------------------------------------------ neighbors


def _stamp(epoch: float | None, fallback: float) -> str:
    return sandesh_time(epoch if epoch is not None else fallback)


def _xmpp_neighbor(topo: Topology, rib: ControlRib, ctrl: LabNode, vr: LabNode) -> BgpNeighbor:
    state = topo.sessions.xmpp_state(vr.name, ctrl.name)
    started = topo.sessions.started
    prefixes = rib.primary_paths(ctrl).get(vr.name, 0)
    if state.up:
        return BgpNeighbor(vr.name, vr.address, 0, "XMPP", "internal", "Established", "in sync", state.flaps,
                           _stamp(state.last_flap, started) if state.flaps else "", prefixes, ctrl.address,
                           instance_name=MASTER_INSTANCE, last_state="OpenConfirm",
                           last_event="xmsm::EvXmppKeepalive", last_state_at=_stamp(state.since, started),
                           hold_time=HOLD_TIME)
    # a closed channel stays listed, being deleted, while the control node cleans up after it
    return BgpNeighbor(vr.name, vr.address, 0, "XMPP", "internal", "Idle", "not advertising", state.flaps,
                       _stamp(state.last_flap, started), 0, ctrl.address, instance_name=MASTER_INSTANCE,
                       deleted=True, closed_at=_stamp(state.since, started), last_state="Established",
                       last_event="xmsm::EvTcpClose", last_state_at=_stamp(state.since, started))


def _bgp_neighbor(topo: Topology, rib: ControlRib, ctrl: LabNode, name: str, address: str, peer_asn: int,
                  router_type: str) -> BgpNeighbor:
    """Another control node: iBGP, its state in lab/sessions.py."""
    state = topo.sessions.bgp_state(ctrl.name, name)
    started = topo.sessions.started
    external = peer_asn != asn(topo)
    prefixes = rib.primary_paths(ctrl).get(address, 0)
    common = dict(peer=name, peer_address=address, peer_asn=peer_asn, encoding="BGP",
                  peer_type="external" if external else "internal", flap_count=state.flaps,
                  last_flap=_stamp(state.last_flap, started) if state.flaps else "",
                  local_address=f"{ctrl.address}:179", local_asn=asn(topo), router_type=router_type,
                  instance_name=MASTER_INSTANCE, last_state_at=_stamp(state.since, started))
    if state.up:
        return BgpNeighbor(state="Established", send_state="in sync", prefixes=prefixes, last_state="OpenConfirm",
                           last_event="fsm::EvBgpKeepalive", hold_time=HOLD_TIME, **common)
    return BgpNeighbor(state="Active", send_state="not advertising", last_state="Established",
                       last_event="fsm::EvTcpConnectFail", last_error="Hold timer expired", **common)


def _router_neighbor(topo: Topology, rib: ControlRib, ctrl: LabNode, peering) -> BgpNeighbor | None:
    """The gateway router as this control node sees it: from the lab's peering model (lab/peering.py) when it
    runs, else as the lab starts (peered with ``topo.router.peered``). None when TF has no session with it."""
    r = topo.router
    if peering is None:
        if ctrl.name not in r.peered:
            return None
        state, error, since = "Established", None, topo.sessions.started
    else:
        view = peering.control_view(ctrl.name)
        if not view:
            return None
        s = view[0]
        state, error = s.control_state, s.last_error
        # the peering model runs on a monotonic clock: one offset to wall time, so the same instant reads the same
        offset = peering.__dict__.setdefault("epoch_offset", time.time() - peering.clock())
        since = s.since + offset
    common = dict(peer=r.tf_name, peer_address=r.address, peer_asn=r.asn, encoding="BGP", peer_type="external",
                  local_address=f"{ctrl.address}:179", local_asn=asn(topo), router_type="router",
                  instance_name=MASTER_INSTANCE, last_state_at=sandesh_time(since))
    if state == "Established":
        return BgpNeighbor(state=state, send_state="in sync", prefixes=rib.primary_paths(ctrl).get(r.address, 0),
                           last_state="OpenConfirm", last_event="fsm::EvBgpKeepalive", hold_time=HOLD_TIME, **common)
    return BgpNeighbor(state=state, send_state="not advertising", last_state="Connect",
                       last_event="fsm::EvTcpConnectFail", last_error=error or "", **common)


def neighbors(topo: Topology, rib: ControlRib, ctrl: LabNode, peering=None) -> list[BgpNeighbor]:
    """BGP peers first (the other control nodes, the gateway router), then the XMPP agents, each by name."""
    bgp = [_bgp_neighbor(topo, rib, ctrl, c.name, c.address, asn(topo), "control-node")
           for c in control_nodes(topo) if c is not ctrl]
    router = _router_neighbor(topo, rib, ctrl, peering)
    if router is not None:
        bgp.append(router)
    xmpp = [_xmpp_neighbor(topo, rib, ctrl, vr) for vr in topo.vrouters()
            if any(c is ctrl for c in xmpp_servers(topo, vr.name))]
    return sorted(bgp, key=lambda n: n.peer) + sorted(xmpp, key=lambda n: n.peer)


def xmpp_connections(topo: Topology, ctrl: LabNode) -> list[XmppConnection]:
    out = []
    for vr in topo.vrouters():
        if not any(c is ctrl for c in xmpp_servers(topo, vr.name)):
            continue
        state = topo.sessions.xmpp_state(vr.name, ctrl.name)
        port = 40000 + sum(map(ord, vr.name)) % 20000
        out.append(XmppConnection(vr.name, f"{vr.address}:{port}", f"{ctrl.address}:{XMPP_PORT}",
                                  "Established" if state.up else "Idle",
                                  "xmsm::EvXmppKeepalive" if state.up else "xmsm::EvTcpClose",
                                  "OpenConfirm" if state.up else "Established",
                                  _stamp(state.since, topo.sessions.started),
                                  ("bgp", "config") if state.up else (), "NIL", deleted=not state.up))
    return sorted(out, key=lambda c: c.name)
