"""`show ip route`: zebra text (Quagga 0.99, FRR 7-10) and FRR JSON."""

from __future__ import annotations

import re
from typing import Any

from .models import PROTOCOLS, NextHop, Parsed, Route, is_age

_FLAGS = ">*=qrtob"
_HEAD = re.compile(
    r"^(?P<code>[A-Za-z])(?P<flags>[>*=qrtob ]{0,4}?)\s*(?P<prefix>[0-9A-Fa-f:.]+/\d{1,3})"
    r"(?:\s*\[(?P<distance>\d+)/(?P<metric>\d+)\])?\s*(?P<rest>.*)$"
)
_CONT = re.compile(r"^\s+(?P<flags>[>*=qrtob]*)\s*(?P<rest>(?:via |is directly connected|directly connected|unreachable|Null0).*)$")
_VRF_HEADER = re.compile(r"^(?:VRF|IPv4 unicast VRF)\s+(\S+?):?\s*$")
_VIA = re.compile(r"^via (?P<via>[0-9A-Fa-f:.]+)(?P<tail>.*)$")
_IFNAME = re.compile(r"^[A-Za-z][\w.@:/-]*$")
_VRF_IN = re.compile(r"\(vrf (\S+?)\)")


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
        vm = _VRF_IN.search(tail)
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
                vm = _VRF_IN.search(extra)
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
    # the route being read: prefix, protocol, selected, fib, distance, metric, age, [next hops], vrf, code
    current: list[Any] | None = None
    items, skipped, errors = out.items, out.skipped, out.errors
    head, cont, vrf_header = _HEAD.match, _CONT.match, _VRF_HEADER.match
    # a big table repeats the same few next-hop texts: read each once (NextHop is frozen, so sharing is safe)
    memo: dict[tuple[str, str], tuple[NextHop, str | None]] = {}

    def nexthop(rest: str, flags: str) -> tuple[NextHop, str | None]:
        key = (rest, flags)
        got = memo.get(key)
        if got is None:
            got = _nexthop(rest, flags)
            if len(memo) < 65536:
                memo[key] = got
        return got

    for raw in lines[i:]:
        line = raw.replace("\t", "        ").rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] == "%":
            errors.append(stripped)
            continue
        m = head(line)
        if m is None:
            v = vrf_header(stripped)
            if v:
                vrf = v[1]
                continue
        else:
            code, flags, prefix, distance, metric, rest = m.groups()
            if code in PROTOCOLS:
                if current is not None:
                    items.append(Route(*current[:7], tuple(current[7]), current[8], current[9]))
                flags = flags.replace(" ", "")
                nh, age = nexthop(rest, flags)
                current = [prefix, PROTOCOLS[code], ">" in flags, "*" in flags,
                           int(distance) if distance else None, int(metric) if metric else None, age,
                           [nh] if rest.strip() else [], vrf, code + flags]
                continue
        c = cont(line)
        if c and current is not None:
            nh, age = nexthop(c["rest"], c["flags"])
            current[7].append(nh)
            current[3] = current[3] or nh.fib
            current[6] = current[6] or age
            continue
        skipped.append(line)
    if current is not None:
        items.append(Route(*current[:7], tuple(current[7]), current[8], current[9]))
    return out


def _json_int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _first_code(protocol: str) -> str:
    return next((k for k, v in PROTOCOLS.items() if v == protocol), "?")


_CODE_OF = {v: _first_code(v) for v in PROTOCOLS.values()}


def _json_nexthop(nh: dict[str, Any]) -> NextHop:
    via = nh.get("ip") if isinstance(nh.get("ip"), str) else None
    connected = bool(nh.get("directlyConnected"))
    return NextHop(
        via=None if connected else via,
        interface=nh.get("interfaceName") if isinstance(nh.get("interfaceName"), str) else None,
        active=bool(nh.get("active", False)), fib=bool(nh.get("fib", False)),
        recursive=bool(nh.get("recursive", False)),
        blackhole=bool(nh.get("unreachable", False)) or "blackhole" in str(nh.get("reject", "")),
        weight=_json_int(nh.get("weight")),
        label=" ".join(str(x) for x in nh["labels"]) if isinstance(nh.get("labels"), list) else None,
        vrf=nh.get("vrf") if isinstance(nh.get("vrf"), str) else None,
    )


def _cached_nexthop(nh: dict[str, Any], cache: dict[tuple, NextHop]) -> NextHop:
    """A big table has a handful of distinct next hops: build each once and share it (NextHop is frozen)."""
    g = nh.get
    weight = g("weight")
    # the weight's type too: 1 == True == 1.0 as keys, but only an int is a weight
    key = (g("ip"), g("directlyConnected"), g("interfaceName"), g("active"), g("fib"), g("recursive"),
           g("unreachable"), g("reject"), weight, weight.__class__, g("labels"), g("vrf"))
    try:
        hop = cache.get(key)
    except TypeError:  # a list or object among the values (labels): not shareable, build it
        return _json_nexthop(nh)
    if hop is None:
        hop = _json_nexthop(nh)
        if len(cache) < 65536:
            cache[key] = hop
    return hop


def _json_route(prefix: str, r: dict[str, Any], cache: dict[tuple, NextHop] | None = None) -> Route:
    g = r.get
    raw_hops = g("nexthops")
    if cache is None:
        cache = {}
    if not isinstance(raw_hops, list):
        hops: tuple[NextHop, ...] = ()
    elif len(raw_hops) == 1 and isinstance(raw_hops[0], dict):  # the common case, without a generator
        hops = (_cached_nexthop(raw_hops[0], cache),)
    else:
        hops = tuple(_cached_nexthop(nh, cache) for nh in raw_hops if isinstance(nh, dict))
    protocol = str(g("protocol") or "unknown")
    selected = g("selected")
    installed = g("installed")
    distance = g("distance")
    metric = g("metric")
    uptime = g("uptime")
    vrf = g("vrfName")
    return Route(
        str(g("prefix") or prefix), protocol, bool(selected), bool(installed),
        distance if distance.__class__ is int else _json_int(distance),
        metric if metric.__class__ is int else _json_int(metric),
        uptime if isinstance(uptime, str) else None, hops, vrf if isinstance(vrf, str) else None,
        (_CODE_OF.get(protocol) or "?") + (">" if selected else "") + ("*" if installed else ""),
    )


def parse_route_json(doc: Any) -> Parsed[Route]:
    """FRR's {PREFIX: [{protocol, selected, installed, distance, metric, uptime, nexthops}]}."""
    out: Parsed[Route] = Parsed()
    if not isinstance(doc, dict):
        out.skipped.append(f"not a JSON object: {type(doc).__name__}")
        return out
    cache: dict[tuple, NextHop] = {}
    for prefix, entries in doc.items():
        if not isinstance(entries, list):
            out.skipped.append(f"{prefix}: not a list")
            continue
        for r in entries:
            if not isinstance(r, dict):
                out.skipped.append(f"{prefix}: entry is not an object")
                continue
            try:
                out.items.append(_json_route(str(prefix), r, cache))
            except (TypeError, ValueError, AttributeError) as exc:  # a shape FRR never sent: keep going
                out.skipped.append(f"{prefix}: {exc}")
    return out
