"""`:events` — every state transition and poll error, oldest first; new ones are appended in place."""

from __future__ import annotations

from rich.text import Text

from tftui.core.humanize import clock
from tftui.services.state import ClusterState, Event

from ..framework import Column, ResourceView, Row, Tone, register

_RANK = {"error": 3, "first": 2}


def event_change(ev: Event) -> Tone:
    if ev.kind == "transition":
        bad = not ev.new.startswith(("active", "backup", "reachable"))
        return Tone(f"{ev.old} → {ev.new}", "warn" if bad else "ok")
    if ev.kind == "first":
        return Tone(f"first seen: {ev.new}", "warn")
    return Tone(ev.new, "err")


@register
class EventsView(ResourceView):
    NAME = "events"
    ALIASES = ("ev", "log", "transitions")
    TITLE = "Events — state transitions and errors"
    SERVICE = "cluster"
    FOLLOW_TAIL = True
    ITEMS = "events"
    PAGE = 5000  # the whole log (ClusterState keeps the last 5000) in one table: End is the newest event
    DETAIL_HEIGHT = 3  # the event under the cursor, whole: a change text can be longer than any screen
    COLUMNS = (
        Column("time", "Time", 8, priority=0),
        Column("node", "Node", 12, priority=0, min_width=8),
        Column("service", "Service", 16, priority=1, min_width=8),
        Column("change", "Change", 52, priority=0, min_width=24, grow=True),
    )

    def __init__(self, services, **kwargs) -> None:
        super().__init__(services, **kwargs)
        self._seen = -1

    def show(self, state: ClusterState) -> None:
        if state.events_total != self._seen:  # the cluster feed changes per node result; the log far less
            self._seen = state.events_total
            super().show(state)

    def rows(self, state: ClusterState) -> list[Row]:
        events = list(state.events)
        first = state.events_total - len(events)
        return [Row(str(first + i), (clock(ev.at), ev.node, ev.service or "(node)", event_change(ev)), ev,
                    rank=_RANK.get(ev.kind, 1 if ev.kind == "transition" else 0)) for i, ev in enumerate(events)]

    def detail(self, row: Row) -> Text:
        ev: Event = row.item
        change = event_change(ev)
        text = Text(f"{clock(ev.at)}  {ev.node}  {ev.service or '(node)'}\n", style="bold")
        text.append(change.text, style="red" if change.tone == "err" else "yellow" if change.tone == "warn" else "")
        return text

    def open(self, row: Row) -> None:
        self.app.show_node(row.item.node)  # enter: that node, in the tree
