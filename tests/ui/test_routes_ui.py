"""The routes views (routes, neighbors, gatewayless) in the app, driven with Pilot against the lab router."""

from __future__ import annotations

from helpers.routes_ui import BASE, NOW, routes_app, routes_lab
from helpers.ui_apps import app_stopping, settle
from textual.widgets import DataTable, Static, TextArea

from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.core.routes.config import parse_router
from tftui.core.routes.models import Neighbor, NextHop, Route
from tftui.services.registry import Services
from tftui.services.routes import RouterMonitor
from tftui.ui.app import TftuiApp
from tftui.ui.framework.dialogs import RawScreen
from tftui.ui.views.routes import GatewaylessView, NeighborsView, PrefixDetail, RoutesView


def _texts(table: DataTable, col: int) -> list[str]:
    return [str(table.get_row_at(i)[col]) for i in range(table.row_count)]


def _summary(app) -> str:
    return str(app.screen.query_one(f"#{app.screen.wid('summary')}", Static).render())


def _status(app) -> str:
    return str(app.screen.query_one(f"#{app.screen.wid('status')}", Static).render())


async def test_views_against_lab(tmp_path):
    server, mon = await routes_lab(tmp_path)
    try:
        await mon.refresh()
        app = routes_app(mon)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RoutesView)
            routes = screen.table
            # the router peers with the demo's control nodes but its last one (ctrl3 is left for `peer add`)
            assert f"127.{BASE}.0.10 AS 64512 Established" in _summary(app)
            assert f"127.{BASE}.0.11 AS 64512 Established" in _summary(app)
            bgp_count = mon.state.neighbors[0].prefixes_received
            assert routes.row_count == bgp_count and set(_texts(routes, 0)) == {"B>*"}
            await pilot.press("P")  # bgp -> all
            assert routes.row_count == bgp_count + 2
            await pilot.press("P")  # static only
            assert _texts(routes, 1) == ["0.0.0.0/0"]
            for _ in range(4):
                await pilot.press("P")
            assert screen.protocol == "bgp"
            pod = next(i for i in server.topo.interfaces if i.kind == "pod")
            await pilot.press("slash")
            await pilot.press(*pod.ip)
            await pilot.press("enter")
            assert _texts(routes, 1) == [f"{pod.ip}/32"]
            await pilot.press("enter")  # open: the prefix's BGP paths
            await pilot.pause(0.5)
            assert isinstance(app.screen, PrefixDetail)
            await app.screen.workers.wait_for_complete()
            body = str(app.screen.query_one("#detail-body", Static).render())
            assert "AS path   64512" in body and "MED       100" in body and server.topo.node(pod.vrouter).address in body
            await pilot.press("escape")
            await pilot.press("escape")  # clears the filter
            assert routes.row_count == bgp_count
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, GatewaylessView)
            check = app.screen.table
            assert sorted(_texts(check, 0)) == ["missing", "orphan", "wrong-vrouter"]
            assert "gatewayless: " in _summary(app)
            await pilot.press("y")
            assert isinstance(app.screen, RawScreen)
            raw = app.screen.query_one(TextArea).text
            assert "$ vtysh -c 'show ip route json'" in raw and "$ vtysh -c 'show ip bgp summary json'" in raw
            await pilot.press("escape", "escape")  # the raw text, then the check: back on the routes
            assert app.screen is screen
            # in place: the same rows stay, a new route is one more row, not a rebuild
            server.topo.router.withheld.clear()
            before = {str(k.value) for k in routes.rows}
            await mon.refresh()
            await settle(pilot)
            after = {str(k.value) for k in routes.rows}
            assert before < after and len(after - before) == 1
            await pilot.press("c")
            await settle(pilot)
            assert sorted(_texts(app.screen.table, 0)) == ["orphan", "wrong-vrouter"]
            app.open_view("neighbors")
            await settle(pilot)
            assert isinstance(app.screen, NeighborsView)
            assert _texts(app.screen.table, 0) == [f"127.{BASE}.0.10", f"127.{BASE}.0.11"]
    finally:
        await mon.stop()
        await server.stop()


async def test_markup_in_data_is_escaped_and_errors_show(tmp_path):
    spec = parse_router({"name": "[bold]r", "host": "127.205.0.2", "port": 1, "agent": False,
                         "known_hosts": str(tmp_path / "kh"), "timeout": 1}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    mon.state.neighbors = [Neighbor("172.31.11.86", 64512, "Idle (Admin)", False, None, None, None, "[red]x[/red] [b")]
    app = routes_app(mon, "neighbors")
    async with app.run_test(size=(100, 24)) as pilot:
        mon.publish(mon.state)
        await settle(pilot)
        n = app.screen.table
        assert _texts(n, 6) == ["[red]x[/red] [b"] and _texts(n, 2) == ["Idle (Admin)"]
        await mon.refresh()
        await settle(pilot)
        assert "[bold]r" in _summary(app) and "cannot connect" in _status(app)
        assert n.row_count == 1  # the last good data stays


def test_snapshot(snap_compare, tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "UTC")  # the status line shows local time
    time.tzset()

    servers = []

    async def setup(pilot):
        # the lab router runs on the app's own loop, so the snapshot is taken against a live SSH server
        server, mon = await routes_lab(tmp_path, vrouters=3)
        servers.append(server)
        mon.autostart = False
        pilot.app.services.provide("router", mon)
        await mon.refresh()
        pilot.app.open_view("routes")
        await settle(pilot)

    SnapApp = app_stopping(servers)

    spec = ClusterSpec(name="lab", nodes=(NodeSpec("ctrl1", "127.0.0.1", ("config",)),))
    app = SnapApp(spec, services=Services(spec, autopoll=False, clock=lambda: NOW + 3), clock=lambda: NOW + 3)
    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=setup)
    finally:
        monkeypatch.undo()
        time.tzset()


