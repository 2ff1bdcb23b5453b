"""core/introspect: the request table against the IDL facts and the real module page, side effects, daemons."""

from __future__ import annotations

import pytest
from conftest import DATA

from tftui.core.introspect import (
    MODULES,
    DefinitionError,
    Module,
    Req,
    RequestDef,
    find,
    requests_of,
    side_effect,
)
from tftui.core.introspect.daemons import ServerKind, daemon_name, modules_of, server_kind, uve_types_of
from tftui.core.introspect.defs import parse_fields
from tftui.core.introspect.pages import parse_module_page

REAL = DATA / "introspect-real"

# Every request the project uses or issues 12 and 13 name, with the module its IDL file declares it in.
NAMED_IN_ISSUES = {
    "SandeshUVECacheReq": "sandesh_uve", "SandeshUVETypesReq": "sandesh_uve", "ItfReq": "agent", "PageReq": "agent",
    "BgpNeighborReq": "bgp_peer", "ShowRouteReq": "bgp_peer", "ShowRoutingInstanceReq": "bgp_peer",
    "ShowRoutingInstanceSummaryReq": "bgp_peer", "ShowRouteSummaryReq": "bgp_peer",
    "ShowXmppConnectionReq": "xmpp_server", "VrfListReq": "agent", "Inet4UcRouteReq": "agent",
    "Inet6UcRouteReq": "agent", "NhListReq": "agent", "AgentXmppConnectionStatusReq": "controller",
    "KDropStatsReq": "kstate", "SandeshTraceBufferListRequest": "sandesh_trace", "SandeshTraceRequest": "sandesh_trace",
    "FetchAllFlowRecords": "pkt", "NextFlowRecordsSet": "pkt", "FetchFlowRecord": "pkt", "KFlowReq": "kstate",
    "NextKFlowReq": "kstate", "AclFlowCountReq": "agent", "NextAclFlowCountReq": "agent", "AclFlowReq": "agent",
    "NextAclFlowReq": "agent", "AclReq": "agent", "SandeshFlowTableInfoRequest": "pkt",
    "DeleteAllFlowRecords": "pkt", "FlowAgeTimeReq": "pkt", "ShowRouteReqIterate": "bgp_peer_internal",
    "BgpNeighborReqIterate": "bgp_peer_internal",
}


@pytest.mark.parametrize("name,module", sorted(NAMED_IN_ISSUES.items()))
def test_every_request_the_project_needs_is_in_the_table(name, module):
    req = find(name)
    assert req is not None and req.module == module


def test_show_route_req_keeps_declaration_order_not_identifier_order():
    req = find("ShowRouteReq")
    assert req.field_names == ("routing_table", "routing_instance", "prefix", "longer_match", "shorter_match", "count",
                               "start_routing_table", "start_routing_instance", "start_prefix", "source", "protocol",
                               "family")
    assert [f.identifier for f in req.fields] == [1, 2, 3, 8, 12, 7, 5, 4, 6, 9, 10, 11]
    assert req.field("count").type == "u32" and req.field("longer_match").type == "bool"


def test_field_orders_and_defaults_from_the_idl():
    """PROVENANCE.md section C lists these, read from tf-controller's IDL at the same commit."""
    assert find("ItfReq").field_names == ("name", "type", "uuid", "vn", "mac", "ipv4_address", "ipv6_address",
                                          "parent_uuid", "ip_active", "ip6_active", "l2_active")
    inet4 = find("Inet4UcRouteReq")
    assert [(f.name, f.type, f.default) for f in inet4.fields] == [
        ("vrf_index", "i32", "0"), ("src_ip", "string", ""), ("prefix_len", "u16", ""), ("stale", "bool", "0")]
    assert [(f.name, f.default) for f in find("KFlowReq").fields] == [("flow_idx", "-1"), ("show_evicted", "0")]
    assert find("FetchFlowRecord").field_names == ("nh", "sip", "dip", "src_port", "dst_port", "protocol")
    assert find("SandeshTraceRequest").field_names == ("buf_name", "count")
    assert find("SandeshUVECacheReq").field_names == ("tname", "key")
    assert find("KDropStatsReq").fields == () and find("ShowXmppConnectionReq").fields == ()


