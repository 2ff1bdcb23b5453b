"""Run-command: ask for one command line, then show each interface's output side by side."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from tftui.core.agent import InvalidInput, Vmi
from tftui.services.launcher import Launcher, check_command


class CommandScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    CommandScreen { align: center middle; }
    CommandScreen > Vertical { width: 80%; height: auto; border: round $accent; padding: 0 1; background: $surface; }
    """

    def __init__(self, targets: list[Vmi]):
        super().__init__()
        self.targets = targets

    def compose(self) -> ComposeResult:
        names = ", ".join(v.vm_name for v in self.targets[:4]) + (" …" if len(self.targets) > 4 else "")
        with Vertical():
            yield Static(Text(f"Run on {len(self.targets)} interface(s): {names}"))
            yield Input(placeholder="e.g. ip -o a   or   ping -c 3 172.31.10.140", id="command")
            yield Static(Text("enter to run, esc to cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            command = check_command(event.value)
        except InvalidInput as exc:
            self.notify(str(exc), severity="error")
            return
        self.dismiss(command)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResultsScreen(Screen[None]):
    """One column per interface; each column scrolls on its own."""

    BINDINGS = [Binding("escape,q", "close", "Back"), Binding("r", "rerun", "Run again")]
    DEFAULT_CSS = """
    ResultsScreen #run-title { height: 1; padding: 0 1; background: $boost; }
    ResultsScreen HorizontalScroll { height: 1fr; }
    ResultsScreen .run-col { width: 1fr; min-width: 30; border: round $panel; }
    ResultsScreen .run-head { height: auto; background: $boost; }
    """

    def __init__(self, launcher: Launcher, targets: list[Vmi], command: str):
        super().__init__()
        self.launcher, self.targets, self.command = launcher, targets, command

    def compose(self) -> ComposeResult:
        yield Static(Text(f"$ {self.command}"), id="run-title")
        with HorizontalScroll():
            for i, v in enumerate(self.targets):
                with VerticalScroll(classes="run-col", id=f"col-{i}"):
                    yield Static(Text(f"{v.vm_name} ({v.metadata_ip} on {v.vrouter})", style="bold"),
                                 classes="run-head")
                    yield Static(Text("running…", style="dim"), id=f"out-{i}")
        yield Footer()

    def on_mount(self) -> None:
        self.action_rerun()

    @work(exclusive=True, group="run-command")
    async def action_rerun(self) -> None:
        for i in range(len(self.targets)):
            self.query_one(f"#out-{i}", Static).update(Text("running…", style="dim"))
        results = await self.launcher.run(self.targets, self.command)
        by_key = {(r.target.compute, r.target.metadata_ip): r for r in results}
        for i, v in enumerate(self.targets):
            r = by_key.get((v.vrouter_address, v.metadata_ip))
            text = Text()
            if r is None:
                text.append("no result", style="red")
            elif r.error:
                text.append(r.error, style="bold red")
            else:
                text.append(r.stdout)
                if r.stderr:
                    text.append(r.stderr, style="yellow")
                if r.exit_status:
                    text.append(f"\n[exit status {r.exit_status}]", style="red")
            self.query_one(f"#out-{i}", Static).update(text)

    def action_close(self) -> None:
        self.app.pop_screen()
