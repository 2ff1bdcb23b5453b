"""`:interfaces` (`:vmi`) — every VM/pod interface of the cluster; `s` logs into one, `!` runs a command on the
marked ones. Interactive SSH is the system OpenSSH client under ``App.suspend()`` (the user's ssh config,
agent and known_hosts apply); where the terminal cannot be handed over the command is shown to copy."""

from __future__ import annotations

import subprocess

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tftui.core.agent import InvalidInput, Vmi
from tftui.services.launcher import Launcher
from tftui.services.registry import Unavailable
from tftui.services.vmis import VmiSnapshot

from ..framework import Column, ResourceView, Row, Tone, ViewModal, bindings, register
from ..framework.dialogs import modal_css
from .path import PathView


def interface_label(vmi: Vmi) -> Text:
    """One interface as a line (node tree children): VM name, IP, metadata IP; markup-safe."""
    text = Text()
    text.append(vmi.vm_name or vmi.name, style="bold")
    text.append(f"  {vmi.ip}  ")
    text.append(vmi.metadata_ip, style="cyan")
    if not vmi.active:
        text.append("  inactive", style="red")
    return text


def launch_ssh(app, launcher: Launcher, vmi: Vmi, spawn=subprocess.call) -> None:
    """Hand the terminal to the system OpenSSH; come back intact. Where the terminal cannot be handed over
    (``textual serve``, a headless test), show the exact command to copy."""
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


class CommandLineScreen(ViewModal[None]):
    """The ssh command to run in a terminal of one's own."""

    CSS = modal_css("CommandLineScreen") + "CommandLineScreen #cmd { background: $boost; padding: 0 1; }"

    def __init__(self, vmi: Vmi, command: str, why: str):
        super().__init__()
        self.vmi, self.command, self.why = vmi, command, why

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.why} Run this in a terminal to log into {self.vmi.vm_name}:"))
            yield Static(Text(self.command), id="cmd")
            yield Static(Text("esc to close", style="dim"))


def _key(v: Vmi) -> str:
    return f"{v.vrouter}/{v.name}"


@register
class InterfacesView(ResourceView):
    NAME = "interfaces"
    ALIASES = ("vmi", "vmis", "itf", "ssh")
    TITLE = "Interfaces — every VM/pod interface"
    SERVICE = "interfaces"
    ITEMS = "interfaces"
    BINDINGS = bindings("interfaces.ssh", "interfaces.mark", "interfaces.run", "interfaces.flows", "interfaces.path")
    COLUMNS = (
        Column("mark", "", 1, priority=0, min_width=1),
        Column("vm", "VM", 16, priority=0, min_width=10),
        Column("ip", "IP", 15, priority=0),
        Column("meta", "Metadata IP", 15, priority=1),
        Column("state", "State", 8, priority=0),
        Column("vrouter", "vrouter", 12, priority=2),
        Column("vn", "VN", 14, priority=3),
        Column("itf", "Interface", 14, priority=4, grow=True),
    )

    def __init__(self, services, spawn=subprocess.call, **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.spawn = spawn
        self.marked: set[str] = set()

    def rows(self, snap: VmiSnapshot) -> list[Row]:
        return [Row(_key(v), lambda v=v: self._cells(v), v, rank=0 if v.active else 2) for v in snap.vmis]

    def _cells(self, v: Vmi) -> tuple:
        return ("●" if _key(v) in self.marked else "", v.vm_name, v.ip, v.metadata_ip,
                Tone("active", "ok") if v.active else Tone("inactive", "err"), v.vrouter, v.vn_short, v.name)

    def summary(self, snap: VmiSnapshot) -> Text | None:
        if not snap.errors:
            return None
        names = ", ".join(sorted(snap.errors))
        return Text(f"{len(snap.errors)} of {snap.vrouters} vrouter(s) unreadable: {names}", style="bold red")

    def counts(self) -> str:
        text = super().counts()
        return text + (f" · {len(self.marked)} marked" if self.marked else "")

    def _launcher(self) -> Launcher | None:
        try:
            return self.services.get("launcher")
        except Unavailable as exc:
            self.report_error(f"ssh: {exc}")
            return None

    def action_ssh(self) -> None:
        row = self.selected_row()
        launcher = self._launcher() if row is not None else None
        if row is not None and launcher is not None:
            launch_ssh(self.app, launcher, row.item, self.spawn)

    def action_path(self) -> None:
        """T: the path of this interface's /32 through the vrouter, the control nodes and the router."""
        row = self.selected_row()
        if row is not None:
            self.app.push_screen(PathView(self.services, pod=row.item.ip))  # esc comes back here

    def action_flows(self) -> None:
        """`F`: the live flows of the interface under the cursor."""
        row = self.selected_row()
        if row is not None:
            self.app.open_view("flows", vrouter=row.item.vrouter, interface=row.item.name)

    def action_mark(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        self.marked ^= {row.key}
        self.sync_page()
        self.table.action_cursor_down()
        self.update_status()

    def selection(self) -> list[Vmi]:
        marked = [r.item for r in self.all_rows if r.key in self.marked]
        row = self.selected_row()
        return marked or ([row.item] if row is not None else [])

    def action_run_command(self) -> None:
        targets = self.selection()
        launcher = self._launcher() if targets else None
        if launcher is None:
            return
        from .run_command import CommandPrompt, RunResultsView

        def got(command: str | None) -> None:
            if command:
                self.app.push_screen(RunResultsView(self.services, launcher, targets, command))

        self.app.push_screen(CommandPrompt(targets), got)
