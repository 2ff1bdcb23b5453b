"""Text renderings of control-node state in the words operators know from the introspect CLI (``ist ctr ...``).

A neighbor row has ist's columns (peer, peer_address, peer_asn, encoding, peer_type, state, send_state,
flap_count, flap_time with ``n/a`` for never); a path line reads
``[PROTOCOL|source] localpref: N, nh: X, encap: [...], label: N, AS path: P``.
"""

from __future__ import annotations

from .instances import RoutingInstance, TableSummary
from .peers import BgpNeighbor
from .routes import ControlPath, ControlTable

NEIGHBOR_COLUMNS = ("peer", "peer_address", "peer_asn", "encoding", "peer_type", "state", "send_state", "flap_count",
                    "flap_time")
SUMMARY_COLUMNS = ("name", "prefixes", "paths", "primary_paths", "secondary_paths", "infeasible_paths")


def neighbor_row(n: BgpNeighbor) -> tuple[str, ...]:
    return (n.peer, n.peer_address, str(n.peer_asn), n.encoding, n.peer_type, n.state, n.send_state,
            str(n.flap_count), n.last_flap or "n/a")


def summary_row(t: TableSummary) -> tuple[str, ...]:
    return (t.name, str(t.prefixes), str(t.paths), str(t.primary_paths), str(t.secondary_paths),
            str(t.infeasible_paths))


def instance_row(ri: RoutingInstance) -> tuple[str, ...]:
    return (ri.name, ri.virtual_network, str(ri.vn_index), str(ri.vxlan_id), " ".join(ri.import_targets),
            " ".join(ri.export_targets))


def path_line(p: ControlPath) -> str:
    encap = "[" + ", ".join(f"'{e}'" for e in p.tunnel_encap) + "]"
    return (f"[{p.protocol}|{p.source or 'None'}] localpref: {p.local_preference}, nh: {p.next_hop}, "
            f"encap: {encap}, label: {p.label}, AS path: {p.as_path or 'None'}")


def table_header(t: ControlTable) -> str:
    return (f"{t.name}: {t.prefixes} destinations, {t.paths} routes ({t.primary_paths} primary, "
            f"{t.secondary_paths} secondary, {t.infeasible_paths} infeasible)")


def grid(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain aligned table (no borders: it must survive any terminal and grep)."""
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def routes_text(tables: list[ControlTable] | tuple[ControlTable, ...]) -> str:
    out: list[str] = []
    for t in tables:
        out += ["", table_header(t)]
        for r in t.routes:
            out += ["", f"{r.prefix}, last_modified: {r.last_modified or '-'}"]
            out += [f"    {'*' if p.best else ' '}{path_line(p)}" for p in r.paths]
    return "\n".join(out).lstrip("\n")


def route_json(control_node: str, table: ControlTable, r) -> dict:
    """A control-node route in the router routes' JSON shape (prefix, protocol, selected, fib, distance, metric,
    age, nexthops); each path is one next hop, with its ``source`` and ``label`` (and what else TF says of it)."""
    best = r.best
    return {"control_node": control_node, "instance": table.routing_instance, "table": table.name, "prefix": r.prefix,
            "protocol": best.protocol if best else None, "selected": best is not None, "fib": None, "distance": None,
            "metric": best.med if best else None, "age": r.last_modified or None,
            "nexthops": [{"via": p.next_hop or None, "interface": None, "active": p.best, "source": p.source or None,
                          "label": p.label, "protocol": p.protocol, "local_pref": p.local_preference,
                          "as_path": p.as_path, "communities": list(p.communities), "encap": list(p.tunnel_encap),
                          "origin_vn": p.origin_vn or None, "flags": list(p.flags), "best": p.best}
                         for p in r.paths]}
