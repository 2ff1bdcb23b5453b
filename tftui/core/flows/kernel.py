"""Kernel (datapath) flows: ``KFlowReq`` / ``NextKFlowReq`` replies, decoding and the lab's encoder.

The agent answers 100 ``KFlowInfo`` per page with ``flow_handle`` = the next index to scan; ``0`` means
done. In show-evicted mode the handle carries a `` evicted_set`` suffix, which the next request must echo
(the agent splits the handle on the space). A single index that holds no flow answers ``ErrResp``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sandesh import DEFAULT_MAX_BYTES, F, L, S, SandeshError, Struct, decode_messages, encode_document
from .actions import KERNEL_DROP_REASONS, join_flags, split_flags
from .records import FlowDecodeError, _int, _text

PAGE_SIZE = 100  # KState::kMaxEntriesPerResponse
EVICTED_SUFFIX = " evicted_set"


@dataclass(frozen=True)
class KernelFlow:
    index: int
    sip: str
    dip: str
    sport: int = 0
    dport: int = 0
    proto: int = 0
    rflow: int = -1
    vrf_id: int = 0
    d_vrf_id: int = 0
    action: str = ""  # FORWARD | DROP | NAT | HOLD | INVALID
    flags: tuple[str, ...] = ()
    tcp_flags: tuple[str, ...] = ()
    drop_reason: str = ""  # datapath short code (KERNEL_DROP_REASONS), set only when action is DROP
    bytes: int = 0
    pkts: int = 0
    nhid: int = 0
    gen_id: int = 0
    underlay_udp_sport: int = 0

    @property
    def evicted(self) -> bool:
        return "EVICTED" in self.flags

    @property
    def dead(self) -> bool:
        """Evicted, or a TCP flow past its close: what tf-test leaves out of a live view."""
        return self.evicted or "DEAD" in self.tcp_flags

    @property
    def drop_words(self) -> str:
        return KERNEL_DROP_REASONS.get(self.drop_reason, ("", self.drop_reason))[1] if self.drop_reason else ""


@dataclass(frozen=True)
class KFlowPage:
    flows: tuple[KernelFlow, ...]
    next_handle: str = ""  # "" when done
    error: str = ""


def handle_done(handle: str) -> bool:
    """``0`` and ``0 evicted_set`` end the walk, as does an empty handle."""
    return handle.strip().split(" ")[0] in ("", "0")


def kernel_flow_from_struct(st: dict) -> KernelFlow:
    return KernelFlow(
        index=_int(st.get("index"), -1), sip=_text(st.get("sip", "")), dip=_text(st.get("dip", "")),
        sport=_int(st.get("sport")), dport=_int(st.get("dport")), proto=_int(st.get("proto")),
        rflow=_int(st.get("rflow"), -1), vrf_id=_int(st.get("vrf_id")), d_vrf_id=_int(st.get("d_vrf_id")),
        action=_text(st.get("action", "")), flags=split_flags(_text(st.get("flags", ""))),
        tcp_flags=split_flags(_text(st.get("tcp_flags", ""))), drop_reason=_text(st.get("drop_reason", "")),
        bytes=_int(st.get("bytes")), pkts=_int(st.get("pkts")), nhid=_int(st.get("nhid")),
        gen_id=_int(st.get("gen_id")), underlay_udp_sport=_int(st.get("underlay_udp_sport")),
    )


def decode_kflow_page(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> KFlowPage:
    try:
        messages = decode_messages(body, max_bytes)
    except SandeshError as exc:
        raise FlowDecodeError(str(exc)) from None
    return kflows_from_messages(messages)


def kflows_from_messages(messages) -> KFlowPage:
    flows: list[KernelFlow] = []
    handle = ""
    seen = False
    for msg in messages:
        if msg.name == "KFlowResp":
            seen = True
            flows += [kernel_flow_from_struct(i) for i in msg.fields.get("flow_list") or [] if isinstance(i, Struct)]
            handle = _text(msg.fields.get("flow_handle", "")) or handle
        elif msg.name in ("ErrResp", "InternalErrResp"):
            return KFlowPage((), "", _text(msg.fields.get("resp", "")) or msg.name)
    if not seen:
        names = ", ".join(sorted({m.name for m in messages})) or "nothing"
        raise FlowDecodeError(f"not a kernel flow reply (got {names})")
    return KFlowPage(tuple(flows), "" if handle_done(handle) else handle)


# ------------------------------------------------------------------------------------ encoding (lab)


def _kflow_struct(k: KernelFlow) -> S:
    fields = [
        F("index", "i32", k.index, 1), F("rflow", "i32", k.rflow, 2), F("sip", "string", k.sip, 3),
        F("sport", "i32", k.sport, 4), F("dip", "string", k.dip, 5), F("dport", "i32", k.dport, 6),
        F("proto", "byte", k.proto, 7), F("vrf_id", "i16", k.vrf_id, 8), F("action", "string", k.action, 9),
        F("flags", "string", join_flags(k.flags), 10), F("d_vrf_id", "i16", k.d_vrf_id, 11),
        F("bytes", "i32", k.bytes, 12), F("pkts", "i32", k.pkts, 13), F("insight", "i32", 0, 14),
        F("nhid", "i32", k.nhid, 18), F("underlay_udp_sport", "u16", k.underlay_udp_sport, 19),
    ]
    if k.proto == 6:
        fields.append(F("tcp_flags", "string", join_flags(k.tcp_flags), 20))
    if k.action == "DROP":
        fields.append(F("drop_reason", "string", k.drop_reason or "Unknown", 21))
    fields += [F("ttl", "u16", 0, 22), F("qos_id", "i16", -1, 23), F("gen_id", "i16", k.gen_id, 24),
               F("tcp_seq", "u16", 0, 25), F("oflow_bytes", "u16", 0, 26), F("oflow_packets", "u16", 0, 27),
               F("underlay_gw_index", "i16", -1, 28)]
    return S("KFlowInfo", fields)


def encode_kflow_page(flows: list[KernelFlow] | tuple, handle: str) -> bytes:
    return encode_document([("KFlowResp", [
        F("flow_list", "list", L("struct", [_kflow_struct(k) for k in flows]), 1),
        F("flow_handle", "string", handle, 2, link="NextKFlowReq"), F("more", "bool", False, 0)])])


def encode_kflow_error() -> bytes:
    return encode_document([("ErrResp", [F("resp", "string", "   Invalid Input !!!   ", 1),
                                         F("more", "bool", False, 0)])])


def kflow_table_page(table: list[KernelFlow], start: int, evicted: bool, table_size: int) -> bytes:
    """The agent's walk (FlowKState::Run): from index ``start``, 100 flows (evicted ones only in evicted mode),
    then the next index to scan, or 0 when the scan reached the end of the table (``table`` sorted by index)."""
    suffix = EVICTED_SUFFIX if evicted else ""
    out: list[KernelFlow] = []
    for k in table:
        if k.index < start or (k.evicted and not evicted):
            continue
        out.append(k)
        if len(out) == PAGE_SIZE:
            nxt = k.index + 1
            return encode_kflow_page(out, f"{nxt if nxt != table_size else 0}{suffix}")
    return encode_kflow_page(out, f"0{suffix}")
