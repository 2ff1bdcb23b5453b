"""The main view: every node in a tree by role (or flat), the selected node's contrail-status and NodeStatus,
a role group's health, a vrouter's interfaces (→) and its compute's containers (over SSH)."""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text
from textual import on, work
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Tree

from tftui.core.analytics.alarms import Alarm
from tftui.core.analytics.nodes import NodeIndex, alarms_by_node, mark_of
from tftui.core.cluster import summary_line
from tftui.core.groups import group_summary
from tftui.core.humanize import age
from tftui.core.pretty import pretty_xml
from tftui.core.status import Health
from tftui.services.feed import Feed
from tftui.services.heap import settle_heap
from tftui.services.registry import Unavailable

from ..compute_detail import compute_detail_text
from ..detail import DetailPane, render_detail, render_group
from ..framework import ViewScreen, bindings, register
from ..node_filter import node_matcher
from ..node_tree import NodeTree
from ..styles import Palette

SETTLE_HEAP_NODES = 300
SETTLE_HEAP_EVERY = 30  # rounds


@register
class NodesScreen(ViewScreen):
    NAME = "nodes"
    ALIASES = ("no", "node", "tree")
    TITLE = "Nodes"
    SERVICE = "cluster"
    BINDINGS = [*bindings("view.worst", "nodes.ssh", "nodes.history", "nodes.flows", "nodes.vrouter_state",
                          "nodes.introspect"),
                *bindings("app.events", "app.interfaces", "app.routes", "app.policy", show=True, to_app=True),
                *bindings("app.quit", show=True, to_app=True)]
    DEFAULT_CSS = """
    NodesScreen #main { height: 1fr; }
    NodesScreen #nodes { width: 34; min-width: 24; max-width: 50%; border-right: vkey $panel;
                         scrollbar-size-vertical: 1; }
    NodesScreen #detail { width: 1fr; scrollbar-size-vertical: 1; }
    """

    def __init__(self, services, **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.cluster = services.cluster.state
        self.palette = Palette(None)
        self._settled_at_round = 0
        self._detail_of: object = None  # what the detail pane shows (a result, a group), to redraw on change
        self._compute_feed: Feed | None = None
        self._alarms: dict[str, tuple[Alarm, ...]] = {}  # node -> its unacknowledged alarms (analytics)
        self._node_index = NodeIndex((n.name, n.address) for n in services.spec.nodes)
        # status from more than introspect: the detail pane says where each state came from, and how old it is
        self._sources = services.spec.status_source != "introspect"

    def compose_body(self) -> Iterator[Widget]:
        self.palette = Palette.for_theme(self.app.current_theme)
        with Horizontal(id="main"):
            yield NodeTree(self.cluster, self.palette, id="nodes")
            yield DetailPane(id="detail")

    @property
    def node_tree(self) -> NodeTree:
        return self.query_one(NodeTree)

    def focus_body(self) -> None:
        self.node_tree.focus()

    def on_mount(self) -> None:
        self.set_palette(Palette.for_theme(self.app.current_theme))
        self.node_tree.focus()
        super().on_mount()
        self.app.theme_changed_signal.subscribe(self, lambda theme: self.set_palette(Palette.for_theme(theme)))
        if self.services.unavailable("alarms") is None:  # analytics deployed: bells on the nodes with alarms
            alarms = self.services.feed("alarms")
            self.watch_feed(alarms, lambda: self._alarms_changed(alarms))

    def _alarms_changed(self, feed: Feed) -> None:
        """New alarms: bells in the tree, the selected node's in the detail pane. A failed look changes nothing
        here and says nothing (the alarms view shows the error): an analytics outage is not the tree's news."""
        snap = feed.snapshot
        if snap is None:
            return
        alarms = alarms_by_node(snap.alarms, self._node_index)
        if alarms == self._alarms:
            return
        self._alarms = alarms
        self.node_tree.set_alarm_marks({node: mark_of(group) for node, group in alarms.items()})
        self.show_selected(force=True)

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        if not self.query(NodeTree):  # the theme can change before the tree is composed: it takes it then
            return
        tree = self.node_tree
        tree.palette = palette
        if tree.root.children:
            tree.relabel_all()
        else:
            tree.rebuild()
        self.show_selected(force=True)
        self.update_status()

    # ------------------------------------------------------------------ the feed
    def show(self, state) -> None:
        """Relabel the nodes whose state changed; redraw the detail if what it shows changed."""
        changed = state.drain_changed()
        self._settle_heap_now_and_then()
        if changed:
            self.node_tree.refresh_nodes(changed)
        self.show_selected()

    def _settle_heap_now_and_then(self) -> None:
        """On big clusters: freeze the heap after the first round and every few dozen rounds after, so full
        garbage collections (100-200 ms over thousands of results) happen then rather than mid-keystroke."""
        if len(self.services.spec.nodes) < SETTLE_HEAP_NODES:
            return
        rounds = self.cluster.rounds
        if rounds and (self._settled_at_round == 0 or rounds - self._settled_at_round >= SETTLE_HEAP_EVERY):
            self._settled_at_round = rounds
            settle_heap()

    def header_text(self) -> Text:
        counts = self.cluster.counts()
        text = Text()
        text.append("tftui ", style="bold")
        text.append(f"│ {self.services.spec.name} │ ")
        text.append(summary_line(counts), style=self.palette.health.get(max(counts, default=Health.OK), ""))
        last = self.cluster.last_round_at
        if last:
            text.append(f" │ polled {age(self.services.clock() - last)} ago ({self.cluster.last_round_duration:.2f}s)")
        else:
            text.append(" │ polling…")
        if self.feed.paused:
            text.append(" │ PAUSED", style=self.palette.warn)
        if self.services.cluster.down:
            text.append(" │ POLLER DOWN", style=self.palette.err)
        if self.services.readonly:
            text.append(" │ READ-ONLY", style=self.palette.err)
        return text

    def counts(self) -> str:
        shown = sum(len(tree.shown_names) for tree in self.query(NodeTree).results(NodeTree))
        return f"{shown}/{len(self.cluster.results)} nodes"

    def _tick(self) -> None:
        super()._tick()
        self.update_header()
        name = self.node_tree.selected_name
        if name and (self._sources or self.services.cluster.backoff_of(name)):
            self.show_selected(force=True)  # "next try in" counts down; the evidence's age counts up

    # ------------------------------------------------------------------ the detail pane
    def show_selected(self, force: bool = False) -> None:
        tree, pane = self.node_tree, self.query_one(DetailPane)
        group = tree.selected_group
        if group is not None:
            name, members = group
            summary = group_summary(name, [self.cluster.results[n] for n in members],
                                    lambda r: self.cluster.health(r.name), self.cluster.last_answered,
                                    self.services.clock(), self.cluster.analytics_expected)
            if force or summary != self._detail_of:
                self._detail_of = summary
                pane.show(render_group(summary, self.palette))
            self._show_compute(None)
            return
        name = tree.selected_name
        self.cluster.watch(name)  # a poller in its own process sends this node's whole replies
        result = self.cluster.results.get(name) if name else None
        if not force and result is self._detail_of:
            return
        self._detail_of = result
        health = self.cluster.health(name) if result is not None else Health.PENDING
        backoff = self.services.cluster.backoff_of(name) if name else 0.0
        pane.show(render_detail(result, health, self.palette, self.services.clock(), backoff,
                                self._alarms.get(name, ()) if name else (), self._sources))
        self._show_compute(result)

    def _show_compute(self, result) -> None:
        """A vrouter's container table and kernel module line, over SSH when ``ssh.compute`` is configured."""
        wanted = result is not None and "vrouter" in result.roles and self.services.spec.ssh.compute_configured
        feed = None
        if wanted:
            try:
                feed = self.services.feed(f"compute:{result.address}")
            except Unavailable as exc:
                self.report_error(f"ssh: {exc}")
        if feed is self._compute_feed:
            return
        if self._compute_feed is not None:
            self.unwatch_feed(self._compute_feed)
        self._compute_feed = feed
        pane = self.query_one(DetailPane)
        if feed is None:
            pane.show_compute(None)
            return
        pane.show_compute(Text(f"{result.address}: asking the compute over SSH…", style="dim"))
        self.watch_feed(feed, lambda: self._compute_changed(feed))

    def _compute_changed(self, feed: Feed) -> None:
        if feed is self._compute_feed and feed.snapshot is not None:
            self.query_one(DetailPane).show_compute(compute_detail_text(feed.snapshot))
        elif feed is self._compute_feed and feed.error:
            self.query_one(DetailPane).show_compute(Text(feed.error, style="red"))

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.show_selected()

    # ------------------------------------------------------------------ interfaces under a vrouter
    @on(NodeTree.InterfacesWanted)
    def _interfaces_wanted(self, event: NodeTree.InterfacesWanted) -> None:
        self.fetch_interfaces(event.vrouter)

    @work(group="interfaces", name="agent interfaces")
    async def fetch_interfaces(self, vrouter: str) -> None:
        from tftui.clients.agent import AgentFetchError

        from .interfaces import interface_label

        try:
            vmis = await self.services.get("vmi_service").interfaces_of(vrouter)
        except (AgentFetchError, Unavailable) as exc:
            self.node_tree.show_interfaces(vrouter, [], error=f"agent: {exc}")
            return
        self.node_tree.show_interfaces(vrouter, [(interface_label(v), v) for v in vmis])

    def action_history(self) -> None:
        """`h`: the selected node's state changes, analytics' and the poller's, in one timeline."""
        name = self.node_tree.selected_name
        if name is None:
            self.notify("select a node first", timeout=3)
            return
        self.app.open_view("history", node=name)

    def action_ssh(self) -> None:
        """`s` on an interface line: a shell in that VM/pod through its compute."""
        vmi = self.node_tree.selected_interface
        if vmi is None:
            self.notify("select an interface: expand a vrouter (→), or press i for all interfaces", timeout=4)
            return
        from .interfaces import launch_ssh

        try:
            launcher = self.services.get("launcher")
        except Unavailable as exc:
            self.report_error(f"ssh: {exc}")
            return
        launch_ssh(self.app, launcher, vmi)

    def action_flows(self) -> None:
        """`F` on a vrouter or one of its interfaces: its live flows."""
        vmi = self.node_tree.selected_interface
        result = self.app.selected_result()
        if result is None or "vrouter" not in result.roles:
            self.notify("select a vrouter, or one of its interfaces (→ expands a vrouter)", timeout=4)
            return
        self.app.open_view("flows", vrouter=result.name, interface=vmi.name if vmi is not None else None)

    # ------------------------------------------------------------------ keys
    def filter_changed(self) -> None:
        tree = self.node_tree
        tree.matches = node_matcher(self.filter_text, self.cluster)
        tree.rebuild()
        self.update_status()

    def action_toggle_view(self) -> None:
        self.node_tree.action_toggle_view()

    def action_worst_first(self) -> None:
        self.node_tree.worst_first = not self.node_tree.worst_first
        self.node_tree.rebuild()
        self.notify("worst first" if self.node_tree.worst_first else "in the inventory's order", timeout=2)

    def select_node(self, name: str) -> bool:
        return self.node_tree.select_name(name)

    def raw_text(self) -> tuple[str, str] | None:
        name = self.node_tree.selected_name
        result = self.cluster.results.get(name) if name else None
        if result is None or not result.polled:
            return None
        parts = []
        for s in result.services:
            if s.evidence != "introspect":
                continue
            parts.append(f"<!-- {s.key} :{s.port} — {s.status} -->")
            parts.append(pretty_xml(s.raw) if s.raw else f"<!-- no body: {s.reason} -->")
        return f"raw introspect — {result.name}", "\n".join(parts) or "no introspect replies"

    def action_raw(self) -> None:
        if self.raw_text() is None:
            self.notify("select a polled node first", severity="warning")
            return
        super().action_raw()
