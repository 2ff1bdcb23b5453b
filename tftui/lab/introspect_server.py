"""Introspect HTTP servers for every simulated node, on the real default ports of its own 127.x address.

All sites share one aiohttp application; a request is routed to its node and service by the local
address and port it arrived on. Other lab parts (e.g. the agent's ``Snh_ItfReq``) add paths with
``register_path``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from tftui.core.catalog import ServiceDef
from tftui.core.nodestatus import encode_node_status_reply

from .faults import is_fault, serve_fault, wait_for_disconnect
from .nodestatus_gen import node_status_for
from .topology import HANG, LAB_PROBE_PORTS, REFUSE, LabNode, Topology

log = logging.getLogger(__name__)

# path -> handler(lab, node, service, request) returning the reply body
PathHandler = Callable[["IntrospectLab", LabNode, ServiceDef, web.Request], Awaitable[web.StreamResponse]]
_EXTRA_PATHS: dict[str, PathHandler] = {}


def register_path(path: str, handler: PathHandler) -> None:
    _EXTRA_PATHS[path] = handler


def xml_response(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="text/xml", charset="utf-8")


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
        path = request.path
        if path == "/Snh_SandeshUVECacheReq":
            if request.query.get("x") != "NodeStatus":
                return xml_response(encode_node_status_reply([]))
            return xml_response(self.reply_for(node, svc))
        handler = _EXTRA_PATHS.get(path)
        if handler is not None:
            return await handler(self, node, svc, request)
        return web.Response(status=404, text=f"unknown request {path}")

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
