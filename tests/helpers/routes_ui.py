"""The routes pane in a bare app, against a lab router on loopback."""

from __future__ import annotations

import json

from textual.app import App

from tftui.core.routes.config import parse_router
from tftui.lab.router import LabRouterServer, expected_rows
from tftui.lab.topology import build
from tftui.services.routes import RouterMonitor, hosts_from_file
from tftui.ui.routes_screen import RoutesScreen

BASE = 205
NOW = 1_795_617_425.0  # a fixed wall clock for the header


class RoutesApp(App):
    def __init__(self, monitor: RouterMonitor, **kw):
        super().__init__()
        self.monitor, self.kw = monitor, kw

    def on_mount(self) -> None:
        self.push_screen(RoutesScreen(self.monitor, clock=lambda: NOW + 3, **self.kw))


async def routes_lab(tmp_path, vrouters=None):
    topo = build("demo", base=BASE, vrouters=vrouters)
    server = LabRouterServer(topo, f"127.{BASE}.0.1", 0, tmp_path, clock=lambda: 4723.0)
    server.tables.started = 0.0
    await server.start()
    hosts = tmp_path / "hosts.json"
    hosts.write_text(json.dumps(expected_rows(topo)))
    spec = parse_router(server.config_entry(timeout=5), "t")
    return server, RouterMonitor(spec, hosts_from_file(hosts), interval=60, clock=lambda: NOW)
