"""The agent's ACLs (``AclReq``), per-rule hit counts (``AclFlowCountReq``) and the flows of one ACL
(``AclFlowReq``): decoding, paging keys, and the lab's encoders.

An ACL is a network policy, a security group's rules, or a firewall policy (whose ACL uuid is the policy's
uuid and whose name is its FQ name); each entry carries the config rule's uuid, which is what flow
records name in ``sg_rule_uuid`` / ``nw_ace_uuid`` / ``fw_policy_match``. Keys: ``<acl>:<ace_id>`` for
counts (done at ``<acl>:``), ``<acl>:<count>`` for flows (done at ``<acl>:0``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..sandesh import DEFAULT_MAX_BYTES, F, L, S, SandeshError, Struct, decode_messages, encode_document
from .actions import ACTION_NAMES, protocol_name
from .records import FlowDecodeError, _int, _strings, _text, _yes

PAGE_SIZE = 100  # AclFlowMgmtEntry::MaxResponses


@dataclass(frozen=True)
class AclEntry:
    ace_id: str
    uuid: str = ""
    rule_type: str = "Terminal"
    src: str = ""
    dst: str = ""
    src_type: str = ""  # ip | network | sg | tags | AddressGroup | unknown
    dst_type: str = ""
    protocols: tuple[tuple[int, int], ...] = ()
    src_ports: tuple[tuple[int, int], ...] = ()
    dst_ports: tuple[tuple[int, int], ...] = ()
    actions: tuple[str, ...] = ()
    match_condition: str = ""
    ether_type: str = "IPv4"


@dataclass(frozen=True)
class Acl:
    uuid: str
    name: str = ""
    dynamic: bool = False
    entries: tuple[AclEntry, ...] = ()

    def entry_for_rule(self, rule_uuid: str) -> AclEntry | None:
        return next((e for e in self.entries if e.uuid == rule_uuid), None)


@dataclass(frozen=True)
class AclCounts:
    """One ``AclFlowCountResp`` page: flows of the ACL and hits per ACE id."""

    flow_count: int = 0
    flow_miss: int = 0
    counts: tuple[tuple[str, int], ...] = ()
    next_key: str = ""


@dataclass(frozen=True)
class AclFlow:
    """One ``FlowSandeshData`` (agent.sandesh) of an ``AclFlowResp``."""

    uuid: str
    src: str
    dst: str
    src_port: int = 0
    dst_port: int = 0
    protocol: int = 0
    source_vn: str = ""
    dest_vn: str = ""
    ace_ids: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    implicit_deny: bool = False
    packets: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class AclFlowPage:
    flow_count: int = 0
    flow_miss: int = 0
    flows: tuple[AclFlow, ...] = ()
    next_key: str = ""


def _ranges(value) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list):
        return ()
    return tuple((_int(r.get("min")), _int(r.get("max"))) for r in value if isinstance(r, dict))


def acl_entry_from_struct(st: dict) -> AclEntry:
    return AclEntry(
        ace_id=_text(st.get("ace_id", "")), uuid=_text(st.get("uuid", "")), rule_type=_text(st.get("rule_type", "")),
        src=_text(st.get("src", "")), dst=_text(st.get("dst", "")), src_type=_text(st.get("src_type", "")),
        dst_type=_text(st.get("dst_type", "")), protocols=_ranges(st.get("proto_l")),
        src_ports=_ranges(st.get("src_port_l")), dst_ports=_ranges(st.get("dst_port_l")),
        actions=_strings(st.get("action_l")), match_condition=_text(st.get("match_condition", "")),
        ether_type=_text(st.get("ether_type", "")) or "IPv4",
    )


def _messages(body: bytes, max_bytes: int):
    try:
        return decode_messages(body, max_bytes)
    except SandeshError as exc:
        raise FlowDecodeError(str(exc)) from None


def decode_acl_reply(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Acl]:
    """Every ACL of an ``AclReq`` reply (``__AclResp_list`` with its trailing ``Pagination``, or bare)."""
    return acls_from_messages(_messages(body, max_bytes))


def acls_from_messages(messages) -> list[Acl]:
    out: list[Acl] = []
    seen = False
    for msg in messages:
        if msg.name != "AclResp":
            continue
        seen = True
        for item in msg.fields.get("acl_list") or []:
            if isinstance(item, Struct):
                entries = tuple(acl_entry_from_struct(e) for e in item.get("entries") or [] if isinstance(e, Struct))
                out.append(Acl(_text(item.get("uuid", "")), _text(item.get("name", "")),
                               bool(item.get("dynamic_acl") is True), entries))
    if not seen:
        raise FlowDecodeError("not an ACL reply")
    return out


def decode_acl_counts(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> AclCounts:
    return counts_from_messages(_messages(body, max_bytes))


def counts_from_messages(messages) -> AclCounts:
    """Hit counts of one page, or of several pages merged (the figures of the last, every ACE once)."""
    counts: dict[str, int] = {}
    out = None
    for msg in messages:
        if msg.name == "AclFlowCountResp":
            f = msg.fields
            for c in f.get("aceid_cnt_list") or []:
                if isinstance(c, Struct):
                    counts[_text(c.get("ace_id", ""))] = _int(c.get("flow_cnt"))
            key = _text(f.get("iteration_key", ""))
            out = AclCounts(_int(f.get("flow_count")), _int(f.get("flow_miss")), (), "" if counts_done(key) else key)
    if out is None:
        raise FlowDecodeError("not an ACL flow count reply")
    return AclCounts(out.flow_count, out.flow_miss, tuple(counts.items()), out.next_key)


def counts_done(key: str) -> bool:
    """``<acl>:`` (no ACE id after the colon) ends the walk; so does an empty or malformed key."""
    return key.count(":") != 1 or key.endswith(":")


def flows_done(key: str) -> bool:
    """``<acl>:0`` ends the walk; so does an empty or malformed key."""
    return key.count(":") != 1 or key.rsplit(":", 1)[1].strip() in ("", "0")


def acl_flow_from_struct(st: dict) -> AclFlow:
    aces = tuple(_text(a.get("id", "")) for a in st.get("ace_l") or [] if isinstance(a, dict))
    return AclFlow(
        uuid=_text(st.get("flow_uuid", "")), src=_text(st.get("src", "")), dst=_text(st.get("dst", "")),
        src_port=_int(st.get("src_port")), dst_port=_int(st.get("dst_port")), protocol=_int(st.get("protocol")),
        source_vn=_text(st.get("source_vn", "")), dest_vn=_text(st.get("dest_vn", "")), ace_ids=aces,
        actions=_strings(st.get("action_l")), implicit_deny=_yes(st.get("implicit_deny")),
        packets=_int(st.get("packets")), bytes=_int(st.get("bytes")),
    )


def decode_acl_flows(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> AclFlowPage:
    return acl_flows_from_messages(_messages(body, max_bytes))


def acl_flows_from_messages(messages) -> AclFlowPage:
    """The flows of one page, or of several merged: each flow once (every page after the first repeats the
    previous page's last flow)."""
    flows: dict[str, AclFlow] = {}
    out = None
    for msg in messages:
        if msg.name == "AclFlowResp":
            f = msg.fields
            for item in f.get("flow_entries") or []:
                if isinstance(item, Struct):
                    flow = acl_flow_from_struct(item)
                    flows.setdefault(flow.uuid or f"{flow.src}/{flow.dst}/{flow.src_port}/{flow.dst_port}", flow)
            key = _text(f.get("iteration_key", ""))
            out = AclFlowPage(_int(f.get("flow_count")), _int(f.get("flow_miss")), (), "" if flows_done(key) else key)
        elif msg.name == "AclFlowCountResp" and out is None:  # the agent's answer to a malformed key
            out = AclFlowPage()
    if out is None:
        raise FlowDecodeError("not an ACL flow reply")
    return AclFlowPage(out.flow_count, out.flow_miss, tuple(flows.values()), out.next_key)


# ------------------------------------------------------------------------------------ rendering


def _range_text(ranges: tuple[tuple[int, int], ...], protocol: bool = False) -> str:
    parts = []
    for lo, hi in ranges:
        if protocol:
            parts.append("any" if (lo, hi) == (0, 255) else (protocol_name(lo) if lo == hi else f"{lo}-{hi}"))
        else:
            parts.append("any" if (lo, hi) == (0, 65535) else (str(lo) if lo == hi else f"{lo}-{hi}"))
    return ",".join(parts) or "any"


def endpoint_text(value: str, kind: str, tag_names: dict[int, str] | None = None) -> str:
    """An ACE's ``src``/``dst`` in words: tag ids become ``type=value`` when the names are known."""
    if kind == "tags":
        ids = [t.strip() for t in value.split(",") if t.strip() and t.strip() != "Empty"]
        names = []
        for t in ids:
            try:
                names.append((tag_names or {}).get(int(t), f"tag {t}"))
            except ValueError:
                names.append(t)
        return " & ".join(names) or "any"
    if kind == "network":
        return f"vn:{value}" if value else "any"
    if kind == "sg":
        return f"sg:{value}"
    if kind == "ip":
        return _ip_masks(value)
    return value or "any"


def _ip_masks(value: str) -> str:
    """``BuildIpMaskList``'s ``10.0.0.0 255.0.0.0`` pairs as prefixes (``0.0.0.0 0.0.0.0`` is any IPv4)."""
    words = value.split()
    if len(words) % 2:
        return value or "any"
    out = []
    for addr, mask in zip(words[0::2], words[1::2], strict=True):
        try:
            length = bin(int(ipaddress.ip_address(mask))).count("1")
            out.append(str(ipaddress.ip_network(f"{addr}/{length}", strict=False)))
        except ValueError:
            out.append(f"{addr} {mask}")
    return ", ".join(out) or "any"


def entry_text(entry: AclEntry, tag_names: dict[int, str] | None = None) -> str:
    src = endpoint_text(entry.src, entry.src_type, tag_names)
    dst = endpoint_text(entry.dst, entry.dst_type, tag_names)
    proto = _range_text(entry.protocols, protocol=True)
    ports = _range_text(entry.dst_ports)
    service = proto if ports == "any" or proto in ("icmp", "icmp6") else f"{proto}:{ports}"
    known = set(ACTION_NAMES.values())
    action = "/".join(a for a in entry.actions if a in known) or "?"
    match = f", match {entry.match_condition.strip()}" if entry.match_condition.strip() else ""
    return f"{src} → {dst}, {service}, {action}{match}"


# ------------------------------------------------------------------------------------ encoding (lab)


def _range_list(ranges: tuple[tuple[int, int], ...]) -> L:
    return L("struct", [S("SandeshRange", [F("min", "i32", lo, 1), F("max", "i32", hi, 2)]) for lo, hi in ranges])


def _entry_struct(e: AclEntry) -> S:
    fields = [
        F("ace_id", "string", e.ace_id, 1), F("rule_type", "string", e.rule_type, 2), F("src", "string", e.src, 3),
        F("dst", "string", e.dst, 4), F("src_port_l", "list", _range_list(e.src_ports), 5),
        F("dst_port_l", "list", _range_list(e.dst_ports), 6), F("proto_l", "list", _range_list(e.protocols), 7),
        F("action_l", "list", L("struct", [S("ActionStr", [F("action", "string", a, 1)]) for a in e.actions]), 8),
        F("src_type", "string", e.src_type, 9), F("dst_type", "string", e.dst_type, 10),
        F("uuid", "string", e.uuid, 11),
    ]
    if e.match_condition:
        fields.append(F("match_condition", "string", e.match_condition, 12))
    fields.append(F("ether_type", "string", e.ether_type, 13))
    return S("AclEntrySandeshData", fields)


def _acl_struct(acl: Acl) -> S:
    return S("AclSandeshData", [
        F("uuid", "string", acl.uuid, 1, link="AclFlowReq"), F("dynamic_acl", "bool", acl.dynamic, 2),
        F("entries", "list", L("struct", [_entry_struct(e) for e in acl.entries]), 3),
        F("name", "string", acl.name, 4)])


def encode_acl_reply(acls: list[Acl]) -> bytes:
    """``AclReq``'s answer as the agent's DB-table walk sends it: the list, then its Pagination."""
    page = S("PageReqData", [F("prev_page", "string", "", 1, link="PageReq"),
                             F("next_page", "string", "", 2, link="PageReq"),
                             F("first_page", "string", "", 3, link="PageReq"),
                             F("all", "string", "", 4, link="PageReq"),
                             F("table_size", "u32", len(acls), 5),
                             F("entries", "string", f"0-{max(len(acls) - 1, 0)}/{len(acls)}", 6)])
    return encode_document([
        ("AclResp", [F("acl_list", "list", L("struct", [_acl_struct(a) for a in acls]), 1),
                     F("more", "bool", True, 0)]),
        ("Pagination", [F("req", "struct", page, 1), F("more", "bool", False, 0)]),
    ], list_name="__AclResp_list")


def encode_acl_counts(acl_uuid: str, flow_count: int, flow_miss: int, counts: list[tuple[str, int]],
                      after: str = "") -> bytes:
    """One page of hit counts after ACE id ``after`` (AclFlowMgmtEntry::FillAceFlowSandeshInfo)."""
    rest = sorted((c for c in counts if c[0] > after), key=lambda c: c[0]) if after else sorted(counts)
    page, more = rest[:PAGE_SIZE], len(rest) > PAGE_SIZE
    key = f"{acl_uuid}:{page[-1][0]}" if more else f"{acl_uuid}:"
    items = [S("AceIdFlowCnt", [F("ace_id", "string", a, 1), F("flow_cnt", "i32", n, 2)]) for a, n in page]
    return encode_document([("AclFlowCountResp", [
        F("flow_count", "i32", flow_count, 1), F("flow_miss", "i32", flow_miss, 2),
        F("aceid_cnt_list", "list", L("struct", items), 3),
        F("iteration_key", "string", key, 4, link="NextAclFlowCountReq"), F("more", "bool", False, 0)])])


def _acl_flow_struct(f: AclFlow) -> S:
    return S("FlowSandeshData", [
        F("ace_l", "list", L("struct", [S("AceId", [F("id", "string", a, 1)]) for a in f.ace_ids]), 1),
        F("vrf", "string", "0", 2), F("src", "string", f.src, 3), F("dst", "string", f.dst, 4),
        F("src_port", "i32", f.src_port, 5), F("dst_port", "i32", f.dst_port, 6), F("protocol", "i16", f.protocol, 7),
        F("ingress", "bool", True, 8),
        F("action_l", "list", L("struct", [S("ActionStr", [F("action", "string", a, 1)]) for a in f.actions]), 9),
        F("acl_action_l", "list", L("struct", []), 10), F("flow_uuid", "string", f.uuid, 11),
        F("flow_handle", "string", "0", 12), F("dest_vrf", "string", "0", 13),
        F("source_vn", "string", f.source_vn, 14), F("dest_vn", "string", f.dest_vn, 15),
        F("bytes", "string", str(f.bytes), 18), F("packets", "string", str(f.packets), 19),
        F("reverse_flow", "string", "no", 23), F("nat", "string", "disabled", 24),
        F("implicit_deny", "string", "yes" if f.implicit_deny else "no", 25), F("l3_flow", "bool", True, 28),
    ])


def encode_acl_flows(acl_uuid: str, flows: list[AclFlow], last_count: int, flow_miss: int = 0) -> bytes:
    """One page of an ACL's flows, as AclFlowMgmtEntry::FillAclFlowSandeshInfo builds it. That walk skips
    ``last_count - 1`` flows, so every page after the first repeats the previous page's last flow: a client
    must de-duplicate by flow uuid, as it must for NextFlowRecordsSet."""
    start = max(0, last_count - 1)
    stop = PAGE_SIZE + last_count
    page = flows[start:stop]
    more = stop < len(flows)
    key = f"{acl_uuid}:{stop if more else 0}"
    return encode_document([("AclFlowResp", [
        F("flow_count", "i32", len(flows), 1), F("flow_miss", "i32", flow_miss, 2),
        F("flow_entries", "list", L("struct", [_acl_flow_struct(f) for f in page]), 3),
        F("iteration_key", "string", key, 4, link="NextAclFlowReq"), F("more", "bool", False, 0)])])


def encode_acl_flows_bad_key() -> bytes:
    return encode_document([("AclFlowCountResp", [
        F("flow_count", "i32", 0, 1), F("flow_miss", "i32", 0, 2), F("aceid_cnt_list", "list", L("struct", []), 3),
        F("iteration_key", "string", "", 4, link="NextAclFlowCountReq"), F("more", "bool", False, 0)])])
