"""Headless analytics commands against `tftui lab` processes, as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from conftest import ROOT


def tftui(*args, timeout=60, stdin=None):
    return subprocess.run([sys.executable, "-m", "tftui", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=os.environ.copy(), stdin=stdin)


@pytest.mark.parametrize("scenario", ["degraded", "seed-full"])
def test_status_from_analytics_prints_the_same_lines_as_introspect(start_lab, scenario):
    lab = start_lab(scenario, vrouters=3)
    cfg = str(lab.config_path)
    by_introspect = tftui("status", "--config", cfg, "--source", "introspect")
    by_analytics = tftui("status", "--config", cfg, "--source", "analytics")
    assert by_analytics.stdout == by_introspect.stdout and by_analytics.returncode == by_introspect.returncode
    assert by_analytics.stderr == ""
    doc = json.loads(tftui("status", "--config", cfg, "--source", "analytics", "--json").stdout)
    evidence = {s["evidence"] for n in doc["nodes"] for pod in n["pods"].values() for s in pod.values()}
    assert "analytics" in evidence


def test_analytics_less_cluster_behaves_as_today(start_lab):
    lab = start_lab("seed-analytics-less")
    cfg = str(lab.config_path)
    today = tftui("status", "--config", cfg)
    auto = tftui("status", "--config", cfg, "--source", "auto")
    assert auto.stdout == today.stdout and auto.returncode == today.returncode
    r = tftui("status", "--config", cfg, "--source", "analytics")
    assert r.returncode == 2 and "no analytics API" in r.stderr
    r = tftui("alarms", "--config", cfg)
    assert r.returncode == 2 and "no analytics API" in r.stderr


def test_alarms_exit_1_then_ack_with_confirmation(start_lab):
    lab = start_lab("degraded", vrouters=2)
    cfg = str(lab.config_path)
    r = tftui("alarms", "--config", cfg)
    assert r.returncode == 1, r.stderr
    assert "rabbitmq is PROCESS_STATE_EXITED on ctrl3 (expected RUNNING)" in r.stdout
    doc = json.loads(tftui("alarms", "--config", cfg, "--json").stdout)
    target = next(a for a in doc["alarms"] if a["name"] == "ctrl3" and a["severity_name"] == "critical")
    # no terminal and no --yes: nothing is sent
    r = tftui("alarms", "ack", target["id"], "--config", cfg, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "not acknowledged" in r.stderr
    r = tftui("--readonly", "alarms", "ack", target["id"], "--yes", "--config", cfg)
    assert r.returncode == 2 and "--readonly" in r.stderr
    r = tftui("alarms", "ack", target["id"], "--yes", "--config", cfg)
    assert r.returncode == 0 and r.stdout.startswith("acknowledged: rabbitmq is PROCESS_STATE_EXITED"), r.stderr
    doc = json.loads(tftui("alarms", "--config", cfg, "--json", "--unacked").stdout)
    assert target["id"] not in {a["id"] for a in doc["alarms"]}
    assert tftui("alarms", "ack", "deadbeef", "--yes", "--config", cfg).returncode == 2


def test_uve_and_logs_follow_the_labs_churn(start_lab):
    lab = start_lab("degraded", vrouters=2, churn=0.5)
    cfg = str(lab.config_path)
    r = tftui("uve", "vrouter", "--config", cfg)
    assert r.returncode == 0 and r.stdout.split() == ["compute1"]
    r = tftui("uve", "control-node", "ctrl1", "--flat", "--cfilt", "BgpRouterState", "--config", cfg)
    assert "BgpRouterState.num_bgp_peer = 3" in r.stdout  # ctrl2, ctrl3, the router (churn may flap one)
    ntp = "description = NTP state unsynchronized."

    def churned(text: str) -> list[str]:  # ctrl2 and ctrl3 start with every nodemgr in sync
        return [ln for ln in text.splitlines() if ntp in ln and ("name = ctrl2" in ln or "name = ctrl3" in ln)]

    deadline = time.monotonic() + 30
    while True:  # churn takes a nodemgr's clock or a session down every 0.5 s; each NodeStatus change is logged
        r = tftui("logs", "--object-type", "control-node", "--message-type", "NodeStatusUVE", "--last", "5m",
                  "--config", cfg)
        if churned(r.stdout) or time.monotonic() > deadline:
            break
    assert r.returncode == 0 and churned(r.stdout)
    assert " : NodeStatusUVE: [NodeStatus: name = ctrl" in churned(r.stdout)[0]
    rows = json.loads(tftui("logs", "--object-type", "vrouter", "--object-id", "compute1", "--json", "--config",
                            cfg).stdout)
    assert rows and {r["source"] for r in rows} == {"compute1"}


def test_flowlog_says_when_export_is_off_and_shows_records_when_on(start_lab):
    off = start_lab("degraded", vrouters=2)
    r = tftui("flowlog", "--config", str(off.config_path))
    assert r.returncode == 0 and "flow export is off" in r.stdout and "tftui flows" in r.stdout
    on = start_lab("degraded", vrouters=2, extra=("--flow-export-rate", "100"))
    doc = json.loads(tftui("flowlog", "--config", str(on.config_path), "--json").stdout)
    assert doc["export_rate"] == 100 and not doc["export_off"] and doc["flows"]
    drop = next(f for f in doc["flows"] if f["action"] == "drop")
    r = tftui("flowlog", "--config", str(on.config_path), "--src", drop["source_ip"])
    assert "drop (Policy)" in r.stdout
    r = tftui("stats", "StatTable.VrouterStatsAgent.flow_rate", "--select", "flow_rate.active_flows",
              "--config", str(on.config_path))
    assert r.returncode == 0 and r.stdout.startswith("compute1")

    # the same history as each end's agent files it: SessionRecordTable, asked as contrail-sessions asks
    doc = json.loads(tftui("flowlog", "--config", str(on.config_path), "--sessions", "--json").stdout)
    assert doc["table"] == "SessionRecordTable" and doc["flows"]
    assert {f["direction"] for f in doc["flows"]} == {"client session"}
    dropped = next(f for f in doc["flows"] if f["action"] == "drop")
    assert dropped["drop_reason"]
    mine = json.loads(tftui("flowlog", "--config", str(on.config_path), "--sessions", "--src", dropped["source_ip"],
                            "--json").stdout)["flows"]
    assert mine and {f["source_ip"] for f in mine} == {dropped["source_ip"]}
    servers = json.loads(tftui("flowlog", "--config", str(on.config_path), "--sessions", "--session-type", "server",
                               "--json").stdout)["flows"]
    # a server session is filed by the destination's agent, for what reached it: passed flows only
    assert servers and {f["direction"] for f in servers} == {"server session"}
    assert {f["action"] for f in servers} == {"pass"}
    client_ends = {(f["source_ip"], f["dest_ip"], f["dport"]) for f in doc["flows"]}
    assert {(f["source_ip"], f["dest_ip"], f["dport"]) for f in servers} <= client_ends
