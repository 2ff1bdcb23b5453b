"""Flow table replies decoded leanly: the same messages ``decode_messages`` gives, with each ``SandeshFlowData``
holding only the fields tftui reads.

A page of 100 flow records is ~18,000 elements, most of them ACL blocks' action strings and housekeeping
tftui never reads; building a generic tree of all of it costs several times what reading the fields does.
"""

from __future__ import annotations

from ..sandesh import DEFAULT_MAX_BYTES, Message, SandeshError, Struct, children, decode_value, parse_document
from ..sandesh import scalar as _scalar

_SCALARS = frozenset({"sip", "dip", "src_port", "dst_port", "protocol", "vrf", "dest_vrf", "nh", "uuid", "action",
                      "drop_reason", "short_flow", "implicit_deny", "direction", "reverse_flow", "local_flow", "nat",
                      "src_vn_match", "dst_vn_match", "src_vn", "dst_vn", "source_vn", "dest_vn", "sg_rule_uuid",
                      "nw_ace_uuid", "fw_policy_match", "remote_prefix", "vmi", "peer_vrouter", "tunnel_type",
                      "flow_handle", "gen_id", "stats_packets", "stats_bytes", "setup_time", "setup_time_utc"})
_LISTS = frozenset({"action_str", "src_vn_list", "dst_vn_list", "local_tag_list", "remote_tag_list"})
_BLOCKS = frozenset(("policy", "out_policy", "sg", "out_sg", "reverse_sg", "reverse_out_sg", "policy_set",
                     "out_policy_set", "reverse_policy_set", "reverse_out_policy_set", "fwaas_policy_set",
                     "fwaas_out_policy_set", "fwaas_reverse_policy_set", "fwaas_reverse_out_policy_set"))


def _lean_block(el) -> Struct:
    """A FlowAclInfo's action and ACL uuids (its action strings say what the action bits say)."""
    out = Struct("FlowAclInfo")
    action = el.find("FlowAclInfo/action")
    if action is not None:
        out["action"] = _scalar(action.get("type", "i32"), action.text)
    out["acl"] = [Struct("FlowAclUuid", {"uuid": _scalar("string", u.text)})
                  for u in el.iterfind("FlowAclInfo/acl/list/FlowAclUuid/uuid")]
    return out


def _lean_flow(el) -> Struct:
    st = Struct(el.tag)
    for f in children(el):
        tag = f.tag
        if tag in _SCALARS:
            st[tag] = _scalar(f.get("type", "string"), f.text)
        elif tag in _LISTS:
            st[tag] = decode_value(f)
        elif tag in _BLOCKS:
            st[tag] = _lean_block(f)
    return st


def decode_flow_messages(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Message]:
    """``decode_messages`` for flow table replies: the same messages, with each ``SandeshFlowData`` holding only
    the fields tftui reads (the continuation link of ``flow_key`` kept)."""
    root = parse_document(body, max_bytes)
    elements = children(root) if root.get("type") == "slist" or root.tag.startswith("__") else [root]
    odd = next((e.tag for e in elements if e.get("type") != "sandesh"), None)
    if odd is not None:  # as strict decode_messages: an HTML error page served with 200 is not a reply
        raise SandeshError(f"not a Sandesh reply (<{odd[:40]}>)")
    out = []
    for el in elements:
        st = Struct(el.tag)
        for f in children(el):
            if f.tag == "flow_list":
                holder = next(iter(children(f)), None)
                st["flow_list"] = [_lean_flow(x) for x in children(holder)] if holder is not None else []
            elif f.tag == "record":
                inner = next(iter(children(f)), None)
                st["record"] = _lean_flow(inner) if inner is not None else Struct()
            else:
                st[f.tag] = decode_value(f)
                if f.get("link"):
                    st.annotations[f.tag] = {"link": f.get("link")}
        out.append(Message(el.tag, st))
    return out
