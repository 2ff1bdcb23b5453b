"""The policy editor in a bare app, and Pilot helpers that wait for its workers and modals."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import WorkerState

from tftui.services.policy import PolicyService
from tftui.ui.policy import PolicyScreen
from tftui.ui.policy.modals import ConfirmDiffScreen


class PolicyApp(App):
    def __init__(self, service: PolicyService):
        super().__init__()
        self.service = service

    def on_mount(self) -> None:
        self.push_screen(PolicyScreen(self.service))


async def settle(pilot, timeout: float = 8.0) -> None:
    """Until every worker is done or one waits on a modal (which waits for keys)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        await pilot.pause(0.02)
        # a worker of a screen under the top one waits for that screen to close: not busy
        running = [w for w in pilot.app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   and w.node is pilot.app.screen]
        if not running or isinstance(pilot.app.screen, ModalScreen):
            await pilot.pause()
            return
    raise AssertionError(f"still busy after {timeout}s: {running}")


async def confirm(pilot, expect: str = "") -> str:
    await settle(pilot)
    screen = pilot.app.screen
    notes = [n.message for n in pilot.app._notifications]
    notes += [str(w.content) for w in screen.query("#error")]
    notes += [f"{w.id}={getattr(w, 'value', '')!r}" for w in screen.query("Input, Select")]
    assert isinstance(screen, ConfirmDiffScreen), f"expected a diff to confirm, got {screen!r}; {notes}"
    diff = str(screen.query_one("#diff", Static).content)
    assert expect in diff, diff
    await pilot.press("y")
    await settle(pilot)
    return diff


async def keys(pilot, *ks: str) -> None:
    await pilot.press(*ks)
    await settle(pilot)


async def filter_rows(pilot, text: str) -> None:
    await keys(pilot, "slash")
    await pilot.press("end", "ctrl+u", *text, "enter")
    await settle(pilot)
