"""One firewall policy's ordered rule table: add, edit, remove and reorder rules."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tftui.clients.configapi import ConfigApiError
from tftui.core.policy.models import TAG_TYPES, Policy, Rule, fq_str
from tftui.services.policy import PolicyService

from .flow import propose
from .rule_form import Candidates, RuleForm

WRITES = {"add", "edit", "remove", "up", "down"}


class PolicyRulesScreen(Screen):
    TITLE = "Firewall policy rules"
    CSS = "PolicyRulesScreen DataTable { height: 1fr; }"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "add", "Add rule"),
        Binding("e", "edit", "Edit"),
        Binding("x", "remove", "Remove"),
        Binding("K,shift+up", "up", "Move up"),
        Binding("J,shift+down", "down", "Move down"),
    ]

    def __init__(self, service: PolicyService, policy_uuid: str):
        super().__init__()
        self.service = service
        self.policy_uuid = policy_uuid

    @property
    def policy(self) -> Policy:
        return next(p for p in self.service.state.policies if p.uuid == self.policy_uuid)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="title")
        yield DataTable(id="rules", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("SEQ", "ACTION", "SERVICE", "ENDPOINT 1", "DIR", "ENDPOINT 2", "MATCH")
        self.render_rules()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in WRITES and self.service.readonly)

    def rules(self) -> list[tuple[str, Rule | None]]:
        out = []
        for ref in self.policy.rules:
            out.append((ref.sequence, self.service.rule_by_fq(ref.fq_name)))
        return out

    def render_rules(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for i, (seq, rule) in enumerate(self.rules()):
            if rule is None:
                cells = (seq, "?", "", f"(missing rule {fq_str(self.policy.rules[i].fq_name)})", "", "", "")
            else:
                cells = (seq, rule.action, rule.service_text(), rule.endpoint_1.text(), rule.direction,
                         rule.endpoint_2.text(), ",".join(rule.match_tags))
            table.add_row(*[Text(str(c)) for c in cells], key=str(i))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one("#title", Static).update(Text(f"Policy {fq_str(self.policy.fq_name)}: "
                                                     f"{len(self.policy.rules)} rule(s), first match wins by sequence"))

    async def _refresh(self) -> None:
        try:
            await self.service.load_security()
        except ConfigApiError as exc:
            self.notify(str(exc), severity="error", markup=False)
        self.render_rules()

    def _candidates(self) -> Candidates:
        st = self.service.state
        scope = self.policy.fq_name[:-1]
        if len(self.policy.fq_name) > 2:  # a project policy names global tags "global:type=value"
            tags = [f"global:{t.name}" if t.is_global else t.name for t in st.tags
                    if t.is_global or t.fq_name[:-1] == scope]
        else:
            tags = [t.name for t in st.tags if t.is_global]
        return Candidates(sorted(set(tags)), [fq_str(n.fq_name) for n in st.networks if not n.provider],
                          st.address_groups, st.service_groups,
                          sorted(set(TAG_TYPES) | {t.type for t in st.tags}))

    def _names(self) -> list[tuple[str, ...]]:
        return [r.fq_name for r in self.policy.rules]

    async def _write_order(self, names: list[tuple[str, ...]], new_rules: list[Rule] | None = None) -> None:
        policy = self.policy
        if await propose(self, self.service, lambda: self.service.draft_policy(
                policy.fq_name, names, uuid=policy.uuid, new_rules=new_rules)):
            await self._refresh()

    @work
    async def action_add(self) -> None:
        rule = await self.app.push_screen_wait(RuleForm(self.policy.fq_name[:-1], self._candidates()))
        if rule is not None:
            await self._write_order(self._names() + [rule.fq_name], [rule])

    @work
    async def action_edit(self) -> None:
        rows = self.rules()
        i = self.query_one(DataTable).cursor_row
        if not rows or rows[i][1] is None:
            return
        old = rows[i][1]
        assert old is not None
        rule = await self.app.push_screen_wait(RuleForm(old.fq_name[:-1], self._candidates(), old))
        if rule is not None and await propose(self, self.service, lambda: self.service.draft_rule(rule, old.uuid)):
            await self._refresh()

    @work
    async def action_remove(self) -> None:
        names = self._names()
        if names:
            i = self.query_one(DataTable).cursor_row
            await self._write_order(names[:i] + names[i + 1:])

    async def _move(self, delta: int) -> None:
        names = self._names()
        table = self.query_one(DataTable)
        i, j = table.cursor_row, table.cursor_row + delta
        if not names or not 0 <= j < len(names):
            return
        names[i], names[j] = names[j], names[i]
        await self._write_order(names)
        table.move_cursor(row=j)

    @work
    async def action_up(self) -> None:
        await self._move(-1)

    @work
    async def action_down(self) -> None:
        await self._move(1)

    def action_back(self) -> None:
        self.dismiss(None)
