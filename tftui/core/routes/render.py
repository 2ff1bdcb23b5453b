"""JSON and text renderings for the headless commands (`tftui routes`, `tftui check gatewayless`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .crosscheck import CrossCheck
from .models import Neighbor, Route


def neighbor_json(n: Neighbor) -> dict[str, Any]:
    return {"address": n.address, "remote_as": n.remote_as, "state": n.state, "established": n.established,
            "up_down": n.up_down, "prefixes_received": n.prefixes_received, "prefixes_sent": n.prefixes_sent,
            "description": n.description, "policy_blocked": n.policy_blocked, "sends_withheld": n.sends_withheld}


def route_json(r: Route) -> dict[str, Any]:
    return {"prefix": r.prefix, "protocol": r.protocol, "selected": r.selected, "fib": r.fib,
            "distance": r.distance, "metric": r.metric, "age": r.age,
            "nexthops": [{"via": nh.via, "interface": nh.interface, "active": nh.active} for nh in r.nexthops]}


def routes_document(router: str, suite: str | None, neighbors: list[Neighbor], routes: list[Route],
                    warnings: list[str] | None = None, errors: list[str] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"router": router, "suite": suite, "neighbors": [neighbor_json(n) for n in neighbors],
                           "routes": [route_json(r) for r in routes]}
    if warnings:
        doc["warnings"] = list(warnings)
    if errors:
        doc["errors"] = list(errors)
    return doc


def routes_document_chunks(router: str, suite: str | None, neighbors: list[Neighbor], routes: list[Route],
                           warnings: list[str] | None = None, errors: list[str] | None = None,
                           batch: int = 2000) -> Iterator[str]:
    """routes_document as JSON text, piece by piece: one route per line, never the whole document in memory
    (200k routes are ~60 MB of JSON; the indented one-shot dump also ran json's pure-Python encoder)."""
    head = {"router": router, "suite": suite, "neighbors": [neighbor_json(n) for n in neighbors]}
    yield json.dumps(head, indent=2)[:-2] + ',\n  "routes": ['
    encode = json.JSONEncoder().encode  # the C encoder: no indent inside a route
    for start in range(0, len(routes), batch):
        lines = ",\n    ".join(encode(route_json(r)) for r in routes[start:start + batch])
        yield ("\n    " if start == 0 else ",\n    ") + lines
    tail: dict[str, Any] = {}
    if warnings:
        tail["warnings"] = list(warnings)
    if errors:
        tail["errors"] = list(errors)
    yield ("\n  ]" if routes else "]") + ("," + json.dumps(tail, indent=2)[1:] if tail else "\n}") + "\n"


def nexthops_text(r: Route) -> str:
    parts = []
    for nh in r.nexthops:
        if nh.blackhole:
            parts.append("blackhole")
        elif nh.via is None:
            parts.append("connected")
        else:
            parts.append(nh.via + ("" if nh.active else " (inactive)") + (" (recursive)" if nh.recursive else ""))
    return ", ".join(parts)


def routes_text(doc_router: str, suite: str | None, neighbors: list[Neighbor], routes: list[Route]) -> str:
    lines = [f"router {doc_router} ({suite or 'unknown suite'})", "",
             f"{'NEIGHBOR':<18} {'AS':>8} {'STATE':<14} {'UP/DOWN':<10} {'RCVD':>6} {'SENT':>6} DESCRIPTION"]
    for n in neighbors:
        lines.append(f"{n.address:<18} {n.remote_as if n.remote_as is not None else '?':>8} {n.shown_state:<14} "
                     f"{n.up_down or 'never':<10} {_opt(n.prefixes_received):>6} {n.shown_sent:>6} "
                     f"{n.description or ''}")
    lines += ["", f"{'CODE':<5} {'PREFIX':<20} {'DIST/MET':<10} {'AGE':<10} NEXT HOPS (INTERFACE)"]
    for r in routes:
        hops = nexthops_text(r)
        ifs = ",".join(sorted({nh.interface for nh in r.nexthops if nh.interface}))
        dm = f"{r.distance}/{r.metric}" if r.distance is not None else ""
        lines.append(f"{r.code or r.protocol:<5} {r.prefix:<20} {dm:<10} {r.age or '':<10} {hops}"
                     + (f" ({ifs})" if ifs else ""))
    return "\n".join(lines)


def _opt(v: int | None) -> str:
    return "-" if v is None else str(v)


def crosscheck_document(router: str, check: CrossCheck) -> dict[str, Any]:
    return {"router": router, "expected": check.expected, "ok": check.ok, "problems": check.problems,
            "findings": [{"kind": f.kind, "prefix": f.prefix, "vm_name": f.vm_name, "expected": f.expected,
                          "actual": list(f.actual), "message": f.message, "fix": f.fix} for f in check.findings],
            "skipped_hosts": check.skipped_hosts, "note": check.note}


def crosscheck_text(router: str, check: CrossCheck) -> str:
    lines = [f"gatewayless check on router {router}: {check.ok}/{check.expected} pod/VM /32s present via their vrouter"]
    for f in check.findings:
        lines.append(f"  {f.kind.upper():<14} {f.message}")
        if f.fix:
            lines.append(f"  {'':<14} fix: {f.fix}")
    lines.extend(f"  skipped: {s}" for s in check.skipped_hosts)
    if check.note:
        lines.append(f"  {check.note}")
    elif not check.findings:
        lines.append("  everything matches")
    return "\n".join(lines)
