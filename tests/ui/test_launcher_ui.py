"""The `:vmi` screen with Pilot against the lab: listing, `/` filter, `s` (suspend or command to copy), `x`."""

import pytest
from helpers.launcher_lab import launcher_lab
from textual.app import App
from textual.widgets import DataTable, Static

from tftui.services.launcher import Launcher, ssh_config_path
from tftui.services.vmis import VmiService
from tftui.ui.vmi_results import ResultsScreen
from tftui.ui.vmi_screen import CommandLineScreen, VmiScreen, interface_label, vrouter_interfaces

BASE = 215


class VmiApp(App):
    def __init__(self, screen):
        super().__init__()
        self._vmi_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self._vmi_screen)


@pytest.fixture
async def lab(tmp_path):
    async with launcher_lab(tmp_path, BASE) as (topo, hosts, spec, _):
        yield topo, hosts, spec


async def _loaded(pilot, screen):
    await pilot.pause()
    await screen.workers.wait_for_complete()
    await pilot.pause()


async def test_lists_filters_and_runs_side_by_side(lab):
    topo, _, spec = lab
    screen = VmiScreen(VmiService(spec), Launcher(spec))
    app = VmiApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot, screen)
        table = screen.query_one(DataTable)
        assert table.row_count == 123
        status = str(screen.query_one("#vmi-status", Static).render())
        assert "123/123 interfaces" in status and "compute2" in status and "compute3" in status
        await pilot.press("slash", *"cirros", "enter")
        await pilot.pause()
        assert table.row_count == 2 and [v.vm_name for v in screen.shown] == ["cirros1", "cirros2"]
        await pilot.press("space", "space")  # mark both
        assert len(screen.marked) == 2
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"hostname", "enter")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ResultsScreen)
        await results.workers.wait_for_complete()
        await pilot.pause()
        outs = [str(results.query_one(f"#out-{i}", Static).render()).strip() for i in range(2)]
        assert outs == ["cirros1", "cirros2"]
        cols = [results.query_one(f"#col-{i}") for i in range(2)]
        assert cols[0].region.y == cols[1].region.y and cols[0].region.x < cols[1].region.x  # side by side
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert table.row_count == 123


async def test_ssh_without_a_terminal_to_hand_over_shows_the_command(lab):
    topo, hosts, spec = lab
    spawned = []
    screen = VmiScreen(VmiService(spec), Launcher(spec), spawn=lambda argv: spawned.append(argv) or 0)
    app = VmiApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:  # headless: App.suspend() is not supported
        await _loaded(pilot, screen)
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
    from tftui.core.agent import Vmi

    label = interface_label(Vmi("c", "a", "t", "[bold]evil[/", "", "", "1.1.1.1", "", "169.254.0.9", False))
    assert label.plain.startswith("[bold]evil[/")
    screen = VmiScreen(VmiService(spec), Launcher(spec))
    app = VmiApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot, screen)
        assert any(v.vm_name == "[bold]evil[/" for v in screen.shown)
    items = await vrouter_interfaces(VmiService(spec), topo.vrouters()[3].name)
    assert len(items) == 3 and all(v.vrouter == topo.vrouters()[3].name for _, v in items)


async def test_compute_detail_pane_shows_containers_and_module(lab):
    from textual.app import ComposeResult

    from tftui.ui.compute_detail import ComputeDetailPane

    topo, _, spec = lab
    launcher = Launcher(spec)

    class PaneApp(App):
        def compose(self) -> ComposeResult:
            yield ComputeDetailPane(launcher, topo.vrouters()[0].address, id="ok")
            yield ComputeDetailPane(launcher, topo.vrouters()[1].address, id="dead")

    app = PaneApp()
    async with app.run_test(size=(100, 24)) as pilot:
        for pane in app.query(ComputeDetailPane):
            await pane.workers.wait_for_complete()
        await pilot.pause()
        ok = str(app.query_one("#ok", ComputeDetailPane).render())
        dead = str(app.query_one("#dead", ComputeDetailPane).render())
    assert "vrouter_vrouter-agent_1" in ok and "running" in ok
    assert ok.rstrip().endswith("vrouter kernel module is PRESENT")
    assert "connection refused" in dead


async def test_under_textual_serve_s_shows_the_command(lab):
    topo, hosts, spec = lab
    spawned = []

    class WebApp(VmiApp):
        is_web = True  # what `textual serve` reports; suspend is never attempted there

    screen = VmiScreen(VmiService(spec), Launcher(spec), spawn=lambda argv: spawned.append(argv) or 0)
    app = WebApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot, screen)
        await pilot.press("down", "s")
        await pilot.pause()
        assert isinstance(app.screen, CommandLineScreen) and spawned == []
        assert app.screen.command.endswith("-- cirros@169.254.0.5")
        assert "browser" in str(app.screen.query(Static).first().render())


async def test_many_targets_scroll_sideways_at_80_columns(lab):
    topo, _, spec = lab
    launcher = Launcher(spec)
    targets = [v for v in (await VmiService(spec).refresh()).vmis][:4]
    app = VmiApp(ResultsScreen(launcher, targets, "hostname"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        outs = [str(app.screen.query_one(f"#out-{i}", Static).render()).strip() for i in range(4)]
        assert outs == [t.vm_name for t in targets]
        assert all(app.screen.query_one(f"#col-{i}").region.width >= 30 for i in range(2))
