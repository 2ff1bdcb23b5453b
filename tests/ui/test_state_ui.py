"""The cluster-state views (`:peers`, `:croutes`, `:vrf`, `:path`, `:traces`, `:introspect`) in the app, driven with
Pilot against the lab's control nodes and agents over real sockets, on the app's own loop; snapshots at 80x24."""

from __future__ import annotations

import time

import pytest
from helpers.ui_apps import app_stopping, settle
from textual.widgets import DataTable, Input, Static, Tree

import tftui.lab.agent  # noqa: F401  (ItfReq, PageReq)
import tftui.lab.agent_oper  # noqa: F401  (the agents' state requests)
import tftui.lab.control_node  # noqa: F401  (the control nodes' requests)
from tftui.core.introspect import find
from tftui.core.inventory import parse_cluster
from tftui.lab.flows.traffic import LabTraffic, attach
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.runner import cluster_config
from tftui.lab.topology import build
from tftui.lab.trace_feed import trace_event
from tftui.services.registry import Services
from tftui.ui.app import TftuiApp
from tftui.ui.framework import ResourceView, Row
from tftui.ui.framework.registry import VIEWS
from tftui.ui.views.croutes import ControlRoutesView
from tftui.ui.views.drops import DropsView
from tftui.ui.views.flows import FlowsView
from tftui.ui.views.interfaces import InterfacesView
from tftui.ui.views.introspect import IntrospectView, ReplyView, RequestForm
from tftui.ui.views.path import PathView
from tftui.ui.views.peers import PeersView
from tftui.ui.views.traces import TraceBuffersView, TraceView
from tftui.ui.views.vrf_routes import VrfRoutesView
from tftui.ui.views.vrouter import VrouterView

NOW = 1_764_000_100.0
BASE = 252  # fixed: the snapshots show addresses (the suite's other labs stay below 250)


