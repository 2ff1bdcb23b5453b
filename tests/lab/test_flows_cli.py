"""``tftui flows`` and ``tftui why`` against lab agents over sockets: text, JSON, exit codes, usage errors, the
demo's blocked pair, kernel flows, rules from the agent's ACLs when there is no config API."""

from __future__ import annotations

import json

import yaml
from helpers.flows_lab import flows_lab, run_cli


def _config(tmp_path, topo, api) -> str:
    cluster = {"timeout": 2, "nodes": [{"name": n.name, "address": n.address, "roles": list(n.roles)}
                                       for n in topo.nodes]}
    if api is not None:
        cluster["config_api"] = api.url
    path = tmp_path / "lab.yaml"
    path.write_text(yaml.safe_dump({"clusters": {"lab": cluster}}))
    return str(path)


async def test_flows_json_text_and_the_demos_blocked_pair(tmp_path, capsys):
    async with flows_lab(15, scenario="demo", vrouters=4) as (topo, intro, api, traffic):
        from tftui.lab.configapi.seed import seed_demo

        seed_demo(api.store, topo)  # what `tftui lab --scenario demo` seeds
        cfg = _config(tmp_path, topo, api)
        rc, out, _ = await run_cli(capsys, "flows", "--vrouter", "compute1", "--json", "--config", cfg)
        doc = json.loads(out)
        assert rc == 0 and doc["vrouter"] == "compute1" and doc["complete"] and doc["rules_from"] == "config-api"
        flows = doc["flows"]
        assert set(flows[0]) >= {"uuid", "sip", "dip", "src_port", "dst_port", "protocol", "action", "drop_reason",
                                 "short_flow", "direction", "source_vn", "dest_vn", "rule"}
        drops = [f for f in flows if f["action"] == "drop"]
        assert flows[:len(drops)] == drops  # drops first
        blocked = [f for f in drops if f["dst_port"] == 5432 and not f["reverse_flow"]]
        assert blocked and blocked[0]["rule"] == {
            "kind": "firewall", "uuid": blocked[0]["rule"]["uuid"], "policy": "default-policy-management:payments-guard",
            "name": "default-policy-management:web-to-db-5432", "text": "tier=web → tier=db, tcp:5432, deny"}
        assert any(f["short_flow"] == "Short flow No Destination route" for f in drops)
        implicit = [f for f in drops if f["rule"]["kind"] == "implicit"]  # the quarantined pod's (pod-0012)
        assert implicit and all(f["rule"]["uuid"] == "00000000-0000-0000-0000-000000000002" for f in implicit)
        assert {f["drop_reason"] for f in implicit} <= {"Flow drop OUT Firewall Policy", "Flow drop Firewall Policy",
                                                        "UNKNOWN"} and "10.47.255.244" in {f["dip"] for f in implicit}
        rc, out, _ = await run_cli(capsys, "flows", "--vrouter", "compute1", "--drops", "--config", cfg)
        assert rc == 0 and out.startswith("# compute1 (") and "payments-guard" in out
        assert all(line.startswith("DROP") for line in out.splitlines()[2:])
        rc, out, _ = await run_cli(capsys, "why", "pod-0009", "pod-0010", "--proto", "tcp", "--port", "5432",
                                "--config", cfg)
        assert rc == 1 and "web-to-db-5432" not in out and "tier=web → tier=db, tcp:5432, deny" in out
        rc, out, _ = await run_cli(capsys, "flows", "--vrouter", "compute1", "--kernel", "--drops", "--json",
                                "--config", cfg)
        kernel = json.loads(out)["kernel_flows"]
        assert rc == 0 and kernel and {k["drop_reason"] for k in kernel} <= {"FwPolicy", "OutFwPolicy", "Unknown"}
        assert any(k["drop_text"] == "firewall policy" for k in kernel)


async def test_usage_errors_and_unreadable_agents(tmp_path, capsys):
    async with flows_lab(16, scenario="demo", vrouters=4) as (topo, intro, api, traffic):
        cfg = _config(tmp_path, topo, api)
        rc, _, err = await run_cli(capsys, "flows", "--vrouter", "nope", "--config", cfg)
        assert rc == 2 and "tftui: error: 'nope' is not a vrouter" in err
        rc, _, err = await run_cli(capsys, "flows", "--vrouter", "compute1", "--vmi", "ghost", "--config", cfg)
        assert rc == 2 and "no interface 'ghost'" in err
        rc, _, err = await run_cli(capsys, "flows", "--vrouter", "compute2", "--config", cfg)  # dead in the demo
        assert rc == 1 and "connection refused" in err
        rc, _, err = await run_cli(capsys, "why", "cirros1", "cirros2", "--proto", "gre-ish", "--config", cfg)
        assert rc == 2 and "--proto" in err
        rc, _, err = await run_cli(capsys, "why", "nobody", "cirros2", "--config", cfg)
        assert rc == 2 and "neither an IP nor a VM/pod" in err
        rc, out, err = await run_cli(capsys, "why", "pod-0122", "cirros1", "--config", cfg)  # pod-0122 is on compute2
        assert rc == 2 and "vrouters not read: compute2, compute3" in err


async def test_rules_from_the_agents_acls_without_a_config_api(tmp_path, capsys):
    async with flows_lab(17, scenario="demo", vrouters=4) as (topo, intro, api, traffic):
        from tftui.lab.configapi.seed import seed_demo

        seed_demo(api.store, topo)
        cfg = _config(tmp_path, topo, None)  # tftui is not told where the config API is
        rc, out, _ = await run_cli(capsys, "why", "pod-0009", "pod-0010", "--proto", "tcp", "--port", "5432", "--json",
                                "--config", cfg)
        doc = json.loads(out)
        assert rc == 1 and doc["rules_from"] == "agent"
        assert doc["rule"]["policy"] == "default-policy-management:payments-guard" and doc["rule"]["name"] == "1.0"
        assert doc["rule"]["text"].endswith("tcp:5432, deny") and "tag " in doc["rule"]["text"]  # ids, not names
