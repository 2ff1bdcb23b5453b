"""`:croutes` — every control node's routes (``ShowRouteReq``), one row per route and table, its best path in the
row and every path (protocol, next hop, label, source peer, AS path, communities) under it; `P` shows one
protocol at a time, `T` the path of the pod a /32 belongs to."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.text import Text

from tftui.core.control.render import path_line, route_json
from tftui.core.control.routes import ControlRoute, ControlTable
from tftui.services.network_state import ControlRoutesSnapshot

from ..framework import Column, LazyRows, ResourceView, Row, bindings, register
from .path import PathView

PROTOCOLS = ("", "XMPP", "BGP", "Local")


def short_table(name: str) -> str:
    """``default-domain:k8s:pod-net:pod-net.inet.0`` → ``pod-net.inet.0``; the master's tables as they are."""
    return name.rsplit(":", 1)[-1]


def _key(item: tuple[str, ControlTable, ControlRoute]) -> str:
    node, table, route = item
    return f"{node}/{table.name}/{route.prefix}"


@register
class ControlRoutesView(ResourceView):
    NAME = "croutes"
    ALIASES = ("control-routes", "cr")
    TITLE = "Control routes — every control node's tables"
    SERVICE = "croutes"
    ITEMS = "routes"
    DETAIL_HEIGHT = 6
    BINDINGS = bindings("routes.protocol", "croutes.path")
    COLUMNS = (
        Column("control", "Control", 7, priority=0, min_width=5),
        Column("table", "Table", 18, priority=2),
        Column("prefix", "Prefix", 30, priority=0, min_width=18, grow=True),  # a VPN route's RD:prefix whole
        Column("protocol", "Protocol", 8, priority=0),
        Column("source", "Source", 12, priority=2),
        Column("next_hop", "Next hop", 15, priority=0),
        Column("label", "Label", 5, priority=1),
        Column("paths", "Paths", 5, priority=3),
    )

    def __init__(self, services, **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.protocol = ""

    def rows(self, snap: ControlRoutesSnapshot) -> Sequence[Row]:
        items = [(node, t, r) for node, t in snap.tables for r in t.routes
                 if not self.protocol or any(p.base_protocol == self.protocol for p in r.paths)]
        return LazyRows(items, self._row, lambda item: " ".join((item[0], item[1].name, item[2].prefix, *(
            f"{p.protocol} {p.source} {p.next_hop}" for p in item[2].paths))))

    def _row(self, item: tuple[str, ControlTable, ControlRoute]) -> Row:
        node, table, route = item
        best = route.best
        cells = (node, short_table(table.name), route.prefix, best.protocol if best else "-",
                 best.source if best else "", best.next_hop if best else "",
                 str(best.label) if best else "", str(len(route.paths)))
        return Row(_key(item), cells, item)

    def summary(self, snap: ControlRoutesSnapshot) -> Text:
        per: dict[str, int] = {}
        for node, t in snap.tables:
            per[node] = per.get(node, 0) + len(t.routes)
        text = Text("  ".join(f"{node}: {n} routes" for node, n in per.items()) or "no routes")
        if self.protocol:
            text.append(f"  · {self.protocol} paths only (P)", style="bold yellow")
        for _, why in snap.errors:
            text.append(f"\n? {why}", style="yellow")
        return text

    def detail(self, row: Row) -> Text:
        node, table, route = row.item
        text = Text(f"{route.prefix} in {table.name} on {node}", style="bold")
        for p in route.paths:
            text.append("\n" + ("*" if p.best else " ") + path_line(p), style="" if p.best else "dim")
            if p.communities:
                text.append(f"\n   communities {' '.join(p.communities)}", style="dim")
        return text

    def raw(self, row: Row) -> str | None:
        node, table, route = row.item
        return json.dumps(route_json(node, table, route), indent=2)

    def action_protocol(self) -> None:
        self.protocol = PROTOCOLS[(PROTOCOLS.index(self.protocol) + 1) % len(PROTOCOLS)]
        if self.feed.snapshot is not None:
            self.show(self.feed.snapshot)
        self.notify(f"{self.protocol} paths" if self.protocol else "every protocol", timeout=2)

    def action_path(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        prefix = row.item[2].prefix.rpartition(":")[2]
        if not prefix.endswith("/32"):
            self.notify(f"{prefix} is not a pod's /32", severity="warning", timeout=3)
            return
        self.app.push_screen(PathView(self.services, pod=prefix.split("/")[0]))  # esc comes back here

    def open(self, row: Row) -> None:
        self.action_path()
