"""Async client of the TF analytics API (contrail-analytics-api, 8081), over httpx.

Errors mean what the server means (tf-analytics ``opserver.py`` ``_ERRORS``, errno -> HTTP):

- 500 whose body is valid JSON on ``/analytics/uves`` and ``/analytics/alarms``: some UVE partitions are down;
  the data is returned, flagged ``partial``;
- 403 from the query API: ENOBUFS, the result is too large (not a permission problem); 410: the query
  expired or never existed; 503: the query engine does not answer;
- 401 anywhere, 403 elsewhere: authentication / not cloud-admin.

Every reply is read against a size cap as it arrives (compressed replies refused), every request has a
time limit, and a query has an overall deadline; an operator's ``http_proxy`` is ignored (only the
cluster's ``proxy``/``no_proxy``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import orjson

from tftui.core.analytics.alarms import Alarm, parse_alarms_reply
from tftui.core.analytics.results import QueryFormatError, parse_query_status, parse_rows
from tftui.core.analytics.settings import AnalyticsSettings
from tftui.core.analytics.uve import (
    UveFilters,
    UveFormatError,
    parse_key_list,
    parse_multi,
    parse_type_list,
    plural,
    singular,
)
from tftui.core.proxy import proxy_for
from tftui.core.redact import redact

from .introspect import ssl_context
from .keystone import KeystoneError, keystone_token

log = logging.getLogger(__name__)
T = TypeVar("T")

# What went wrong, for callers that decide on it (auto status source, exit codes, the views)
UNREACHABLE, TIMEOUT, AUTH, TOO_LARGE, EXPIRED, NOT_FOUND, UNAVAILABLE, BAD_REPLY, FAILED, HTTP = (
    "unreachable", "timeout", "auth", "too-large", "expired", "not-found", "unavailable", "bad-reply", "failed",
    "http")


def loads_json(content: bytes) -> Any:
    """orjson (a 10,000-vrouter NodeStatus reply is 25 MB: 3x faster than json), and json for what orjson refuses
    but json reads (NaN, integers past 64 bits): the same values either way, and json's ValueError if neither."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


class AnalyticsError(Exception):
    def __init__(self, kind: str, message: str, status: int = 0):
        self.kind = kind
        self.status = status
        super().__init__(redact(message))


@dataclass(frozen=True)
class Reply(Generic[T]):
    data: T
    partial: bool = False  # a 500 with a JSON body: some partitions did not answer


def _verify(settings: AnalyticsSettings) -> ssl.SSLContext | bool:
    return ssl_context(settings.tls) if settings.url.startswith("https:") else True


