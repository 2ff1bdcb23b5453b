"""The router's side: render neighbors/routes/paths the way Quagga 0.99 or FRR 8 prints them.

The lab router serves these; tests parse them back (encoder and decoder side by side).
"""

from __future__ import annotations

import json
from typing import Any

from .models import POLICY, PROTOCOL_CODES, BgpPath, Neighbor, Route

FRR_VERSION = "8.4.4"
QUAGGA_VERSION = "0.99.20.1"

FRR_LEGEND = """Codes: K - kernel route, C - connected, S - static, R - RIP,
       O - OSPF, I - IS-IS, B - BGP, E - EIGRP, N - NHRP,
       T - Table, v - VNC, V - VNC-Direct, A - Babel, F - PBR,
       f - OpenFabric,
       > - selected route, * - FIB route, q - queued, r - rejected, b - backup
       t - trapped, o - offload failure
"""
QUAGGA_LEGEND = """Codes: K - kernel route, C - connected, S - static, R - RIP, O - OSPF,
       I - ISIS, B - BGP, > - selected route, * - FIB route
"""


def show_version(suite: str, hostname: str = "vyos", version: str | None = None) -> str:
    if suite == "quagga":
        return f"Quagga {version or QUAGGA_VERSION} ({hostname}).\nCopyright 1996-2005 Kunihiro Ishiguro, et al.\n"
    return (f"FRRouting {version or FRR_VERSION} ({hostname}) on Linux(6.1.0-lab).\n"
            "Copyright 1996-2005 Kunihiro Ishiguro, et al.\n")


def _state_col(n: Neighbor) -> str:
    if n.policy_blocked:
        return POLICY
    if n.established:
        return str(n.prefixes_received or 0)
    return n.state


def summary_text(suite: str, router_id: str, local_as: int, neighbors: list[Neighbor], rib_entries: int,
                 version: str | None = None) -> str:
    """FRR 8.0+ (the default) adds the VRF to the title and a Desc column; FRR 7.x prints neither."""
    rows = []
    if suite == "quagga":
        head = [f"BGP router identifier {router_id}, local AS number {local_as}",
                "IPv4 Unicast - max multipaths: ebgp 1 ibgp 1",
                f"RIB entries {rib_entries}, using {rib_entries * 96} bytes of memory",
                f"Peers {len(neighbors)}, using {len(neighbors) * 4560} bytes of memory", "",
                "Neighbor        V    AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd"]
        for n in neighbors:
            addr = n.address if len(n.address) <= 15 else n.address + "\n" + " " * 15
            rows.append(f"{addr:<16}4 {n.remote_as or 0:>5} {n.msg_rcvd or 0:>7} {n.msg_sent or 0:>7} "
                        f"{0:>8} {0:>4} {0:>4} {n.up_down or 'never':<8} {_state_col(n):>12}")
    else:
        frr7 = (version or FRR_VERSION).startswith("7.")
        head = ["", "IPv4 Unicast Summary:" if frr7 else "IPv4 Unicast Summary (VRF default):",
                f"BGP router identifier {router_id}, local AS number {local_as} vrf-id 0",
                f"BGP table version {rib_entries}", f"RIB entries {rib_entries}, using {rib_entries * 192} bytes of memory",
                f"Peers {len(neighbors)}, using {len(neighbors) * 724} KiB of memory", "",
                "Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt"
                + ("" if frr7 else " Desc")]
        for n in neighbors:
            addr = n.address if len(n.address) <= 15 else n.address + "\n" + " " * 15
            sent = POLICY if n.policy_blocked else str(n.prefixes_sent or 0)
            rows.append(f"{addr:<16}4 {n.remote_as or 0:>10} {n.msg_rcvd or 0:>9} {n.msg_sent or 0:>9} {0:>8} "
                        f"{0:>4} {0:>4} {n.up_down or 'never':>8} {_state_col(n):>12} {sent:>8}"
                        + ("" if frr7 else f" {(n.description or 'N/A')[:20]}"))
    return "\n".join([*head, *rows, "", f"Total number of neighbors {len(neighbors)}", ""])


