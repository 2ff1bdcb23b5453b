"""The `:peer` view in the real app against the peering lab (lab router in each dialect, lab config API, the lab
control nodes' introspect) over real sockets: plan on screen, one confirmation, both sides applied, the sessions
watched on both sides until the cross-check is whole, then the same flow removes the peering; --readonly."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from helpers.peering_lab import peering_lab, peering_lab_in_thread
from helpers.ui_apps import FIXED_NOW, settle, view_app
from textual.widgets import Static

from tftui.services.config import load_config
from tftui.services.peering_flow import DONE
from tftui.ui.framework.dialogs import ConfirmScreen, MessageScreen, PickerScreen, RawScreen
from tftui.ui.views.peer import PeerView

OSES = ("frr", "vyos-1.1", "vyos-1.3", "vyos-1.4")
ALL = ("ctrl1", "ctrl2", "ctrl3")


def peer_app(lab, readonly: bool = False):
    return view_app("peer", {}, spec=load_config(str(lab.config)).cluster, readonly=readonly)


def _summary(screen) -> str:
    return str(screen.query_one(f"#{screen.wid('summary')}", Static).render())


def _cells(screen, column: str) -> list[str]:
    """One column as shown (at 80 columns some are left out: the address)."""
    table = screen.table
    at = [k.value for k in table.columns].index(column)
    return [str(table.get_row_at(i)[at]) for i in range(table.row_count)]


async def _until(pilot, check, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        assert loop.time() < end, ("condition not met in time", pilot.app.screen, pilot.app.screen.worker_error,
                                   [n.message for n in pilot.app._notifications])
        await pilot.pause(0.1)
    await settle(pilot)


async def _read(pilot) -> PeerView:
    screen = pilot.app.screen
    assert isinstance(screen, PeerView)
    await _until(pilot, lambda: screen.flow.snapshot.tf is not None and screen.flow.snapshot.status is not None)
    return screen


async def _confirm(pilot, words: str) -> ConfirmScreen:
    await _until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    dialog = pilot.app.screen
    summary = str(dialog.query_one("#summary", Static).render())
    assert words in summary, summary
    await pilot.press("y")  # the exact requests, one key away
    assert dialog.query_one("#raw-diff").has_class("shown")
    assert "# TF (config API)" in str(dialog.query_one("#raw-diff", Static).render())
    await pilot.press("enter")
    return dialog


@pytest.mark.parametrize("os_name", OSES)
async def test_peer_and_unpeer_from_the_view(tmp_path, os_name):
    async with peering_lab(tmp_path, os_name, unpeered=ALL) as lab:
        controls = [lab.address(n) for n in ALL]
        app = peer_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _read(pilot)
            assert _cells(screen, "control") == list(ALL) and _cells(screen, "mark") == ["✓"] * 3
            assert set(_cells(screen, "router")) == {"not configured"}  # the router side: no neighbor yet
            summary = _summary(screen)
            assert "AS 65311" in summary and "TF AS 64512" in summary and "+ peers ctrl1, ctrl2, ctrl3" in summary
            await pilot.press("y")  # the whole change, raw
            assert isinstance(app.screen, RawScreen) and f"neighbor {controls[2]}" in app.screen.text
            await pilot.press("escape")
            await pilot.press("plus")
            await _confirm(pilot, f"bgp-router ctrl3 (control node, {controls[2]})")
            await _until(pilot, lambda: screen.flow.snapshot.phase == DONE)
            assert lab.neighbors() == controls and lab.gateway_sessions() == {"vyos": set(ALL)}
            assert all(s.startswith("Established") for s in _cells(screen, "router"))
            assert set(_cells(screen, "tf")) == {"Established"}  # each control node's own BGP neighbor list
            summary = _summary(screen)
            assert "3/3 sessions up on both sides" in summary
            check = screen.flow.snapshot.progress.check
            assert check.ok == check.expected > 0
            assert f"gatewayless cross-check: {check.ok}/{check.expected} pod /32s" in summary
            # undo: the same flow takes it away on both sides
            await _until(pilot, lambda: set(_cells(screen, "change")) == {"in place"})
            await pilot.press("x")
            await _confirm(pilot, "Router vyos")
            await _until(pilot, lambda: screen.flow.snapshot.phase == DONE)
            assert lab.neighbors() == [] and lab.gateway_sessions() == {}
            assert "3/3 sessions gone on both sides" in _summary(screen)


async def test_one_control_node_marked_and_nothing_sent_without_confirmation(tmp_path):
    async with peering_lab(tmp_path, scenario="demo") as lab:  # the demo leaves ctrl3 unpeered
        before = lab.neighbors()
        app = peer_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _read(pilot)
            assert _cells(screen, "change") == ["in place", "in place", "to add"]
            assert "+ peers ctrl3 · in place: ctrl1, ctrl2" in _summary(screen)
            await pilot.press("space")  # ctrl1 out of the change
            await settle(pilot)
            assert _cells(screen, "mark") == ["", "✓", "✓"] and screen.flow.snapshot.chosen == ("ctrl2", "ctrl3")
            await pilot.press("plus")
            await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("escape")  # cancelled: nothing sent
            await settle(pilot)
            assert app.screen is screen and lab.api.server.writes == 0 and lab.neighbors() == before
            await pilot.press("x")  # remove ctrl2 and ctrl3: only ctrl2 is peered
            await _confirm(pilot, "ctrl2")
            await _until(pilot, lambda: screen.flow.snapshot.phase == DONE)
            assert lab.neighbors() == [lab.address("ctrl1")]
            assert lab.gateway_sessions() == {"vyos-gw": {"ctrl1"}}


async def test_frr_ebgp_policy_choice_and_why_down(tmp_path):
    async with peering_lab(tmp_path, "frr", unpeered=ALL) as lab:
        cfg = lab.peering.router_config.copy()
        cfg.no_ebgp_requires_policy = False  # FRR's own default since 7.4: eBGP routes need a policy
        lab.peering.set_router_config(cfg)
        app = peer_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _read(pilot)
            assert "b: eBGP policy needed" in _summary(screen)
            await pilot.press("space", "down", "space")  # ctrl3 only
            await settle(pilot)
            await pilot.press("plus")  # the operator chooses first: keep (change nothing)
            await _until(pilot, lambda: isinstance(app.screen, PickerScreen))
            await pilot.press(*"keep", "enter")
            await _confirm(pilot, f"neighbor {lab.address('ctrl3')} remote-as 64512")
            # Established, the routes refused: the router says (Policy), and W says why
            await _until(pilot, lambda: "Policy" in _cells(screen, "router")[2])
            await pilot.press("W")
            await _until(pilot, lambda: isinstance(app.screen, MessageScreen))
            body = str(app.screen.query_one("#body", Static).render())
            assert "[problem]" in body and "policy" in body.lower()
            await pilot.press("escape")
            await settle(pilot)
            assert any(c.key == "ebgp-policy" and c.verdict == "problem" for c in screen.flow.snapshot.causes)
            assert "problem: " in _summary(screen)
            # undone, then b: a permit-all import route-map on the control nodes' sessions, + again: routes arrive
            await pilot.press("x")
            await _confirm(pilot, "ctrl3")
            await _until(pilot, lambda: screen.flow.snapshot.phase == DONE and lab.neighbors() == [])
            await pilot.press("b")
            await _until(pilot, lambda: isinstance(app.screen, PickerScreen))
            await pilot.press(*"route-map", "enter")
            await settle(pilot)
            await pilot.press("plus")
            await _confirm(pilot, "route-map TFTUI-FROM-TF permit 10")
            await _until(pilot, lambda: screen.flow.snapshot.phase == DONE)
            assert lab.peering.router_config.neighbors[lab.address("ctrl3")].route_map_in == "TFTUI-FROM-TF"


async def test_readonly_has_no_write_keys(tmp_path):
    async with peering_lab(tmp_path, scenario="demo") as lab:
        before = lab.neighbors()
        app = peer_app(lab, readonly=True)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _read(pilot)
            actions = {active.binding.action for active in screen.active_bindings.values()}
            assert "mark" in actions and not {"add_peering", "remove_peering"} & actions
            await pilot.press("plus", "x")
            await settle(pilot)
            assert app.screen is screen and "READ-ONLY" in str(screen.header_text())
        assert lab.api.server.writes == 0 and lab.neighbors() == before


SNAPSHOT_BASE = 251  # the screen shows addresses: fixed ones, above every test lab's range (100-249)


def test_peer_view_80x24(snap_compare, tmp_path, monkeypatch):
    """The demo (ctrl3 not peered yet), as the view opens on it: the plan, both sides' sessions, the cross-check."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    now = [5000.0]  # the lab's clock: it stands still once the sessions are up (their ages on screen)
    with peering_lab_in_thread(tmp_path, scenario="demo", base=SNAPSHOT_BASE, clock=lambda: now[0]) as lab:
        now[0] += 600
        lab.peering.epoch_offset = FIXED_NOW - now[0]  # the control nodes' "since", in wall time, fixed too
        app = view_app("peer", {}, spec=load_config(str(lab.config)).cluster, clock=lambda: FIXED_NOW)

        async def setup(pilot):
            await _read(pilot)

        assert snap_compare(app, terminal_size=(80, 24), run_before=setup)
    monkeypatch.undo()
    time.tzset()