class AnalyticsClient:
    def __init__(self, settings: AnalyticsSettings, env: Mapping[str, str] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._env = env if env is not None else os.environ
        proxy = proxy_for(settings.host, settings.proxy, settings.no_proxy)
        self._http = httpx.AsyncClient(timeout=settings.timeout, trust_env=False, proxy=proxy, transport=transport,
                                       verify=_verify(settings), follow_redirects=False,
                                       headers={"Accept-Encoding": "identity", "Accept": "application/json"})
        self._token: str | None = None
        self.requests = 0

    async def __aenter__(self) -> AnalyticsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ transport
    async def _auth_headers(self) -> dict[str, str]:
        if self.settings.auth.type != "keystone":
            return {}
        if self._token is None:
            try:
                self._token = await keystone_token(self._http, self.settings.auth, self._env)
            except KeystoneError as exc:
                raise AnalyticsError(AUTH if exc.status else UNREACHABLE, exc.text, exc.status) from None
        return {"X-Auth-Token": self._token}

    async def _read_capped(self, resp: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise AnalyticsError(BAD_REPLY, f"compressed reply refused (Content-Encoding: {encoding[:40]})",
                                 resp.status_code)
        announced = resp.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > cap:
            raise AnalyticsError(TOO_LARGE, f"reply too large ({announced} bytes announced, cap {cap})",
                                 resp.status_code)
        chunks, size = [], 0
        async for chunk in resp.aiter_raw():
            size += len(chunk)
            if size > cap:
                raise AnalyticsError(TOO_LARGE, f"reply too large (over {cap} bytes)", resp.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _send(self, method: str, path: str, *, params: list[tuple[str, str]] | None = None,
                    body: Any = None, headers: dict[str, str] | None = None,
                    timeout: float | None = None) -> tuple[int, bytes]:
        url = self.settings.url + path
        limit = timeout or self.settings.timeout
        for attempt in (0, 1):
            hdrs = {**(headers or {}), **await self._auth_headers()}
            if body is not None:
                hdrs["Content-Type"] = "application/json"
            self.requests += 1
            try:
                async with asyncio.timeout(limit):
                    req = self._http.build_request(method, url, params=params, headers=hdrs,
                                                   content=None if body is None else json.dumps(body),
                                                   timeout=limit)
                    resp = await self._http.send(req, stream=True)
                    try:
                        content = await self._read_capped(resp)
                    finally:
                        await resp.aclose()
            except (TimeoutError, httpx.TimeoutException):
                raise AnalyticsError(TIMEOUT, f"{method} {path}: no reply within {limit:g}s") from None
            except httpx.ConnectError as exc:
                raise AnalyticsError(UNREACHABLE, f"{method} {url}: cannot connect ({_why(exc)})") from None
            except httpx.HTTPError as exc:
                raise AnalyticsError(BAD_REPLY, f"{method} {path}: {exc.__class__.__name__}: {_why(exc)}") from None
            if resp.status_code == 401 and self._token is not None and attempt == 0:
                self._token = None  # expired or revoked: one new token, one retry
                continue
            return resp.status_code, content
        raise AssertionError("unreachable")

    @staticmethod
    def _decode(status: int, content: bytes, path: str) -> Any:
        try:
            return loads_json(content)
        except ValueError:
            snippet = content[:120].decode("utf-8", "replace")
            raise AnalyticsError(BAD_REPLY, f"{path}: HTTP {status}, reply is not JSON: {snippet!r}", status) from None

    def _error(self, status: int, content: bytes, path: str, query: bool = False) -> AnalyticsError:
        text = content[:300].decode("utf-8", "replace").strip() or "(empty reply)"
        if query and status == 403:
            return AnalyticsError(TOO_LARGE, f"{path}: the query's result is too large for the server "
                                             f"(403: {text}); narrow the time range or the where clause", status)
        if status in (401, 403):
            why = "authentication required" if status == 401 else "not allowed (needs cloud-admin)"
            return AnalyticsError(AUTH, f"{path}: {why} (HTTP {status}: {text})", status)
        if status == 410:
            return AnalyticsError(EXPIRED, f"{path}: the query expired or is unknown (410: {text})", status)
        if status == 404:
            return AnalyticsError(NOT_FOUND, f"{path}: not found (404: {text})", status)
        if status == 503:
            return AnalyticsError(UNAVAILABLE, f"{path}: unavailable (503: {text})", status)
        return AnalyticsError(HTTP, f"{path}: HTTP {status}: {text}", status)

    async def _get_json(self, path: str, params: list[tuple[str, str]] | None = None,
                        partial_ok: bool = False) -> Reply[Any]:
        status, content = await self._send("GET", path, params=params)
        if status == 200:
            return Reply(self._decode(status, content, path))
        if status == 500 and partial_ok:
            try:
                return Reply(loads_json(content), partial=True)
            except ValueError:
                pass
        raise self._error(status, content, path)

    # ------------------------------------------------------------------ UVEs
    async def uve_types(self) -> Reply[list[str]]:
        """The plural type names (``vrouters``, ``control-nodes``, ...) the server lists."""
        reply = await self._get_json("/analytics/uves", partial_ok=True)
        return Reply(self._shape(parse_type_list, reply.data, "/analytics/uves"), reply.partial)

    async def uve_keys(self, uve_type: str, filters: UveFilters = UveFilters()) -> Reply[list[str]]:
        path = f"/analytics/uves/{plural(uve_type)}"
        reply = await self._get_json(path, filters.params(flat=False) if filters.any else None, partial_ok=True)
        return Reply(self._shape(parse_key_list, reply.data, path), reply.partial)

    async def uve(self, uve_type: str, name: str, flat: bool = True,
                  filters: UveFilters = UveFilters()) -> Reply[dict]:
        path = f"/analytics/uves/{singular(uve_type)}/{_quote(name)}"
        reply = await self._get_json(path, filters.params(flat) or None, partial_ok=True)
        if not isinstance(reply.data, dict):
            raise AnalyticsError(BAD_REPLY, f"{path}: expected a JSON object")
        return reply

    async def uve_multi(self, uve_type: str, pattern: str = "*",
                        filters: UveFilters = UveFilters()) -> Reply[dict[str, dict]]:
        """Every UVE of a type whose key matches ``pattern`` in one GET (``*`` wildcard)."""
        path = f"/analytics/uves/{singular(uve_type)}/{_quote(pattern)}"
        reply = await self._get_json(path, filters.params(True), partial_ok=True)
        return Reply(self._shape(parse_multi, reply.data, path), reply.partial)

    async def uve_post(self, uve_type: str, filters: UveFilters = UveFilters()) -> Reply[dict[str, dict]]:
        """The multi-get by POST (singular type in the path; kfilt/cfilt/sfilt/mfilt/ackfilt in the body)."""
        path = f"/analytics/uves/{singular(uve_type)}"
        status, content = await self._send("POST", path, body=filters.body())
        if status == 500:  # partial data when the body is JSON, a plain server error when it is not
            try:
                return Reply(self._shape(parse_multi, json.loads(content), path), partial=True)
            except ValueError:
                raise self._error(status, content, path) from None
        if status != 200:
            raise self._error(status, content, path)
        return Reply(self._shape(parse_multi, self._decode(status, content, path), path))

    # ------------------------------------------------------------------ alarms
    async def alarms(self, tables: tuple[str, ...] = (), ackfilt: bool | None = None,
                     kfilt: tuple[str, ...] = ()) -> Reply[list[Alarm]]:
        params: list[tuple[str, str]] = []
        if tables:
            params.append(("tablefilt", ",".join(tables)))
        if kfilt:
            params.append(("kfilt", ",".join(kfilt)))
        if ackfilt is not None:
            params.append(("ackfilt", "true" if ackfilt else "false"))
        reply = await self._get_json("/analytics/alarms", params or None, partial_ok=True)
        if not isinstance(reply.data, dict):
            raise AnalyticsError(BAD_REPLY, "/analytics/alarms: expected {uve-type: [...]}")
        return Reply(parse_alarms_reply(reply.data), reply.partial)

    async def acknowledge(self, alarm: Alarm) -> None:
        """A write: the caller has the operator's confirmation and is not read-only."""
        path = "/analytics/alarms/acknowledge"
        body = {"table": alarm.table, "name": alarm.name, "type": alarm.type, "token": alarm.token}
        status, content = await self._send("POST", path, body=body)
        if status != 200:
            if status == 404:
                raise AnalyticsError(NOT_FOUND, f"{path}: the server does not know this alarm or its token "
                                                f"(404: {content[:200].decode('utf-8', 'replace')})", status)
            if status == 500:
                raise AnalyticsError(FAILED, f"{path}: alarm-gen refused the acknowledgement: "
                                             f"{content[:200].decode('utf-8', 'replace')}", status)
            raise self._error(status, content, path)
        log.info("acknowledged alarm %s of %s %s", alarm.type, alarm.table, alarm.name)

    # ------------------------------------------------------------------ queries
    async def query(self, body: dict, sync: bool = False, poll_interval: float = 0.5,
                    on_progress: Callable[[int], None] | None = None,
                    deadline: float | None = None) -> list[dict]:
        """Run a query; async by default (``Expect: 202-accepted``, then poll until progress 100 or failure)."""
        limit = deadline or self.settings.query_timeout
        started = time.monotonic()
        path = "/analytics/query"
        headers = {} if sync else {"Expect": "202-accepted"}
        status, content = await self._send("POST", path, body=body, headers=headers, timeout=limit)
        if status == 200:  # sync mode, or a server that answered at once
            return self._rows(self._decode(status, content, path), path)
        if status != 202:
            raise self._error(status, content, path, query=True)
        href = self._decode(status, content, path).get("href") if content else None
        if not isinstance(href, str) or not href.startswith("/analytics/query/"):
            href = _path_of(href) if isinstance(href, str) else None
            if not href:
                raise AnalyticsError(BAD_REPLY, f"{path}: 202 without an href to poll")
        while True:
            left = limit - (time.monotonic() - started)
            if left <= 0:
                raise AnalyticsError(TIMEOUT, f"query not done within {limit:g}s ({href})")
            status, content = await self._send("GET", href, timeout=min(left, self.settings.timeout))
            if status != 200:
                raise self._error(status, content, href, query=True)
            st = self._shape(parse_query_status, self._decode(status, content, href), href)
            if on_progress is not None:
                on_progress(st.progress)
            if st.failed:
                raise AnalyticsError(FAILED, f"query failed in the query engine (progress {st.progress}: "
                                             f"{os.strerror(-st.progress) if -st.progress < 200 else 'error'})")
            if st.done:
                rows: list[dict] = []
                for chunk in st.chunks:
                    status, content = await self._send("GET", _path_of(chunk) or chunk, timeout=max(left, 1.0))
                    if status != 200:
                        raise self._error(status, content, chunk, query=True)
                    rows.extend(self._rows(self._decode(status, content, chunk), chunk))
                return rows
            await asyncio.sleep(min(poll_interval, max(left, 0.01)))

    def _rows(self, doc: Any, path: str) -> list[dict]:
        return self._shape(parse_rows, doc, path)

    @staticmethod
    def _shape(parser: Callable[[Any], T], doc: Any, path: str) -> T:
        try:
            return parser(doc)
        except (UveFormatError, QueryFormatError) as exc:
            raise AnalyticsError(BAD_REPLY, f"{path}: {exc}") from None


def _why(exc: BaseException) -> str:
    """The OS's reason under httpx's "All connection attempts failed" (refused, no route, ...)."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        seen = seen.__cause__ or seen.__context__
    text = str(exc) or exc.__class__.__name__
    return "connection refused" if "refused" in text.lower() else text[:200]


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe=":*@")


def _path_of(href: str | None) -> str | None:
    """The path of an href the server built with its own idea of its host."""
    if not href:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else href
