"""The routes views in the real app over a lab router on loopback (the test drives the monitor's refreshes)."""

from __future__ import annotations

import json

from helpers.ui_apps import view_app
from tftui.core.routes.config import parse_router
from tftui.lab.router import LabRouterServer, expected_rows
from tftui.lab.topology import build
from tftui.services.gatewayless import hosts_from_file
from tftui.services.routes import RouterMonitor

BASE = 205
NOW = 1_795_617_425.0  # a fixed wall clock for the header


def routes_app(monitor: RouterMonitor, view: str = "routes"):
    monitor.autostart = False  # the test refreshes when it wants
    return view_app(view, {"router": monitor}, clock=lambda: NOW + 3)


async def routes_lab(tmp_path, vrouters=None):
    topo = build("demo", base=BASE, vrouters=vrouters)
    server = LabRouterServer(topo, f"127.{BASE}.0.1", 0, tmp_path, clock=lambda: 4723.0)
    server.tables.started = 0.0
    await server.start()
    hosts = tmp_path / "hosts.json"
    hosts.write_text(json.dumps(expected_rows(topo)))
    spec = parse_router(server.config_entry(timeout=5), "t")
    return server, RouterMonitor(spec, hosts_from_file(hosts), interval=60, clock=lambda: NOW)
