"""Why a flow was dropped or passed, in words, from one agent flow record.

The agent evaluates network policy, then security groups, then FWaaS, then the application policy sets'
firewall policies, and records the first stage that dropped (``drop_reason``) and the rule each stage
matched (``nw_ace_uuid``, ``sg_rule_uuid``, ``fw_policy_match`` = ``<policy fq name>:<rule uuid>``). A rule
uuid becomes a human rule through a resolver: the config API's objects when tftui has them, else the
agent's own ACLs (``AclReq``). Short flows are not policy at all; their reason is said in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..policy.models import Aps, Policy, Rule, fq_str
from .acl import Acl, entry_text
from .actions import (
    IMPLICIT_ALLOW,
    NOT_EVALUATED,
    RULE_KINDS,
    STAGE_WORDS,
    DropReason,
    drop_reason_of,
    implicit_rule,
    protocol_name,
    short_flow_words,
)
from .decide import SecurityConfig
from .records import FlowRecord

_STAGE_FIELD = {"network-policy": "nw_ace_uuid", "security-group": "sg_rule_uuid", "fwaas": "",
                "firewall-policy": "fw_policy_match"}
_ARROWS = {">": "→", "<": "←", "<>": "↔"}


@dataclass(frozen=True)
class RuleRef:
    """The rule behind a decision, as precise as tftui could make it."""

    kind: str | None  # firewall | security-group | network-policy | implicit | None
    uuid: str = ""
    policy: str = ""  # firewall policy / ACL name (FQ)
    name: str = ""  # the rule's FQ name (config API) or the ACE id (agent)
    text: str = ""  # the rule in words
    source: str = ""  # config-api | agent | "" (unresolved)
    position: int = 0  # 1-based position of the rule in its policy
    aps: str = ""  # application policy set FQ name
    aps_position: int = 0  # 1-based position of the policy in the APS

    def to_json(self) -> dict:
        return {"kind": self.kind, "uuid": self.uuid or None, "policy": self.policy or None,
                "name": self.name or None, "text": self.text or None}


@dataclass(frozen=True)
class Verdict:
    verdict: str  # drop | pass | trap | unknown
    stage: str  # the stage that dropped (actions.STAGES), "short-flow", or "" (passed / unknown)
    reason: DropReason | None
    rule: RuleRef | None
    chain: tuple[str, ...]  # the decision chain, one line per step
    summary: str  # one sentence
    local_tags: tuple[str, ...] = ()
    remote_tags: tuple[str, ...] = ()

    @property
    def dropped(self) -> bool:
        return self.verdict == "drop"


class RuleResolver(Protocol):
    def resolve(self, kind: str, rule_uuid: str, policy: str) -> RuleRef | None: ...


def split_fw_policy_match(value: str) -> tuple[str, str]:
    """``default-policy-management:policy1:<uuid>`` → (policy FQ name, rule uuid); a bare uuid → ("", uuid)."""
    value = (value or "").strip()
    policy, sep, rule = value.rpartition(":")
    return (policy, rule) if sep else ("", value)


def rule_text(rule: Rule) -> str:
    arrow = _ARROWS.get(rule.direction, "→")
    return f"{rule.endpoint_1.text()} {arrow} {rule.endpoint_2.text()}, {rule.service_text()}, {rule.action}"


class ConfigResolver:
    """Rules from the config API: rule uuid → the rule, its policy, its position there, and the APS."""

    def __init__(self, cfg: SecurityConfig):
        self.cfg = cfg
        self._by_uuid = {r.uuid: r for r in cfg.rules if r.uuid}

    def _placement(self, rule: Rule, policy_name: str) -> tuple[Policy | None, int, Aps | None, int]:
        candidates = [p for p in self.cfg.policies if fq_str(p.fq_name) == policy_name] or self.cfg.policies
        for policy in candidates:
            for pos, ref in enumerate(policy.rules, 1):
                if ref.uuid == rule.uuid or tuple(ref.fq_name) == rule.fq_name:
                    for aps in [a for a in self.cfg.apss if a.all_applications] + list(self.cfg.apss):
                        for apos, pref in enumerate(aps.policies, 1):
                            if tuple(pref.fq_name) == policy.fq_name:
                                return policy, pos, aps, apos
                    return policy, pos, None, 0
        return None, 0, None, 0

    def resolve(self, kind: str, rule_uuid: str, policy: str) -> RuleRef | None:
        rule = self._by_uuid.get(rule_uuid)
        if rule is None or kind != "firewall":
            return None
        pol, pos, aps, apos = self._placement(rule, policy)
        return RuleRef(kind, rule_uuid, fq_str(pol.fq_name) if pol else policy, fq_str(rule.fq_name),
                       rule_text(rule), "config-api", pos, fq_str(aps.fq_name) if aps else "", apos)


class AgentResolver:
    """Rules from the agent's own ACLs (``AclReq``): no config API needed."""

    def __init__(self, acls: list[Acl], tag_names: dict[int, str] | None = None):
        self.acls = acls
        self.tag_names = tag_names or {}

    def resolve(self, kind: str, rule_uuid: str, policy: str) -> RuleRef | None:
        ordered = sorted(self.acls, key=lambda a: a.name != policy)  # the named ACL first
        for acl in ordered:
            entry = acl.entry_for_rule(rule_uuid)
            if entry is not None:
                return RuleRef(kind, rule_uuid, acl.name or policy, entry.ace_id,
                               entry_text(entry, self.tag_names), "agent")
        return None


