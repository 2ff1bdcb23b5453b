"""The decision chain in words: every drop reason, every implicit-rule marker, every short-flow reason, the
rule resolved through the config API or through the agent's ACLs, and the real captures."""

from __future__ import annotations

import pytest

from tftui.core.flows.acl import Acl, AclEntry
from tftui.core.flows.actions import (
    IMPLICIT_RULES,
    KERNEL_DROP_REASONS,
    POLICY_DROP_REASONS,
    SHORT_FLOW_REASONS,
    action_names,
    drop_reason_of,
    parse_short_flow,
    short_flow_words,
    verdict_of,
)
from tftui.core.flows.decide import SecurityConfig
from tftui.core.flows.records import AclBlock, FlowRecord, decode_flow_page
from tftui.core.flows.why import (
    AgentResolver,
    ConfigResolver,
    explain,
    flow_json,
    split_fw_policy_match,
    tag_names_from,
)
from tftui.core.policy.models import Aps, Endpoint, Policy, PolicyRef, Rule, Tag

RULE = "7d9e4f1c-1111-4222-8333-944455566677"
ALLOW = "00000000-0000-0000-0000-000000000001"
PM = ("default-policy-management",)


def _seed_config() -> SecurityConfig:
    tags = [Tag(("label=cirros1",), "label", "cirros1", "t1", "0x00000001"),
            Tag(("label=cirros2",), "label", "cirros2", "t2", "0x00000002"),
            Tag(("application=k8s",), "application", "k8s", "t3", "0x00010001")]
    rule = Rule(PM + ("deny-icmp",), "deny", "icmp", endpoint_1=Endpoint("tags", ("label=cirros1",)),
                endpoint_2=Endpoint("tags", ("label=cirros2",)), direction="<>", uuid=RULE)
    policy = Policy(PM + ("policy1",), (PolicyRef(PM + ("deny-icmp",), "1.0", RULE),), "p1")
    aps = Aps(PM + ("default-application-policy-set",), (PolicyRef(PM + ("policy1",), "1.0", "p1"),),
              all_applications=True)
    return SecurityConfig(tags, [rule], [policy], [aps])


def _drop(reason: str, **kw) -> FlowRecord:
    base = dict(sip="10.47.255.251", dip="10.47.255.250", protocol=1, action=1 << 3, action_str=("deny",),
                drop_reason=reason, direction="ingress", local_flow=True, sg_rule_uuid=ALLOW, nw_ace_uuid=ALLOW,
                fw_policy_match=f"default-policy-management:policy1:{RULE}", local_tags=(1, 0x10001), remote_tags=(2,))
    base.update(kw)
    return FlowRecord(**base)


def test_the_issues_sentence_from_the_config_api():
    cfg = _seed_config()
    v = explain(_drop("Flow drop Firewall Policy"), ConfigResolver(cfg), tag_names_from(cfg.tags))
    assert v.dropped and v.stage == "firewall-policy"
    assert v.summary == ("ICMP 10.47.255.251 → 10.47.255.250 dropped by firewall policy "
                         "`default-policy-management:policy1`, rule 1 (label=cirros1 ↔ label=cirros2, icmp, deny) "
                         "in application policy set `default-policy-management:default-application-policy-set`")
    assert v.rule.kind == "firewall" and v.rule.uuid == RULE and v.rule.position == 1 and v.rule.aps_position == 1
    assert v.local_tags == ("label=cirros1", "application=k8s") and v.remote_tags == ("label=cirros2",)
    assert v.chain[-1].startswith("firewall policy: DROPPED on the source interface")
    assert "network policy: allowed (implicit allow" in "\n".join(v.chain)
    js = flow_json(_drop("Flow drop Firewall Policy"), v)
    assert js["action"] == "drop" and js["rule"] == {
        "kind": "firewall", "uuid": RULE, "policy": "default-policy-management:policy1",
        "name": "default-policy-management:deny-icmp", "text": "label=cirros1 ↔ label=cirros2, icmp, deny"}


def test_the_rule_through_the_agents_acls_when_no_config_api():
    acl = Acl("p1", "default-policy-management:policy1", entries=(
        AclEntry("1.0", RULE, src="1", dst="2", src_type="tags", dst_type="tags", protocols=((1, 1),),
                 dst_ports=((0, 65535),), actions=("deny",)),))
    v = explain(_drop("Flow drop OUT Firewall Policy"), AgentResolver([acl], {1: "label=cirros1", 2: "label=cirros2"}))
    assert v.rule.source == "agent" and v.rule.text == "label=cirros1 → label=cirros2, icmp, deny"
    assert "DROPPED on the destination interface (out)" in v.chain[-1]
    unresolved = explain(_drop("Flow drop Firewall Policy"))
    assert "not resolved" in unresolved.summary and unresolved.rule.uuid == RULE