async def test_another_router_that_cannot_be_reached_says_so_and_back_again(tmp_path):
    async with peering_lab(tmp_path, scenario="demo") as lab:
        doc = json.loads(lab.config.read_text())
        cluster = doc["clusters"]["lab"]
        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
        cluster["routers"].append({**cluster["routers"][0], "name": "edge2", "host": "127.0.0.1", "port": closed})
        lab.config.write_text(json.dumps(doc))
        app = peer_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _read(pilot)
            await pilot.press("C")
            await _until(pilot, lambda: isinstance(app.screen, PickerScreen))
            await pilot.press(*"edge2", "enter")
            await _until(pilot, lambda: screen.flow.error is not None)
            assert app.screen is screen and screen.flow.snapshot.router == "edge2"
            assert "ERROR" in str(screen.query_one(f"#{screen.wid('status')}", Static).render())
            assert screen.table.row_count == 0  # nothing planned for a router that was not read
            await pilot.press("plus")  # nothing to apply: said, nothing sent
            await settle(pilot)
            assert app.screen is screen and lab.api.server.writes == 0
            await pilot.press("C")
            await _until(pilot, lambda: isinstance(app.screen, PickerScreen))
            await pilot.press(*"vyos", "enter")
            await _until(pilot, lambda: screen.flow.snapshot.router == "vyos" and screen.flow.snapshot.tf is not None)
            assert screen.flow.error is None and screen.table.row_count == 3