def test_bgp_peer_module_matches_the_real_module_page():
    """Sample 31 is a real control node's ``bgp_peer.xml``: same requests, same fields, same order."""
    page = parse_module_page((REAL / "31_control_bgp_peer_module_page.UNKNOWN-REPO.xml").read_bytes())
    ours = list(MODULES["bgp_peer"])
    assert [r.name for r in page] == [r.name for r in ours]
    for real, mine in zip(page, ours, strict=True):
        assert real.field_names == mine.field_names, real.name
        assert [f.type for f in real.fields] == [f.type for f in mine.fields], real.name


def test_writes_are_marked_and_reads_are_not():
    for name in ("DeleteAllFlowRecords", "SandeshLoggingParamsSet", "ClearBgpNeighborReq", "ClearXmppConnectionReq",
                 "SandeshTraceEnableDisableReq", "MirrorCreateReq", "PingReq", "PktTraceInfo", "ClearAllInfo",
                 "SandeshIPv4FlowFilterRequest", "SandeshUVEDSConfReq"):
        assert side_effect(find(name)), name
    for name in ("FetchAllFlowRecords", "ItfReq", "SandeshUVECacheReq", "ShowRouteReq", "KDropStatsReq",
                 "SandeshLoggingParamsStatus", "NextFlowRecordsSet", "ShowBgpNeighborConfigReq", "VxLanConfigReq"):
        assert side_effect(find(name)) == "", name
    age = find("FlowAgeTimeReq")
    assert side_effect(age) == "" and side_effect(age, {"new_age_time": ""}) == ""
    assert "aging" in side_effect(age, {"new_age_time": "30"})


def test_requests_the_table_does_not_know_are_judged_by_their_name():
    assert side_effect(RequestDef("ShowFancyThingReq", "x", ()), {}) == ""
    assert side_effect(RequestDef("FancyThingSet", "x", ()), {})
    assert side_effect(RequestDef("DeleteEverythingReq", "x", ()), {})
    assert side_effect(RequestDef("SandeshTraceBufferResetReq", "x", ()), {})
    # a page-derived request the table knows keeps the table's mark, whatever the page says
    assert side_effect(RequestDef("DeleteAllFlowRecords", "pkt", ()))


def test_daemons_serve_their_modules():
    assert server_kind("control") is ServerKind.CPP and server_kind("vrouter-agent") is ServerKind.CPP
    assert server_kind("vrouter-nodemgr") is ServerKind.PYTHON and server_kind("config-api") is ServerKind.PYTHON
    assert {"bgp_peer", "xmpp_server", "sandesh_uve"} <= set(modules_of("control"))
    assert {"agent", "kstate", "pkt", "controller", "sandesh_trace"} <= set(modules_of("vrouter-agent"))
    assert set(modules_of("config-nodemgr")) == {"sandesh_uve", "sandesh_trace"}
    assert find("PageReq", "dns").module == "dns" and find("PageReq", "vrouter-agent").module == "agent"
    assert "ItfReq" in {r.name for r in requests_of("vrouter-agent")}
    assert "ItfReq" not in {r.name for r in requests_of("control")}
    assert daemon_name("vrouter-agent") == "contrail-vrouter-agent"
    assert "NodeStatus" in uve_types_of("config-nodemgr") and "BgpRouterState" in uve_types_of("control")


def test_table_integrity():
    for mod in MODULES.values():
        assert mod.source, mod.name
        for req in mod:
            assert req.module == mod.name
            assert req.name[0].isupper(), req.name
            if req.writes_with:
                assert all(req.field(f) for f in req.writes_with), req.name


def test_definition_errors():
    with pytest.raises(DefinitionError):
        parse_fields("1: string")
    with pytest.raises(DefinitionError):
        parse_fields("1: string a; 2: i32 a")
    with pytest.raises(DefinitionError):
        Module("m", [Req("A"), Req("A")])
    assert parse_fields("") == ()
    assert parse_fields("3: list<string> names; 4: u16 n = 7")[1].default == "7"
    assert not parse_fields("3: list<string> names")[0].bindable
