"""The analytics views in the app, with Pilot, against the lab's analytics API (and config API) on loopback:
alarms and their acknowledgement (and the tree's bells), the UVE browser, logs (query form, follow), a node's
state history, flow history (export off and on), stats; an analytics-less or unreachable analytics API."""

from __future__ import annotations

import asyncio
import dataclasses
import os

import pytest
from helpers.analytics_ui import analytics_app, analytics_lab, lab_spec
from helpers.ui_apps import settle
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from tftui.core.status import ServiceState
from tftui.lab.analytics.uves import reporting
from tftui.lab.topology import NON_FUNCTIONAL, ServiceBehaviour, build
from tftui.ui.detail import render_detail
from tftui.ui.framework.dialogs import ConfirmScreen, FormScreen, RawScreen
from tftui.ui.node_tree import BELL, NodeTree
from tftui.ui.styles import Palette
from tftui.ui.views.alarms import AlarmsView
from tftui.ui.views.flowlog import FlowLogView
from tftui.ui.views.history import NodeHistoryView
from tftui.ui.views.logs import LogsView
from tftui.ui.views.stats import StatsView
from tftui.ui.views.uve import UveStructView, UveView

BASE = int(os.environ.get("TFTUI_TEST_BASE", "100"))  # any 127.B address: the servers take free ports


def _texts(table: DataTable, col: int) -> list[str]:
    return [str(table.get_row_at(i)[col]) for i in range(table.row_count)]


def _static(screen, part: str) -> str:
    return str(screen.query_one(f"#{screen.wid(part)}", Static).render())


def _tree_labels(app) -> dict[str, str]:
    tree = app.screen_stack[0].query_one(NodeTree)
    return {name: str(leaves[0].label) for name, leaves in tree._shown.items() if leaves}


async def _until(pilot, condition, what: str, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never: {what}")


@pytest.fixture
async def lab():
    running = await analytics_lab(BASE)
    try:
        yield running
    finally:
        await running.stop()


async def test_alarms_acknowledge_one_and_it_leaves_the_unacknowledged_list_and_its_bell(lab):
    app = analytics_app(lab.topo, lab.spec)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # the tree rings a bell on each node with unacknowledged alarms: ctrl3's rabbitmq exited (critical)
        await _until(pilot, lambda: BELL in _tree_labels(app).get("ctrl3", ""), "a bell on ctrl3")
        labels = _tree_labels(app)
        assert BELL not in labels["compute3"]  # dead: it reports nothing, so it raises nothing
        await pilot.press("colon", *"alarms")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, AlarmsView)
        table = view.table
        assert table.row_count == len(view.feed.snapshot.unacknowledged) > 1
        first = view.selected_row().item
        assert first.severity_name == "critical" and first.name == "ctrl3"
        assert _texts(table, 2)[0] == "rabbitmq is PROCESS_STATE_EXITED on ctrl3 (expected RUNNING)"
        # a: the confirmation says what, in words; y shows the exact request
        await pilot.press("a")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Acknowledge this critical alarm on ctrl3?" in confirm.change_title
        assert '"token": "' in confirm.raw_diff and "POST /analytics/alarms/acknowledge" in confirm.raw_diff
        await pilot.press("escape")  # no: nothing is sent
        await settle(pilot)
        assert not any(a.ack for a in (await app.services.get("analytics_service").alarms()).alarms)
        await pilot.press("a", "enter")  # yes
        await _until(pilot, lambda: first.id not in [r.item.id for r in view.all_rows],
                     "the alarm leaves the unacknowledged list")
        server = (await app.services.get("analytics_service").alarms()).find(first.id)
        assert server is not None and server.ack  # the lab's alarm-gen keeps the acknowledgement
        assert "1 acknowledged" in _static(view, "summary")
        # H: the acknowledged ones too, marked
        await pilot.press("H")
        await pilot.pause()
        row = next(r for r in view.all_rows if r.item.id == first.id)
        assert row.cells[5].text == "ack" and row.rank == 0
        # ctrl3's bell counts what is left unacknowledged there (its only alarm: no bell any more)
        left = sum(1 for t in lab.analytics.state.all_alarms().values() for k, block in t.items() if k == "ctrl3"
                   for a in block["alarms"] if not a["ack"])
        label = _tree_labels(app)["ctrl3"]
        assert (f"{BELL}{left}" in label) if left > 1 else (BELL in label) if left else (BELL not in label)
        # enter: the alarm's node, in the tree
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.screen_stack[0] and app.screen.node_tree.selected_name in ("ctrl1", "ctrl2", "ctrl3")


