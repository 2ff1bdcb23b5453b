"""Router parsers over every real capture and over the variations the notes list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from tftui.core.routes.bgp import (
    detect_suite,
    parse_bgp_prefix_json,
    parse_bgp_prefix_text,
    parse_bgp_table_json,
    parse_bgp_table_text,
)
from tftui.core.routes.models import age_seconds
from tftui.core.routes.render import neighbor_json, routes_text
from tftui.core.routes.rib import parse_route_json, parse_route_text
from tftui.core.routes.summary import parse_summary_json, parse_summary_text

FRR = DATA / "frr"
SEED = DATA / "seed"


def _parse_capture(path: Path):
    text = path.read_text()
    name = path.name
    if name.endswith("_json.txt"):
        doc = json.loads(text)
        if "summary" in name:
            return parse_summary_json(doc)
        if "route" in name:
            return parse_route_json(doc)
        return parse_bgp_table_json(doc)
    if "summary" in name or "unknown_command" in name:
        return parse_summary_text(text)
    if "route" in name:
        return parse_route_text(text)
    return parse_bgp_table_text(text)


CAPTURES = sorted(FRR.glob("*.txt")) + sorted(SEED.glob("vyos11-quagga_*"))


def test_captures_are_there():
    assert len(CAPTURES) == 13


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_every_capture_parses_without_skipping(path: Path):
    result = _parse_capture(path)
    assert result.skipped == []
    if "unknown_command" in path.name:
        assert result.errors == ["% Unknown command: show ip bgp sumary"] and result.items == []
    else:
        assert result.items and result.errors == []


@pytest.mark.parametrize("name", ["established__show_ip_bgp_summary.txt", "established__show_ip_bgp_summary_json.txt"])
def test_frr_summary_established(name):
    (n,) = _parse_capture(FRR / name).items
    assert (n.address, n.remote_as, n.state, n.established, n.up_down) == ("172.31.11.86", 64512, "Established", True, "00:00:30")
    assert (n.prefixes_received, n.prefixes_sent, n.description, n.policy_blocked) == (3, 3, "tf-control-node", False)


@pytest.mark.parametrize("name", ["neighbor_down_Active__show_ip_bgp_summary.txt",
                                  "neighbor_down_Active__show_ip_bgp_summary_json.txt"])
def test_frr_summary_active(name):
    (n,) = _parse_capture(FRR / name).items
    assert (n.state, n.established, n.prefixes_received) == ("Active", False, None)


def test_quagga_summary_seed():
    r = parse_summary_text((SEED / "vyos11-quagga_show_ip_bgp_summary.txt").read_text())
    (n,) = r.items
    assert (n.address, n.remote_as, n.established, n.prefixes_received, n.prefixes_sent) == ("172.31.11.86", 64512, True, 3, None)
    assert r.meta == {"router_id": "172.31.10.140", "local_as": 65311}


@pytest.mark.parametrize("name", ["established__show_ip_route.txt", "established__show_ip_route_json.txt",
                                  "vyos11-quagga_show_ip_route.txt"])
def test_route_tables(name):
    path = (FRR / name) if (FRR / name).exists() else SEED / name
    routes = {r.prefix: r for r in _parse_capture(path).items}
    for last in (250, 251, 252):
        r = routes[f"10.47.255.{last}/32"]
        assert (r.protocol, r.selected, r.fib, r.distance, r.metric) == ("bgp", True, True, 20, 100)
        assert [(h.via, h.interface, h.active) for h in r.nexthops] == [("172.31.2.194", "eth0", True)]
    c = routes["172.31.0.0/20"]
    assert c.protocol == "connected" and c.nexthops[0].via is None and c.nexthops[0].interface == "eth0"
    assert routes["0.0.0.0/0"].protocol == "static"


def test_neighbor_down_route_table_has_no_bgp():
    routes = _parse_capture(FRR / "neighbor_down__show_ip_route.txt").items
    assert [r.protocol for r in routes] == ["static", "connected"]


QUAGGA_WRAPPED = """BGP router identifier 10.0.0.1, local AS number 65311
IPv4 Unicast - max multipaths: ebgp 1 ibgp 1
RIB entries 5, using 480 bytes of memory
Peers 3, using 13 KiB of memory

Neighbor        V    AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
2001:db8:ffff:1234::1
                4 64512      14      13        0    0    0 4d23h40m        7
172.31.11.87    4 64513       0       0        0    0    0 never    Idle (Admin)
172.31.11.88    4 64514       0       0        0    0    0 03w0d00h Connect

