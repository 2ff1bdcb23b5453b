"""Async client of the TF config API (REST on 8082): the real server's semantics, over httpx.

URLs come from the home page's links, as vnc_api builds them. Errors are the server's plain-text
bodies turned into ``ConfigApiError("409 Conflict: Delete when resource still referred: [...]")``.
Keystone v3 tokens are cached and renewed once on a 401; the password comes from the environment
variable the config names and is never logged or kept in an exception.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

import httpx

from tftui.core.policy.settings import ConfigApiSettings
from tftui.core.proxy import proxy_for
from tftui.core.redact import redact

from .keystone import KeystoneError, keystone_token

log = logging.getLogger(__name__)


class ConfigApiError(Exception):
    def __init__(self, status: int, text: str, method: str = "", path: str = ""):
        self.status = status
        self.text = redact(text.strip())  # httpx names the URL it failed on: credentials in it stay out
        self.method = method
        self.path = redact(path)
        reason = httpx.codes.get_reason_phrase(status) if status else "Unreachable"
        body = self.text
        if body.lower().startswith(reason.lower() + ":"):  # the lab and the real server prefix the reason
            body = body[len(reason) + 1:].strip()
        super().__init__(f"{status} {reason}: {body}" if status else f"{reason}: {body}")
        log.error("config API: %s%s", f"{method} {self.path}: " if method and self.path not in body else "", self)


def _bool(value: bool) -> str:
    return "True" if value else "False"


class ConfigApiClient:
    def __init__(self, settings: ConfigApiSettings, env: Mapping[str, str] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._env = env if env is not None else os.environ
        proxy = proxy_for(settings.host, settings.proxy, settings.no_proxy)
        self._http = httpx.AsyncClient(timeout=settings.timeout, trust_env=False, proxy=proxy, transport=transport)
        self._token: str | None = None
        self._links: dict[tuple[str, str], str] | None = None
        self.token_requests = 0

    async def __aenter__(self) -> ConfigApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ transport
    async def _authenticate(self) -> str:
        self.token_requests += 1
        try:
            return await keystone_token(self._http, self.settings.auth, self._env)
        except KeystoneError as exc:
            raise ConfigApiError(exc.status, exc.text, "POST" if exc.url else "", exc.url) from None

    async def _request(self, method: str, url: str, *, params: dict | None = None, body: Any = None,
                       headers: dict | None = None, allow: tuple[int, ...] = ()) -> httpx.Response:
        keystone = self.settings.auth.type == "keystone"
        for attempt in (0, 1):
            hdrs = {"Content-Type": "application/json", **(headers or {})}
            if keystone and url.rstrip("/") != self.settings.url:
                if self._token is None:
                    self._token = await self._authenticate()
                hdrs["X-Auth-Token"] = self._token
            try:
                resp = await self._http.request(method, url, params=params, headers=hdrs,
                                                content=None if body is None else json.dumps(body))
            except httpx.TimeoutException:
                raise ConfigApiError(0, f"{method} {url}: no reply within {self.settings.timeout:g}s",
                                     method, url) from None
            except httpx.HTTPError as exc:
                raise ConfigApiError(0, f"{method} {url}: {exc.__class__.__name__}: {exc}", method, url) from None
            if resp.status_code == 401 and keystone and attempt == 0:
                self._token = None  # expired or revoked: one new token, one retry
                continue
            if resp.status_code >= 400 and resp.status_code not in allow:
                raise ConfigApiError(resp.status_code, resp.text or "(empty reply)", method, url)
            return resp
        raise AssertionError("unreachable")

    def _json(self, resp: httpx.Response) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise ConfigApiError(resp.status_code, f"reply is not JSON: {resp.text[:200]!r}") from None

    # ------------------------------------------------------------------ home links
    async def home(self) -> dict:
        resp = await self._request("GET", self.settings.url + "/")
        doc = self._json(resp)
        links: dict[tuple[str, str], str] = {}
        base = str(doc.get("href", self.settings.url)).rstrip("/")
        for item in doc.get("links", []):
            link = item.get("link", {})
            href = str(link.get("href", ""))
            # Build from our own base: the server's idea of its host may not be reachable from here.
            path = href[len(base):] if href.startswith(base) else href
            links[(link.get("rel", ""), link.get("name", ""))] = self.settings.url + path
        self._links = links
        return doc

    async def _link(self, rel: str, name: str) -> str:
        if self._links is None:
            await self.home()
        assert self._links is not None
        url = self._links.get((rel, name))
        if url is None:
            raise ConfigApiError(404, f"the config API does not offer {rel} {name!r}")
        return url

    # ------------------------------------------------------------------ resources
    async def list(self, type_name: str, *, parent_id: str | list[str] | None = None,
                   parent_fq_name: list[str] | None = None, back_ref_id: str | list[str] | None = None,
                   obj_uuids: list[str] | None = None, fq_names: list[list[str]] | None = None,
                   filters: dict[str, Any] | None = None, fields: list[str] | None = None, detail: bool = False,
                   count: bool = False, page_limit: int | None = None, page_marker: str | None = None) -> Any:
        params: dict[str, str] = {"detail": _bool(detail), "count": _bool(count)}
        if parent_id:
            params["parent_id"] = ",".join(parent_id) if isinstance(parent_id, list) else parent_id
        if parent_fq_name:
            params["parent_fq_name_str"] = ":".join(parent_fq_name)
        if back_ref_id:
            params["back_ref_id"] = ",".join(back_ref_id) if isinstance(back_ref_id, list) else back_ref_id
        if obj_uuids:
            params["obj_uuids"] = ",".join(obj_uuids)
        if fq_names:
            params["fq_names"] = ",".join(":".join(f) for f in fq_names)
        if filters:
            params["filters"] = ",".join(f"{k}=={json.dumps(v)}" for k, v in filters.items())
        if fields:
            params["fields"] = ",".join(fields)
        if page_limit:
            params["page_limit"] = str(page_limit)
        if page_marker:
            params["page_marker"] = page_marker
        resp = await self._request("GET", await self._link("collection", type_name), params=params)
        return self._json(resp)

    async def list_all(self, type_name: str, *, page_size: int = 500, **kw: Any) -> list[dict]:
        """Every object of a type, with detail, following page markers."""
        out: list[dict] = []
        marker: str | None = None
        while True:
            doc = await self.list(type_name, detail=True, page_limit=page_size, page_marker=marker, **kw)
            items = doc.get(f"{type_name}s", [])
            out.extend(i.get(type_name, i) for i in items)
            marker = doc.get("marker")
            if not marker or not items:
                return out

    async def count(self, type_name: str, **kw: Any) -> int:
        doc = await self.list(type_name, count=True, **kw)
        return int(doc[f"{type_name}s"]["count"])

    async def read(self, type_name: str, uuid: str, *, exclude_back_refs: bool = False,
                   exclude_children: bool = False, fields: list[str] | None = None) -> dict:
        obj, _ = await self.read_with_etag(type_name, uuid, exclude_back_refs=exclude_back_refs,
                                           exclude_children=exclude_children, fields=fields)
        return obj

    async def read_with_etag(self, type_name: str, uuid: str, *, exclude_back_refs: bool = False,
                             exclude_children: bool = False, fields: list[str] | None = None) -> tuple[dict, str | None]:
        params = {}
        if exclude_back_refs:
            params["exclude_back_refs"] = "True"
        if exclude_children:
            params["exclude_children"] = "True"
        if fields:
            params["fields"] = ",".join(fields)
        url = f"{await self._link('resource-base', type_name)}/{uuid}"
        resp = await self._request("GET", url, params=params)
        doc = self._json(resp)
        if type_name not in doc:
            raise ConfigApiError(resp.status_code, f"reply to {url} has no {type_name!r} object")
        return doc[type_name], resp.headers.get("ETag")

    async def read_by_name(self, type_name: str, fq_name: list[str], **kw: Any) -> dict:
        return await self.read(type_name, await self.fqname_to_id(type_name, fq_name, required=True), **kw)

    async def create(self, type_name: str, body: dict) -> dict:
        resp = await self._request("POST", await self._link("collection", type_name), body={type_name: body})
        return self._json(resp).get(type_name, {})

    async def update(self, type_name: str, uuid: str, body: dict) -> dict:
        """Partial update: each property and each ``*_refs`` list in ``body`` replaces the stored one."""
        url = f"{await self._link('resource-base', type_name)}/{uuid}"
        resp = await self._request("PUT", url, body={type_name: body})
        return self._json(resp).get(type_name, {}) if resp.content else {}

    async def delete(self, type_name: str, uuid: str) -> None:
        await self._request("DELETE", f"{await self._link('resource-base', type_name)}/{uuid}")

    # ------------------------------------------------------------------ actions
    async def fqname_to_id(self, type_name: str, fq_name: list[str], required: bool = False) -> str | None:
        resp = await self._request("POST", await self._link("action", "name-to-id"),
                                   body={"type": type_name, "fq_name": list(fq_name)}, allow=(404,))
        if resp.status_code == 404:
            if required:
                raise ConfigApiError(404, f"no {type_name} {':'.join(fq_name)}")
            return None
        return str(self._json(resp)["uuid"])

    async def id_to_fqname(self, uuid: str) -> tuple[list[str], str]:
        resp = await self._request("POST", await self._link("action", "id-to-name"), body={"uuid": uuid})
        doc = self._json(resp)
        return list(doc["fq_name"]), str(doc["type"])

    async def ref_update(self, type_name: str, uuid: str, ref_type: str, *, ref_uuid: str | None = None,
                         ref_fq_name: list[str] | None = None, operation: str = "ADD", attr: Any = None) -> None:
        body = {"type": type_name, "uuid": uuid, "ref-type": ref_type, "ref-uuid": ref_uuid,
                "ref-fq-name": ref_fq_name, "operation": operation, "attr": attr}
        await self._request("POST", await self._link("action", "ref-update"), body=body)

    async def set_tag(self, type_name: str, uuid: str, tags: dict[str, Any]) -> None:
        """``tags``: tag type -> ``{is_global, value}`` | ``{is_global, add_values, delete_values}`` | None."""
        await self._request("POST", await self._link("action", "set-tag"),
                            body={"obj_type": type_name, "obj_uuid": uuid, **tags})
