"""The interfaces view with Pilot against the lab: listing, `/` filter, `s` (suspend or command to copy), `!`,
and the containers view of a compute (over the lab's SSH computes)."""

import pytest
from helpers.launcher_lab import launcher_lab
from helpers.ui_apps import settle
from textual.widgets import Static

from tftui.core.agent import Vmi
from tftui.services.launcher import ssh_config_path
from tftui.services.vmis import VmiService
from tftui.ui.app import TftuiApp
from tftui.ui.views.containers import ContainersView
from tftui.ui.views.interfaces import CommandLineScreen, InterfacesView, interface_label
from tftui.ui.views.run_command import RunResultsView

BASE = 215


@pytest.fixture
async def lab(tmp_path):
    async with launcher_lab(tmp_path, BASE) as (topo, hosts, spec, _):
        yield topo, hosts, spec


async def _interfaces(pilot, spawn=None) -> InterfacesView:
    kwargs = {"spawn": spawn} if spawn is not None else {}
    screen = pilot.app.open_view("interfaces", **kwargs)
    await settle(pilot)
    assert isinstance(screen, InterfacesView) and pilot.app.screen is screen
    return screen


def _names(screen: InterfacesView) -> list[str]:
    return [screen.all_rows[i].item.vm_name for i in screen.shown]


async def test_lists_filters_and_runs_side_by_side(lab):
    topo, _, spec = lab
    app = TftuiApp(spec, autopoll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _interfaces(pilot)
        table = screen.table
        assert table.row_count == 123
        assert "123/123 interfaces" in str(screen.query_one("#interfaces-status", Static).render())
        unreadable = str(screen.query_one("#interfaces-summary", Static).render())
        assert "compute2" in unreadable and "compute3" in unreadable
        await pilot.press("slash", *"cirros", "enter")
        await pilot.pause()
        assert table.row_count == 2 and _names(screen) == ["cirros1", "cirros2"]
        await pilot.press("space", "space")  # mark both
        assert len(screen.marked) == 2 and [str(table.get_row_at(i)[0]) for i in range(2)] == ["●", "●"]
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press(*"hostname", "enter")
        await settle(pilot)
        results = app.screen
        assert isinstance(results, RunResultsView)
        outs = [str(results.query_one(f"#run-out-{i}", Static).render()).strip() for i in range(2)]
        assert outs == ["cirros1", "cirros2"]
        cols = [results.query_one(f"#run-col-{i}") for i in range(2)]
        assert cols[0].region.y == cols[1].region.y and cols[0].region.x < cols[1].region.x  # side by side
        await pilot.press("ctrl+r")  # again
        await settle(pilot)
        assert str(results.query_one("#run-out-0", Static).render()).strip() == "cirros1"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert table.row_count == 123


async def test_ssh_without_a_terminal_to_hand_over_shows_the_command(lab):
    topo, hosts, spec = lab
    spawned = []
    app = TftuiApp(spec, autopoll=False)
    async with app.run_test(size=(80, 24)) as pilot:  # headless: App.suspend() is not supported
        screen = await _interfaces(pilot, spawn=lambda argv: spawned.append(argv) or 0)
        await pilot.press("s")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, CommandLineScreen) and spawned == []
        vr = topo.vrouters()[0]
        assert modal.command.startswith(f"ssh -F {ssh_config_path(spec.name)} -J root@{vr.address}:2022 ")
        assert f"HostKeyAlias={vr.address}-169.254.0.4" in modal.command
        assert modal.command.endswith("-- cirros@169.254.0.4")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_markup_in_names_is_shown_verbatim(lab):
    topo, _, spec = lab
    topo.interfaces_on(topo.vrouters()[0].name)[2].vm_name = "[bold]evil[/"
    label = interface_label(Vmi("c", "a", "t", "[bold]evil[/", "", "", "1.1.1.1", "", "169.254.0.9", False))
    assert label.plain.startswith("[bold]evil[/")
    app = TftuiApp(spec, autopoll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _interfaces(pilot)
        assert "[bold]evil[/" in _names(screen)
        assert any(str(screen.table.get_row_at(i)[1]) == "[bold]evil[/" for i in range(screen.table.row_count))
    items = await VmiService(spec).interfaces_of(topo.vrouters()[3].name)
    assert len(items) == 3 and all(v.vrouter == topo.vrouters()[3].name for v in items)


async def test_containers_view_shows_containers_and_module(lab):
    topo, _, spec = lab
    app = TftuiApp(spec, autopoll=False)
    async with app.run_test(size=(100, 24)) as pilot:
        ok = app.open_view("containers", compute=topo.vrouters()[0].address)
        await settle(pilot)
        assert isinstance(ok, ContainersView)
        rows = [[str(c) for c in ok.table.get_row_at(i)] for i in range(ok.table.row_count)]
        assert rows[[r[0] for r in rows].index("vrouter_vrouter-agent_1")][:2] == ["vrouter_vrouter-agent_1", "running"]
        assert "vrouter kernel module is PRESENT" in str(ok.query_one("#containers-summary", Static).render())
        dead = app.open_view("containers", compute=topo.vrouters()[1].address)
        await settle(pilot)
        assert "connection refused" in str(dead.query_one("#containers-summary", Static).render())


async def test_under_textual_serve_s_shows_the_command(lab):
    topo, hosts, spec = lab
    spawned = []

    class WebApp(TftuiApp):
        is_web = True  # what `textual serve` reports; suspend is never attempted there

    app = WebApp(spec, autopoll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _interfaces(pilot, spawn=lambda argv: spawned.append(argv) or 0)
        await pilot.press("down", "s")
        await pilot.pause()
        assert isinstance(app.screen, CommandLineScreen) and spawned == []
        assert app.screen.command.endswith("-- cirros@169.254.0.5")
        assert "browser" in str(app.screen.query(Static).first().render())


async def test_many_targets_scroll_sideways_at_80_columns(lab):
    topo, _, spec = lab
    targets = [v for v in (await VmiService(spec).refresh()).vmis][:4]
    app = TftuiApp(spec, autopoll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RunResultsView(app.services, app.services.get("launcher"), targets, "hostname"))
        await settle(pilot)
        outs = [str(app.screen.query_one(f"#run-out-{i}", Static).render()).strip() for i in range(4)]
        assert outs == [t.vm_name for t in targets]
        assert all(app.screen.query_one(f"#run-col-{i}").region.width >= 30 for i in range(2))