async def test_read_only_offers_no_acknowledgement(lab):
    app = analytics_app(lab.topo, lab.spec, readonly=True, view="alarms")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen
        assert isinstance(view, AlarmsView) and view.table.row_count > 0
        footer = {k.description for k in view.query(FooterKey)}
        assert "Acked too" in footer and "Acknowledge" not in footer  # the write is not offered at all
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is view  # no confirmation: the key does nothing
        assert not any(a.ack for a in (await app.services.get("analytics_service").alarms()).alarms)


async def test_uve_browser_type_key_struct_tree_flat_or_raw_with_the_filter(lab):
    app = analytics_app(lab.topo, lab.spec, view="uve")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen
        assert isinstance(view, UveView)
        keys = set(zip(_texts(view.table, 0), _texts(view.table, 1), strict=True))
        assert {("vrouter", "compute1"), ("control-node", "ctrl1"), ("virtual-network",
                "default-domain:k8s-default:k8s-default-pod-network")} <= keys
        await pilot.press("slash", *"vrouter/compute1", "enter")
        await pilot.pause()
        assert view.table.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        tree = app.screen
        assert isinstance(tree, UveStructView) and "vrouter compute1" in _static(tree, "header")
        attrs = [a.strip() for a in _texts(tree.table, 0)]
        assert attrs[0] == "NodeStatus" and {"VrouterAgent", "VrouterStatsAgent", "drop_stats"} <= set(attrs)
        assert "flat" in _static(tree, "summary")
        # `/` keeps the branches that lead to what it finds
        await pilot.press("slash", *"ds_invalid_nh", "enter")
        await pilot.pause()
        assert [a.strip() for a in _texts(tree.table, 0)] == ["VrouterStatsAgent", "drop_stats", "ds_invalid_nh"]
        await pilot.press("escape")
        # m: raw, as stored: Sandesh types beside the values
        await pilot.press("v")
        await settle(pilot)
        assert "raw" in _static(tree, "summary") and not tree.flat
        values = _texts(tree.table, 1)
        assert any(v.endswith("  string") for v in values) and any(v.endswith("  bool") for v in values)
        # y: the UVE as the API returned it
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, RawScreen) and '"@type": "struct"' in app.screen.text
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.screen is view  # back to the list


async def test_logs_query_form_then_follow_appends_new_lines(lab):
    app = analytics_app(lab.topo, lab.spec, view="logs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen
        assert isinstance(view, LogsView) and view.table.row_count > 0  # every daemon's first NodeStatus
        assert "MessageTable · last 10m" in _static(view, "summary")
        # o: the query in a form; a wrong answer is said, the form stays
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#form-object_type", Input).value = "vrouters"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and "unknown object type 'vrouters'" in str(
            app.screen.query_one("#form-error", Static).render())
        form = app.screen
        form.query_one("#form-object_type", Input).value = "vrouter"
        form.query_one("#form-object_id", Input).value = "compute1"
        form.query_one("#form-message_type", Input).value = "NodeStatusUVE"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is view
        assert "ObjectVRouter · object compute1 · NodeStatusUVE" in _static(view, "summary")
        assert set(_texts(view.table, 1)) == {"compute1"}
        before = view.table.row_count
        # l: follow; a state change in the lab is appended as it arrives, the cursor kept on the newest
        await pilot.press("end", "l")
        await settle(pilot)
        assert "following" in _static(view, "summary")
        node = lab.topo.node("compute1")
        node.behaviour["vrouter-agent"] = ServiceBehaviour(NON_FUNCTIONAL, "flipped by the test")
        await _until(pilot, lambda: view.table.row_count > before, "the new line appended")
        assert any("flipped by the test" in r.item.text for r in view.all_rows)
        assert view.table.cursor_row == view.table.row_count - 1
        await pilot.press("l")  # stop following: the follow task ends with its feed
        await settle(pilot)
        assert "l follows" in _static(view, "summary")


async def test_a_nodes_history_beside_the_pollers_events(lab):
    app = analytics_app(lab.topo, lab.spec)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.select_node("ctrl3")
        await pilot.pause()
        await pilot.press("h")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, NodeHistoryView) and view.node == "ctrl3"
        await _until(pilot, lambda: {"analytics", "poller"} <= {r.cells[1] for r in view.all_rows},
                     "both sources in one timeline")
        said = [str(r.cells[3].text) for r in view.all_rows if r.cells[1] == "analytics"]
        assert any("rabbitmq EXITED" in s for s in said)
        assert all(r.item.node == "ctrl3" for r in view.all_rows if r.cells[1] == "poller")
        times = [r.item.at if r.cells[1] == "poller" else r.item.timestamp / 1e6 for r in view.all_rows]
        assert times == sorted(times)
        assert "report(s) to analytics in the last" in _static(view, "summary")


