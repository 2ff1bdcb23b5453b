"""`:vmi` — every VM/pod interface of the cluster; `s` logs into one, `x` runs a command on several.

The screen renders what the services give it and calls them for every action; it does no I/O of its
own. Interactive SSH is the system OpenSSH client run under ``App.suspend()`` so the user's ssh config,
agent and known_hosts apply; where the terminal cannot be handed over (``textual serve``) the exact
command is shown to copy instead.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from tftui.core.agent import InvalidInput, Vmi
from tftui.services.launcher import Launcher
from tftui.services.vmis import VmiService, matches

from .vmi_results import CommandScreen, ResultsScreen

COLUMNS = ("", "VM", "IP", "Metadata IP", "vrouter", "VN", "Interface", "State")


def interface_label(vmi: Vmi) -> Text:
    """One interface as a line (node tree children): VM name, IP, metadata IP; markup-safe."""
    text = Text()
    text.append(vmi.vm_name or vmi.name, style="bold")
    text.append(f"  {vmi.ip}  ")
    text.append(vmi.metadata_ip, style="cyan")
    if not vmi.active:
        text.append("  inactive", style="red")
    return text


async def vrouter_interfaces(service: VmiService, vrouter: str) -> list[tuple[Text, Vmi]]:
    """For a node tree that expands lazily: (label, data) per interface of ``vrouter``.
    Raises tftui.clients.agent.AgentFetchError with a readable reason when the agent cannot be read."""
    return [(interface_label(v), v) for v in await service.interfaces_of(vrouter)]


def launch_ssh(app, launcher: Launcher, vmi: Vmi, spawn=subprocess.call) -> None:
    """Hand the terminal to the system OpenSSH (user's config, agent, known_hosts apply); come back intact.
    Where the terminal cannot be handed over (``textual serve``), show the exact command to copy."""
    try:
        argv = launcher.ssh_argv(vmi)
    except InvalidInput as exc:
        app.notify(f"cannot log into {vmi.vm_name}: {exc}", severity="error")
        return
    command = launcher.command_line(vmi)
    if app.is_web:
        app.push_screen(CommandLineScreen(vmi, command, "This UI runs in a browser."))
        return
    try:
        with app.suspend():
            print(f"tftui: {command}", flush=True)
            rc = spawn(argv)
    except Exception as exc:  # SuspendNotSupported, or ssh missing (FileNotFoundError)
        if isinstance(exc, FileNotFoundError):
            app.notify("the OpenSSH client (ssh) is not installed", severity="error")
            return
        app.push_screen(CommandLineScreen(vmi, command, "This terminal cannot be handed over."))
        return
    app.refresh(layout=True)
    if rc == 255:
        app.notify(f"ssh to {vmi.vm_name} failed (exit 255: connection or host key problem)", severity="error")
    elif rc:
        app.notify(f"ssh to {vmi.vm_name} ended with exit status {rc}", severity="warning")


class CommandLineScreen(ModalScreen[None]):
    """Under `textual serve` the terminal cannot be handed to ssh: show the command to copy."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    CommandLineScreen { align: center middle; }
    CommandLineScreen > Vertical { width: 90%; height: auto; border: round $accent; padding: 0 1;
                                    background: $surface; }
    CommandLineScreen #cmd { background: $boost; padding: 0 1; }
    """

    def __init__(self, vmi: Vmi, command: str, why: str):
        super().__init__()
        self.vmi, self.command, self.why = vmi, command, why

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.why} Run this in a terminal to log into {self.vmi.vm_name}:"))
            yield Static(Text(self.command), id="cmd")
            yield Static(Text("esc to close", style="dim"))


class VmiScreen(Screen[None]):
    """Constructed with the interface service and the launcher, both built from the ClusterSpec."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("s", "ssh", "SSH"),
        Binding("x", "run_command", "Run cmd"),
        Binding("space", "mark", "Mark", show=True),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
    ]
    DEFAULT_CSS = """
    VmiScreen #vmi-status { height: 1; padding: 0 1; background: $boost; }
    VmiScreen #vmi-filter { display: none; height: 3; }
    VmiScreen #vmi-filter.shown { display: block; }
    VmiScreen DataTable { height: 1fr; }
    """

    def __init__(self, service: VmiService, launcher: Launcher,
                 spawn: Callable[[list[str]], int] = subprocess.call, **kwargs):
        super().__init__(**kwargs)
        self.service, self.launcher, self.spawn = service, launcher, spawn
        self.vmis: tuple[Vmi, ...] = ()
        self.shown: list[Vmi] = []
        self.marked: set[tuple[str, str]] = set()
        self.filter_text = ""
        self.errors: dict[str, str] = {}
        self._refill: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("loading interfaces…"), id="vmi-status")
        yield Input(placeholder="filter: VM name, IP or VN (enter to apply, esc to clear)", id="vmi-filter")
        table: DataTable = DataTable(id="vmi-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_refresh()

    # ---------------------------------------------------------------- data

    @work(exclusive=True, group="vmi-load")
    async def action_refresh(self) -> None:
        self._status(Text("loading interfaces…"))
        snap = await self.service.refresh()
        self.vmis, self.errors = snap.vmis, snap.errors
        self._fill()

    def _key(self, vmi: Vmi) -> tuple[str, str]:
        return (vmi.vrouter, vmi.name)

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        self.shown = [v for v in self.vmis if matches(v, self.filter_text)]
        table.clear()
        for v in self.shown:
            mark = "●" if self._key(v) in self.marked else ""
            state = Text("active", style="green") if v.active else Text("inactive", style="red")
            table.add_row(mark, Text(v.vm_name), Text(v.ip), Text(v.metadata_ip), Text(v.vrouter), Text(v.vn_short),
                          Text(v.name), state, key=f"{v.vrouter}/{v.name}")
        self._update_status()

    def _update_status(self) -> None:
        text = Text(f"{len(self.shown)}/{len(self.vmis)} interfaces")
        if self.filter_text:
            text.append(f"  filter: {self.filter_text}", style="yellow")
        if self.marked:
            text.append(f"  {len(self.marked)} marked")
        if self.errors:
            names = ", ".join(sorted(self.errors))
            text.append(f"  {len(self.errors)} vrouter(s) unreadable: {names}", style="red")
        self._status(text)

    def _status(self, text: Text) -> None:
        self.query_one("#vmi-status", Static).update(text)

    def current(self) -> Vmi | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row is None or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def selection(self) -> list[Vmi]:
        marked = [v for v in self.vmis if self._key(v) in self.marked]
        if marked:
            return marked
        cur = self.current()
        return [cur] if cur else []

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        box = self.query_one("#vmi-filter", Input)
        box.add_class("shown")
        box.value = self.filter_text
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "vmi-filter":
            self.filter_text = event.value
            # refilling thousands of rows per keystroke lags typing: refill once typing pauses
            if self._refill is not None:
                self._refill.stop()
            self._refill = self.set_timer(0.15, self._fill)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "vmi-filter":
            if self._refill is not None:
                self._refill.stop()
                self._refill = None
            self._fill()
            self.query_one(DataTable).focus()

    def action_back(self) -> None:
        box = self.query_one("#vmi-filter", Input)
        if box.has_class("shown") or self.filter_text:
            box.remove_class("shown")
            box.value = ""
            self.filter_text = ""
            self._fill()
            self.query_one(DataTable).focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_mark(self) -> None:
        cur = self.current()
        if cur is None:
            return
        self.marked ^= {self._key(cur)}
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.update_cell_at((row, 0), "●" if self._key(cur) in self.marked else "")
        table.move_cursor(row=min(row + 1, len(self.shown) - 1))
        self._update_status()

    # ---------------------------------------------------------------- launch

    def action_ssh(self) -> None:
        vmi = self.current()
        if vmi is not None:
            launch_ssh(self.app, self.launcher, vmi, self.spawn)

    def action_run_command(self) -> None:
        targets = self.selection()
        if not targets:
            return

        def got(command: str | None) -> None:
            if command:
                self.app.push_screen(ResultsScreen(self.launcher, targets, command))

        self.app.push_screen(CommandScreen(targets), got)

