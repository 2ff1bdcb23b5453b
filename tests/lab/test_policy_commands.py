"""``tftui policy export/apply`` and ``tftui networks`` against the lab config API over sockets."""

from __future__ import annotations

import asyncio
import json

import yaml
from helpers.policy_lab import SEED, lab_api

from tftui.cli import main


def _config(tmp_path, api) -> str:
    path = tmp_path / "tftui.yaml"
    path.write_text(yaml.safe_dump({"clusters": {"lab": {
        "config_api": api.url, "nodes": [{"name": "ctrl1", "address": "127.93.0.10", "roles": ["config"]}]}}}))
    return str(path)


async def _cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_apply_dry_run_apply_export_roundtrip(tmp_path, capsys):
    async with lab_api() as api:
        cfg = _config(tmp_path, api)
        seed = tmp_path / "seed.yaml"
        seed.write_text(SEED)
        assert await _cli("policy", "apply", str(seed), "--dry-run", "--config", cfg) == 0
        out = capsys.readouterr().out
        assert "CREATE firewall-rule default-policy-management:deny-icmp" in out and "6 change(s) (dry run" in out
        assert not api.store.uuid_of("tag", ["label=cirros1"])
        assert await _cli("--config", cfg, "policy", "apply", str(seed)) == 0
        assert api.store.uuid_of("firewall-policy", ["default-policy-management", "cirros"])
        capsys.readouterr()
        assert await _cli("policy", "apply", str(seed), "--dry-run", "--config", cfg) == 0
        assert "0 change(s)" in capsys.readouterr().out
        assert await _cli("policy", "export", "--config", cfg) == 0
        exported = yaml.safe_load(capsys.readouterr().out)
        policy = next(p for p in exported["firewall_policies"] if p["name"].endswith(":cirros"))
        assert policy["rules"] == ["default-policy-management:deny-icmp", "default-policy-management:allow-rest"]
        assert "uuid" not in json.dumps(exported)
        assert await _cli("policy", "export", "--json", "--config", cfg) == 0
        assert json.loads(capsys.readouterr().out) == exported
        assert await _cli("--readonly", "policy", "apply", str(seed), "--config", cfg) == 2


async def test_networks_and_errors(tmp_path, capsys):
    async with lab_api() as api:
        cfg = _config(tmp_path, api)
        assert await _cli("networks", "--json", "--config", cfg) == 0
        nets = {n["name"]: n for n in json.loads(capsys.readouterr().out)}
        assert nets["default-domain:k8s-default:k8s-default-pod-network"]["ip_fabric_forwarding"] is True
        assert nets["default-domain:admin:tenant-net"]["fabric_snat"] is True
        assert await _cli("networks", "--config", cfg) == 0
        assert "IP-FABRIC-FWD" in capsys.readouterr().out
        bad = tmp_path / "bad.yaml"
        bad.write_text("firewall_rules: [{name: 'default-policy-management:r', match_tags: [label]}]")
        assert await _cli("policy", "apply", str(bad), "--config", cfg) == 1
        assert "match tags cannot contain label" in capsys.readouterr().err
    assert await _cli("networks", "--config", cfg) == 1  # lab gone: refused connection, clear message
    assert "ConnectError" in capsys.readouterr().err
