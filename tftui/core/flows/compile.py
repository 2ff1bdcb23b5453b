"""A firewall policy as the vrouter agent compiles it into an ACL (what ``AclReq`` shows for it).

tf-controller ``filter/acl.cc`` ``FirewallPolicyIFNodeToReq``: the ACL's uuid is the policy's, its name the
policy's FQ name; one entry per rule, ``ace_id`` = the rule's sequence in the policy, ``uuid`` = the rule's;
``<>`` adds the reversed entry (same id and uuid, endpoints swapped, ports not); ``<`` keeps only the
reversed one. Tag endpoints print as the tags' numeric ids (``AddressMatch::BuildTags``), ``match_tags``
as the tag type names (``TagsMatch``).
"""

from __future__ import annotations

import ipaddress

from ..policy.models import Policy, Rule
from .acl import Acl, AclEntry
from .decide import SecurityConfig, protocol_number


def _endpoint(cfg: SecurityConfig, rule: Rule, ep, tag_ids: dict[str, int]) -> tuple[str, str]:
    if ep.kind == "tags":
        ids = sorted(tag_ids.get(cfg.tag_fq(t, rule), 0) for t in ep.value)
        return ", ".join(str(i) for i in ids) or "Empty", "tags"
    if ep.kind == "virtual_network":
        return str(ep.value), "network"
    if ep.kind == "subnet":
        net = ipaddress.ip_network(str(ep.value), strict=False)
        return f"{net.network_address} {net.netmask}", "ip"
    if ep.kind == "address_group":
        nets = [ipaddress.ip_network(p, strict=False) for p in cfg.address_groups.get(str(ep.value), ())]
        return " ".join(f"{n.network_address} {n.netmask}" for n in nets), "AddressGroup"
    return "", ""


def _service(cfg: SecurityConfig, rule: Rule):
    if rule.service_groups:
        entries = [e for g in rule.service_groups for e in cfg.service_groups.get(g, ())]
        return (tuple((p, p) if p else (0, 255) for p, _, _ in entries), tuple(s for _, s, _ in entries),
                tuple(d for _, _, d in entries))
    number = protocol_number(rule.protocol)
    protocols = ((0, 255),) if number is None else ((number, number),)
    if number in (1, 58):  # the agent compiles no port match for ICMP
        return protocols, (), ()
    return protocols, (rule.src_ports,), (rule.dst_ports,)


def agent_acl(cfg: SecurityConfig, policy: Policy, tag_ids: dict[str, int]) -> Acl:
    """``tag_ids``: tag fq string → numeric tag id (``int(tag_id, 16)``)."""
    entries: list[AclEntry] = []
    for ref in policy.rules:
        rule = cfg.rule(ref.fq_name)
        if rule is None or not ref.sequence:
            continue
        src, src_type = _endpoint(cfg, rule, rule.endpoint_1, tag_ids)
        dst, dst_type = _endpoint(cfg, rule, rule.endpoint_2, tag_ids)
        protocols, sports, dports = _service(cfg, rule)
        action = "deny" if rule.action in ("deny", "drop", "reject") else "pass"
        match = "".join(f"{t} " for t in rule.match_tags)
        forward = AclEntry(ref.sequence, rule.uuid, "Terminal", src, dst, src_type, dst_type, protocols, sports,
                           dports, (action,), match)
        reverse = AclEntry(ref.sequence, rule.uuid, "Terminal", dst, src, dst_type, src_type, protocols, sports,
                           dports, (action,), match)
        entries += {"<>": [forward, reverse], ">": [forward], "<": [reverse]}.get(rule.direction, [forward])
    return Acl(policy.uuid, ":".join(policy.fq_name), False, tuple(entries))


def tag_ids_of(cfg: SecurityConfig) -> dict[str, int]:
    out = {}
    for t in cfg.tags:
        try:
            out[":".join(t.fq_name)] = int(str(t.tag_id), 16)
        except ValueError:
            continue
    return out
