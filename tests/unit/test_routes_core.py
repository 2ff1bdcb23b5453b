"""Cross-check, router config keys, JSON rendering, and emitter -> parser round trips."""

from __future__ import annotations

import json

import pytest

from tftui.core.inventory import ConfigError
from tftui.core.routes import bgp, emit, rib, summary
from tftui.core.routes.config import choose_router, parse_routers
from tftui.core.routes.crosscheck import (
    MISSING,
    NEIGHBOR_DOWN,
    ORPHAN,
    POLICY,
    WRONG_VROUTER,
    ExpectedHost,
    cross_check,
)
from tftui.core.routes.hosts import expected_hosts
from tftui.core.routes.models import BgpPath, Neighbor, NextHop, Route
from tftui.core.routes.render import crosscheck_document, crosscheck_text, routes_document


def _bgp(prefix, *vias, fib=True):
    return Route(prefix, "bgp", True, fib, 20, 100, "00:00:30", tuple(NextHop(v, "eth0", True, fib) for v in vias), code="B>*")


UP = Neighbor("172.31.11.86", 64512, "Established", True, "00:00:30", 3, 3, "tf")


def test_crosscheck_all_kinds():
    hosts = [ExpectedHost("a", "10.47.255.250", "172.31.2.194", "pods"),
             ExpectedHost("b", "10.47.255.251", "172.31.2.194", "pods"),
             ExpectedHost("c", "10.47.255.252", "172.31.2.195", "pods"),
             ExpectedHost("d", "10.47.255.253", "172.31.2.194", "pods"),
             ExpectedHost("vm", "192.168.1.5", "172.31.2.194", "tenant", ip_fabric_forwarding=False),
             ExpectedHost("bad", "not-an-ip", "172.31.2.194", "pods")]
    routes = [_bgp("10.47.255.250/32", "172.31.2.194"), _bgp("10.47.255.251/32", "172.31.2.194", "172.31.2.199"),
              _bgp("10.47.255.252/32", "172.31.2.194"), _bgp("10.47.0.99/32", "172.31.2.195"),
              _bgp("10.0.0.0/8", "172.31.2.194"), _bgp("8.8.8.8/32", "172.31.0.1"),
              Route("0.0.0.0/0", "static", True, True, 1, 0, None, (NextHop("172.31.0.1", "eth0"),))]
    down = Neighbor("172.31.11.87", 64512, "Active", False)
    policy = Neighbor("172.31.11.88", 64512, "Established", True, "00:01:00", None, None, None, True)
    check = cross_check(hosts, routes, [UP, down, policy], vrouter_addresses={"172.31.2.194", "172.31.2.195"})
    assert (check.expected, check.ok) == (4, 2)
    assert [f.prefix for f in check.by_kind(MISSING)] == ["10.47.255.253/32"]
    (wrong,) = check.by_kind(WRONG_VROUTER)
    assert (wrong.prefix, wrong.expected, wrong.actual) == ("10.47.255.252/32", "172.31.2.195", ("172.31.2.194",))
    assert [f.prefix for f in check.by_kind(ORPHAN)] == ["10.47.0.99/32"]  # 8.8.8.8 is not via a vrouter
    assert check.by_kind(NEIGHBOR_DOWN)[0].expected == "172.31.11.87"
    (pol,) = check.by_kind(POLICY)
    assert "no bgp ebgp-requires-policy" in pol.fix
    assert check.skipped_hosts and check.problems
    doc = crosscheck_document("vyos", check)
    assert json.loads(json.dumps(doc))["findings"][0]["kind"] == "neighbor-down"


def test_crosscheck_clean():
    hosts = [ExpectedHost("a", "10.47.255.250", "172.31.2.194", "pods")]
    check = cross_check(hosts, [_bgp("10.47.255.250/32", "172.31.2.194")], [UP])
    assert not check.problems and check.ok == 1


