"""The flows views in the real app at 80x24, against the lab's agents over real sockets (in this process), after
the seed's firewall walk applied through the lab config API with the real vnc_api client: `F` on a vrouter and
on an interface, drops first and in colour, `/` by address, port, protocol, VN and action, the why panel and
the whole chain, `R` to the rule in the policy editor, `F` on a rule to its live flows and hits, `m` for the
pages past the cap, live refresh; and SVG snapshots of the flows view with its why panel and of the chain."""

from __future__ import annotations

import asyncio
import contextlib

from helpers.flows_lab import flows_lab, seed_walk_with_vnc_api
from helpers.ui_apps import settle
from textual.widgets import Static

from tftui.core.inventory import parse_cluster
from tftui.lab.runner import cluster_config
from tftui.lab.shells import VmShell
from tftui.services.registry import Services
from tftui.ui.app import TftuiApp
from tftui.ui.views.flows import FlowsView, WhyScreen
from tftui.ui.views.interfaces import InterfacesView
from tftui.ui.views.policy_members import RulesView
from tftui.ui.views.rule_flows import RuleFlowsView

FIXED = 1_764_000_000.0  # the lab traffic's clock and the app's, for reproducible screens
SEED_WHY = ("ICMP 10.47.255.251 → 10.47.255.250 dropped by firewall policy `default-policy-management:policy1`, "
            "rule 1 (label=cirros1 ↔ label=cirros2, icmp, deny) in application policy set "
            "`default-policy-management:default-application-policy-set`")


@contextlib.asynccontextmanager
async def seeded(offset: int, clock=None, poll_interval: float = 600, **kw):
    """The lab's agents and config API with the seed's walk applied (and cirros1's ping, as in the seed), and
    the cluster config that reaches them (live refresh every ``poll_interval`` seconds)."""
    async with flows_lab(offset, clock=clock, **kw) as (topo, intro, api, traffic):
        host, port = api.url.rsplit("//", 1)[1].split(":")
        await asyncio.to_thread(seed_walk_with_vnc_api, host, int(port), True)
        cirros1 = next(i for i in topo.interfaces if i.vm_name == "cirros1")
        VmShell(topo, cirros1, traffic).run("ping -c 2 10.47.255.250")
        cfg = {**cluster_config(topo, poll_interval, 5), "config_api": api.url}
        yield parse_cluster("lab", cfg, "test"), traffic


def app_for(spec, clock=None) -> TftuiApp:
    kw = {"clock": clock} if clock is not None else {}
    return TftuiApp(spec, services=Services(spec, autopoll=False, **kw), **kw)


def text_of(screen, part: str) -> str:
    return str(screen.query_one(f"#{screen.wid(part)}", Static).render())


def shown_flows(view: FlowsView) -> list:
    return [view.all_rows[i].item for i in view.shown]


async def on_row(pilot, view, match) -> None:
    """The cursor on the first shown row ``match`` accepts."""
    view.select_where(match)
    await settle(pilot)
    assert match(view.selected_row()), "no such row"


def seed_drop(rec) -> bool:
    return (rec.sip, rec.dip, rec.protocol) == ("10.47.255.251", "10.47.255.250", 1) and rec.dropped


async def open_flows_from_the_tree(pilot, vrouter: str = "compute1") -> FlowsView:
    app = pilot.app
    await settle(pilot)
    assert app.screen.node_tree.select_name(vrouter)
    await pilot.pause()
    await pilot.press("F")
    await settle(pilot, timeout=20)
    assert isinstance(app.screen, FlowsView)
    return app.screen


