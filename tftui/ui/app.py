"""The tftui application: header, node tree, detail pane, filter, footer; polling in a worker."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Static, Tree

from tftui.core.cluster import summary_line
from tftui.core.inventory import ClusterSpec
from tftui.core.status import Health
from tftui.services.heap import settle_heap
from tftui.services.poller import Poller
from tftui.services.poller_process import PollerProcess
from tftui.services.state import ClusterState

from .detail import DetailPane, age, render_detail
from .extensions import open_error
from .node_filter import compile_filter
from .node_tree import NodeTree
from .palette import TftuiCommands
from .screens import EventsScreen, RawScreen
from .styles import Palette
from .themes import load_themes

SETTLE_HEAP_NODES = 300
SETTLE_HEAP_EVERY = 30  # rounds


class StatusHeader(Static):
    DEFAULT_CSS = "StatusHeader { dock: top; height: 1; background: $panel; padding: 0 1; }"


class TftuiApp(App):
    TITLE = "tftui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {TftuiCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("slash", "filter", "Filter", id="app.filter"),
        Binding("ctrl+r", "refresh", "Refresh", id="app.refresh"),
        Binding("p", "pause", "Pause", id="app.pause"),
        Binding("e", "events", "Events", id="app.events"),
        Binding("y", "raw", "Raw XML", id="app.raw", show=False),
        Binding("i", "open_screen('vmi')", "VMIs", id="app.vmi"),
        Binding("s", "ssh", "SSH", id="app.ssh", show=False),
        Binding("f", "open_screen('policy')", "Policy", id="app.policy"),
        Binding("r", "open_screen('routes')", "Routes", id="app.routes"),
        Binding("colon", "command_palette", "Cmds", id="app.palette"),
    ]

    def __init__(self, spec: ClusterSpec, *, readonly: bool = False, theme: str | None = None,
                 poller: Poller | None = None, autopoll: bool = True, clock: Callable[[], float] = time.time,
                 extra_screens: dict | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.readonly = readonly
        self.clock = clock
        self.poller = poller or Poller(spec, clock=clock)
        self.cluster: ClusterState = self.poller.state
        self.autopoll = autopoll
        self.polling: Poller | PollerProcess = self.poller  # what refresh/pause/backoff talk to
        self._poller_error_shown = False
        self.theme_errors: list[str] = []
        self._requested_theme = theme or spec.theme or "tftui-dark"
        self.palette = Palette(None)
        if extra_screens is None:
            from .extensions import extra_screens as build_extra_screens

            extra_screens = build_extra_screens(spec, readonly)
        self.extra_screens = extra_screens
        self._vmi_service = None
        self._compute_shown: str | None = None
        self._settled_at_round = 0
        self._launcher = None
        self.on_exit_callbacks: list = []  # async closers of the services opened views created

    async def action_quit(self) -> None:
        for close in self.on_exit_callbacks:
            try:
                await close()
            except Exception:  # closing is best effort: the process is ending
                pass
        self.exit()

    # ------------------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status-header")
        with Horizontal(id="main"):
            yield NodeTree(self.cluster, self.palette, id="nodes")
            yield DetailPane(id="detail")
        yield Input(placeholder="filter: name, address, role or state; !x inverts; esc clears", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        themes, errors = load_themes()
        for t in themes:
            self.register_theme(t)
        self.theme_errors = errors
        if self._requested_theme in self.available_themes:
            self.theme = self._requested_theme
        else:
            self.notify(f"unknown theme {self._requested_theme!r}; using tftui-dark", severity="error")
            self.theme = "tftui-dark" if "tftui-dark" in self.available_themes else "textual-dark"
        for err in errors:
            self.notify(err, severity="error")
        self.palette = Palette(self.current_theme)
        tree = self.query_one(NodeTree)
        tree.palette = self.palette
        tree.rebuild()
        tree.focus()
        self.query_one("#filter", Input).display = False
        self.update_header()
        self.set_interval(0.5, self.flush)
        self.set_interval(1.0, self._tick)
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        if self.autopoll:
            self.start_polling()

    def _on_theme_changed(self, theme) -> None:
        self.palette = Palette(theme)
        tree = self.query_one(NodeTree)
        tree.palette = self.palette
        tree.relabel_all()
        self.show_selected()

    def start_polling(self) -> None:
        self.polling = PollerProcess(self.spec, self.cluster)
        self.polling.start()

    def on_unmount(self) -> None:
        if isinstance(self.polling, PollerProcess):
            self.polling.stop()

    def _tick(self) -> None:
        """Once a second: the header's poll age, and a dead poller reported."""
        self.update_header()
        error = self.polling.error if isinstance(self.polling, PollerProcess) else None
        if error and not self._poller_error_shown:
            self.notify(error, severity="error", timeout=10)
        self._poller_error_shown = bool(error)

    # ------------------------------------------------------------------------------ updates

    def flush(self) -> None:
        """Apply what the poller changed since the last flush: relabel those nodes, redraw the detail if shown."""
        changed = self.cluster.drain_changed()
        self._settle_heap_now_and_then()
        if not changed:
            return
        tree = self.query_one(NodeTree)
        tree.refresh_nodes(changed)
        if tree.selected_name in changed:
            self.show_selected()
        self.update_header()

    def _settle_heap_now_and_then(self) -> None:
        """On big clusters: freeze the heap after the first round and every few dozen rounds after, so full
        garbage collections (100-200 ms over thousands of results) happen then rather than mid-keystroke."""
        if len(self.spec.nodes) < SETTLE_HEAP_NODES:
            return
        rounds = self.cluster.rounds
        if rounds and (self._settled_at_round == 0 or rounds - self._settled_at_round >= SETTLE_HEAP_EVERY):
            self._settled_at_round = rounds
            settle_heap()

    def update_header(self) -> None:
        counts = self.cluster.counts()
        text = Text()
        text.append("tftui ", style="bold")
        text.append(f"│ {self.spec.name} │ ")
        worst = max(counts, default=Health.OK)
        text.append(summary_line(counts), style=self.palette.health.get(worst, ""))
        last = self.cluster.last_round_at
        if last:
            text.append(f" │ polled {age(self.clock() - last)} ago ({self.cluster.last_round_duration:.2f}s)")
        else:
            text.append(" │ polling…")
        if self.polling.paused:
            text.append(" │ PAUSED", style=self.palette.warn)
        if isinstance(self.polling, PollerProcess) and self.polling.error:
            text.append(" │ POLLER DOWN", style=self.palette.err)
        if self.readonly:
            text.append(" │ READ-ONLY", style=self.palette.err)
        self.query_one(StatusHeader).update(text)

    def _compute_detail_for(self, name: str | None) -> None:
        """A vrouter's container table and kernel module line over SSH, fetched once per selection."""
        if name == self._compute_shown:
            return
        self._compute_shown = name
        pane = self.query_one(DetailPane)
        result = self.cluster.results.get(name) if name else None
        ssh = self.spec.raw.get("ssh") if isinstance(self.spec.raw, dict) else None
        if result is None or "vrouter" not in result.roles or not (isinstance(ssh, dict) and ssh.get("compute")):
            pane.show_compute(None)
            return
        launcher = self._get_launcher()
        if launcher is None:
            pane.show_compute(None)
            return
        from .compute_detail import ComputeDetailPane

        pane.show_compute(ComputeDetailPane(launcher, result.address))

    def show_selected(self) -> None:
        name = self.query_one(NodeTree).selected_name
        self._compute_detail_for(name)
        result = self.cluster.results.get(name) if name else None
        health = self.cluster.health(name) if result is not None else Health.PENDING
        self.cluster.watch(name)
        backoff = self.polling.backoff_of(name) if name else 0.0
        self.query_one(DetailPane).show(render_detail(result, health, self.palette, self.clock(), backoff))

    @on(NodeTree.InterfacesWanted)
    def _interfaces_wanted(self, event: NodeTree.InterfacesWanted) -> None:
        self.fetch_interfaces(event.vrouter)

    @work(group="interfaces", exit_on_error=False)
    async def fetch_interfaces(self, vrouter: str) -> None:
        from tftui.clients.agent import AgentFetchError
        from tftui.services.vmis import VmiService

        from .vmi_screen import interface_label

        tree = self.query_one(NodeTree)
        if self._vmi_service is None:
            self._vmi_service = VmiService(self.spec)
        try:
            vmis = await self._vmi_service.interfaces_of(vrouter)
        except AgentFetchError as exc:
            tree.show_interfaces(vrouter, [], error=f"agent: {exc}")
            return
        tree.show_interfaces(vrouter, [(interface_label(v), v) for v in vmis])

    def action_ssh(self) -> None:
        """`s` on an interface line: a shell in that VM/pod through its compute."""
        vmi = self.query_one(NodeTree).selected_interface
        if vmi is None:
            self.notify("select an interface: expand a vrouter (→), or press i for all interfaces", timeout=4)
            return
        launcher = self._get_launcher()
        if launcher is not None:
            from .vmi_screen import launch_ssh

            launch_ssh(self, launcher, vmi)

    def _get_launcher(self):
        if self._launcher is None:
            from tftui.services.launcher import Launcher

            try:
                self._launcher = Launcher(self.spec)
            except Exception as exc:
                message = open_error(exc)
                if message is None:
                    raise
                self.notify(f"ssh: {message}", severity="error", timeout=10)
                return None
        return self._launcher

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.show_selected()

    # ------------------------------------------------------------------------------ actions

    def action_refresh(self) -> None:
        self.polling.refresh_now()
        self.notify("refreshing all nodes now", timeout=2)

    def action_pause(self) -> None:
        self.polling.set_paused(not self.polling.paused)
        self.update_header()
        self.notify("polling paused" if self.polling.paused else "polling resumed", timeout=2)

    def action_events(self) -> None:
        self.push_screen(EventsScreen(self.cluster))

    def action_raw(self) -> None:
        name = self.query_one(NodeTree).selected_name
        if not name or not self.cluster.results[name].polled:
            self.notify("select a polled node first", severity="warning")
            return
        self.push_screen(RawScreen(self.cluster.results[name]))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_toggle_view(self) -> None:
        self.query_one(NodeTree).action_toggle_view()

    def action_select_node(self, name: str) -> None:
        self.query_one(NodeTree).select_name(name)

    def action_open_screen(self, key: str) -> None:
        entry = self.extra_screens.get(key)
        if entry is None:
            self.notify(f"{key}: not configured for this cluster", severity="warning")
            return
        _title, factory = entry
        try:
            screen = factory(self)
        except Exception as exc:
            message = open_error(exc)
            if message is None:
                raise
            self.notify(f"{key}: {message}", severity="error", timeout=10)
            return
        self.push_screen(screen)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        tree = self.query_one(NodeTree)
        tree.matches = compile_filter(event.value, self.cluster)
        tree.rebuild()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.query_one(NodeTree).focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_one(NodeTree).focus()
