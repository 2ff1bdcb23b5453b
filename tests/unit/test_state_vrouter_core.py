"""The agent's state requests (VRFs, routes, next hops, XMPP, drops, traces): real captures and round trips."""

from __future__ import annotations

import pytest

from tftui.core.agent import PageKey, parse_page_key
from tftui.core.sandesh_fields import ReplyError
from tftui.core.traces import (
    TraceLine,
    decode_trace,
    decode_trace_buffers,
    encode_trace,
    encode_trace_buffers,
    trace_line,
)
from tftui.core.vrouter.drops import COUNTERS, DropStats, decode_drop_stats, drop_rates, encode_drop_stats
from tftui.core.vrouter.oper import (
    AgentPath,
    AgentRoute,
    NextHop,
    Vrf,
    decode_nhs,
    decode_uc_routes,
    decode_vrfs,
    encode_nhs,
    encode_uc_routes,
    encode_vrfs,
)
from tftui.core.vrouter.xmpp import AgentXmppPeer, decode_agent_xmpp, encode_agent_xmpp

REAL = "introspect-real"


def _read(shared_data, name: str) -> bytes:
    return (shared_data / REAL / name).read_bytes()


def test_real_vrf_list(shared_data):
    page = decode_vrfs(_read(shared_data, "10_agent_VrfListReq.__VrfListResp_list.bs4.xml"))
    assert len(page.items) == 40
    first = page.items[0]
    assert first.name == "default-domain:AnalyticsAPITest:AnalyticsAPITest_VN1:AnalyticsAPITest_VN1"
    assert (first.ucindex, first.uc6index, first.vxlan_id, first.rd) == (37, 37, 57, "172.18.79.79:37")
    assert first.vn == "default-domain:AnalyticsAPITest:AnalyticsAPITest_VN1"
    assert page.page.all == "begin:-1,end:-1,table:db.vrf.0,"
    assert page.page.table_size == 40 and page.page.next_page == ""


def test_real_inet4_routes_with_paths_and_next_hops(shared_data):
    page = decode_uc_routes(_read(shared_data, "11_agent_Inet4UcRouteReq.__Inet4UcRouteResp_list.bs4.xml"))
    assert len(page.items) == 21
    by_prefix = {r.prefix: r for r in page.items}
    meta = by_prefix["169.254.0.11/32"]
    assert meta.vrf == "default-domain:default-project:ip-fabric:__default__"
    path = meta.active
    assert (path.peer, path.label, path.nh.type, path.nh.itf, path.nh.index) == ("LinkLocal", 41, "interface",
                                                                                  "tap516d7e42-95", 122)
    assert path.dest_vns == ("default-domain:admin:VM-MGT",) and path.active_tunnel_type == "MPLSoUDP"
    assert (path.preference, path.ecmp, path.unresolved) == (100, False, False)
    gw = by_prefix["172.18.79.1/32"].active.nh
    assert (gw.type, gw.sip, gw.itf, gw.mac) == ("arp", "172.18.79.1", "bond0.2004", "f0:1c:2d:41:91:4f")
    assert by_prefix["172.18.79.0/24"].active.nh.type == "resolve"
    assert by_prefix["0.0.0.0/0"].active.nh.target == "-"  # the default route's empty next hop
    assert by_prefix["172.18.79.79/32"].proxy_arp
    assert page.page.all.endswith("table:default-domain:default-project:ip-fabric:__default__.uc.route.0,")


def test_real_next_hops_every_type_and_the_next_page_key(shared_data):
    page = decode_nhs(_read(shared_data, "12_agent_NhListReq.__NhListResp_list.bs4.xml"))
    assert len(page.items) == 100
    types = {nh.type for nh in page.items}
    assert {"discard", "l2-receive", "receive", "resolve", "arp", "vrf", "interface", "tunnel"} <= types
    tunnel = next(nh for nh in page.items if nh.type == "tunnel")
    assert (tunnel.sip, tunnel.dip, tunnel.tunnel_type, tunnel.index) == ("172.18.79.79", "172.18.101.104",
                                                                          "MPLSoUDP", 67)
    assert tunnel.target == "172.18.101.104 (MPLSoUDP)"
    key = parse_page_key(page.page.next_page)
    assert (key.begin, key.end, key.table) == (100, 199, "db.nexthop.0")
    assert page.page.table_size == 207


