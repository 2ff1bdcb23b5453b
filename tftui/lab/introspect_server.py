"""Introspect HTTP servers for every simulated node, on the real default ports of its own 127.x address.

All sites share one aiohttp application; a request is routed to its node and service by the local
address and port it arrived on, then by core's request table (lab/introspect_table.py): ``/`` lists the
daemon's modules, ``/<module>.xml`` their requests, ``/Snh_<Req>`` binds its query as that daemon's
real server does and calls the handler a lab part registered with ``@serves``. Anything else gets the
real server's 404.
"""

from __future__ import annotations

import asyncio
import inspect
import logging

from aiohttp import web

from tftui.core.catalog import ServiceDef
from tftui.core.introspect import QueryError, ServerKind, bind, server_kind
from tftui.core.nodestatus import encode_node_status_reply

from . import introspect_library  # noqa: F401  (registers the Sandesh library's requests on every daemon)
from .faults import is_fault, serve_fault, wait_for_disconnect
from .introspect_table import (
    CPP_NOT_FOUND,
    index_page,
    lookup,
    module_page,
    python_error,
    python_not_found,
    static_file,
)
from .nodestatus_gen import node_status_for
from .topology import HANG, LAB_PROBE_PORTS, REFUSE, LabNode, Topology

log = logging.getLogger(__name__)

REQUEST_PREFIX = "/Snh_"
_STATIC = {"/universal_parse.xsl": ("universal_parse.xsl", "text/xsl"), "/css/style.css": ("style.css", "text/css")}


def xml_response(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="text/xml", charset="utf-8")


def not_found(svc: ServiceDef, path: str) -> web.Response:
    """What the daemon's real server sends for a path it has nothing registered for."""
    if server_kind(svc.key) is ServerKind.CPP:
        return web.Response(body=CPP_NOT_FOUND, status=404, content_type="text/html", charset="UTF-8")
    return web.Response(body=python_not_found(path), status=404, content_type="text/html", charset="UTF-8")


def _html(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="text/html")


async def serve_path(lab: IntrospectLab, node: LabNode, svc: ServiceDef, request: web.Request) -> web.StreamResponse:
    """Route one request by core's table: pages, static files, or a registered request's handler."""
    path = request.path
    if path.startswith(REQUEST_PREFIX):
        served = lookup(svc.key, path[len(REQUEST_PREFIX):])
        if served is None:
            return not_found(svc, path)
        # the raw query: tokens are split and bound before any unescaping, as the real readers do
        query = request.raw_path.partition("?")[2]
        try:
            args = bind(served.req, query, server_kind(svc.key))
        except QueryError as exc:  # only Python servers refuse a value (int("x")), with a 200 page
            return _html(python_error(str(exc)))
        body = served.handler(lab, node, svc, args)
        if inspect.isawaitable(body):
            body = await body
        return xml_response(body)
    if path in ("/", "/index.html"):
        return _html(index_page(svc))
    if path in _STATIC:
        name, content_type = _STATIC[path]
        return web.Response(body=static_file(name), content_type=content_type)
    if path.endswith(".xml"):
        page = module_page(svc, path[1:-4])
        if page is not None:
            return xml_response(page)
        if server_kind(svc.key) is ServerKind.PYTHON:
            return _html(python_error(f'Invalid Sandesh Request "{path[1:]}"'))
    return not_found(svc, path)


class IntrospectLab:
    def __init__(self, topo: Topology, latency: float = 0.0, ssl_context=None, live_stats: bool = False,
                 served: list[LabNode] | None = None):
        self.topo = topo
        self.served = topo.nodes if served is None else served  # this process's share of the nodes (lab/shards.py)
        self.ssl_context = ssl_context  # HTTPS introspect, as clusters with SSL introspect serve it
        self.latency = latency  # seconds of simulated server work per reply (real introspects take a few ms)
        self._routes: dict[tuple[str, int], tuple[LabNode, ServiceDef]] = {}
        self._cache: dict[tuple[str, str], bytes] = {}
        self._runner: web.AppRunner | None = None
        self._probe_servers: list[asyncio.AbstractServer] = []
        self.requests = 0
        self.live_stats = live_stats  # nodemgr figures change on every request, as on a live cluster
        self.peering = None  # the router's BGP sessions (lab/peering.py), when the lab runs them

    def invalidate(self, node: str | None = None) -> None:
        if node is None:
            self._cache.clear()
        else:
            for k in [k for k in self._cache if k[0] == node]:
                del self._cache[k]

    def reply_for(self, node: LabNode, svc: ServiceDef) -> bytes:
        if self.live_stats and svc.is_nodemgr:
            return encode_node_status_reply([node_status_for(self.topo, node, svc, tick=self.requests)])
        key = (node.name, svc.key)
        body = self._cache.get(key)
        if body is None:
            body = encode_node_status_reply([node_status_for(self.topo, node, svc)])
            self._cache[key] = body
        return body

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        sock = request.transport.get_extra_info("sockname") if request.transport else None
        target = self._routes.get((sock[0], sock[1])) if sock else None
        if target is None:
            return web.Response(status=404, text="no such lab service")
        node, svc = target
        if node.hang or node.behaviour_of(svc.key).mode == HANG:
            return await wait_for_disconnect(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        behaviour = node.behaviour_of(svc.key)
        if is_fault(behaviour.mode):
            resp = await serve_fault(self.topo, node, svc, behaviour, request, self.reply_for(node, svc))
            if resp is not None:
                return resp
        return await serve_path(self, node, svc, request)

    def listeners(self) -> list[tuple[str, int, LabNode, ServiceDef]]:
        out = []
        for node in self.served:
            if node.dead:
                continue
            for svc in node.services():
                if svc.port is not None and node.behaviour_of(svc.key).mode != REFUSE:
                    out.append((node.address, svc.port, node, svc))
        return out

    async def start(self) -> None:
        app = web.Application(handler_args={"max_field_size": 8190})
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        for address, port, node, svc in self.listeners():
            self._routes[(address, port)] = (node, svc)
            site = web.TCPSite(self._runner, address, port, backlog=512, reuse_address=True,
                               ssl_context=self.ssl_context)
            await site.start()
        await self._start_probe_listeners()

    async def _start_probe_listeners(self) -> None:
        """Services with no introspect (web UI, job server) only need to accept a TCP connection."""

        async def accept_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        for node in self.served:
            if node.dead or not node.listen_probes:
                continue
            for svc in node.services():
                port = LAB_PROBE_PORTS.get(svc.key, svc.probe_port) if svc.port is None else None
                if port and not svc.process:  # daemons with a nodemgr are reported there, not probed
                    server = await asyncio.start_server(accept_and_close, node.address, port, reuse_address=True)
                    self._probe_servers.append(server)

    async def stop(self) -> None:
        for s in self._probe_servers:
            s.close()
        if self._runner is not None:
            await self._runner.cleanup()