def summary_json(router_id: str, local_as: int, neighbors: list[Neighbor], rib_entries: int) -> str:
    peers: dict[str, Any] = {}
    for n in neighbors:
        peers[n.address] = {
            "remoteAs": n.remote_as, "localAs": local_as, "version": 4, "msgRcvd": n.msg_rcvd or 0,
            "msgSent": n.msg_sent or 0, "tableVersion": 0, "outq": 0, "inq": 0,
            "peerUptime": n.up_down or "never", "pfxRcd": n.prefixes_received or 0, "pfxSnt": n.prefixes_sent or 0,
            "state": n.state, "peerState": "Policy" if n.policy_blocked else "OK",
            "desc": n.description or "N/A", "idType": "ipv4",
        }
    doc = {"ipv4Unicast": {"routerId": router_id, "as": local_as, "vrfId": 0, "vrfName": "default",
                           "tableVersion": rib_entries, "ribCount": rib_entries, "peerCount": len(neighbors),
                           "peers": peers, "failedPeers": sum(1 for n in neighbors if not n.established),
                           "displayedPeers": len(neighbors), "totalPeers": len(neighbors)}}
    return json.dumps(doc, indent=2) + "\n"


def _hop_text(r: Route, nh_index: int, suite: str) -> str:
    nh = r.nexthops[nh_index]
    if nh.blackhole:
        first = "unreachable (blackhole)" if suite != "quagga" else "is directly connected, Null0"
        parts = [first]
    elif nh.via is None:
        parts = ["is directly connected", nh.interface or "lo"]
    else:
        first = f"via {nh.via}" + (" (recursive)" if nh.recursive else "") + ("" if nh.active else " inactive")
        parts = [first] + ([nh.interface] if nh.interface else [])
    if suite != "quagga" and nh.via is not None and not nh.blackhole:
        parts.append(f"weight {nh.weight or 1}")
    if r.age and (suite != "quagga" or r.protocol != "static"):
        parts.append(r.age)
    return ", ".join(parts)


def route_text(suite: str, routes: list[Route]) -> str:
    out = [FRR_LEGEND if suite != "quagga" else QUAGGA_LEGEND]
    for r in routes:
        code = PROTOCOL_CODES.get(r.protocol, "K") + (">" if r.selected else " ") + ("*" if r.fib else " ")
        dm = f" [{r.distance}/{r.metric}]" if r.protocol != "connected" and r.distance is not None else ""
        lead = f"{code} {r.prefix}{dm} "
        if not r.nexthops:
            out.append(lead.rstrip())
            continue
        out.append(lead + _hop_text(r, 0, suite))
        pad = " " * (len(lead) - 3)
        for i in range(1, len(r.nexthops)):
            out.append(f"  {'*' if r.nexthops[i].fib else ' '}{pad}" + _hop_text(r, i, suite))
    return "\n".join(out) + "\n"


def route_json(routes: list[Route]) -> str:
    doc: dict[str, list[dict[str, Any]]] = {}
    for r in routes:
        hops = []
        for nh in r.nexthops:
            h: dict[str, Any] = {"flags": 3 if nh.fib else 1, "fib": nh.fib, "afi": "ipv4",
                                 "active": nh.active, "weight": nh.weight or 1}
            if nh.blackhole:
                h.update({"unreachable": True, "reject": "blackhole"})
            elif nh.via is None:
                h.update({"directlyConnected": True})
            else:
                h["ip"] = nh.via
            if nh.recursive:
                h["recursive"] = True
            if nh.interface:
                h["interfaceName"] = nh.interface
            hops.append(h)
        doc.setdefault(r.prefix, []).append({
            "prefix": r.prefix, "prefixLen": int(r.prefix.rsplit("/", 1)[1]), "protocol": r.protocol,
            "vrfId": 0, "vrfName": "default", "selected": r.selected, "destSelected": r.selected,
            "distance": r.distance, "metric": r.metric, "installed": r.fib, "table": 254,
            "uptime": r.age or "00:00:00", "nexthops": hops,
        })
    # FRR pretty-prints; a 200k-route table is compacted here so the lab can serve it quickly
    return (json.dumps(doc, indent=2) if len(doc) < 5000 else json.dumps(doc, separators=(",", ":"))) + "\n"


_STATUS_LEGEND = """Status codes:  s suppressed, d damped, h history, * valid, > best, = multipath,
               i internal, r RIB-failure, S Stale, R Removed
Nexthop codes: @NNN nexthop's vrf id, < announce-nh-self
Origin codes:  i - IGP, e - EGP, ? - incomplete
RPKI validation codes: V valid, I invalid, N Not found
"""
_ORIGIN_CODE = {"IGP": "i", "EGP": "e", "incomplete": "?"}


