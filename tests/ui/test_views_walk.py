"""Every view of the app, walked with the same keys against one lab process: `:` opens it by name, `/` filters
it (typed letters never fire bindings), esc clears then goes back, ctrl+r refreshes, `?` lists its keys, `y`
shows the row raw; an exception in its data path or in a worker leaves the app running with the error shown."""

from __future__ import annotations

import pytest
from helpers.ui_apps import settle
from textual.widgets import Footer, Input, Static
from textual.widgets._footer import FooterKey

from tftui.services.config import load_config
from tftui.ui.app import TftuiApp
from tftui.ui.framework import ResourceView, ViewScreen
from tftui.ui.framework.dialogs import HelpScreen, RawScreen
from tftui.ui.framework.registry import VIEWS
from tftui.ui.views.nodes import NodesScreen

NAMES = sorted(VIEWS)  # every registered view, the node view included
# opened from their parent by a key on a row: parent view, the row (a filter that finds it), the key
DRILL_DOWNS = {"rules": ("policies", "cirros", "enter"), "set": ("sets", "k8s", "enter"),
               "rule-flows": ("rules", "pass", "F"),  # the seed's allow-rest: k8s traffic hits it
               "uve-struct": ("uve", "vrouter/compute1", "enter")}


@pytest.fixture(scope="module")
def lab_config(tmp_path_factory):
    """One `tftui lab` (introspect, agents, SSH computes, config API with the seed's firewall policy, router,
    analytics with flow export on, so the flow history has records)."""
    from conftest import _next_base, free_bases
    from helpers.policy_lab import SEED

    from tftui.cli import main
    from tftui.services.demo import start_demo_lab

    bases = free_bases(_next_base[0])
    _next_base[0] = bases[0] + 1
    lab = start_demo_lab(scenario="demo", vrouters=4, churn=0, bases=bases, extra=("--flow-export-rate", "100"))
    seed = tmp_path_factory.mktemp("seed") / "seed.yaml"
    seed.write_text(SEED)
    try:
        assert main(["policy", "apply", str(seed), "--config", str(lab.config_path)]) == 0
        yield lab.config_path
    finally:
        lab.stop()


def _status(screen: ViewScreen) -> str:
    return str(screen.query_one(f"#{screen.wid('status')}", Static).render())


async def _open(pilot, name: str) -> ViewScreen:
    app = pilot.app
    if name in DRILL_DOWNS:  # opened from its parent by a key on a row
        parent, row, key = DRILL_DOWNS[name]
        await _open(pilot, parent)
        await pilot.press("slash", *row, "enter")
        await pilot.pause()
        await pilot.press(key)
    else:
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*name)
        await pilot.pause(0.3)
        await pilot.press("enter")
    await settle(pilot, timeout=20)
    screen = app.screen
    assert isinstance(screen, ViewScreen), screen
    assert name == screen.NAME
    return screen


def _rows(screen: ViewScreen) -> int:
    return len(screen.shown) if isinstance(screen, ResourceView) else len(screen.node_tree.shown_names)


async def _walk(pilot, name: str) -> None:
    app = pilot.app
    screen = await _open(pilot, name)
    before_rows = _rows(screen)
    assert before_rows > 0, f"{name}: nothing to walk over in the lab"
    # widget ids: unique in the screen, and the view's own ones carry its name
    ids = [w.id for w in screen.query("*") if w.id]
    assert len(ids) == len(set(ids)), ids
    assert {f"{name}-filter", f"{name}-status", f"{name}-header"} <= set(ids)
    # `/` focuses this view's filter; letters typed there are text, not keys (e events, p pause, q quit)
    await pilot.press("slash")
    await pilot.pause()
    box = screen.query_one(f"#{name}-filter", Input)
    assert app.focused is box
    await pilot.press(*"zq!pe")
    await pilot.pause()
    assert app.screen is screen and screen.filter_text == "zq!pe" and not screen.feed.paused
    assert _rows(screen) == 0 and "filter: zq!pe" in _status(screen)
    await pilot.press("ctrl+u", *"!zq!pe")  # `!` inverts: everything again
    await pilot.pause()
    assert _rows(screen) == before_rows
    # esc: the filter goes first (and the box), then the view
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is screen and screen.filter_text == "" and not box.has_class("shown")
    assert _rows(screen) == before_rows and "filter:" not in _status(screen)
    # ctrl+r: the feed fetches again
    version = screen.feed.version
    await pilot.press("ctrl+r")
    for _ in range(200):  # a fetch, or the poller's next round: either ends with a publish
        if screen.feed.version > version:
            break
        await pilot.pause(0.05)
    assert screen.feed.version > version, name
    await settle(pilot, timeout=20)
    # ? lists this view's keys (its own and the framework's) and the global ones
    own = {active.binding.id for active in screen.active_bindings.values() if active.node is screen and active.binding.id}
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    help_text = str(app.screen.query_one("#help-body", Static).render())
    assert own and all(i in help_text for i in own), (own, help_text)
    assert "app.quit" in help_text and "view.filter" in help_text
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is screen
    # y: the selection, raw
    await pilot.press("y")
    await pilot.pause()
    assert isinstance(app.screen, RawScreen), name
    assert app.screen.text.strip()
    await pilot.press("escape")
    await pilot.pause()
    # the footer at 80 columns: every key it shows has its description (no bare `:` at the end)
    footer = screen.query_one(Footer)
    for key in footer.query(FooterKey):
        if key.region.width:
            assert key.region.right <= footer.region.right, (name, key.key, key.description)
    # esc again: back where the view was opened from (the node view itself has nothing behind it)
    await pilot.press("escape")
    await settle(pilot)
    if name == "nodes":
        assert app.screen is screen
    else:
        assert app.screen is not screen


