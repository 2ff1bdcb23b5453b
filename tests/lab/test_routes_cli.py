"""`tftui routes` and `tftui check gatewayless` as processes, against `tftui lab` as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tftui", *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT)


@pytest.fixture(scope="module", params=["frr", "quagga"])
def lab(request, tmp_path_factory):
    cfg = tmp_path_factory.mktemp("lab") / "lab.yaml"
    base = {"frr": 201, "quagga": 202}[request.param]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tftui", "lab", "--base", str(base), "--write-config", str(cfg),
                             "--router-suite", request.param], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        assert line.startswith("tftui-lab ready"), (line, proc.stderr.read() if proc.poll() is not None else "")
        yield request.param, cfg
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_routes_json(lab):
    suite, cfg = lab
    res = _run("routes", "--config", str(cfg), "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["router"] == "vyos" and doc["suite"] == ("frr 9.1" if suite == "frr" else "quagga")
    base = {"frr": 201, "quagga": 202}[suite]
    # the demo's router is peered with its control nodes but the last one (ctrl3: `tftui peer add` does that)
    assert [(n["address"], n["remote_as"], n["state"], n["established"]) for n in doc["neighbors"]] == [
        (f"127.{base}.0.{10 + i}", 64512, "Established", True) for i in range(2)]
    bgp = [r for r in doc["routes"] if r["protocol"] == "bgp"]
    assert all(len(bgp) == n["prefixes_received"] > 100 for n in doc["neighbors"])
    conn = next(r for r in doc["routes"] if r["protocol"] == "connected")
    assert conn["nexthops"][0]["via"] is None


def test_routes_text_and_unknown_router(lab):
    _, cfg = lab
    res = _run("routes", "--config", str(cfg))
    assert res.returncode == 0 and "Established" in res.stdout and "B>*" in res.stdout
    res = _run("routes", "--config", str(cfg), "--router", "nope")
    assert res.returncode == 2 and "no router 'nope'" in res.stderr


def test_check_gatewayless(lab):
    _, cfg = lab
    res = _run("check", "gatewayless", "--config", str(cfg), "--json")
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    kinds = sorted(f["kind"] for f in doc["findings"])
    assert kinds == ["missing", "orphan", "wrong-vrouter"]
    assert doc["ok"] == doc["expected"] - 2
    res = _run("check", "gatewayless", "--config", str(cfg))
    assert res.returncode == 1 and "MISSING" in res.stdout


def test_routes_router_down(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(json.dumps({"clusters": {"x": {"nodes": [{"name": "a", "address": "127.204.0.10", "roles": ["control"]}],
                   "routers": [{"name": "r", "host": "127.204.0.1", "port": 1, "known_hosts": str(tmp_path / "kh"),
                                "agent": False, "timeout": 2}]}}}))
    res = _run("routes", "--config", str(cfg), "--json")
    assert res.returncode == 1 and "cannot connect" in res.stderr and res.stdout == ""


def test_a_cluster_with_only_a_router(lab, tmp_path):
    """`routers:` and no nodes: routes work, the cross-check runs on what it has and says what it lacks (exit 3)."""
    _, cfg = lab
    written = yaml.safe_load(cfg.read_text())
    edge = tmp_path / "edge.yaml"
    edge.write_text(yaml.safe_dump({"clusters": {"edge": {"routers": written["clusters"]["lab"]["routers"]}}}))
    res = _run("routes", "--config", str(edge), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["neighbors"][0]["state"] == "Established"
    res = _run("check", "gatewayless", "--config", str(edge), "--json")
    assert res.returncode == 3, res.stderr
    doc = json.loads(res.stdout)
    assert doc["expected"] == 0 and doc["findings"] == [] and doc["note"].startswith("no vrouters known")
    res = _run("check", "gatewayless", "--config", str(edge))
    assert res.returncode == 3 and "no vrouters known: no pod/VM /32 to compare" in res.stdout
    res = _run("status", "--config", str(edge))
    assert res.returncode == 2 and "has no nodes" in res.stderr


def test_findings_name_each_vrouter_and_its_address(lab):
    _, cfg = lab
    doc = json.loads(_run("check", "gatewayless", "--config", str(cfg), "--json").stdout)
    wrong = next(f for f in doc["findings"] if f["kind"] == "wrong-vrouter")
    names = {n["address"]: n["name"] for n in yaml.safe_load(cfg.read_text())["clusters"]["lab"]["nodes"]}
    lives_on = f"lives on {names[wrong['expected']]} ({wrong['expected']}) but the router sends it via "
    assert lives_on in wrong["message"] and f"{names[wrong['actual'][0]]} ({wrong['actual'][0]})" in wrong["message"]
    orphan = next(f for f in doc["findings"] if f["kind"] == "orphan")
    assert f"via {names[orphan['actual'][0]]} ({orphan['actual'][0]})" in orphan["message"]