async def test_flow_history_when_export_is_off_says_so_instead_of_an_empty_grid(lab):
    app = analytics_app(lab.topo, lab.spec, view="flowlog")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen
        assert isinstance(view, FlowLogView) and view.export_off
        assert not view.table.display
        assert "Flow export is off on this cluster" in _static(view, "summary")
        await pilot.press("enter")  # the live flows, or where to find them
        await settle(pilot)
        assert app.screen.NAME == "flows" or any("tftui flows" in n.message for n in app._notifications)


async def test_flow_history_between_two_endpoints_with_action_and_drop_reason():
    lab = await analytics_lab(BASE, flow_export_rate=100)
    try:
        app = analytics_app(lab.topo, lab.spec, view="flowlog")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            view = app.screen
            assert not view.export_off and view.table.display and view.table.row_count > 0
            dropped = [r.item for r in view.all_rows if r.item.action == "drop"]
            assert dropped and all(f.drop_reason == "Policy" for f in dropped)
            flow = dropped[0]
            await pilot.press("o")
            await settle(pilot)
            form = app.screen
            form.query_one("#form-src", Input).value = flow.source_ip
            form.query_one("#form-dst", Input).value = flow.dest_ip
            await pilot.press("ctrl+s")
            await settle(pilot)
            rows = [r.item for r in view.all_rows]
            assert rows and all((r.source_ip, r.dest_ip) == (flow.source_ip, flow.dest_ip) for r in rows)
            assert f"{flow.source_ip} → {flow.dest_ip}" in _static(view, "summary")
            # the same endpoints as sessions (SessionRecordTable), the source's agent's client sessions
            await pilot.press("o")
            await settle(pilot)
            app.screen.query_one("#form-table", Input).value = "sessions client"
            await pilot.press("ctrl+s")
            await settle(pilot)
            rows = [r.item for r in view.all_rows]
            assert view.flow_query.sessions and rows
            assert all((r.source_ip, r.dest_ip, r.direction) == (flow.source_ip, flow.dest_ip, "client session")
                       for r in rows)
            assert "SessionRecordTable (client sessions)" in _static(view, "summary")
    finally:
        await lab.stop()


async def test_stats_a_sparkline_per_source_and_the_selected_one_plotted(lab):
    app = analytics_app(lab.topo, lab.spec, view="stats")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen
        assert isinstance(view, StatsView)
        assert sorted(_texts(view.table, 0)) == sorted(n.name for n in lab.topo.vrouters() if reporting(n))
        sparks = _texts(view.table, 1)
        assert all(len(s) >= 12 and set(s) <= set("▁▂▃▄▅▆▇█") for s in sparks)
        detail = str(view.query_one(f"#{view.wid('detail-body')}", Static).render())
        assert "flow_rate.active_flows" in detail and "█" in detail


async def test_without_analytics_no_bell_no_noise_and_the_views_say_why():
    topo = build("seed-analytics-less", base=BASE)
    spec = lab_spec(topo, None, None)
    app = analytics_app(topo, spec)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "alarms" not in app.services.built()  # nothing asked, nothing to fail
        assert not any(BELL in label for label in _tree_labels(app).values())
        await pilot.press("colon", *"alarms")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.screen_stack[0]
        assert any("has no analytics API" in n.message for n in app._notifications)
        assert "ERROR" not in _static(app.screen, "status")


async def test_an_unreachable_analytics_api_is_the_views_error_not_a_crash(lab):
    topo = lab.topo
    spec = lab_spec(topo, "http://127.0.0.1:9", lab.config.url)  # nothing listens there
    app = analytics_app(topo, spec)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)
        assert "ERROR" not in _static(app.screen, "status")  # not the tree's news
        for name in ("alarms", "uve", "logs", "stats"):
            app.open_view(name)
            await settle(pilot)
            view = app.screen
            assert name == view.NAME and app.is_running
            await _until(pilot, lambda v=view: "ERROR" in _static(v, "status"), f"{name} shows the error")
            app.open_view("nodes")
            await settle(pilot)


def test_the_detail_pane_says_where_each_state_came_from_and_how_old_it_is():
    from tftui.lab.offline import offline_results

    topo = build("demo", base=BASE)
    result = offline_results(topo, at=1000.0)[0]
    by_analytics = ServiceState("control-node", "control", "control", "active", evidence="analytics", at=988.0)
    result = dataclasses.replace(result, services=(by_analytics, *result.services))
    palette = Palette(None)
    with_sources = _plain(render_detail(result, result.health(True), palette, now=1000.0, sources=True))
    assert "[analytics, 12s old]" in with_sources and "[introspect, 0s old]" in with_sources
    without = _plain(render_detail(result, result.health(True), palette, now=1000.0))
    assert "[analytics]" in without and " old]" not in without


def _plain(renderable) -> str:
    import io

    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()
