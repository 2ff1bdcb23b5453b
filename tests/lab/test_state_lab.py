"""The cluster's state over real sockets: the lab's control nodes and agents answer every state request in the wire
format, listed on their index and module pages and bound by position; the state service reads them through the
generic client (pages and next batches followed); one session going down shows in every protocol at once."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from conftest import next_base
from helpers import introspect_crawler as crawler

import tftui.lab.agent  # noqa: F401  (ItfReq, PageReq)
import tftui.lab.agent_oper  # noqa: F401  (the agents' state requests)
import tftui.lab.control_node as control_node  # (the control nodes' requests)
from tftui.core.control.expect import XMPP_DOWN, XMPP_MISSING
from tftui.core.inventory import parse_cluster
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.runner import cluster_config
from tftui.lab.sessions import xmpp_servers
from tftui.lab.topology import build
from tftui.lab.trace_feed import feed_once, trace_event
from tftui.services.network_state import NetworkStateService, StateError

pytestmark = pytest.mark.asyncio(loop_scope="module")

STATE_REQUESTS = {
    ("control", 8083): {"bgp_peer": ["BgpNeighborReq", "ShowBgpNeighborSummaryReq", "ShowRouteReq",
                                     "ShowRouteSummaryReq", "ShowRoutingInstanceReq", "ShowRoutingInstanceSummaryReq"],
                        "bgp_peer_internal": ["BgpNeighborReqIterate", "ShowRouteReqIterate",
                                              "ShowRouteSummaryReqIterate", "ShowRoutingInstanceReqIterate"],
                        "xmpp_server": ["ShowXmppConnectionReq"],
                        "sandesh_trace": ["SandeshTraceRequest", "SandeshTraceBufferListRequest"]},
    ("vrouter-agent", 8085): {"agent": ["VrfListReq", "Inet4UcRouteReq", "Inet6UcRouteReq", "NhListReq", "PageReq"],
                              "controller": ["AgentXmppConnectionStatusReq"], "kstate": ["KDropStatsReq"],
                              "xmpp_server": ["ShowXmppConnectionReq"],
                              "sandesh_trace": ["SandeshTraceRequest", "SandeshTraceBufferListRequest"]},
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def lab():
    intro = IntrospectLab(build("demo", vrouters=5, base=next_base()))
    await intro.start()
    try:
        yield intro
    finally:
        await intro.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def svc(lab):
    spec = parse_cluster("lab", cluster_config(lab.topo, 2, 2), "test")
    service = NetworkStateService(spec)
    try:
        yield service
    finally:
        await service.close()


async def test_every_state_request_is_listed_and_bound_by_position(lab):
    ctrl, vr = lab.topo.node("ctrl1"), lab.topo.node("compute1")
    for (service, port), modules in STATE_REQUESTS.items():
        base = f"http://{(ctrl if service == 'control' else vr).address}:{port}"
        mods = await asyncio.to_thread(crawler.modules, base)
        for module, names in modules.items():
            assert module in mods, (service, module)
            listed = [r for r, _ in await asyncio.to_thread(crawler.module_requests, base, module)]
            assert set(names) <= set(listed), (service, module, set(names) - set(listed))
    # Inet4UcRouteReq's fields are vrf_index, src_ip, prefix_len: the agent reads them by position, any names
    pod = lab.topo.interfaces_on("compute1")[0]
    base = f"http://{vr.address}:8085"
    theirs = await asyncio.to_thread(crawler.call_all, base, "Inet4UcRouteReq", ["2", pod.ip, "32"], ["a", "b", "c"])
    [route] = theirs[0]["Inet4UcRouteResp"]["route_list"]
    assert (route["src_ip"], route["src_plen"]) == (pod.ip, 32)
    assert route["path_list"][0]["nh"]["itf"] == pod.tap
    # ShowRouteReq: the 4th token is longer_match (declaration order), not start_routing_instance (id 4)
    base = f"http://{ctrl.address}:8083"
    got = await asyncio.to_thread(crawler.call_all, base, "ShowRouteReq", ["inet.0", "", "10.32.0.0/12", "1"],
                                  ["w", "x", "y", "z"])
    prefixes = [r["prefix"] for t in got[0]["ShowRouteResp"]["tables"] for r in t["routes"]]
    assert prefixes and all(p.startswith("10.") for p in prefixes)


async def test_peers_of_every_control_node_and_the_demos_down_xmpp_session(lab, svc):
    snap = await svc.peers()
    assert snap.errors == ()
    by_node = {}
    for row in snap.peers:
        by_node.setdefault(row.control_node, []).append(row.neighbor)
    assert set(by_node) == {"ctrl1", "ctrl2", "ctrl3"}
    ctrl2 = {n.peer: n for n in by_node["ctrl2"]}
    assert ctrl2["ctrl1"].established and ctrl2["vyos-gw"].peer_type == "external" and ctrl2["vyos-gw"].peer_asn == 65311
    assert not ctrl2["compute1"].established and ctrl2["compute1"].flap_count == 1 and ctrl2["compute1"].last_flap
    assert {(f.kind, f.subject) for f in snap.findings} == {(XMPP_DOWN, "compute1"), (XMPP_MISSING, "compute1")}
    # every vrouter is an XMPP peer of two control nodes; prefixes are the pods it announces
    for vr in lab.topo.vrouters():
        listed = [c for c, ns in by_node.items() for n in ns if n.is_xmpp and n.peer == vr.name]
        assert sorted(listed) == sorted(c.name for c in xmpp_servers(lab.topo, vr.name))
    compute4 = next(n for n in by_node[xmpp_servers(lab.topo, "compute4")[0].name] if n.peer == "compute4")
    # primary paths learned from it: its vhost0 /32 and its pods' /32s in their networks' instances
    assert compute4.prefixes == 1 + len(lab.topo.interfaces_on("compute4"))
    one = await svc.peers("ctrl1")
    assert {r.control_node for r in one.peers} == {"ctrl1"} and one.findings == ()


async def test_neighbor_and_route_listings_are_paged_and_followed(lab, svc, monkeypatch):
    whole_peers = (await svc.peers()).peers
    whole_routes = await svc.control_routes("ctrl1", table="inet.0")
    monkeypatch.setattr(control_node, "PAGE", 3)
    monkeypatch.setattr(control_node, "MAX_ROUTES", 25)
    assert (await svc.peers()).peers == whole_peers  # BgpNeighborReqIterate followed
    paged = await svc.control_routes("ctrl1", table="inet.0")  # ShowRouteReqIterate followed
    assert [r.prefix for _, t in paged.tables for r in t.routes] == [r.prefix for _, t in whole_routes.tables
                                                                     for r in t.routes]
    assert len([r for _, t in paged.tables for r in t.routes]) > 25
    inst = await svc.instances("ctrl1")
    assert len(inst.instances) == 5 and len(inst.tables) >= 20  # paged three at a time, followed


async def test_control_routes_by_table_instance_prefix_protocol_and_source(lab, svc):
    pod = lab.topo.interfaces_on("compute4")[0]
    snap = await svc.control_routes(prefix=f"{pod.ip}/32")
    found = {(node, t.name) for node, t in snap.tables for r in t.routes if r.prefix == f"{pod.ip}/32"}
    instance = f"{pod.network}:{pod.network.rsplit(':', 1)[-1]}"
    assert {(n, f"{instance}.inet.0") for n in ("ctrl1", "ctrl2", "ctrl3")} <= found
    assert {(n, "inet.0") for n in ("ctrl1", "ctrl2", "ctrl3")} <= found  # IP fabric forwarding
    origin = xmpp_servers(lab.topo, "compute4")[0].name
    [table] = [t for n, t in snap.tables if n == origin and t.name == f"{instance}.inet.0"]
    [route] = table.routes
    best = route.best
    assert (best.protocol, best.source, best.next_hop) == ("XMPP (interface)", "compute4", lab.topo.node("compute4").address)
    assert best.label >= 16 and "encapsulation:udp" in best.communities and best.tunnel_encap == ("gre", "udp")
    assert [p.protocol for p in route.paths[1:]] == ["BGP"]  # the other server of compute4, over iBGP
    xmpp_only = await svc.control_routes(origin, table=f"{instance}.inet.0", protocol="XMPP")
    assert all(p.base_protocol == "XMPP" for _, t in xmpp_only.tables for r in t.routes for p in r.paths)
    by_source = await svc.control_routes(origin, instance=instance, source="compute4")
    assert {r.prefix for _, t in by_source.tables for r in t.routes} >= {f"{i.ip}/32" for i in
                                                                        lab.topo.interfaces_on("compute4")}
    # the demo's unannounced pod is on no control node
    missing = next(iter(lab.topo.unannounced))
    assert not [r for _, t in (await svc.control_routes(prefix=missing)).tables for r in t.routes
                if r.prefix == missing]
    with pytest.raises(StateError, match="no control node 'nope'"):
        await svc.control_routes("nope")


async def test_a_vrouters_vrfs_routes_next_hops_xmpp_and_drops(lab, svc):
    from tftui.lab.flows import traffic_of

    conversations = traffic_of(lab).conversations  # the lab's traffic: a short flow per vrouter is dropped

    def run(seconds: float) -> None:  # the conversations have lasted that much longer
        for conv in conversations:
            conv.started -= seconds

    run(100)
    first = await svc.vrouter("compute5")
    pods = lab.topo.interfaces_on("compute5")
    assert first.vrf.endswith("k8s-default-pod-network") and first.errors == ()
    local = {r.prefix: r for r in first.routes if r.active.peer == "LocalVmPort"}
    assert {f"{p.ip}/32" for p in pods if "pod-network" in p.network} == set(local)
    remote = [r for r in first.routes if r.active.nh.type == "tunnel"]
    assert remote and all(r.active.nh.dip != first.address for r in remote)
    assert {p.peer for r in remote for p in r.paths} <= {c.address for c in xmpp_servers(lab.topo, "compute5")}
    assert {nh.type for nh in first.nhs} >= {"interface", "tunnel", "receive", "vrf"}
    assert all(p.established for p in first.xmpp) and len(first.xmpp) == 2
    flow = next(d for d in first.drops if d.counter.field == "ds_flow_action_drop")
    assert flow.delta is None and "policy" in flow.counter.meaning and flow.value >= 20
    run(10)
    again = await svc.vrouter("compute5", parts=("drops",))
    flow = next(d for d in again.drops if d.counter.field == "ds_flow_action_drop")
    assert flow.delta >= 2 and flow.rising and flow.rate > 0  # 0.2 packets a second, ten seconds more
    assert not any(d.rising for d in again.drops if d.counter.field != "ds_flow_action_drop")
    # the agent holds 140-odd next hops on compute1: two pages, both read
    big = await svc.vrouter("compute1", parts=("nhs",))
    assert len(big.nhs) > 100 and len({nh.index for nh in big.nhs}) == len(big.nhs)
    assert [p.state for p in (await svc.vrouter("compute1", parts=("xmpp",))).xmpp] == ["Established", "Active"]
    one = await svc.vrouter("compute1", prefix=f"{lab.topo.interfaces_on('compute1')[0].ip}/32", parts=())
    assert len(one.routes) == 1
    none = await svc.vrouter("compute1", vrf="no-such-vrf", parts=())
    assert none.routes == () and dict(none.errors)["routes"] == "compute1 has no VRF 'no-such-vrf'"


async def test_one_session_down_shows_in_every_protocol_at_once(lab, svc):
    topo = lab.topo
    vr = "compute4"
    ctrl = xmpp_servers(topo, vr)[1]
    pod = f"{topo.interfaces_on(vr)[0].ip}/32"
    assert topo.sessions.set_xmpp(vr, ctrl.name, False)
    lab.invalidate(vr)
    try:
        peers = await svc.peers()
        assert (XMPP_DOWN, vr, ctrl.name) in {(f.kind, f.subject, f.control_node) for f in peers.findings}
        assert [p.state for p in (await svc.vrouter(vr, parts=("xmpp",))).xmpp] == ["Established", "Active"]
        _, body = await asyncio.to_thread(crawler.call, f"http://{topo.node(vr).address}:8085", "SandeshUVECacheReq",
                                          ["NodeStatus"])
        status = crawler.decode(body)
        ps = status[0]["NodeStatusUVE"]["data"]["process_status"][0]
        assert ps["state"] == "Functional" and ps["description"] == f"XMPP:control-node:{ctrl.address} connection down"
        # ctrl has the pod from the other control node now: over BGP, no longer over XMPP
        routes = await svc.control_routes(ctrl.name, table="inet.0", prefix=pod)
        [route] = [r for _, t in routes.tables for r in t.routes if r.prefix == pod]
        assert [p.protocol for p in route.paths] == ["BGP"]
    finally:
        topo.sessions.set_xmpp(vr, ctrl.name, True)
        lab.invalidate(vr)
    assert not [f for f in (await svc.peers()).findings if f.subject == vr]


async def test_trace_buffers_fill(lab, svc):
    buffers = await svc.trace_buffers("ctrl1", "control")
    assert {"XmppMessageTrace", "XmppTrace", "BgpTraceBuf"} <= set(buffers)
    before = await svc.trace("ctrl1", "control", "XmppMessageTrace")
    cursor = iter([("control", lab.topo.node("ctrl1"), lab.topo.node("compute1"))] * 3)
    feed_once(lab, lab.topo, cursor)
    after = await svc.trace("ctrl1", "control", "XmppMessageTrace")
    assert len(after) == len(before) + 3 and "XmppRxStream: Received xmpp message from:  " in after[-1].text
    assert after[-1].at is not None
    trace_event(lab, lab.topo, "xmpp", "compute1", "ctrl1", up=False)
    [line] = (await svc.trace("ctrl1", "control", "XmppTrace"))[-1:]
    assert "compute1" in line.text and "Established -> Idle" in line.text
    assert [t.text for t in await svc.trace("compute1", "vrouter-agent", "Controller", count=1)] == [
        f"AgentXmppTrace: Peer: {lab.topo.node('ctrl1').address} XMPP channel down: Established -> Idle"]
    with pytest.raises(StateError, match="has no introspect service 'control'"):
        await svc.trace_buffers("compute1", "control")


async def test_churn_is_bounded_restores_what_it_breaks_and_never_touches_the_staged_faults():
    import random
    from types import SimpleNamespace

    from tftui.lab.churn import MAX_ACTIVE, Churn

    topo = build("demo", vrouters=12, base=next_base())
    staged_sessions = {k: v.up for k, v in topo.sessions.xmpp.items()}
    staged = {(n.name, k): (b.mode, b.description) for n in topo.nodes for k, b in n.behaviour.items()}
    churn = Churn(SimpleNamespace(topo=topo, introspect=IntrospectLab(topo)), random.Random(7))
    kinds = set()
    for _ in range(300):  # twenty minutes of --demo at its 4 s period
        churn.step()
        kinds |= {f.kind for f in churn.active}
        assert len(churn.active) <= MAX_ACTIVE
        for vr in topo.vrouters():  # a vrouter never loses both sessions: its pods stay reachable
            assert any(topo.sessions.xmpp_state(vr.name, c.name).up for c in xmpp_servers(topo, vr.name))
        for key, was in staged.items():
            node, svc = key
            b = topo.node(node).behaviour[svc]
            assert (b.mode, b.description) == was, key
        assert {k: topo.sessions.xmpp[k].up for k in staged_sessions} == staged_sessions
    assert kinds == {"xmpp", "bgp", "ntp"}
    churn.restore_all()
    down = [k for k, v in topo.sessions.xmpp.items() if not v.up]
    assert down == [k for k, up in staged_sessions.items() if not up]
