"""What a simulated vrouter agent holds: its VRFs, their unicast routes and next hops, its XMPP sessions and the
datapath's drop counters, all derived from the topology and the session state.

A VRF exists for the fabric, the ip-fabric network and every network with a pod on the vrouter. Local pods are
``LocalVmPort`` paths to their tap; a remote pod's /32 comes from each control node the agent has a session up
with and that holds it (an MPLSoUDP tunnel to the pod's vrouter); the fabric VRF holds vhost0, the gateway and
the local pods' metadata IPs.
"""

from __future__ import annotations

from dataclasses import dataclass

from tftui.core.sandesh_fields import sandesh_time
from tftui.core.vrouter.drops import COUNTERS
from tftui.core.vrouter.oper import AgentPath, AgentRoute, NextHop, Vrf
from tftui.core.vrouter.xmpp import XMPP_PORT, AgentXmppPeer

from .agent import interface_table
from .control_plane import IP_FABRIC_INSTANCE, IP_FABRIC_VN, announcements, instance_name
from .sessions import xmpp_servers
from .topology import LabNode, Topology

FABRIC_VRF = "default-domain:default-project:ip-fabric:__default__"
TUNNELS = "MPLSoGRE MPLSoUDP VxLAN"
_FIXED_NHS = {"discard": 1, "l2-receive": 3, "receive": 5, "resolve": 9, "arp": 10}


def vrfs(topo: Topology, vr: LabNode) -> list[Vrf]:
    local = {i.network for i in topo.interfaces_on(vr.name)}
    names = [(FABRIC_VRF, IP_FABRIC_VN), (IP_FABRIC_INSTANCE, IP_FABRIC_VN)]
    names += [(instance_name(n.fq_name_str), n.fq_name_str) for n in topo.networks if n.fq_name_str in local]
    return [Vrf(name, i, i, vn, "Config;", -1, 0 if i < 2 else i + 4, f"{vr.address}:{i}")
            for i, (name, vn) in enumerate(names)]


@dataclass
class AgentTablesNow:
    vrfs: list[Vrf]
    routes: dict[str, list[AgentRoute]]  # VRF name -> routes, sorted
    nhs: list[NextHop]


def _ip_key(route: AgentRoute) -> tuple:
    parts = route.src_ip.split(".")
    return (tuple(int(p) for p in parts) if len(parts) == 4 and all(p.isdigit() for p in parts) else (999,),
            route.plen)


def build_tables(topo: Topology, vr: LabNode) -> AgentTablesNow:
    vrf_list = vrfs(topo, vr)
    by_name = {v.name: v for v in vrf_list}
    routes: dict[str, list[AgentRoute]] = {v.name: [] for v in vrf_list}
    nhs: dict[int, NextHop] = {
        1: NextHop("discard", 1, policy="disabled"), 3: NextHop("l2-receive", 3, policy="disabled"),
        5: NextHop("receive", 5, policy="disabled", itf="vhost0", vrf=FABRIC_VRF),
        9: NextHop("resolve", 9, policy="disabled"),
        10: NextHop("arp", 10, policy="disabled", sip=topo.router.address, vrf=FABRIC_VRF, itf="eth0",
                    mac="02:00:00:00:00:01"),
    }
    for v in vrf_list:
        nhs[12 + v.ucindex] = NextHop("vrf", 12 + v.ucindex, policy="disabled", vrf=v.name)
    fabric = routes[FABRIC_VRF]
    fabric.append(AgentRoute(FABRIC_VRF, "0.0.0.0", 0, (AgentPath("Local", nhs[10], gw_ip=topo.router.address,
                                                                  vrf=FABRIC_VRF, dest_vns=(IP_FABRIC_VN,)),)))
    fabric.append(AgentRoute(FABRIC_VRF, vr.address, 32, (AgentPath("Local", nhs[5], dest_vns=(IP_FABRIC_VN,)),),
                             proxy_arp=True))
    # local pods: their own tap, and their metadata IP in the fabric VRF
    taps = {a.name: a for a in interface_table(topo, vr)}
    for k, itf in enumerate(topo.interfaces_on(vr.name)):
        agent_itf = taps.get(itf.tap)
        if agent_itf is None or itf.network not in [n.fq_name_str for n in topo.networks]:
            continue
        nh = NextHop("interface", 20 + k, valid=itf.active, policy="enabled", itf=itf.tap, mac=itf.mac)
        nhs[nh.index] = nh
        vrf = instance_name(itf.network)
        if vrf in by_name and itf.active:
            routes[vrf].append(AgentRoute(vrf, itf.ip, 32, (AgentPath(
                "LocalVmPort", nh, agent_itf.label, dest_vns=(itf.network,), supported_tunnel_type=TUNNELS,
                active_tunnel_type="MPLSoUDP", preference=200, sequence=1),)))
        fabric.append(AgentRoute(FABRIC_VRF, itf.metadata_ip, 32, (AgentPath(
            "LinkLocal", nh, agent_itf.label, dest_vns=(itf.network,), supported_tunnel_type=TUNNELS,
            active_tunnel_type="MPLSoUDP", preference=100),)))
    _remote_routes(topo, vr, by_name, routes, nhs)
    for rs in routes.values():
        rs.sort(key=_ip_key)
    return AgentTablesNow(vrf_list, routes, [nhs[i] for i in sorted(nhs)])