def bgp_table_text(router_id: str, local_as: int, paths: list[BgpPath]) -> str:
    out = [f"BGP table version is {len(paths)}, local router ID is {router_id}, vrf id 0",
           f"Default local pref 100, local AS {local_as}", _STATUS_LEGEND,
           "   Network          Next Hop            Metric LocPrf Weight Path"]
    last = None
    for p in paths:
        status = ("*" if p.valid else " ") + (">" if p.best else "=" if p.multipath else " ")
        net = "" if p.prefix == last else p.prefix
        last = p.prefix
        if len(net) > 16:
            out.append(f"{status} {net}")
            net = ""
        med = "" if p.med is None else str(p.med)
        lp = "" if p.local_pref is None else str(p.local_pref)
        path = " ".join(x for x in (p.as_path, _ORIGIN_CODE.get(p.origin or "", "?")) if x)
        out.append(f"{status} {net:<17}{p.nexthop or '0.0.0.0':<16}{med:>10}{lp:>7}{p.weight or 0:>7} {path}")
    prefixes = len({p.prefix for p in paths})
    out += ["", f"Displayed  {prefixes} routes and {len(paths)} total paths", ""]
    return "\n".join(out)


def bgp_table_json(router_id: str, local_as: int, paths: list[BgpPath]) -> str:
    routes: dict[str, list[dict[str, Any]]] = {}
    for p in paths:
        routes.setdefault(p.prefix, []).append(_path_json(p))
    return json.dumps({"vrfId": 0, "vrfName": "default", "tableVersion": len(paths), "routerId": router_id,
                       "defaultLocPrf": 100, "localAS": local_as, "routes": routes}) + "\n"


def _path_json(p: BgpPath) -> dict[str, Any]:
    addr, _, plen = p.prefix.partition("/")
    d: dict[str, Any] = {"valid": p.valid, "bestpath": p.best, "multipath": p.multipath,
                         "pathFrom": "external" if p.external else "internal", "prefix": addr,
                         "prefixLen": int(plen or 32), "network": p.prefix, "weight": p.weight or 0,
                         "peerId": p.peer, "path": p.as_path, "origin": p.origin or "incomplete",
                         "nexthops": [{"ip": p.nexthop, "afi": "ipv4", "used": True}]}
    if p.med is not None:
        d["metric"] = p.med
    if p.local_pref is not None:
        d["locPrf"] = p.local_pref
    return d


def bgp_prefix_text(suite: str, prefix: str, paths: list[BgpPath]) -> str:
    if not paths:
        return "% Network not in table\n"
    best = next((i + 1 for i, p in enumerate(paths) if p.best), 0)
    table = "Default-IP-Routing-Table" if suite == "quagga" else "default"
    version = "" if suite == "quagga" else ", version 1"
    out = [f"BGP routing table entry for {prefix}{version}",
           f"Paths: ({len(paths)} available, best #{best}, table {table})",
           "  Advertised to non peer-group peers:", "  " + " ".join(sorted({p.peer for p in paths if p.peer}))]
    for p in paths:
        out.append(f"  {p.as_path or 'Local'}")
        out.append(f"    {p.nexthop} from {p.peer} ({p.peer})")
        attrs = [f"Origin {p.origin or 'incomplete'}"]
        if p.med is not None:
            attrs.append(f"metric {p.med}")
        if suite == "quagga" or p.local_pref is not None:
            attrs.append(f"localpref {p.local_pref if p.local_pref is not None else 100}")
        attrs += ["valid" if p.valid else "invalid", "external" if p.external else "internal"]
        if p.multipath:
            attrs.append("multipath")
        if p.best:
            attrs.append("best" if suite == "quagga" else "best (First path received)")
        out.append("      " + ", ".join(attrs))
        out.append(f"      Last update: {p.last_update or 'Wed Nov 25 16:00:00 2026'}")
    return "\n".join(out) + "\n"


def bgp_prefix_json(prefix: str, paths: list[BgpPath]) -> str:
    if not paths:
        return "{}\n"
    items = []
    for p in paths:
        items.append({
            "aspath": {"string": p.as_path or "Local", "segments": [], "length": len(p.as_path.split())},
            "origin": p.origin or "incomplete", **({"med": p.med} if p.med is not None else {}),
            **({"localpref": p.local_pref} if p.local_pref is not None else {}),
            "valid": p.valid, "multipath": p.multipath, **({"bestpath": {"overall": True}} if p.best else {}),
            "lastUpdate": {"string": p.last_update or "Wed Nov 25 16:00:00 2026\n"},
            "nexthops": [{"ip": p.nexthop, "afi": "ipv4", "accessible": True, "used": True}],
            "peer": {"peerId": p.peer, "routerId": p.peer, "type": "external" if p.external else "internal"},
        })
    return json.dumps({"prefix": prefix, "version": 1, "paths": items}) + "\n"
