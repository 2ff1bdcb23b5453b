"""`tftui status` against the lab's seed scenarios prints the seed's contrail-status blocks, status by status."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT


def seed_blocks(text: str) -> dict[str, dict[str, str]]:
    blocks: dict[str, dict[str, str]] = {}
    pod = None
    for line in text.splitlines():
        m = re.match(r"^== Contrail (\S+) ==$", line)
        if m:
            pod = blocks.setdefault(m.group(1), {})
        elif pod is not None and ": " in line:
            name, status = line.split(": ", 1)
            pod[name] = status
        elif not line.strip():
            pod = None
    return blocks


def status_by_node(text: str) -> dict[str, str]:
    out, current = {}, None
    for line in text.splitlines(keepends=True):
        if line.startswith("# "):
            current = line[2:].split(" (", 1)[0]
            out[current] = ""
        elif current:
            out[current] += line
    return out


def run_status(config, *extra):
    return subprocess.run([sys.executable, "-m", "tftui", "status", "--config", str(config), *extra],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("scenario,node,seed", [
    ("seed-analytics-less", "bms1", "contrail-status_analytics-less_controller.txt"),
    ("seed-analytics-less", "bms2", "contrail-status_analytics-less_vrouter.txt"),
    ("seed-full", "ctrl1", "contrail-status_full_controller.txt"),
])
def test_status_text_and_json_reproduce_the_seed(start_lab, shared_data, scenario, node, seed):
    lab = start_lab(scenario)
    expected = seed_blocks((shared_data / "seed" / seed).read_text())
    text = run_status(lab.config_path)
    assert text.returncode == 1, text.stderr  # the seed clusters have initializing services
    got = seed_blocks(status_by_node(text.stdout)[node])
    assert got == expected
    js = run_status(lab.config_path, "--json", "--node", node)
    doc = json.loads(js.stdout)
    [entry] = doc["nodes"]
    assert {pod: {svc: v["status"] for svc, v in services.items()} for pod, services in entry["pods"].items()} == expected
    assert entry["reachable"] is True


def test_text_format_is_contrail_status_blocks(start_lab):
    lab = start_lab("seed-analytics-less")
    out = run_status(lab.config_path, "--node", "bms2").stdout
    assert out.splitlines()[0].startswith("# bms2 (127.")
    assert "\n== Contrail vrouter ==\nnodemgr: initializing (Collector connection down)\n" \
           "agent: active (Collector connection down)\n\n" in out


# What contrail-status prints on a 2011 controller with every analytics role, blocks in tftui's pod order: the pods
# and services of tf-container-builder's contrail-status.py since the R5.1 split, the nodemgr descriptions the
# issue quotes (R2011's "Disk for DB is too low. " keeps its trailing space). Not a capture: the lab's 2011 release.
FULL_R2011_CONTROLLER = """\
== Contrail control ==
control: active
nodemgr: initializing (NTP state unsynchronized.)
named: active
dns: active

== Contrail config ==
api: active
schema: active
svc-monitor: active
device-manager: active
nodemgr: active

== Contrail config-database ==
nodemgr: initializing (Disk for DB is too low. )
cassandra: active
zookeeper: active
rabbitmq: active

== Contrail database ==
nodemgr: initializing (Disk for DB is too low. )
cassandra: active
query-engine: active

== Contrail analytics ==
nodemgr: initializing (NTP state unsynchronized.)
api: active
collector: active

== Contrail analytics-alarm ==
nodemgr: active
alarm-gen: active
kafka: active

== Contrail analytics-snmp ==
nodemgr: active
snmp-collector: active
topology: active

== Contrail webui ==
web: active
job: active

== Contrail kubernetes ==
kube-manager: active

"""


def test_r2011_layout_text_and_json(start_lab):
    lab = start_lab("full-r2011")
    text = run_status(lab.config_path, "--node", "ctrl1")
    assert text.returncode == 1, text.stderr
    assert status_by_node(text.stdout)["ctrl1"] == FULL_R2011_CONTROLLER
    [entry] = json.loads(run_status(lab.config_path, "--json", "--node", "ctrl1").stdout)["nodes"]
    assert {pod: {svc: v["status"] for svc, v in services.items()} for pod, services in entry["pods"].items()} == \
        seed_blocks(FULL_R2011_CONTROLLER)
    assert entry["layout"]["config_database_pod"] and entry["layout"]["analytics_pods"]
    assert entry["layout"]["evidence"] == ["config-database-nodemgr answered", "analytics-alarm-nodemgr answered"]


@pytest.mark.parametrize("scenario, release, config_nodemgr, database_block", [
    ("seed-analytics-less", "2011", "initializing (Collector connection down)", True),
    ("full-r2011", "5.0", "active", False),  # on 5.0 no config-database nodemgr exists to be low on disk
])
def test_the_same_cluster_in_the_other_release(start_lab, scenario, release, config_nodemgr, database_block):
    """The layout follows what answers, whatever the scenario: a 2011 seed cluster gets its config-database block,
    a 5.0 cluster folds the config database into config and keeps the config nodemgr's own line."""
    lab = start_lab(scenario, extra=("--release", release))
    [entry] = json.loads(run_status(lab.config_path, "--json", "--node", "bms1" if scenario.startswith("seed")
                                    else "ctrl1").stdout)["nodes"]
    assert ("config-database" in entry["pods"]) is database_block
    nodemgr = entry["pods"]["config-database" if database_block else "config"]["nodemgr"]["status"]
    assert nodemgr == config_nodemgr
    assert "analytics-alarm" not in entry["pods"] or release == "2011"
