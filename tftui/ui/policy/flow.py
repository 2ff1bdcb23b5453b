"""The one write flow every editor screen uses: draft -> diff -> confirm -> guarded commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.screen import Screen

from tftui.clients.configapi import ConfigApiError
from tftui.core.policy.validate import ValidationError
from tftui.services.policy import ConflictError, PolicyService, ReadOnlyError
from tftui.services.policy_drafts import Draft

from .modals import ConfirmDiffScreen

ERRORS = (ValidationError, ReadOnlyError, ConfigApiError, ConflictError)


async def review_and_send(screen: Screen, service: PolicyService, draft: Draft) -> bool:
    """Show the draft's diff; on yes, commit it. True when it was written."""
    answer = await screen.app.push_screen_wait(ConfirmDiffScreen(draft.title, draft.diff()))
    if answer == "discard":
        service.discard(draft)
        screen.notify("Dropped; nothing was sent.", markup=False)
        return False
    if answer != "send":
        screen.notify("Kept as a draft (D: drafts).", markup=False)
        return False
    try:
        await service.commit(draft)
    except ERRORS as exc:
        screen.notify(f"Not written, draft kept: {exc}", severity="error", timeout=10, markup=False)
        return False
    screen.notify(f"Done: {draft.title}", markup=False)
    return True


async def propose(screen: Screen, service: PolicyService, make: Callable[[], Awaitable[Draft]]) -> bool:
    try:
        draft = await make()
    except ERRORS as exc:
        screen.notify(str(exc), severity="error", timeout=8, markup=False)
        return False
    return await review_and_send(screen, service, draft)
