"""`:traces` — a daemon's trace buffers (``SandeshTraceBufferListRequest``), its recent log without analytics;
enter reads one (``SandeshTraceRequest``), newest line last. The daemon: `:traces NODE SERVICE`, else the node
selected in the tree (its control, agent or first introspect service)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tftui.core.humanize import clock
from tftui.core.traces import TraceLine

from ..framework import Column, ResourceView, Row, register
from .daemons import Daemon, OneDaemonView, daemon_rows
from .named_feed import failing_feed, named_feed


@register
class TraceBuffersView(OneDaemonView):
    NAME = "traces"
    FEED = "traces"
    ALIASES = ("trace-buffers", "tb")
    TITLE = "Trace buffers"
    SERVICE = "network_state"
    ITEMS = "buffers"
    COLUMNS = (Column("buffer", "Buffer", 40, priority=0, grow=True),)


    def rows(self, names: list[str] | tuple[Daemon, ...]) -> list[Row]:
        if not self.node:
            return daemon_rows(names)  # type: ignore[arg-type]
        return [Row(name, (name,), name) for name in names]

    def open(self, row: Row) -> None:
        if isinstance(row.item, Daemon):
            self.app.push_screen(TraceBuffersView(self.services, node=row.item.node, service=row.item.service))
        else:
            self.app.push_screen(TraceView(self.services, node=self.node, service=self.service, buffer=row.item))


class TraceView(ResourceView):
    """One buffer's lines (opened from :traces; not a `:` view of its own: it needs the buffer)."""

    NAME = "trace"
    TITLE = "Trace buffer"
    SERVICE = "network_state"
    PARENT = "traces"
    ITEMS = "lines"
    FOLLOW_TAIL = True
    DETAIL_HEIGHT = 4
    COLUMNS = (Column("time", "Time", 8, priority=0), Column("text", "Trace", 60, priority=0, grow=True))

    def __init__(self, services, node: str = "", service: str = "", buffer: str = "", **kwargs: Any) -> None:
        self.node, self.service, self.buffer = node, service, buffer
        feed = named_feed(services, f"trace:{node}:{service}:{buffer}", f"{node} {service} {buffer}") if buffer \
            else failing_feed("which buffer? open one from :traces", "a trace buffer")
        super().__init__(services, feed=feed, **kwargs)

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.node} {self.service} {self.buffer}", style="bold")
        return text

    def rows(self, lines: list[TraceLine]) -> list[Row]:
        return [Row(str(i), (clock(t.at) if t.at is not None else "", t.text), t) for i, t in enumerate(lines)]

    def detail(self, row: Row) -> Text:
        return Text(row.item.text)
