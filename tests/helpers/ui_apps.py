"""Apps for UI tests: the lab's cluster evaluated offline with a fixed clock, so screens are reproducible."""

from __future__ import annotations

from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.lab.offline import offline_results
from tftui.lab.topology import LAB_PROBE_PORTS, build
from tftui.services.poller import Poller
from tftui.ui.app import TftuiApp

FIXED_NOW = 1_764_000_100.0


def offline_app(scenario: str = "demo", vrouters: int | None = None, **kw) -> TftuiApp:
    topo = build(scenario, vrouters=vrouters, base=250)
    nodes = tuple(NodeSpec(n.name, n.address, n.roles, probe_ports=dict(LAB_PROBE_PORTS)) for n in topo.nodes)
    spec = ClusterSpec(name="lab", nodes=nodes, poll_interval=5, timeout=1)
    poller = Poller(spec, clock=lambda: FIXED_NOW)
    for r in offline_results(topo, at=FIXED_NOW - 2):
        poller.state.update(r)
    poller.state.round_finished(FIXED_NOW - 1, 0.25)
    return TftuiApp(spec, poller=poller, autopoll=False, clock=lambda: FIXED_NOW, **kw)
