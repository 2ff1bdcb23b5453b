"""`show ip bgp` (the BGP table), `show ip bgp PREFIX` (one prefix's paths), and `show version`."""

from __future__ import annotations

import re
from typing import Any

from .models import BgpPath, Parsed, Suite, as_dict, as_list, content_lines, to_int

_PREFIX = re.compile(r"^[0-9A-Fa-f:.]+(?:/\d{1,3})?$")
_ORIGINS = {"i": "IGP", "e": "EGP", "?": "incomplete"}


def _columns(header: str) -> dict[str, tuple[int, int]] | None:
    cols = {}
    for name in ("Network", "Next Hop", "Metric", "LocPrf", "Weight", "Path"):
        at = header.find(name)
        if at < 0:
            return None
        cols[name] = (at, at + len(name))
    return cols


def _table_row(line: str, cols: dict[str, tuple[int, int]], last_prefix: str | None) -> tuple[BgpPath | None, str | None]:
    status = line[: cols["Network"][0]]
    body = line[cols["Network"][0]:]
    tokens = body.split()
    prefix = last_prefix
    if body[:1].strip() and tokens and _PREFIX.match(tokens[0]):
        prefix = tokens.pop(0)
        if not tokens:  # a long network wraps: the next hop follows on the next line
            return None, prefix
    if prefix is None or not tokens:
        return None, last_prefix
    nexthop = tokens[0]
    nh_end = line.find(nexthop, cols["Next Hop"][0] - 2) + len(nexthop)
    numbers: dict[str, int] = {}
    path_at = cols["Path"][0]
    for m in re.finditer(r"\d+", line[nh_end:path_at] if len(line) > path_at else line[nh_end:]):
        end = nh_end + m.end()
        name = min(("Metric", "LocPrf", "Weight"), key=lambda c: abs(cols[c][1] - end))
        numbers[name] = int(m.group())
    path_tokens = line[path_at:].split() if len(line) > path_at else []
    origin = _ORIGINS.get(path_tokens[-1]) if path_tokens else None
    if origin:
        path_tokens = path_tokens[:-1]
    path = BgpPath(
        prefix=prefix if "/" in prefix else prefix + "/32", nexthop=nexthop, best=">" in status,
        valid="*" in status, multipath="=" in status, med=numbers.get("Metric"),
        local_pref=numbers.get("LocPrf"), weight=numbers.get("Weight"), as_path=" ".join(path_tokens),
        origin=origin, external=None if "i" in status else True,
    )
    return path, prefix


def parse_bgp_table_text(text: str) -> Parsed[BgpPath]:
    out: Parsed[BgpPath] = Parsed()
    cols = None
    last_prefix: str | None = None
    for line, stripped in content_lines(text, out):
        m = re.search(r"local router ID is (\S+?)(?:,|$)", stripped)
        if m:
            out.meta["router_id"] = m[1]
        m = re.search(r"local AS (\d+)", stripped)
        if m:
            out.meta["local_as"] = int(m[1])
        if "Network" in line and "Next Hop" in line:
            cols = _columns(line)
            continue
        if cols is None or stripped.startswith(("Displayed", "Total number")):
            continue
        try:
            path, last_prefix = _table_row(line, cols, last_prefix)
        except (IndexError, ValueError):
            path = None
        if path is not None:
            out.items.append(path)
        elif not (_PREFIX.match(stripped.split()[-1]) and last_prefix == stripped.split()[-1]):
            out.skipped.append(line)
    return out


def _json_path(prefix: str, p: dict[str, Any]) -> BgpPath:
    hops = [h for h in as_list(p.get("nexthops")) if isinstance(h, dict)]
    used = next((h for h in hops if h.get("used")), hops[0] if hops else {})
    aspath = p.get("aspath")
    as_path = aspath.get("string") if isinstance(aspath, dict) else p.get("path")
    best = p.get("bestpath")
    peer = as_dict(p.get("peer"))
    last = p.get("lastUpdate")
    return BgpPath(
        prefix=prefix, nexthop=used.get("ip") if isinstance(used.get("ip"), str) else None,
        best=bool(best.get("overall")) if isinstance(best, dict) else bool(best),
        valid=bool(p.get("valid", False)), multipath=bool(p.get("multipath", False)),
        med=p.get("med", p.get("metric")) if isinstance(p.get("med", p.get("metric")), int) else None,
        local_pref=p.get("locPrf", p.get("localpref")) if isinstance(p.get("locPrf", p.get("localpref")), int) else None,
        weight=p.get("weight") if isinstance(p.get("weight"), int) else None,
        as_path=str(as_path or ""), origin=str(p["origin"]) if p.get("origin") else None,
        peer=p.get("peerId") or peer.get("peerId"),
        external=(p.get("pathFrom") or peer.get("type")) == "external" if (p.get("pathFrom") or peer.get("type")) else None,
        last_update=last.get("string", "").strip() or None if isinstance(last, dict) else None,
    )


