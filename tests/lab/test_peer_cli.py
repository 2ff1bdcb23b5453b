"""`tftui peer add|remove` against the lab router and the lab config API over real sockets: the walk on both sides
for each dialect, --wait, --dry-run, --readonly, refusals on either side leaving nothing half-peered, injection."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from helpers.peering_lab import peering_lab

OSES = ("frr", "vyos-1.1", "vyos-1.3", "vyos-1.4")
ALL = ("ctrl1", "ctrl2", "ctrl3")


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("os_name", OSES)
async def test_walk_from_scratch_and_back(tmp_path, capsys, os_name):
    async with peering_lab(tmp_path, os_name, unpeered=ALL) as lab:
        assert lab.neighbors() == [] and lab.gateway_sessions() == {}
        assert await lab.cli("peer", "add", "--yes", "--wait", "30", "--json") == 0
        doc = _json(capsys)
        assert doc["exit"] == 0 and doc["applied"]["ok"] and doc["status"]["done"]
        assert doc["status"]["crosscheck"]["ok"] == doc["status"]["crosscheck"]["expected"] > 0
        # both sides watched: each control node's own BGP neighbor list (introspect) has the router Established
        assert [(p["control_watched"], p["control_state"]) for p in doc["status"]["pairs"]] == [
            (True, "Established")] * 3
        controls = [n.address for n in lab.topo.nodes if "control" in n.roles]
        assert lab.neighbors() == controls
        assert lab.gateway_sessions() == {"vyos": set(ALL)}  # named after the router, sessions from all three
        assert all(s.established and s.routes_flow for s in lab.peering.sessions())
        lines = doc["plan"]["router_lines"]
        ctrl3 = lab.address("ctrl3")
        if os_name == "frr":
            assert f"neighbor {ctrl3} remote-as 64512" in [x.strip() for x in lines]
        elif os_name == "vyos-1.4":
            assert f"set protocols bgp neighbor {ctrl3} address-family ipv4-unicast" in lines
        else:
            assert f"set protocols bgp 65311 neighbor {ctrl3} remote-as 64512" in lines
        # nothing left to do: the same command changes nothing and is done at once
        assert await lab.cli("peer", "add", "--yes", "--wait", "10") == 0
        assert "nothing to change" in capsys.readouterr().out
        assert await lab.cli("peer", "remove", "--yes", "--wait", "10", "--json") == 0
        doc = _json(capsys)
        assert doc["status"]["done"] and lab.neighbors() == [] and lab.gateway_sessions() == {}
        assert {p["control_state"] for p in doc["status"]["pairs"]} == {None}  # no control node lists it any more
        assert not any(s.established for s in lab.peering.sessions())


async def test_demo_walk_dry_run_readonly_and_confirmation(tmp_path, capsys):
    async with peering_lab(tmp_path, scenario="demo") as lab:  # the demo leaves ctrl3 unpeered
        before, ctrl3 = lab.neighbors(), lab.address("ctrl3")
        assert await lab.cli("peer", "add", "--dry-run") == 0
        out = capsys.readouterr().out
        assert f"~ bgp-router ctrl3 (control node, {ctrl3}): + session with vyos-gw (families inet)" in out
        assert f"set protocols bgp neighbor {ctrl3} remote-as 64512" in out
        assert "Already in place on both sides: ctrl1, ctrl2" in out and "(dry run: nothing sent)" in out
        assert await lab.cli("--readonly", "peer", "add", "--yes") == 2
        assert "--readonly: nothing applied" in capsys.readouterr().err
        assert await lab.cli("peer", "add") == 2  # no terminal to confirm on, no --yes
        assert "pass --yes" in capsys.readouterr().err
        assert lab.api.server.writes == 0 and lab.neighbors() == before
        assert await lab.cli("peer", "add", "--yes", "--control", "ctrl3") == 0
        assert lab.neighbors() == [*before, lab.address("ctrl3")]
        assert lab.gateway_sessions() == {"vyos-gw": set(ALL)}


async def test_router_refusal_leaves_both_sides_as_they_were(tmp_path, capsys):
    async with peering_lab(tmp_path, "frr", scenario="demo", fault="nosave") as lab:
        before, sessions = lab.neighbors(), lab.gateway_sessions()
        assert await lab.cli("peer", "add", "--yes") == 1
        err = capsys.readouterr().err
        assert "tftui: error: router vyos" in err and "Permission denied" in err and "as it was before" in err
        assert lab.neighbors() == before and lab.gateway_sessions() == sessions and lab.api.server.writes == 0


async def test_tf_refusal_undoes_the_router_side(tmp_path, capsys):
    async with peering_lab(tmp_path, "vyos-1.3", scenario="demo", api_fault="409") as lab:
        before, text = lab.neighbors(), lab.router.vyos.text()
        assert await lab.cli("peer", "add", "--yes") == 1
        err = capsys.readouterr().err
        assert "TF refused: 409" in err and "undone on both sides" in err
        assert lab.neighbors() == before and lab.router.vyos.text() == text


async def test_frr_ebgp_policy_choice_and_causes(tmp_path, capsys):
    async with peering_lab(tmp_path, "frr", unpeered=ALL) as lab:
        cfg = lab.peering.router_config.copy()
        cfg.no_ebgp_requires_policy = False  # FRR's own default since 7.4
        lab.peering.set_router_config(cfg)
        assert await lab.cli("peer", "add", "--yes") == 2
        assert "--ebgp-policy" in capsys.readouterr().err and lab.neighbors() == []
        # keep: Established, but the routes are refused -- and --wait says why
        assert await lab.cli("peer", "add", "--yes", "--control", "ctrl1", "--ebgp-policy", "keep", "--wait", "3",
                             "--json") == 1
        doc = _json(capsys)
        assert doc["status"]["pairs"][0]["policy_blocked"] and not doc["status"]["done"]
        assert {c["key"]: c["verdict"] for c in doc["causes"]}["ebgp-policy"] == "problem"
        assert doc["causes"][-1]["key"] == "aws-source-dest-check"
        # a permit-all import route-map for the control nodes: the routes arrive
        assert await lab.cli("peer", "add", "--yes", "--ebgp-policy", "route-map", "--wait", "30") == 0
        out = capsys.readouterr().out
        assert "route-map TFTUI-FROM-TF permit 10" in out and "done after" in out
        assert all(n.route_map_in == "TFTUI-FROM-TF" for n in lab.peering.router_config.neighbors.values()
                   if n.address != lab.address("ctrl1"))


@pytest.mark.parametrize("option", [("--router-asn", "65311;id"), ("--hold-time", "$(id)"),
                                    ("--router-address", "127.208.0.1'"), ("--control", "ctrl3; rm -rf /"),
                                    ("--router-address=-oProxyCommand=x",), ("--hold-time", "2")])
async def test_injection_refused_in_every_option(tmp_path, capsys, option):
    async with peering_lab(tmp_path, scenario="demo") as lab:
        before = lab.neighbors()
        assert await lab.cli("peer", "add", "--yes", *option) == 2
        assert capsys.readouterr().err.startswith("tftui: error:")
        assert lab.neighbors() == before and lab.api.server.writes == 0


def test_lab_process_wiring(start_lab, tmp_path):
    """The whole `tftui lab` process: its router, config API and peering model wired together."""
    lab = start_lab("degraded", vrouters=2, extra=("--unpeered", "ctrl1,ctrl2,ctrl3", "--peer-delay", "0.3"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tftui", *argv, "--config", str(lab.config_path)],
                              capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)

    res = run("routes", "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["neighbors"] == []
    res = run("peer", "add", "--yes", "--wait", "60")
    assert res.returncode == 0, res.stdout + res.stderr
    neighbors = json.loads(run("routes", "--json").stdout)["neighbors"]
    assert len(neighbors) == 3 and all(n["established"] for n in neighbors)
    res = run("check", "gatewayless", "--json")  # the pods' /32s from the agents, all there via their vrouter
    assert res.returncode == 0 and json.loads(res.stdout)["findings"] == []