@pytest.mark.parametrize("reason", sorted(POLICY_DROP_REASONS))
def test_every_policy_drop_reason_names_its_stage_and_rule(reason):
    dr = POLICY_DROP_REASONS[reason]
    rec = _drop(reason, sg_rule_uuid="5a5a5a5a-0000-4000-8000-000000000001",
                nw_ace_uuid="6b6b6b6b-0000-4000-8000-000000000002",
                blocks={dr.block: AclBlock(8, ("acl-uuid-1",), ("deny",))})
    v = explain(rec)
    assert v.dropped and v.stage == dr.stage and v.reason == dr
    expected = {"network-policy": "6b6b6b6b-0000-4000-8000-000000000002",
                "security-group": "5a5a5a5a-0000-4000-8000-000000000001", "firewall-policy": RULE, "fwaas": ""}
    assert v.rule.uuid == expected[dr.stage]
    assert "acl-uuid-1" in v.chain[-1] and "DROPPED" in v.chain[-1]
    order = ["network policy", "security group", "firewall policy"]
    said = [line.split(":")[0] for line in v.chain if line.split(":")[0] in order]
    assert said == order[:said.index(said[-1]) + 1]  # stages in the agent's order, none after the dropping one


@pytest.mark.parametrize("uuid", sorted(IMPLICIT_RULES))
def test_every_implicit_marker_in_words(uuid):
    rec = _drop("Flow drop Firewall Policy", fw_policy_match=uuid, action=(1 << 3) | (1 << 29),
                action_str=("deny", "implicit deny"), implicit_deny=True)
    v = explain(rec, ConfigResolver(_seed_config()))
    name, meaning = IMPLICIT_RULES[uuid]
    assert v.rule.kind == "implicit" and v.rule.name == name and v.rule.text == meaning
    assert meaning in v.summary
    assert flow_json(rec, v)["rule"]["kind"] == "implicit"


def test_implicit_deny_is_the_marker_not_a_rule():
    rec = _drop("Flow drop Firewall Policy", fw_policy_match="00000000-0000-0000-0000-000000000002",
                action=(1 << 3) | (1 << 29), action_str=("deny", "implicit deny"))
    assert "no rule matched, so the flow is denied" in explain(rec).summary
    assert action_names(rec.action) == ("deny", "implicit deny")


@pytest.mark.parametrize("reason", sorted(SHORT_FLOW_REASONS))
def test_every_short_flow_reason_in_words(reason):
    for text in (f"Short flow {reason}", reason):  # current agents and 3.x
        rec = FlowRecord("10.0.0.1", "10.0.0.2", action=1 << 3, short_flow=True, short_reason=text,
                         drop_reason=text)
        v = explain(rec)
        assert v.stage == "short-flow" and v.rule.kind is None
        assert SHORT_FLOW_REASONS[reason] in v.summary and "not a policy decision" in v.chain[-1]
        assert flow_json(rec, v)["short_flow"] == text


def test_short_flow_field_and_drop_reason_parsing():
    assert parse_short_flow("no") == (False, "")
    assert parse_short_flow("yes (Short flow Flow Limit Reached)") == (True, "Short flow Flow Limit Reached")
    assert short_flow_words("Short flow Something New") == "Something New"
    assert drop_reason_of("Flow drop REVERSE OUT SG").block == "reverse_out_sg"
    assert drop_reason_of("UNKNOWN").stage == "" and drop_reason_of("").text == "UNKNOWN"
    assert set(KERNEL_DROP_REASONS) >= {"FwPolicy", "SG", "NoRevFlow", "FlowLim"}


def test_reverse_flow_of_a_drop_and_passes():
    cfg = _seed_config()
    rev = _drop("UNKNOWN", sip="10.47.255.250", dip="10.47.255.251", reverse_flow=True)
    v = explain(rev, ConfigResolver(cfg))
    assert v.dropped and v.stage == "" and "reverse flow of a dropped flow" in v.chain[-1]
    assert v.rule.uuid == RULE
    passed = _drop("", action=1 << 5, action_str=("pass",), fw_policy_match=f"default-policy-management:policy1:{RULE}",
                   protocol=6, src_port=40000, dst_port=22, blocks={"policy_set": AclBlock(32, ("p1",))})
    pv = explain(passed, ConfigResolver(cfg))
    assert pv.verdict == "pass" and pv.summary.startswith("TCP 10.47.255.251:40000 → 10.47.255.250:22 passed by")
    allowed = _drop("", action=1 << 5, action_str=("pass",), fw_policy_match=ALLOW)
    av = explain(allowed)
    assert av.rule.kind == "implicit" and av.summary.endswith("passed")


def test_split_fw_policy_match_on_the_last_colon():
    assert split_fw_policy_match(f"default-domain:proj:pol:{RULE}") == ("default-domain:proj:pol", RULE)
    assert split_fw_policy_match(ALLOW) == ("", ALLOW)


def test_verdicts_from_mask_or_strings():
    assert verdict_of(32) == "pass" and verdict_of(8) == "drop" and verdict_of(536870920) == "drop"
    assert verdict_of(0, ("deny",)) == "drop" and verdict_of(1 << 28) == "trap" and verdict_of(0) == "unknown"


def test_real_capture_explains_without_config(shared_data):
    page = decode_flow_page(
        (shared_data / "introspect-real/14_agent_FetchAllFlowRecords.FlowRecordsResp.bs4.xml").read_bytes())
    linklocal = explain(page.flows[0])
    assert linklocal.verdict == "pass" and "link-local" in "\n".join(linklocal.chain)
    assert not any(line.startswith("firewall policy") for line in linklocal.chain)  # 3.2 had no APS
    sg = explain(page.flows[2])
    assert sg.rule.kind == "security-group" and sg.rule.uuid == "e703c837-8477-41af-af72-c6490f623e8a"
