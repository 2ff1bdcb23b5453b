"""The vrouter agent's flow vocabulary: action bits, drop reasons, short-flow reasons, implicit-rule markers.

Everything here is the agent's own wording (tf-controller ``filter/traffic_action.{h,cc}``,
``pkt/flow_entry.cc`` ``FlowDropReasonStr``/``FlowPolicyStateStr``, ``kstate/flow_kstate.cc``
``DropCodeToStr``), paired with what it means for an operator in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

# TrafficAction::Action: bit positions in SandeshFlowData.action and FlowAclInfo.action
ALERT, DENY, LOG, PASS, MIRROR, VRF_TRANSLATE, APPLY_QOS, HBS, TRAP, IMPLICIT_DENY = 1, 3, 4, 5, 7, 8, 9, 10, 28, 29
ACTION_NAMES = {
    ALERT: "alert", DENY: "deny", LOG: "log", PASS: "pass", MIRROR: "mirror", VRF_TRANSLATE: "VRF assign",
    APPLY_QOS: "Apply QOS marking", HBS: "Apply HBS", TRAP: "trap", IMPLICIT_DENY: "implicit deny",
}
DROP_MASK = (1 << DENY) | (1 << IMPLICIT_DENY)  # FlowEntry::ShouldDrop


def action_names(mask: int) -> tuple[str, ...]:
    """The agent's ``SetActionStr`` for a mask: one name per set bit, lowest first (``unknown`` for others)."""
    return tuple(ACTION_NAMES.get(bit, "unknown") for bit in range(32) if mask >> bit & 1)


def is_drop(mask: int) -> bool:
    return bool(mask & DROP_MASK)


def verdict_of(mask: int, action_str: tuple[str, ...] = ()) -> str:
    """``drop``, ``pass``, ``trap`` or ``unknown``: from the mask, or from the strings when the mask is absent."""
    names = set(action_str)
    if is_drop(mask) or names & {"deny", "drop", "implicit deny"}:
        return "drop"
    if mask & (1 << TRAP) or "trap" in names:
        return "trap"
    if mask & (1 << PASS) or "pass" in names:
        return "pass"
    return "unknown"


# ----------------------------------------------------------------------------------- policy stages

STAGES = ("network-policy", "security-group", "fwaas", "firewall-policy")
STAGE_WORDS = {
    "network-policy": "network policy",
    "security-group": "security group",
    "fwaas": "FWaaS policy",
    "firewall-policy": "firewall policy",
    "short-flow": "short flow (not policy)",
}
# The rule-kind names `tftui flows --json` uses for each stage (issue 13's JSON shape).
RULE_KINDS = {"network-policy": "network-policy", "security-group": "security-group", "fwaas": "firewall",
              "firewall-policy": "firewall"}


@dataclass(frozen=True)
class DropReason:
    """One ``drop_reason`` string: the stage that dropped, which of its ACL lists, and where the rule id is."""

    text: str
    stage: str  # a STAGES entry, or "short-flow", or "" (UNKNOWN)
    variant: str = "forward"  # forward | out | reverse | reverse-out
    block: str = ""  # the SandeshFlowData FlowAclInfo element holding that stage's ACLs
    rule_field: str = ""  # the SandeshFlowData element naming the rule

    @property
    def variant_words(self) -> str:
        return {"forward": "on the source interface", "out": "on the destination interface (out)",
                "reverse": "on the reverse flow", "reverse-out": "on the reverse flow's out interface"}[self.variant]


def _policy_reasons() -> dict[str, DropReason]:
    out = {
        "Flow drop Policy": DropReason("Flow drop Policy", "network-policy", "forward", "policy", "nw_ace_uuid"),
        "Flow drop Out Policy": DropReason("Flow drop Out Policy", "network-policy", "out", "out_policy",
                                           "nw_ace_uuid"),
    }
    variants = (("forward", ""), ("out", "OUT "), ("reverse", "REVERSE "), ("reverse-out", "REVERSE OUT "))
    for variant, word in variants:
        block = {"forward": "", "out": "out_", "reverse": "reverse_", "reverse-out": "reverse_out_"}[variant]
        sg = f"Flow drop {word}SG"
        out[sg] = DropReason(sg, "security-group", variant, f"{block}sg", "sg_rule_uuid")
        fw = f"Flow drop {word}Firewall Policy"
        out[fw] = DropReason(fw, "firewall-policy", variant, f"{block}policy_set", "fw_policy_match")
        fwaas = f"Flow drop {word}FWAAS Policy"
        fwaas_block = {"forward": "fwaas_policy_set", "out": "fwaas_out_policy_set",
                       "reverse": "fwaas_reverse_policy_set", "reverse-out": "fwaas_reverse_out_policy_set"}[variant]
        out[fwaas] = DropReason(fwaas, "fwaas", variant, fwaas_block, "")
    return out


