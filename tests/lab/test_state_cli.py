"""tftui peers / routes --control / routes --vrouter / drops / path as an operator runs them, against a lab process
(introspect, the SSH router, the config API): JSON shapes, exit codes, and the demo's faults found."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from tftui.lab.topology import build

DEMO = build("demo", vrouters=5)  # names and IPs do not depend on the address base


def tftui(lab, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "tftui", *args, "--config", str(lab.config_path)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=dict(os.environ))


@pytest.fixture(scope="module")
def lab():
    from conftest import free_bases, next_base

    from tftui.services.demo import start_demo_lab

    started = start_demo_lab(scenario="demo", vrouters=5, churn=0, bases=free_bases(next_base()))
    yield started
    started.stop()


def test_peers_exits_1_on_the_down_xmpp_session_and_prints_every_peer(lab):
    r = tftui(lab, "peers", "--json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc["peers"][0]) >= {"control_node", "peer", "peer_address", "peer_asn", "encoding", "peer_type",
                                    "state", "established", "flap_count", "last_flap", "prefixes"}
    down = [p for p in doc["peers"] if not p["established"]]
    assert [(p["control_node"], p["peer"], p["encoding"]) for p in down] == [("ctrl2", "compute1", "XMPP")]
    assert {f["kind"] for f in doc["findings"]} == {"xmpp-down", "xmpp-missing"}
    assert {p["control_node"] for p in doc["peers"]} == {"ctrl1", "ctrl2", "ctrl3"} and doc["errors"] == []
    text = tftui(lab, "peers")
    assert text.returncode == 1 and "! compute1: XMPP session to ctrl2 is Idle, being deleted" in text.stdout
    assert tftui(lab, "peers", "--node", "ctrl1").returncode == 0
    bad = tftui(lab, "peers", "--node", "compute1")
    assert bad.returncode == 2 and "no control node 'compute1'" in bad.stderr


def _pod(index: int):
    return [i for i in DEMO.interfaces if i.kind == "pod"][index]


def test_path_finds_the_break_of_the_demos_broken_pods(lab):
    unannounced = _pod(4)
    r = tftui(lab, "path", unannounced.ip, "--json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["broken_at"]["kind"] == "control" and doc["broken_at"]["node"] == "ctrl1"
    assert doc["hops"][0]["kind"] == "vrouter" and doc["hops"][0]["ok"]  # its own vrouter has it
    assert [h["kind"] for h in doc["hops"]][-1] == "router" and not doc["hops"][-1]["ok"]
    misrouted = _pod(5)
    r = tftui(lab, "path", misrouted.vm_name, "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["broken_at"]["kind"] == "router"
    assert "not to its vrouter compute1" in doc["broken_at"]["problem"]
    assert all(h["ok"] for h in doc["hops"] if h["kind"] != "router")


def test_path_of_a_whole_pod_and_of_no_pod(lab):
    r = tftui(lab, "path", "cirros1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "the path is whole" in r.stdout and "router vyos" in r.stdout
    assert r.stdout.count("  ok ") == 1 + 2 * 3 + 1  # vrouter, 3 control nodes x 2 tables, router
    gone = tftui(lab, "path", "no-such-pod")
    assert gone.returncode == 1 and "no pod or VM 'no-such-pod'" in gone.stderr


def test_routes_of_the_control_nodes_and_of_a_vrouter(lab):
    pod = _pod(0)
    r = tftui(lab, "routes", "--control", "--table", "inet.0", "--prefix", pod.ip, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    routes = [x for x in doc["routes"] if x["prefix"] == f"{pod.ip}/32"]
    assert {x["control_node"] for x in routes} == {"ctrl1", "ctrl2", "ctrl3"}
    route = routes[0]
    assert set(route) >= {"prefix", "protocol", "selected", "fib", "distance", "metric", "age", "nexthops"}
    assert {nh["via"] for nh in route["nexthops"]} == {address_of(lab, "compute1")}
    assert all(set(nh) >= {"via", "interface", "active", "source", "label"} for nh in route["nexthops"])
    v = tftui(lab, "routes", "--vrouter", "compute1", "--prefix", f"{pod.ip}/32", "--json")
    assert v.returncode == 0, v.stderr
    [vroute] = json.loads(v.stdout)["routes"]
    [nh] = vroute["nexthops"]
    assert (nh["interface"], nh["source"], nh["type"]) == (pod.tap, "LocalVmPort", "interface") and nh["label"] >= 16
    text = tftui(lab, "routes", "--control", "ctrl2", "--instance", "nothing-such")
    assert text.returncode == 0 and text.stdout == "no routes\n"
    assert tftui(lab, "routes", "--vrf", "x").returncode == 2  # --vrf without --vrouter
    router = tftui(lab, "routes", "--json")  # alone it still means the gateway router
    assert router.returncode == 0 and json.loads(router.stdout)["router"] == "vyos"


def address_of(lab, name: str) -> str:
    import yaml

    nodes = yaml.safe_load(lab.config_path.read_text())["clusters"]["lab"]["nodes"]
    return next(n["address"] for n in nodes if n["name"] == name)


def test_drops_say_what_each_counter_means_and_how_fast_it_rises(lab):
    r = tftui(lab, "drops", "--vrouter", "compute1", "--vrouter", "compute4", "--interval", "1.5", "--json")
    assert r.returncode == 0, r.stderr
    one, four = json.loads(r.stdout)["vrouters"]
    flow = next(d for d in one["drops"] if d["counter"] == "ds_flow_action_drop")
    # the demo's firewall policy denies web -> db on 5432 (and a quarantined pod): compute1's flows drop them
    assert flow["rising"] and flow["delta"] >= 10 and flow["rate"] > 0 and "policy" in flow["meaning"]
    assert all(d["meaning"] and d["value"] > 0 for d in one["drops"])
    quiet = next(d for d in four["drops"] if d["counter"] == "ds_flow_action_drop")
    assert quiet["delta"] < flow["delta"]  # only its one unroutable short flow
    every = tftui(lab, "drops")
    assert every.returncode == 1  # compute2 is dead and compute3 hangs: both named
    assert "# compute4" in every.stdout and "Cloned Original" in every.stdout and "compute2" in every.stderr