Total number of neighbors 3
"""

FRR7_SUMMARY = """
IPv4 Unicast Summary:
BGP router identifier 10.0.0.1, local AS number 65311 vrf-id 0
BGP table version 3

Neighbor        V         AS MsgRcvd MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd
172.31.11.86    4      64512       5       4        0    0    0 01y02w3d            9
172.31.11.89    4      64515       0       0        0    0    0    never       Active

Total number of neighbors 2
"""

FRR8_POLICY = """
IPv4 Unicast Summary (VRF default):
BGP router identifier 172.31.10.140, local AS number 65311 vrf-id 0

Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc
172.31.11.86    4      64512         5         4        0    0    0 00:00:30     (Policy)     (Policy) N/A
172.31.11.90    4      64516         0         0        0    0    0    never  Idle (PfxCt)        0 two words here
172.31.11.91    4      64517         0         0        0    0    0    never      OpenSent        0 N/A

Total number of neighbors 3
"""

FRR10_SUMMARY = """
IPv4 Unicast Summary:
BGP router identifier 172.31.10.140, local AS number 65311 VRF default vrf-id 0
BGP table version 3

Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc
172.31.11.86    4      64512         5         4        0    0    0 00:00:30            3        3 N/A

Total number of neighbors 1
"""


def test_quagga_wrapped_neighbor_and_states():
    r = parse_summary_text(QUAGGA_WRAPPED)
    assert r.skipped == []
    a, b, c = r.items
    assert (a.address, a.remote_as, a.prefixes_received, a.up_down) == ("2001:db8:ffff:1234::1", 64512, 7, "4d23h40m")
    assert (b.state, b.established, b.up_down) == ("Idle (Admin)", False, None)
    assert (c.state, c.up_down) == ("Connect", "03w0d00h")


def test_frr7_summary_without_pfxsnt():
    r = parse_summary_text(FRR7_SUMMARY)
    a, b = r.items
    assert (a.prefixes_received, a.prefixes_sent, a.up_down) == (9, None, "01y02w3d")
    assert (b.state, b.up_down) == ("Active", None)


def test_frr8_policy_and_odd_states():
    r = parse_summary_text(FRR8_POLICY)
    a, b, c = r.items
    assert (a.state, a.established, a.policy_blocked, a.prefixes_received, a.description) == (
        "Established", True, True, None, None)
    assert (b.state, b.description) == ("Idle (PfxCt)", "two words here")
    assert c.state == "OpenSent"


def test_frr_json_policy():
    doc = json.loads((FRR / "established__show_ip_bgp_summary_json.txt").read_text())
    doc["ipv4Unicast"]["peers"]["172.31.11.86"]["peerState"] = "Policy"
    (n,) = parse_summary_json(doc).items
    assert n.policy_blocked and n.established and n.prefixes_received is None


def test_frr10_vrf_in_router_id_line():
    r = parse_summary_text(FRR10_SUMMARY)
    assert r.meta["vrf"] == "default" and r.items[0].prefixes_received == 3


def test_summary_no_bgp():
    r = parse_summary_text("% No BGP neighbors found in VRF default\n")
    assert r.items == [] and r.errors


FRR_ROUTES_ODD = """Codes: K - kernel route, C - connected, S - static, R - RIP,
       > - selected route, * - FIB route, q - queued, r - rejected, b - backup

VRF red:
B>* 10.47.255.250/32 [20/100] via 172.31.2.194, eth0, weight 1, 00:00:31
  *                          via 172.31.2.195, eth0, weight 1, 00:00:31
B>* 10.47.255.253/32 [20/0] via 172.31.2.194, eth0, label 16, weight 1, 4d23h40m
\t\t\t\t via 172.31.2.196, eth1 inactive, weight 1, 4d23h40m
B>  10.1.0.0/16 [200/0] via 192.168.1.1 (recursive), weight 1, 03w0d00h
  *                       via 172.31.0.1, eth0, weight 1, 03w0d00h
