"""Pure policy core: models, validation, diff, export/import and the apply plan."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tftui.core.inventory import ClusterSpec, ConfigError, parse_cluster
from tftui.core.policy.diff import is_noop, render_diff
from tftui.core.policy.export import dump_yaml, export_doc, parse_doc, plan
from tftui.core.policy.models import Aps, BgpRouter, Endpoint, Network, Policy, PolicyRef, Rule, Tag
from tftui.core.policy.settings import config_api_settings
from tftui.core.policy.validate import ValidationError, check_bgp_router, check_rule, parse_tag, resequence

PM = ("default-policy-management",)


def test_rule_body_leaves_derived_fields_out_and_round_trips():
    rule = Rule(PM + ("deny-icmp",), "deny", "icmp", endpoint_1=Endpoint("tags", ("label=cirros1",)),
                endpoint_2=Endpoint("subnet", "10.0.0.0/8"), match_tags=("application",))
    body = rule.body()
    assert "protocol_id" not in body["service"] and "tag_refs" not in body
    served = {**body, "uuid": "u1", "tag_refs": [{"to": ["label=cirros1"]}],
              "service": {**body["service"], "protocol_id": 1},
              "endpoint_1": {"tags": ["label=cirros1"], "tag_ids": [5]}}
    assert Rule.from_api(served) == Rule(**{**rule.__dict__, "uuid": "u1"})


@pytest.mark.parametrize("rule, message", [
    (Rule(PM + ("r",), "maybe"), "action"),
    (Rule(PM + ("r",), match_tags=("label",)), "cannot contain label"),
    (Rule(PM + ("r",), endpoint_1=Endpoint("tags", ())), "at least one tag"),
    (Rule(PM + ("r",), endpoint_1=Endpoint("tags", ("tier=a", "tier=b"))), "one tag per type"),
    (Rule(PM + ("r",), endpoint_2=Endpoint("subnet", "10.0.0.300/8")), "not a prefix"),
    (Rule(PM + ("r",), protocol="gre!"), "protocol"),
    (Rule(PM + ("r",), dst_ports=(80, 20)), "port range"),
    (Rule(PM + ("bad name",)), "rule name"),
])
def test_check_rule_refuses(rule, message):
    with pytest.raises(ValidationError, match=message):
        check_rule(rule)


def test_tags_bgp_and_sequences():
    assert parse_tag("label=cirros1") == ("label", "cirros1")
    for bad in ("cirros1", "label=", "=x", "Label=x y"):
        with pytest.raises(ValidationError):
            parse_tag(bad)
    assert resequence(3) == ["1.0", "2.0", "3.0"]
    check_bgp_router(BgpRouter(("vyos",), asn=65311, address="172.31.10.140"))
    with pytest.raises(ValidationError, match="AS number"):
        check_bgp_router(BgpRouter(("vyos",), asn=0, address="172.31.10.140"))
    with pytest.raises(ValidationError, match="not an IP"):
        check_bgp_router(BgpRouter(("vyos",), asn=65311, address="vyos.example"))


def test_network_switches_and_diff():
    net = Network.from_api({"fq_name": ["d", "p", "n"], "uuid": "u", "fabric_snat": True,
                            "virtual_network_refs": [{"to": ["default-domain", "default-project", "ip-fabric"]}]})
    assert net.ip_fabric_forwarding and net.fabric_snat
    assert net.switch_body(ip_fabric_forwarding=False) == {"virtual_network_refs": []}
    old = {"virtual_network_refs": [{"to": ["default-domain", "default-project", "ip-fabric"], "uuid": "x",
                                     "href": "http://h/virtual-network/x"}]}
    diff = render_diff("virtual-network d:p:n", old, {"virtual_network_refs": []})
    assert diff.startswith("UPDATE") and "-" in diff and "href" not in diff and '"uuid"' not in diff
    assert is_noop(old, {"virtual_network_refs": [{"to": ["default-domain", "default-project", "ip-fabric"]}]})
    assert "(no change)" in render_diff("x", {"a": 1}, {"a": 1})
    assert render_diff("tag label=x", None, {"tag_value": "x"}).startswith("CREATE tag label=x\n+ {")


def _sample():
    tags = [Tag(("label=cirros2",), "label", "cirros2"), Tag(("label=cirros1",), "label", "cirros1")]
    deny = Rule(PM + ("deny-icmp",), "deny", "icmp", endpoint_1=Endpoint("tags", ("label=cirros1",)),
                endpoint_2=Endpoint("tags", ("label=cirros2",)), uuid="r1")
    allow = Rule(PM + ("allow",), uuid="r2")
    pol = Policy(PM + ("p",), (PolicyRef(deny.fq_name, "1.0"), PolicyRef(allow.fq_name, "2.0")), "p1")
    aps = Aps(PM + ("k8s",), (PolicyRef(pol.fq_name, "1.0"),), ("application=k8s",), uuid="a1")
    return tags, [allow, deny], [pol], [aps]


def test_export_is_stable_and_has_no_uuids_and_parses_back():
    doc = export_doc(*_sample())
    text = dump_yaml(doc)
    assert "r1" not in text and "uuid" not in text
    tags, rules, policies, apss = _sample()
    assert dump_yaml(export_doc(list(reversed(tags)), list(reversed(rules)), policies, apss)) == text
    desired = parse_doc(yaml.safe_load(text))
    assert [r.fq_name[-1] for r in desired.policies[0].rules] == ["deny-icmp", "allow"]
    assert export_doc(desired.tags, desired.rules, desired.policies, desired.apss) == doc


def test_plan_creates_missing_updates_changed_skips_equal():
    tags, rules, policies, apss = _sample()
    desired = parse_doc(export_doc(tags, rules, policies, apss))
    empty = plan(desired, {})
    assert [(s.op, s.type) for s in empty] == [("create", "tag"), ("create", "tag"), ("create", "firewall-rule"),
                                               ("create", "firewall-rule"), ("create", "firewall-policy"),
                                               ("create", "application-policy-set")]
    current = {
        "tag": {t.fq_name: {} for t in tags},
        "firewall-rule": {r.fq_name: {**r.body(), "uuid": r.uuid} for r in rules},
        "firewall-policy": {policies[0].fq_name: {"fq_name": list(policies[0].fq_name), "firewall_rule_refs": [
            {"to": list(PM + ("allow",)), "attr": {"sequence": "1.0"}, "uuid": "x"},
            {"to": list(PM + ("deny-icmp",)), "attr": {"sequence": "2.0"}, "uuid": "y"}]}},
        "application-policy-set": {apss[0].fq_name: {**apss[0].body(), "uuid": "a1"}},
    }
    steps = plan(desired, current)
    assert [(s.op, s.type) for s in steps] == [("update", "firewall-policy")]
    assert "fq_name" not in steps[0].body and "UPDATE firewall-policy" in steps[0].diff()


@pytest.mark.parametrize("doc, message", [
    ({"version": 2}, "version"),
    ({"tags": ["cirros"]}, "TYPE=VALUE"),
    ({"firewall_rules": [{"action": "deny"}]}, "name"),
    ({"firewall_rules": [{"name": "default-policy-management:r", "endpoint_1": {"tags": "label=x"}}]}, "list"),
    ({"firewall_rules": [{"name": "default-policy-management:r", "dst_ports": "http"}]}, "PORT"),
    ([1, 2], "mapping"),
])
def test_parse_doc_refuses_bad_documents(doc, message):
    with pytest.raises(ValidationError, match=message):
        parse_doc(doc)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
                    max_leaves=10))
def test_parse_doc_never_crashes(doc):
    try:
        parse_doc({"firewall_rules": [{"name": "default-policy-management:r", "endpoint_1": doc}]})
    except ValidationError:
        pass


def test_settings_from_cluster():
    spec = parse_cluster("lab", {"config_api": "http://10.0.0.10:8082/", "auth": {
        "type": "keystone", "url": "http://10.0.0.10:5000/v3", "username": "admin", "password_env": "OS_PASSWORD"}},
        "test")
    s = config_api_settings(spec)
    assert s.url == "http://10.0.0.10:8082" and s.auth.type == "keystone" and s.auth.password_env == "OS_PASSWORD"
    assert config_api_settings(ClusterSpec("x", ())) is None
    with pytest.raises(ConfigError, match="clusters.x.auth.password: .*password_env"):
        parse_cluster("x", {"config_api": "http://h:8082", "auth": {
            "type": "keystone", "url": "http://h:5000/v3", "username": "a", "password": "clear"}}, "test")
    with pytest.raises(ConfigError, match="not an http"):
        config_api_settings(ClusterSpec("x", (), config_api="h:8082"))


def test_ports_carry_the_tags_the_rules_use():
    from tftui.core.policy.models import Port
    from tftui.core.policy.validate import ValidationError

    tags, rules, policies, apss = _sample()
    used = {t for r in rules for ep in (r.endpoint_1, r.endpoint_2) if ep.kind == "tags" for t in ep.value}
    tag = sorted(used)[0]
    ports = [Port("u1", ("d", "p", "web1__u1"), "web1", tags=(tag, "app=cirros")),
             Port("u2", ("d", "p", "idle__u2"), "idle", tags=("app=cirros",))]
    doc = export_doc(tags, rules, policies, apss, ports)
    assert doc["ports"] == [{"name": "web1", "tags": [tag]}]  # only the tags policies use; idle has none
    desired = parse_doc(doc)
    assert desired.ports == [("web1", (tag,))]
    vmi = {"uuid": "u1", "display_name": "web1", "fq_name": ["d", "p", "web1__u1"],
           "tag_refs": [{"to": ["app=cirros"], "uuid": "t9"}]}
    [step] = [s for s in plan(desired, {"virtual-machine-interface": {("d", "p", "web1__u1"): vmi}})
              if s.type == "virtual-machine-interface"]
    assert step.op == "update" and step.body == {"tag_refs": [{"to": ["app=cirros"]}, {"to": tag.split(":")}]}
    vmi["tag_refs"].append({"to": tag.split(":"), "uuid": "t1"})
    assert not [s for s in plan(desired, {"virtual-machine-interface": {("d", "p", "web1__u1"): vmi}})
                if s.type == "virtual-machine-interface"]  # already there: nothing to do
    with pytest.raises(ValidationError, match="no port named 'web1'"):
        plan(desired, {"virtual-machine-interface": {}})
    with pytest.raises(ValidationError, match="ports\\[0\\]"):
        parse_doc({"ports": [{"name": "x"}]})
