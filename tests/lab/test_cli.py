"""Headless commands as a user runs them: exit codes, bad config, no Textual on the headless path, proxies."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml
from aiohttp import web
from conftest import ROOT


def tftui(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "tftui", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**os.environ, **(env or {})})


def test_status_on_degraded_lab_exits_1_and_names_the_problems(start_lab):
    lab = start_lab("degraded", vrouters=3)
    r = tftui("status", "--config", str(lab.config_path))
    assert r.returncode == 1
    assert "# compute2 (" in r.stdout
    import yaml

    # compute1's session to its second control node is down: contrail-status's rule keeps it active, with why
    nodes = {n["name"]: n["address"] for n in yaml.safe_load(lab.config_path.read_text())["clusters"]["lab"]["nodes"]}
    ctrl2 = nodes["ctrl2"]
    assert f"agent: active (XMPP:control-node:{ctrl2} connection down)" in r.stdout
    assert "schema: backup" in r.stdout


def test_status_exit_0_when_everything_is_active_or_backup(start_lab):
    lab = start_lab("degraded", vrouters=6)
    r = tftui("status", "--config", str(lab.config_path), "--node", "ctrl2", "--node", "compute5")
    assert r.returncode == 0, r.stdout
    assert "schema: backup" in r.stdout


def test_bad_usage_and_config_exit_2(tmp_path):
    assert tftui("status", "--config", str(tmp_path / "missing.yaml")).returncode == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("clusters: {c: {nodes: [{name: a}]}}\n")
    r = tftui("status", "--config", str(bad))
    assert r.returncode == 2 and "no address" in r.stderr
    assert tftui("status", "--bogus").returncode == 2
    r = tftui("status", env={"TFTUI_CONFIG": "", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert r.returncode == 2 and "no config" in r.stderr


def test_inventory_file_alone(start_lab, shared_data, tmp_path):
    """The seed's instances.yaml as is, its IPs moved to the lab's loopback addresses (172.31.x exist only in netns)."""
    import yaml

    lab = start_lab("seed-analytics-less")
    addresses = {n["name"]: n["address"] for n in yaml.safe_load(lab.config_path.read_text())["clusters"]["lab"]["nodes"]}
    text = (shared_data / "seed/instances_analytics-less.yaml").read_text()
    text = text.replace("172.31.15.99", addresses["bms1"]).replace("172.31.1.148", addresses["bms2"])
    inv = tmp_path / "instances.yaml"
    inv.write_text(text)
    r = tftui("status", "--inventory", str(inv), "--json", env={"TFTUI_CONFIG": "", "HOME": str(tmp_path)})
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert [n["name"] for n in doc["nodes"]] == ["bms1", "bms2"]
    assert doc["nodes"][0]["roles"] == ["config_database", "config", "control", "webui", "k8s_master", "kubemanager"]
    assert doc["nodes"][1]["pods"]["vrouter"]["agent"]["status"] == "active (Collector connection down)"
    # no probe port is configured for the job server without the lab's config: no evidence, so unknown
    assert doc["nodes"][0]["pods"]["webui"]["job"]["status"] == "unknown"


def test_headless_path_does_not_import_textual(start_lab):
    lab = start_lab("seed-analytics-less")
    code = (f"import sys; from tftui.cli import main; rc = main(['status', '--config', {str(lab.config_path)!r}]); "
            "bad = [m for m in ('textual', 'tftui.ui', 'tftui.lab.topology', 'tftui.lab.runner', 'aiohttp.web') if m in sys.modules]; "
            "print('IMPORTED', bad); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "IMPORTED []" in r.stdout


def test_info_prints_paths_and_sources(start_lab, tmp_path):
    lab = start_lab("seed-analytics-less")
    r = tftui("info", "--config", str(lab.config_path), env={"TFTUI_STATE_DIR": str(tmp_path)})
    assert r.returncode == 0
    assert f"config file: {lab.config_path} (from --config)" in r.stdout
    assert f"state dir: {tmp_path}" in r.stdout
    assert "poll_interval: 2.0" in r.stdout and "clusters.lab.poll_interval" in r.stdout
    assert "themes" in r.stdout
    assert "routers: vyos (" in r.stdout
    assert "config warnings: none" in r.stdout  # the lab writes every key the way the schema has it


def test_config_via_env_var(start_lab):
    lab = start_lab("seed-analytics-less")
    r = tftui("status", "--node", "bms2", env={"TFTUI_CONFIG": str(lab.config_path)})
    assert "agent: active (Collector connection down)" in r.stdout


def test_environment_proxy_is_ignored(start_lab):
    lab = start_lab("seed-analytics-less")
    env = {"http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "all_proxy": "http://127.0.0.1:9"}
    r = tftui("status", "--config", str(lab.config_path), "--node", "bms2", env=env)
    assert "agent: active (Collector connection down)" in r.stdout


async def test_cluster_proxy_is_used_and_no_proxy_honoured(start_lab, tmp_path):
    """A recording forward proxy on loopback: requests for proxied nodes pass through it, no_proxy ones do not."""
    import aiohttp
    import yaml

    from tftui.services.config import load_config
    from tftui.services.poller import Poller

    lab = start_lab("seed-analytics-less")
    seen: list[str] = []

    async def forward(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        async with aiohttp.ClientSession() as s, s.get(str(request.url)) as upstream:
            return web.Response(body=await upstream.read(), status=upstream.status)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    doc = yaml.safe_load(lab.config_path.read_text())
    cluster = doc["clusters"]["lab"]
    bms2 = next(n for n in cluster["nodes"] if n["name"] == "bms2")
    cluster["proxy"] = f"http://127.0.0.1:{port}"
    cluster["no_proxy"] = [bms2["address"]]
    cfg = tmp_path / "proxied.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    poller = Poller(load_config(str(cfg)).cluster)
    await poller.poll_round()
    await poller.close()
    await runner.cleanup()
    assert seen and all("127." in u for u in seen)
    assert not any(bms2["address"] in u for u in seen)
    assert poller.state.results["bms1"].blocks()["control"]["control"].status.startswith("initializing (Collector")
    assert poller.state.results["bms2"].reachable


def test_lab_scenario_choices_match_the_topology():
    from tftui.lab import args, topology

    assert sorted(args.SCENARIOS) == sorted(topology.SCENARIOS)
    assert sorted(args.ROUTER_OS) == sorted(topology.ROUTER_OS)


def test_config_option_before_or_after_the_subcommand(start_lab):
    lab = start_lab("seed-analytics-less")
    before = tftui("--config", str(lab.config_path), "status", "--node", "bms2")
    after = tftui("status", "--config", str(lab.config_path), "--node", "bms2")
    assert before.returncode == after.returncode == 1
    assert "agent: active (Collector connection down)" in before.stdout


def test_nodes_discovered_through_the_config_api_alone(start_lab, tmp_path):
    """Only `config_api:` in the config: the nodes come from virtual-router, config-node and bgp-router objects."""
    import yaml

    lab = start_lab("seed-analytics-less")
    doc = yaml.safe_load(lab.config_path.read_text())
    cluster = doc["clusters"]["lab"]
    bare = {"clusters": {"lab": {"config_api": cluster["config_api"], "probe_ports": {"webui-job": 3000}}}}
    cfg = tmp_path / "api-only.yaml"
    cfg.write_text(yaml.safe_dump(bare))
    r = tftui("status", "--config", str(cfg), "--json")
    assert r.returncode == 1, r.stderr
    nodes = {n["address"]: n for n in json.loads(r.stdout)["nodes"]}
    lab_nodes = {n["address"]: n for n in cluster["nodes"]}
    assert set(nodes) == set(lab_nodes)
    vrouter = next(n for a, n in nodes.items() if "vrouter" in lab_nodes[a]["roles"])
    assert vrouter["pods"]["vrouter"]["agent"]["status"] == "active (Collector connection down)"
    controller = next(n for a, n in nodes.items() if "control" in lab_nodes[a]["roles"])
    assert controller["pods"]["control"]["control"]["status"] == "initializing (Collector connection down)"


def test_https_introspect_verified_against_the_cluster_ca(start_lab, tmp_path):
    import yaml

    lab = start_lab("seed-analytics-less", extra=("--introspect-tls",))
    ok = tftui("status", "--config", str(lab.config_path), "--node", "bms2")
    assert "agent: active (Collector connection down)" in ok.stdout, ok.stderr
    doc = yaml.safe_load(lab.config_path.read_text())
    doc["clusters"]["lab"]["introspect"].pop("ca")  # the system CAs do not know the lab CA
    untrusted = tmp_path / "untrusted.yaml"
    untrusted.write_text(yaml.safe_dump(doc))
    bad = tftui("status", "--config", str(untrusted), "--node", "bms2", "--json")
    agent = json.loads(bad.stdout)["nodes"][0]["pods"]["vrouter"]["agent"]
    assert agent["status"].startswith("bad reply: TLS certificate rejected"), agent
    doc["clusters"]["lab"]["introspect"]["verify"] = False
    untrusted.write_text(yaml.safe_dump(doc))
    insecure = tftui("status", "--config", str(untrusted), "--node", "bms2")
    assert "agent: active (Collector connection down)" in insecure.stdout
    plain = tmp_path / "plain.yaml"
    doc["clusters"]["lab"]["introspect"] = {"scheme": "http"}
    plain.write_text(yaml.safe_dump(doc))
    wrong_scheme = json.loads(tftui("status", "--config", str(plain), "--node", "bms2", "--json").stdout)
    assert wrong_scheme["nodes"][0]["pods"]["vrouter"]["agent"]["state"] in ("bad reply", "initializing")


def test_unknown_node_lists_the_known_ones(start_lab):
    lab = start_lab("seed-analytics-less")
    r = tftui("status", "--config", str(lab.config_path), "--node", "bms11")
    assert r.returncode == 2
    assert "no node bms11 in cluster lab; known: bms1, bms2 (did you mean bms1?)" in r.stderr


def test_config_typos_warn_and_wrong_types_name_the_key(tmp_path):
    cfg = tmp_path / "typos.yaml"
    cfg.write_text(yaml.safe_dump({"default_cluster": "lab", "clusters": {
        "lab": {"pol_interval": 5, "timout": 3, "nodes": [{"name": "a", "adress": "10.0.0.1", "address": "10.0.0.1"}],
                "ssh": {"compute": {"identiy_file": "~/.ssh/k"}}},
        "other": {"timeout": "soon", "nodes": [{"address": "10.0.0.2"}]}}}))
    r = tftui("info", "--config", str(cfg), env={"TFTUI_STATE_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "config warnings: 5" in r.stdout
    for line in ("clusters.lab: unknown key 'pol_interval' (did you mean 'poll_interval'?)",
                 "clusters.lab: unknown key 'timout' (did you mean 'timeout'?)",
                 "clusters.lab.nodes[0]: unknown key 'adress' (did you mean 'address'?)",
                 "clusters.lab.ssh.compute: unknown key 'identiy_file' (did you mean 'identity_file'?)",
                 "clusters.other.timeout: expected a number, got a string (in a cluster not in use)"):
        assert line in r.stdout, r.stdout
    r = tftui("status", "--config", str(cfg), "--cluster", "other")
    assert r.returncode == 2 and "clusters.other.timeout: expected a number, got a string" in r.stderr
    assert "unknown key 'pol_interval'" in r.stderr  # the other cluster's typos are still worth a word