async def test_flows_of_a_vrouter_drops_first_filtered_and_why(tmp_path):
    async with seeded(40) as (spec, traffic):
        app = app_for(spec)
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_flows_from_the_tree(pilot)
            flows = shown_flows(view)
            drops = [r.dropped for r in flows]
            assert drops[0] and drops == sorted(drops, reverse=True) and not drops[-1]  # drops first
            assert any(seed_drop(r) for r in flows)
            summary = text_of(view, "summary")
            assert f"compute1 · {len(flows)} flows, {sum(drops)} dropped · rules from the config API" in summary
            assert view.TITLE == "Flows of compute1" and "Flows of compute1" in text_of(view, "header")
            # in colour: a drop's action and reason cells carry the theme's error colour, a pass the success one
            table = view.table
            cells = table.get_row_at(0)
            assert cells[0].plain == "drop" and "bold" in str(cells[0].style) and cells[4].plain
            assert table.get_row_at(table.row_count - 1)[0].plain == "pass"
            # `/` by protocol, address, port, VN, action
            for query, keep in (("icmp", lambda r: r.protocol == 1),
                                ("10.47.255.250", lambda r: "10.47.255.250" in (r.sip, r.dip)),
                                (r":22\b", lambda r: r.protocol == 6 and 22 in (r.src_port, r.dst_port)),
                                ("__unknown__", lambda r: "__UNKNOWN__" in (r.source_vn, r.dest_vn)),
                                ("drop", lambda r: r.dropped)):
                view.set_filter(query)
                await settle(pilot)
                kept = shown_flows(view)
                assert kept and all(keep(r) for r in kept), query
                assert len(kept) == sum(1 for r in flows if keep(r)), query
            view.set_filter("")
            await pilot.press("slash", *"10.47.255.250", "enter")
            await settle(pilot)
            assert view.filter_text == "10.47.255.250" and app.focused is view.table
            # the why panel follows the cursor: the seed's ICMP drop, in words
            await on_row(pilot, view, lambda row: seed_drop(row.item))
            panel = text_of(view, "detail-body")
            assert SEED_WHY in " ".join(panel.split()).replace("` ", "`")  # as wrapped on screen
            # enter: the whole chain and the flow's facts
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, WhyScreen)
            whole = str(app.screen.query_one("#why-body", Static).render())
            assert "firewall policy: DROPPED on the source interface by firewall policy" in whole
            assert "network policy: allowed" in whole and "vrouter compute1 · interface" in whole
            assert "R: the rule in the policy editor" in str(app.screen.query_one("#why-hint", Static).render())
            # R: that rule in the policy editor, the cursor on it
            await pilot.press("R")
            await settle(pilot, timeout=20)
            rules = app.screen
            assert isinstance(rules, RulesView)
            ref = rules.selected_row().item
            assert ref.uuid == "5eed0000-0000-4000-8000-000000000001" and ref.fq_name[-1] == "deny-icmp"
            assert "default-policy-management:policy1" in text_of(rules, "summary")
            # F on the rule: its live flows on every vrouter and its hits there
            await pilot.press("F")
            await settle(pilot, timeout=20)
            hits = app.screen
            assert isinstance(hits, RuleFlowsView)
            hit_summary = text_of(hits, "summary")
            assert "default-policy-management:policy1, rule 1 (label=cirros1 ↔ label=cirros2, icmp, deny)" in \
                hit_summary
            assert "hits: compute1 " in hit_summary
            live = [hits.all_rows[i].item for i in hits.shown]
            assert live and {h.vrouter for h in live} == {"compute1"}
            assert {(h.flow.src, h.flow.dst) for h in live} >= {("10.47.255.251", "10.47.255.250")}
            # enter on one: that flow in its vrouter's table, with its why
            await on_row(pilot, hits, lambda row: row.item.flow.src == "10.47.255.251")
            uuid = hits.selected_row().item.flow.uuid
            await pilot.press("enter")
            await settle(pilot, timeout=20)
            assert isinstance(app.screen, FlowsView) and app.screen.selected_row().item.uuid == uuid
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is hits


async def test_flows_of_an_interface_from_the_tree_and_the_interfaces_view(tmp_path):
    async with seeded(41) as (spec, traffic):
        app = app_for(spec)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            tree = app.screen.node_tree
            tree.select_name("compute1")
            await pilot.pause()
            await pilot.press("right")  # the vrouter's interfaces, from its agent
            for _ in range(100):
                await pilot.pause(0.05)
                if tree.cursor_node.children and tree.cursor_node.children[0].data is not None:
                    break
            await pilot.press("down")  # the first interface: cirros1
            assert tree.selected_interface.vm_name == "cirros1"
            await pilot.press("F")
            await settle(pilot, timeout=20)
            view = app.screen
            assert isinstance(view, FlowsView) and view.interface == tree.selected_interface.name
            assert view.TITLE == "Flows of cirros1 on compute1"
            flows = shown_flows(view)
            assert flows and all("10.47.255.251" in (r.sip, r.dip) for r in flows)
            assert any(seed_drop(r) for r in flows)
            assert "cirros1 10.47.255.251 on compute1" in text_of(view, "summary")
            await pilot.press("escape")
            await settle(pilot)
            # `:flows` takes the same selection; F on a node that is not a vrouter says what it needs
            await pilot.press("colon", *"flows", "enter")
            await settle(pilot, timeout=20)
            assert isinstance(app.screen, FlowsView) and app.screen.TITLE == "Flows of cirros1 on compute1"
            await pilot.press("escape")
            await settle(pilot)
            tree.select_name("ctrl1")
            await pilot.pause()
            await pilot.press("F")
            await settle(pilot)
            assert app.screen is tree.screen
            assert any("select a vrouter" in n.message for n in app._notifications)
            # the interfaces view: F on a row, esc back to it
            await pilot.press("i")
            await settle(pilot, timeout=20)
            vmis = app.screen
            assert isinstance(vmis, InterfacesView)
            await on_row(pilot, vmis, lambda row: row.item.vm_name == "cirros2")
            await pilot.press("F")
            await settle(pilot, timeout=20)
            view = app.screen
            assert isinstance(view, FlowsView) and view.TITLE == "Flows of cirros2 on compute1"
            assert all("10.47.255.250" in (r.sip, r.dip) for r in shown_flows(view))
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is vmis


