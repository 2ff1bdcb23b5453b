"""Any introspect request by name, every page followed, over the NodeStatus client's HTTP (clients/introspect.py).

Arguments are given by field name and sent positionally in declaration order (core/introspect/query.py);
the definition comes from core's table, or, for a request the table does not know, from the server's own
module pages. A reply continues through ``Pagination`` (``Snh_PageReq``) and linked continuation fields
(``next_batch`` -> ``*ReqIterate``, ``flow_key`` -> ``NextFlowRecordsSet``...) until it is complete, a page or
item cap is reached (what would fetch the rest is reported), a key repeats (a server looping), or the
server errs; what arrived before an error is kept. Requests with side effects are refused before anything
is sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tftui.core.introspect import Field, RequestDef, find, request_path, side_effect
from tftui.core.introspect.pages import PageError, parse_index, parse_module_page
from tftui.core.introspect.query import QueryError
from tftui.core.introspect.tree import PAGE_REQ, Continuation, continuation, data_messages, error_text
from tftui.core.sandesh import Message, SandeshError, decode_messages
from tftui.core.status import FetchKind

from .introspect import IntrospectClient, IntrospectSettings

# Turns a reply body into its messages: core's generic decoder, or a leaner one for a big reply (flow tables)
# that keeps the same shape (continuation links included). Both refuse a body that is not Sandesh.
Decoder = Callable[[bytes, int], list[Message]]


def strict_messages(body: bytes, max_bytes: int) -> list[Message]:
    """A 200 page that is not Sandesh (pysandesh's <h3> errors, proxies' HTML) is an error, not a message."""
    return decode_messages(body, max_bytes, strict=True)


class IntrospectRequestError(Exception):
    """A request that could not be made; the message is fit to show as is."""


class RequestRefused(IntrospectRequestError):
    """tftui will not send it (side effects, an unknown request or field, a bad value): nothing was sent."""


class ServerUnreadable(IntrospectRequestError):
    """The server's index or module pages could not be read (to list its requests or learn one's fields)."""


@dataclass
class RequestLimits:
    max_pages: int = 50  # pages fetched in all, the first included
    max_items: int = 100_000  # entries of lists across pages (rows)
    total_timeout: float = 120.0  # the whole walk; each page also has the client's own timeout


@dataclass
class IntrospectReply:
    request: str
    address: str
    port: int
    messages: list[Message] = field(default_factory=list)  # every page's data, in order (Pagination dropped)
    pages: int = 0
    error: str | None = None  # the server's ErrorResp, or why a page could not be read
    stopped: str = ""  # why the walk ended before the reply did ("" when it did not)
    more: Continuation | None = None  # what would fetch the rest, when a cap stopped the walk
    elapsed: float = 0.0

    @property
    def complete(self) -> bool:
        return self.error is None and not self.stopped


def _items(messages: list[Message]) -> int:
    return sum(len(v) for m in messages for v in m.fields.values() if isinstance(v, list))


class IntrospectRequester:
    """``async with IntrospectRequester(settings) as r: reply = await r.request(addr, port, "VrfListReq")``."""

    def __init__(self, settings: IntrospectSettings | None = None, limits: RequestLimits | None = None,
                 client: IntrospectClient | None = None):
        self.settings = settings or IntrospectSettings()
        self.limits = limits or RequestLimits()
        self._own_client = client is None
        self._http = client or IntrospectClient(self.settings)
        self._pages: dict[tuple[str, int], dict[str, list[RequestDef]]] = {}  # module pages read, per server

    async def __aenter__(self) -> IntrospectRequester:
        await self._http.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_client:
            await self._http.close()

    # -------------------------------------------------------------------------------- pages

    async def _get_page(self, address: str, port: int, path: str) -> bytes:
        fetch = await self._http.get(address, port, path)
        if fetch.kind is not FetchKind.REPLY:
            raise ServerUnreadable(f"{address}:{port}: {fetch.error}")
        if fetch.http_status != 200:
            raise ServerUnreadable(f"{address}:{port}{path.split('?')[0]}: HTTP {fetch.http_status}")
        return fetch.body

    async def modules(self, address: str, port: int) -> list[str]:
        """The module names the server's index page lists."""
        try:
            return parse_index(await self._get_page(address, port, "/"))
        except PageError as exc:
            raise ServerUnreadable(f"{address}:{port}/: {exc}") from None

    async def module_requests(self, address: str, port: int, module: str) -> list[RequestDef]:
        """The requests one module page lists, fields in declaration order."""
        cache = self._pages.setdefault((address, port), {})
        if module not in cache:
            try:
                cache[module] = parse_module_page(await self._get_page(address, port, f"/{module}.xml"))
            except PageError as exc:
                raise ServerUnreadable(f"{address}:{port}/{module}.xml: {exc}") from None
        return cache[module]

    async def offered(self, address: str, port: int) -> dict[str, list[RequestDef]]:
        """Every module of the server with its requests, as its own pages say (real servers, not the table)."""
        return {m: await self.module_requests(address, port, m) for m in await self.modules(address, port)}

    async def definition(self, address: str, port: int, name: str, service: str | None = None) -> RequestDef:
        """The table's definition of ``name``; failing that, the one the server's module pages give."""
        req = find(name, service)
        if req is not None:
            return req
        for module in await self.modules(address, port):
            for req in await self.module_requests(address, port, module):
                if req.name == name:
                    return req
        raise RequestRefused(f"{name}: not in tftui's request table, and {address}:{port} does not offer it")

    # -------------------------------------------------------------------------------- requests

    async def request(self, address: str, port: int, name: str, args: dict[str, Any] | None = None,
                      service: str | None = None, whole: bool = False,
                      decode: Decoder = strict_messages) -> IntrospectReply:
        """Send ``name`` with ``args`` (by field name) and follow its pages. ``whole``: take an agent table in
        one request with Pagination's ``all`` key rather than page by page. Raises RequestRefused, before
        sending anything, for a request with side effects or arguments that do not fit; ServerUnreadable
        when the request is not in the table and the server's pages cannot be read to learn its fields.
        Whatever happens once it is sent is in the reply (``error``, ``stopped``)."""
        req = await self.definition(address, port, name, service)
        args = {k: v for k, v in (args or {}).items()}
        why = side_effect(req, {k: "" if v is None else str(v) for k, v in args.items()})
        if why:
            raise RequestRefused(f"{name} is not sent: it {why} (tftui sends no request with side effects)")
        try:
            path = request_path(req, args)
        except QueryError as exc:
            raise RequestRefused(str(exc)) from None
        return await self._walk(address, port, name, path, service, whole, decode)

    def _continuation_path(self, nxt: Continuation, service: str | None, whole: bool) -> str:
        target = find(nxt.request, service)
        key = nxt.all_key if whole and nxt.request == PAGE_REQ and nxt.all_key else nxt.key
        if target is None or not target.fields:  # unknown to the table: the key as its first field, as ``x``
            target = RequestDef(nxt.request, "", (Field(1, "string", "x"),))
        return request_path(target, {target.fields[0].name: key})

    async def _walk(self, address: str, port: int, name: str, path: str, service: str | None,
                    whole: bool, decode: Decoder = strict_messages) -> IntrospectReply:
        limits = self.limits
        reply = IntrospectReply(name, address, port)
        started = time.monotonic()
        seen: set[tuple[str, str]] = set()
        restart = False  # the next page is the whole table (the ``all`` key): it replaces what came before
        while True:
            page = await self._one(address, port, path, decode)
            reply.elapsed = time.monotonic() - started
            if isinstance(page, str):
                reply.error = page
                break
            reply.pages += 1
            if restart:
                reply.messages.clear()
            reply.messages.extend(data_messages(page))
            problem = error_text(page)
            if problem is not None:
                reply.error = problem
                break
            nxt = continuation(page)
            if nxt is None:
                break
            if (nxt.request, nxt.key) in seen:
                reply.stopped = f"the server handed out a page key twice ({nxt.request} {nxt.key[:60]!r}): a loop"
                break
            seen.add((nxt.request, nxt.key))
            stop = ""
            if reply.pages >= limits.max_pages:
                stop = f"page cap reached ({limits.max_pages} pages)"
            elif _items(reply.messages) >= limits.max_items:
                stop = f"item cap reached ({limits.max_items} entries)"
            elif reply.elapsed >= limits.total_timeout:
                stop = f"time cap reached ({limits.total_timeout:g} s)"
            if stop:
                reply.stopped, reply.more = stop, nxt
                break
            path = self._continuation_path(nxt, service, whole)
            restart = whole and nxt.request == PAGE_REQ and bool(nxt.all_key)
            whole = False
        return reply

    async def _one(self, address: str, port: int, path: str,
                   decode: Decoder = strict_messages) -> list[Message] | str:
        """One page decoded, or why it could not be."""
        fetch = await self._http.get(address, port, path)
        where = path.split("?")[0]
        if fetch.kind is not FetchKind.REPLY:
            return f"{where}: {fetch.error}"
        if fetch.http_status == 404:
            return f"{where}: the daemon does not know this request (HTTP 404)"
        if fetch.http_status != 200:
            return f"{where}: HTTP {fetch.http_status}"
        try:
            messages = decode(fetch.body, self.settings.max_bytes)
        except SandeshError as exc:
            return f"{where}: {exc}"
        if not messages:
            return f"{where}: an empty reply"
        return messages

