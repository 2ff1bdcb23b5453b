"""`:uve` — the UVE browser: every UVE analytics has, by type and key (`/` finds one); enter opens it as a
tree of its structs, flat (`?flat`: the sources' values merged) or raw (Sandesh-typed, as stored; `m`
switches), with the same `/` filter, which keeps the branches that lead to what it finds."""

from __future__ import annotations

import json

from rich.text import Text

from tftui.core.analytics.uve_tree import UveLine, uve_tree
from tftui.core.humanize import age
from tftui.services.analytics import AnalyticsService, UveSnapshot
from tftui.services.analytics_feeds import UveIndex, uve_feed

from ..framework import Column, ResourceView, Row, bindings, register
from .analytics_base import AnalyticsView


@register
class UveView(ResourceView):
    NAME = "uve"
    ALIASES = ("uves",)
    TITLE = "UVEs — analytics"
    SERVICE = "uves"
    ITEMS = "UVEs"
    COLUMNS = (
        Column("type", "Type", 26, priority=0, min_width=12),
        Column("key", "Key", 60, priority=0, min_width=20, grow=True),
    )

    def rows(self, index: UveIndex) -> list[Row]:
        return [Row(f"{t}/{k}", (t, k), {"type": t, "key": k}, search=f"{t}/{k}") for t, k in index.entries]

    def summary(self, index: UveIndex) -> Text:
        counts = {t: 0 for t in index.types}
        for t, _ in index.entries:
            counts[t] += 1
        text = Text("  ".join(f"{t} {n}" for t, n in counts.items()), style="dim")
        text.append("\nenter opens one · / finds one by type or key", style="dim")
        return text

    def open(self, row: Row) -> None:
        self.app.push_screen(UveStructView(self.services, row.item["type"], row.item["key"]))


def _label(line: UveLine) -> Text:
    text = Text("  " * line.depth)
    text.append(line.label, style="bold" if line.container else "")
    return text


def _value(line: UveLine) -> Text:
    text = Text(line.value, style="dim" if line.container else "bold yellow" if line.conflict else "")
    if line.kind and not line.container:
        text.append(f"  {line.kind}", style="dim")
    return text


class UveStructView(AnalyticsView):
    """One UVE: its structs as a tree (opened from `:uve`)."""

    NAME = "uve-struct"
    TITLE = "UVE"
    PARENT = "uve"
    ITEMS = "lines"
    PAGE = 5000
    DETAIL_HEIGHT = 3
    BINDINGS = bindings("uve.flat")
    COLUMNS = (
        Column("attr", "Struct / attribute", 34, priority=0, min_width=16),
        Column("value", "Value", 60, priority=0, min_width=20, grow=True),
    )

    def __init__(self, services, uve_type: str, name: str, flat: bool = True, **kwargs) -> None:
        self.uve_type, self.uve_name, self.flat = uve_type, name, flat
        super().__init__(services, **kwargs)

    def make_feed(self, service: AnalyticsService):
        return uve_feed(service, self.uve_type, self.uve_name, self.flat)

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.uve_type} {self.uve_name}", style="bold")
        return text

    def rows(self, snap: UveSnapshot) -> list[Row]:
        return [Row(line.path, (_label(line), _value(line)), line, search=line.search,
                    rank=2 if line.conflict else 0) for line in uve_tree(snap.data)]

    def summary(self, snap: UveSnapshot) -> Text:
        text = Text("flat: the sources' values merged (?flat)" if snap.flat else "raw: as stored, Sandesh-typed",
                    style="bold")
        text.append("  · m switches", style="dim")
        stamps = [v.get("__T") for v in snap.data.values() if isinstance(v, dict) and isinstance(v.get("__T"), int)]
        if stamps:
            text.append(f"  · reported {age(self.services.clock() - max(stamps) / 1e6)} ago", style="dim")
        if not snap.data:
            text.append(f"\nanalytics has no {snap.uve_type} UVE {snap.name!r} (any more)", style="bold yellow")
        if snap.partial:
            text.append("\npartial data: some analytics partitions did not answer", style="bold yellow")
        return text

    def detail(self, row: Row) -> Text:
        line: UveLine = row.item
        text = Text(line.path, style="bold")
        if not line.container:
            text.append(f"\n{line.value}", style="bold yellow" if line.conflict else "")
            if line.conflict:
                text.append("  (the sources disagree)", style="dim")
        return text

    def raw(self, row: Row) -> str | None:
        snap: UveSnapshot | None = self.feed.snapshot
        return json.dumps(snap.data, indent=2, ensure_ascii=False, default=str) if snap is not None else None

    def action_toggle_flat(self) -> None:
        self.flat = not self.flat
        self.replace_feed(self.make_feed(self.analytics))
