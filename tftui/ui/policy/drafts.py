"""Unsent drafts (kept from a cancelled review, a refused write or an earlier run): send or drop them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tftui.services.policy import PolicyService
from tftui.services.policy_drafts import Draft

from ..framework import ViewModal, bindings
from ..framework.dialogs import modal_css
from ..framework.footer import Footer


class DraftsScreen(ViewModal[Draft | None]):
    CSS = modal_css("DraftsScreen")
    BINDINGS = bindings("modal.close", "modal.drop")

    def __init__(self, service: PolicyService):
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Unsent drafts: enter reviews and sends, x removes", classes="title")
            yield OptionList(id="drafts")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        for d in self.service.drafts.pending():
            label = Text(d.title)
            if d.error:
                label.append(f"\n  {d.error}", style="red")
            ol.add_option(Option(label, id=d.id))
        if ol.option_count:
            ol.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.service.drafts.drafts.get(event.option.id or ""))

    def action_drop(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is None or not ol.option_count:
            return
        draft_id = ol.get_option_at_index(ol.highlighted).id or ""
        self.service.drafts.drop(draft_id)
        self._fill()

