"""Secondary screens of the node view: the events log and a node's raw introspect replies."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static, TextArea

from tftui.core.cluster import NodeResult
from tftui.core.pretty import pretty_xml
from tftui.services.state import ClusterState


def clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))


class EventsScreen(Screen):
    """Every state transition and poll error, oldest first; new ones are appended in place."""

    BINDINGS = [
        Binding("escape,e", "app.pop_screen", "Back", id="events.back"),
        Binding("end", "scroll_end", "Newest", id="events.newest"),
    ]

    def __init__(self, state: ClusterState) -> None:
        super().__init__()
        self.cluster = state
        self._shown_total = 0

    def compose(self) -> ComposeResult:
        yield Static("Events — state transitions and errors", id="events-title")
        yield DataTable(id="events-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("time", "node", "service", "change")
        self._append_new()
        self.set_interval(1.0, self._append_new)

    def _append_new(self) -> None:
        table = self.query_one(DataTable)
        new = self.cluster.events_total - self._shown_total
        if new <= 0:
            return
        events = list(self.cluster.events)[-min(new, len(self.cluster.events)):]
        at_end = table.cursor_row >= table.row_count - 1
        for ev in events:
            if ev.kind == "transition":
                change = Text(f"{ev.old} → {ev.new}")
            elif ev.kind == "first":
                change = Text(f"first seen: {ev.new}")
            else:
                change = Text(ev.new, style="bold red")
            table.add_row(clock(ev.at), Text(ev.node), Text(ev.service or "(node)"), change)
        self._shown_total = self.cluster.events_total
        if at_end:
            table.move_cursor(row=table.row_count - 1)

    def action_scroll_end(self) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.row_count - 1))


class RawScreen(ModalScreen):
    """The raw introspect replies of one node, indented; malformed ones shown as received."""

    BINDINGS = [Binding("escape,y,q", "app.pop_screen", "Close", id="raw.close")]
    DEFAULT_CSS = """
    RawScreen { align: center middle; }
    RawScreen > TextArea { width: 95%; height: 90%; border: round $primary; }
    """

    def __init__(self, result: NodeResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        parts = []
        for s in self.result.services:
            if s.evidence != "introspect":
                continue
            parts.append(f"<!-- {s.key} :{s.port} — {s.status} -->")
            parts.append(pretty_xml(s.raw) if s.raw else f"<!-- no body: {s.reason} -->")
        area = TextArea("\n".join(parts) or "no introspect replies", read_only=True, language=None,
                        show_line_numbers=False, id="raw-text")
        area.border_title = f"raw introspect — {self.result.name}"
        yield area
        yield Footer()