def _rule_ref(kind: str, uuid: str, policy: str, resolver: RuleResolver | None) -> RuleRef:
    implicit = implicit_rule(uuid)
    if implicit is not None:
        return RuleRef("implicit", uuid, policy, implicit[0], implicit[1])
    resolved = resolver.resolve(kind, uuid, policy) if resolver and uuid else None
    return resolved or RuleRef(kind, uuid, policy)


def _stage_rule(rec: FlowRecord, stage: str, resolver: RuleResolver | None) -> RuleRef | None:
    field = _STAGE_FIELD.get(stage, "")
    if not field:
        return None
    value = getattr(rec, field)
    if not value:
        return None
    policy, uuid = split_fw_policy_match(value) if field == "fw_policy_match" else ("", value)
    return _rule_ref(RULE_KINDS[stage], uuid, policy, resolver)


def describe_rule(ref: RuleRef, stage: str = "") -> str:
    """``firewall policy `P`, rule 1 (text) in application policy set `A` `` and the like."""
    if ref.kind == "implicit":
        where = f" ({STAGE_WORDS.get(stage, stage)})" if stage else ""
        return f"{ref.name}{where}: {ref.text}"
    words = {"firewall": "firewall policy", "security-group": "security group",
             "network-policy": "network policy"}.get(ref.kind or "", "rule")
    head = f"{words} `{ref.policy}`" if ref.policy else words
    rule = f"rule {ref.position}" if ref.position else (f"rule {ref.name}" if ref.name else "rule")
    text = f" ({ref.text})" if ref.text else (f" {ref.uuid}" if ref.uuid else "")
    aps = f" in application policy set `{ref.aps}`" if ref.aps else ""
    unresolved = "" if ref.source or not ref.uuid else " (not resolved: no config API or ACL knows it)"
    return f"{head}, {rule}{text}{aps}{unresolved}"


def _flow_words(rec: FlowRecord) -> str:
    proto = protocol_name(rec.protocol).upper()
    if rec.protocol in (1, 58):
        return f"{proto} {rec.sip} → {rec.dip}"
    return f"{proto} {rec.sip}:{rec.src_port} → {rec.dip}:{rec.dst_port}"


def _tag_names(ids: tuple[int, ...], names: dict[int, str]) -> tuple[str, ...]:
    return tuple(names.get(i, f"tag {i:#x}") for i in ids)


_STAGE_BLOCKS = {"network-policy": "policy", "security-group": "sg", "firewall-policy": "policy_set"}


def _passed_line(rec: FlowRecord, stage: str, resolver: RuleResolver | None) -> str | None:
    ref = _stage_rule(rec, stage, resolver)
    label = STAGE_WORDS[stage]
    if ref is None:
        # agents before firewall policies (4.1) report no such stage at all
        return f"{label}: allowed" if _STAGE_BLOCKS.get(stage) in rec.blocks else None
    if ref.kind == "implicit":
        if ref.uuid == NOT_EVALUATED:
            return f"{label}: not evaluated"
        return f"{label}: allowed ({ref.name}: {ref.text})"
    return f"{label}: allowed by {describe_rule(ref, stage)}"


