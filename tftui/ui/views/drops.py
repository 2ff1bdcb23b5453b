"""`:drops NAME` (or `d` in `:vrf`) — a vrouter's drop counters (``KDropStatsReq``): every one that is not zero, its
rise and rate since the previous read, rising ones first and in colour, and what each counts. enter on ``Flow
Action Drop`` opens the live flows of that vrouter (`:flows`), where the flows that drop say why."""

from __future__ import annotations

from rich.text import Text

from tftui.core.vrouter.drops import DropRate
from tftui.services.network_state import VrouterSnapshot

from ..framework import Column, Row, Tone, register
from ..framework.registry import find
from .vrouter_parts import OneVrouterView, by_urgency

FLOWS_VIEW = "flows"  # the live flows view, when this build has it
FLOW_DROPS = "ds_flow_action_drop"  # the counter the flows' own drop reasons explain


@register
class DropsView(OneVrouterView):
    NAME = "drops"
    ALIASES = ("dropstats", "ds")
    TITLE = "Drops — a vrouter's drop counters"
    PARENT = "vrf"
    ITEMS = "counters"
    DETAIL_HEIGHT = 3
    DEFAULT_CSS = "DropsView .view-summary { text-wrap: nowrap; text-overflow: ellipsis; }"  # one line each
    COLUMNS = (
        Column("counter", "Counter", 20, priority=0, min_width=14),
        Column("value", "Count", 8, priority=0),
        Column("rate", "Per s", 7, priority=0),
        Column("delta", "Rise", 7, priority=2),
        Column("meaning", "What it counts", 50, priority=0, min_width=20, grow=True),
    )


    def rows(self, snap: VrouterSnapshot) -> list[Row]:
        return [Row(d.counter.field, self._cells(d), d, rank=2 if d.rising else 0) for d in by_urgency(snap.drops)]

    @staticmethod
    def _cells(d: DropRate) -> tuple:
        label = Tone(d.counter.label, "err") if d.rising else d.counter.label
        delta = "" if d.delta is None else Tone(f"+{d.delta}", "err") if d.delta else "0"
        rate = "" if d.rate is None else f"{d.rate:.1f}"
        return (label, str(d.value), rate, delta, d.counter.meaning)

    def summary(self, snap: VrouterSnapshot) -> Text:
        rising = [d for d in snap.drops if d.rising]
        text = Text()
        text.append(f"{snap.vrouter}: {len(snap.drops)} counters not zero", style="bold")
        if rising:
            text.append(f", {len(rising)} rising", style="bold red")
        sampled = any(d.delta is not None for d in snap.drops)
        text.append(" since the previous read" if sampled else " (rises from the next read on)", style="dim")
        if any(d.counter.field == FLOW_DROPS and d.rising for d in snap.drops):
            text.append("\nFlow Action Drop rises: enter on it shows the flows that drop and why", style="yellow")
        for what, why in snap.errors:
            if what == "drops":
                text.append(f"\n? {why}", style="yellow")
        return text

    def detail(self, row: Row) -> Text:
        d: DropRate = row.item
        text = Text(f"{d.counter.label} ({d.counter.field}): {d.value}", style="bold")
        text.append(f"\n{d.counter.meaning}")
        if d.counter.field == FLOW_DROPS:
            text.append("\nenter: the live flows of this vrouter, drops first", style="dim")
        return text

    def open(self, row: Row) -> None:
        d: DropRate = row.item
        if d.counter.field != FLOW_DROPS:
            self.notify(f"{d.counter.label}: {d.counter.meaning}", timeout=5)
            return
        flows = find(FLOWS_VIEW)
        if flows is None:
            self.notify("the live flows view (:flows) is not part of this tftui", severity="warning", timeout=5)
            return
        reason = self.services.unavailable(flows.SERVICE)
        if reason is not None:
            self.notify(f"{FLOWS_VIEW}: {reason}", severity="warning", timeout=8)
            return
        self.app.push_screen(flows(self.services, vrouter=self.vrouter))  # esc comes back to the counters
