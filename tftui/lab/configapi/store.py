"""The lab config API's object store: objects by uuid, fq_name index, refs, back-refs, children.

Semantics follow vnc_cfg_api_server: refs are stored on the referring object, back-refs and children
are computed on read; every write bumps the object's revision (ETag, id_perms.last_modified).
Type-specific rules (derived fields, validation) live in rules.py and run inside create/update.
"""

from __future__ import annotations

import copy
import json
import os
import time
import uuid as uuidlib
from collections.abc import Callable
from typing import Any

from .schema import ROOT, TYPES, allowed_refs, back_ref_field, children_field, ref_field, ref_type_of


class ApiError(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(text)
        self.status = status
        self.text = text


def strip_nulls(value: Any) -> Any:
    """Clients send ``null`` for unset fields, also inside nested types; the server ignores them."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value if v is not None]
    return value


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1e6) % 1000000:06d}"


def _id_perms(uid: str, stamp: str) -> dict:
    u = uuidlib.UUID(uid)
    return {"enable": True, "created": stamp, "last_modified": stamp, "user_visible": True,
            "permissions": {"owner": "cloud-admin", "owner_access": 7, "other_access": 7,
                            "group": "cloud-admin-group", "group_access": 7},
            "uuid": {"uuid_mslong": u.int >> 64, "uuid_lslong": u.int & ((1 << 64) - 1)},
            "description": None, "creator": None}


class Store:
    def __init__(self) -> None:
        self.objs: dict[str, dict] = {}
        self.types: dict[str, str] = {}
        self.revs: dict[str, int] = {}
        self.fq: dict[tuple[str, tuple[str, ...]], str] = {}
        self.counters: dict[str, int] = {}  # id allocators (tag type/value ids)
        self.on_change: Callable[[], None] | None = None
        self.generation = 0  # bumped on every change: the lab's agents recompute their flows' verdicts on it
        self.rules: Any = None  # rules module, set by the server (kept apart to keep files small)

    # ---------------------------------------------------------------- lookup
    def get(self, uid: str, type_name: str | None = None) -> dict:
        obj = self.objs.get(uid)
        if obj is None or (type_name and self.types[uid] != type_name):
            raise ApiError(404, f"{type_name or 'object'} {uid} not found")
        return obj

    def uuid_of(self, type_name: str, fq_name: list[str] | tuple[str, ...]) -> str | None:
        return self.fq.get((type_name, tuple(fq_name)))

    def find(self, type_name: str) -> list[dict]:
        return [o for u, o in self.objs.items() if self.types[u] == type_name]

    def etag(self, uid: str) -> str:
        return f'"{uid[:8]}-{self.revs[uid]}"'

    def resolve_ref(self, type_name: str, ref: dict, where: str) -> dict:
        if not isinstance(ref, dict):
            raise ApiError(400, f"{where}: a reference must be an object with 'to' or 'uuid'")
        uid = ref.get("uuid")
        if uid:
            if self.types.get(uid) != type_name:
                raise ApiError(404, f"{where}: no {type_name} with uuid {uid}")
        else:
            to = ref.get("to")
            if not isinstance(to, list) or not to:
                raise ApiError(400, f"{where}: a reference needs 'to' (fq_name) or 'uuid'")
            uid = self.uuid_of(type_name, to)
            if uid is None:
                raise ApiError(404, f"{where}: no {type_name} {':'.join(map(str, to))}")
        out = {"to": list(self.objs[uid]["fq_name"]), "uuid": uid}
        if ref.get("attr") is not None:
            out["attr"] = ref["attr"]
        return out

    # ---------------------------------------------------------------- computed views
    def back_refs(self, uid: str) -> list[tuple[str, str, dict]]:
        out = []
        for src, obj in self.objs.items():
            for key, refs in obj.items():
                if key.endswith("_refs") and isinstance(refs, list):
                    out.extend((self.types[src], src, r) for r in refs if r.get("uuid") == uid)
        return out

    def children(self, uid: str) -> list[str]:
        return [u for u, o in self.objs.items() if o.get("parent_uuid") == uid]

    def href(self, base: str, uid: str) -> str:
        return f"{base}/{self.types[uid]}/{uid}"

    def view(self, uid: str, base: str, back_refs: bool = True, children: bool = True,
             fields: set[str] | None = None) -> dict:
        obj = copy.deepcopy(self.objs[uid])
        obj["href"] = self.href(base, uid)
        if obj.get("parent_uuid"):
            obj["parent_href"] = self.href(base, obj["parent_uuid"])
        for refs in (v for k, v in obj.items() if k.endswith("_refs") and isinstance(v, list)):
            for r in refs:
                r["href"] = self.href(base, r["uuid"])
        want_back = back_refs or bool(fields and any(f.endswith("_back_refs") for f in fields))
        if want_back:
            for src_type, src, ref in self.back_refs(uid):
                item = {"to": list(self.objs[src]["fq_name"]), "uuid": src, "href": self.href(base, src)}
                if "attr" in ref:
                    item["attr"] = ref["attr"]
                obj.setdefault(back_ref_field(src_type), []).append(item)
        want_children = children or bool(fields)
        if want_children:
            for child in self.children(uid):
                item = {"to": list(self.objs[child]["fq_name"]), "uuid": child, "href": self.href(base, child)}
                obj.setdefault(children_field(self.types[child]), []).append(item)
        if fields:
            keep = set(fields) | {"uuid", "fq_name", "href", "name", "parent_type", "parent_uuid", "parent_href"}
            obj = {k: v for k, v in obj.items() if k in keep}
        return obj

    # ---------------------------------------------------------------- writes
    def _changed(self, uid: str) -> None:
        self.generation += 1
        self.revs[uid] = self.revs.get(uid, 0) + 1
        self.objs[uid]["id_perms"]["last_modified"] = _now()
        if self.on_change:
            self.on_change()

    def _check_refs(self, type_name: str, body: dict, derived: tuple[str, ...]) -> None:
        for key in list(body):
            if not key.endswith("_refs"):
                continue
            if key in derived:
                raise ApiError(400, f"{type_name}: {key} is set by the server and cannot be set directly")
            target = ref_type_of(key)
            if target is None or target not in allowed_refs(type_name):
                raise ApiError(400, f"{type_name}: unknown reference field {key}")
            if not isinstance(body[key], list):
                raise ApiError(400, f"{type_name}.{key}: expected a list")
            body[key] = [self.resolve_ref(target, r, f"{type_name}.{key}") for r in body[key]]

    def create(self, type_name: str, body: Any) -> dict:
        tdef = TYPES[type_name]
        if not isinstance(body, dict):
            raise ApiError(400, f"Bad Request: expected a JSON object under '{type_name}'")
        body = strip_nulls(body)
        fq_name = body.get("fq_name")
        parent_type = body.get("parent_type")
        parent_uuid = body.get("parent_uuid")
        if fq_name is None and body.get("name") and parent_uuid and parent_uuid in self.objs:
            fq_name = list(self.objs[parent_uuid]["fq_name"]) + [body["name"]]
        if not isinstance(fq_name, list) or not fq_name or not all(isinstance(x, str) and x for x in fq_name):
            raise ApiError(400, f"Bad Request: {type_name} needs fq_name, a list of non-empty strings")
        # Tags are named after their type and value: derive the name before checking for duplicates.
        if self.rules is not None:
            fq_name = self.rules.fq_name_for_create(self, type_name, body, fq_name)
        parent_fq = fq_name[:-1]
        if not parent_fq:
            if ROOT not in tdef.parents:
                raise ApiError(400, f"Bad Request: {type_name} needs a parent ({', '.join(tdef.parents)})")
            parent_type, parent_uuid = ROOT, None
        else:
            candidates = [p for p in tdef.parents if p != ROOT]
            if parent_type is not None and parent_type not in candidates:
                raise ApiError(400, f"Bad Request: invalid parent type {parent_type} for {type_name}")
            found = [(p, self.uuid_of(p, parent_fq)) for p in ([parent_type] if parent_type else candidates)]
            found = [(p, u) for p, u in found if u]
            if not found:
                raise ApiError(400, f"Bad Request: parent {':'.join(parent_fq)} of {type_name} does not exist")
            parent_type, parent_uuid = found[0]
        if self.uuid_of(type_name, fq_name):
            raise ApiError(409, f"Conflict: fq_name {fq_name} of {type_name} already exists "
                                f"with uuid {self.uuid_of(type_name, fq_name)}")
        uid = body.get("uuid") or str(uuidlib.uuid4())
        try:
            uid = str(uuidlib.UUID(uid))
        except (ValueError, AttributeError, TypeError):
            raise ApiError(400, f"Bad Request: invalid uuid {uid!r}") from None
        if uid in self.objs:
            raise ApiError(409, f"Conflict: uuid {uid} already exists")
        self._check_refs(type_name, body, tdef.derived)
        obj = {**copy.deepcopy(tdef.defaults), **{k: v for k, v in body.items() if k not in ("href", "parent_href")}}
        obj.update(uuid=uid, fq_name=list(fq_name), name=fq_name[-1], parent_type=parent_type)
        if parent_uuid:
            obj["parent_uuid"] = parent_uuid
        else:
            obj.pop("parent_uuid", None)
        obj.setdefault("display_name", fq_name[-1])
        obj["id_perms"] = {**_id_perms(uid, _now()), **(obj.get("id_perms") or {})}
        obj["perms2"] = {"owner": "cloud-admin", "owner_access": 7, "global_access": 0, "share": []}
        if self.rules is not None:
            self.rules.on_write(self, type_name, obj, None, body)
        self.objs[uid] = obj
        self.types[uid] = type_name
        self.fq[(type_name, tuple(fq_name))] = uid
        self._changed(uid)
        return obj

    def update(self, type_name: str, uid: str, body: Any) -> dict:
        old = self.get(uid, type_name)
        if not isinstance(body, dict):
            raise ApiError(400, f"Bad Request: expected a JSON object under '{type_name}'")
        body = strip_nulls(body)
        for key in ("fq_name", "parent_type", "parent_uuid", "uuid", "name"):
            if key in body and body[key] != old.get(key):
                raise ApiError(400, f"Bad Request: {key} of {type_name} {uid} cannot change")
            body.pop(key, None)
        body.pop("href", None)
        body.pop("parent_href", None)
        body.pop("perms2", None)
        tdef = TYPES[type_name]
        for key in tdef.immutable:
            if key in body and body[key] != old.get(key):
                raise ApiError(400, f"Bad Request: {key} of {type_name} is read-only")
        self._check_refs(type_name, body, tdef.derived)
        new = copy.deepcopy(old)
        id_perms = body.pop("id_perms", None)
        new.update(body)  # each property and each *_refs list sent replaces the old one whole
        if isinstance(id_perms, dict):
            new["id_perms"] = {**new["id_perms"], **{k: v for k, v in id_perms.items()
                                                     if k in ("enable", "description", "user_visible")}}
        if self.rules is not None:
            self.rules.on_write(self, type_name, new, old, body)
        self.objs[uid] = new
        self._changed(uid)
        return new

    def delete(self, type_name: str, uid: str, base: str = "") -> None:
        self.get(uid, type_name)
        kids = self.children(uid)
        if kids:
            raise ApiError(409, f"Delete when children still present: {[self.href(base, k) for k in kids]}")
        backs = self.back_refs(uid)
        if backs:
            raise ApiError(409, f"Delete when resource still referred: {[self.href(base, u) for _, u, _ in backs]}")
        if self.rules is not None:
            self.rules.on_delete(self, type_name, self.objs[uid])
        obj = self.objs.pop(uid)
        del self.types[uid]
        self.revs.pop(uid, None)
        self.fq.pop((type_name, tuple(obj["fq_name"])), None)
        self.generation += 1
        if self.on_change:
            self.on_change()

    def ref_update(self, type_name: str, uid: str, ref_type: str, ref: dict, operation: str) -> None:
        obj = self.get(uid, type_name)
        if ref_type not in TYPES or ref_type not in allowed_refs(type_name):
            raise ApiError(400, f"Bad Request: {type_name} has no references to {ref_type}")
        key = ref_field(ref_type)
        if key in TYPES[type_name].derived:
            raise ApiError(400, f"Bad Request: {key} of {type_name} is set by the server")
        if operation not in ("ADD", "DELETE"):
            raise ApiError(400, f"Bad Request: operation must be ADD or DELETE, not {operation!r}")
        target = self.resolve_ref(ref_type, ref, f"{type_name}.{key}")
        refs = [r for r in obj.get(key, []) if r["uuid"] != target["uuid"]]
        if operation == "ADD":
            refs.append(target)
        self.update(type_name, uid, {key: refs})

    # ---------------------------------------------------------------- persistence
    def dump(self) -> dict:
        return {"objects": [{"type": self.types[u], "obj": o, "rev": self.revs.get(u, 1)} for u, o in self.objs.items()],
                "counters": self.counters}

    def load(self, doc: dict) -> None:
        for item in doc.get("objects", []):
            obj, type_name = item["obj"], item["type"]
            if type_name not in TYPES:
                continue
            uid = obj["uuid"]
            self.objs[uid] = obj
            self.types[uid] = type_name
            self.revs[uid] = int(item.get("rev", 1))
            self.fq[(type_name, tuple(obj["fq_name"]))] = uid
        self.counters.update({k: int(v) for k, v in doc.get("counters", {}).items()})
        self.generation += 1

    def save(self, path: str) -> None:
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.dump(), fh)
        os.replace(tmp, path)
