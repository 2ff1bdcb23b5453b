"""An ordered list inside a config object — a firewall policy's rules, an application policy set's
policies — as one view: `n` adds, `x` removes, `K`/`J` move, each change confirmed and sent in order."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work

from tftui.core.flows.why import rule_text
from tftui.core.policy.models import TAG_TYPES, Aps, Policy, PolicyRef, Rule, fq_str
from tftui.services.policy import PolicyState

from ..framework import Column, Row, Tone, bindings
from ..framework.dialogs import PickerScreen
from .policy_base import PolicyList
from .rule_flows import RuleFlowsView


class MembersView(PolicyList):
    """The owner (by uuid) and its ordered members; subclasses say how to draw and draft them."""

    ACTIONS: ClassVar[frozenset[str]] = frozenset({"new", "remove", "up", "down"})
    BINDINGS = bindings("policy.up", "policy.down")

    def __init__(self, services, uuid: str, **kwargs: Any) -> None:
        super().__init__(services, **kwargs)
        self.uuid = uuid

    # what a kind of ordered list supplies
    def owner(self, st: PolicyState) -> Any | None:
        raise NotImplementedError

    def members(self, owner: Any) -> tuple[PolicyRef, ...]:
        raise NotImplementedError

    def member_cells(self, ref: PolicyRef, st: PolicyState) -> tuple:
        raise NotImplementedError

    async def draft_order(self, owner: Any, names: list[tuple[str, ...]], new: list[Rule] | None = None):
        raise NotImplementedError

    # the shared behaviour
    def rows(self, st: PolicyState) -> list[Row]:
        owner = self.owner(st)
        if owner is None:
            return []
        return [Row(str(i), self.member_cells(ref, st), ref) for i, ref in enumerate(self.members(owner))]

    def summary(self, st: PolicyState) -> Text:
        owner = self.owner(st)
        if owner is None:
            return Text("gone from the config API (deleted elsewhere?): esc goes back", style="bold red")
        return Text(f"{self.TITLE} {fq_str(owner.fq_name)}: {len(self.members(owner))}, first match wins by sequence")

    def names(self) -> list[tuple[str, ...]]:
        owner = self.owner(self.service.state)
        return [r.fq_name for r in self.members(owner)] if owner is not None else []

    async def write_order(self, names: list[tuple[str, ...]], new: list[Rule] | None = None) -> bool:
        owner = self.owner(self.service.state)
        return owner is not None and await self.propose(lambda: self.draft_order(owner, names, new))

    @work(name="remove")
    async def action_remove(self) -> None:
        names, i = self.names(), self.table.cursor_row
        if names and 0 <= i < len(names):
            await self.write_order(names[:i] + names[i + 1:])

    async def _move(self, delta: int) -> None:
        names, i = self.names(), self.table.cursor_row
        j = i + delta
        if names and 0 <= i < len(names) and 0 <= j < len(names):
            names[i], names[j] = names[j], names[i]
            if await self.write_order(names):
                self.table.move_cursor(row=j)

    @work(name="move up")
    async def action_up(self) -> None:
        await self._move(-1)

    @work(name="move down")
    async def action_down(self) -> None:
        await self._move(1)


class RulesView(MembersView):
    NAME = "rules"
    ITEMS = "rules"
    TITLE = "Rules of firewall policy"
    PARENT = "policies"
    BINDINGS = bindings("policy.flows")
    COLUMNS = (Column("seq", "Seq", 4, priority=0), Column("action", "Action", 6, priority=0),
               Column("service", "Service", 10, priority=1), Column("ep1", "Endpoint 1", 16, priority=0, grow=True),
               Column("dir", "Dir", 3, priority=0), Column("ep2", "Endpoint 2", 16, priority=0, grow=True),
               Column("match", "Match", 10, priority=2))

    def __init__(self, services, uuid: str, rule: str = "", **kwargs: Any) -> None:
        super().__init__(services, uuid, **kwargs)
        if rule:  # opened on one rule (a flow's why): the cursor goes there
            self.select_where(lambda row: row.item.uuid == rule)

    def owner(self, st: PolicyState) -> Policy | None:
        return next((p for p in st.policies if p.uuid == self.uuid), None)

    def summary(self, st: PolicyState) -> Text:
        text = super().summary(st)
        if self.owner(st) is not None:
            text.append(" · F: a rule's live flows", style="dim")
        return text

    def members(self, owner: Policy) -> tuple[PolicyRef, ...]:
        return owner.rules

    def action_flows(self) -> None:
        """`F`: the live flows that hit the rule under the cursor, and its hit count on each vrouter."""
        row, policy = self.selected_row(), self.owner(self.service.state)
        if row is None or policy is None:
            return
        reason = self.services.unavailable("flow_service")
        if reason is not None:
            self.notify(f"flows: {reason}", severity="warning", markup=False)
            return
        rule = self.service.rule_by_fq(row.item.fq_name)
        uuid = row.item.uuid or (rule.uuid if rule is not None else "")
        if not uuid:
            self.notify("this rule has no uuid yet (a draft?): no agent knows it", markup=False)
            return
        about = f"{fq_str(policy.fq_name)}, rule {int(row.key) + 1}"  # rows are keyed by position
        if rule is not None:
            about += f" ({rule_text(rule)})"
        self.app.push_screen(RuleFlowsView(self.services, policy.uuid, uuid, about))

    def member_cells(self, ref: PolicyRef, st: PolicyState) -> tuple:
        rule = self.service.rule_by_fq(ref.fq_name)
        if rule is None:
            return (ref.sequence, Tone("?", "err"), "", Tone(f"(missing rule {fq_str(ref.fq_name)})", "err"), "", "", "")
        return (ref.sequence, Tone(rule.action, "err" if rule.action == "deny" else "ok"), rule.service_text(),
                rule.endpoint_1.text(), rule.direction, rule.endpoint_2.text(), ",".join(rule.match_tags))

    async def draft_order(self, owner: Policy, names, new=None):
        return await self.service.draft_policy(owner.fq_name, names, uuid=owner.uuid, new_rules=new)

    def _candidates(self, policy: Policy):
        from ..policy.rule_form import Candidates

        st = self.service.state
        scope = policy.fq_name[:-1]
        if len(policy.fq_name) > 2:  # a project policy names global tags "global:type=value"
            tags = [f"global:{t.name}" if t.is_global else t.name for t in st.tags
                    if t.is_global or t.fq_name[:-1] == scope]
        else:
            tags = [t.name for t in st.tags if t.is_global]
        return Candidates(sorted(set(tags)), [fq_str(n.fq_name) for n in st.networks if not n.provider],
                          st.address_groups, st.service_groups, sorted(set(TAG_TYPES) | {t.type for t in st.tags}))

    @work(name="new rule")
    async def action_new(self) -> None:
        from ..policy.rule_form import RuleForm

        policy = self.owner(self.service.state)
        if policy is None:
            return
        rule = await self.app.push_screen_wait(RuleForm(policy.fq_name[:-1], self._candidates(policy)))
        if rule is not None:
            await self.write_order(self.names() + [rule.fq_name], [rule])

    @work(name="edit rule")
    async def open(self, row: Row) -> None:
        from ..policy.rule_form import RuleForm

        policy, old = self.owner(self.service.state), self.service.rule_by_fq(row.item.fq_name)
        if policy is None or old is None or self.services.readonly:
            return
        rule = await self.app.push_screen_wait(RuleForm(old.fq_name[:-1], self._candidates(policy), old))
        if rule is not None:
            await self.propose(lambda: self.service.draft_rule(rule, old.uuid))


class SetView(MembersView):
    NAME = "set"
    ITEMS = "policies"
    TITLE = "Policies of application policy set"
    PARENT = "sets"
    ACTIONS = MembersView.ACTIONS | {"tag"}
    COLUMNS = (Column("seq", "Seq", 4, priority=0), Column("policy", "Policy", 40, priority=0, grow=True),
               Column("rules", "Rules", 5, priority=0))

    def owner(self, st: PolicyState) -> Aps | None:
        return next((a for a in st.apss if a.uuid == self.uuid), None)

    def members(self, owner: Aps) -> tuple[PolicyRef, ...]:
        return owner.policies

    def member_cells(self, ref: PolicyRef, st: PolicyState) -> tuple:
        counts = {p.fq_name: len(p.rules) for p in st.policies}
        return (ref.sequence, fq_str(ref.fq_name), str(counts.get(ref.fq_name, "?")))

    def summary(self, st: PolicyState) -> Text:
        text = super().summary(st)
        aps = self.owner(st)
        if aps is not None:
            tags = ", ".join(aps.tags) or ("all applications" if aps.all_applications else "none")
            text.append(f"; tags: {tags}")
        return text

    async def draft_order(self, owner: Aps, names, new=None, tags: list[str] | None = None):
        return await self.service.draft_aps(owner, names, tags)

    @work(name="attach policy")
    async def action_new(self) -> None:
        aps = self.owner(self.service.state)
        if aps is None:
            return
        have, scoped = set(self.names()), len(aps.fq_name) > 2
        choices = [fq_str(p.fq_name) for p in self.service.state.policies
                   if p.fq_name not in have and (scoped or len(p.fq_name) <= 2)]
        choice = await self.app.push_screen_wait(PickerScreen("Attach a firewall policy (appended last)", choices))
        if choice:
            await self.write_order(self.names() + [tuple(choice.split(":"))])

    @work(name="application tag")
    async def action_tag(self) -> None:
        aps = self.owner(self.service.state)
        if aps is None:
            return
        if aps.all_applications:
            self.notify("The default set applies to all applications; it takes no tag.", markup=False)
            return
        choices = [t.name for t in self.service.state.tags if t.type == "application" and t.is_global]
        choice = await self.app.push_screen_wait(PickerScreen("Application tag of this set", choices))
        if choice:
            names = self.names()
            await self.propose(lambda: self.draft_order(aps, names, None, [choice]))

    def open(self, row: Row) -> None:
        policy = next((p for p in self.service.state.policies if p.fq_name == row.item.fq_name), None)
        if policy is not None:
            self.app.push_screen(RulesView(self.services, policy.uuid))
