"""The agent's flow requests, answered from the lab's traffic in the agent's wire format.

Flow tables are rebuilt when the traffic or the config API's objects change (the agent re-evaluates its
flows on a policy change too), and served with live packet counts.
"""

from __future__ import annotations

from tftui.core.catalog import ServiceDef
from tftui.core.flows.acl import (
    AclFlow,
    encode_acl_counts,
    encode_acl_flows,
    encode_acl_flows_bad_key,
    encode_acl_reply,
)
from tftui.core.flows.compile import agent_acl
from tftui.core.flows.kernel import encode_kflow_error, encode_kflow_page, kflow_table_page
from tftui.core.flows.records import (
    START_KEY_OF,
    FlowTableInfo,
    encode_flow_page,
    encode_flow_record,
    encode_flow_table_info,
)
from tftui.core.flows.why import split_fw_policy_match
from tftui.core.introspect import Args
from tftui.lab.introspect_table import serves
from tftui.lab.topology import LabNode

from .table import KERNEL_TABLE_SIZE, VrouterFlows, vrouter_flows
from .traffic import traffic_of

MAX_FLOWS = 524288 + 8192  # the vrouter's flow table plus its overflow table


def flows_of(lab, node: LabNode) -> VrouterFlows:
    return vrouter_flows(traffic_of(lab), node.name)


def _page(lab, node: LabNode, key: str) -> bytes:
    result = flows_of(lab, node).page(key)
    if result is None:
        return encode_flow_record(None)  # FlowErrorResp
    records, next_key = result
    return encode_flow_page(records, next_key)


@serves("FetchAllFlowRecords")
def fetch_all(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _page(lab, node, START_KEY_OF[traffic_of(lab).key_format])


@serves("NextFlowRecordsSet")
def next_set(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _page(lab, node, args["flow_key"] or "")


@serves("FetchFlowRecord")
def fetch_one(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    rec = flows_of(lab, node).lookup(args["nh"], args["sip"], args["dip"], args["src_port"], args["dst_port"],
                                     args["protocol"])
    return encode_flow_record(rec)


@serves("SandeshFlowTableInfoRequest")
def table_info(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    flows = flows_of(lab, node)
    counts = tuple((i, len(t)) for i, t in enumerate(flows.tables))
    total = sum(c for _, c in counts)
    return encode_flow_table_info(FlowTableInfo(total, total + len(flows.traffic.conversations), 0, MAX_FLOWS, counts))


@serves("KFlowReq")
def kflow(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    table = flows_of(lab, node).kernel()
    idx, evicted = args["flow_idx"], bool(args["show_evicted"])
    if idx != -1:
        one = [k for k in table if k.index == idx]
        return encode_kflow_page(one, "") if one else encode_kflow_error()
    return kflow_table_page(table, 0, evicted, KERNEL_TABLE_SIZE)


@serves("NextKFlowReq")
def next_kflow(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    handle = args["flow_handle"] or ""
    words = handle.split(" ")
    try:
        start = int(words[0] or 0)
    except ValueError:
        start = 0  # stringToInteger leaves the iteration key at 0
    return kflow_table_page(flows_of(lab, node).kernel(), start, len(words) == 2, KERNEL_TABLE_SIZE)


def _acls(lab, node: LabNode):
    flows = flows_of(lab, node)
    view = flows.traffic.view()
    return flows, view, [agent_acl(view.cfg, p, view.tag_ids) for p in view.cfg.policies]


@serves("AclReq")
def acl_req(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    _, _, acls = _acls(lab, node)
    uuid = args["uuid"] or ""
    return encode_acl_reply([a for a in acls if not uuid or a.uuid == uuid])


def _acl_flows(lab, node: LabNode, acl_uuid: str):
    """The flows whose firewall stage evaluated the ACL, each with the ACE it matched there (or None)."""
    flows, view, acls = _acls(lab, node)
    acl = next((a for a in acls if a.uuid == acl_uuid), None)
    if acl is None:
        return None, []
    out = []
    for entry in flows.records:
        rec = entry.record
        evaluated = [u for name in ("policy_set", "out_policy_set") if name in rec.blocks
                     for u in rec.blocks[name].acls]
        if acl_uuid not in evaluated:
            continue
        policy, rule = split_fw_policy_match(rec.fw_policy_match)
        ace = acl.entry_for_rule(rule) if policy == acl.name else None
        out.append((flows.live(entry), ace.ace_id if ace else None))
    return acl, out


@serves("AclFlowCountReq")
def acl_flow_count(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _counts(lab, node, args["uuid"] or "", "")


@serves("NextAclFlowCountReq")
def next_acl_flow_count(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    key = args["iteration_key"] or ""
    if key.count(":") != 1:
        return encode_acl_flows_bad_key()
    uuid, ace = key.split(":")
    return _counts(lab, node, uuid, ace)


def _counts(lab, node: LabNode, uuid: str, after: str) -> bytes:
    acl, flows = _acl_flows(lab, node, uuid)
    if acl is None:
        return encode_acl_counts(uuid, 0, 0, [], after) if uuid else encode_acl_flows_bad_key()
    per_ace: dict[str, int] = {}
    for _, ace in flows:
        if ace is not None:
            per_ace[ace] = per_ace.get(ace, 0) + 1
    return encode_acl_counts(acl.uuid, len(flows), 0, sorted(per_ace.items()), after)


@serves("AclFlowReq")
def acl_flow(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _flows(lab, node, args["uuid"] or "", 0)


@serves("NextAclFlowReq")
def next_acl_flow(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    key = args["iteration_key"] or ""
    if key.count(":") != 1:
        return encode_acl_flows_bad_key()  # what the agent answers first to a malformed key
    uuid, count = key.split(":")
    return _flows(lab, node, uuid, int(count) if count.isdigit() else 0)


def _flows(lab, node: LabNode, uuid: str, last_count: int) -> bytes:
    acl, flows = _acl_flows(lab, node, uuid)
    items = [AclFlow(r.uuid, r.sip, r.dip, r.src_port, r.dst_port, r.protocol, r.source_vn, r.dest_vn,
                     (ace,) if ace else (), r.action_names, r.implicit_deny, r.packets, r.bytes) for r, ace in flows]
    return encode_acl_flows(acl.uuid if acl else uuid, items, last_count)


@serves("DeleteAllFlowRecords")
def delete_all(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    """A write: the lab counts it (tftui must never send it) and, like the agent, answers an empty listing."""
    traffic = traffic_of(lab)
    traffic.writes.append(("DeleteAllFlowRecords", node.name))
    return encode_flow_page([], START_KEY_OF[traffic.key_format])
