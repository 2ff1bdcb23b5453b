"""The defects issue 11 listed, each pressed as a user would (Pilot), on the framework every view shares."""

from __future__ import annotations

import time
from dataclasses import replace

from helpers.policy_lab import client_for, lab_api
from helpers.ui_apps import FIXED_NOW, offline_app, settle
from textual.widgets import Header, Input, Static

from tftui.core.agent import Vmi
from tftui.core.routes.config import parse_router
from tftui.core.routes.models import NextHop, Route
from tftui.services.feed import Feed
from tftui.services.policy import PolicyService
from tftui.services.routes import RouterMonitor
from tftui.services.vmis import VmiSnapshot
from tftui.ui.detail import DetailPane
from tftui.ui.framework.dialogs import HelpScreen, PickerScreen
from tftui.ui.node_tree import NodeTree
from tftui.ui.views.events import EventsView
from tftui.ui.views.nodes import NodesScreen


def _tree_names(app) -> set[str]:
    return app.query_one(NodeTree).shown_names


def _router(tmp_path) -> RouterMonitor:
    spec = parse_router({"host": "127.250.0.1", "port": 1, "agent": False, "known_hosts": str(tmp_path / "k")}, "t")
    mon = RouterMonitor(spec, None, interval=60)
    mon.autostart = False
    mon.state.routes = [Route(f"10.47.255.{k}/32", "bgp", True, True, 20, 100, "00:01:00",
                              (NextHop(f"127.42.1.{k % 9}", "eth0", True, True),), code="B>*") for k in range(40)]
    mon.state.last_fetched = FIXED_NOW
    mon.publish(mon.state)
    return mon


