"""The real vnc_api client (contrail-api-client 2005) against the lab's config API over a socket."""

from __future__ import annotations

import asyncio
import os

import pytest

from tftui.lab.configapi import start_config_api
from tftui.lab.topology import build

try:
    from vnc_api import vnc_api as v
    from vnc_api.exceptions import RefsExistError
except ImportError:  # the test extra installs it; in CI its absence is a failure, not a skip
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("pip install contrail-api-client==2005 future six requests", allow_module_level=True)

IP_FABRIC = ["default-domain", "default-project", "ip-fabric"]


@pytest.fixture
async def lab():
    api = await start_config_api(build("demo", base=91, vrouters=2), port=0)
    yield api
    await api.stop()


def _scenario(host: str, port: int) -> dict:
    api = v.VncApi(api_server_host=host, api_server_port=port, auth_type="noauth")
    out: dict = {}
    out["vns"] = api.virtual_networks_list()["virtual-networks"]
    pm = api.policy_management_read(fq_name=["default-policy-management"])

    tag = v.Tag(tag_type_name="label", tag_value="cirros1")
    out["tag_uuid"] = api.tag_create(tag)
    app = v.Tag(tag_type_name="application", tag_value="seed")
    api.tag_create(app)

    rule = v.FirewallRule(
        name="deny-icmp", parent_obj=pm,
        action_list=v.ActionListType(simple_action="deny"),
        service=v.FirewallServiceType(protocol="icmp"),
        endpoint_1=v.FirewallRuleEndpointType(tags=["label=cirros1"]),
        endpoint_2=v.FirewallRuleEndpointType(any=True),
        direction="<>",
        match_tags=v.FirewallRuleMatchTagsType(tag_list=["application"]))
    api.firewall_rule_create(rule)
    policy = v.FirewallPolicy(name="seed-policy", parent_obj=pm)
    api.firewall_policy_create(policy)
    policy.add_firewall_rule(rule, v.FirewallSequence(sequence="1.0"))
    api.firewall_policy_update(policy)

    aps = v.ApplicationPolicySet(name="seed-aps", parent_obj=pm)
    aps.add_firewall_policy(policy, v.FirewallSequence(sequence="1.0"))
    aps.add_tag(app)
    api.application_policy_set_create(aps)

    vn = api.virtual_network_read(fq_name=["default-domain", "admin", "tenant-net"])
    provider = api.virtual_network_read(fq_name=IP_FABRIC)
    vn.set_virtual_network(provider)
    vn.set_fabric_snat(True)
    api.virtual_network_update(vn)

    ri = api.routing_instance_read(fq_name=IP_FABRIC + ["__default__"])
    params = v.BgpRouterParams(router_type="router", vendor="vyos", autonomous_system=65311,
                               identifier="172.31.10.140", address="172.31.10.140", port=179, hold_time=90,
                               address_families=v.AddressFamilies(family=["inet"]))
    peer = v.BgpRouter(name="vyos", parent_obj=ri, bgp_router_parameters=params)
    api.bgp_router_create(peer)

    # read everything back
    out["tag"] = api.tag_read(id=out["tag_uuid"])
    out["rule"] = api.firewall_rule_read(fq_name=["default-policy-management", "deny-icmp"])
    out["policy"] = api.firewall_policy_read(fq_name=["default-policy-management", "seed-policy"])
    out["aps"] = api.application_policy_set_read(fq_name=["default-policy-management", "seed-aps"])
    out["vn"] = api.virtual_network_read(fq_name=["default-domain", "admin", "tenant-net"])
    out["peer"] = api.bgp_router_read(fq_name=IP_FABRIC + ["__default__", "vyos"])
    out["tags_detail"] = api.tags_list(detail=True)
    try:
        api.tag_create(v.Tag(tag_type_name="label", tag_value="cirros1"))
        out["dup"] = None
    except RefsExistError as exc:
        out["dup"] = str(exc)
    try:
        api.tag_delete(id=out["tag_uuid"])
        out["del"] = None
    except RefsExistError as exc:
        out["del"] = str(exc)
    return out


async def test_vnc_api_client_runs_the_seed_workflow(lab):
    host, port = lab.url.rsplit("//", 1)[1].split(":")
    out = await asyncio.to_thread(_scenario, host, int(port))
    assert {tuple(x["fq_name"]) for x in out["vns"]} >= {("default-domain", "admin", "tenant-net"), tuple(IP_FABRIC)}
    tag = out["tag"]
    assert tag.get_fq_name() == ["label=cirros1"]
    assert tag.get_tag_id().startswith("0x0000")
    rule = out["rule"]
    assert rule.get_service().get_protocol_id() == 1
    assert rule.get_endpoint_1().get_tags() == ["label=cirros1"]
    assert [r["to"] for r in rule.get_tag_refs()] == [["label=cirros1"]]
    refs = out["policy"].get_firewall_rule_refs()
    assert refs[0]["to"] == ["default-policy-management", "deny-icmp"]
    assert refs[0]["attr"].get_sequence() == "1.0"
    aps = out["aps"]
    assert [r["to"] for r in aps.get_tag_refs()] == [["application=seed"]]
    assert aps.get_firewall_policy_refs()[0]["to"] == ["default-policy-management", "seed-policy"]
    vn = out["vn"]
    assert vn.get_fabric_snat() is True
    assert [r["to"] for r in vn.get_virtual_network_refs()] == [IP_FABRIC]
    params = out["peer"].get_bgp_router_parameters()
    assert (params.get_autonomous_system(), params.get_address()) == (65311, "172.31.10.140")
    assert "label=cirros1" in {t.get_fq_name()[-1] for t in out["tags_detail"]}
    assert out["dup"] and "already exists" in out["dup"]
    assert out["del"] and "Delete when resource still referred" in out["del"]
