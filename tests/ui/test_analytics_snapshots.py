"""SVG snapshots of the analytics views at 80x24, against the lab's analytics API on loopback with its clock
(and the app's) frozen: alarms and the tree's bells, the UVE list and one UVE, logs, a node's history,
flow history with export off and on, stats."""

from __future__ import annotations

import time

import pytest
from helpers.analytics_ui import analytics_app, analytics_lab, freeze_lab_time, lab_spec
from helpers.ui_apps import FIXED_NOW, app_stopping, settle

from tftui.lab.topology import build
from tftui.ui.views.uve import UveStructView

BASE = 253  # the screens show addresses: fixed ones, above every test lab's range (100-249)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")  # times are shown in local time
    time.tzset()
    freeze_lab_time(monkeypatch)
    yield
    monkeypatch.undo()
    time.tzset()


def _snap(snap_compare, steps, flow_export_rate: int = 0) -> bool:
    """The app on the lab's analytics; ``steps(pilot)`` opens what the snapshot shows."""
    labs = []

    SnapApp = app_stopping(labs)

    async def setup(pilot):
        labs.append(await analytics_lab(BASE, flow_export_rate, analytics_port=8081, config_port=8082))
        await pilot.app.services.feed("alarms").refresh()  # the tree asked before the lab was up
        await settle(pilot)
        await steps(pilot)
        await settle(pilot)
        await pilot.pause(0.2)

    topo = build("demo", vrouters=4, base=BASE)
    spec = lab_spec(topo, f"http://127.{BASE}.0.10:8081", f"http://127.{BASE}.0.10:8082")
    app = analytics_app(topo, spec, clock=lambda: FIXED_NOW, app_class=SnapApp)
    return snap_compare(app, terminal_size=(80, 24), run_before=setup)


def _open(name: str, **params):
    async def steps(pilot):
        pilot.app.open_view(name, **params)

    return steps


def test_node_tree_bells(snap_compare, frozen):
    async def steps(pilot):
        pass

    assert _snap(snap_compare, steps)


def test_alarms_view(snap_compare, frozen):
    assert _snap(snap_compare, _open("alarms"))


def test_uve_list(snap_compare, frozen):
    assert _snap(snap_compare, _open("uve"))


def test_uve_struct_tree(snap_compare, frozen):
    async def steps(pilot):
        pilot.app.open_view("uve")
        await settle(pilot)
        pilot.app.push_screen(UveStructView(pilot.app.services, "vrouter", "compute1"))

    assert _snap(snap_compare, steps)


def test_logs_view(snap_compare, frozen):
    assert _snap(snap_compare, _open("logs"))


def test_node_history(snap_compare, frozen):
    assert _snap(snap_compare, _open("history", node="ctrl3"))


def test_flow_history_export_off(snap_compare, frozen):
    assert _snap(snap_compare, _open("flowlog"))


def test_flow_history_records(snap_compare, frozen):
    assert _snap(snap_compare, _open("flowlog"), flow_export_rate=100)


def test_stats_view(snap_compare, frozen):
    assert _snap(snap_compare, _open("stats"))