def _remote_routes(topo: Topology, vr: LabNode, by_name: dict[str, Vrf], routes: dict[str, list[AgentRoute]],
                   nhs: dict[int, NextHop]) -> None:
    """Routes the control nodes this agent is connected to send it: one path per such control node."""
    up = [c for c in xmpp_servers(topo, vr.name) if topo.sessions.xmpp_state(vr.name, c.name).up]
    tunnels: dict[str, NextHop] = {}
    for a in announcements(topo):
        if a.vrouter == vr.name or a.instance not in by_name:
            continue
        holders = [c for c in up if c.name in a.origins or any(topo.sessions.bgp_state(c.name, o).up
                                                               for o in a.origins)]
        if not holders:
            continue
        nh = tunnels.get(a.next_hop)
        if nh is None:
            nh = tunnels[a.next_hop] = NextHop("tunnel", 200 + len(tunnels), policy="disabled", sip=vr.address,
                                               dip=a.next_hop, vrf=FABRIC_VRF, tunnel_type="MPLSoUDP",
                                               mac="02:00:00:00:00:01")
            nhs[nh.index] = nh
        ip, _, plen = a.prefix.partition("/")
        paths = tuple(AgentPath(c.address, nh, a.label, dest_vns=(a.network,), supported_tunnel_type=TUNNELS,
                                active_tunnel_type="MPLSoUDP", preference=200, sequence=1) for c in holders)
        routes[a.instance].append(AgentRoute(a.instance, ip, int(plen), paths))


def xmpp_peers(topo: Topology, vr: LabNode) -> list[AgentXmppPeer]:
    servers = xmpp_servers(topo, vr.name)
    states = [topo.sessions.xmpp_state(vr.name, c.name) for c in servers]
    cfg = next((c.name for c, s in zip(servers, states, strict=True) if s.up), servers[0].name if servers else "")
    started = topo.sessions.started
    out = []
    for ctrl, state in zip(servers, states, strict=True):
        at = sandesh_time(state.since or started)
        updates = 40 + len(topo.interfaces) * 2
        out.append(AgentXmppPeer(
            ctrl.address, "Established" if state.up else "Active", peer_address=f"{ctrl.address}:{XMPP_PORT}",
            cfg_controller=ctrl.name == cfg, mcast_controller=ctrl.name == cfg,
            last_state="OpenConfirm" if state.up else "Connect",
            last_event="xmsm::EvXmppKeepalive" if state.up else "xmsm::EvTcpConnectFail", last_state_at=at,
            flap_count=state.flaps, flap_time=sandesh_time(state.last_flap) if state.last_flap else "",
            rx_updates=updates if state.up else 0, tx_updates=updates // 2 if state.up else 0))
    return out


def drop_counters(topo: Topology, vr: LabNode, at: float | None = None, traffic=None) -> dict[str, int]:
    """Counters as a function of time: a few that tick up now and then on every vrouter (flooded and cloned
    packets, unknown MACs), and ``Flow Action Drop``: every packet of the lab's traffic (``traffic``, else the
    flows part's) that this vrouter's flows drop — a denied application, an unroutable short flow."""
    now = topo.sessions.clock() if at is None else at
    elapsed = max(now - topo.sessions.started, 0.0)
    h = sum(map(ord, vr.name))
    counters = {c.field: 0 for c in COUNTERS}
    counters.update(ds_duplicated=200 + h % 97, ds_cloned_original=1800 + h % 431, ds_l2_no_route=12 + h % 31,
                    ds_discard=h % 23, ds_invalid_source=h % 3)
    period = 240 + h % 180  # background counters step every few minutes, not on every poll
    steps = int(elapsed // period)
    counters["ds_cloned_original"] += steps * (3 + h % 5)
    counters["ds_duplicated"] += steps
    traffic = traffic if traffic is not None else topo.traffic
    if traffic is not None:
        # imported here: importing the flows part registers it, and it must start after the config API
        from .flows.table import dropped_packets

        counters["ds_flow_action_drop"] += dropped_packets(traffic, vr.name, now)
    return counters
