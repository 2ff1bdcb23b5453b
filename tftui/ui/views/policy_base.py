"""What every config API list view shares: the tabs (`1`–`6`), the write flow (a draft, confirmed in the
operator's words with the requests one key away, then sent and reloaded), `--readonly` unbinding writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import work

from tftui.clients.configapi import ConfigApiError
from tftui.core.policy.validate import ValidationError
from tftui.services.policy import ConflictError, PolicyService, PolicyState, ReadOnlyError
from tftui.services.policy_drafts import Draft

from ..framework import ResourceView, bindings
from ..framework.dialogs import ConfirmScreen

LISTS = (("tags", "Tags"), ("ports", "Ports"), ("policies", "Policies"), ("sets", "App sets"),
         ("networks", "Networks"), ("bgp", "BGP peers"))
WRITES = frozenset({"new", "remove", "tag", "untag", "toggle_iff", "toggle_snat", "drafts", "up", "down"})
ERRORS = (ValidationError, ReadOnlyError, ConfigApiError, ConflictError)


class PolicyList(ResourceView):
    """What every config API list shares: the tabs, the write flow, read-only."""

    SERVICE = "policy"
    ACTIONS: ClassVar[frozenset[str]] = frozenset()  # the write keys this list offers
    API_TYPE: ClassVar[str] = ""  # the config API type of its rows, for `x` (a delete)
    BINDINGS = [*bindings(*(f"policy.{name}" for name, _ in LISTS)),
                *bindings("policy.new", "policy.remove", "policy.tag", "policy.untag", "policy.iff", "policy.snat",
                          "policy.drafts")]
    _announced: ClassVar[set[int]] = set()  # services whose pending drafts were announced

    @property
    def service(self) -> PolicyService:
        return self.services.get("policy_service")

    def on_mount(self) -> None:
        super().on_mount()
        service = self.service
        if id(service) not in self._announced:
            self._announced.add(id(service))
            if service.drafts.pending() and not service.readonly:
                self.notify(f"{len(service.drafts.pending())} unsent draft(s) from earlier: press D to review.",
                            timeout=8, markup=False)
            if service.drafts.load_error:
                self.notify(service.drafts.load_error, severity="warning", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITES:
            return not self.services.readonly and (action == "drafts" or action in self.ACTIONS)
        return super().check_action(action, parameters)

    def summary(self, state: PolicyState) -> Text:
        text = Text()
        for i, (name, title) in enumerate(LISTS, 1):
            current = name == self.NAME
            text.append(f"{i} {title}", style="bold reverse" if current else "dim")
            text.append("  ")
        pending = len(self.service.drafts.pending())
        if pending and not self.services.readonly:
            text.append(f"{pending} draft(s): D", style="bold yellow")
        return text

    def action_show_list(self, name: str) -> None:
        self.app.open_view(name)

    # ------------------------------------------------------------------ the write flow
    async def propose(self, make: Callable[[], Awaitable[Draft]]) -> bool:
        """Draft -> confirm in words -> guarded commit -> reload. True when it was written."""
        try:
            draft = await make()
        except ERRORS as exc:
            self.report_error(str(exc))
            return False
        return await self.review(draft)

    async def review(self, draft: Draft) -> bool:
        answer = await self.app.push_screen_wait(ConfirmScreen(draft.title, draft.summary(), draft.diff()))
        if answer == "discard":
            self.service.discard(draft)
            self.notify("Dropped; nothing was sent.", markup=False)
            return False
        if answer != "send":
            self.notify("Kept as a draft (D: drafts).", markup=False)
            return False
        try:
            await self.service.commit(draft)
        except ERRORS as exc:
            self.report_error(f"Not written, draft kept: {exc}")
            return False
        self.notify(f"Done: {draft.title}", markup=False)
        await self.feed.refresh()  # type: ignore[attr-defined]
        return True

    @work(name="drafts")
    async def action_drafts(self) -> None:
        from ..policy.drafts import DraftsScreen

        draft = await self.app.push_screen_wait(DraftsScreen(self.service))
        if draft is not None:
            await self.review(draft)

    @work(name="remove")
    async def action_remove(self) -> None:
        """`x`: delete the object under the cursor (refused by the API, with the reason, while referred)."""
        item = self.selected_item()
        if item is not None and self.API_TYPE:
            await self.propose(lambda: self.service.draft_delete(self.API_TYPE, item.uuid))

    def selected_item(self):
        row = self.selected_row()
        return row.item if row is not None else None
