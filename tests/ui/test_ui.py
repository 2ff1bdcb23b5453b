"""The node view driven by keyboard through Pilot: selection, detail, filter, refresh, events, raw XML, themes."""

from __future__ import annotations

from dataclasses import replace

from helpers.ui_apps import offline_app, settle
from textual.widgets import Input, TextArea

from tftui.core.status import ServiceState
from tftui.services.config import load_config
from tftui.ui.app import TftuiApp
from tftui.ui.detail import DetailPane
from tftui.ui.framework.dialogs import RawScreen
from tftui.ui.node_tree import NodeTree
from tftui.ui.views.events import EventsView


def detail_text(app) -> str:
    return app.query_one(DetailPane).plain_text()


def visible_nodes(app) -> set[str]:
    return app.query_one(NodeTree).shown_names


def header(app) -> str:
    return str(app.query_one("#nodes-header").render())


async def test_selecting_a_node_shows_its_contrail_status_blocks():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree = app.query_one(NodeTree)
        assert tree.selected_name == "ctrl1"  # the first node is selected on start
        text = detail_text(app)
        assert "== Contrail control ==" in text
        assert "nodemgr: initializing (NTP state unsynchronized.)" in text
        assert "processes (nodemgr)" in text and "cpu load" in text and "build 2011.L3-146" in text
        assert tree.select_name("compute1")
        await pilot.pause()
        await pilot.pause()
        assert "agent: active (XMPP:control-node:" in detail_text(app)
        assert "XMPP" in detail_text(app)


async def test_header_counts_and_age():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = header(app)
        assert "lab" in text and "ok /" in text and "2 unreachable" in text and "polled 1s ago" in text


async def test_filter_narrows_inverts_and_clears():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        assert app.focused is app.query_one("#nodes-filter", Input)
        await pilot.press(*"compute1")
        await pilot.pause()
        assert visible_nodes(app) == {"compute1", "compute10", "compute11", "compute12"}
        app.query_one("#nodes-filter", Input).value = "unreachable"
        await pilot.pause()
        assert visible_nodes(app) == {"compute2", "compute3"}
        app.query_one("#nodes-filter", Input).value = "^ctrl[12] |^compute3 "  # a regex
        await pilot.pause()
        assert visible_nodes(app) == {"ctrl1", "ctrl2", "compute3"}
        app.query_one("#nodes-filter", Input).value = "!compute"
        await pilot.pause()
        assert visible_nodes(app) == {"ctrl1", "ctrl2", "ctrl3"}
        await pilot.press("escape")
        await pilot.pause()
        assert len(visible_nodes(app)) == 15
        assert isinstance(app.focused, NodeTree)


async def test_events_view_lists_transitions():
    app = offline_app()
    async with app.run_test(size=(100, 30)) as pilot:
        old = app.cluster.results["compute4"]
        changed = tuple(replace(s, state="inactive", description="PROCESS_STATE_EXITED") if s.key == "vrouter-agent"
                        else s for s in old.services)
        app.cluster.update(replace(old, services=changed, at=old.at + 5))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EventsView)
        table = app.screen.table
        row = [str(c) for c in table.get_row_at(table.row_count - 1)]
        assert row[1] == "compute4" and row[2] == "vrouter-agent"
        assert "active → inactive (PROCESS_STATE_EXITED)" in row[3]
        await pilot.press("escape")
        assert not isinstance(app.screen, EventsView)


async def test_tree_relabels_in_place_when_health_changes():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one(NodeTree)
        assert tree.select_name("compute5")
        await pilot.pause()
        leaf = tree.cursor_node
        assert leaf.label.plain.startswith("●")
        old = app.cluster.results["compute5"]
        bad = tuple(replace(s, state="timeout") if s.key == "vrouter-agent" else s for s in old.services)
        app.cluster.update(replace(old, services=bad))
        await settle(pilot)
        assert tree.cursor_node is leaf  # same node, new label: no rebuild
        assert leaf.label.plain.startswith("▲")


async def test_raw_xml_screen():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, RawScreen)
        text = app.screen.query_one(TextArea).text
        assert "<NodeStatus>" in text and "control :8083" in text
        await pilot.press("escape")


async def test_flat_view_and_rich_markup_in_names_is_harmless():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        r = app.cluster.results["compute6"]
        app.cluster.results["compute6"] = replace(r, name="compute6")
        svc: ServiceState = r.services[0]
        app.cluster.results["compute6"] = replace(r, services=(replace(svc, description="[bold red]x[/]"),) + r.services[1:])
        await pilot.press("v")
        await pilot.pause()
        tree = app.query_one(NodeTree)
        assert tree.flat and all(node.parent is tree.root for node in tree.root.children)
        # natural order: compute2 before compute10
        names = [str(node.label).split()[1] for node in tree.root.children]
        assert names.index("compute2") < names.index("compute10") < names.index("compute11")
        tree.select_name("compute6")
        await pilot.pause()
        await pilot.pause()
        assert "[bold red]x[/]" in detail_text(app)


async def test_themes_are_loaded_and_switchable():
    app = offline_app(theme="tftui-ansi")
    async with app.run_test(size=(80, 24)) as pilot:
        assert {"tftui-dark", "tftui-light", "tftui-ansi"} <= set(app.available_themes)
        assert app.theme == "tftui-ansi"
        app.theme = "tftui-light"
        await pilot.pause()
        assert app.query_one(NodeTree).cursor_node.label.plain.startswith("▲")


