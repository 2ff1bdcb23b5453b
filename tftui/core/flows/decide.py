"""What the vrouter agent decides for a packet, from the config API's security objects.

One function for everything that simulates traffic (the lab's agent flow tables, the lab VM shell's
``ping``/``ssh``/``nc``) and for predicting a decision. It follows the agent (tf-controller
``oper/vm_interface.cc`` ``UpdatePolicySet``, ``filter/acl.cc``, ``pkt/flow_entry.cc`` ``MatchAcl``,
``SessionMatch``, ``ActionRecompute``):

- an interface's firewall policies are the global APS's (``all_applications``) followed by those of
  every APS whose tag the interface carries (its own tags, its network's and its project's);
- policies are walked in sequence order and their rules in sequence order; the first matching rule
  decides (firewall rules are terminal);
- interfaces with policies where no rule matches are denied (implicit deny, ``...0002``); interfaces
  without any policy are allowed (implicit allow, ``...0001``);
- a flow between two interfaces of one vrouter (a local flow) is checked against the source's policies,
  then against the destination's ("out"); otherwise each vrouter checks its own interface's policies;
- a rule ``<>`` also matches the reversed endpoints (ports are not swapped), ``<`` only the reversed ones.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..policy.models import Aps, Policy, Rule, Tag, fq_str
from .actions import DENY, IMPLICIT_ALLOW, IMPLICIT_DENY, IMPLICIT_DENY_UUID, PASS, PROTOCOL_NUMBERS

DEFAULT_GW = "00000000-0000-0000-0000-000000000003"
_ANY_PORTS = ((0, 65535), (-1, -1))
_DENY_ACTIONS = ("deny", "drop", "reject")


@dataclass(frozen=True)
class Packet:
    src_ip: str
    dst_ip: str
    protocol: int
    src_port: int = 0
    dst_port: int = 0

    def reversed(self) -> Packet:
        """The reply's flow key: ports swapped, except ICMP's, whose key is (id, 0) both ways."""
        if self.protocol in (1, 58):
            return Packet(self.dst_ip, self.src_ip, self.protocol, self.src_port, self.dst_port)
        return Packet(self.dst_ip, self.src_ip, self.protocol, self.dst_port, self.src_port)


@dataclass(frozen=True)
class Workload:
    """One end of a flow as the agent sees it: an interface with its address, network and tags."""

    ip: str
    name: str = ""
    vn: str = ""  # fq string
    tags: tuple[str, ...] = ()  # tag fq strings, effective (own + network + project)
    vmi: str = ""  # uuid
    vrouter: str = ""  # node name; "" for addresses outside the cluster
    gateway: str = ""  # the subnet's default gateway


@dataclass(frozen=True)
class RuleHit:
    """The rule that decided: where it sits (APS, policy and their positions) and the rule itself."""

    rule: Rule
    policy: Policy
    aps: Aps | None
    rule_position: int  # 1-based, in the policy's sequence order
    policy_position: int  # 1-based, in the APS's sequence order

    @property
    def fw_policy_match(self) -> str:
        """The agent's ``<firewall-policy ACL name>:<rule uuid>``."""
        return f"{fq_str(self.policy.fq_name)}:{self.rule.uuid}"


@dataclass(frozen=True)
class Decision:
    """The outcome for one flow on one vrouter, in the agent's own terms."""

    action: int  # TrafficAction bit mask
    drop_reason: str = ""
    fw_policy_match: str = IMPLICIT_ALLOW
    sg_rule_uuid: str = IMPLICIT_ALLOW
    nw_ace_uuid: str = IMPLICIT_ALLOW
    hit: RuleHit | None = None
    policy_set_acls: tuple[str, ...] = ()  # firewall policy uuids the source interface applies
    out_policy_set_acls: tuple[str, ...] = ()  # ...and the destination's, for local flows

    @property
    def dropped(self) -> bool:
        return bool(self.action & (1 << DENY))

    @property
    def implicit(self) -> bool:
        return bool(self.action & (1 << IMPLICIT_DENY))