POLICY_DROP_REASONS = _policy_reasons()

# FlowEntry::FlowDropReasonStr, the short-flow half ("Short flow " prefix), each in words. Older agents (3.x)
# wrote the reason without the prefix inside ``short_flow`` ("yes (No Reverse flow)"), so both forms are known.
SHORT_FLOW_REASONS = {
    "Interface unavialable": "the flow's interface is not (yet) known to the agent",
    "Ipv4 forwarding disabled": "IPv4 forwarding is disabled on the interface",
    "VRF unavailable": "the VRF of the interface is not available",
    "No Source route": "no route to the source address in the VRF",
    "No Destination route": "no route to the destination address in the VRF",
    "Audit Entry": "a flow the vrouter set up that the agent did not know (audited)",
    "VRF CHANGE": "the VRF changed while the flow was set up",
    "VRF Change": "the VRF changed while the flow was set up",
    "No Reverse flow": "the reverse flow could not be created",
    "Reverse flow change": "the reverse flow changed",
    "NAT Changed": "NAT changed for the flow",
    "Flow Limit Reached": "the flow table or the VM's flow limit is full",
    "Linklocal source NAT failed": "source NAT of a link-local service failed",
    "vrouter install failed": "the vrouter refused to install the flow",
    "invalid L2 flow": "invalid layer-2 flow",
    "TSN flow": "flow on a TSN node",
    "No mirror entry ": "the mirror destination is missing",
    "No mirror entry": "the mirror destination is missing",
    "same flow and rflow": "forward and reverse flow have the same key",
    "No Source route for RPF NH": "no source route for the reverse-path-forwarding check",
    "Conflicting config for NAT and FAT flow": "NAT and fat-flow configuration conflict",
    "l3mh compute physical interface flap": "a physical interface of a multihomed compute flapped",
}
SHORT_FLOW_PREFIX = "Short flow "


def short_flow_words(reason: str) -> str:
    """``Short flow No Reverse flow`` (or the bare form) in words; unknown reasons are kept as the agent said."""
    bare = reason[len(SHORT_FLOW_PREFIX):] if reason.startswith(SHORT_FLOW_PREFIX) else reason
    return SHORT_FLOW_REASONS.get(bare) or SHORT_FLOW_REASONS.get(bare.strip()) or bare.strip() or "unknown reason"


def drop_reason_of(text: str) -> DropReason:
    text = (text or "").strip()
    if text in POLICY_DROP_REASONS:
        return POLICY_DROP_REASONS[text]
    if text.startswith(SHORT_FLOW_PREFIX) or text in SHORT_FLOW_REASONS:
        return DropReason(text, "short-flow")
    return DropReason(text or "UNKNOWN", "")


def parse_short_flow(value: str) -> tuple[bool, str]:
    """``no`` → (False, ""); ``yes (Short flow No Reverse flow)`` → (True, that reason)."""
    value = (value or "").strip()
    if not value.lower().startswith("yes"):
        return False, ""
    rest = value[3:].strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return True, rest


# ----------------------------------------------------------------------------------- implicit rules

NOT_EVALUATED = "00000000-0000-0000-0000-000000000000"
IMPLICIT_ALLOW = "00000000-0000-0000-0000-000000000001"
IMPLICIT_DENY_UUID = "00000000-0000-0000-0000-000000000002"

# FlowEntry::FlowPolicyStateStr: note that the agent's map gives ...06 to NON_IP_FLOW and ...07 to BGP router service.
IMPLICIT_RULES = {
    NOT_EVALUATED: ("not evaluated", "this stage was not evaluated (an earlier stage decided the flow)"),
    IMPLICIT_ALLOW: ("implicit allow", "no ACL applies here, so the flow is allowed"),
    IMPLICIT_DENY_UUID: ("implicit deny", "ACLs apply here but no rule matched, so the flow is denied"),
    "00000000-0000-0000-0000-000000000003": (
        "default gateway ICMP/DNS", "ICMP or DNS to/from the default gateway is always allowed"),
    "00000000-0000-0000-0000-000000000004": ("link-local flow", "link-local (metadata) flows are not policed"),
    "00000000-0000-0000-0000-000000000005": ("multicast flow", "multicast flows are not policed"),
    "00000000-0000-0000-0000-000000000006": ("non-IP flow", "bridged non-IP flows are not policed"),
    "00000000-0000-0000-0000-000000000007": (
        "BGP router service flow", "BGP-as-a-service flows are not policed"),
}


def implicit_rule(uuid: str) -> tuple[str, str] | None:
    """(name, meaning) when ``uuid`` is one of the agent's implicit-rule markers."""
    return IMPLICIT_RULES.get((uuid or "").strip().lower())


