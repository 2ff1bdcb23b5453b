"""Expected vs. actual sessions, and the path of a pod: where it breaks, and what is only unknown."""

from __future__ import annotations

from tftui.core.control.expect import (
    BGP_DOWN,
    BGP_MISSING,
    XMPP_DOWN,
    XMPP_MISSING,
    Endpoint,
    peer_findings,
)
from tftui.core.control.peers import BgpNeighbor
from tftui.core.control.routes import ControlPath, ControlRoute, ControlTable
from tftui.core.pod_path import (
    PodTarget,
    control_hop,
    control_tables_for,
    router_hop,
    trace_path,
    vrouter_hop,
)
from tftui.core.routes.models import NextHop, Route
from tftui.core.vrouter.oper import AgentPath, AgentRoute
from tftui.core.vrouter.oper import NextHop as AgentNextHop

C1, C2, C3 = Endpoint("ctrl1", "10.0.0.10"), Endpoint("ctrl2", "10.0.0.11"), Endpoint("ctrl3", "10.0.0.12")
V1, V2 = Endpoint("compute1", "10.0.1.1"), Endpoint("compute2.example.net", "10.0.1.2")
GW = Endpoint("vyos", "10.0.0.1")


def bgp(peer: Endpoint, state="Established", **kw) -> BgpNeighbor:
    return BgpNeighbor(peer.name, peer.address, 64512, "BGP", "internal", state, **kw)


def xmpp(peer: Endpoint, state="Established", name=None, **kw) -> BgpNeighbor:
    return BgpNeighbor(name or peer.name, peer.address, 0, "XMPP", "internal", state, **kw)


def healthy() -> dict[str, tuple[BgpNeighbor, ...]]:
    return {
        "ctrl1": (bgp(C2), bgp(C3), bgp(GW), xmpp(V1), xmpp(V2, name="compute2")),
        "ctrl2": (bgp(C1), bgp(C3), bgp(GW), xmpp(V1)),
        "ctrl3": (bgp(C1), bgp(C2), bgp(GW), xmpp(V2, name="compute2.example.net")),
    }


def test_a_healthy_cluster_has_no_findings():
    assert peer_findings([C1, C2, C3], healthy(), [V1, V2], [GW]) == []


def test_bgp_down_missing_and_the_router():
    n = healthy()
    n["ctrl1"] = (bgp(C2, "Active"), bgp(GW, "Idle"), xmpp(V1), xmpp(V2))
    n["ctrl2"] = (bgp(C1), bgp(C3), xmpp(V1))
    n["ctrl3"] = (bgp(C1), bgp(C2), xmpp(V2))
    found = peer_findings([C1, C2, C3], n, [V1, V2], [GW])
    kinds = sorted((f.kind, f.subject, f.control_node) for f in found)
    assert kinds == [(BGP_DOWN, "ctrl2", "ctrl1"), (BGP_DOWN, "vyos", "ctrl1"), (BGP_MISSING, "ctrl3", "ctrl1"),
                     (BGP_MISSING, "vyos", "")]
    assert any("is Active, not Established" in f.message for f in found)


def test_xmpp_down_listed_and_too_few_sessions():
    n = healthy()
    n["ctrl2"] = (bgp(C1), bgp(C3), bgp(GW), xmpp(V1, "Idle", deleted=True))
    found = peer_findings([C1, C2, C3], n, [V1, V2], [GW])
    assert [(f.kind, f.subject, f.control_node) for f in found] == [(XMPP_DOWN, "compute1", "ctrl2"),
                                                                   (XMPP_MISSING, "compute1", "")]
    assert "Idle, being deleted" in found[0].message
    assert "expected 2" in found[1].message and "(ctrl1)" in found[1].message


def test_unreadable_control_nodes_are_not_held_against_a_vrouter():
    n = healthy()
    del n["ctrl2"]
    assert peer_findings([C1, C2, C3], n, [V1, V2], [GW]) == []
    only_one = {"ctrl1": (bgp(C2), bgp(C3), bgp(GW))}
    assert peer_findings([C1, C2, C3], only_one, [V1], [GW]) == []  # 0 seen, but 2 unread could hold both sessions
    two = {"ctrl1": (bgp(C2), bgp(C3), bgp(GW)), "ctrl2": (bgp(C1), bgp(C3), bgp(GW))}
    missing = peer_findings([C1, C2, C3], two, [V1], [GW])
    assert [(f.kind, f.subject) for f in missing] == [(XMPP_MISSING, "compute1")]  # 0 seen + 1 unread < 2
    single = peer_findings([C1], {"ctrl1": (bgp(GW),)}, [V1], [GW])
    assert [f.kind for f in single] == [XMPP_MISSING] and "expected 1" in single[0].message


