"""Apps for UI tests: the real TftuiApp, on the lab's cluster evaluated offline with a fixed clock (screens
reproducible), or on any view with the test's own services handed to the registry."""

from __future__ import annotations

import asyncio
import time

from textual.screen import ModalScreen
from textual.worker import WorkerState

from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.lab.offline import offline_results
from tftui.lab.topology import LAB_PROBE_PORTS, build
from tftui.services.poller import Poller
from tftui.services.registry import Services
from tftui.ui.app import TftuiApp

FIXED_NOW = 1_764_000_100.0


def offline_app(scenario: str = "demo", vrouters: int | None = None, clock=lambda: FIXED_NOW, **kw) -> TftuiApp:
    topo = build(scenario, vrouters=vrouters, base=250)
    nodes = tuple(NodeSpec(n.name, n.address, n.roles, probe_ports=dict(LAB_PROBE_PORTS)) for n in topo.nodes)
    spec = ClusterSpec(name="lab", nodes=nodes, poll_interval=5, timeout=1)
    poller = Poller(spec, clock=clock)
    for r in offline_results(topo, at=FIXED_NOW - 2):
        poller.state.update(r)
    poller.state.round_finished(FIXED_NOW - 1, 0.25)
    return TftuiApp(spec, poller=poller, autopoll=False, clock=clock, **kw)


def view_app(view: str, overrides: dict, spec: ClusterSpec | None = None, readonly: bool = False,
             clock=time.time, **kw) -> TftuiApp:
    """The app opened on ``view``, its services (``{"router": monitor}``, ``{"policy_service": svc}``) the test's."""
    spec = spec or ClusterSpec(name="lab", nodes=(NodeSpec("ctrl1", "127.0.0.1", ("config",)),))
    services = Services(spec, readonly=readonly, autopoll=False, overrides=overrides, clock=clock)
    return TftuiApp(spec, services=services, readonly=readonly, view=view, clock=clock, **kw)


async def settle(pilot, timeout: float = 8.0) -> None:
    """Until the screen shows what its feed had when asked (a poller keeps publishing: not what came after) and
    every worker of the screen is done, or waits on a dialog."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    busy: list = []
    targets: dict[int, int] = {}
    while loop.time() < end:
        await pilot.pause(0.02)
        screen = pilot.app.screen
        # a worker of a screen under the top one waits for that screen to close: not busy
        busy = [w for w in pilot.app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                and w.node is screen]
        feed = getattr(screen, "feed", None)
        target = targets.setdefault(id(screen), feed.version if feed is not None else 0)
        behind = feed is not None and (feed.busy or screen.applied_version < target)
        if isinstance(screen, ModalScreen) or not (busy or behind):
            await pilot.pause()
            return
    raise AssertionError(f"still busy after {timeout}s: {busy}")


def app_stopping(labs: list) -> type[TftuiApp]:
    """A TftuiApp class that stops what ``labs`` holds (anything with an async ``stop()``) as it unmounts: a
    snapshot test starts its lab inside the app's loop, so the app is what ends it."""

    class StoppingApp(TftuiApp):
        async def on_unmount(self) -> None:
            await super().on_unmount()
            for lab in labs:
                await lab.stop()

    return StoppingApp
