"""JSON and text of a vrouter's state for the headless commands: routes in the router routes' JSON shape (plus
per-path ``source`` and ``label``), next hops, XMPP sessions, drop counters with what each means."""

from __future__ import annotations

from typing import Any

from .drops import DropRate
from .oper import AgentRoute, NextHop
from .xmpp import AgentXmppPeer


def route_json(vrouter: str, r: AgentRoute) -> dict[str, Any]:
    """Like a router route (prefix, protocol, selected, fib, distance, metric, age, nexthops), each path a next hop."""
    active = r.active
    return {"vrouter": vrouter, "vrf": r.vrf, "prefix": r.prefix, "protocol": active.peer if active else None,
            "selected": active is not None, "fib": active is not None and active.nh.valid, "distance": None,
            "metric": None, "age": None,
            "nexthops": [{"via": p.nh.dip or p.gw_ip or None, "interface": p.nh.itf or None, "active": i == 0,
                          "source": p.peer, "label": p.label if p.label >= 0 else None, "type": p.nh.type,
                          "nh_index": p.nh.index, "tunnel": p.active_tunnel_type or None,
                          "dest_vns": list(p.dest_vns)} for i, p in enumerate(r.paths)]}


def nh_json(nh: NextHop) -> dict[str, Any]:
    return {"index": nh.index, "type": nh.type, "target": nh.target, "interface": nh.itf or None,
            "source_ip": nh.sip or None, "destination_ip": nh.dip or None, "vrf": nh.vrf or None,
            "tunnel_type": nh.tunnel_type or None, "valid": nh.valid, "policy": nh.policy or None}


def xmpp_json(p: AgentXmppPeer) -> dict[str, Any]:
    return {"controller": p.controller_ip, "state": p.state, "established": p.established,
            "config_controller": p.cfg_controller, "flap_count": p.flap_count, "last_flap": p.flap_time or None,
            "last_event": p.last_event or None, "last_state_at": p.last_state_at or None}


def drop_json(d: DropRate) -> dict[str, Any]:
    return {"counter": d.counter.field, "label": d.counter.label, "value": d.value, "delta": d.delta,
            "rate": None if d.rate is None else round(d.rate, 3), "rising": d.rising, "meaning": d.counter.meaning}


def route_lines(r: AgentRoute) -> list[str]:
    out = []
    for i, p in enumerate(r.paths):
        head = r.prefix if i == 0 else ""
        label = f"label {p.label}" if p.label >= 0 else ""
        out.append(f"{head:<20} {'*' if i == 0 else ' '} {p.peer:<16} {p.nh.type:<10} {p.nh.target:<28} {label}".rstrip())
    return out or [f"{r.prefix:<20}   (no path)"]


def drop_line(d: DropRate) -> str:
    moved = "" if d.delta is None else f"+{d.delta}" + (f" ({d.rate:.1f}/s)" if d.rate is not None else "")
    return f"{d.counter.label:<28} {d.value:>12} {moved:<18} {d.counter.meaning}"