def test_real_agent_xmpp_sessions(shared_data):
    peers = decode_agent_xmpp(_read(shared_data,
                                    "20_agent_AgentXmppConnectionStatusReq.AgentXmppConnectionStatus.bs4.xml"))
    assert [(p.controller_ip, p.state, p.cfg_controller) for p in peers] == [
        ("172.18.101.103", "Established", False), ("172.18.101.101", "Established", True)]
    assert peers[1].peer_address == "172.18.101.101:5269" and peers[1].rx_updates == 289
    assert all(p.established for p in peers)


def test_real_drop_stats_nonzero_counters_with_meanings(shared_data):
    stats = decode_drop_stats(_read(shared_data, "13_agent_KDropStatsReq.KDropStatsResp.bs4.xml"), at=10.0)
    assert stats.nonzero() == {"ds_discard": 40, "ds_flow_action_drop": 34, "ds_duplicated": 256,
                               "ds_invalid_nh": 3, "ds_invalid_source": 2, "ds_l2_no_route": 26}
    rows = drop_rates(stats)
    assert [r.counter.label for r in rows] == ["Discards", "Flow Action Drop", "Duplicate", "Invalid NH",
                                               "Invalid Source", "No L2 Route"]
    assert all(r.counter.meaning and r.delta is None and not r.rising for r in rows)
    # every counter the IDL declares is known, once
    assert len(stats.counters) == len(COUNTERS) == len({c.field for c in COUNTERS})
    assert set(stats.counters) == {c.field for c in COUNTERS}


def test_drop_rates_between_samples_and_after_a_reset():
    before = DropStats({"ds_flow_action_drop": 100, "ds_discard": 7, "ds_l2_no_route": 50}, at=100.0)
    after = DropStats({"ds_flow_action_drop": 160, "ds_discard": 7, "ds_l2_no_route": 3, "ds_new_thing": 2}, at=110.0)
    rows = {r.counter.field: r for r in drop_rates(after, before)}
    assert rows["ds_flow_action_drop"].delta == 60 and rows["ds_flow_action_drop"].rate == pytest.approx(6.0)
    assert rows["ds_flow_action_drop"].rising
    assert rows["ds_discard"].delta == 0 and not rows["ds_discard"].rising
    assert rows["ds_l2_no_route"].delta is None and rows["ds_l2_no_route"].rate is None  # went down: a reset
    assert rows["ds_new_thing"].counter.label == "ds_new_thing"  # a newer release's counter still shows


def test_real_traces_and_buffer_list(shared_data):
    lines = decode_trace(_read(shared_data,
                               "17_agent_SandeshTraceRequest_XmppMessageTrace.SandeshTraceTextResponse.bs4.xml"))
    assert len(lines) == 4
    assert lines[0].at == pytest.approx(1591235306.190270)
    assert lines[0].text.startswith("XmppRxStream: Received xmpp message from:  172.18.101.101 Port 5269")
    assert '<stream:stream from="cont101" to="bcomp79"' in lines[0].text  # the escaped XMPP, unescaped once
    assert decode_trace(_read(shared_data,
                              "18_agent_SandeshTraceRequest_noargs.SandeshTraceTextResponse_empty.bs4.xml")) == []
    buffers = decode_trace_buffers(_read(
        shared_data, "19_agent_SandeshTraceBufferListRequest.SandeshTraceBufferListResponse.bs4.xml"))
    assert len(buffers) == 72 and buffers[:3] == ["Acl", "AgentDBwalkTrace", "Arp"]
    assert "KSync Error" in buffers  # names with spaces


def test_error_reply_says_what_the_server_said(shared_data):
    with pytest.raises(ReplyError, match="Invalid request"):
        decode_vrfs(_read(shared_data, "22_agent_PageReq_noargs.ErrorResp.bs4.xml"))
    with pytest.raises(ReplyError, match="not a VrfListResp reply"):
        decode_vrfs(_read(shared_data, "13_agent_KDropStatsReq.KDropStatsResp.bs4.xml"))
    with pytest.raises(ReplyError):
        decode_nhs(b"<NhListResp")


# ------------------------------------------------------------------------------------ round trips


