"""SVG snapshots of the node view at 80x24 (the lab's cluster evaluated offline, fixed clock)."""

from __future__ import annotations

from helpers.ui_apps import offline_app


def test_node_view_80x24(snap_compare):
    assert snap_compare(offline_app(), terminal_size=(80, 24))


def test_node_view_vrouter_selected_ansi_theme(snap_compare):
    async def select(pilot):
        await pilot.pause()  # the node view is composed once the app runs
        pilot.app.query_one("NodeTree").select_name("compute1")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(offline_app(theme="tftui-ansi"), terminal_size=(80, 24), run_before=select)


def test_events_view(snap_compare):
    assert snap_compare(offline_app(theme="tftui-light"), terminal_size=(80, 24), press=["e"])


def test_role_group_row_80x24(snap_compare):
    async def on_group(pilot):
        await pilot.pause()
        tree = pilot.app.query_one("NodeTree")
        tree.move_cursor(tree.group_node("vrouter"))
        await pilot.pause()

    assert snap_compare(offline_app(), terminal_size=(80, 24), run_before=on_group)
