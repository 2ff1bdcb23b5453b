"""Agent flow records (``SandeshFlowData``), their pages and paging keys: decoding, and the lab's encoder.

``FetchAllFlowRecords`` / ``NextFlowRecordsSet`` answer ``FlowRecordsResp`` with up to 100 records and the
key of the last one; the key comes back as a *start key* when the table has been walked. Three key formats
exist (``p-nh-sport-dport-proto-sip-dip`` now; without the partition before; ``:``-separated on the first
releases): keys are opaque to tftui, which only echoes them and recognises the start keys.
``FetchFlowRecord`` answers ``FlowRecordResp`` or ``FlowErrorResp``. Fields are read by name; records from
every release decode, and values that arrive as text (older captures) are converted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..introspect.agent import FLOW_START_KEY, OLD_FLOW_START_KEYS
from ..sandesh import (
    DEFAULT_MAX_BYTES,
    F,
    L,
    Raw,
    S,
    SandeshError,
    Struct,
    decode_messages,
    encode_document,
    encode_struct,
)
from .actions import action_names, parse_short_flow, verdict_of

PAGE_SIZE = 100  # PktSandeshFlow::kMaxFlowResponse
START_KEY = FLOW_START_KEY  # PktSandeshFlow::start_key (partitioned flow tables, 3.1+)
# the start key of each key format: current, without partition, the first releases (":"-separated)
START_KEY_OF = {"partition": FLOW_START_KEY, "dash": OLD_FLOW_START_KEYS[0], "colon": OLD_FLOW_START_KEYS[1]}
START_KEYS = frozenset(START_KEY_OF.values())
NO_RECORD = "No Flow Record for specified key "


class FlowDecodeError(ValueError):
    """A flow reply that cannot be used; the message says why in a few words."""


@dataclass(frozen=True)
class AclBlock:
    """One ``FlowAclInfo``: the stage's combined action and the ACLs (uuids) it evaluated."""

    action: int = 0
    acls: tuple[str, ...] = ()
    action_str: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowRecord:
    """The fields of one ``SandeshFlowData`` tftui uses (by name; absent ones keep their defaults)."""

    sip: str
    dip: str
    src_port: int = 0
    dst_port: int = 0
    protocol: int = 0
    vrf: int = -1
    dest_vrf: int = -1
    nh: int = -1
    uuid: str = ""
    action: int = 0
    action_str: tuple[str, ...] = ()
    drop_reason: str = ""
    short_flow: bool = False
    short_reason: str = ""
    implicit_deny: bool = False
    direction: str = ""
    reverse_flow: bool = False
    local_flow: bool = False
    nat: bool = False
    source_vn: str = ""
    dest_vn: str = ""
    src_vn_list: tuple[str, ...] = ()
    dst_vn_list: tuple[str, ...] = ()
    sg_rule_uuid: str = ""
    nw_ace_uuid: str = ""
    fw_policy_match: str = ""
    local_tags: tuple[int, ...] = ()
    remote_tags: tuple[int, ...] = ()
    remote_prefix: str = ""
    vmi: str = ""
    peer_vrouter: str = ""
    tunnel_type: str = ""
    flow_handle: int = -1
    gen_id: int = 0
    packets: int = 0
    bytes: int = 0
    setup_time: str = ""
    setup_time_utc: int = 0
    blocks: dict[str, AclBlock] = field(default_factory=dict, compare=False, hash=False)

    @property
    def verdict(self) -> str:
        """``drop``, ``pass``, ``trap`` or ``unknown``."""
        return verdict_of(self.action, self.action_str)

    @property
    def dropped(self) -> bool:
        return self.verdict == "drop"

    @property
    def action_names(self) -> tuple[str, ...]:
        return self.action_str or action_names(self.action)

    @property
    def five_tuple(self) -> tuple[str, str, int, int, int]:
        return self.sip, self.dip, self.protocol, self.src_port, self.dst_port

    @property
    def identity(self) -> str:
        """What tells two records apart across pages: the flow uuid, else the key fields."""
        return self.uuid or f"{self.nh}/{self.sip}/{self.dip}/{self.protocol}/{self.src_port}/{self.dst_port}"


