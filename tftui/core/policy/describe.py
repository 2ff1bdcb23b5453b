"""A config API change in the operator's words ("IP fabric forwarding: off → on"), for the confirm dialog;
the raw requests (diff.py) stay one key away."""

from __future__ import annotations

import json
from typing import Any

from .models import IP_FABRIC, fq_str

_TYPE_WORDS = {"tag": "tag", "firewall-policy": "firewall policy", "firewall-rule": "firewall rule",
               "application-policy-set": "application policy set", "virtual-network": "network",
               "bgp-router": "BGP router", "virtual-machine-interface": "port"}


def _on_off(value: Any) -> str:
    return "on" if value else "off"


def _names(refs: Any) -> str:
    """Ref lists as names, in their sequence order: `deny-icmp, allow-rest`."""
    if not refs:
        return "(none)"
    def order(r: dict) -> float:
        try:
            return float(((r.get("attr") or {}).get("sequence")) or 0)
        except (TypeError, ValueError):
            return 0.0
    return ", ".join(str((r.get("to") or ["?"])[-1]) for r in sorted(refs, key=order))


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _endpoint(ep: Any) -> str:
    if not isinstance(ep, dict) or ep.get("any"):
        return "any"
    for key in ("tags", "virtual_network", "address_group", "subnet"):
        if ep.get(key):
            value = ep[key]
            return ",".join(value) if isinstance(value, list) else str(value)
    return "any"


def _rule(body: dict) -> str:
    action = ((body.get("action_list") or {}).get("simple_action")) or "?"
    service = body.get("service") or {}
    proto = service.get("protocol") or ("service group" if body.get("service_group_refs") else "any")
    return (f"{action} {proto} {_endpoint(body.get('endpoint_1'))} {body.get('direction') or '<>'} "
            f"{_endpoint(body.get('endpoint_2'))}")


def _update_lines(type_name: str, name: str, body: dict, old: dict) -> list[str]:
    lines = []
    for key, new in body.items():
        before = old.get(key)
        if key == "virtual_network_refs" and type_name == "virtual-network":
            had = any(tuple(r.get("to") or ()) == IP_FABRIC for r in before or [])
            has = any(tuple(r.get("to") or ()) == IP_FABRIC for r in new or [])
            lines.append(f"IP fabric forwarding: {_on_off(had)} → {_on_off(has)}")
        elif key == "fabric_snat":
            lines.append(f"Fabric SNAT: {_on_off(before)} → {_on_off(new)}")
        elif key == "firewall_rule_refs":
            lines.append(f"rules, in order: {_names(before)} → {_names(new)}")
        elif key == "firewall_policy_refs":
            lines.append(f"policies, in order: {_names(before)} → {_names(new)}")
        elif key == "tag_refs":
            lines.append(f"tags: {_names(before)} → {_names(new)}")
        elif key == "bgp_router_refs":
            added = sorted({str(r["to"][-1]) for r in new or []} - {str(r["to"][-1]) for r in before or []})
            removed = sorted({str(r["to"][-1]) for r in before or []} - {str(r["to"][-1]) for r in new or []})
            change = " ".join([*(f"+{n}" for n in added), *(f"-{n}" for n in removed)]) or "unchanged"
            lines.append(f"BGP sessions of {name}: {change}")
        elif key != "fq_name" and before != new:
            lines.append(f"{key.replace('_', ' ')}: {_short(before)} → {_short(new)}")
    return lines


def describe_op(op: str, type_name: str, fq_name: list[str] | tuple[str, ...], body: dict | None,
                old: dict | None) -> list[str]:
    """One change as lines an operator reads at a glance."""
    what = _TYPE_WORDS.get(type_name, type_name)
    name = fq_str(fq_name)
    body, old = body or {}, old or {}
    if op == "delete":
        return [f"delete {what} {name}"]
    if op == "set-tag":
        before = ", ".join(old.get("tags") or []) or "(none)"
        after = ", ".join(body.get("_preview") or []) or "(none)"
        return [f"tags of port {fq_name[-1] if fq_name else '?'}: {before} → {after}"]
    if op == "create":
        if type_name == "firewall-rule":
            return [f"create rule {name}: {_rule(body)}"]
        if type_name == "bgp-router":
            params = body.get("bgp_router_parameters") or {}
            return [f"add BGP peer {fq_name[-1]}: AS {params.get('autonomous_system', '?')} "
                    f"at {params.get('address', '?')}"]
        if type_name == "firewall-policy":
            return [f"create firewall policy {name}, rules: {_names(body.get('firewall_rule_refs'))}"]
        return [f"create {what} {name}"]
    lines = _update_lines(type_name, fq_name[-1] if fq_name else name, body, old)
    return [f"{what} {name}:"] + [f"  {line}" for line in lines] if lines else [f"update {what} {name}"]
