"""The simulated agents' state requests (port 8085): ``VrfListReq``, ``Inet4UcRouteReq``/``Inet6UcRouteReq``,
``NhListReq``, ``AgentXmppConnectionStatusReq``, ``KDropStatsReq``, and ``PageReq`` over their tables.

Lists page 100 entries with the agent's keys; an unknown ``vrf_index`` gets the agent's bare ``ErrorResp``
(inet_unicast_route.cc), a ``src_ip`` picks the route with exactly that address and ``prefix_len``.
"""

from __future__ import annotations

from tftui.core.agent import PageKey
from tftui.core.catalog import ServiceDef
from tftui.core.introspect import Args
from tftui.core.sandesh import F
from tftui.core.vrouter.drops import encode_drop_stats
from tftui.core.vrouter.oper import (
    NH_TABLE,
    VRF_TABLE,
    AgentRoute,
    NextHop,
    encode_nhs,
    encode_uc_routes,
    encode_vrfs,
)
from tftui.core.vrouter.xmpp import encode_agent_xmpp

from .agent import register_page_table
from .agent_model import AgentTablesNow, build_tables, drop_counters, xmpp_peers
from .introspect_table import sandesh_reply, serves
from .topology import LabNode

ROUTE_SUFFIX = ".uc.route.0"
ROUTE6_SUFFIX = ".uc.route6.0"


def tables(lab, node: LabNode) -> AgentTablesNow:
    """Built once per session state and interface count (cached on the lab)."""
    cache = getattr(lab, "agent_oper_cache", None)
    if cache is None or cache[0] is not lab.topo:
        cache = lab.agent_oper_cache = (lab.topo, {})
    key = (node.name, lab.topo.sessions.generation, len(lab.topo.interfaces))
    built = cache[1].get(key)
    if built is None:
        for stale in [k for k in cache[1] if k[0] == node.name]:
            del cache[1][stale]
        built = cache[1][key] = build_tables(lab.topo, node)
    return built


def _error(svc: ServiceDef, text: str = "") -> bytes:
    return sandesh_reply(svc, [("ErrorResp", [F("resp", "string", text, 1)])])


@serves("VrfListReq")
def vrf_list(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    wanted = args["name"]
    return encode_vrfs([v for v in tables(lab, node).vrfs if wanted in v.name])


def _routes_reply(lab, node: LabNode, svc: ServiceDef, args: Args, inet6: bool) -> bytes:
    t = tables(lab, node)
    index = args["vrf_index"]
    vrf = next((v for v in t.vrfs if (v.uc6index if inet6 else v.ucindex) == index), None)
    if vrf is None:
        return _error(svc)
    routes = [] if inet6 else t.routes.get(vrf.name, [])
    if args["src_ip"]:
        routes = [r for r in routes if r.src_ip == args["src_ip"] and r.plen == args["prefix_len"]]
    return encode_uc_routes(routes, vrf.name, inet6=inet6)


@serves("Inet4UcRouteReq")
def inet4_routes(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _routes_reply(lab, node, svc, args, inet6=False)


@serves("Inet6UcRouteReq")
def inet6_routes(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _routes_reply(lab, node, svc, args, inet6=True)


def _nh_matches(nh: NextHop, kind: str, index: str, policy: str) -> bool:
    if kind and nh.type != kind:
        return False
    if index and str(nh.index) != index.strip():
        return False
    return not policy or (("enabled" in policy) == (nh.policy == "enabled"))


def _nh_reply(lab, node: LabNode, kind: str, index: str, policy: str, key: PageKey | None) -> bytes:
    nhs = [nh for nh in tables(lab, node).nhs if _nh_matches(nh, kind, index, policy)]
    return encode_nhs(nhs, key, filters=(("nh_index", index), ("policy_enabled", policy), ("type", kind)))


@serves("NhListReq")
def nh_list(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return _nh_reply(lab, node, args["type"], args["nh_index"], args["policy_enabled"], None)


@serves("AgentXmppConnectionStatusReq")
def agent_xmpp(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return encode_agent_xmpp(xmpp_peers(lab.topo, node))


@serves("KDropStatsReq")
def drop_stats(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    from .flows import traffic_of  # here: importing the flows part registers it, after the config API

    return encode_drop_stats(drop_counters(lab.topo, node, traffic=traffic_of(lab)))


def page(lab, node: LabNode, svc: ServiceDef, key: PageKey) -> bytes | None:
    """``PageReq`` over the VRF, next-hop and route tables (the interface table is lab/agent.py's)."""
    t = tables(lab, node)
    if key.table == VRF_TABLE:
        return encode_vrfs(t.vrfs, key)
    if key.table == NH_TABLE:
        f = dict(key.filters)
        return _nh_reply(lab, node, f.get("type", ""), f.get("nh_index", ""), f.get("policy_enabled", ""), key)
    for suffix, inet6 in ((ROUTE_SUFFIX, False), (ROUTE6_SUFFIX, True)):
        if key.table.endswith(suffix):
            vrf = key.table[: -len(suffix)]
            if not any(v.name == vrf for v in t.vrfs):
                return None
            routes: list[AgentRoute] = [] if inet6 else t.routes.get(vrf, [])
            return encode_uc_routes(routes, vrf, key, inet6=inet6)
    return None


register_page_table(page)
