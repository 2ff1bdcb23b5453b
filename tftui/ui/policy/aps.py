"""One application policy set: its application tag and its firewall policies, in order."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tftui.clients.configapi import ConfigApiError
from tftui.core.policy.models import Aps, fq_str
from tftui.services.policy import PolicyService

from .flow import propose
from .modals import PickerScreen

WRITES = {"attach", "detach", "up", "down", "set_tag"}


class ApsScreen(Screen):
    TITLE = "Application policy set"
    CSS = "ApsScreen DataTable { height: 1fr; }"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "attach", "Attach policy"),
        Binding("x", "detach", "Detach"),
        Binding("K,shift+up", "up", "Move up"),
        Binding("J,shift+down", "down", "Move down"),
        Binding("t", "set_tag", "App tag"),
    ]

    def __init__(self, service: PolicyService, aps_uuid: str):
        super().__init__()
        self.service = service
        self.aps_uuid = aps_uuid

    @property
    def aps(self) -> Aps:
        return next(a for a in self.service.state.apss if a.uuid == self.aps_uuid)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="title")
        yield DataTable(id="policies", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("SEQ", "POLICY", "RULES")
        self.render_aps()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in WRITES and self.service.readonly)

    def render_aps(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        counts = {p.fq_name: len(p.rules) for p in self.service.state.policies}
        for i, ref in enumerate(self.aps.policies):
            table.add_row(Text(ref.sequence), Text(fq_str(ref.fq_name)), Text(str(counts.get(ref.fq_name, "?"))),
                          key=str(i))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        tags = ", ".join(self.aps.tags) or ("all applications" if self.aps.all_applications else "none")
        self.query_one("#title", Static).update(Text(f"Application policy set {fq_str(self.aps.fq_name)}; tags: {tags}"))

    async def _write(self, names: list[tuple[str, ...]], tags: list[str] | None = None) -> bool:
        aps = self.aps
        written = await propose(self, self.service, lambda: self.service.draft_aps(aps, names, tags))
        if written:
            try:
                await self.service.load_security()
            except ConfigApiError as exc:
                self.notify(str(exc), severity="error", markup=False)
            self.render_aps()
        return written

    def _names(self) -> list[tuple[str, ...]]:
        return [r.fq_name for r in self.aps.policies]

    @work
    async def action_attach(self) -> None:
        have = set(self._names())
        scoped = len(self.aps.fq_name) > 2
        choices = [fq_str(p.fq_name) for p in self.service.state.policies
                   if p.fq_name not in have and (scoped or len(p.fq_name) <= 2)]
        choice = await self.app.push_screen_wait(PickerScreen("Attach a firewall policy (appended last)", choices))
        if choice:
            await self._write(self._names() + [tuple(choice.split(":"))])

    @work
    async def action_detach(self) -> None:
        names = self._names()
        if names:
            i = self.query_one(DataTable).cursor_row
            await self._write(names[:i] + names[i + 1:])

    async def _move(self, delta: int) -> None:
        names = self._names()
        table = self.query_one(DataTable)
        i, j = table.cursor_row, table.cursor_row + delta
        if names and 0 <= j < len(names):
            names[i], names[j] = names[j], names[i]
            if await self._write(names):
                table.move_cursor(row=j)

    @work
    async def action_up(self) -> None:
        await self._move(-1)

    @work
    async def action_down(self) -> None:
        await self._move(1)

    @work
    async def action_set_tag(self) -> None:
        if self.aps.all_applications:
            self.notify("The default set applies to all applications; it takes no tag.", markup=False)
            return
        choices = [t.name for t in self.service.state.tags if t.type == "application" and t.is_global]
        choice = await self.app.push_screen_wait(PickerScreen("Application tag of this set", choices))
        if choice:
            await self._write(self._names(), [choice])

    def action_back(self) -> None:
        self.dismiss(None)