def test_findings_show_a_vrouter_as_its_name_and_address():
    rows = [{"vm_name": "a", "ip": "10.47.255.250", "vrouter_address": "172.31.2.194", "network": "pods"},
            {"vm_name": "b", "ip": "10.47.255.251", "vrouter_address": "172.31.2.196", "network": "pods",
             "vrouter": "cmp3"}]
    hosts, problems = expected_hosts(rows, names={"172.31.2.194": "cmp1"})
    assert problems == [] and [h.vrouter_label for h in hosts] == ["cmp1 (172.31.2.194)", "cmp3 (172.31.2.196)"]
    routes = [_bgp("10.47.255.250/32", "172.31.2.195"), _bgp("10.47.0.99/32", "172.31.2.195")]
    check = cross_check(hosts, routes, [UP], {"172.31.2.194", "172.31.2.195"}, {"172.31.2.195": "cmp2"})
    (wrong,) = check.by_kind(WRONG_VROUTER)
    assert wrong.message == "a (10.47.255.250) lives on cmp1 (172.31.2.194) but the router sends it via cmp2 (172.31.2.195)"
    assert (wrong.expected, wrong.expected_text, wrong.actual_text) == ("172.31.2.194", "cmp1 (172.31.2.194)",
                                                                        "cmp2 (172.31.2.195)")
    (missing,) = check.by_kind(MISSING)
    assert missing.message == "b (10.47.255.251) on cmp3 (172.31.2.196): no BGP route on the router"
    (orphan,) = check.by_kind(ORPHAN)
    assert orphan.message.startswith("10.47.0.99/32 via cmp2 (172.31.2.195): ")
    unnamed = cross_check([ExpectedHost("c", "10.47.255.252", "172.31.2.197", "pods")], [], [UP])
    assert unnamed.findings[0].message == "c (10.47.255.252) on 172.31.2.197: no BGP route on the router"
    assert unnamed.findings[0].expected_text == "172.31.2.197"


def test_nothing_to_compare_is_said_not_passed_off_as_fine():
    check = cross_check([], [_bgp("10.47.0.99/32", "172.31.2.195")], [UP], set())
    check.note = "no vrouters known: no pod/VM /32 to compare"
    assert check.findings == [] and check.expected == 0  # no vrouter known: no /32 is an orphan either
    text = crosscheck_text("vyos", check)
    assert "no vrouters known" in text and "everything matches" not in text
    assert crosscheck_document("vyos", check)["note"] == check.note


def test_routes_document_shape():
    conn = Route("172.31.0.0/20", "connected", True, True, None, None, "00:00:33", (NextHop(None, "eth0"),))
    doc = routes_document("vyos", "frr 8.4.4", [UP], [_bgp("10.47.255.250/32", "172.31.2.194"), conn])
    assert set(doc) == {"router", "suite", "neighbors", "routes"}
    assert set(doc["neighbors"][0]) >= {"address", "remote_as", "state", "established", "up_down",
                                        "prefixes_received", "prefixes_sent", "description"}
    assert doc["routes"][1] == {"prefix": "172.31.0.0/20", "protocol": "connected", "selected": True, "fib": True,
                                "distance": None, "metric": None, "age": "00:00:33",
                                "nexthops": [{"via": None, "interface": "eth0", "active": True}]}


def test_router_config():
    raw = {"routers": [{"name": "vyos", "host": "10.0.0.1", "username": "vyos", "identity_file": "~/.ssh/id",
                        "known_hosts": "/tmp/kh", "jump": "ops@bastion:2222", "kind": "frr"},
                       {"name": "r2", "host": "10.0.0.2", "host_key_policy": "accept-new", "password_env": "VYOS_PW"}]}
    a, b = parse_routers(raw, "cfg")
    assert (a.port, a.jump.host, a.jump.port, a.jump.username, a.kind) == (22, "bastion", 2222, "ops", "frr")
    assert (b.host_key_policy, b.password_env) == ("accept-new", "VYOS_PW")
    assert choose_router([a, b], "r2") is b and choose_router([a, b], None) is a
    with pytest.raises(ConfigError, match="never read"):
        parse_routers({"routers": [{"host": "1.2.3.4", "password": "x"}]})
    with pytest.raises(ConfigError, match="kind"):
        parse_routers({"routers": [{"host": "1.2.3.4", "kind": "cisco"}]})
    with pytest.raises(ConfigError, match="not an IP address"):
        parse_routers({"routers": [{"host": "-oProxyCommand=x"}]})
    with pytest.raises(ConfigError, match="no router"):
        choose_router([a], "nope")
    assert parse_routers({}) == []