def parse_bgp_table_json(doc: Any) -> Parsed[BgpPath]:
    out: Parsed[BgpPath] = Parsed()
    if not isinstance(doc, dict) or not isinstance(doc.get("routes", {}), dict):
        out.skipped.append("not a BGP table object")
        return out
    out.meta.update({k: doc[k] for k in ("routerId", "localAS") if k in doc})
    for prefix, paths in (doc.get("routes") or {}).items():
        for p in as_list(paths):
            try:
                out.items.append(_json_path(str(prefix), as_dict(p)))
            except (TypeError, ValueError, AttributeError) as exc:  # a shape FRR never sent: keep going
                out.skipped.append(f"{prefix}: {exc}")
    return out


_FROM = re.compile(r"^\s+(?P<nh>\S+)(?: \(.*?\))? from (?P<peer>\S+)(?: \((?P<rid>\S+)\))?")


def parse_bgp_prefix_text(text: str) -> Parsed[BgpPath]:
    """One prefix's paths: AS path line, `NH from PEER (RID)`, then `Origin IGP, metric 100, ...`."""
    out: Parsed[BgpPath] = Parsed()
    lines = [ln.replace("\t", "        ").rstrip() for ln in text.splitlines()]
    prefix = None
    for idx, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("%"):
            out.errors.append(stripped)
            continue
        m = re.match(r"BGP routing table entry for (\S+?),?(?:\s|$)", stripped)
        if m:
            prefix = m[1]
            out.meta["prefix"] = prefix
            continue
        m = _FROM.match(line)
        if not m or prefix is None:
            continue
        as_line = lines[idx - 1].strip() if idx else ""
        as_path = "" if as_line in ("Local", "") or "Advertised" in as_line or as_line[:1] not in "0123456789{(" else as_line
        as_path = re.sub(r",.*$", "", as_path)  # ", (Received from a RR-client)" and the like
        attrs = lines[idx + 1].strip() if idx + 1 < len(lines) else ""
        fields = [f.strip() for f in attrs.split(",")]
        origin = fields[0][7:] if fields and fields[0].startswith("Origin ") else None
        values = {f.split(" ", 1)[0]: f.split(" ", 1)[1] for f in fields if " " in f}
        last = next((ln.strip()[len("Last update:"):].strip() for ln in lines[idx + 2: idx + 6]
                     if ln.strip().startswith("Last update:")), None)
        out.items.append(BgpPath(
            prefix=prefix, nexthop=m["nh"], best=any(f.startswith("best") for f in fields),
            valid="valid" in fields, multipath="multipath" in fields, med=to_int(values.get("metric")),
            local_pref=to_int(values.get("localpref")), weight=to_int(values.get("weight")), as_path=as_path,
            origin=origin, peer=m["peer"], external="external" in fields if ("external" in fields or "internal" in fields) else None,
            last_update=last,
        ))
    if prefix is None and not out.errors:
        out.skipped.extend(ln for ln in lines if ln.strip())
    return out


def parse_bgp_prefix_json(doc: Any) -> Parsed[BgpPath]:
    out: Parsed[BgpPath] = Parsed()
    if not isinstance(doc, dict):
        out.skipped.append("not a JSON object")
        return out
    prefix = str(doc.get("prefix") or "")
    if not prefix:
        if doc.get("warning"):
            out.errors.append(str(doc["warning"]))
        elif doc:
            out.skipped.append("no prefix in reply")
        return out
    out.meta["prefix"] = prefix
    for p in as_list(doc.get("paths")):
        try:
            out.items.append(_json_path(prefix, as_dict(p)))
        except (TypeError, ValueError, AttributeError) as exc:
            out.skipped.append(str(exc))
    return out


def detect_suite(show_version: str) -> Suite:
    """FRRouting x.y(.z) vs Quagga; anything else is unknown (text commands only)."""
    m = re.search(r"FRRouting\s+(\S+)", show_version or "")
    if m:
        return Suite("frr", m[1])
    m = re.search(r"Quagga\s+(\S+)", show_version or "")
    if m:
        return Suite("quagga", m[1].rstrip("."))
    return Suite("unknown")