async def test_every_view_behaves_the_same(lab_config):
    """One app, every view in turn (its services are built once, as in use)."""
    app = TftuiApp(load_config(str(lab_config)).cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, timeout=20)
        for name in NAMES + sorted(DRILL_DOWNS):
            await _walk(pilot, name)
            app.open_view("nodes")  # from wherever the walk ended
            await settle(pilot)


async def test_an_exception_in_a_view_leaves_the_app_running_with_the_error_shown(lab_config):
    app = TftuiApp(load_config(str(lab_config)).cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, timeout=20)
        for name in NAMES + sorted(DRILL_DOWNS):
            await _inject(pilot, name)
            app.open_view("nodes")
            await settle(pilot)


async def _inject(pilot, name: str) -> None:
    app = pilot.app
    screen = await _open(pilot, name)
    rows = _rows(screen)

    def broken_show(snapshot):
        raise RuntimeError(f"injected into {name}'s show")

    screen.show = broken_show  # the view's snapshot -> rows code trips on the next data
    screen.feed.publish(screen.feed.snapshot)
    await pilot.pause(0.7)
    assert app.is_running and app.screen is screen
    assert f"injected into {name}'s show" in _status(screen), name
    assert any(f"injected into {name}'s show" in n.message for n in app._notifications)
    assert _rows(screen) == rows  # the last good data stays
    del screen.show  # mended

    async def broken_worker():
        raise ValueError(f"injected into a worker of {name}")

    screen.run_worker(broken_worker(), name="injected")
    await pilot.pause(0.3)
    assert app.is_running and app.screen is screen
    assert f"injected into a worker of {name}" in _status(screen), name

    if hasattr(screen.feed, "fetch"):  # a fetch that raises: the feed's error, the old data kept
        fetch = screen.feed.fetch

        async def broken_fetch():
            raise OSError(f"injected into the fetch of {name}")

        screen.feed.fetch = broken_fetch
        await pilot.press("ctrl+r")
        await settle(pilot, timeout=10)
        assert f"injected into the fetch of {name}" in _status(screen) and _rows(screen) == rows
        screen.feed.fetch = fetch
        await pilot.press("ctrl+r")
        await settle(pilot, timeout=10)
        assert "injected" not in _status(screen)  # a good fetch clears the error


async def test_colon_lists_each_view_once_with_its_key(lab_config):
    spec = load_config(str(lab_config)).cluster
    app = TftuiApp(spec)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, timeout=20)
        from tftui.ui.framework.command import ViewCommands

        provider = ViewCommands(app.screen)
        hits = [hit async for hit in provider.discover()]
        assert sorted(hit.text for hit in hits) == NAMES  # once each, aliases on the same line
        routes = next(hit for hit in hits if hit.text == "routes")
        assert "key r" in routes.help and ":rt" in str(routes.display)
        found = [hit async for hit in provider.search(":fw")]
        assert max(found, key=lambda h: h.score).text == "policies"


def test_nodes_is_the_main_view():
    assert VIEWS["nodes"] is NodesScreen
