"""`tftui routes` and `tftui check gatewayless` as processes, against `tftui lab` as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
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
