"""The lab config API over HTTP (aiohttp): home links, collections, resources, actions.

Errors are plain-text bodies with the status the real server uses; with keystone enabled every
path but ``GET /`` needs a valid ``X-Auth-Token``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .actions import list_collection, set_tag, truthy
from .keystone import KeystoneLab
from .schema import TYPES
from .store import ApiError, Store

ACTIONS = {  # link name -> path, as the real server's home page lists them
    "name-to-id": "/fqname-to-id", "id-to-name": "/id-to-fqname", "ref-update": "/ref-update",
    "set-tag": "/set-tag", "prop-collection-update": "/prop-collection-update",
    "prop-collection-get": "/prop-collection-get", "list-bulk-collection": "/list-bulk-collection",
}


API_FAULTS = ("expire", "409", "503", "garbage")
TOKEN_USES = 3  # under fault "expire" a token dies after this many requests
# POSTs that only read; every other POST/PUT/DELETE changes the store
READ_POSTS = ("/fqname-to-id", "/id-to-fqname", "/list-bulk-collection")


def is_write(method: str, path: str) -> bool:
    return method in ("PUT", "DELETE") or (method == "POST" and path not in READ_POSTS)


def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain")


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Bad Request: body is not valid JSON") from None


def _type_from_collection(name: str) -> str:
    if name.endswith("s") and name[:-1] in TYPES:
        return name[:-1]
    raise ApiError(404, f"Not Found: no collection /{name}")


def _type_from_resource(name: str) -> str:
    if name in TYPES:
        return name
    raise ApiError(404, f"Not Found: no resource type {name}")


class ConfigApiServer:
    def __init__(self, store: Store, keystone: KeystoneLab | None = None,
                 on_write: Callable[[], None] | None = None, fault: str | None = None):
        self.store = store
        self.keystone = keystone
        self.requests = 0
        self.writes = 0  # write requests received (whatever their outcome): --readonly must leave it at 0
        self.fault = fault  # one of API_FAULTS; tests switch it at run time
        self._token_uses: dict[str, int] = {}
        self.app = web.Application(middlewares=[self._middleware])
        r = self.app.router
        r.add_get("/", self.home)
        r.add_post("/fqname-to-id", self.fqname_to_id)
        r.add_post("/id-to-fqname", self.id_to_fqname)
        r.add_post("/ref-update", self.ref_update)
        r.add_post("/set-tag", self.set_tag)
        r.add_post("/prop-collection-update", self.prop_collection_update)
        r.add_post("/list-bulk-collection", self.list_bulk)
        r.add_get("/{collection}", self.list)
        r.add_post("/{collection}", self.create)
        r.add_get("/{type}/{uuid}", self.read)
        r.add_put("/{type}/{uuid}", self.update)
        r.add_delete("/{type}/{uuid}", self.delete)

    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        self.requests += 1
        if is_write(request.method, request.path):
            self.writes += 1
        if self.fault == "503":
            return _text(503, "Service Unavailable: the API server is restarting (lab fault)")
        if self.keystone is not None and not (request.method == "GET" and request.path == "/"):
            token = request.headers.get("X-Auth-Token")
            if not token:
                return _text(401, "Authentication required: no X-Auth-Token")
            if self.fault == "expire":
                self._token_uses[token] = self._token_uses.get(token, 0) + 1
                if self._token_uses[token] > TOKEN_USES:
                    self.keystone.tokens[token] = 0.0
            if not self.keystone.valid(token):
                return _text(401, "Authentication failed: token is invalid or expired")
        if self.fault == "409" and is_write(request.method, request.path):
            return _text(409, "Conflict: the object was changed by another client (lab fault)")
        try:
            resp = await handler(request)
        except ApiError as exc:
            return _text(exc.status, exc.text)
        if self.fault == "garbage" and resp.content_type == "application/json":
            return web.Response(status=resp.status, body=b'{"links": [{"link": \x00\xff<html>', headers={"ETag": "x"},
                                content_type="application/json")
        return resp

    async def home(self, request: web.Request) -> web.Response:
        base = _base(request)
        links: list[dict] = [{"link": {"rel": "root", "href": f"{base}/config-root", "name": "config-root",
                                       "method": "GET"}}]
        for name in TYPES:
            links.append({"link": {"rel": "collection", "href": f"{base}/{name}s", "name": name, "method": "GET"}})
            links.append({"link": {"rel": "resource-base", "href": f"{base}/{name}", "name": name, "method": "GET"}})
        for name, path in ACTIONS.items():
            method = "GET" if name == "prop-collection-get" else "POST"
            links.append({"link": {"rel": "action", "href": f"{base}{path}", "name": name, "method": method}})
        return web.json_response({"href": base, "links": links})

    async def list(self, request: web.Request) -> web.Response:
        type_name = _type_from_collection(request.match_info["collection"])
        return web.json_response(list_collection(self.store, type_name, dict(request.query), _base(request)))

    async def list_bulk(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if not isinstance(body, dict) or body.get("type") not in TYPES:
            raise ApiError(400, "Bad Request: list-bulk-collection needs a known 'type'")
        q = {k: ",".join(v) if isinstance(v, list) else str(v) for k, v in body.items() if v is not None}
        return web.json_response(list_collection(self.store, body["type"], q, _base(request)))

    async def create(self, request: web.Request) -> web.Response:
        type_name = _type_from_collection(request.match_info["collection"])
        body = await _json_body(request)
        if not isinstance(body, dict) or type_name not in body:
            raise ApiError(400, f"Bad Request: body must be {{\"{type_name}\": {{...}}}}")
        obj = self.store.create(type_name, body[type_name])
        base = _base(request)
        out = {k: obj[k] for k in ("name", "fq_name", "uuid", "parent_type") if k in obj}
        out["href"] = self.store.href(base, obj["uuid"])
        if obj.get("parent_uuid"):
            out["parent_uuid"] = obj["parent_uuid"]
            out["parent_href"] = self.store.href(base, obj["parent_uuid"])
        return web.json_response({type_name: out}, headers={"ETag": self.store.etag(obj["uuid"])})

    async def read(self, request: web.Request) -> web.Response:
        type_name = _type_from_resource(request.match_info["type"])
        uid = request.match_info["uuid"]
        self.store.get(uid, type_name)
        q = request.query
        fields = {f for f in q.get("fields", "").split(",") if f} or None
        etag = self.store.etag(uid)
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        view = self.store.view(uid, _base(request), back_refs=not truthy(q.get("exclude_back_refs")),
                               children=not truthy(q.get("exclude_children")), fields=fields)
        return web.json_response({type_name: view}, headers={"ETag": etag})

    async def update(self, request: web.Request) -> web.Response:
        type_name = _type_from_resource(request.match_info["type"])
        uid = request.match_info["uuid"]
        self.store.get(uid, type_name)
        body = await _json_body(request)
        if not isinstance(body, dict) or type_name not in body:
            raise ApiError(400, f"Bad Request: body must be {{\"{type_name}\": {{...}}}}")
        if_match = request.headers.get("If-Match")
        if if_match and if_match != self.store.etag(uid):
            raise ApiError(412, "Precondition Failed: the object changed since it was read")
        self.store.update(type_name, uid, body[type_name])
        return web.json_response({type_name: {"uuid": uid, "href": self.store.href(_base(request), uid)}},
                                 headers={"ETag": self.store.etag(uid)})

    async def delete(self, request: web.Request) -> web.Response:
        type_name = _type_from_resource(request.match_info["type"])
        self.store.delete(type_name, request.match_info["uuid"], _base(request))
        return web.Response(status=200, text="")

    async def fqname_to_id(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("fq_name"), list) or body.get("type") not in TYPES:
            raise ApiError(400, "Bad Request: fqname-to-id needs type and fq_name")
        uid = self.store.uuid_of(body["type"], body["fq_name"])
        if uid is None:
            raise ApiError(404, f"Name {':'.join(map(str, body['fq_name']))} not found")
        return web.json_response({"uuid": uid})

    async def id_to_fqname(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        uid = body.get("uuid") if isinstance(body, dict) else None
        if uid not in self.store.objs:
            raise ApiError(404, f"UUID {uid} not found")
        return web.json_response({"fq_name": self.store.objs[uid]["fq_name"], "type": self.store.types[uid]})

    async def ref_update(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: expected a JSON object")
        type_name, uid, ref_type = body.get("type"), body.get("uuid"), body.get("ref-type")
        if type_name not in TYPES or not uid:
            raise ApiError(400, "Bad Request: ref-update needs type, uuid, ref-type, operation")
        ref = {"uuid": body.get("ref-uuid"), "to": body.get("ref-fq-name"), "attr": body.get("attr")}
        self.store.ref_update(type_name, uid, str(ref_type), {k: v for k, v in ref.items() if v}, body.get("operation"))
        return web.json_response({"uuid": uid})

    async def set_tag(self, request: web.Request) -> web.Response:
        return web.json_response(set_tag(self.store, await _json_body(request)))

    async def prop_collection_update(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if not isinstance(body, dict) or body.get("uuid") not in self.store.objs:
            raise ApiError(404 if isinstance(body, dict) else 400, "prop-collection-update: unknown uuid")
        if body.get("updates"):
            raise ApiError(400, "Bad Request: property collection updates are not supported by the lab")
        return web.json_response({})
