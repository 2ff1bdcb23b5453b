"""Config and instances.yaml parsing, port overrides, proxies."""

from __future__ import annotations

import pytest
import yaml

from tftui.core.inventory import ConfigError, parse_cluster, parse_instances
from tftui.core.proxy import proxy_for


def test_seed_instances(shared_data):
    nodes = parse_instances(yaml.safe_load((shared_data / "seed/instances_analytics-less.yaml").read_text()))
    assert [(n.name, n.address) for n in nodes] == [("bms1", "172.31.15.99"), ("bms2", "172.31.1.148")]
    assert nodes[0].roles == ("config_database", "config", "control", "webui", "k8s_master", "kubemanager")
    keys = {s.key for s in nodes[0].services()}
    assert {"config-api", "schema", "control", "named", "webui-web", "kube-manager", "config-cassandra"} <= keys
    assert {s.key for s in nodes[1].services()} == {"vrouter-agent", "vrouter-nodemgr"}


def test_config_names_and_ports_override_inventory(shared_data):
    inv = parse_instances(yaml.safe_load((shared_data / "seed/instances_analytics-less.yaml").read_text()))
    spec = parse_cluster("seed", {
        "introspect": {"ports": {"vrouter-agent": 18085}},
        "nodes": [{"name": "controller", "address": "172.31.15.99", "roles": ["config"], "ports": {"control": 18083}}],
    }, "test.yaml", inv)
    assert [n.name for n in spec.nodes] == ["controller", "bms2"]
    ports = {s.key: s.port for s in spec.nodes[0].services()}
    assert ports["control"] == 18083 and ports["config-api"] == 8084
    assert {s.key: s.port for s in spec.nodes[1].services()}["vrouter-agent"] == 18085


@pytest.mark.parametrize("doc,msg", [
    ({"nodes": [{"name": "x"}]}, "no address"),
    ({"nodes": [{"name": "x", "address": "1.2.3.4", "roles": ["controll"]}]}, "unknown role"),
    ({"nodes": [{"address": "1.2.3.4", "ports": {"control": 70000}}]}, "out of range"),
    ({"poll_interval": 0.1, "nodes": []}, "below the minimum"),
    ({"nodes": [{"address": "; rm -rf /"}]}, "not an IP address or host name"),
    ({"nodes": [{"name": "a", "address": "1.1.1.1"}, {"name": "a", "address": "1.1.1.2"}]}, "duplicate"),
])
def test_bad_config_is_refused_with_the_key(doc, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_cluster("c", doc, "f.yaml")


def test_instances_without_instances_key():
    with pytest.raises(ConfigError, match="instances"):
        parse_instances({"provider_config": {}})


def test_proxy_only_when_configured_and_no_proxy_honoured():
    assert proxy_for("10.0.0.1", None, ()) is None
    assert proxy_for("10.0.0.1", "http://proxy:3128", ()) == "http://proxy:3128"
    assert proxy_for("10.0.0.1", "http://proxy:3128", ("10.0.0.0/8",)) is None
    assert proxy_for("ctrl.example.net", "http://p:1", (".example.net",)) is None
    assert proxy_for("ctrl.example.net", "http://p:1", ("example.org,*.example.net",)) is None
    assert proxy_for("ctrl.example.org", "http://p:1", ("example.net",)) == "http://p:1"
    assert proxy_for("10.0.0.1", "http://p:1", ("*",)) is None
