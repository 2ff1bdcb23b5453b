"""The config file's schema (core/config_schema.py) and the typed specs parse_cluster builds from a cluster."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT, SHARED

from tftui.core.config_schema import CLUSTER_KEYS, check_cluster, check_document
from tftui.core.config_values import ConfigError
from tftui.core.inventory import parse_cluster
from tftui.core.launcher import SshSettings


def _doc_block(text: str, heading: str) -> dict:
    """The first ```yaml block after ``heading``."""
    after = text[text.index(heading):]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", after, re.S).group(1))


def readme_config() -> dict:
    return _doc_block((ROOT / "README.md").read_text(), "## Config")


def test_the_readme_and_design_examples_have_no_issue():
    assert check_document(readme_config()) == []
    design = SHARED / "design.md"
    if design.exists():
        assert check_document(_doc_block(design.read_text(), "## Config file")) == []


def test_every_cluster_key_is_in_the_readme_example():
    example = next(iter(readme_config()["clusters"].values()))
    assert sorted(set(CLUSTER_KEYS) - set(example)) == []


@pytest.mark.parametrize("cluster, path, hint", [
    ({"pol_interval": 5}, "clusters.lab", "'poll_interval'"),
    ({"timout": 3}, "clusters.lab", "'timeout'"),
    ({"nodes": [{"name": "a", "adress": "10.0.0.1"}]}, "clusters.lab.nodes[0]", "'address'"),
    ({"ssh": {"compute": {"identiy_file": "/k"}}}, "clusters.lab.ssh.compute", "'identity_file'"),
    ({"routers": [{"hots": "10.0.0.1"}]}, "clusters.lab.routers[0]", "'host'"),
    ({"introspect": {"ports": {"vrouter-agnet": 18085}}}, "clusters.lab.introspect.ports", "'vrouter-agent'"),
    ({"gatewayless": {"network": ["pods"]}}, "clusters.lab.gatewayless", "'networks'"),
    ({"auth": {"colour": "blue"}}, "clusters.lab.auth", None),
])
def test_unknown_keys_warn_with_the_closest_known_one(cluster, path, hint):
    [issue] = check_document({"clusters": {"lab": cluster}})
    assert not issue.error and issue.path == path
    assert ("did you mean " + hint) in issue.message if hint else "did you mean" not in issue.message
    assert "ignored" in issue.message


@pytest.mark.parametrize("cluster, path, expected", [
    ({"timeout": "three"}, "clusters.lab.timeout", "a number"),
    ({"poll_interval": True}, "clusters.lab.poll_interval", "a number"),
    ({"nodes": {"a": {}}}, "clusters.lab.nodes", "a list"),
    ({"nodes": [{"address": "10.0.0.1", "roles": 5}]}, "clusters.lab.nodes[0].roles", "a list or a string"),
    ({"introspect": {"verify": "no"}}, "clusters.lab.introspect.verify", "true or false"),
    ({"introspect": {"scheme": "ftp"}}, "clusters.lab.introspect.scheme", "one of http, https"),
    ({"status_source": "uve"}, "clusters.lab.status_source", "one of auto, introspect, analytics"),
    ({"routers": [{"host": "r", "port": [22]}]}, "clusters.lab.routers[0].port", "a port number"),
    ({"ssh": {"compute": {"jump": 7}}}, "clusters.lab.ssh.compute.jump", "a string or a mapping"),
    ({"gatewayless": {"networks": {"a": 1}}}, "clusters.lab.gatewayless.networks", "a list or a string"),
    ({"concurrency": 2.5}, "clusters.lab.concurrency", "a whole number"),
])
def test_wrong_types_are_errors_with_the_path(cluster, path, expected):
    [issue] = check_document({"clusters": {"lab": cluster}})
    assert issue.error and issue.path == path and f"expected {expected}" in issue.message
    with pytest.raises(ConfigError, match=re.escape(path)):
        parse_cluster("lab", cluster, "f.yaml")


def test_values_are_never_quoted_in_type_errors():
    secret = "s3cr3t-t0ken"
    issues = check_cluster({"auth": secret, "proxy": [secret], "ssh": {"vm": secret}}, "clusters.lab")
    assert len(issues) == 3 and all(i.error for i in issues)
    assert all(secret not in str(i) for i in issues)


def test_top_level_and_null_values():
    assert check_document({"default_cluster": "lab", "keys": {"app.events": "E"},
                           "clusters": {"lab": {"proxy": None, "ssh": {"compute": None}, "nodes": None}}}) == []
    [issue] = check_document({"default_clustr": "lab", "clusters": {}})
    assert issue.path == "" and "'default_cluster'" in issue.message
    [issue] = check_document({"keys": {"app.events": ["E"]}})
    assert issue.error and issue.path == "keys.app.events"


def test_quoted_numbers_and_numeric_names_are_accepted():
    assert check_cluster({"timeout": "3", "nodes": [{"name": 1001, "address": "10.0.0.1",
                                                     "ports": {"control": "18083"}}]}, "c") == []
    spec = parse_cluster("c", {"timeout": "3", "nodes": [{"name": 1001, "address": "10.0.0.1"}]}, "f")
    assert spec.timeout == 3.0 and spec.nodes[0].name == "1001"


def test_typed_specs_reach_the_cluster_spec():
    spec = parse_cluster("lab", {
        "nodes": [{"name": "cmp1", "address": "10.0.0.21", "roles": ["vrouter"]}],
        "routers": [{"name": "vyos", "host": "10.0.0.1", "jump": {"host": "10.0.0.2", "identity_file": "/k/j"}}],
        "ssh": {"compute": {"username": "admin", "port": 2022, "identity_file": "/k/c", "known_hosts": "/k/kh",
                            "jump": "ops@bastion:2200"}, "vm": {"users_by_vn": {"pods": "cirros"}}},
        "gatewayless": {"networks": ["k8s-default-pod-network"], "hosts_file": "/h.yaml"},
        "auth": {"type": "none"}, "status_source": "Introspect", "discover": False,
    }, "f.yaml")
    [router] = spec.routers
    assert router.name == "vyos" and router.jump.identity_file == "/k/j"
    assert spec.ssh.compute.username == "admin" and spec.ssh.compute.port == 2022 and spec.ssh.compute_configured
    assert spec.ssh.jump.spec() == "ops@bastion:2200" and spec.ssh.users_by_vn == {"pods": "cirros"}
    assert spec.ssh.jump_hop.identity_file == "/k/c" and spec.ssh.jump_hop.username == "ops"  # the computes' key
    assert spec.gatewayless.networks == ("k8s-default-pod-network",) and spec.gatewayless.hosts_file == "/h.yaml"
    assert spec.status_source == "introspect" and spec.discover is False and not spec.wants_discovery
    assert [n.name for n in spec.vrouters] == ["cmp1"]
    empty = parse_cluster("x", {"nodes": [{"address": "10.0.0.1"}]}, "f")
    assert empty.routers == () and empty.ssh == SshSettings() and empty.gatewayless.networks is None
    assert not empty.ssh.compute_configured


@pytest.mark.parametrize("cluster, msg", [
    ({"routers": [{"host": "r", "password": "x"}]}, r"clusters.lab.routers\[0\].password: passwords are never read"),
    ({"routers": [{"name": "a", "host": "r"}, {"name": "a", "host": "s"}]}, "clusters.lab.routers: duplicate"),
    ({"ssh": {"compute": {"port": 70000}}}, "clusters.lab.ssh.compute.port: 70000 is out of range"),
    ({"gatewayless": {"hosts_file": "-x"}}, "clusters.lab.gatewayless.hosts_file: .*not a usable file name"),
])
def test_bad_values_in_typed_sections_name_the_key(cluster, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_cluster("lab", cluster, "f.yaml")