S>* 10.99.0.0/16 [1/0] unreachable (blackhole), weight 1, 00:00:05
S   10.98.0.0/16 [1/0] via 10.9.9.9 inactive, weight 1, 00:00:03
B>* 10.2.0.0/16 [20/0] via 10.0.0.2, vlan10 (vrf blue), weight 1, 00:01:00
K>* 0.0.0.0/0 [0/100] via 10.0.2.2, eth0, src 10.0.2.15, 00:05:00
this line means nothing
"""


def test_route_text_variations():
    r = parse_route_text(FRR_ROUTES_ODD)
    assert r.skipped == ["this line means nothing"]
    routes = {x.prefix: x for x in r.items}
    ecmp = routes["10.47.255.250/32"]
    assert ecmp.vrf == "red"
    assert [h.via for h in ecmp.nexthops] == ["172.31.2.194", "172.31.2.195"]
    tab = routes["10.47.255.253/32"]
    assert tab.nexthops[0].label == "16" and tab.age == "4d23h40m"
    assert (tab.nexthops[1].via, tab.nexthops[1].interface, tab.nexthops[1].active) == ("172.31.2.196", "eth1", False)
    rec = routes["10.1.0.0/16"]
    assert rec.nexthops[0].recursive and rec.fib and rec.selected and rec.nexthops[1].via == "172.31.0.1"
    bh = routes["10.99.0.0/16"]
    assert bh.nexthops[0].blackhole and bh.nexthops[0].via is None
    ina = routes["10.98.0.0/16"]
    assert not ina.selected and not ina.fib and not ina.nexthops[0].active
    assert routes["10.2.0.0/16"].nexthops[0].vrf == "blue"
    assert routes["0.0.0.0/0"].protocol == "kernel" and routes["0.0.0.0/0"].age == "00:05:00"


def test_quagga_blackhole_and_long_legend_without_codes():
    text = "S>* 10.99.0.0/16 [1/0] is directly connected, Null0, bh\nO   10.3.0.0/24 [110/10] via 10.0.0.9, eth2, 00:10:00\n"
    a, b = parse_route_text(text).items
    assert a.nexthops[0].blackhole and b.protocol == "ospf"


@pytest.mark.parametrize(("text", "seconds"), [
    ("00:00:30", 30), ("4d23h40m", 4 * 86400 + 23 * 3600 + 40 * 60), ("03w0d00h", 21 * 86400),
    ("01y02w3d", 365 * 86400 + 14 * 86400 + 3 * 86400), ("never", None), ("", None), ("1:2", None)])
def test_ages(text, seconds):
    assert age_seconds(text) == seconds


FRR_PREFIX = """BGP routing table entry for 10.47.255.250/32, version 1
Paths: (2 available, best #1, table default)
  Advertised to non peer-group peers:
  172.31.11.86
  64512 64999
    172.31.2.194 from 172.31.11.86 (172.31.11.86)
      Origin IGP, metric 100, valid, external, multipath, best (First path received)
      Last update: Wed Nov 25 16:00:00 2026
  64512
    172.31.2.195 from 172.31.11.87 (172.31.11.87)
      Origin incomplete, metric 0, localpref 100, valid, external, multipath
      Last update: Wed Nov 25 16:00:01 2026
"""


def test_bgp_prefix_text():
    r = parse_bgp_prefix_text(FRR_PREFIX)
    a, b = r.items
    assert (a.prefix, a.as_path, a.nexthop, a.peer, a.med, a.best, a.origin) == (
        "10.47.255.250/32", "64512 64999", "172.31.2.194", "172.31.11.86", 100, True, "IGP")
    assert (b.as_path, b.best, b.local_pref, b.origin, b.last_update) == (
        "64512", False, 100, "incomplete", "Wed Nov 25 16:00:01 2026")
    assert parse_bgp_prefix_text("% Network not in table\n").errors == ["% Network not in table"]


def test_bgp_prefix_json():
    doc = {"prefix": "10.47.255.250/32", "paths": [{"aspath": {"string": "64512"}, "origin": "IGP", "med": 100,
           "valid": True, "bestpath": {"overall": True}, "nexthops": [{"ip": "172.31.2.194", "used": True}],
           "peer": {"peerId": "172.31.11.86", "type": "external"}}]}
    (p,) = parse_bgp_prefix_json(doc).items
    assert (p.as_path, p.med, p.nexthop, p.best, p.peer, p.external) == ("64512", 100, "172.31.2.194", True, "172.31.11.86", True)
    assert parse_bgp_prefix_json({}).items == []


def test_bgp_table_multipath_and_wrapped_network():
    text = """BGP table version is 3, local router ID is 172.31.10.140, vrf id 0
   Network          Next Hop            Metric LocPrf Weight Path
*> 10.47.255.250/32 172.31.2.194           100             0 64512 i
*=                  172.31.2.195           100             0 64512 i
*> 2001:db8:aaaa:bbbb::/64
                    172.31.2.196             0    100      0 64512 64513 ?
"""
    r = parse_bgp_table_text(text)
    assert r.skipped == []
    a, b, c = r.items
    assert b.prefix == a.prefix and b.multipath and b.nexthop == "172.31.2.195"
    assert (c.prefix, c.nexthop, c.local_pref, c.med, c.as_path, c.origin) == (
        "2001:db8:aaaa:bbbb::/64", "172.31.2.196", 100, 0, "64512 64513", "incomplete")


@pytest.mark.parametrize(("text", "name", "version", "label"), [
    ("FRRouting 8.4.4 (vyos) on Linux(6.1.0-28-amd64).\n", "frr", "8.4.4", "frr 8.4.4"),
    ("FRRouting 7.5.1-20210523 (vyos).\n", "frr", "7.5.1-20210523", "frr 7.5.1-20210523"),
    ("Quagga 0.99.20.1 (vyos).\nCopyright 1996-2005 Kunihiro Ishiguro, et al.\n", "quagga", "0.99.20.1", "quagga"),
    ("bash: vtysh: command not found", "unknown", None, "unknown"),
])
def test_detect_suite(text, name, version, label):
    s = detect_suite(text)
    assert (s.name, s.version, s.label()) == (name, version, label)


ECMP = ROOT / "tests" / "data" / "frr-ecmp"


def test_real_frr_ecmp_captures():
    route = parse_route_text((ECMP / "real__show_ip_route.txt").read_text())
    assert route.skipped == []
    (r,) = [x for x in route.items if x.prefix == "10.47.255.250/32"]
    assert [(h.via, h.fib) for h in r.nexthops] == [("172.31.2.194", True), ("172.31.2.195", True)]
    text = parse_bgp_prefix_text((ECMP / "real__show_ip_bgp_10.47.255.250_32.txt").read_text())
    js = parse_bgp_prefix_json(json.loads((ECMP / "real__show_ip_bgp_10.47.255.250_32_json.txt").read_text()))
    for parsed in (text, js):
        got = sorted((p.nexthop, p.peer, p.multipath, p.med) for p in parsed.items)
        assert got == [("172.31.2.194", "172.31.11.86", True, 100), ("172.31.2.195", "172.31.11.87", True, 100)]
        assert sum(p.best for p in parsed.items) == 1
    table = parse_bgp_table_text((ECMP / "real__show_ip_bgp.txt").read_text())
    assert sorted(p.nexthop for p in table.items) == ["172.31.2.194", "172.31.2.195"]
    assert sorted((p.best, p.multipath) for p in table.items) == [(False, True), (True, False)]
    assert len({p.prefix for p in table.items}) == 1


def test_real_frr_policy_captures():
    for parsed in (parse_summary_text((ECMP / "real__show_ip_bgp_summary.txt").read_text()),
                   parse_summary_json(json.loads((ECMP / "real__show_ip_bgp_summary_json.txt").read_text()))):
        assert parsed.skipped == []
        assert [(n.address, n.state, n.policy_blocked, n.prefixes_received, n.description) for n in parsed.items] == [
            ("172.31.11.86", "Established", True, None, "tf-control-node"),
            ("172.31.11.87", "Established", True, None, "tf-control-node-2")]


def test_frr8_an_import_policy_alone_receives_and_sends_nothing():
    # FRR 8 with `neighbor X route-map R in` only: PfxRcd counts, PfxSnt says (Policy) (no outbound policy)
    text = """BGP router identifier 172.31.10.140, local AS number 65311 vrf-id 0
BGP table version 3

Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc
172.31.11.86    4      64512         5         4        0    0    0 00:00:30            3 (Policy) tf-ctrl-a
"""
    (n,) = parse_summary_text(text).items
    assert (n.established, n.policy_blocked, n.sends_withheld, n.prefixes_received, n.description) == (
        True, False, True, 3, "tf-ctrl-a")
    # printed and dumped as FRR printed it: routes received, nothing sent
    assert (n.shown_state, n.shown_sent) == ("Established", "(Policy)")
    assert neighbor_json(n)["sends_withheld"] and not neighbor_json(n)["policy_blocked"]
    assert "Established" in routes_text("vyos", "frr", [n], []).splitlines()[3]
    assert routes_text("vyos", "frr", [n], []).splitlines()[3].split()[5] == "(Policy)"
    both = text.replace("           3 (Policy)", "    (Policy) (Policy)")
    (n,) = parse_summary_text(both).items
    assert (n.policy_blocked, n.sends_withheld, n.prefixes_received) == (True, True, None)
    assert (n.shown_state, n.shown_sent) == ("(Policy)", "(Policy)")