@dataclass
class SecurityConfig:
    """The config API's security objects, indexed for evaluation."""

    tags: list[Tag] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    apss: list[Aps] = field(default_factory=list)
    address_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # fq -> prefixes
    service_groups: dict[str, tuple[tuple[int, tuple[int, int], tuple[int, int]], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rules = {r.fq_name: r for r in self.rules}
        self._policies = {p.fq_name: p for p in self.policies}
        self._tag_fqs = {fq_str(t.fq_name) for t in self.tags}

    @classmethod
    def from_objects(cls, objects: Mapping[str, Iterable[dict]]) -> SecurityConfig:
        """From config API bodies by type (``tag``, ``firewall-rule``, ``firewall-policy``,
        ``application-policy-set``, ``address-group``, ``service-group``), as a read with detail returns them."""
        def of(type_name: str) -> list[dict]:
            return [o for o in objects.get(type_name, ()) if isinstance(o, dict)]

        groups = {fq_str(o.get("fq_name") or []): tuple(
            f"{s['subnet']['ip_prefix']}/{s['subnet'].get('ip_prefix_len', 32)}"
            for s in ((o.get("address_group_prefix") or {}).get("subnet") or [])
            if isinstance(s, dict) and isinstance(s.get("subnet"), dict) and s["subnet"].get("ip_prefix"))
            for o in of("address-group")}
        services = {}
        for o in of("service-group"):
            entries = []
            for svc in (o.get("service_group_firewall_service_list") or {}).get("firewall_service") or []:
                number = protocol_number(str(svc.get("protocol", "any")))
                entries.append((number or 0, _ports(svc.get("src_ports")), _ports(svc.get("dst_ports"))))
            services[fq_str(o.get("fq_name") or [])] = tuple(entries)
        return cls([Tag.from_api(o) for o in of("tag")], [Rule.from_api(o) for o in of("firewall-rule")],
                   [Policy.from_api(o) for o in of("firewall-policy")],
                   [Aps.from_api(o) for o in of("application-policy-set")], groups, services)

    def policy(self, fq_name: tuple[str, ...]) -> Policy | None:
        return self._policies.get(tuple(fq_name))

    def rule(self, fq_name: tuple[str, ...]) -> Rule | None:
        return self._rules.get(tuple(fq_name))

    def policies_for(self, tags: Iterable[str]) -> list[tuple[Aps, int, Policy]]:
        """The interface's firewall policy list: (APS, position in it, policy), global APS first."""
        tags = set(tags)
        ordered = [a for a in self.apss if a.all_applications] + [
            a for a in self.apss if not a.all_applications and tags & set(a.tags)]
        out = []
        for aps in ordered:
            for pos, ref in enumerate(aps.policies, 1):
                pol = self.policy(ref.fq_name)
                if pol is not None:
                    out.append((aps, pos, pol))
        return out

    def tag_fq(self, name: str, rule: Rule) -> str:
        """A rule endpoint's tag name as a tag fq string: ``global:`` names global tags; a project rule's
        bare name is that project's tag when it exists."""
        if name.startswith("global:"):
            return name[len("global:"):]
        if len(rule.fq_name) == 3:
            scoped = fq_str(rule.fq_name[:2] + (name,))
            if scoped in self._tag_fqs:
                return scoped
        return name


def _ports(p) -> tuple[int, int]:
    p = p if isinstance(p, dict) else {}
    return int(p.get("start_port", 0)), int(p.get("end_port", 65535))


def effective_tags(*levels: Iterable[str]) -> tuple[str, ...]:
    """An interface's tags from its own, its VM's, its network's and its project's, most specific first: one
    tag per type, the nearest level's; labels only from the nearest level that has any
    (vm_interface_config.cc ``CopyTag``)."""
    out: dict[str, str] = {}
    labels: list[str] = []
    for level in levels:
        level_labels = []
        for fq in level:
            kind = fq.rsplit(":", 1)[-1].partition("=")[0]
            if kind == "label":
                level_labels.append(fq)
            else:
                out.setdefault(kind, fq)
        if level_labels and not labels:
            labels = level_labels
    return tuple(dict.fromkeys([*labels, *out.values()]))


def protocol_number(protocol: str) -> int | None:
    """``any`` → None (matches all); names and numbers → the IP protocol number."""
    p = str(protocol).strip().lower()
    if p in ("any", ""):
        return None
    if p in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[p]
    try:
        return int(p)
    except ValueError:
        return -1  # a protocol name tftui does not know matches nothing


def _in_range(value: int, rng: tuple[int, int]) -> bool:
    return rng in _ANY_PORTS or rng[0] <= value <= rng[1]


def _service_matches(cfg: SecurityConfig, rule: Rule, pkt: Packet) -> bool:
    ports_apply = pkt.protocol not in (1, 58)
    if rule.service_groups:
        for group in rule.service_groups:
            for proto, src, dst in cfg.service_groups.get(group, ()):
                if proto in (0, pkt.protocol) and (not ports_apply or (
                        _in_range(pkt.src_port, src) and _in_range(pkt.dst_port, dst))):
                    return True
        return False
    number = protocol_number(rule.protocol)
    if number is not None and number != pkt.protocol:
        return False
    return not ports_apply or (_in_range(pkt.src_port, rule.src_ports) and _in_range(pkt.dst_port, rule.dst_ports))


def _in_prefixes(ip: str, prefixes: Iterable[str]) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for p in prefixes:
        try:
            if addr in ipaddress.ip_network(p, strict=False):
                return True
        except ValueError:
            continue
    return False


def _endpoint_matches(cfg: SecurityConfig, rule: Rule, ep, side: Workload) -> bool:
    if ep.kind == "any":
        return True
    if ep.kind == "tags":
        return all(cfg.tag_fq(t, rule) in side.tags for t in ep.value)
    if ep.kind == "virtual_network":
        return bool(side.vn) and side.vn == ep.value
    if ep.kind == "subnet":
        return _in_prefixes(side.ip, (ep.value,))
    if ep.kind == "address_group":
        return _in_prefixes(side.ip, cfg.address_groups.get(ep.value, ()))
    return False


def _tag_values(tags: Iterable[str], tag_type: str) -> set[str]:
    return {t.rsplit(":", 1)[-1] for t in tags if t.rsplit(":", 1)[-1].startswith(f"{tag_type}=")}


def _match_tags_ok(rule: Rule, src: Workload, dst: Workload) -> bool:
    for tag_type in rule.match_tags:
        if tag_type == "label":
            continue  # the server refuses it; the agent never compiles it
        common = _tag_values(src.tags, tag_type) & _tag_values(dst.tags, tag_type)
        if not common:
            return False
    return True


def rule_matches(cfg: SecurityConfig, rule: Rule, pkt: Packet, src: Workload, dst: Workload) -> bool:
    if not _service_matches(cfg, rule, pkt) or not _match_tags_ok(rule, src, dst):
        return False
    forward = _endpoint_matches(cfg, rule, rule.endpoint_1, src) and _endpoint_matches(cfg, rule, rule.endpoint_2, dst)
    backward = _endpoint_matches(cfg, rule, rule.endpoint_2, src) and _endpoint_matches(cfg, rule, rule.endpoint_1, dst)
    if rule.direction == ">":
        return forward
    if rule.direction == "<":
        return backward
    return forward or backward


def first_match(cfg: SecurityConfig, policies: list[tuple[Aps, int, Policy]], pkt: Packet, src: Workload,
                dst: Workload) -> RuleHit | None:
    for aps, pos, policy in policies:
        for rpos, ref in enumerate(policy.rules, 1):
            rule = cfg.rule(ref.fq_name)
            if rule is not None and rule_matches(cfg, rule, pkt, src, dst):
                return RuleHit(rule, policy, aps, rpos, pos)
    return None


@dataclass(frozen=True)
class _Stage:
    action: int
    marker: str  # fw_policy_match as the agent writes it
    hit: RuleHit | None


def _evaluate(cfg: SecurityConfig, policies, pkt: Packet, src: Workload, dst: Workload) -> _Stage:
    if not policies:
        return _Stage(1 << PASS, IMPLICIT_ALLOW, None)
    gw = {src.gateway, dst.gateway} - {""}
    if (pkt.protocol == 1 or (pkt.protocol == 17 and 53 in (pkt.src_port, pkt.dst_port))) and \
            (pkt.dst_ip in gw or pkt.src_ip in gw):
        return _Stage(1 << PASS, DEFAULT_GW, None)
    hit = first_match(cfg, policies, pkt, src, dst)
    if hit is None:
        return _Stage((1 << DENY) | (1 << IMPLICIT_DENY), IMPLICIT_DENY_UUID, None)
    action = 1 << DENY if hit.rule.action in _DENY_ACTIONS else 1 << PASS
    return _Stage(action, hit.fw_policy_match, hit)


def decide(cfg: SecurityConfig, pkt: Packet, src: Workload, dst: Workload, where: str) -> Decision:
    """The decision on one vrouter: ``where`` is ``local`` (both ends on it), ``source`` (the flow leaves
    from ``src``'s interface) or ``destination`` (the flow arrives from the fabric for ``dst``)."""
    src_policies = cfg.policies_for(src.tags) if where in ("local", "source") and src.vmi else []
    dst_policies = cfg.policies_for(dst.tags) if where in ("local", "destination") and dst.vmi else []
    acl = _evaluate(cfg, src_policies if where != "destination" else dst_policies, pkt, src, dst)
    acls = tuple(p.uuid for _, _, p in (src_policies if where != "destination" else dst_policies))
    out_acls = tuple(p.uuid for _, _, p in dst_policies) if where == "local" else ()
    if acl.action & (1 << DENY):
        return Decision(acl.action, "Flow drop Firewall Policy", acl.marker, hit=acl.hit,
                        policy_set_acls=acls, out_policy_set_acls=out_acls)
    if where != "local":
        return Decision(acl.action, "", acl.marker, hit=acl.hit, policy_set_acls=acls)
    out = _evaluate(cfg, dst_policies, pkt, src, dst)
    if out.action & (1 << DENY):
        return Decision(out.action, "Flow drop OUT Firewall Policy", out.marker, hit=out.hit,
                        policy_set_acls=acls, out_policy_set_acls=out_acls)
    # SessionMatch: the forward flow names the source side's rule, or the out side's when the source has none
    chosen = acl if src_policies else out
    return Decision(1 << PASS, "", chosen.marker, hit=chosen.hit, policy_set_acls=acls, out_policy_set_acls=out_acls)


def reverse_of(decision: Decision) -> Decision:
    """The reverse flow's record: it copies the forward flow's action (UpdateReflexiveAction) but none of its
    stages drops on its own, so the agent writes ``UNKNOWN`` as the drop reason of a dropped reverse flow."""
    return Decision(decision.action, "UNKNOWN" if decision.dropped else "", decision.fw_policy_match,
                    decision.sg_rule_uuid, decision.nw_ace_uuid, decision.hit, decision.out_policy_set_acls,
                    decision.policy_set_acls)


def where_for(src: Workload, dst: Workload, vrouter: str) -> str | None:
    """Which evaluation a vrouter makes for a flow between ``src`` and ``dst`` (None: it sees no such flow)."""
    if src.vrouter == vrouter and dst.vrouter == vrouter:
        return "local"
    if src.vrouter == vrouter:
        return "source"
    if dst.vrouter == vrouter:
        return "destination"
    return None
