"""Real FRR + ExaBGP + OpenSSH in network namespaces (tests/helpers/realnet.py, bed "tftr"), read by tftui over
real SSH from the vrouter namespace.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from helpers.realnet import Bed, RealLab, real_lab, sh

pytestmark = pytest.mark.realnet

PODS = ["10.47.255.250", "10.47.255.251", "10.47.255.252"]

FRR_CONF = """frr defaults traditional
hostname vyos
!
ip route 0.0.0.0/0 172.31.0.1
!
router bgp 65311
 bgp router-id 172.31.10.140
 no bgp ebgp-requires-policy
 neighbor 172.31.11.86 remote-as 64512
 neighbor 172.31.11.86 description tf-control-node
 neighbor 172.31.11.86 timers connect 1
 neighbor 172.31.11.87 remote-as 64512
 neighbor 172.31.11.87 description tf-control-node-2
 neighbor 172.31.11.87 timers connect 1
 address-family ipv4 unicast
  maximum-paths 4
 exit-address-family
!
"""


BED = Bed("tftr", FRR_CONF)
NS_VYOS = BED.ns_vyos


@pytest.fixture
def reallab(tmp_path):
    yield from real_lab(tmp_path, BED)


def _tftui_routes(lab: RealLab) -> dict:
    """`tftui routes --json` run from inside the vrouter namespace: real SSH from 172.31.2.194."""
    res = lab.tftui("routes", "--config", str(lab.config()), "--json", timeout=60)
    assert res.returncode in (0, 1), res.stderr
    if res.returncode:
        raise AssertionError(f"tftui routes failed: {res.stderr}")
    return json.loads(res.stdout)


def _until(lab: RealLab, predicate, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    doc = {}
    while time.monotonic() < deadline:
        doc = _tftui_routes(lab)
        if predicate(doc):
            return doc
        time.sleep(0.5)
    raise AssertionError(f"condition not reached in {timeout}s; last: {json.dumps(doc)[:2000]}")


def _peer(doc: dict, address: str) -> dict:
    return next(n for n in doc["neighbors"] if n["address"] == address)


def _bgp(doc: dict) -> dict[str, list[str]]:
    return {r["prefix"]: [h["via"] for h in r["nexthops"]] for r in doc["routes"] if r["protocol"] == "bgp"}


def test_real_frr_over_ssh(reallab: RealLab):
    lab = reallab
    t0 = time.monotonic()
    lab.exabgp("exabgp1", "172.31.11.86", [(p, "172.31.2.194") for p in PODS])
    doc = _until(lab, lambda d: _peer(d, "172.31.11.86")["prefixes_received"] == 3 and len(_bgp(d)) == 3)
    assert doc["suite"] == "frr 8.4.4"
    assert any("vtysh.conf" in w for w in doc.get("warnings", [])), doc.get("warnings")  # stderr, kept apart
    n = _peer(doc, "172.31.11.86")
    assert (n["remote_as"], n["state"], n["established"], n["description"]) == (64512, "Established", True,
                                                                                 "tf-control-node")
    assert _bgp(doc) == {f"{p}/32": ["172.31.2.194"] for p in PODS}
    assert all(r["selected"] and r["fib"] for r in doc["routes"] if r["protocol"] == "bgp")
    connected = next(r for r in doc["routes"] if r["protocol"] == "connected")
    assert connected["nexthops"][0]["via"] is None
    t_up = time.monotonic() - t0

    lab.stop("exabgp1")  # exactly the PID recorded for it
    doc = _until(lab, lambda d: not _peer(d, "172.31.11.86")["established"])
    assert _peer(doc, "172.31.11.86")["state"] in ("Active", "Connect", "Idle", "OpenSent")
    doc = _until(lab, lambda d: not _bgp(d))

    # ECMP: the same /32 from two control nodes with two next hops (maximum-paths 4)
    lab.exabgp("exabgp1", "172.31.11.86", [(PODS[0], "172.31.2.194")])
    lab.exabgp("exabgp2", "172.31.11.87", [(PODS[0], "172.31.2.195")])
    doc = _until(lab, lambda d: len(_bgp(d).get(f"{PODS[0]}/32", [])) == 2)
    assert sorted(_bgp(doc)[f"{PODS[0]}/32"]) == ["172.31.2.194", "172.31.2.195"]
    assert _peer(doc, "172.31.11.87")["established"]
    _parsers_agree_with_real_frr()

    # FRR's default for eBGP without a policy: Established, routes refused, shown as (Policy)
    sh("ip", "netns", "exec", NS_VYOS, "vtysh", "-N", NS_VYOS, "-c", "configure terminal", "-c", "router bgp 65311",
        "-c", "bgp ebgp-requires-policy", "-c", "end", "-c", "clear ip bgp *")
    doc = _until(lab, lambda d: all(x["policy_blocked"] for x in d["neighbors"]) and not _bgp(d))
    n = _peer(doc, "172.31.11.86")
    assert n["established"] and n["prefixes_received"] is None
    from tftui.core.routes.summary import parse_summary_json, parse_summary_text

    for parsed in (parse_summary_text(_vtysh("show ip bgp summary")),
                   parse_summary_json(json.loads(_vtysh("show ip bgp summary json")))):
        assert [(x.address, x.policy_blocked, x.established) for x in parsed.items] == [
            ("172.31.11.86", True, True), ("172.31.11.87", True, True)]
    print(f"realnet: setup {lab.setup_seconds:.1f}s, first Established+3 routes {t_up:.1f}s, "
          f"total {time.monotonic() - t0 + lab.setup_seconds:.1f}s")


def _vtysh(command: str) -> str:
    out = sh("ip", "netns", "exec", NS_VYOS, "vtysh", "-N", NS_VYOS, "-c", command).stdout
    dump = os.environ.get("TFTUI_REALNET_DUMP")  # to refresh tests/data/frr-ecmp from a real run
    if dump:
        Path(dump).mkdir(parents=True, exist_ok=True)
        (Path(dump) / f"real__{command.replace(' ', '_').replace('/', '_')}.txt").write_text(out)
    return out


def _parsers_agree_with_real_frr() -> None:
    """The pure parsers on this FRR's own ECMP outputs, text and JSON (not only the stored captures)."""
    from tftui.core.routes.bgp import parse_bgp_prefix_json, parse_bgp_prefix_text, parse_bgp_table_text
    from tftui.core.routes.rib import parse_route_text

    prefix = f"{PODS[0]}/32"
    text = _vtysh("show ip route")
    routes = parse_route_text(text)
    assert routes.skipped == [], text
    (r,) = [x for x in routes.items if x.prefix == prefix]
    assert sorted(h.via for h in r.nexthops) == ["172.31.2.194", "172.31.2.195"], text
    for parsed, raw in ((parse_bgp_prefix_text(t := _vtysh(f"show ip bgp {prefix}")), t),
                        (parse_bgp_prefix_json(json.loads(j := _vtysh(f"show ip bgp {prefix} json"))), j)):
        assert sorted((p.nexthop, p.as_path, p.med) for p in parsed.items) == [
            ("172.31.2.194", "64512", 100), ("172.31.2.195", "64512", 100)], raw
        assert sum(p.best for p in parsed.items) == 1, raw
    table = parse_bgp_table_text(t := _vtysh("show ip bgp"))
    assert table.skipped == [] and sorted(p.nexthop for p in table.items if p.prefix == prefix) == [
        "172.31.2.194", "172.31.2.195"], t
    assert sum(p.multipath for p in table.items) == 1, t
