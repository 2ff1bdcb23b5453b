"""The routes pane driven with Pilot against the lab router, plus one SVG snapshot."""

from __future__ import annotations

from helpers.routes_ui import BASE, NOW, RoutesApp, routes_lab
from textual.app import App
from textual.widgets import DataTable, Static

from tftui.core.routes.config import parse_router
from tftui.core.routes.models import Neighbor
from tftui.services.routes import RouterMonitor
from tftui.ui.routes_screen import PrefixDetail, RoutesScreen


def _texts(table: DataTable, col: int) -> list[str]:
    return [str(table.get_row_at(i)[col]) for i in range(table.row_count)]


async def test_pane_against_lab(tmp_path):
    server, mon = await routes_lab(tmp_path)
    try:
        await mon.refresh()
        app = RoutesApp(mon, auto_start=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            neighbors = screen.query_one("#neighbors", DataTable)
            routes = screen.query_one("#routes", DataTable)
            # the router peers with the demo's control nodes but its last one (ctrl3 is left for `peer add`)
            assert _texts(neighbors, 0) == [f"127.{BASE}.0.10", f"127.{BASE}.0.11"]
            assert _texts(neighbors, 2) == ["Established"] * 2
            bgp_count = mon.state.neighbors[0].prefixes_received
            assert routes.row_count == bgp_count and set(_texts(routes, 0)) == {"B>*"}
            await pilot.press("p")  # bgp -> all
            assert routes.row_count == bgp_count + 2
            await pilot.press("p")  # static only
            assert _texts(routes, 1) == ["0.0.0.0/0"]
            for _ in range(4):
                await pilot.press("p")
            assert screen.protocol == "bgp"
            pod = next(i for i in server.topo.interfaces if i.kind == "pod")
            await pilot.press("slash")
            await pilot.press(*pod.ip)
            await pilot.press("enter")
            assert _texts(routes, 1) == [f"{pod.ip}/32"]
            await pilot.press("d")
            await pilot.pause(0.5)
            assert isinstance(app.screen, PrefixDetail)
            body = str(app.screen.query_one("#detail-body", Static).render())
            assert "AS path   64512" in body and "MED       100" in body and server.topo.node(pod.vrouter).address in body
            await pilot.press("escape")
            await pilot.press("escape")  # clears the filter
            assert routes.row_count == bgp_count
            await pilot.press("c")
            check = screen.query_one("#check-table", DataTable)
            assert sorted(_texts(check, 0)) == ["missing", "orphan", "wrong-vrouter"]
            await pilot.press("o")
            raw = str(screen.query_one("#raw-body", Static).render())
            assert "$ vtysh -c 'show ip route json'" in raw and "$ vtysh -c 'show ip bgp summary json'" in raw
            await pilot.press("t")
            # in place: the same rows stay, a new route is one more row, not a rebuild
            server.topo.router.withheld.clear()
            before = {str(k.value) for k in routes.rows}
            await mon.refresh()
            await pilot.pause()
            after = {str(k.value) for k in routes.rows}
            assert before < after and len(after - before) == 1
            assert sorted(_texts(check, 0)) == ["orphan", "wrong-vrouter"]
    finally:
        await mon.stop()
        await server.stop()


async def test_markup_in_data_is_escaped_and_errors_show(tmp_path):
    spec = parse_router({"name": "[bold]r", "host": "127.205.0.2", "port": 1, "agent": False,
                         "known_hosts": str(tmp_path / "kh"), "timeout": 1}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    mon.state.neighbors = [Neighbor("172.31.11.86", 64512, "Idle (Admin)", False, None, None, None, "[red]x[/red] [b")]
    app = RoutesApp(mon, auto_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        n = app.screen.query_one("#neighbors", DataTable)
        assert _texts(n, 6) == ["[red]x[/red] [b"] and _texts(n, 2) == ["Idle (Admin)"]
        await mon.refresh()
        await pilot.pause()
        status = str(app.screen.query_one("#status", Static).render())
        assert "[bold]r" in status and "cannot connect" in status


def test_snapshot(snap_compare, tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "UTC")  # the header shows local time
    time.tzset()
    class SnapApp(App):
        async def on_mount(self) -> None:
            # the lab router runs on the app's own loop, so the snapshot is taken against a live SSH server
            self.server, self.mon = await routes_lab(tmp_path, vrouters=3)
            await self.mon.refresh()
            self.push_screen(RoutesScreen(self.mon, clock=lambda: NOW + 3, auto_start=False))

        async def on_unmount(self) -> None:
            await self.mon.stop()
            await self.server.stop()

    async def settle(pilot):
        await pilot.pause(0.3)

    try:
        assert snap_compare(SnapApp(), terminal_size=(80, 24), run_before=settle)
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
        app = RoutesApp(mon, auto_start=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            status = app.screen.query_one("#status", Static)
            assert "unknown host key SHA256:" in str(status.render())
            await pilot.press("A")
            await pilot.pause()
            assert f"[{server.host}]:{server.port} ssh-ed25519" in kh.read_text()
            await mon.refresh()
            await pilot.pause()
            assert mon.state.errors == [] and app.screen.query_one("#neighbors", DataTable).row_count == 2
    finally:
        await mon.stop()
        await server.stop()


async def test_big_tables_are_capped_and_filterable(tmp_path):
    from tftui.core.routes.models import NextHop, Route
    from tftui.ui.routes_screen import MAX_ROWS

    spec = parse_router({"host": "127.205.0.2", "port": 1, "agent": False, "known_hosts": str(tmp_path / "k")}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    mon.state.routes = [Route(f"100.64.{k >> 8}.{k & 255}/32", "bgp", True, True, 20, 100, "00:01:00",
                              (NextHop("172.31.0.1", "eth0", True, True),), code="B>*") for k in range(MAX_ROWS + 500)]
    app = RoutesApp(mon, auto_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        routes = app.screen.query_one("#routes", DataTable)
        assert routes.row_count == MAX_ROWS
        assert f"first {MAX_ROWS} of {MAX_ROWS + 500}" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("slash", *"100.64.1.", "enter")
        assert routes.row_count == 256 and _texts(routes, 1)[0] == "100.64.1.0/32"
        await pilot.press("escape", "right_square_bracket")  # the next MAX_ROWS: every route stays reachable
        assert _texts(routes, 1)[0] == f"100.64.{MAX_ROWS >> 8}.{MAX_ROWS & 255}/32"
        assert routes.row_count == min(MAX_ROWS, 500)
        assert f"routes {MAX_ROWS + 1}-{MAX_ROWS + min(MAX_ROWS, 500)} of" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("right_square_bracket", "left_square_bracket", "left_square_bracket")
        assert _texts(routes, 1)[0] == "100.64.0.0/32" and routes.row_count == MAX_ROWS


async def test_filter_narrows_as_you_type(tmp_path):
    from tftui.core.routes.models import NextHop, Route
    from tftui.ui.routes_screen import MAX_ROWS

    spec = parse_router({"host": "127.205.0.2", "port": 1, "agent": False, "known_hosts": str(tmp_path / "k")}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    mon.state.routes = [Route(f"100.64.{k >> 8}.{k & 255}/32", "bgp", True, True, 20, 100, "00:01:00",
                              (NextHop("172.31.0.1", "[b]eth0", True, True),), code="B>*") for k in range(4000)]
    app = RoutesApp(mon, auto_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        routes = app.screen.query_one("#routes", DataTable)
        await pilot.press("slash", *"100.64.11.2")  # no enter: the table follows the keystrokes
        assert _texts(routes, 1) == ["100.64.11.2/32", *(f"100.64.11.{k}/32" for k in range(20, 30)),
                                     *(f"100.64.11.{k}/32" for k in range(200, 256))]
        await pilot.press("5")
        assert _texts(routes, 1) == ["100.64.11.25/32", *(f"100.64.11.{k}/32" for k in range(250, 256))]
        assert _texts(routes, 3)[0] == "[b]eth0"  # data, not markup
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert app.screen.text_filter == "100.64.1" and app.screen.matching == 256 * 6 + 160  # .1. and .10-.15.
        assert routes.row_count == MAX_ROWS


async def test_a_router_only_cluster_opens_with_its_routes(tmp_path):
    """No nodes, only `routers:`: the app opens, `r` shows the router's tables, and the cross-check says what it
    lacks instead of refusing (the lab router's pods are there, but no vrouter is known to compare them with)."""
    from tftui.core.inventory import parse_cluster
    from tftui.ui.app import TftuiApp

    server, _ = await routes_lab(tmp_path)
    spec = parse_cluster("edge", {"routers": [server.config_entry()]}, "t")
    app = TftuiApp(spec, autopoll=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r")
            screen = app.screen
            assert isinstance(screen, RoutesScreen)
            for _ in range(100):
                await pilot.pause(0.05)
                if screen.monitor.state.last_fetched and screen.monitor.state.check:
                    break
            # the lab router's neighbors are the control nodes it starts peered with (lab/peering.py)
            peered = sorted(n.address for n in server.topo.nodes if n.name in server.topo.router.peered)
            assert _texts(screen.query_one("#neighbors", DataTable), 0) == peered
            await pilot.press("c")
            await pilot.pause()
            summary = str(screen.query_one("#check-summary", Static).render())
            assert "0/0 pod/VM /32s" in summary and "no vrouters known: no pod/VM /32 to compare" in summary
            assert screen.query_one("#check-table", DataTable).row_count == 0  # neighbors fine, nothing else
    finally:
        monitor = getattr(app, "_routes_monitor", None)
        if monitor is not None:
            await monitor.stop()
        await server.stop()
