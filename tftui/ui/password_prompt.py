"""Ask the operator for an SSH password inside the TUI; the answer goes straight to the caller, nowhere else."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PasswordScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PasswordScreen { align: center middle; }
    PasswordScreen > Vertical { width: 60; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.message, markup=False)
            yield Input(password=True, id="password")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value
        event.input.value = ""
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def make_prompt(app: App) -> Callable[[str], Awaitable[str | None]]:
    """A password callback for RouterClient/RouterMonitor that works from any task of the app's loop."""

    async def prompt(message: str) -> str | None:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

        def done(value: str | None) -> None:
            if not future.done():
                future.set_result(value)

        app.push_screen(PasswordScreen(message), callback=done)
        return await future

    return prompt
