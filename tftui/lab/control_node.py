"""The simulated control nodes' introspect (bgp_peer, bgp_peer_internal, xmpp_server): neighbors, routing instances,
route summaries and routes, matched, filtered and paged as the control node's handlers do
(tf-controller ``src/bgp/bgp_show_*.cc``): search strings are regular expressions searched in names, ``deleted``
also matches what is being deleted; neighbors page 64 XMPP peers at a time after every BGP peer, instance and
summary listings 64 entries, routes 1000 (or the request's ``count``, then without a next batch).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace

from tftui.core.catalog import ServiceDef
from tftui.core.control.instances import encode_instances, encode_route_summary
from tftui.core.control.peers import (
    NEIGHBOR_PAGE,
    encode_neighbors,
    encode_xmpp_connections,
    iterate_key,
    parse_iterate_key,
)
from tftui.core.control.routes import (
    MAX_ROUTES,
    ControlRoute,
    RouteQuery,
    encode_routes,
    instance_of_table,
    parse_route_iterate_key,
    route_iterate_key,
)
from tftui.core.introspect import Args

from .control_plane import (
    ControlRib,
    control_table,
    neighbors,
    routing_instances,
    table_summary,
    xmpp_connections,
)
from .introspect_table import serves
from .topology import LabNode

PAGE = NEIGHBOR_PAGE  # kPageLimit of every BgpShowHandler listing


def rib(lab) -> ControlRib:
    """The lab's one ControlRib (kept on the introspect lab, rebuilt when the topology object changes)."""
    current = getattr(lab, "control_rib", None)
    if current is None or current.topo is not lab.topo:
        current = lab.control_rib = ControlRib(lab.topo)
    return current


def _matcher(search: str):
    """contrail::regex_search semantics: an empty expression matches everything; a broken one matches nothing."""
    if not search:
        return lambda text: True
    try:
        expr = re.compile(search)
    except re.error:
        return lambda text: False
    return lambda text: expr.search(text) is not None


# ------------------------------------------------------------------------------------ neighbors


def _neighbor_reply(lab, node: LabNode, search: str, start: str, summary: bool) -> bytes:
    match = _matcher(search)
    everyone = neighbors(lab.topo, rib(lab), node, getattr(lab, "peering", None))

    def wanted(n) -> bool:
        return match(n.peer) or match(n.peer_address) or (search == "deleted" and n.deleted)

    # every BGP peer on the first page, then XMPP peers from ``start`` on, at least one, up to the page limit
    listed = [n for n in everyone if not n.is_xmpp and wanted(n)] if not start else []
    xmpp = [n for n in everyone if n.is_xmpp and n.peer >= start and wanted(n)]
    room = max(PAGE - len(listed), 1)
    next_batch = iterate_key(xmpp[room].peer, search) if len(xmpp) > room else ""
    return encode_neighbors(listed + xmpp[:room], next_batch, summary=summary)


