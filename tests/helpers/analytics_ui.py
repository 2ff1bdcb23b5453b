"""The analytics views' lab: the lab's analytics API and config API (for the flow export rate) served on the
test's own event loop over real sockets, a cluster spec pointing at them, and the app on it (its node states
evaluated offline from the same topology, so the tree is there without introspect servers)."""

from __future__ import annotations

from dataclasses import dataclass

from helpers.ui_apps import FIXED_NOW
from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.lab.analytics import RunningAnalytics, analytics_hosts, start_analytics_api
from tftui.lab.configapi import RunningConfigApi, start_config_api
from tftui.lab.offline import offline_results
from tftui.lab.topology import LAB_PROBE_PORTS, Topology, build
from tftui.services.poller import Poller
from tftui.services.registry import Services
from tftui.ui.app import TftuiApp

FROZEN_US = int(FIXED_NOW * 1_000_000)


@dataclass
class AnalyticsLab:
    topo: Topology
    analytics: RunningAnalytics
    config: RunningConfigApi
    spec: ClusterSpec

    async def stop(self) -> None:
        await self.analytics.stop()
        await self.config.stop()


def lab_spec(topo: Topology, analytics_url: str, config_url: str, **kw) -> ClusterSpec:
    nodes = tuple(NodeSpec(n.name, n.address, n.roles, probe_ports=dict(LAB_PROBE_PORTS)) for n in topo.nodes)
    return ClusterSpec(name="lab", nodes=nodes, poll_interval=5, timeout=1, analytics_api=analytics_url,
                       config_api=config_url, **kw)


async def analytics_lab(base: int, flow_export_rate: int = 0, vrouters: int = 4, analytics_port: int = 0,
                        config_port: int = 0, scenario: str = "demo") -> AnalyticsLab:
    """The demo cluster's analytics (its degraded nodes raise alarms) on 127.BASE.0.10; port 0: any free one."""
    topo = build(scenario, vrouters=vrouters, base=base)
    topo.flow_export_rate = flow_export_rate
    analytics = await start_analytics_api(topo, port=analytics_port, hosts=analytics_hosts(topo)[:1])
    config = await start_config_api(topo, port=config_port)
    return AnalyticsLab(topo, analytics, config, lab_spec(topo, analytics.url, config.url))


def analytics_app(topo: Topology, spec: ClusterSpec, *, readonly: bool = False, clock=None, view: str | None = None,
                  theme: str | None = None, app_class: type[TftuiApp] = TftuiApp) -> TftuiApp:
    """The app on ``spec``, the tree's states evaluated offline (no polling); the analytics views live."""
    poller = Poller(spec, clock=clock) if clock is not None else Poller(spec)
    for r in offline_results(topo, at=FIXED_NOW - 2):
        poller.state.update(r)
    poller.state.round_finished(FIXED_NOW - 1, 0.25)
    kw = {"clock": clock} if clock is not None else {}
    services = Services(spec, readonly=readonly, poller=poller, autopoll=False, **kw)
    return app_class(spec, services=services, readonly=readonly, view=view, theme=theme, **kw)


def freeze_lab_time(monkeypatch, us: int = FROZEN_US) -> None:
    """The lab's analytics clock stands still (snapshots: every timestamp, age and query window the same)."""
    import tftui.lab.analytics.http as http
    import tftui.lab.analytics.seed as seed
    import tftui.lab.analytics.state as state

    for module in (http, seed, state):
        monkeypatch.setattr(module, "now_us", lambda: us)
