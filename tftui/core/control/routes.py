"""A control node's routes: ``ShowRouteReq`` → ``ShowRouteResp`` (tables, routes, every path), and its iterate key.

Names and identifiers from tf-controller ``src/bgp/bgp_peer.sandesh`` (ShowRouteTable, ShowRoute, ShowRoutePath).
Paths come best first (the order of the BGP table's path list); a path's ``source`` is the peer it was learned
from (a BGP neighbor's address, an agent's name for XMPP), its ``protocol`` BGP, XMPP, Local, ServiceChain,
StaticRoute or Aggregate, sometimes with a sub-protocol (``XMPP (interface)``).

The control node answers at most ``MAX_ROUTES`` routes per reply; ``next_batch`` then holds the
``ShowRouteReqIterate`` key: the request's own filters and where to resume, ``||``-separated.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sandesh import DEFAULT_MAX_BYTES, F, L, Message, S, Struct, encode_document
from ..sandesh_fields import decode_reply, flag, listing, num, strings, structs, text

MAX_ROUTES = 1000  # ShowRouteHandler::kMaxCount
SEPARATOR = "||"
MASTER_INSTANCE = "default-domain:default-project:ip-fabric:__default__"


@dataclass(frozen=True)
class ControlPath:
    protocol: str
    source: str  # the peer that sent it: a BGP neighbor's address, an XMPP agent's name; "" for local paths
    next_hop: str
    label: int = 0
    local_preference: int = 0
    med: int = 0
    as_path: str = ""
    communities: tuple[str, ...] = ()
    tunnel_encap: tuple[str, ...] = ()
    origin_vn: str = ""
    flags: tuple[str, ...] = ()
    last_modified: str = ""
    replicated: bool = False
    primary_table: str = ""
    peer_router_id: str = ""
    origin: str = ""
    best: bool = False  # the first path of its route: the one the control node uses and advertises

    @property
    def base_protocol(self) -> str:
        """``XMPP (interface)`` → ``XMPP``: what ShowRouteReq's protocol filter matches."""
        return self.protocol.split(" (", 1)[0]


@dataclass(frozen=True)
class ControlRoute:
    prefix: str
    paths: tuple[ControlPath, ...]
    last_modified: str = ""

    @property
    def best(self) -> ControlPath | None:
        return self.paths[0] if self.paths else None


@dataclass(frozen=True)
class ControlTable:
    """One ``ShowRouteTable``: a routing table's counters and the routes of it that matched."""

    routing_instance: str
    name: str
    routes: tuple[ControlRoute, ...] = ()
    prefixes: int = 0
    paths: int = 0
    primary_paths: int = 0
    secondary_paths: int = 0
    infeasible_paths: int = 0
    deleted: bool = False


@dataclass(frozen=True)
class RoutePage:
    tables: tuple[ControlTable, ...]
    next_batch: str = ""


@dataclass(frozen=True)
class RouteQuery:
    """ShowRouteReq's fields that select routes (the paging fields live in the iterate key)."""

    routing_table: str = ""
    routing_instance: str = ""
    prefix: str = ""
    longer_match: bool = False
    shorter_match: bool = False
    count: int = 0
    source: str = ""
    protocol: str = ""
    family: str = ""


# ------------------------------------------------------------------------------------ decoding


def path_from_struct(st: Struct, best: bool = False) -> ControlPath:
    return ControlPath(
        protocol=text(st, "protocol"), source=text(st, "source"), next_hop=text(st, "next_hop"),
        label=num(st, "label"), local_preference=num(st, "local_preference"), med=num(st, "med"),
        as_path=text(st, "as_path"), communities=strings(st, "communities"), tunnel_encap=strings(st, "tunnel_encap"),
        origin_vn=text(st, "origin_vn"), flags=tuple(f for f in strings(st, "flags") if f != "None"),
        last_modified=text(st, "last_modified"), replicated=flag(st, "replicated"),
        primary_table=text(st, "primary_table"), peer_router_id=text(st, "peer_router_id"), origin=text(st, "origin"),
        best=best,
    )


def route_from_struct(st: Struct) -> ControlRoute:
    paths = tuple(path_from_struct(p, best=i == 0) for i, p in enumerate(structs(st, "paths")))
    return ControlRoute(text(st, "prefix"), paths, text(st, "last_modified"))


def table_from_struct(st: Struct) -> ControlTable:
    return ControlTable(
        routing_instance=text(st, "routing_instance"), name=text(st, "routing_table_name"),
        routes=tuple(route_from_struct(r) for r in structs(st, "routes")), prefixes=num(st, "prefixes"),
        paths=num(st, "paths"), primary_paths=num(st, "primary_paths"), secondary_paths=num(st, "secondary_paths"),
        infeasible_paths=num(st, "infeasible_paths"), deleted=flag(st, "deleted"),
    )


