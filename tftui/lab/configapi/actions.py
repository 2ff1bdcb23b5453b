"""Collection listing and the action endpoints (set-tag) of the lab config API."""

from __future__ import annotations

import json
from typing import Any

from .rules import project_fq, split_tag
from .schema import TYPES
from .store import ApiError, Store


def truthy(value: str | None) -> bool:
    return str(value).lower() in ("true", "1", "yes")


def _csv(value: str | None) -> list[str]:
    return [x for x in (value or "").split(",") if x]


def parse_filters(text: str | None) -> list[tuple[str, Any]]:
    """``k=="v",k2==3``: vnc_api JSON-encodes each value; a bare word is taken as a string."""
    out = []
    for part in _csv(text):
        if "==" not in part:
            raise ApiError(400, f"Bad Request: filter {part!r} is not KEY==VALUE")
        key, raw = part.split("==", 1)
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        out.append((key, value))
    return out


def list_collection(store: Store, type_name: str, q: dict[str, str], base: str) -> dict:
    uids = [u for u, t in store.types.items() if t == type_name]
    if q.get("parent_id"):
        parents = set(_csv(q["parent_id"]))
        uids = [u for u in uids if store.objs[u].get("parent_uuid") in parents]
    if q.get("parent_fq_name_str"):
        pfq = q["parent_fq_name_str"].split(":")
        uids = [u for u in uids if store.objs[u]["fq_name"][:-1] == pfq]
    if q.get("back_ref_id"):
        wanted = set(_csv(q["back_ref_id"]))
        uids = [u for u in uids if any(r.get("uuid") in wanted for k, refs in store.objs[u].items()
                                       if k.endswith("_refs") and isinstance(refs, list) for r in refs)]
    if q.get("obj_uuids"):
        wanted = set(_csv(q["obj_uuids"]))
        uids = [u for u in uids if u in wanted]
    if q.get("fq_names"):
        wanted_fq = {tuple(x.split(":")) for x in _csv(q["fq_names"])}
        uids = [u for u in uids if tuple(store.objs[u]["fq_name"]) in wanted_fq]
    for key, value in parse_filters(q.get("filters")):
        uids = [u for u in uids if store.objs[u].get(key) == value]
    key = f"{type_name}s"
    if truthy(q.get("count")):
        return {key: {"count": len(uids)}}
    uids.sort()
    marker = None
    if q.get("page_limit"):
        try:
            limit = int(q["page_limit"])
        except ValueError:
            raise ApiError(400, "Bad Request: page_limit must be an integer") from None
        if limit > 0:
            start = q.get("page_marker")
            if start and start != "None":
                uids = [u for u in uids if u > start]
            if len(uids) > limit:
                uids = uids[:limit]
                marker = uids[-1]
    fields = set(_csv(q.get("fields")))
    if truthy(q.get("detail")):
        items: list[dict] = [{type_name: store.view(u, base, back_refs=False, children=False) | (
            {k: v for k, v in store.view(u, base).items() if k in fields} if fields else {})} for u in uids]
    else:
        items = []
        for u in uids:
            item = {"href": store.href(base, u), "fq_name": store.objs[u]["fq_name"], "uuid": u}
            if fields:
                view = store.view(u, base)
                item.update({k: view[k] for k in fields if k in view})
            items.append(item)
    out: dict[str, Any] = {key: items}
    if q.get("page_limit"):
        out["marker"] = marker
    return out


def _tag_for(store: Store, obj: dict, t: str, value: str, is_global: bool) -> dict:
    project = project_fq(store, obj) if store.types[obj["uuid"]] != "project" else list(obj["fq_name"])
    fq = [f"{t}={value}"] if (is_global or project is None) else project + [f"{t}={value}"]
    uid = store.uuid_of("tag", fq)
    if uid is None:
        raise ApiError(404, f"No Tag object found for {':'.join(fq)}")
    return store.objs[uid]


def set_tag(store: Store, body: Any) -> dict:
    if not isinstance(body, dict):
        raise ApiError(400, "Bad Request: expected a JSON object")
    obj_type, obj_uuid = body.get("obj_type"), body.get("obj_uuid")
    if isinstance(obj_type, str):  # vnc_api sends the class's object_type, "virtual_machine_interface"
        obj_type = obj_type.replace("_", "-")
    if obj_type not in TYPES:
        raise ApiError(400, f"Bad Request: unknown obj_type {obj_type!r}")
    obj = store.get(str(obj_uuid), obj_type)
    refs = list(obj.get("tag_refs", []))

    def of_type(t: str) -> list[dict]:
        return [r for r in refs if store.objs[r["uuid"]]["tag_type_name"] == t]

    for t, spec in body.items():
        if t in ("obj_type", "obj_uuid"):
            continue
        t = t.lower()
        if spec is None:
            refs = [r for r in refs if r not in of_type(t)]
            continue
        if not isinstance(spec, dict):
            raise ApiError(400, f"Bad Request: set-tag {t}: expected an object or null")
        is_global = bool(spec.get("is_global", False))
        if t != "label":  # one tag of a type per object: set with "value" (api_server.py set_tag)
            if spec.get("add_values") or spec.get("delete_values"):
                raise ApiError(400, f"Bad Request: Tag type {t} cannot be set multiple times on a same object.")
            if spec.get("value") is None or isinstance(spec.get("value"), list):
                raise ApiError(400, f"Bad Request: No valid value provided for tag type {t}")
            tag = _tag_for(store, obj, t, str(spec["value"]), is_global)
            refs = [r for r in refs if r not in of_type(t)] + [{"to": tag["fq_name"], "uuid": tag["uuid"]}]
            continue
        if spec.get("value") is not None:  # a label's "value" is one more value to add
            spec = {**spec, "add_values": [*(spec.get("add_values") or []), spec["value"]]}
        for value in spec.get("delete_values") or []:
            split_tag(f"{t}={value}")
            tag = _tag_for(store, obj, t, str(value), is_global)
            refs = [r for r in refs if r["uuid"] != tag["uuid"]]
        for value in spec.get("add_values") or []:
            tag = _tag_for(store, obj, t, str(value), is_global)
            if t != "label":
                refs = [r for r in refs if r not in of_type(t)]
            if all(r["uuid"] != tag["uuid"] for r in refs):
                refs.append({"to": tag["fq_name"], "uuid": tag["uuid"]})
    store.update(obj_type, obj["uuid"], {"tag_refs": refs})
    return {}
