"""`:alarms` — analytics' alarms, one sentence each, the unacknowledged ones (`H`: the acknowledged too);
`a` acknowledges the one under the cursor after a confirmation in words (not offered with --readonly)."""

from __future__ import annotations

import json

from rich.text import Text
from textual import work

from tftui.clients.analytics import AnalyticsError
from tftui.core.analytics.alarms import CRITICAL, MAJOR, MINOR, Alarm
from tftui.core.analytics.nodes import NodeIndex
from tftui.core.analytics.uve import NODE_TYPES
from tftui.core.humanize import age, clock
from tftui.services.analytics import AlarmsSnapshot, NotConfirmedError, ReadOnlyError

from ..framework import Column, ResourceView, Row, Tone, bindings, register
from ..framework.dialogs import ConfirmScreen

SEVERITY_TONES = {CRITICAL: "err", MAJOR: "warn", MINOR: "accent"}
_RANK = {CRITICAL: 3, MAJOR: 2, MINOR: 1}


def ack_request(alarm: Alarm) -> str:
    """The exact request `a` sends, for the confirmation's `y`."""
    body = {"table": alarm.table, "name": alarm.name, "type": alarm.type, "token": alarm.token}
    return "POST /analytics/alarms/acknowledge\n" + json.dumps(body, indent=2)


@register
class AlarmsView(ResourceView):
    NAME = "alarms"
    ALIASES = ("alarm", "al")
    TITLE = "Alarms — analytics"
    SERVICE = "alarms"
    ITEMS = "alarms"
    DETAIL_HEIGHT = 4
    BINDINGS = bindings("alarms.ack", "alarms.acked")
    COLUMNS = (
        Column("severity", "Severity", 8, priority=0),
        Column("node", "Node/object", 14, priority=0, min_width=8),
        Column("type", "UVE type", 14, priority=3),
        Column("alarm", "Alarm", 34, priority=0, min_width=24, grow=True),
        Column("time", "Since", 8, priority=1),
        Column("ack", "Ack", 3, priority=2),
    )

    def __init__(self, services, **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.show_acked = False

    def rows(self, snap: AlarmsSnapshot) -> list[Row]:
        shown = snap.alarms if self.show_acked else snap.unacknowledged
        return [Row(f"{a.table}/{a.name}/{a.type}",
                    (Tone(a.severity_name, SEVERITY_TONES.get(a.severity_name, "warn")), a.name, a.table, a.sentence,
                     clock(a.timestamp / 1e6) if a.timestamp else "-", Tone("ack", "dim") if a.ack else ""),
                    a, search=f"{a.severity_name} {a.name} {a.table} {a.short_type} {a.sentence} "
                              f"{'acknowledged' if a.ack else 'unacknowledged'}",
                    rank=0 if a.ack else _RANK.get(a.severity_name, 1)) for a in shown]

    def summary(self, snap: AlarmsSnapshot) -> Text:
        unacked = snap.unacknowledged
        text = Text()
        by = {s: sum(1 for a in unacked if a.severity_name == s) for s in (CRITICAL, MAJOR, MINOR)}
        text.append(f"{len(unacked)} unacknowledged", style="bold" if unacked else "green")
        for severity, count in by.items():
            if count:
                text.append(f"  {count} {severity}", style="bold red" if severity == CRITICAL else
                            "bold yellow" if severity == MAJOR else "cyan")
        acked = len(snap.alarms) - len(unacked)
        text.append(f"  ·  {acked} acknowledged" + (" (shown)" if self.show_acked else " (H shows them)"),
                    style="dim")
        if snap.partial:
            text.append("\npartial data: some analytics partitions did not answer", style="bold yellow")
        return text

    def detail(self, row: Row) -> Text:
        a: Alarm = row.item
        text = Text()
        text.append(f"{a.severity_name} ", style="bold red" if a.severity_name == CRITICAL else "bold yellow")
        text.append(f"{a.table} {a.name}", style="bold")
        text.append(f"  {a.short_type}", style="dim")
        if a.timestamp:
            text.append(f"  since {clock(a.timestamp / 1e6)} ({age(self.services.clock() - a.timestamp / 1e6)} ago)",
                        style="dim")
        text.append("  acknowledged" if a.ack else "  not acknowledged", style="dim" if a.ack else "bold")
        text.append(f"\n{a.sentence}")
        if a.description:
            text.append(f"\n{a.description}", style="dim")
        return text

    def open(self, row: Row) -> None:
        """enter: the alarm's node, in the tree."""
        a: Alarm = row.item
        node = NodeIndex((n.name, n.address) for n in self.services.spec.nodes).find(a.name)
        if a.table in NODE_TYPES and node is not None:
            self.app.show_node(node)
        else:
            self.notify(f"{a.table} {a.name} is not a node of the inventory", timeout=3, markup=False)

    # ------------------------------------------------------------------ keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "acknowledge":
            return not self.services.readonly  # a write: not offered at all under --readonly
        return super().check_action(action, parameters)

    def action_toggle_acked(self) -> None:
        self.show_acked = not self.show_acked
        if self.feed.snapshot is not None:
            self.show(self.feed.snapshot)
        self.notify("acknowledged alarms shown too" if self.show_acked else "unacknowledged alarms only", timeout=2)

    @work(name="acknowledge", group="acknowledge", exclusive=True)
    async def action_acknowledge(self) -> None:
        row = self.selected_row()
        if row is None:
            self.notify("no alarm selected", timeout=3)
            return
        alarm: Alarm = row.item
        if alarm.ack:
            self.notify("already acknowledged", timeout=3)
            return
        summary = [alarm.sentence, f"{alarm.severity_name} · {alarm.table} {alarm.name} · {alarm.short_type}",
                   "",
                   "Acknowledging tells analytics an operator has seen it: it leaves the unacknowledged list "
                   "(and the node's bell) until it clears and is raised again."]
        answer = await self.app.push_screen_wait(ConfirmScreen(
            f"Acknowledge this {alarm.severity_name} alarm on {alarm.name}?", summary, ack_request(alarm),
            hint="enter acknowledges · esc cancels · y: the request"))
        if answer != "send":
            self.notify("Not acknowledged; nothing was sent.", timeout=3, markup=False)
            return
        try:
            after = await self.services.get("analytics_service").acknowledge(alarm, confirmed=True)
        except (AnalyticsError, ReadOnlyError, NotConfirmedError) as exc:
            self.report_error(f"not acknowledged: {exc}")
            return
        self.feed.publish(after)  # the fresh alarms, for every view that watches them (the tree's bells too)
        now = after.find(alarm.id)
        if now is not None and not now.ack:
            self.notify(f"the server still shows it unacknowledged: {alarm.sentence}", severity="warning",
                        markup=False)
        else:
            self.notify(f"Acknowledged: {alarm.sentence}", markup=False)
