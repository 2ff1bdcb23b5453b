"""Run one command on several VMs/pods: ask for it, then show each one's output side by side;
ctrl+r runs it again."""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static

from tftui.clients.vmssh import RunResult
from tftui.core.agent import InvalidInput, Vmi
from tftui.services.feed import FetchFeed
from tftui.services.launcher import Launcher, check_command

from ..framework import ViewModal, ViewScreen
from ..framework.dialogs import modal_css
from ..framework.footer import Footer


class CommandPrompt(ViewModal[str | None]):
    CSS = modal_css("CommandPrompt")

    def __init__(self, targets: list[Vmi]):
        super().__init__()
        self.targets = targets

    def compose(self) -> ComposeResult:
        names = ", ".join(v.vm_name for v in self.targets[:4]) + (" …" if len(self.targets) > 4 else "")
        with Vertical():
            yield Static(Text(f"Run on {len(self.targets)} interface(s): {names}"))
            yield Input(placeholder="e.g. ip -o a   or   ping -c 3 172.31.10.140", id="command")
            yield Static(Text("enter to run, esc to cancel", style="dim"))
        yield Footer(show_command_palette=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            command = check_command(event.value)
        except InvalidInput as exc:
            self.notify(str(exc), severity="error")
            return
        self.dismiss(command)


class RunResultsView(ViewScreen):
    """One column per interface, each scrolling on its own; the run is this view's feed."""

    NAME = "run"
    TITLE = "Run command"
    PARENT = "interfaces"
    DEFAULT_CSS = """
    RunResultsView HorizontalScroll { height: 1fr; }
    RunResultsView .run-col { width: 1fr; min-width: 30; border: round $panel; }
    RunResultsView .run-head { height: auto; background: $boost; }
    """

    def __init__(self, services, launcher: Launcher, targets: list[Vmi], command: str):
        feed = FetchFeed(lambda: launcher.run(targets, command), f"$ {command}")
        super().__init__(services, feed=feed)
        self.launcher, self.targets, self.command = launcher, targets, command

    def compose_body(self) -> Iterator[Widget]:
        with HorizontalScroll():
            for i, v in enumerate(self.targets):
                with VerticalScroll(classes="run-col", id=f"run-col-{i}"):
                    yield Static(Text(f"{v.vm_name} ({v.metadata_ip} on {v.vrouter})", style="bold"),
                                 classes="run-head")
                    yield Static(Text("running…", style="dim"), id=f"run-out-{i}")

    def focus_body(self) -> None:
        self.query_one(HorizontalScroll).focus()

    def show(self, results: list[RunResult] | None) -> None:
        by_key = {(r.target.compute, r.target.metadata_ip): r for r in results or []}
        for i, v in enumerate(self.targets):
            r = by_key.get((v.vrouter_address, v.metadata_ip))
            text = Text()
            if self.feed.busy:
                text.append("running…", style="dim")
            elif r is None:
                text.append("no result", style="red")
            elif r.error:
                text.append(r.error, style="bold red")
            else:
                text.append(r.stdout)
                if r.stderr:
                    text.append(r.stderr, style="yellow")
                if r.exit_status:
                    text.append(f"\n[exit status {r.exit_status}]", style="red")
            self.query_one(f"#run-out-{i}", Static).update(text)

    def counts(self) -> str:
        return f"{len(self.targets)} interface(s)"
