"""The lab's analytics API (port 8081 on each analytics node), kept in step with the lab's topology.

``start_analytics_api`` works on its own (tests); the registered component starts it unless the scenario
has no analytics or ``--no-analytics`` is given, and writes ``analytics_api`` into the cluster config.
Its ``state.tables.flows`` (``FlowTable.record``) is where the lab's simulated traffic files flow records.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from aiohttp import web

from tftui.core.catalog import normalise_role
from tftui.lab.runner import LabContext, register_component
from tftui.lab.topology import Topology

from .http import AnalyticsApi
from .seed import seed_history
from .state import AnalyticsState

WATCH_PERIOD = 0.5  # seconds between looks for changed NodeStatus (the lab's churn flips every few seconds)


@dataclass
class RunningAnalytics:
    api: AnalyticsApi
    urls: list[str]
    runners: list[web.AppRunner]
    watcher: asyncio.Task | None = None

    @property
    def state(self) -> AnalyticsState:
        return self.api.state

    @property
    def url(self) -> str:
        return self.urls[0]

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
        for runner in self.runners:
            await runner.cleanup()


def analytics_hosts(topo: Topology) -> list[str]:
    return [n.address for n in topo.nodes if any(normalise_role(r) == "analytics" for r in n.roles) and not n.dead]


async def _watch(state: AnalyticsState) -> None:
    while True:
        await asyncio.sleep(WATCH_PERIOD)
        state.watch()


async def start_analytics_api(topo: Topology, port: int = 8081, keystone=None, fault: str | None = None,
                              hosts: list[str] | None = None, max_rows: int = 100_000) -> RunningAnalytics:
    hosts = hosts if hosts is not None else analytics_hosts(topo)
    if not hosts:
        raise ValueError(f"scenario {topo.scenario} has no analytics node")
    state = AnalyticsState(topo, hosts[0])
    seed_history(state)
    api = AnalyticsApi(state, keystone=keystone, fault=fault, max_rows=max_rows)
    runner = web.AppRunner(api.app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    urls = []
    for host in hosts:
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1] if site._server and site._server.sockets else port
        urls.append(f"http://{host}:{bound}")
    return RunningAnalytics(api, urls, [runner], asyncio.create_task(_watch(state)))


@register_component
async def start(ctx: LabContext) -> None:
    args = ctx.args
    if getattr(args, "no_analytics", False) or not ctx.topo.analytics or not analytics_hosts(ctx.topo):
        return
    running = await start_analytics_api(ctx.topo, port=getattr(args, "analytics_port", 8081),
                                        keystone=ctx.shared.get("keystone"),
                                        fault=getattr(args, "analytics_fault", None))
    ctx.stoppers.append(running.stop)
    ctx.shared["analytics"] = running
    ctx.cluster["analytics_api"] = running.url