def explain(rec: FlowRecord, resolver: RuleResolver | None = None,
            tag_names: dict[int, str] | None = None) -> Verdict:
    """The decision chain for one flow record."""
    names = tag_names or {}
    local, remote = _tag_names(rec.local_tags, names), _tag_names(rec.remote_tags, names)
    flow = _flow_words(rec)
    head = [f"{flow} ({rec.direction or 'direction ?'}"
            f"{', reverse flow' if rec.reverse_flow else ''}{', local flow' if rec.local_flow else ''})"]
    if rec.source_vn or rec.dest_vn:
        head.append(f"networks: {rec.source_vn or '?'} → {rec.dest_vn or '?'}")
    if local or remote:
        head.append(f"tags: {' & '.join(local) or 'none'} → {' & '.join(remote) or 'none'}")
    verdict = rec.verdict
    if rec.short_flow or (rec.dropped and drop_reason_of(rec.drop_reason).stage == "short-flow"):
        why = short_flow_words(rec.short_reason or rec.drop_reason)
        chain = (*head, f"short flow: {why} — not a policy decision; the agent drops it until it can set it up")
        return Verdict("drop", "short-flow", drop_reason_of(rec.short_reason or rec.drop_reason), RuleRef(None),
                       chain, f"{flow} dropped as a short flow: {why}", local, remote)
    if verdict != "drop":
        lines = [line for s in ("network-policy", "security-group", "firewall-policy")
                 if (line := _passed_line(rec, s, resolver))]
        rule = _deciding_pass_rule(rec, resolver)
        said = f" by {describe_rule(rule, 'firewall-policy')}" if rule and rule.kind not in ("implicit",) else ""
        summary = f"{flow} {'passed' if verdict == 'pass' else verdict}{said}"
        return Verdict(verdict, "", None, rule, (*head, *lines), summary, local, remote)
    reason = drop_reason_of(rec.drop_reason)
    if reason.stage in ("network-policy", "security-group", "fwaas", "firewall-policy"):
        order = ("network-policy", "security-group", "fwaas", "firewall-policy")
        before = [line for s in order[:order.index(reason.stage)] if s != "fwaas"
                  if (line := _passed_line(rec, s, resolver))]
        rule = _stage_rule(rec, reason.stage, resolver) or RuleRef(RULE_KINDS[reason.stage])
        acls = rec.blocks.get(reason.block)
        evaluated = f" (ACLs evaluated: {', '.join(acls.acls)})" if acls and acls.acls else ""
        by = describe_rule(rule, reason.stage) if rule.uuid else f"{STAGE_WORDS[reason.stage]} (no rule id reported)"
        drop_line = f"{STAGE_WORDS[reason.stage]}: DROPPED {reason.variant_words} by {by}{evaluated}"
        summary = f"{flow} dropped by {by}"
        return Verdict("drop", reason.stage, reason, rule, (*head, *before, drop_line), summary, local, remote)
    # UNKNOWN: what a reverse flow says when its forward flow was dropped, or a drop no stage claims
    rule = _any_drop_rule(rec, resolver)
    if rec.reverse_flow:
        line = "reverse flow of a dropped flow: it takes the forward flow's verdict"
    else:
        line = f"dropped (drop reason {rec.drop_reason or 'not given'})"
    if rule is not None:
        line += f"; the rule: {describe_rule(rule)}"
    if rec.reverse_flow:
        summary = f"{flow} dropped (reverse of a flow dropped by {describe_rule(rule)})" if rule is not None \
            else f"{flow} dropped (reverse of a dropped flow)"
    else:
        summary = f"{flow} dropped" + (f" by {describe_rule(rule)}" if rule is not None else "")
    return Verdict("drop", "", reason, rule or RuleRef(None), (*head, line), summary, local, remote)


def _deciding_pass_rule(rec: FlowRecord, resolver: RuleResolver | None) -> RuleRef | None:
    """The most specific rule that let a flow through: firewall, else SG, else network policy, else implicit."""
    refs = [_stage_rule(rec, s, resolver) for s in ("firewall-policy", "security-group", "network-policy")]
    real = [r for r in refs if r is not None and r.kind != "implicit"]
    if real:
        return real[0]
    markers = [r for r in refs if r is not None and r.uuid != NOT_EVALUATED]
    return markers[0] if markers else None


def _any_drop_rule(rec: FlowRecord, resolver: RuleResolver | None) -> RuleRef | None:
    for stage in ("firewall-policy", "security-group", "network-policy"):
        ref = _stage_rule(rec, stage, resolver)
        if ref is not None and ref.uuid not in (NOT_EVALUATED, IMPLICIT_ALLOW):
            return ref
    return None


def tag_names_from(tags) -> dict[int, str]:
    """Config API tags (``tag_id`` "0x00000001") → {1: "label=cirros1"}, for ``local/remote_tag_list``."""
    out: dict[int, str] = {}
    for t in tags:
        try:
            out[int(str(t.tag_id), 16)] = t.name
        except ValueError:
            continue
    return out


def rule_json(verdict: Verdict) -> dict:
    ref = verdict.rule
    if ref is None:
        return RuleRef(None).to_json()
    out = ref.to_json()
    if ref.kind in (None, "implicit") or ref.text or ref.source:
        return out
    out["text"] = describe_rule(ref)
    return out


def flow_json(rec: FlowRecord, verdict: Verdict) -> dict:
    """One flow as `tftui flows --json` prints it (issue 13's shape, plus the decision in one sentence)."""
    return {
        "uuid": rec.uuid, "sip": rec.sip, "dip": rec.dip, "src_port": rec.src_port, "dst_port": rec.dst_port,
        "protocol": rec.protocol, "action": verdict.verdict, "actions": list(rec.action_names),
        "drop_reason": rec.drop_reason or None,
        "short_flow": (rec.short_reason or "yes") if rec.short_flow else None,
        "direction": rec.direction, "source_vn": rec.source_vn, "dest_vn": rec.dest_vn,
        "reverse_flow": rec.reverse_flow, "vmi": rec.vmi or None, "packets": rec.packets, "bytes": rec.bytes,
        "local_tags": list(verdict.local_tags), "remote_tags": list(verdict.remote_tags),
        "rule": rule_json(verdict), "why": verdict.summary,
    }
