"""`show ip route`: zebra text (Quagga 0.99, FRR 7-10) and FRR JSON."""

from __future__ import annotations

import re
from typing import Any

from .models import PROTOCOLS, NextHop, Parsed, Route, as_list, content_lines, is_age

_FLAGS = ">*=qrtob"
_HEAD = re.compile(
    r"^(?P<code>[A-Za-z])(?P<flags>[>*=qrtob ]{0,4}?)\s*(?P<prefix>[0-9A-Fa-f:.]+/\d{1,3})"
    r"(?:\s*\[(?P<distance>\d+)/(?P<metric>\d+)\])?\s*(?P<rest>.*)$"
)
_CONT = re.compile(r"^\s+(?P<flags>[>*=qrtob]*)\s*(?P<rest>(?:via |is directly connected|directly connected|unreachable|Null0).*)$")
_VRF_HEADER = re.compile(r"^(?:VRF|IPv4 unicast VRF)\s+(\S+?):?\s*$")
_VIA = re.compile(r"^via (?P<via>[0-9A-Fa-f:.]+)(?P<tail>.*)$")
_IFNAME = re.compile(r"^[A-Za-z][\w.@:/-]*$")


def _nexthop(rest: str, flags: str) -> tuple[NextHop, str | None]:
    """One next hop from what follows the prefix (or a continuation line); returns it and its age."""
    parts = [p.strip() for p in rest.split(",")]
    via: str | None = None
    interface: str | None = None
    active = True
    recursive = blackhole = False
    weight: int | None = None
    label: str | None = None
    vrf: str | None = None
    age: str | None = None
    first = parts[0] if parts else ""
    m = _VIA.match(first)
    if m:
        via = m["via"]
        tail = m["tail"]
        recursive = "(recursive)" in tail
        active = "inactive" not in tail
        vm = re.search(r"\(vrf (\S+?)\)", tail)
        if vm:
            vrf = vm[1]
    elif "unreachable" in first or "blackhole" in first or "Null0" in first or "reject" in first:
        blackhole = True
        interface = "Null0" if "Null0" in first else None
    elif "inactive" in first:
        active = False
    for part in parts[1:]:
        if not part:
            continue
        if is_age(part):
            age = part
        elif part.startswith("weight "):
            try:
                weight = int(part.split()[1])
            except (IndexError, ValueError):
                pass
        elif part.startswith("label "):
            label = part[6:].strip()
        elif part in ("bh", "blackhole", "rej", "reject"):
            blackhole = True
        elif part == "inactive":
            active = False
        elif part.startswith(("src ", "onlink", "backup", "rmapsrc", "nexthop-group")):
            continue
        elif interface is None:
            name, _, extra = part.partition(" ")
            if _IFNAME.match(name):
                interface = name
                if "inactive" in extra:
                    active = False
                vm = re.search(r"\(vrf (\S+?)\)", extra)
                if vm:
                    vrf = vm[1]
            if interface == "Null0":
                blackhole = True
    return NextHop(via, interface, active, "*" in flags, recursive, blackhole, weight, label, vrf), age


def parse_route_text(text: str) -> Parsed[Route]:
    out: Parsed[Route] = Parsed()
    lines = text.splitlines()
    i = 0
    # The legend ("Codes: ...") runs to the first blank line; its length varies by suite and version.
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].lstrip().startswith("Codes:"):
        while i < len(lines) and lines[i].strip():
            i += 1
    vrf: str | None = None
    current: dict[str, Any] | None = None

    def flush() -> None:
        if current is not None:
            out.items.append(Route(**current))

    for line, _ in content_lines("\n".join(lines[i:]), out):
        m = _VRF_HEADER.match(line.strip())
        if m and not _HEAD.match(line):
            vrf = m[1]
            continue
        m = _HEAD.match(line)
        if m and m["code"] in PROTOCOLS:
            flush()
            flags = m["flags"].replace(" ", "")
            nh, age = _nexthop(m["rest"], flags)
            current = {
                "prefix": m["prefix"], "protocol": PROTOCOLS[m["code"]], "selected": ">" in flags,
                "fib": "*" in flags, "distance": int(m["distance"]) if m["distance"] else None,
                "metric": int(m["metric"]) if m["metric"] else None, "age": age,
                "nexthops": (nh,) if m["rest"].strip() else (), "vrf": vrf, "code": m["code"] + flags,
            }
            continue
        m = _CONT.match(line)
        if m and current is not None:
            nh, age = _nexthop(m["rest"], m["flags"])
            current["nexthops"] = (*current["nexthops"], nh)
            current["fib"] = current["fib"] or nh.fib
            current["age"] = current["age"] or age
            continue
        out.skipped.append(line)
    flush()
    return out


def _json_int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _json_route(prefix: str, r: dict[str, Any]) -> Route:
    hops = []
    for nh in as_list(r.get("nexthops")):
        if not isinstance(nh, dict):
            continue
        via = nh.get("ip") if isinstance(nh.get("ip"), str) else None
        connected = bool(nh.get("directlyConnected"))
        hops.append(NextHop(
            via=None if connected else via,
            interface=nh.get("interfaceName") if isinstance(nh.get("interfaceName"), str) else None,
            active=bool(nh.get("active", False)), fib=bool(nh.get("fib", False)),
            recursive=bool(nh.get("recursive", False)),
            blackhole=bool(nh.get("unreachable", False)) or "blackhole" in str(nh.get("reject", "")),
            weight=_json_int(nh.get("weight")),
            label=" ".join(str(x) for x in nh["labels"]) if isinstance(nh.get("labels"), list) else None,
            vrf=nh.get("vrf") if isinstance(nh.get("vrf"), str) else None,
        ))
    protocol = str(r.get("protocol") or "unknown")
    return Route(
        prefix=str(r.get("prefix") or prefix), protocol=protocol, selected=bool(r.get("selected", False)),
        fib=bool(r.get("installed", False)), distance=_json_int(r.get("distance")),
        metric=_json_int(r.get("metric")), age=r.get("uptime") if isinstance(r.get("uptime"), str) else None,
        nexthops=tuple(hops), vrf=r.get("vrfName") if isinstance(r.get("vrfName"), str) else None,
        code=next((k for k, v in PROTOCOLS.items() if v == protocol), "?")
        + (">" if r.get("selected") else "") + ("*" if r.get("installed") else ""),
    )


def parse_route_json(doc: Any) -> Parsed[Route]:
    """FRR's {PREFIX: [{protocol, selected, installed, distance, metric, uptime, nexthops}]}."""
    out: Parsed[Route] = Parsed()
    if not isinstance(doc, dict):
        out.skipped.append(f"not a JSON object: {type(doc).__name__}")
        return out
    for prefix, entries in doc.items():
        if not isinstance(entries, list):
            out.skipped.append(f"{prefix}: not a list")
            continue
        for r in entries:
            if not isinstance(r, dict):
                out.skipped.append(f"{prefix}: entry is not an object")
                continue
            try:
                out.items.append(_json_route(str(prefix), r))
            except (TypeError, ValueError, AttributeError) as exc:  # a shape FRR never sent: keep going
                out.skipped.append(f"{prefix}: {exc}")
    return out