class Clock:
    """The lab's and the app's one clock; a test moves it."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def lab_topology(clock: Clock):
    """The demo with five vrouters, every time in it fixed: sessions up since an hour, compute1's staged XMPP
    session to ctrl2 down since ten minutes, the traffic (and its dropped packets) started on the same clock."""
    topo = build("demo", vrouters=5, base=BASE)
    topo.sessions.clock = clock
    topo.sessions.started = NOW - 3600
    for state in [*topo.sessions.xmpp.values(), *topo.sessions.bgp.values()]:
        state.since = NOW - 600
        state.last_flap = NOW - 600 if not state.up else state.last_flap
    return topo


async def start_lab(clock: Clock) -> IntrospectLab:
    topo = lab_topology(clock)
    lab = IntrospectLab(topo)
    attach(lab, LabTraffic(topo, clock=clock))  # what the agents' drop counters count (traffic_of(lab))
    await lab.start()
    for (vrouter, control), state in topo.sessions.xmpp.items():  # traced going down, as `tftui lab` does
        if not state.up:
            trace_event(lab, topo, "xmpp", vrouter, control, up=False)
    return lab


def state_app(lab: IntrospectLab, clock: Clock, app_class=TftuiApp) -> TftuiApp:
    spec = parse_cluster("lab", cluster_config(lab.topo, 2, 2), "test")
    return app_class(spec, services=Services(spec, autopoll=False, clock=clock), autopoll=False, clock=clock)


@pytest.fixture
async def lab():
    clock = Clock()
    lab = await start_lab(clock)
    lab.clock = clock
    try:
        yield lab
    finally:
        await lab.stop()


def _summary(screen) -> str:
    return str(screen.query_one(f"#{screen.wid('summary')}", Static).render())


def _status(screen) -> str:
    return str(screen.query_one(f"#{screen.wid('status')}", Static).render())


def _cells(screen: ResourceView) -> list[list[str]]:
    return [[getattr(c, "text", c) for c in screen.all_rows[i].cells] for i in screen.shown]


def _column(screen: ResourceView, name: str) -> list[str]:
    at = [c.key for c in screen.COLUMNS].index(name)
    return [row[at] for row in _cells(screen)]


def _select(screen: ResourceView, key: str) -> None:
    """Put the cursor on the row ``key`` (it must be on the page shown)."""
    table = screen.table
    at = next(i for i in range(table.row_count) if table.coordinate_to_cell_key((i, 0)).row_key.value == key)
    table.move_cursor(row=at)


def _pod(lab, index: int):
    return [i for i in lab.topo.interfaces if i.kind == "pod"][index]


async def _command(pilot, text: str) -> None:
    """`:` then ``text`` then enter on the first completion."""
    await pilot.press("colon")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot, timeout=20)


async def test_peers_flag_the_down_xmpp_session_and_a_bgp_session_going_down(lab):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _command(pilot, "peers")
        screen = app.screen
        assert isinstance(screen, PeersView)
        summary = _summary(screen)
        assert "compute1: XMPP session to ctrl2" in summary and "expected 2" in summary
        rows = {(r[0], r[1]): r for r in _cells(screen)}
        assert rows[("ctrl2", "compute1")][4] == "Idle (deleted)" and rows[("ctrl2", "compute1")][6] == "1"
        assert rows[("ctrl1", "vyos-gw")][3:5] == ["BGP", "Established"]
        assert len(rows) == 18  # 2 iBGP + the router on each control node, and 2 XMPP sessions per vrouter
        # worst first: the one session not Established on top
        await pilot.press("w")
        assert _cells(screen)[0][:2] == ["ctrl2", "compute1"]
        # a BGP session goes down: the next read (ctrl+r, or the feed's own every few seconds) shows it
        lab.topo.sessions.set_bgp("ctrl1", "ctrl3", False)
        await pilot.press("ctrl+r")
        await settle(pilot, timeout=10)
        summary = _summary(screen)
        assert "ctrl1: BGP peer ctrl3" in summary and "ctrl3: BGP peer ctrl1" in summary
        assert {r[4] for r in _cells(screen) if {r[0], r[1]} == {"ctrl1", "ctrl3"}} == {"Active"}


async def test_v_on_a_node_that_is_no_vrouter_says_which_vrouter_it_shows(lab):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen_stack[0].select_node("ctrl1")
        await pilot.pause()
        await pilot.press("V")
        await settle(pilot, timeout=10)
        first = next(n.name for n in app.services.spec.nodes if "vrouter" in n.roles)
        assert isinstance(app.screen, VrouterView) and app.screen.vrouter == first
        said = [n.message for n in app._notifications]
        assert any(m.startswith(f"ctrl1 is not a vrouter: showing {first}") for m in said), said


async def test_vrouter_view_from_the_tree_its_vrfs_xmpp_and_rising_drops(lab, monkeypatch):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen_stack[0].select_node("compute1")
        await pilot.pause()
        await pilot.press("V")  # the vrouter selected in the tree
        await settle(pilot, timeout=10)
        screen = app.screen
        assert isinstance(screen, VrouterView) and screen.vrouter == "compute1"
        snap = screen.feed.snapshot
        assert len(snap.vrfs) == 4 and len(screen.shown) == 4
        assert "k8s-default-pod-network" in _column(screen, "vrf")
        summary = _summary(screen)
        ctrl1, ctrl2 = (lab.topo.node(n).address for n in ("ctrl1", "ctrl2"))
        assert f"{ctrl1} Established" in summary and f"{ctrl2} Active (1 flaps)" in summary
        # the drop counters move with the clock: the next read shows the rising ones first, with their rates
        assert "+" not in summary.split("\n")[2]
        lab.clock.now += 5
        await pilot.press("ctrl+r")
        await settle(pilot, timeout=10)
        drops = _summary(screen).split("\n")[2]
        assert drops.startswith("Drops (d: all 6) Flow Action Drop") and "/s)" in drops, _summary(screen)
        assert "Flow Action Drop: the flow's action is drop" in _summary(screen)
        # d: every counter, one line each saying what it counts, the rising ones first and in colour
        await pilot.press("d")
        await settle(pilot, timeout=10)
        drops_view = app.screen
        assert isinstance(drops_view, DropsView) and drops_view.vrouter == "compute1"
        first = drops_view.all_rows[drops_view.shown[0]]
        assert first.key == "ds_flow_action_drop" and first.cells[0].tone == "err"
        assert first.cells[3].text.startswith("+") and float(first.cells[2]) > 0
        assert all(row[4] for row in _cells(drops_view)) and len(_cells(drops_view)) == len(snap.drops)
        assert "rising" in _summary(drops_view) and "enter on it shows the flows" in _summary(drops_view)
        # enter on Flow Action Drop: the live flows of that vrouter (`:flows`), where each drop says why
        await pilot.press("enter")
        await settle(pilot, timeout=10)
        assert isinstance(app.screen, FlowsView) and app.screen.vrouter == "compute1"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is drops_view
        # a build without the flows view says so instead
        monkeypatch.delitem(VIEWS, "flows")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is drops_view and any(":flows" in n.message for n in app._notifications)
        monkeypatch.undo()
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_a_vrfs_routes_paths_next_hops_the_next_vrf_and_a_route_to_its_path(lab):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _command(pilot, "vrf compute1")
        vrfs = app.screen
        assert isinstance(vrfs, VrouterView)
        pod_vrf = next(k for k in (r.key for r in vrfs.all_rows) if k.endswith("k8s-default-pod-network"))
        _select(vrfs, pod_vrf)
        await pilot.press("enter")
        await settle(pilot, timeout=10)
        screen = app.screen
        assert isinstance(screen, VrfRoutesView) and screen.vrf == pod_vrf
        # every pod of the network has its /32: the local ones through their tap, the others over a tunnel
        local = [i for i in lab.topo.interfaces_on("compute1") if i.network.endswith("k8s-default-pod-network")]
        rows = {r[0]: r for r in _cells(screen)}
        assert {f"{i.ip}/32" for i in local} <= set(rows)
        assert rows[f"{local[0].ip}/32"][2] == "interface" and "tunnel" in {r[2] for r in rows.values()}
        assert "k8s-default-pod-network" in _summary(screen)
        # N: the next VRF, round to the first
        names = [v.name for v in screen.feed.snapshot.vrfs]
        await pilot.press("N")
        await settle(pilot, timeout=10)
        assert screen.vrf != pod_vrf and screen.feed.snapshot.vrf == screen.vrf
        assert all(screen.vrf.endswith(r.item.vrf.rsplit(":", 1)[-1]) for r in screen.all_rows)
        for _ in range(len(names) - 1):
            await pilot.press("N")
            await settle(pilot, timeout=10)
        assert screen.vrf == pod_vrf
        # enter on a local pod's /32: its path, and esc back to the VRF
        pod = local[0]
        await pilot.press("slash", *f"{pod.ip}/32", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, timeout=20)
        path = app.screen
        assert isinstance(path, PathView) and path.pod == pod.ip
        assert "the path is whole" in _summary(path)
        assert _column(path, "kind") == ["vrouter", "control", "control", "control"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        # T on a route that is no /32 says so
        await pilot.press("escape")  # the filter
        rows = [r for r in screen.all_rows if not r.key.endswith("/32")]
        if rows:
            _select(screen, rows[0].key)
            await pilot.press("T")
            assert app.screen is screen and any("not a pod's /32" in n.message for n in app._notifications)


async def test_the_palette_takes_a_vrouter_name(lab):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _command(pilot, "vrf compute4")
        screen = app.screen
        assert isinstance(screen, VrouterView) and screen.vrouter == "compute4"
        assert "compute4" in str(screen.query_one(f"#{screen.wid('header')}", Static).render())
        assert screen.feed.snapshot.routes and not screen.feed.snapshot.errors
        # the demo's hung agent: every part of its state says why it is missing, the view stays up
        await _command(pilot, "vrf compute3")
        assert app.screen.vrouter == "compute3" and "no reply in time" in _summary(app.screen)


async def test_path_picks_a_pod_and_finds_where_the_broken_one_breaks(lab):
    app = state_app(lab, lab.clock)
    broken = _pod(lab, 4)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _command(pilot, "path")
        picker = app.screen
        assert isinstance(picker, PathView) and picker.pod == "" and picker.ITEMS == "pods"
        answering = [i for i in lab.topo.interfaces if i.vrouter not in ("compute2", "compute3")]  # down, hung
        assert len(picker.shown) == len(answering)
        await pilot.press("slash", *broken.vm_name, "enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, timeout=20)
        path = app.screen
        assert isinstance(path, PathView) and path.pod == broken.ip
        summary = _summary(path)
        assert "broken at control ctrl1" in summary
        states = _column(path, "state")
        assert states[0] == "ok" and "BROKEN" in states
        # enter on the vrouter hop: that vrouter's state
        await pilot.press("enter")
        await settle(pilot, timeout=10)
        assert isinstance(app.screen, VrouterView) and app.screen.vrouter == broken.vrouter
        # and back: the picker is under the path
        await pilot.press("escape")
        await settle(pilot)


async def test_t_on_an_interface_and_on_a_control_route(lab):
    app = state_app(lab, lab.clock)
    pod = _pod(lab, 0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _command(pilot, "interfaces")
        assert isinstance(app.screen, InterfacesView)
        await pilot.press("slash", *pod.ip, "enter")
        await pilot.pause()
        await pilot.press("T")
        await settle(pilot, timeout=20)
        assert isinstance(app.screen, PathView) and app.screen.pod == pod.ip
        await pilot.press("escape")  # back to the interfaces
        await settle(pilot)
        assert isinstance(app.screen, InterfacesView)
        await _command(pilot, "croutes")
        screen = app.screen
        assert isinstance(screen, ControlRoutesView)
        assert "ctrl1:" in _summary(screen) and set(_column(screen, "control")) <= {"ctrl1", "ctrl2", "ctrl3"}
        # P: one protocol at a time
        await pilot.press("P")
        await settle(pilot)
        assert screen.protocol == "XMPP" and set(_column(screen, "protocol")) <= {"XMPP", "XMPP (interface)"}
        assert "XMPP paths only" in _summary(screen)
        for _ in range(3):
            await pilot.press("P")
        assert screen.protocol == ""
        await pilot.press("slash", *f"{pod.ip}/32", "enter")
        await pilot.pause()
        assert _cells(screen) and all(f"{pod.ip}/32" in r[2] for r in _cells(screen))
        await pilot.press("T")
        await settle(pilot, timeout=20)
        assert isinstance(app.screen, PathView) and app.screen.pod == pod.ip
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_traces_of_the_selected_node_and_of_any_daemon(lab):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen_stack[0].select_node("compute1")
        await pilot.pause()
        await _command(pilot, "traces")
        screen = app.screen
        assert isinstance(screen, TraceBuffersView) and (screen.node, screen.service) == ("compute1", "vrouter-agent")
        assert "Controller" in _column(screen, "buffer")
        _select(screen, "Controller")
        await pilot.press("enter")
        await settle(pilot, timeout=10)
        trace = app.screen
        assert isinstance(trace, TraceView)
        ctrl2 = lab.topo.node("ctrl2").address
        assert any(f"Peer: {ctrl2} XMPP channel down" in line for line in _column(trace, "text")), _cells(trace)
        # `:traces NODE SERVICE` from the palette
        await _command(pilot, "traces ctrl2 control")
        assert (app.screen.node, app.screen.service) == ("ctrl2", "control")


async def test_introspect_browser_form_reply_tree_table_link_and_a_write_refused(lab):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen_stack[0].select_node("compute1")
        await pilot.pause()
        await pilot.press("B")
        await settle(pilot, timeout=10)
        screen = app.screen
        assert isinstance(screen, IntrospectView) and (screen.node, screen.service) == ("compute1", "vrouter-agent")
        requests = _column(screen, "request")
        assert {"VrfListReq", "Inet4UcRouteReq", "KDropStatsReq", "SandeshTraceRequest"} <= set(requests)
        # VrfListReq: its form (one field, name), sent with the default
        _select(screen, "agent/VrfListReq")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RequestForm) and [f.name for f in form.fields] == ["name"]
        await pilot.press("enter")
        await settle(pilot, timeout=10)
        reply = app.screen
        assert isinstance(reply, ReplyView) and reply.request == "VrfListReq" and reply.args == {}
        tree = reply.query_one(Tree)
        labels = [str(n.label) for n in tree.root.children]
        assert labels and labels[0].startswith("VrfListResp")
        assert _find_leaf(tree.root, "more") is None  # the transport's flag, not the agent's data
        # v: the VRFs as a table
        await pilot.press("v")
        table = reply.query_one(DataTable)
        assert reply.showing_table and table.row_count == 4 and "ucindex" in [c.label.plain for c in table.columns.values()]
        await pilot.press("v")
        assert not reply.showing_table
        # L on a field that links (ucindex → Inet4UcRouteReq): that request with the value
        node = _find_leaf(tree.root, "ucindex: 2")
        assert node is not None and "→ Inet4UcRouteReq" in str(node.label)
        parent = node.parent
        while parent is not None:  # a list of more than three structs comes folded
            parent.expand()
            parent = parent.parent
        await pilot.pause()
        tree.move_cursor(node)
        await pilot.press("L")
        await settle(pilot, timeout=10)
        linked = app.screen
        assert isinstance(linked, ReplyView) and linked.request == "Inet4UcRouteReq", [n.message for n in app._notifications]
        assert "2" in linked.args.values() and linked.messages
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        # a request that writes is listed, never sent
        assert app.screen is screen
        sent = []
        screen.send = lambda *a: sent.append(a)
        screen.open(Row("x", ("agent", "DeleteAllFlowRecords", ""), find("DeleteAllFlowRecords")))
        await pilot.pause()
        assert sent == [] and any("not sent" in n.message for n in app._notifications)
        # O: the node's next introspect service
        await pilot.press("O")
        await settle(pilot, timeout=10)
        assert isinstance(app.screen, IntrospectView) and app.screen.service != "vrouter-agent"


def _find_leaf(node, start: str):
    for child in node.children:
        if str(child.label).startswith(start):
            return child
        found = _find_leaf(child, start)
        if found is not None:
            return found
    return None


async def test_introspect_and_traces_without_a_daemon_offer_every_one(lab):
    app = state_app(lab, lab.clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_view("introspect", node="", service="")
        await settle(pilot, timeout=10)
        picker = app.screen
        assert isinstance(picker, IntrospectView) and picker.ITEMS == "daemons"
        keys = [picker.all_rows[i].key for i in picker.shown]
        assert "ctrl1/control" in keys and "compute2/vrouter-agent" in keys
        _select(picker, "ctrl1/control")
        await pilot.press("enter")
        await settle(pilot, timeout=10)
        assert isinstance(app.screen, IntrospectView) and app.screen.node == "ctrl1"
        assert "BgpNeighborReq" in _column(app.screen, "request")
        inputs = app.screen.query(Input)
        assert inputs  # the filter box


# ------------------------------------------------------------------------------------------------ snapshots


def _snap(snap_compare, view: str, params: dict, later: float = 0.0, then=None, keys: tuple[str, ...] = ()) -> bool:
    """The view opened on the lab; ``later``: read again that many seconds on (the drop counters' rates);
    ``then(app)``: the screen it opens from there; ``keys``: pressed last."""
    clock = Clock()
    labs: list[IntrospectLab] = []

    SnapApp = app_stopping(labs)

    async def setup(pilot):
        labs.append(await start_lab(clock))
        pilot.app.open_view(view, **params)
        await settle(pilot, timeout=20)
        if then is not None:
            pilot.app.push_screen(then(pilot.app))
            await settle(pilot, timeout=20)
        if later:
            clock.now += later
            await pilot.press("ctrl+r")
            await settle(pilot, timeout=20)
        if keys:
            await pilot.press(*keys)
            await settle(pilot, timeout=20)
        screen = pilot.app.screen
        screen.feed.every = 3600  # no read of its own while the snapshot is taken
        screen.feed.updated_at = clock.now - 1
        screen.update_status()
        await pilot.pause()

    topo = lab_topology(clock)
    spec = parse_cluster("lab", cluster_config(topo, 2, 2), "test")
    app = SnapApp(spec, services=Services(spec, autopoll=False, clock=clock), autopoll=False, clock=clock)
    return snap_compare(app, terminal_size=(80, 24), run_before=setup)


def test_snapshot_peers(snap_compare):
    assert _snap(snap_compare, "peers", {})


def test_snapshot_vrouter(snap_compare):
    assert _snap(snap_compare, "vrf", {"vrouter": "compute1"}, later=5.0)


def test_snapshot_vrf_routes(snap_compare):
    def routes(app):
        vrf = next(v.name for v in app.screen.feed.snapshot.vrfs if v.name.endswith("k8s-default-pod-network"))
        return VrfRoutesView(app.services, vrouter="compute1", vrf=vrf)

    assert _snap(snap_compare, "vrf", {"vrouter": "compute1"}, then=routes)


def test_snapshot_drops(snap_compare):
    assert _snap(snap_compare, "drops", {"vrouter": "compute1"}, later=5.0)


def test_snapshot_path_of_the_broken_pod(snap_compare):
    pod = [i for i in build("demo", vrouters=5, base=BASE).interfaces if i.kind == "pod"][4]
    assert _snap(snap_compare, "path", {"pod": pod.ip})


def test_snapshot_introspect(snap_compare):
    assert _snap(snap_compare, "introspect", {"node": "ctrl1", "service": "control"})


def test_snapshot_croutes(snap_compare):
    assert _snap(snap_compare, "croutes", {})


def test_snapshot_trace_buffers(snap_compare):
    assert _snap(snap_compare, "traces", {"node": "compute1", "service": "vrouter-agent"})


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")  # a trace line's time is shown in local time
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_snapshot_trace_buffer_lines(snap_compare, utc):
    def controller(app):
        return TraceView(app.services, node="compute1", service="vrouter-agent", buffer="Controller")

    assert _snap(snap_compare, "traces", {"node": "compute1", "service": "vrouter-agent"}, then=controller)


def _vrf_list(app):
    return ReplyView(app.services, "compute1", "vrouter-agent", "VrfListReq", {})


def test_snapshot_introspect_reply_tree(snap_compare):
    assert _snap(snap_compare, "introspect", {"node": "compute1", "service": "vrouter-agent"}, then=_vrf_list)


def test_snapshot_introspect_reply_table(snap_compare):
    assert _snap(snap_compare, "introspect", {"node": "compute1", "service": "vrouter-agent"}, then=_vrf_list,
                 keys=("v",))