@serves("BgpNeighborReq")
def bgp_neighbor(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _neighbor_reply(lab, node, args["search_string"], "", summary=False)


@serves("ShowBgpNeighborSummaryReq")
def bgp_neighbor_summary(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _neighbor_reply(lab, node, args["search_string"], "", summary=True)


def _iterate(args: Args) -> tuple[str, str] | None:
    return parse_iterate_key(args["iterate_info"])


@serves("BgpNeighborReqIterate")
def bgp_neighbor_iterate(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    key = _iterate(args)
    return encode_neighbors([]) if key is None else _neighbor_reply(lab, node, key[1], key[0], False)


@serves("ShowBgpNeighborSummaryReqIterate")
def bgp_neighbor_summary_iterate(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    key = _iterate(args)
    return (encode_neighbors([], summary=True) if key is None
            else _neighbor_reply(lab, node, key[1], key[0], True))


@serves("ShowXmppConnectionReq")
def xmpp_connection(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    """The control node's XMPP server lists its agents; in the agent (an XMPP client) the list is empty."""
    return encode_xmpp_connections(xmpp_connections(lab.topo, node) if svc.key == "control" else [])


# ------------------------------------------------------------------------------------ instances and summaries


def _instances_reply(lab, node: LabNode, search: str, start: str, summary: bool) -> bytes:
    match = _matcher(search)
    out, next_batch = [], ""
    candidates = [ri for ri in routing_instances(lab.topo, rib(lab), node) if ri.name >= start]
    for i, ri in enumerate(candidates):
        if search and not match(ri.name) and not (search == "deleted" and ri.deleted):
            continue
        out.append(ri)
        if len(out) >= PAGE and i + 1 < len(candidates):
            next_batch = iterate_key(candidates[i + 1].name, search)
            break
    return encode_instances(out, next_batch, summary=summary)


@serves("ShowRoutingInstanceReq")
def routing_instance(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _instances_reply(lab, node, args["search_string"], "", summary=False)


@serves("ShowRoutingInstanceSummaryReq")
def routing_instance_summary(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _instances_reply(lab, node, args["search_string"], "", summary=True)


@serves("ShowRoutingInstanceReqIterate")
def routing_instance_iterate(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    key = _iterate(args)
    return encode_instances([]) if key is None else _instances_reply(lab, node, key[1], key[0], summary=False)


@serves("ShowRoutingInstanceSummaryReqIterate")
def routing_instance_summary_iterate(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    key = _iterate(args)
    return (encode_instances([], summary=True) if key is None
            else _instances_reply(lab, node, key[1], key[0], summary=True))


def _summary_reply(lab, node: LabNode, search: str, start: str) -> bytes:
    """Tables of one instance at a time, a new page once 64 are listed (the control node pages by instance)."""
    match = _matcher(search)
    tables = rib(lab).tables(node)
    by_instance: dict[str, list[str]] = {}
    for name in tables:
        by_instance.setdefault(instance_of_table(name), []).append(name)
    instances = sorted(i for i in by_instance if i >= start)
    out, next_batch = [], ""
    for i, ri in enumerate(instances):
        out += [table_summary(t, tables[t]) for t in sorted(by_instance[ri]) if match(t)]
        if len(out) >= PAGE and i + 1 < len(instances):
            next_batch = iterate_key(instances[i + 1], search)
            break
    return encode_route_summary(out, next_batch)


@serves("ShowRouteSummaryReq")
def route_summary(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _summary_reply(lab, node, args["search_string"], "")


@serves("ShowRouteSummaryReqIterate")
def route_summary_iterate(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    key = _iterate(args)
    return encode_route_summary([]) if key is None else _summary_reply(lab, node, key[1], key[0])


# ------------------------------------------------------------------------------------ routes


def _network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(prefix.rpartition(":")[2] if "/" in prefix and "." in prefix else prefix,
                                    strict=False)
    except ValueError:
        return None


def _prefix_matches(q: RouteQuery, prefix: str) -> bool:
    if not q.prefix:
        return True
    if not q.longer_match and not q.shorter_match:
        return _matcher(q.prefix)(prefix)
    route, wanted = _network(prefix), _network(q.prefix)
    if route is None or wanted is None or route.version != wanted.version:
        return False
    return (q.longer_match and route.subnet_of(wanted)) or (q.shorter_match and wanted.subnet_of(route))


def _family(table: str) -> str:
    parts = table.split(".")
    return parts[-2] if len(parts) >= 2 else ""


def _route_sort(prefix: str) -> tuple:
    net = _network(prefix)
    return (0, int(net.network_address), net.prefixlen, prefix) if net is not None else (1, 0, 0, prefix)


def show_routes(lab, node: LabNode, q: RouteQuery, start_ri: str = "", start_rt: str = "",
                start_prefix: str = "") -> bytes:
    tables = rib(lab).tables(node)
    exact_ri = instance_of_table(q.routing_table) if q.routing_table else q.routing_instance
    by_instance: dict[str, list[str]] = {}
    for name in tables:
        by_instance.setdefault(instance_of_table(name), []).append(name)
    first_ri = exact_ri or start_ri
    limit = q.count if 0 < q.count <= MAX_ROUTES else MAX_ROUTES
    out, taken, next_batch = [], 0, ""
    for ri in sorted(i for i in by_instance if i >= first_ri):
        if exact_ri and ri != exact_ri:
            break
        for name in sorted(t for t in by_instance[ri] if ri != start_ri or t >= start_rt):
            if (q.family and _family(name) != q.family) or (q.routing_table and name != q.routing_table):
                continue
            picked: list[ControlRoute] = []
            for route in tables[name]:
                if name == start_rt and start_prefix and _route_sort(route.prefix) < _route_sort(start_prefix):
                    continue
                if not _prefix_matches(q, route.prefix):
                    continue
                paths = tuple(p for p in route.paths if (not q.source or p.source == q.source)
                              and (not q.protocol or p.base_protocol == q.protocol))
                if not paths:
                    continue
                if taken == limit:
                    if not q.count:  # a count the user gave is the whole answer: no next batch
                        next_batch = route_iterate_key(q, ri, name, route.prefix, 0)
                    break
                picked.append(ControlRoute(route.prefix, paths, route.last_modified))
                taken += 1
            if picked:
                out.append(replace(control_table(name, tables[name]), routes=tuple(picked)))
            if taken == limit:
                break
        if taken == limit:
            break
    return encode_routes(out, next_batch)


@serves("ShowRouteReq")
def show_route(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    q = RouteQuery(args["routing_table"], args["routing_instance"], args["prefix"], bool(args["longer_match"]),
                   bool(args["shorter_match"]), int(args["count"] or 0), args["source"], args["protocol"],
                   args["family"])
    return show_routes(lab, node, q, args["start_routing_instance"], args["start_routing_table"],
                       args["start_prefix"])


@serves("ShowRouteReqIterate")
def show_route_iterate(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    parsed = parse_route_iterate_key(args["route_info"])
    if parsed is None:
        return encode_routes([])
    q, ri, rt, prefix = parsed
    return show_routes(lab, node, q, ri, rt, prefix)