POD = PodTarget("pod-0007", "10.47.255.250", "compute1", "10.0.1.1", "default-domain:k8s-default:pod-net", True,
                "tapabc", "default-domain:k8s-default:pod-net:pod-net")


def agent_route(itf="tapabc", nh_type="interface") -> list[AgentRoute]:
    return [AgentRoute(POD.vrf, POD.ip, 32, (AgentPath("LocalVmPort", AgentNextHop(nh_type, 20, itf=itf), 25),))]


def control_tables(nh="10.0.1.1", tables=None) -> tuple[ControlTable, ...]:
    path = ControlPath("XMPP (interface)", "compute1", nh, 25, 200, best=True)
    return tuple(ControlTable("", t, (ControlRoute(POD.prefix, (path,)),)) for t in (tables or control_tables_for(POD)))


def router_routes(via="10.0.1.1", selected=True) -> list[Route]:
    return [Route(POD.prefix, "bgp", selected, selected, nexthops=(NextHop(via, "eth0"),))]


def path_of(vr=None, ctrl=None, router="unset"):
    vrouter = vrouter_hop(POD, agent_route() if vr is None else vr)
    tables = control_tables() if ctrl is None else ctrl
    controls = [control_hop(POD, node, t, tables) for node in ("ctrl1", "ctrl2") for t in control_tables_for(POD)]
    rt = router_hop(POD, "vyos", router_routes() if router == "unset" else router)
    return trace_path(POD, vrouter, controls, rt)


def test_a_whole_path():
    p = path_of()
    assert [h.kind for h in p.hops] == ["vrouter", "control", "control", "control", "control", "router"]
    assert [h.table for h in p.hops[1:3]] == ["default-domain:k8s-default:pod-net:pod-net.inet.0", "inet.0"]
    assert p.broken_at is None and all(h.ok for h in p.hops)
    assert p.hops[0].next_hop == "tapabc" and p.hops[0].label == 25
    doc = p.to_json()
    assert doc["broken_at"] is None and doc["hops"][1]["source"] == "compute1"


def test_the_first_broken_hop_is_named():
    missing_on_control = path_of(ctrl=control_tables(tables=["default-domain:k8s-default:pod-net:pod-net.inet.0"]))
    b = missing_on_control.broken_at
    assert (b.kind, b.node, b.table) == ("control", "ctrl1", "inet.0")
    assert b.problem == "ctrl1 has no 10.47.255.250/32 in inet.0"
    wrong_nh = path_of(router=router_routes(via="10.0.1.9")).broken_at
    assert wrong_nh.kind == "router" and "not to its vrouter compute1 (10.0.1.1)" in wrong_nh.problem
    assert path_of(router=[]).broken_at.problem == "router vyos has no route to 10.47.255.250/32"
    assert "does not use it" in path_of(router=router_routes(selected=False)).broken_at.problem
    assert path_of(vr=[]).broken_at.kind == "vrouter"
    assert "not the pod's interface tapabc" in path_of(vr=agent_route(itf="tapzzz")).broken_at.problem
    assert "a discard next hop" in path_of(vr=agent_route(nh_type="discard")).broken_at.problem
    assert "sends 10.47.255.250/32 to 10.9.9.9" in path_of(ctrl=control_tables(nh="10.9.9.9")).broken_at.problem


def test_unknown_hops_are_reported_but_never_the_break():
    p = trace_path(POD, vrouter_hop(POD, None, "timeout"), [control_hop(POD, "ctrl1", "inet.0", None, "refused")],
                   router_hop(POD, "vyos", router_routes()))
    assert p.broken_at is None
    assert [h.unknown for h in p.hops] == ["timeout", "refused", ""]


def test_without_ip_fabric_forwarding_or_router():
    plain = PodTarget("vm-1", "192.168.100.5", "compute1", "10.0.1.1", "default-domain:admin:tenant-net")
    assert control_tables_for(plain) == ["default-domain:admin:tenant-net:tenant-net.inet.0"]
    p = trace_path(plain, vrouter_hop(plain, []), [], None)
    assert p.notes == ("the pod's network has no IP fabric forwarding: the gateway router is not on its path",)
    assert trace_path(POD, vrouter_hop(POD, agent_route()), [], None).notes[0].startswith("no gateway router")
