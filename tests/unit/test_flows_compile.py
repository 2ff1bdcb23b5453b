"""A firewall policy as the agent compiles it into an ACL: what AclReq shows, and what AgentResolver reads."""

from __future__ import annotations

from tftui.core.flows.acl import decode_acl_reply, encode_acl_reply, entry_text
from tftui.core.flows.compile import agent_acl, tag_ids_of
from tftui.core.flows.decide import SecurityConfig
from tftui.core.flows.records import FlowRecord
from tftui.core.flows.why import AgentResolver, explain
from tftui.core.policy.models import Aps, Endpoint, Policy, PolicyRef, Rule, Tag

PM = ("default-policy-management",)


def _cfg() -> SecurityConfig:
    tags = [Tag(("label=cirros1",), "label", "cirros1", "t1", "0x00000001"),
            Tag(("label=cirros2",), "label", "cirros2", "t2", "0x00000002")]
    rules = [Rule(PM + ("deny-icmp",), "deny", "icmp", endpoint_1=Endpoint("tags", ("label=cirros1",)),
                  endpoint_2=Endpoint("tags", ("label=cirros2",)), direction="<>", uuid="r1"),
             Rule(PM + ("web",), "pass", "tcp", (80, 80), endpoint_1=Endpoint("subnet", "10.0.0.0/8"),
                  direction=">", match_tags=("application",), uuid="r2"),
             Rule(PM + ("back",), "pass", "udp", endpoint_1=Endpoint("virtual_network", "d:p:vn"), direction="<",
                  uuid="r3")]
    policy = Policy(PM + ("policy1",), tuple(PolicyRef(r.fq_name, f"{i}.0", r.uuid) for i, r in enumerate(rules, 1)),
                    "p1")
    return SecurityConfig(tags, rules, [policy], [Aps(PM + ("default-application-policy-set",),
                                                     (PolicyRef(policy.fq_name, "1.0", "p1"),), all_applications=True)])


def test_policy_compiles_to_the_agents_acl_and_back():
    cfg = _cfg()
    acl = agent_acl(cfg, cfg.policies[0], tag_ids_of(cfg))
    assert (acl.uuid, acl.name) == ("p1", "default-policy-management:policy1")
    assert [(e.ace_id, e.uuid, e.src, e.dst, e.src_type) for e in acl.entries] == [
        ("1.0", "r1", "1", "2", "tags"), ("1.0", "r1", "2", "1", "tags"),  # "<>" adds the reversed entry
        ("2.0", "r2", "10.0.0.0 255.0.0.0", "", "ip"),  # ">" only forward
        ("3.0", "r3", "", "d:p:vn", "")]  # "<" only reversed
    assert acl.entries[0].protocols == ((1, 1),) and acl.entries[0].dst_ports == ()  # no port match for ICMP
    assert acl.entries[2].dst_ports == ((80, 80),) and acl.entries[2].match_condition == "application "
    [back] = decode_acl_reply(encode_acl_reply([acl]))
    assert back.entries[:2] == acl.entries[:2] and back.entries[3] == acl.entries[3]
    assert back.entries[2].match_condition == "application"  # the agent's trailing blank is layout
    names = {1: "label=cirros1", 2: "label=cirros2"}
    assert entry_text(back.entries[0], names) == "label=cirros1 → label=cirros2, icmp, deny"
    assert entry_text(back.entries[2], names) == "10.0.0.0/8 → any, tcp:80, pass, match application"
    rec = FlowRecord("10.47.255.251", "10.47.255.250", protocol=1, action=8, drop_reason="Flow drop Firewall Policy",
                     fw_policy_match="default-policy-management:policy1:r1")
    v = explain(rec, AgentResolver([back], names))
    assert v.rule.source == "agent" and v.rule.name == "1.0" and "rule 1.0 (label=cirros1 → label=cirros2" in v.summary