def test_vrf_round_trip_and_paging():
    vrfs = [Vrf(f"default-domain:p:vn{i}:vn{i}", i + 2, i + 2, f"default-domain:p:vn{i}", rd=f"10.0.0.1:{i + 2}")
            for i in range(130)]
    first = decode_vrfs(encode_vrfs(vrfs))
    assert list(first.items) == vrfs[:100]
    assert first.page.next_page == "begin:100,end:199,table:db.vrf.0,"
    second = decode_vrfs(encode_vrfs(vrfs, parse_page_key(first.page.next_page)))
    assert list(second.items) == vrfs[100:] and second.page.next_page == ""
    everything = decode_vrfs(encode_vrfs(vrfs, parse_page_key(first.page.all)))
    assert list(everything.items) == vrfs


def test_route_and_next_hop_round_trip():
    local = AgentPath("LocalVmPort", NextHop("interface", 21, policy="enabled", itf="tap1234", mac="02:00:00:00:00:01"),
                      label=25, dest_vns=("default-domain:k8s-default:pod-net",), supported_tunnel_type="MPLSoGRE MPLSoUDP",
                      active_tunnel_type="MPLSoUDP", preference=200, sequence=1, communities=("encapsulation:gre",))
    remote = AgentPath("10.0.0.10", NextHop("tunnel", 33, sip="10.0.0.21", dip="10.0.0.22", vrf="fabric",
                                            tunnel_type="MPLSoUDP"), label=17)
    routes = [AgentRoute("vrf1", "10.47.255.250", 32, (local,)), AgentRoute("vrf1", "10.47.255.251", 32, (remote,)),
              AgentRoute("vrf1", "10.47.0.0", 12, (AgentPath("Local", NextHop("discard", 1)),), proxy_arp=True)]
    page = decode_uc_routes(encode_uc_routes(routes, "vrf1"))
    assert list(page.items) == routes
    assert page.page.all == "begin:-1,end:-1,table:vrf1.uc.route.0,"
    v6 = decode_uc_routes(encode_uc_routes([AgentRoute("vrf1", "fd00::5", 128, (local,))], "vrf1", inet6=True))
    assert v6.items[0].prefix == "fd00::5/128" and v6.page.all.endswith("table:vrf1.uc.route6.0,")
    nhs = [local.nh, remote.nh, NextHop("vrf", 4, vrf="vrf1"), NextHop("receive", 5, itf="vhost0")]
    got = decode_nhs(encode_nhs(nhs))
    assert list(got.items) == nhs
    assert parse_page_key(got.page.all).filters == (("nh_index", ""), ("policy_enabled", ""), ("type", ""))


def test_agent_xmpp_round_trip():
    peers = [AgentXmppPeer("10.0.0.10", "Established", peer_address="10.0.0.10:5269", cfg_controller=True,
                           mcast_controller=True, last_state="OpenConfirm", last_event="xmsm::EvXmppKeepalive",
                           last_state_at="2025-Nov-24 16:00:00.000000", rx_updates=12, tx_updates=30),
             AgentXmppPeer("10.0.0.11", "Active", peer_address="10.0.0.11:5269", flap_count=3,
                           flap_time="2025-Nov-24 16:05:00.250000", last_event="xmsm::EvTcpConnectFail")]
    assert decode_agent_xmpp(encode_agent_xmpp(peers)) == peers


def test_drop_stats_round_trip_keeps_every_counter():
    counters = {c.field: i * 3 for i, c in enumerate(COUNTERS)}
    assert decode_drop_stats(encode_drop_stats(counters)).counters == counters


def test_trace_round_trip_with_markup_and_xml_in_lines():
    lines = [trace_line(1764000000.25, "XmppRxStream", "<iq type='set'>[bold]x[/bold] & more</iq>"),
             "not a timestamped line"]
    assert [ln.text for ln in decode_trace(encode_trace(lines))] == [
        "XmppRxStream: <iq type='set'>[bold]x[/bold] & more</iq>", "not a timestamped line"]
    assert decode_trace(encode_trace(lines))[0].at == pytest.approx(1764000000.25)
    assert TraceLine.parse("12 short").at is None
    assert decode_trace_buffers(encode_trace_buffers(["Xmpp", "KSync Error"])) == ["Xmpp", "KSync Error"]


def test_page_key_without_filters_keeps_the_agents_trailing_comma():
    assert PageKey(0, 99, "db.vrf.0", ()).encode() == "begin:0,end:99,table:db.vrf.0,"
    assert parse_page_key("begin:0,end:99,table:db.vrf.0,").table == "db.vrf.0"