async def test_unknown_theme_falls_back_with_a_message():
    app = offline_app(theme="nope")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "tftui-dark"


async def test_command_palette_selects_a_node():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"node compute7")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.query_one(NodeTree).selected_name == "compute7"


async def test_live_polling_and_refresh_against_the_lab(start_lab):
    lab = start_lab("seed-analytics-less")
    spec = load_config(str(lab.config_path)).cluster
    app = TftuiApp(spec)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            await pilot.pause(0.1)
            if app.cluster.rounds:
                break
        rounds = app.cluster.rounds
        assert rounds >= 1
        await pilot.press("ctrl+r")
        for _ in range(30):
            await pilot.pause(0.1)
            if app.cluster.rounds > rounds:
                break
        assert app.cluster.rounds > rounds
        await pilot.press("p")
        assert app.services.cluster.paused and "PAUSED" in header(app)
        app.query_one(NodeTree).select_name("bms2")
        await pilot.pause(0.6)
        assert "agent: active (Collector connection down)" in detail_text(app)
        # analytics-less: "Collector connection down" is the setup, not an outage
        assert header(app).count("0 degraded") == 1


async def test_big_groups_fill_lazily_in_chunks():
    app = offline_app(vrouters=450)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one(NodeTree)
        group = tree.group_node("vrouter")
        assert not group.children and not group.is_expanded  # nothing built until asked
        group.expand()
        await pilot.pause()
        assert len(group.children) == 201 and "250 more" in str(group.children[-1].label)
        tree.move_cursor(group.children[-1])
        await pilot.press("enter")
        await pilot.pause()
        assert len(group.children) == 401
        assert tree.select_name("compute440")  # beyond the filled part: filled up to it
        await pilot.pause()
        assert "compute440" in tree.shown_names


async def test_vrouter_expands_into_interfaces_and_shows_the_compute_view(start_lab):
    lab = start_lab("demo", vrouters=3)
    spec = load_config(str(lab.config_path)).cluster
    app = TftuiApp(spec)
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(NodeTree)
        while app.cluster.rounds < 1:
            await pilot.pause(0.1)
        assert tree.select_name("compute1")
        await pilot.pause(0.2)
        leaf = tree.cursor_node
        leaf.expand()
        for _ in range(50):
            await pilot.pause(0.1)
            if any("cirros1" in str(c.label) for c in leaf.children):
                break
        labels = [str(c.label) for c in leaf.children]
        assert len(labels) == 120 and any("cirros1" in x and "169.254.0.4" in x for x in labels)
        # the compute's own view (containers, vrouter module) comes over SSH from the lab compute
        text = ""
        for _ in range(60):
            await pilot.pause(0.1)
            text = app.query_one(DetailPane).plain_text()
            if "PRESENT" in text:
                break
        assert "vrouter kernel module is PRESENT" in text and "vrouter_vrouter-agent_1" in text
        assert tree.select_name("compute2")
        await pilot.pause(0.2)
        dead = tree.cursor_node
        dead.expand()
        for _ in range(50):
            await pilot.pause(0.1)
            if dead.children and "asking" not in str(dead.children[0].label):
                break
        assert "connection refused" in str(dead.children[0].label)
        for _ in range(60):  # and the dead compute's SSH says why, in the pane, not as a crash
            await pilot.pause(0.1)
            text = app.query_one(DetailPane).plain_text()
            if "refused" in text.split("on the compute", 1)[-1]:
                break
        assert "connection refused" in text.split("on the compute", 1)[-1]


async def test_a_role_groups_row_shows_the_group():
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # compute3 answered once, 90 s before it went quiet
        dead = app.cluster.results["compute3"]
        alive = replace(dead, reachable=True, at=dead.at - 120,
                        services=tuple(replace(s, state="active", description="") for s in dead.services))
        app.cluster.update(alive)
        app.cluster.update(replace(dead, at=dead.at - 30))
        await settle(pilot)
        tree = app.query_one(NodeTree)
        tree.move_cursor(tree.group_node("vrouter"))
        await pilot.pause()
        text = detail_text(app)
        assert text.startswith("vrouter (12)")
        # compute1's lost XMPP session leaves it active (contrail-status's rule): the peers view tells
        assert "9 ok" in text and "1 degraded" in text and "2 unreachable" in text
        assert "compute4  vrouter-nodemgr: initializing (NTP state unsynchronized.)" in text
        assert "compute2  never answered" in text
        assert "compute3  last answered 2m ago" in text  # FIXED_NOW - (at - 120)
        await pilot.press("down")  # off the group: the node's own detail again
        await pilot.pause()
        assert detail_text(app).startswith("● compute1")


async def test_poller_process_death_is_in_the_header_until_it_is_back(start_lab):
    import os
    import signal

    lab = start_lab("demo", vrouters=2)
    app = TftuiApp(load_config(str(lab.config_path)).cluster)

    async def until(cond) -> None:
        for _ in range(100):
            if cond():
                return
            await pilot.pause(0.1)
        raise AssertionError("not in time")

    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.cluster.rounds >= 1)
        # the selected node's detail has its replies (processes from the nodemgr) from the poller process
        await until(lambda: "processes (nodemgr)" in detail_text(app))
        os.kill(app.services.cluster.process.pid, signal.SIGKILL)
        await until(lambda: "POLLER DOWN" in header(app))
        rounds = app.cluster.rounds
        await until(lambda: app.cluster.rounds > rounds and "POLLER DOWN" not in header(app))
        assert app.services.cluster.process.restarts == 1