async def test_a_views_filter_filters_that_view_only(tmp_path):
    """r, /, 127.42.1.5, esc, esc: the routes were filtered, the tree never was."""
    app = offline_app()
    app.services.provide("router", _router(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        all_nodes = _tree_names(app)
        await pilot.press("r")
        await settle(pilot)
        routes = app.screen
        await pilot.press("slash", *"127.42.1.5")
        await pilot.pause()
        assert len(routes.shown) == 4 and routes.table.row_count == 4
        assert _tree_names(app) == all_nodes  # the node tree did not see a keystroke
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, NodesScreen) and _tree_names(app) == all_nodes
        box = app.screen.query_one("#nodes-filter", Input)
        assert not box.has_class("shown") and box.value == "" and app.screen.filter_text == ""
        # the tree's own filter: `/` then esc clears it
        await pilot.press("slash", *"ctrl")
        await pilot.pause()
        assert _tree_names(app) == {"ctrl1", "ctrl2", "ctrl3"}
        await pilot.press("escape")
        await pilot.pause()
        assert _tree_names(app) == all_nodes and not box.has_class("shown")


async def test_picking_a_tag_in_the_policy_editor_leaves_the_tree_alone(tmp_path):
    async with lab_api() as api:
        service = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")
        app = offline_app()
        app.services.provide("policy_service", service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            all_nodes = _tree_names(app)
            await pilot.press("f")
            await settle(pilot)
            await pilot.press("2")  # ports
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, PickerScreen)
            await pilot.press(*"cirros")  # the picker's own search box
            await pilot.press("escape", "escape")
            await settle(pilot)
            assert isinstance(app.screen, NodesScreen) and _tree_names(app) == all_nodes
        await service.aclose()


async def test_slash_in_the_events_view_is_the_events_filter():
    """Letters typed after `/` are text: `p` does not pause polling, `e` does not close the view."""
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await settle(pilot)
        events = app.screen
        assert isinstance(events, EventsView)
        await pilot.press("slash", *"compute3 pe")
        await pilot.pause()
        assert app.screen is events and not app.services.cluster.paused
        assert app.focused is events.query_one("#events-filter", Input)
        assert events.filter_text == "compute3 pe" and events.table.row_count == 0
        await pilot.press("ctrl+u", *"compute3")
        await pilot.pause()
        assert events.table.row_count == 3 and {str(events.table.get_row_at(i)[1]) for i in range(3)} == {"compute3"}


async def test_the_detail_pane_follows_each_new_result_and_counts_down_a_back_off():
    now = [FIXED_NOW]
    app = offline_app(clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(DetailPane)
        assert "polled at" in pane.plain_text() and "ctrl1" in pane.plain_text()
        old = app.cluster.results["ctrl1"]
        first = time.strftime("%H:%M:%S", time.localtime(old.at))
        assert f"polled at {first}" in pane.plain_text()
        # a new poll with nothing changed in the statuses: the tree is not relabelled, the pane still redraws
        app.cluster.update(replace(old, at=old.at + 61))
        await settle(pilot)
        assert f"polled at {time.strftime('%H:%M:%S', time.localtime(old.at + 61))}" in pane.plain_text()
        # a dead node is backed off: its "next try in" counts down as the clock goes
        tree = app.query_one(NodeTree)
        await app.poller.poll_round(force=True)  # nothing listens on the offline lab's addresses: all refused
        assert tree.select_name("compute2")
        await settle(pilot)
        assert "next try in 5s" in pane.plain_text()
        now[0] += 3
        for _ in range(40):
            await pilot.pause(0.05)
            if "next try in 2s" in pane.plain_text():
                break
        assert "next try in 2s" in pane.plain_text()


async def test_home_end_g_G_go_to_the_oldest_and_newest_events_and_enter_selects_the_node():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for k in range(60):  # enough events to scroll
            old = app.cluster.results["compute5"]
            state = "inactive" if k % 2 == 0 else "active"
            app.cluster.update(replace(old, at=old.at + k, services=tuple(
                replace(s, state=state) if s.key == "vrouter-agent" else s for s in old.services)))
        await pilot.press("e")
        await settle(pilot)
        table = app.screen.table
        last = table.row_count - 1
        assert table.cursor_row == last  # a log opens on its newest line
        for key, row in (("home", 0), ("end", last), ("g", 0), ("G", last)):
            await pilot.press(key)
            await pilot.pause()
            assert table.cursor_row == row, key
            assert table.scroll_x == 0  # not sideways: time and node stay in view
        await pilot.press("home", "down", "down", "down")  # the 4th event: compute1's
        node = str(table.get_row_at(3)[1])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NodesScreen) and app.query_one(NodeTree).selected_name == node


async def test_help_on_question_mark_and_f1_and_tftuis_header_on_every_view(tmp_path):
    app = offline_app()
    app.services.provide("router", _router(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        assert not app.screen.query(Header)  # tftui's own header, not Textual's
        assert "tftui │ lab │ Routes" in str(app.screen.query_one("#routes-header", Static).render())
        # a notification is drawn at the bottom: the status line (row 1) stays readable
        app.notify("something happened", timeout=30)
        await pilot.pause(0.3)
        status = app.screen.query_one("#routes-status", Static).region
        toasts = [t.region for t in app.screen.query("Toast")]
        assert toasts and all(not t.overlaps(status) for t in toasts)


def _vmi(k: int) -> Vmi:
    return Vmi("compute1", "127.42.1.1", f"tap{k:08d}-aa", f"very-long-pod-name-{k:04d}", f"uuid-{k}",
               "default-domain:k8s-default:k8s-default-pod-network", f"10.47.255.{k}", "02:00:00:00:00:01",
               f"169.254.0.{k}", k % 3 != 0)


async def test_at_80x24_the_columns_that_matter_are_whole():
    app = offline_app()
    interfaces = Feed()
    interfaces.publish(VmiSnapshot(tuple(_vmi(k) for k in range(1, 30)), {}, FIXED_NOW, 1))
    app.services.provide("interfaces", interfaces)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await settle(pilot)
        events = app.screen
        widths = {c.key.value: c.width for c in events.table.columns.values()}
        assert widths["change"] >= 50  # the change text takes the room; the service column goes first
        longest = max(range(events.table.row_count), key=lambda i: len(str(events.table.get_row_at(i)[-1])))
        events.table.move_cursor(row=longest)
        await pilot.pause()
        whole = events.all_rows[longest].item
        panel = str(events.query_one("#events-detail-body", Static).render())
        assert f"{whole.old} → {whole.new}" in panel or whole.new in panel  # the event under the cursor, whole
        assert (whole.service or "(node)") in panel
        await pilot.press("i")
        await settle(pilot)
        keys = [c.key.value for c in app.screen.table.columns.values()]
        assert "state" in keys and {"vm", "ip"} <= set(keys)
        states = {str(app.screen.table.get_row_at(i)[keys.index("state")]) for i in range(3)}
        assert states == {"active", "inactive"}
