"""The policy views in the real app over the test's PolicyService, and Pilot helpers for their dialogs."""

from __future__ import annotations

from textual.widgets import Static

from helpers.ui_apps import settle, view_app
from tftui.services.policy import PolicyService
from tftui.ui.framework.dialogs import ConfirmScreen


def policy_app(service: PolicyService, view: str = "tags"):
    return view_app(view, {"policy_service": service}, readonly=service.readonly)


async def confirm(pilot, expect: str = "") -> str:
    """On the confirm dialog: check the change (its words and its requests) mentions ``expect``, send it."""
    await settle(pilot)
    screen = pilot.app.screen
    notes = [n.message for n in pilot.app._notifications]
    notes += [str(w.content) for w in screen.query("#error")]
    notes += [f"{w.id}={getattr(w, 'value', '')!r}" for w in screen.query("Input, Select")]
    assert isinstance(screen, ConfirmScreen), f"expected a change to confirm, got {screen!r}; {notes}"
    text = str(screen.query_one("#summary", Static).content) + "\n" + str(screen.query_one("#raw-diff", Static).content)
    assert expect in text, text
    await pilot.press("enter")
    await settle(pilot)
    return text


async def keys(pilot, *ks: str) -> None:
    await pilot.press(*ks)
    await settle(pilot)


async def filter_rows(pilot, text: str) -> None:
    await keys(pilot, "slash")
    await pilot.press("end", "ctrl+u", *text, "enter")
    await settle(pilot)
