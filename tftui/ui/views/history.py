"""`:history` (`h` on a node) — one node's state changes in one timeline: what its daemons told analytics
(their NodeStatusUVE object logs, over the last hour) beside what tftui's own poller saw change. Without an
analytics API it is the poller's events alone, and says so."""

from __future__ import annotations

from rich.text import Text

from tftui.core.analytics.nodes import node_status_summary, object_types_for
from tftui.core.analytics.results import LogLine, message_fields
from tftui.core.humanize import clock
from tftui.services.analytics import LogSnapshot
from tftui.services.analytics_feeds import node_history_feed
from tftui.services.feed import Feed
from tftui.services.state import ClusterState, Event

from ..framework import Column, ResourceView, Row, Tone, register
from .events import event_change
from .logs import log_detail, log_key

LAST = "1h"


@register
class NodeHistoryView(ResourceView):
    NAME = "history"
    ALIASES = ("hist", "statehistory")
    TITLE = "State history of a node"
    SERVICE = "cluster"
    ITEMS = "changes"
    FOLLOW_TAIL = True
    PAGE = 5000
    DETAIL_HEIGHT = 4
    COLUMNS = (
        Column("time", "Time", 8, priority=0),
        Column("from", "From", 9, priority=1),
        Column("service", "Service", 18, priority=0, min_width=10),
        Column("change", "Change", 30, priority=0, min_width=24, grow=True),
    )

    def __init__(self, services, node: str | None = None, **kwargs) -> None:
        super().__init__(services, **kwargs)
        nodes = services.spec.nodes
        spec = next((n for n in nodes if n.name == node), nodes[0] if nodes else None)
        self.node = spec.name if spec is not None else (node or "")
        self.object_types = object_types_for(spec.roles) if spec is not None else ()
        self.history: Feed | None = None
        self._shown_for: tuple = ()
        self._summaries: dict[str, str] = {}
        self._history_error: str | None = None

    @classmethod
    def default_params(cls, app) -> dict:
        """Opened by name: the node selected in the tree."""
        result = app.selected_result()
        return {"node": result.name} if result is not None else {}

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.node}", style="bold")
        return text

    def on_mount(self) -> None:
        super().on_mount()
        if self.object_types and self.services.unavailable("analytics_service") is None:
            feed = node_history_feed(self.services.get("analytics_service"), self.node, self.object_types, LAST)
            self.history = feed
            self.watch_feed(feed, self._history_changed)

    def _history_changed(self) -> None:
        error = self.history.error if self.history is not None else None
        if error and error != self._history_error:  # once: the feed republishes its error while busy
            self.report_error(f"analytics: {error}")
        self._history_error = error
        self.show(self.feed.snapshot)

    def action_refresh(self) -> None:
        super().action_refresh()
        if self.history is not None:
            self.history.refresh_soon()

    # ------------------------------------------------------------------ rows
    def show(self, state: ClusterState | None) -> None:
        version = self.history.version if self.history is not None else 0
        seen = (state.events_total if state is not None else -1, version)
        if seen != self._shown_for:  # the cluster feed changes per node result; this node's history far less
            self._shown_for = seen
            super().show(state)

    def _summary_of(self, ln: LogLine) -> str:
        key = log_key(ln)
        said = self._summaries.get(key)
        if said is None:
            xml = ln.raw.get("ObjectLog") or ln.raw.get("Xmlmessage") or ""
            fields = message_fields(str(xml)) if xml else {}
            said = self._summaries[key] = node_status_summary(fields, ln.module) if fields else ln.text
        return said

    def rows(self, state: ClusterState | None) -> list[Row]:
        timeline: list[tuple[float, Row]] = []
        if state is not None:
            events = list(state.events)
            first = state.events_total - len(events)
            for i, ev in enumerate(events):
                if ev.node == self.node:
                    change = event_change(ev)
                    timeline.append((ev.at, Row(f"poller|{first + i}", (clock(ev.at), "poller",
                                                                       ev.service or "(node)", change), ev,
                                                rank=2 if change.tone != "ok" else 0)))
        snap: LogSnapshot | None = self.history.snapshot if self.history is not None else None
        for ln in snap.lines if snap is not None else ():
            said = self._summary_of(ln)
            bad = "Non-Functional" in said or " EXITED" in said or " STOPPED" in said or " FATAL" in said
            timeline.append((ln.timestamp / 1e6, Row(f"analytics|{log_key(ln)}", (
                clock(ln.timestamp / 1e6), "analytics", ln.module, Tone(said, "warn" if bad else "ok")), ln,
                rank=2 if bad else 0)))
        timeline.sort(key=lambda pair: pair[0])
        return [row for _, row in timeline]

    def summary(self, state: ClusterState | None) -> Text:
        text = Text(f"{self.node}: ", style="bold")
        if self.history is None:
            why = "no analytics API on this cluster" if self.object_types else "a node without TF daemons"
            text.append(f"the poller's events only ({why})", style="dim")
        else:
            snap = self.history.snapshot
            said = (f"{len(snap.lines)} report(s) to analytics in the last {LAST}" if snap is not None
                    else "asking analytics…")
            text.append(f"{said}, and the poller's events", style="dim")
        return text

    def detail(self, row: Row) -> Text:
        item = row.item
        if isinstance(item, LogLine):
            return log_detail(item)
        ev: Event = item
        text = Text(f"{clock(ev.at)}  {ev.node}  {ev.service or '(node)'}  seen by tftui's poller\n", style="bold")
        text.append(event_change(ev).text)
        return text

    def raw(self, row: Row) -> str | None:
        if isinstance(row.item, LogLine):
            return row.item.line
        return super().raw(row)