@dataclass(frozen=True)
class FlowPage:
    flows: tuple[FlowRecord, ...]
    next_key: str = ""  # the key to ask for next; "" when the table has been walked
    error: str = ""  # FlowErrorResp text: the agent has nothing (more) for that key

    @property
    def last(self) -> bool:
        return not self.next_key


def is_start_key(key: str) -> bool:
    return key.strip() in START_KEYS


def key_format(key: str) -> str:
    """Which of the agent's key formats ``key`` is in ("partition", "dash", "colon", or "unknown")."""
    key = key.strip()
    if key.count("-") == 6:
        return "partition"
    if key.count("-") == 5:
        return "dash"
    if key.count(":") == 5:
        return "colon"
    return "unknown"


# ------------------------------------------------------------------------------------ decoding


def _int(value, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _strings(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for item in value:
        text = _text(item.get("action", "")) if isinstance(item, dict) else _text(item)  # ActionStr{action}
        if text:
            out.append(text)
    return tuple(out)


def _ints(value) -> tuple[int, ...]:
    return tuple(_int(v) for v in value) if isinstance(value, list) else ()


def _yes(value) -> bool:
    return _text(value).lower() in ("yes", "true", "enabled")


def acl_block(value) -> AclBlock:
    if not isinstance(value, dict):
        return AclBlock()
    acls = tuple(_text(a.get("uuid", "")) for a in value.get("acl") or [] if isinstance(a, dict))
    return AclBlock(_int(value.get("action")), tuple(a for a in acls if a), _strings(value.get("action_str")))


BLOCK_NAMES = ("policy", "out_policy", "sg", "out_sg", "reverse_sg", "reverse_out_sg", "policy_set",
               "out_policy_set", "reverse_policy_set", "reverse_out_policy_set", "fwaas_policy_set",
               "fwaas_out_policy_set", "fwaas_reverse_policy_set", "fwaas_reverse_out_policy_set", "mirror",
               "out_mirror", "vrf_assign_acl")


def flow_from_struct(st: dict) -> FlowRecord:
    """One ``SandeshFlowData`` (a decoded Struct, or any mapping of its element names)."""
    short, reason = parse_short_flow(_text(st.get("short_flow", "")))
    # Releases before 3.2 called the VNs src_vn/dst_vn; later ones *_vn_match (with origin VNs preferred).
    source_vn = _text(st.get("src_vn_match") or st.get("src_vn") or st.get("source_vn") or "")
    dest_vn = _text(st.get("dst_vn_match") or st.get("dst_vn") or st.get("dest_vn") or "")
    blocks = {name: acl_block(st[name]) for name in BLOCK_NAMES if isinstance(st.get(name), dict)}
    return FlowRecord(
        sip=_text(st.get("sip", "")), dip=_text(st.get("dip", "")), src_port=_int(st.get("src_port")),
        dst_port=_int(st.get("dst_port")), protocol=_int(st.get("protocol")), vrf=_int(st.get("vrf"), -1),
        dest_vrf=_int(st.get("dest_vrf"), -1), nh=_int(st.get("nh"), -1), uuid=_text(st.get("uuid", "")),
        action=_int(st.get("action")), action_str=_strings(st.get("action_str")),
        drop_reason=_text(st.get("drop_reason", "")), short_flow=short, short_reason=reason,
        implicit_deny=_yes(st.get("implicit_deny")), direction=_text(st.get("direction", "")),
        reverse_flow=_yes(st.get("reverse_flow")), local_flow=_yes(st.get("local_flow")),
        nat=_yes(st.get("nat")), source_vn=source_vn, dest_vn=dest_vn,
        src_vn_list=_strings(st.get("src_vn_list")), dst_vn_list=_strings(st.get("dst_vn_list")),
        sg_rule_uuid=_text(st.get("sg_rule_uuid", "")), nw_ace_uuid=_text(st.get("nw_ace_uuid", "")),
        fw_policy_match=_text(st.get("fw_policy_match", "")), local_tags=_ints(st.get("local_tag_list")),
        remote_tags=_ints(st.get("remote_tag_list")), remote_prefix=_text(st.get("remote_prefix", "")),
        vmi=_text(st.get("vmi", "")), peer_vrouter=_text(st.get("peer_vrouter", "")),
        tunnel_type=_text(st.get("tunnel_type", "")), flow_handle=_int(st.get("flow_handle"), -1),
        gen_id=_int(st.get("gen_id")), packets=_int(st.get("stats_packets")), bytes=_int(st.get("stats_bytes")),
        setup_time=_text(st.get("setup_time", "")), setup_time_utc=_int(st.get("setup_time_utc")), blocks=blocks,
    )


def _messages(body: bytes, max_bytes: int):
    try:
        return decode_messages(body, max_bytes)
    except SandeshError as exc:
        raise FlowDecodeError(str(exc)) from None


def _refused(messages) -> str | None:
    for msg in messages:
        if msg.name in ("FlowErrorResp", "ErrorResp", "ErrResp"):
            return _text(msg.fields.get("resp", "")) or msg.name
    return None


def page_from_messages(messages) -> FlowPage:
    """The flows and next key of decoded ``FetchAllFlowRecords`` / ``NextFlowRecordsSet`` messages (one page or
    several, as the generic client hands them over)."""
    flows: list[FlowRecord] = []
    key = ""
    seen = False
    for msg in messages:
        if msg.name == "FlowRecordsResp":
            seen = True
            for item in msg.fields.get("flow_list") or []:
                if isinstance(item, Struct):
                    flows.append(flow_from_struct(item))
            key = _text(msg.fields.get("flow_key", ""))
    if not seen:
        error = _refused(messages)
        if error is not None:
            return FlowPage((), "", error)
        names = ", ".join(sorted({m.name for m in messages})) or "nothing"
        raise FlowDecodeError(f"not a flow table reply (got {names})")
    return FlowPage(tuple(flows), "" if not key or is_start_key(key) else key)


def decode_flow_page(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> FlowPage:
    """One ``FetchAllFlowRecords`` / ``NextFlowRecordsSet`` reply (bare or ``__FlowRecordsResp_list``)."""
    return page_from_messages(_messages(body, max_bytes))


def record_from_messages(messages) -> FlowRecord | None:
    """``FetchFlowRecord``: the record, or None for the agent's ``FlowErrorResp`` (no flow with that key)."""
    for msg in messages:
        if msg.name == "FlowRecordResp":
            record = msg.fields.get("record")
            if isinstance(record, Struct) and record:
                return flow_from_struct(record)
            return None
        if msg.name == "FlowRecordsResp":  # some releases answer a lookup with a one-record list
            items = [i for i in msg.fields.get("flow_list") or [] if isinstance(i, Struct)]
            return flow_from_struct(items[0]) if items else None
    if _refused(messages) is not None:
        return None
    names = ", ".join(sorted({m.name for m in messages})) or "nothing"
    raise FlowDecodeError(f"not a flow record reply (got {names})")


def decode_flow_record(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> FlowRecord | None:
    return record_from_messages(_messages(body, max_bytes))


@dataclass(frozen=True)
class FlowTableInfo:
    """``SandeshFlowTableInfoResp``: how full the agent's flow tables are."""

    flow_count: int = 0
    total_added: int = 0
    total_deleted: int = 0
    max_flows: int = 0
    tables: tuple[tuple[int, int], ...] = ()  # (index, count) per flow table (partition)


def decode_flow_table_info(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> FlowTableInfo:
    return table_info_from_messages(_messages(body, max_bytes))


def table_info_from_messages(messages) -> FlowTableInfo:
    for msg in messages:
        if msg.name == "SandeshFlowTableInfoResp":
            f = msg.fields
            tables = tuple((_int(t.get("index")), _int(t.get("count"))) for t in f.get("table_list") or []
                           if isinstance(t, Struct))
            return FlowTableInfo(_int(f.get("flow_count")), _int(f.get("total_added")),
                                 _int(f.get("total_deleted")), _int(f.get("max_flows")), tables)
    raise FlowDecodeError("not a flow table info reply")


# ------------------------------------------------------------------------------------ encoding (lab)


def _action_strs(names: tuple[str, ...]) -> L:
    return L("struct", [S("ActionStr", [F("action", "string", n, 1)]) for n in names])


def _acl_struct(block: AclBlock) -> S:
    return S("FlowAclInfo", [
        F("action", "i32", block.action, 1),
        F("acl", "list", L("struct", [S("FlowAclUuid", [F("uuid", "string", u, 1, link="AclReq")])
                                      for u in block.acls]), 2),
        F("action_str", "list", _action_strs(block.action_str or action_names(block.action)), 3),
    ])


@functools.lru_cache(maxsize=4096)
def _block_xml(block: AclBlock) -> Raw:
    """Most records carry the same few ACL blocks: each is encoded once."""
    return Raw(encode_struct(_acl_struct(block)))


def _block(rec: FlowRecord, name: str) -> Raw:
    return _block_xml(rec.blocks.get(name) or AclBlock(1 << 5 if not name.startswith("reverse") else 0))


def flow_struct(rec: FlowRecord) -> S:
    """``SandeshFlowData`` in the agent's declaration order (pkt.sandesh), optional fields only when set."""
    fields = [
        F("gen_id", "u16", rec.gen_id, 61), F("flow_handle", "i32", rec.flow_handle, 16), F("nh", "i32", rec.nh, 39),
        F("sip", "string", rec.sip, 2), F("dip", "string", rec.dip, 3), F("src_port", "i32", rec.src_port, 4),
        F("dst_port", "i32", rec.dst_port, 5), F("protocol", "u16", rec.protocol, 6), F("vrf", "i32", rec.vrf, 1),
        F("dest_vrf", "i16", rec.dest_vrf, 7), F("action", "i32", rec.action, 8),
        F("mirror_l", "list", L("struct", []), 9), F("direction", "string", rec.direction or "ingress", 11),
        F("stats_bytes", "i64", rec.bytes, 12), F("stats_packets", "i64", rec.packets, 13),
        F("uuid", "string", rec.uuid, 14), F("nat", "string", "enabled" if rec.nat else "disabled", 15),
        F("setup_time", "string", rec.setup_time, 18), F("refcount", "i32", 4, 19),
        F("implicit_deny", "string", "yes" if rec.implicit_deny else "no", 20),
        F("short_flow", "string", f"yes ({rec.short_reason})" if rec.short_flow else "no", 21),
        F("setup_time_utc", "u64", rec.setup_time_utc, 22),
        F("local_flow", "string", "yes" if rec.local_flow else "no", 24),
        F("src_vn_list", "list", L("string", list(rec.src_vn_list or (rec.source_vn,))), 53),
        F("dst_vn_list", "list", L("string", list(rec.dst_vn_list or (rec.dest_vn,))), 54),
        F("src_vn_match", "string", rec.source_vn, 55), F("dst_vn_match", "string", rec.dest_vn, 56),
        F("reverse_flow", "string", "yes" if rec.reverse_flow else "no", 28),
        F("policy", "struct", _block(rec, "policy"), 29), F("out_policy", "struct", _block(rec, "out_policy"), 30),
        F("sg", "struct", _block(rec, "sg"), 31), F("out_sg", "struct", _block(rec, "out_sg"), 32),
        F("mirror", "struct", _block(rec, "mirror"), 33), F("out_mirror", "struct", _block(rec, "out_mirror"), 34),
        F("action_str", "list", _action_strs(rec.action_names), 35),
        F("sg_action_summary", "list", _action_strs(("deny",) if rec.drop_reason.endswith("SG") else ("pass",)), 36),
        F("reverse_sg", "struct", _block(rec, "reverse_sg"), 37),
        F("reverse_out_sg", "struct", _block(rec, "reverse_out_sg"), 38),
        F("vrf_assign_acl", "struct", _block(rec, "vrf_assign_acl"), 40),
        F("fwaas_policy_set", "struct", _block(rec, "fwaas_policy_set"), 74),
        F("fwaas_out_policy_set", "struct", _block(rec, "fwaas_out_policy_set"), 75),
        F("fwaas_reverse_policy_set", "struct", _block(rec, "fwaas_reverse_policy_set"), 76),
        F("fwaas_reverse_out_policy_set", "struct", _block(rec, "fwaas_reverse_out_policy_set"), 77),
        F("fwaas_action_summary", "list", _action_strs(("pass",)), 78),
        F("policy_set", "struct", _block(rec, "policy_set"), 63),
        F("out_policy_set", "struct", _block(rec, "out_policy_set"), 64),
        F("reverse_policy_set", "struct", _block(rec, "reverse_policy_set"), 71),
        F("reverse_out_policy_set", "struct", _block(rec, "reverse_out_policy_set"), 72),
        F("aps_action_summary", "list", _action_strs(
            ("deny",) if "Firewall" in rec.drop_reason else ("pass",)), 73),
        F("fip", "string", "0.0.0.0", 41), F("fip_vm_interface_idx", "u32", 4294967295, 42),
    ]
    if rec.sg_rule_uuid:
        fields.append(F("sg_rule_uuid", "string", rec.sg_rule_uuid, 43))
    if rec.nw_ace_uuid:
        fields.append(F("nw_ace_uuid", "string", rec.nw_ace_uuid, 44))
    fields += [F("rpf_nh", "i32", rec.nh, 45), F("src_ip_nh", "i32", rec.nh, 62)]
    if rec.drop_reason:
        fields.append(F("drop_reason", "string", rec.drop_reason, 46))
    fields += [
        F("peer_vrouter", "string", rec.peer_vrouter, 47), F("tunnel_type", "string", rec.tunnel_type, 48),
        F("enable_rpf", "bool", True, 50), F("aging_protocol", "i32", 0, 51), F("aging_port", "i32", 0, 52),
        F("l3_flow", "bool", True, 57), F("table_id", "u16", 0, 58), F("deleted", "bool", False, 59),
        F("flow_index_info", "struct", S("SandeshFlowIndexInfo", [
            F("trace_index", "i32", 0, 1), F("flow_index_trace", "list", L("struct", []), 2)]), 60),
        F("inet_rt_keys", "list", L("struct", []), 65), F("fw_policy_match", "string", rec.fw_policy_match, 66),
        F("local_tag_list", "list", L("i32", list(rec.local_tags)), 67),
        F("remote_tag_list", "list", L("i32", list(rec.remote_tags)), 68),
        F("remote_prefix", "string", rec.remote_prefix, 69),
    ]
    if rec.vmi:
        fields.append(F("vmi", "string", rec.vmi, 70))
    fields.append(F("underlay_gw_index", "i16", -1, 79))
    return S("SandeshFlowData", fields)


def encode_flow_page(flows: list[FlowRecord | Raw] | tuple, flow_key: str) -> bytes:
    """A page of records; an item may be a ``Raw`` ``SandeshFlowData`` a server encoded before (lab caches)."""
    return encode_document([("FlowRecordsResp", [
        F("flow_list", "list", L("struct", [r if isinstance(r, Raw) else flow_struct(r) for r in flows]), 1),
        F("flow_key", "string", flow_key, 2, link="NextFlowRecordsSet"),
        F("more", "bool", False, 0)])])


def encode_flow_record(rec: FlowRecord | None) -> bytes:
    if rec is None:
        return encode_document([("FlowErrorResp", [F("resp", "string", NO_RECORD, 1), F("more", "bool", False, 0)])])
    return encode_document([("FlowRecordResp", [F("record", "struct", flow_struct(rec), 1),
                                                F("more", "bool", False, 0)])])


def encode_flow_error() -> bytes:
    return encode_flow_record(None)


def encode_flow_table_info(info: FlowTableInfo) -> bytes:
    tables = [S("SandeshFlowTableInfo", [F("index", "u32", i, 1), F("count", "u32", c, 2),
                                         F("total_add", "u64", c, 3), F("total_del", "u64", 0, 4),
                                         F("freelist_count", "u64", 0, 5)]) for i, c in info.tables]
    return encode_document([("SandeshFlowTableInfoResp", [
        F("flow_count", "u64", info.flow_count, 1), F("total_added", "u64", info.total_added, 2),
        F("total_deleted", "u64", info.total_deleted, 3), F("max_flows", "u64", info.max_flows, 4),
        F("table_list", "list", L("struct", tables), 5), F("more", "bool", False, 0)])])