async def test_live_refresh_shows_new_traffic_and_load_more_reads_past_the_cap(tmp_path):
    async with seeded(42, poll_interval=2, extra_flows=120) as (spec, traffic):
        app = app_for(spec)
        async with app.run_test(size=(80, 24)) as pilot:
            app.services.get("flow_service").page_cap = 1  # one page per read: the table is bigger
            view = await open_flows_from_the_tree(pilot)
            snap = view.feed.snapshot
            assert len(shown_flows(view)) == 100 and snap.next_key
            assert "the first 1 pages of a bigger table: m loads more" in text_of(view, "summary")
            await pilot.press("m")
            await settle(pilot, timeout=20)
            more = view.feed.snapshot
            assert len(more.flows) == 200 and {r.identity for r in snap.flows} < {r.identity for r in more.flows}
            while view.feed.snapshot.next_key:
                await pilot.press("m")
                await settle(pilot, timeout=20)
            total = len(view.feed.snapshot.flows)
            await pilot.press("m")
            await settle(pilot)
            assert any("nothing more to load" in n.message for n in app._notifications)
            # traffic an operator makes in a VM's shell appears by itself (live), read as far as loaded
            cirros2 = next(i for i in traffic.topo.interfaces if i.vm_name == "cirros2")
            version = view.feed.version
            VmShell(traffic.topo, cirros2, traffic).run("nc -z -w 1 10.47.255.251 7777")
            for _ in range(200):
                await pilot.pause(0.05)
                if any(r.dst_port == 7777 for r in shown_flows(view)):
                    break
            assert view.feed.version > version and len(view.feed.snapshot.flows) == total + 2
            assert any(r.dst_port == 7777 for r in shown_flows(view))
            # p pauses the live refresh
            await pilot.press("p")
            assert view.feed.paused and "PAUSED" in text_of(view, "header")


def test_flows_view_with_the_why_panel_80x24(snap_compare):
    app, setup = _snapshot_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=setup)


def test_why_chain_80x24(snap_compare):
    async def whole(pilot):
        await pilot.press("enter")
        await settle(pilot)

    app, setup = _snapshot_app(whole)
    assert snap_compare(app, terminal_size=(80, 24), run_before=setup)


def _snapshot_app(then=None):
    """An app whose flows view shows compute1 of a lab started on the app's own loop (traffic and app on fixed
    clocks), the cursor on the seed's ICMP drop; ``then`` goes on from there."""
    from tftui.services.flows import FlowService
    from tftui.services.policy import PolicyService

    stack = contextlib.AsyncExitStack()

    class SnapApp(TftuiApp):
        async def on_unmount(self) -> None:
            await super().on_unmount()
            await stack.aclose()

    async def setup(pilot):
        lab_spec, _ = await stack.enter_async_context(seeded(43, clock=lambda: FIXED))
        services = pilot.app.services
        services.provide("flow_service", FlowService(lab_spec))
        policy = PolicyService.from_cluster(lab_spec)
        stack.push_async_callback(policy.aclose)
        services.provide("policy_service", policy)
        pilot.app.open_view("flows", vrouter="compute1")
        await settle(pilot, timeout=20)
        await on_row(pilot, pilot.app.screen, lambda row: seed_drop(row.item))
        if then is not None:
            await then(pilot)

    # the app's own cluster: one config node (no poller traffic on screen); the lab's parts are provided
    spec = parse_cluster("lab", {"poll_interval": 600, "nodes": [{"name": "ctrl1", "address": "127.0.0.1",
                                                                   "roles": ["config"]}]}, "test")
    services = Services(spec, autopoll=False, clock=lambda: FIXED + 30)
    return SnapApp(spec, services=services, clock=lambda: FIXED + 30), setup