NEIGHBORS = [UP, Neighbor("172.31.11.87", 64513, "Idle (Admin)", False, None, None, 0, None),
             Neighbor("2001:db8:ffff:1234::1", 64514, "Established", True, "4d23h40m", 7, 2, "long"),
             Neighbor("172.31.11.88", 64515, "Established", True, "00:01:00", None, None, None, True)]
ROUTES = [_bgp("10.47.255.250/32", "172.31.2.194", "172.31.2.195"),
          Route("172.31.0.0/20", "connected", True, True, None, None, "00:00:33", (NextHop(None, "eth0", True, True),)),
          Route("10.99.0.0/16", "static", True, True, 1, 0, "00:00:05", (NextHop(None, None, True, True, blackhole=True),))]


@pytest.mark.parametrize("suite", ["frr", "quagga"])
def test_summary_round_trip(suite):
    text = emit.summary_text(suite, "172.31.10.140", 65311, NEIGHBORS, 5)
    r = summary.parse_summary_text(text)
    assert r.skipped == []
    got = {(n.address, n.state, n.established, n.prefixes_received, n.policy_blocked) for n in r.items}
    assert got == {(n.address, n.state, n.established, n.prefixes_received if not n.policy_blocked else None,
                    n.policy_blocked) for n in NEIGHBORS}
    j = summary.parse_summary_json(json.loads(emit.summary_json("172.31.10.140", 65311, NEIGHBORS, 5)))
    assert [(n.address, n.policy_blocked, n.state) for n in j.items] == [(n.address, n.policy_blocked, n.state) for n in NEIGHBORS]


@pytest.mark.parametrize("suite", ["frr", "quagga"])
def test_route_round_trip(suite):
    r = rib.parse_route_text(emit.route_text(suite, ROUTES))
    assert r.skipped == []
    for parsed in (r.items, rib.parse_route_json(json.loads(emit.route_json(ROUTES))).items):
        by = {x.prefix: x for x in parsed}
        assert [h.via for h in by["10.47.255.250/32"].nexthops] == ["172.31.2.194", "172.31.2.195"]
        assert by["172.31.0.0/20"].nexthops[0].via is None and by["172.31.0.0/20"].protocol == "connected"
        assert by["10.99.0.0/16"].nexthops[0].blackhole


def test_bgp_round_trips():
    paths = [BgpPath("10.47.255.250/32", "172.31.2.194", True, True, False, 100, None, 0, "64512", "IGP", "172.31.11.86", True),
             BgpPath("10.47.255.250/32", "172.31.2.195", False, True, True, 100, None, 0, "64512", "IGP", "172.31.11.87", True)]
    t = bgp.parse_bgp_table_text(emit.bgp_table_text("172.31.10.140", 65311, paths))
    assert t.skipped == [] and [(p.nexthop, p.best, p.multipath, p.med) for p in t.items] == [
        ("172.31.2.194", True, False, 100), ("172.31.2.195", False, True, 100)]
    j = bgp.parse_bgp_table_json(json.loads(emit.bgp_table_json("172.31.10.140", 65311, paths)))
    assert [p.peer for p in j.items] == ["172.31.11.86", "172.31.11.87"]
    for suite in ("frr", "quagga"):
        d = bgp.parse_bgp_prefix_text(emit.bgp_prefix_text(suite, "10.47.255.250/32", paths))
        assert [(p.as_path, p.med, p.nexthop, p.best) for p in d.items] == [
            ("64512", 100, "172.31.2.194", True), ("64512", 100, "172.31.2.195", False)]
    dj = bgp.parse_bgp_prefix_json(json.loads(emit.bgp_prefix_json("10.47.255.250/32", paths)))
    assert [(p.as_path, p.med, p.best) for p in dj.items] == [("64512", 100, True), ("64512", 100, False)]
    assert bgp.detect_suite(emit.show_version("quagga")).name == "quagga"
    assert bgp.detect_suite(emit.show_version("frr")).label() == "frr 8.4.4"
