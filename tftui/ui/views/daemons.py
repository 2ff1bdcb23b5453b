"""The daemons whose introspect a view reads (`:traces`, `:introspect`): a node's introspect services, the one a
selected node is best read through, the palette's `NODE SERVICE` completions, and the picker of every one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text

from tftui.core.inventory import NodeSpec
from tftui.services.feed import FetchFeed

from ..framework import Column, ResourceView, Row
from .named_feed import named_feed

PREFERRED = ("control", "vrouter-agent", "config-api", "collector", "dns")


def introspect_keys(services, node: NodeSpec) -> list[str]:
    """The node's introspect services: its release's once the poller knows it, else every one it may run."""
    cluster = services.feed("cluster").snapshot if services.unavailable("cluster") is None else None
    result = cluster.results.get(node.name) if cluster is not None else None
    layout = result.layout if result is not None and result.layout_evidence else None
    return [s.key for s in node.services(layout) if s.port]


def daemon_of(app) -> dict[str, str]:
    """The node selected in the tree and its most telling introspect service."""
    result = app.selected_result()
    node = app.services.spec.node(result.name) if result is not None else None
    if node is None:
        return {}
    keys = introspect_keys(app.services, node)
    service = next((k for k in PREFERRED if k in keys), keys[0] if keys else "")
    return {"node": node.name, "service": service} if service else {}


def node_service_arguments(app, view: str, word: str) -> list[tuple[str, dict]]:
    """`:VIEW NODE [SERVICE]`: every introspect service of the nodes whose name holds the first word."""
    parts = word.split()
    name = parts[0].lower() if parts else ""
    wanted = parts[1].lower() if len(parts) > 1 else ""
    out = []
    for node in app.services.spec.nodes:
        if name and name not in node.name.lower():
            continue
        for key in introspect_keys(app.services, node):
            if wanted in key:
                out.append((f"{view} {node.name} {key}", {"node": node.name, "service": key}))
    return out[:60]


@dataclass(frozen=True)
class Daemon:
    node: str
    service: str
    address: str
    port: int


DAEMON_COLUMNS = (
    Column("node", "Node", 14, priority=0),
    Column("service", "Service", 22, priority=0),
    Column("address", "Introspect", 21, priority=1, grow=True),
)


def daemons_feed(services) -> FetchFeed:
    """Every introspect of the inventory, to pick one (a view opened with no daemon and none selected)."""

    async def fetch() -> tuple[Daemon, ...]:
        return tuple(Daemon(n.name, s.key, n.address, s.port) for n in services.spec.nodes
                     for s in n.services() if s.port and s.key in introspect_keys(services, n))

    return FetchFeed(fetch, "the inventory's introspect services")


def daemon_rows(daemons: tuple[Daemon, ...]) -> list[Row]:
    return [Row(f"{d.node}/{d.service}", (d.node, d.service, f"{d.address}:{d.port}"), d) for d in daemons]




class OneDaemonView(ResourceView):
    """A `:` view of one daemon's feed ``FEED:NODE:SERVICE``: `:NAME NODE SERVICE`, else the node selected in the
    tree, else a pick of every daemon of the inventory (enter opens the view on that one)."""

    FEED = ""

    def __init__(self, services, node: str = "", service: str = "", **kwargs: Any) -> None:
        self.node, self.service = node, service
        if node and service:
            feed = named_feed(services, f"{self.FEED}:{node}:{service}", f"{node} {service}")
        else:  # which daemon? pick one
            feed = daemons_feed(services)
            self.COLUMNS, self.ITEMS = DAEMON_COLUMNS, "daemons"
        super().__init__(services, feed=feed, **kwargs)

    @classmethod
    def default_params(cls, app) -> dict:
        return daemon_of(app)

    @classmethod
    def command_arguments(cls, app, word: str) -> list[tuple[str, dict]]:
        return node_service_arguments(app, cls.NAME, word)

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.node} {self.service}" if self.node else " │ pick a daemon", style="bold")
        return text
