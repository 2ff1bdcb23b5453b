"""Type-specific rules of the lab config API: derived fields, validation, set-tag.

What the real server derives (tag name and id, firewall-rule protocol_id, tag_ids, tag_refs,
address_group_refs) is computed here and may not be set by clients; what it refuses (bad enums,
endpoints with two selectors, match on label, global objects pointing at project ones) is a 400.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from tftui.core.policy.models import DIRECTIONS

from .schema import PREDEFINED_TAG_TYPES, PROTOCOLS, ROUTER_TYPES, SECURITY, SIMPLE_ACTIONS
from .store import ApiError, Store

ENDPOINT_KEYS = ("tags", "virtual_network", "address_group", "subnet", "any")
_TAG_TYPE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def bad(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def project_scoped(store: Store, obj: dict) -> bool:
    parent = obj.get("parent_uuid")
    while parent:
        if store.types.get(parent) == "project":
            return True
        parent = store.objs.get(parent, {}).get("parent_uuid")
    return False


def project_fq(store: Store, obj: dict) -> list[str] | None:
    parent = obj.get("parent_uuid")
    while parent:
        if store.types.get(parent) == "project":
            return list(store.objs[parent]["fq_name"])
        parent = store.objs.get(parent, {}).get("parent_uuid")
    return None


def split_tag(name: str) -> tuple[str, str]:
    if "=" not in name:
        raise bad(f"tag name {name!r} is not TYPE=VALUE")
    t, v = name.split("=", 1)
    t = t.strip().lower()
    if not _TAG_TYPE_RE.match(t) or not v:
        raise bad(f"tag name {name!r} is not TYPE=VALUE")
    return t, v


def fq_name_for_create(store: Store, type_name: str, body: dict, fq_name: list[str]) -> list[str]:
    if type_name != "tag":
        return fq_name
    t, v = body.get("tag_type_name"), body.get("tag_value")
    if t is None or v is None:
        t2, v2 = split_tag(fq_name[-1])
        t, v = t or t2, v or v2
    if not isinstance(t, str) or not isinstance(v, str) or not _TAG_TYPE_RE.match(t.lower()) or not v:
        raise bad("tag needs tag_type_name and tag_value (or a TYPE=VALUE name)")
    body["tag_type_name"], body["tag_value"] = t.lower(), v
    return fq_name[:-1] + [f"{t.lower()}={v}"]


def _tag_type_id(store: Store, t: str) -> int:
    if t in PREDEFINED_TAG_TYPES:
        return PREDEFINED_TAG_TYPES[t]
    key = f"tag-type:{t}"
    if key not in store.counters:
        store.counters[key] = 0x10 + sum(1 for k in store.counters if k.startswith("tag-type:"))
    return store.counters[key]


def _known_tag_type(store: Store, t: str) -> bool:
    return t in PREDEFINED_TAG_TYPES or f"tag-type:{t}" in store.counters


def _write_tag(store: Store, obj: dict, old: dict | None, body: dict) -> None:
    if old is None:
        if "tag_id" in body:
            raise bad("tag_id is allocated by the server and cannot be set")
        type_id = _tag_type_id(store, obj["tag_type_name"])
        key = f"tag-value:{obj['tag_type_name']}"
        store.counters[key] = store.counters.get(key, 0) + 1
        obj["tag_id"] = f"0x{type_id:04x}{store.counters[key]:04x}"
        obj.setdefault("tag_predefined", obj["tag_type_name"] in PREDEFINED_TAG_TYPES)


def _check_tag_refs(store: Store, type_name: str, obj: dict) -> None:
    seen: dict[str, str] = {}
    for ref in obj.get("tag_refs", []):
        tag = store.objs[ref["uuid"]]
        t = tag["tag_type_name"]
        if t != "label" and t in seen:
            raise bad(f"{type_name} can carry one {t} tag only ({seen[t]} and {tag['name']})")
        seen[t] = tag["name"]
        if not project_scoped(store, obj) and type_name in SECURITY and project_scoped(store, tag):
            raise bad(f"global {type_name} cannot reference project-scoped tag {':'.join(tag['fq_name'])}")


def _check_global_refs(store: Store, type_name: str, obj: dict) -> None:
    if type_name not in SECURITY or project_scoped(store, obj):
        return
    for key, refs in obj.items():
        if key.endswith("_refs") and isinstance(refs, list):
            for r in refs:
                target = store.objs[r["uuid"]]
                if store.types[r["uuid"]] in SECURITY and project_scoped(store, target):
                    raise bad(f"global {type_name} {':'.join(obj['fq_name'])} cannot reference "
                              f"project-scoped {store.types[r['uuid']]} {':'.join(target['fq_name'])}")


def _check_sequences(type_name: str, refs: list[dict], field: str) -> None:
    for r in refs:
        seq = (r.get("attr") or {}).get("sequence")
        try:
            float(seq)
        except (TypeError, ValueError):
            raise bad(f"{type_name}.{field}: {':'.join(r['to'])} needs attr.sequence, a number as a string "
                      f"(got {seq!r})") from None


def _resolve_tag(store: Store, rule: dict, name: str) -> dict:
    is_global = name.startswith("global:")
    tname = name[len("global:"):] if is_global else name
    t, v = split_tag(tname)
    project = project_fq(store, rule)
    fq = [f"{t}={v}"] if (is_global or project is None) else project + [f"{t}={v}"]
    uid = store.uuid_of("tag", fq)
    if uid is None:
        raise ApiError(404, f"No Tag object found for {name} ({':'.join(fq)})")
    return store.objs[uid]


def _endpoint(store: Store, rule: dict, ep: Any, which: str, refs: dict[str, list[dict]]) -> dict:
    if not isinstance(ep, dict):
        raise bad(f"firewall-rule {which} must be an object")
    ep = {k: v for k, v in ep.items() if k != "tag_ids"}
    chosen = [k for k in ENDPOINT_KEYS if ep.get(k) not in (None, False, [], "")]
    if len(chosen) != 1:
        raise bad(f"firewall-rule {which} needs exactly one of {', '.join(ENDPOINT_KEYS)} (got {chosen or 'none'})")
    kind = chosen[0]
    if kind == "tags":
        if not isinstance(ep["tags"], list) or not all(isinstance(x, str) for x in ep["tags"]):
            raise bad(f"firewall-rule {which}.tags must be a list of TYPE=VALUE strings")
        tags = [_resolve_tag(store, rule, name) for name in ep["tags"]]
        ep["tag_ids"] = [int(t["tag_id"], 16) for t in tags]
        refs["tag"].extend({"to": t["fq_name"], "uuid": t["uuid"]} for t in tags)
    elif kind in ("virtual_network", "address_group"):
        type_name = kind.replace("_", "-")
        fq = str(ep[kind]).split(":")
        uid = store.uuid_of(type_name, fq)
        if uid is None:
            raise ApiError(404, f"No {type_name} object found for {ep[kind]}")
        refs[type_name].append({"to": fq, "uuid": uid})
    elif kind == "subnet":
        sub = ep["subnet"]
        try:
            ipaddress.ip_network(f"{sub['ip_prefix']}/{sub['ip_prefix_len']}", strict=False)
        except (KeyError, TypeError, ValueError):
            raise bad(f"firewall-rule {which}.subnet needs ip_prefix and ip_prefix_len") from None
    elif ep["any"] is not True:
        raise bad(f"firewall-rule {which}.any must be true")
    return ep


def _ports(value: Any, where: str) -> dict:
    if value is None:
        return {"start_port": 0, "end_port": 65535}
    try:
        start, end = int(value["start_port"]), int(value["end_port"])
    except (KeyError, TypeError, ValueError):
        raise bad(f"{where} needs start_port and end_port") from None
    if not (-1 <= start <= 65535 and -1 <= end <= 65535):
        raise bad(f"{where} out of range")
    return {"start_port": start, "end_port": end}


def _write_rule(store: Store, obj: dict, old: dict | None, body: dict) -> None:
    svc_body = body.get("service") or {}
    if isinstance(svc_body, dict) and "protocol_id" in svc_body and (
            old is None or svc_body["protocol_id"] != (old.get("service") or {}).get("protocol_id")):
        raise bad("service.protocol_id is derived from service.protocol and cannot be set")
    action = (obj.get("action_list") or {}).get("simple_action")
    if action not in SIMPLE_ACTIONS:
        raise bad(f"firewall-rule action_list.simple_action must be one of {', '.join(SIMPLE_ACTIONS)} (got {action!r})")
    direction = obj.get("direction", "<>")
    if direction not in DIRECTIONS:
        raise bad(f"firewall-rule direction must be <>, > or < (got {direction!r})")
    obj["direction"] = direction
    has_service, has_group = bool(obj.get("service")), bool(obj.get("service_group_refs"))
    if has_service == has_group:
        raise bad("firewall-rule needs exactly one of service or service_group_refs")
    if has_service:
        svc = obj["service"]
        proto = str(svc.get("protocol", "any")).lower()
        if proto in PROTOCOLS:
            pid = PROTOCOLS[proto]
        elif proto.isdigit() and 0 <= int(proto) <= 255:
            pid = int(proto)
        else:
            raise bad(f"firewall-rule service.protocol {proto!r} is not a protocol name or number")
        obj["service"] = {"protocol": proto, "protocol_id": pid,
                          "src_ports": _ports(svc.get("src_ports"), "service.src_ports"),
                          "dst_ports": _ports(svc.get("dst_ports"), "service.dst_ports")}
    refs: dict[str, list[dict]] = {"tag": [], "address-group": [], "virtual-network": []}
    for which in ("endpoint_1", "endpoint_2"):
        if which not in obj:
            raise bad(f"firewall-rule needs {which}")
        obj[which] = _endpoint(store, obj, obj[which], which, refs)
    match = obj.get("match_tags")
    if match is not None:
        tag_list = match.get("tag_list") if isinstance(match, dict) else None
        if not isinstance(tag_list, list):
            raise bad("firewall-rule match_tags needs tag_list, a list of tag types")
        lowered = [str(t).lower() for t in tag_list]
        if "label" in lowered:
            raise bad("firewall-rule match_tags cannot contain label")
        unknown = [t for t in lowered if not _known_tag_type(store, t)]
        if unknown:
            raise bad(f"firewall-rule match_tags: unknown tag type(s) {', '.join(unknown)}")
        obj["match_tags"] = {"tag_list": lowered}
        obj["match_tag_types"] = {"tag_type": [_tag_type_id(store, t) for t in lowered]}
    for type_name, found in refs.items():
        key = type_name.replace("-", "_") + "_refs"
        uniq = {r["uuid"]: r for r in found}
        if uniq:
            obj[key] = list(uniq.values())
        else:
            obj.pop(key, None)


def _write_vn(store: Store, obj: dict, old: dict | None, body: dict) -> None:
    providers = obj.get("virtual_network_refs", [])
    if len(providers) > 1:
        raise bad("a virtual network may reference at most one provider network")
    for r in providers:
        target = store.objs[r["uuid"]]
        if not target.get("is_provider_network"):
            raise bad(f"{':'.join(target['fq_name'])} is not a provider network")
        if r["uuid"] == obj["uuid"]:
            raise bad("a virtual network cannot reference itself")
    if not isinstance(obj.get("fabric_snat", False), bool):
        raise bad("fabric_snat must be true or false")


def _write_bgp_router(store: Store, obj: dict, old: dict | None, body: dict) -> None:
    params = obj.get("bgp_router_parameters")
    if not isinstance(params, dict):
        raise bad("bgp-router needs bgp_router_parameters")
    rt = params.get("router_type", "router")
    if rt not in ROUTER_TYPES:
        raise bad(f"bgp_router_parameters.router_type must be one of {', '.join(ROUTER_TYPES)} (got {rt!r})")
    asn = params.get("autonomous_system")
    if asn is not None and (not isinstance(asn, int) or not 0 < asn < 1 << 32):
        raise bad(f"bgp_router_parameters.autonomous_system {asn!r} is not an AS number")
    for key in ("address", "identifier"):
        if params.get(key) is not None:
            try:
                ipaddress.ip_address(params[key])
            except ValueError:
                raise bad(f"bgp_router_parameters.{key} {params[key]!r} is not an IP address") from None


def _write_policy_refs(store: Store, type_name: str, obj: dict) -> None:
    field = "firewall_rule_refs" if type_name == "firewall-policy" else "firewall_policy_refs"
    _check_sequences(type_name, obj.get(field, []), field)
    if type_name == "application-policy-set":
        for ref in obj.get("tag_refs", []):
            if store.objs[ref["uuid"]]["tag_type_name"] != "application":
                raise bad("an application policy set carries application tags only")


def on_write(store: Store, type_name: str, obj: dict, old: dict | None, body: dict) -> None:
    if type_name == "tag":
        _write_tag(store, obj, old, body)
    elif type_name == "firewall-rule":
        _write_rule(store, obj, old, body)
    elif type_name in ("firewall-policy", "application-policy-set"):
        _write_policy_refs(store, type_name, obj)
    elif type_name == "virtual-network":
        _write_vn(store, obj, old, body)
    elif type_name == "bgp-router":
        _write_bgp_router(store, obj, old, body)
    if type_name != "firewall-rule":
        _check_tag_refs(store, type_name, obj)
    _check_global_refs(store, type_name, obj)


def on_delete(store: Store, type_name: str, obj: dict) -> None:
    if type_name == "application-policy-set" and obj.get("all_applications"):
        raise ApiError(409, "Conflict: the default application policy set cannot be deleted")