def decode_routes(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> RoutePage:
    return routes_from(decode_reply(body, ("ShowRouteResp",), max_bytes))


def routes_from(messages: list[Message]) -> RoutePage:
    """The tables of decoded ``ShowRouteResp`` messages, in order (see merge_pages for several batches)."""
    return RoutePage(*listing(messages, ("ShowRouteResp",), "tables", table_from_struct))


def merge_pages(pages: list[RoutePage]) -> tuple[ControlTable, ...]:
    """One table per name over every batch (a table cut by the route limit continues in the next batch)."""
    merged: dict[str, ControlTable] = {}
    for page in pages:
        for t in page.tables:
            prev = merged.get(t.name)
            if prev is None:
                merged[t.name] = t
            else:
                merged[t.name] = ControlTable(prev.routing_instance, prev.name, prev.routes + t.routes, t.prefixes,
                                              t.paths, t.primary_paths, t.secondary_paths, t.infeasible_paths,
                                              t.deleted)
    return tuple(merged.values())


# ------------------------------------------------------------------------------------ iterate key


def route_iterate_key(query: RouteQuery, next_instance: str, next_table: str, next_prefix: str, count: int) -> str:
    """The control node's ``next_batch`` for ShowRouteReqIterate (ShowRouteHandler::SaveContextAndPopLast)."""
    parts = [query.routing_instance, query.routing_table, query.prefix, next_instance, next_table, next_prefix,
             str(count), query.source, query.protocol, query.family,
             "true" if query.longer_match else "false", "true" if query.shorter_match else "false"]
    return SEPARATOR.join(parts)


def parse_route_iterate_key(key: str) -> tuple[RouteQuery, str, str, str] | None:
    """(query, start instance, start table, start prefix), or None when the key is malformed (no reply rows)."""
    parts = key.split(SEPARATOR)
    if len(parts) != 12:
        return None
    ri, rt, prefix, next_ri, next_rt, next_prefix, count, source, protocol, family, longer, shorter = parts
    try:
        n = int(count)
    except ValueError:
        return None
    query = RouteQuery(rt, ri, prefix, longer == "true", shorter == "true", max(n, 0), source, protocol, family)
    return query, next_ri, next_rt, next_prefix


# ------------------------------------------------------------------------------------ encoding (lab)


def _path_struct(p: ControlPath) -> S:
    return S("ShowRoutePath", [
        F("protocol", "string", p.protocol, 1), F("last_modified", "string", p.last_modified, 3),
        F("local_preference", "u32", p.local_preference, 5), F("med", "u32", p.med, 25),
        F("local_as", "u32", 0, 6), F("peer_as", "u32", 0, 7),
        F("peer_router_id", "string", p.peer_router_id, 8), F("source", "string", p.source, 9),
        F("as_path", "string", p.as_path, 10), F("as4_path", "string", "", 30),
        F("next_hop", "string", p.next_hop, 11), F("label", "u32", p.label, 12),
        F("origin", "string", p.origin or "igp", 26), F("replicated", "bool", p.replicated, 13),
        F("primary_table", "string", p.primary_table, 14, link="ShowRouteReq"),
        F("secondary_tables", "list", L("string", []), 24),
        F("communities", "list", L("string", list(p.communities)), 15),
        F("origin_vn", "string", p.origin_vn, 16),
        F("flags", "list", L("string", list(p.flags) or ["None"]), 17),
        F("tunnel_encap", "list", L("string", list(p.tunnel_encap)), 18),
        F("sequence_no", "string", "", 19),
        F("origin_vn_path", "list", L("string", []), 20),
        F("cluster_list", "list", L("string", []), 23),
        F("originator_id", "string", "", 27),
    ])


def _route_struct(r: ControlRoute) -> S:
    return S("ShowRoute", [F("prefix", "string", r.prefix, 1), F("last_modified", "string", r.last_modified, 2),
                           F("paths", "list", L("struct", [_path_struct(p) for p in r.paths]), 3)])


def _table_struct(t: ControlTable) -> S:
    return S("ShowRouteTable", [
        F("routing_instance", "string", t.routing_instance, 1, link="ShowRoutingInstanceReq"),
        F("routing_table_name", "string", t.name, 2, link="ShowRouteReq"),
        F("deleted", "bool", t.deleted, 9), F("deleted_at", "string", "", 11),
        F("prefixes", "u64", t.prefixes, 3), F("paths", "u64", t.paths, 4),
        F("primary_paths", "u64", t.primary_paths, 5), F("secondary_paths", "u64", t.secondary_paths, 6),
        F("infeasible_paths", "u64", t.infeasible_paths, 7), F("stale_paths", "u64", 0, 12),
        F("llgr_stale_paths", "u64", 0, 13),
        F("routes", "list", L("struct", [_route_struct(r) for r in t.routes]), 8),
        F("listeners", "list", L("struct", []), 10),
    ])


def encode_routes(tables: list[ControlTable] | tuple[ControlTable, ...], next_batch: str = "") -> bytes:
    fields = [F("tables", "list", L("struct", [_table_struct(t) for t in tables]), 1)]
    if next_batch:
        fields.append(F("next_batch", "string", next_batch, 2, link="ShowRouteReqIterate", link_title="next_batch"))
    fields.append(F("more", "bool", False, 0))
    return encode_document([("ShowRouteResp", fields)])


def instance_of_table(table: str) -> str:
    """``<instance>.inet.0`` → instance; the master instance's tables (``inet.0``, ``bgp.l3vpn.0``) have no prefix."""
    parts = table.rsplit(".", 2)
    return parts[0] if len(parts) == 3 and ":" in parts[0] else MASTER_INSTANCE