# ----------------------------------------------------------------------------------- kernel flows

# FlowKState::DropCodeToStr, with the agent stage each datapath code corresponds to
KERNEL_DROP_REASONS = {
    "Unknown": ("", "unknown"),
    "IntfErr": ("short-flow", "interface unavailable"),
    "Ipv4Dis": ("short-flow", "IPv4 forwarding disabled"),
    "VrfErr": ("short-flow", "VRF unavailable"),
    "NoSrcRt": ("short-flow", "no source route"),
    "NoDstRt": ("short-flow", "no destination route"),
    "Audit": ("short-flow", "audited flow"),
    "VrfChange": ("short-flow", "VRF changed"),
    "NoRevFlow": ("short-flow", "no reverse flow"),
    "RevFlowChng": ("short-flow", "reverse flow changed"),
    "NatChng": ("short-flow", "NAT changed"),
    "FlowLim": ("short-flow", "flow limit reached"),
    "LinkSrcNatErr": ("short-flow", "link-local source NAT failed"),
    "Policy": ("network-policy", "network policy"),
    "OutPolicy": ("network-policy", "network policy (out)"),
    "SG": ("security-group", "security group"),
    "OutSG": ("security-group", "security group (out)"),
    "RevSG": ("security-group", "security group (reverse)"),
    "RevOutSG": ("security-group", "security group (reverse out)"),
    "FwPolicy": ("firewall-policy", "firewall policy"),
    "OutFwPolicy": ("firewall-policy", "firewall policy (out)"),
    "RevFwPolicy": ("firewall-policy", "firewall policy (reverse)"),
    "RevOutFwPolicy": ("firewall-policy", "firewall policy (reverse out)"),
    "SameFlowRflowKey": ("short-flow", "forward and reverse flow have the same key"),
}

# What the agent hands the datapath for each of its drop reasons (vr_flow.h VR_FLOW_DR_*, as KFlowInfo shows them)
KERNEL_CODE_FOR_REASON = {
    "Flow drop Policy": "Policy", "Flow drop Out Policy": "OutPolicy", "Flow drop SG": "SG",
    "Flow drop OUT SG": "OutSG", "Flow drop REVERSE SG": "RevSG", "Flow drop REVERSE OUT SG": "RevOutSG",
    "Flow drop Firewall Policy": "FwPolicy", "Flow drop OUT Firewall Policy": "OutFwPolicy",
    "Flow drop REVERSE Firewall Policy": "RevFwPolicy", "Flow drop REVERSE OUT Firewall Policy": "RevOutFwPolicy",
    "Short flow Interface unavialable": "IntfErr", "Short flow Ipv4 forwarding disabled": "Ipv4Dis",
    "Short flow VRF unavailable": "VrfErr", "Short flow No Source route": "NoSrcRt",
    "Short flow No Destination route": "NoDstRt", "Short flow Audit Entry": "Audit", "Short flow VRF CHANGE": "VrfChange",
    "Short flow No Reverse flow": "NoRevFlow", "Short flow Reverse flow change": "RevFlowChng",
    "Short flow NAT Changed": "NatChng", "Short flow Flow Limit Reached": "FlowLim",
    "Short flow Linklocal source NAT failed": "LinkSrcNatErr", "Short flow same flow and rflow": "SameFlowRflowKey",
}

# KFlowInfo.flags / tcp_flags tokens (the agent pads each with spaces and joins them with "|")
KERNEL_FLAGS = ("ACTIVE", "MIRROR", "VRFT", "SNAT", "SPAT", "DNAT", "DPAT", "LINK_LOCAL", "EVICTED",
                "EVICT_CANDIDATE", "NEW_FLOW", "MODIFIED", "RFLOW_VALID")
TCP_FLAGS = ("SYN", "SYN_R", "ESTB", "ESTB_R", "FIN", "FIN_R", "RST", "HALF_CLOSE", "DEAD")


def split_flags(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split("|") if t.strip())


def join_flags(flags: tuple[str, ...] | list[str]) -> str:
    """The agent's own spelling: `` ACTIVE | RFLOW_VALID `` (each token padded with spaces)."""
    return "|".join(f" {f} " for f in flags)


PROTOCOLS = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6", 47: "gre", 50: "esp", 132: "sctp"}
PROTOCOL_NUMBERS = {v: k for k, v in PROTOCOLS.items()}


def protocol_name(number: int) -> str:
    return PROTOCOLS.get(number, str(number))


PORTED = frozenset({6, 17, 132})  # tcp, udp, sctp: their ports are ports (ICMP's are its id and type)


def endpoint(ip: str, port: int, protocol: int) -> str:
    """``10.0.0.1:22``, ``[fd00::1]:22``, or the address alone for a protocol without ports."""
    if protocol not in PORTED:
        return ip
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
