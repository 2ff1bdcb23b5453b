"""A lab router, a lab config API and the lab control nodes' introspect sharing one peering model, in the test's
own loop, with a tftui config for them; `tftui ...` runs in a thread (its own loop) while this loop serves them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import next_base

import tftui.lab.control_node  # noqa: F401  (registers the control nodes' requests: BgpNeighborReq)
from tftui.cli import main
from tftui.lab.configapi import RunningConfigApi, start_config_api
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.peering import LabPeering
from tftui.lab.router import LabRouterServer
from tftui.lab.topology import Topology, build


@dataclass
class PeeringLab:
    topo: Topology
    api: RunningConfigApi
    router: LabRouterServer
    peering: LabPeering
    config: Path
    introspect: IntrospectLab  # the control nodes' (BgpNeighborReq lists the router from the peering model)

    def address(self, node: str) -> str:
        return next(n.address for n in self.topo.nodes if n.name == node)

    def neighbors(self) -> list[str]:
        return sorted(self.peering.router_config.neighbors)

    def gateway_sessions(self) -> dict[str, set[str]]:
        """bgp-router objects of routers -> the control nodes with a session to them (refs either way)."""
        store = self.api.store
        routers = {o["uuid"]: o for o in store.find("bgp-router")}
        out: dict[str, set[str]] = {}
        for uid, obj in routers.items():
            if obj["bgp_router_parameters"]["router_type"] != "router":
                continue
            peers = {routers[r["uuid"]]["fq_name"][-1] for r in obj.get("bgp_router_refs", [])}
            peers |= {o["fq_name"][-1] for o in routers.values() for r in o.get("bgp_router_refs", [])
                      if r["uuid"] == uid}
            out[obj["fq_name"][-1]] = peers
        return out

    async def cli(self, *argv: str) -> int:
        return await asyncio.to_thread(main, [*argv, "--config", str(self.config)])


@contextlib.asynccontextmanager
async def peering_lab(tmp_path: Path, os_name: str = "vyos-1.4", scenario: str = "degraded",
                      unpeered: tuple[str, ...] | None = None, delay: float = 0.2, fault: str | None = None,
                      api_fault: str | None = None, base: int | None = None, clock=time.monotonic):
    """``base`` and ``clock``: fixed ones for a snapshot (the addresses and the sessions' ages on screen)."""
    topo = build(scenario, base=base or next_base(), vrouters=3, unpeered=unpeered)  # the introspect ports are fixed
    topo.router.os = os_name
    peering = LabPeering(topo, delay=delay, clock=clock)
    api = await start_config_api(topo, port=0, fault=api_fault)
    peering.attach_store(api.store)
    router = LabRouterServer(topo, topo.router.address, 0, tmp_path, peering=peering, fault=fault,
                            clock=clock)
    await router.start()
    control_nodes = [n for n in topo.nodes if "control" in n.roles]
    introspect = IntrospectLab(topo, served=control_nodes)
    introspect.peering = peering
    await introspect.start()
    config = tmp_path / "tftui.yaml"
    controls = [{"name": n.name, "address": n.address, "roles": ["control", "config"]} for n in control_nodes]
    config.write_text(json.dumps({"clusters": {"lab": {
        "config_api": api.url, "nodes": controls, "timeout": 2, "routers": [router.config_entry(timeout=5)],
        "gatewayless": {"hosts_file": str(router.hosts_file)}}}}))
    try:
        yield PeeringLab(topo, api, router, peering, config, introspect)
    finally:
        await introspect.stop()
        await router.stop()
        await api.stop()


@contextlib.contextmanager
def peering_lab_in_thread(tmp_path: Path, **kwargs):
    """The peering lab on a loop of its own thread, for a test whose app runs on another loop (an SVG snapshot)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="peering lab", daemon=True)
    thread.start()
    manager = peering_lab(tmp_path, **kwargs)
    try:
        lab = asyncio.run_coroutine_threadsafe(manager.__aenter__(), loop).result(30)
        try:
            yield lab
        finally:
            asyncio.run_coroutine_threadsafe(manager.__aexit__(None, None, None), loop).result(30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
