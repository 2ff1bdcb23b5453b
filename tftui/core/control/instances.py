"""A control node's routing instances (``ShowRoutingInstance[Summary]Req``) and table counters (``ShowRouteSummaryReq``).

Names and identifiers from tf-controller ``src/bgp/bgp_peer.sandesh``. Each reply pages 64 entries at a time
with a ``next_batch`` key (``next_entry||search_string``) for its ``...ReqIterate`` request.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sandesh import DEFAULT_MAX_BYTES, F, L, Message, S, Struct, encode_document
from ..sandesh_fields import decode_reply, flag, listing, num, strings, structs, text


@dataclass(frozen=True)
class TableSummary:
    """A routing table's counters (``ShowRouteTableSummary`` / ``ShowRoutingInstanceTable``)."""

    name: str
    prefixes: int = 0
    paths: int = 0
    primary_paths: int = 0
    secondary_paths: int = 0
    infeasible_paths: int = 0
    pending_updates: int = 0
    deleted: bool = False


@dataclass(frozen=True)
class RoutingInstance:
    name: str
    virtual_network: str = ""
    vn_index: int = 0
    vxlan_id: int = 0
    import_targets: tuple[str, ...] = ()
    export_targets: tuple[str, ...] = ()
    deleted: bool = False
    tables: tuple[TableSummary, ...] = ()  # only in the detailed reply


@dataclass(frozen=True)
class InstancePage:
    instances: tuple[RoutingInstance, ...]
    next_batch: str = ""


@dataclass(frozen=True)
class SummaryPage:
    tables: tuple[TableSummary, ...]
    next_batch: str = ""


# ------------------------------------------------------------------------------------ decoding


def summary_from_struct(st: Struct) -> TableSummary:
    return TableSummary(
        name=text(st, "name"), prefixes=num(st, "prefixes"), paths=num(st, "paths"),
        primary_paths=num(st, "primary_paths"), secondary_paths=num(st, "secondary_paths"),
        infeasible_paths=num(st, "infeasible_paths"), pending_updates=num(st, "pending_updates"),
        deleted=flag(st, "deleted"),
    )


def instance_from_struct(st: Struct) -> RoutingInstance:
    return RoutingInstance(
        name=text(st, "name"), virtual_network=text(st, "virtual_network"), vn_index=num(st, "vn_index"),
        vxlan_id=num(st, "vxlan_id"), import_targets=strings(st, "import_target"),
        export_targets=strings(st, "export_target"), deleted=flag(st, "deleted"),
        tables=tuple(summary_from_struct(t) for t in structs(st, "tables")),
    )


INSTANCE_REPLIES = ("ShowRoutingInstanceResp", "ShowRoutingInstanceSummaryResp")


def decode_instances(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> InstancePage:
    return instances_from(decode_reply(body, INSTANCE_REPLIES, max_bytes))


def instances_from(messages: list[Message]) -> InstancePage:
    return InstancePage(*listing(messages, INSTANCE_REPLIES, "instances", instance_from_struct))


def decode_route_summary(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> SummaryPage:
    return route_summary_from(decode_reply(body, ("ShowRouteSummaryResp",), max_bytes))


def route_summary_from(messages: list[Message]) -> SummaryPage:
    return SummaryPage(*listing(messages, ("ShowRouteSummaryResp",), "tables", summary_from_struct))


# ------------------------------------------------------------------------------------ encoding (lab)


def _walk_counters(first: int) -> list[F]:
    return [F("walk_requests", "u64", 2, first), F("walk_again_requests", "u64", 0, first + 8),
            F("walk_completes", "u64", 2, first + 1), F("actual_walks", "u64", 2, first + 9),
            F("walk_cancels", "u64", 0, first + 2), F("pending_updates", "u64", 0, first + 3),
            F("markers", "u64", 0, first + 4), F("listeners", "u64", 3, first + 6),
            F("walkers", "u64", 0, first + 7)]


def _counts(t: TableSummary) -> list[F]:
    return [F("prefixes", "u64", t.prefixes, 3), F("paths", "u64", t.paths, 4),
            F("primary_paths", "u64", t.primary_paths, 5), F("secondary_paths", "u64", t.secondary_paths, 6),
            F("infeasible_paths", "u64", t.infeasible_paths, 7), F("stale_paths", "u64", 0, 18),
            F("llgr_stale_paths", "u64", 0, 19)]


def _summary_struct(t: TableSummary) -> S:
    return S("ShowRouteTableSummary", [F("name", "string", t.name, 1, link="ShowRouteReq"), *_counts(t),
                                       *_walk_counters(8), F("deleted", "bool", t.deleted, 2),
                                       F("deleted_at", "string", "", 13)])


def _instance_table_struct(t: TableSummary) -> S:
    membership = S("ShowTableMembershipInfo", [F("requests", "u32", 0, 1), F("walks", "u32", 0, 2),
                                               F("peers", "list", L("struct", []), 3)])
    return S("ShowRoutingInstanceTable", [F("name", "string", t.name, 1, link="ShowRouteReq"),
                                          F("deleted", "bool", t.deleted, 13), *_counts(t), *_walk_counters(8),
                                          F("membership", "struct", membership, 2)])


def _instance_struct(ri: RoutingInstance, detail: bool) -> S:
    fields = [
        F("name", "string", ri.name, 1, link="ShowRoutingInstanceReq"),
        F("virtual_network", "string", ri.virtual_network, 3), F("vn_index", "i32", ri.vn_index, 6),
        F("vxlan_id", "i32", ri.vxlan_id, 8), F("import_target", "list", L("string", list(ri.import_targets)), 4),
        F("export_target", "list", L("string", list(ri.export_targets)), 5),
        F("always_subscribe", "bool", False, 10), F("allow_transit", "bool", False, 12),
        F("pbb_evpn_enable", "bool", False, 13), F("deleted", "bool", ri.deleted, 7),
        F("deleted_at", "string", "", 9),
    ]
    if detail:
        fields.append(F("tables", "list", L("struct", [_instance_table_struct(t) for t in ri.tables]), 2))
        fields.append(F("routing_policies", "list", L("struct", []), 11))
    return S("ShowRoutingInstance", fields)


def encode_instances(instances: list[RoutingInstance] | tuple[RoutingInstance, ...], next_batch: str = "",
                     summary: bool = False) -> bytes:
    name = "ShowRoutingInstanceSummaryResp" if summary else "ShowRoutingInstanceResp"
    fields = [F("instances", "list", L("struct", [_instance_struct(ri, not summary) for ri in instances]), 1)]
    if next_batch:
        iterate = "ShowRoutingInstanceSummaryReqIterate" if summary else "ShowRoutingInstanceReqIterate"
        fields.append(F("next_batch", "string", next_batch, 2, link=iterate, link_title="next_batch"))
    fields.append(F("more", "bool", False, 0))
    return encode_document([(name, fields)])


def encode_route_summary(tables: list[TableSummary] | tuple[TableSummary, ...], next_batch: str = "") -> bytes:
    fields = [F("tables", "list", L("struct", [_summary_struct(t) for t in tables]), 1)]
    if next_batch:
        fields.append(F("next_batch", "string", next_batch, 2, link="ShowRouteSummaryReqIterate",
                        link_title="next_batch"))
    fields.append(F("more", "bool", False, 0))
    return encode_document([("ShowRouteSummaryResp", fields)])
