"""`tftui peer` on a real FRR over real SSH (tests/helpers/realnet.py, bed "tfpr", with watchfrr as packaged FRR
runs it), TF's config API from the lab (tests/helpers/realnet_tf.py) and ExaBGP playing control node ctrl-a:
add -> Established and the pods' /32s in `tftui routes`; a refused command and a failed save leave FRR's running
configuration as it was; remove takes it all away again.
"""

from __future__ import annotations

import json
import sys
import time

import pytest
from helpers.realnet import ROOT, Bed, RealLab, real_lab, sh

pytestmark = pytest.mark.realnet

PODS = ["10.47.255.250", "10.47.255.251", "10.47.255.252"]
TF_PORT = 18082
# ctrl-b is a control node whose TF address is one of the router's own (an operator's slip): FRR refuses it
CONTROLS = {"ctrl-a": "172.31.11.86", "ctrl-b": "172.31.10.141", "ctrl-c": "172.31.11.87"}
FRR_CONF = """frr defaults traditional
hostname vyos
!
ip route 0.0.0.0/0 172.31.0.1
!
router bgp 65311
 bgp router-id 172.31.10.140
!
"""
BED = Bed("tfpr", FRR_CONF, vyos_addresses=("172.31.10.140/20", "172.31.10.141/20"), watchfrr=True)


@pytest.fixture
def bed(tmp_path):
    yield from real_lab(tmp_path, BED)


def _serve_tf(lab: RealLab) -> None:
    lab.start("tf", ["ip", "netns", "exec", BED.ns_vr, sys.executable, str(ROOT / "tests/helpers/realnet_tf.py"),
                     str(TF_PORT), *(f"{k}={v}" for k, v in CONTROLS.items())])
    deadline = time.monotonic() + 30
    while f"127.0.0.1:{TF_PORT}" not in sh("ip", "netns", "exec", BED.ns_vr, "ss", "-ltn").stdout:
        if time.monotonic() > deadline or lab.procs["tf"].poll() is not None:
            raise RuntimeError(f"config API did not start: {(lab.log / 'tf.log').read_text()[-800:]}")
        time.sleep(0.1)


def _tf_sessions() -> dict[str, list[str]]:
    """bgp-router name -> names it has sessions with, read from the config API inside the vrouter namespace."""
    out = sh("ip", "netns", "exec", BED.ns_vr, sys.executable, str(ROOT / "tests/helpers/realnet_tf.py"),
             "--sessions", str(TF_PORT)).stdout
    return json.loads(out)


def _running(lab: RealLab) -> str:
    return "\n".join(line for line in lab.vtysh("show running-config").splitlines()
                     if not line.startswith(("Building", "Current")))


def test_peer_add_refusals_and_remove_on_real_frr(bed: RealLab, tmp_path):
    lab = bed
    _serve_tf(lab)
    lab.exabgp("exabgp1", "172.31.11.86", [(p, "172.31.2.194") for p in PODS])
    hosts = tmp_path / "hosts.json"
    hosts.write_text(json.dumps([{"vm_name": f"pod-{i}", "ip": ip, "vrouter_address": "172.31.2.194",
                                  "network": "k8s-default-pod-network", "ip_fabric_forwarding": True}
                                 for i, ip in enumerate(PODS)]))
    cfg = str(lab.config(nodes=[{"name": n, "address": a, "roles": ["control"]} for n, a in CONTROLS.items()],
                         config_api=f"http://127.0.0.1:{TF_PORT}", timeout=3, gatewayless={"hosts_file": str(hosts)}))

    # the plan, and FRR 8's eBGP policy as an explicit choice
    res = lab.tftui("peer", "add", "--config", cfg, "--control", "ctrl-a", "--dry-run")
    assert res.returncode == 2 and "--ebgp-policy" in res.stderr, res.stdout + res.stderr
    assert "frr 8.4.4 (vtysh configuration mode), AS 65311, router-id 172.31.10.140" in res.stdout

    t0 = time.monotonic()
    res = lab.tftui("peer", "add", "--config", cfg, "--control", "ctrl-a", "--ebgp-policy", "route-map", "--yes",
                    "--wait", "90", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads(res.stdout)
    assert doc["status"]["done"] and doc["status"]["pairs"][0]["established"]
    assert doc["status"]["crosscheck"]["ok"] == doc["status"]["crosscheck"]["expected"] == 3
    t_up = time.monotonic() - t0
    running = _running(lab)
    for line in (" neighbor 172.31.11.86 remote-as 64512", " neighbor 172.31.11.86 description tf-ctrl-a",
                 "  neighbor 172.31.11.86 route-map TFTUI-FROM-TF in", "route-map TFTUI-FROM-TF permit 10"):
        assert line in running.splitlines(), running
    assert "neighbor 172.31.11.86 remote-as 64512" in (BED.frr_etc / "frr.conf").read_text()  # write memory worked
    assert _tf_sessions()["vyos"] == ["ctrl-a"]
    routes = json.loads(lab.tftui("routes", "--config", cfg, "--json").stdout)
    assert {r["prefix"]: [h["via"] for h in r["nexthops"]] for r in routes["routes"] if r["protocol"] == "bgp"} == {
        f"{p}/32": ["172.31.2.194"] for p in PODS}

    # a command FRR refuses after another was applied: the first is taken back, nothing else moved
    before, before_saved = _running(lab), (BED.frr_etc / "frr.conf").read_text()
    res = lab.tftui("peer", "add", "--config", cfg, "--control", "ctrl-c", "--control", "ctrl-b", "--ebgp-policy",
                    "route-map", "--yes")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "% Can not configure the local system as neighbor" in res.stderr and "as it was before" in res.stderr
    assert _running(lab) == before and (BED.frr_etc / "frr.conf").read_text() == before_saved
    assert _tf_sessions()["vyos"] == ["ctrl-a"]  # TF was never written

    # a save that fails (no watchfrr to write for a non-root vtysh): the change is taken back too
    lab.stop("watchfrr")
    res = lab.tftui("peer", "add", "--config", cfg, "--control", "ctrl-c", "--ebgp-policy", "route-map", "--yes")
    assert res.returncode == 1 and "Permission denied" in res.stderr, res.stdout + res.stderr
    assert _running(lab) == before and (BED.frr_etc / "frr.conf").read_text() == before_saved
    lab.start_watchfrr()

    res = lab.tftui("peer", "remove", "--config", cfg, "--yes", "--wait", "60", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "neighbor 172.31.11.86" not in _running(lab) and "TFTUI-FROM-TF" not in _running(lab)  # its route-map too
    assert "neighbor 172.31.11.86" not in (BED.frr_etc / "frr.conf").read_text()
    assert "vyos" not in _tf_sessions()
    deadline = time.monotonic() + 30
    while True:  # the /32s leave the router's table with the session
        routes = json.loads(lab.tftui("routes", "--config", cfg, "--json").stdout)
        if not [r for r in routes["routes"] if r["protocol"] == "bgp"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert [r for r in routes["routes"] if r["protocol"] == "bgp"] == [] and routes["neighbors"] == []
    print(f"realnet peer: setup {lab.setup_seconds:.1f}s, add -> Established with 3 /32s {t_up:.1f}s")