async def test_unknown_host_key_shown_and_accepted(tmp_path):
    server, _ = await routes_lab(tmp_path)
    kh = tmp_path / "fresh_known_hosts"
    spec = parse_router({**server.config_entry(timeout=5), "known_hosts": str(kh)}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    try:
        await mon.refresh()
        assert mon.unknown_host_key == server.host_key.get_fingerprint("sha256")
        app = routes_app(mon)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "unknown host key SHA256:" in _summary(app)
            await pilot.press("A")
            await pilot.pause()
            assert f"[{server.host}]:{server.port} ssh-ed25519" in kh.read_text()
            await mon.refresh()
            await settle(pilot)
            assert mon.state.errors == [] and "Established" in _summary(app)
    finally:
        await mon.stop()
        await server.stop()


def _routes(count: int, interface: str = "eth0") -> list[Route]:
    return [Route(f"100.64.{k >> 8}.{k & 255}/32", "bgp", True, True, 20, 100, "00:01:00",
                  (NextHop("172.31.0.1", interface, True, True),), code="B>*") for k in range(count)]


async def test_big_tables_are_paged_and_filterable(tmp_path):
    spec = parse_router({"host": "127.205.0.2", "port": 1, "agent": False, "known_hosts": str(tmp_path / "k")}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    page = RoutesView.PAGE
    mon.state.routes = _routes(page + 500)
    app = routes_app(mon)
    async with app.run_test(size=(80, 24)) as pilot:
        mon.publish(mon.state)
        await settle(pilot)
        routes = app.screen.table
        assert routes.row_count == page
        assert f"{page + 500}/{page + 500} routes · rows 1-{page} (] [" in _status(app)
        await pilot.press("slash", *"100.64.1.", "enter")
        assert routes.row_count == 256 and _texts(routes, 1)[0] == "100.64.1.0/32"
        await pilot.press("escape", "right_square_bracket")  # the next page: every route stays reachable
        assert _texts(routes, 1)[0] == f"100.64.{page >> 8}.{page & 255}/32"
        assert routes.row_count == min(page, 500)
        assert f"rows {page + 1}-{page + min(page, 500)}" in _status(app)
        await pilot.press("right_square_bracket", "left_square_bracket", "left_square_bracket")
        assert _texts(routes, 1)[0] == "100.64.0.0/32" and routes.row_count == page
        await pilot.press("end")  # the last row of the page, not sideways
        assert routes.cursor_row == page - 1 and routes.scroll_x == 0
        await pilot.press("g")
        assert routes.cursor_row == 0


async def test_filter_narrows_as_you_type(tmp_path):
    spec = parse_router({"host": "127.205.0.2", "port": 1, "agent": False, "known_hosts": str(tmp_path / "k")}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    mon.state.routes = _routes(4000, "[b]eth0")
    app = routes_app(mon)
    async with app.run_test(size=(80, 24)) as pilot:
        mon.publish(mon.state)
        await settle(pilot)
        routes = app.screen.table
        await pilot.press("slash", *"100.64.11.2")  # no enter: the table follows the keystrokes
        assert _texts(routes, 1) == ["100.64.11.2/32", *(f"100.64.11.{k}/32" for k in range(20, 30)),
                                     *(f"100.64.11.{k}/32" for k in range(200, 256))]
        await pilot.press("5")
        assert _texts(routes, 1) == ["100.64.11.25/32", *(f"100.64.11.{k}/32" for k in range(250, 256))]
        assert _texts(routes, 3)[0] == "[b]eth0"  # data, not markup
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert app.screen.filter_text == "100.64.1" and len(app.screen.shown) == 256 * 6 + 160  # .1. and .10-.15.
        assert routes.row_count == RoutesView.PAGE
        await pilot.press("ctrl+u", *"!100.64.1")  # `!` inverts
        assert len(app.screen.shown) == 4000 - (256 * 6 + 160)


async def test_a_router_only_cluster_opens_with_its_routes(tmp_path):
    """No nodes, only `routers:`: the app opens, `r` shows the router's tables, and the cross-check says what it
    lacks instead of refusing (the lab router's pods are there, but no vrouter is known to compare them with)."""
    from tftui.core.inventory import parse_cluster

    server, _ = await routes_lab(tmp_path)
    spec = parse_cluster("edge", {"routers": [server.config_entry()]}, "t")
    app = TftuiApp(spec, autopoll=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r")
            screen = app.screen
            assert isinstance(screen, RoutesView)
            for _ in range(100):
                await pilot.pause(0.05)
                if screen.monitor.state.last_fetched and screen.monitor.state.check:
                    break
            await settle(pilot)
            assert "AS 64512 Established" in _summary(app)
            await pilot.press("c")
            await settle(pilot)
            summary = _summary(app)
            assert "0/0 pod/VM /32s" in summary and "no vrouters known: no pod/VM /32 to compare" in summary
            assert app.screen.table.row_count == 0  # neighbors fine, nothing else
    finally:
        await server.stop()  # the app closed the monitor it built
