"""`:path POD_OR_IP` (or `T` on an interface, a vrouter route or a control route) — a pod's /32 hop by hop: its
own vrouter's VRF, every control node (its network's instance, and inet.0 with IP fabric forwarding), the
gateway router; the next hop and label at each, and the first hop where it breaks."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tftui.core.agent import Vmi
from tftui.core.pod_path import Hop, PodPath
from tftui.services.vmis import VmiSnapshot

from ..framework import Column, ResourceView, Row, Tone, register
from .named_feed import named_feed


def _short(table: str) -> str:
    """``default-domain:k8s-default:pod-net:pod-net.inet.0`` → ``pod-net.inet.0`` (the detail shows it whole)."""
    return table.rsplit(":", 1)[-1]


def _state(h: Hop) -> Tone:
    if h.unknown:
        return Tone("?", "warn")
    return Tone("ok", "ok") if h.ok else Tone("BROKEN", "err")


PICK_COLUMNS = (
    Column("vm", "Pod", 24, priority=0),
    Column("ip", "IP", 15, priority=0),
    Column("vrouter", "vrouter", 14, priority=0),
    Column("network", "Network", 20, priority=1, grow=True),
)


@register
class PathView(ResourceView):
    NAME = "path"
    ALIASES = ("trace-path", "hops")
    TITLE = "Path of a pod — vrouter, control nodes, router"
    SERVICE = "network_state"
    ITEMS = "hops"
    DETAIL_HEIGHT = 4
    COLUMNS = (
        Column("state", "", 6, priority=0),
        Column("kind", "Hop", 7, priority=0),
        Column("node", "Node", 10, priority=0),
        Column("table", "Table", 30, priority=1, min_width=12, grow=True),
        Column("next_hop", "Next hop", 15, priority=0),
        Column("label", "Label", 5, priority=1),
        Column("protocol", "Via", 16, priority=3),
    )

    def __init__(self, services, pod: str | None = None, **kwargs: Any) -> None:
        self.pod = pod or ""
        if not self.pod:  # which pod? pick one of the agents' interfaces
            self.COLUMNS, self.ITEMS = PICK_COLUMNS, "pods"
        feed = named_feed(services, f"path:{self.pod}" if self.pod else "interfaces",
                          f"the path of {self.pod}" if self.pod else "the agents' interfaces")
        super().__init__(services, feed=feed, **kwargs)

    @classmethod
    def command_arguments(cls, app, word: str) -> list[tuple[str, dict]]:
        """`:path POD_OR_IP`: what was typed (the view finds it among the agents' interfaces)."""
        word = word.strip()
        return [(f"path {word}", {"pod": word})] if word else []

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.pod}" if self.pod else " │ pick a pod", style="bold")
        return text

    def rows(self, path: PodPath | VmiSnapshot) -> list[Row]:
        if isinstance(path, VmiSnapshot):
            return [Row(f"{v.vrouter}/{v.name}", (v.vm_name, v.ip, v.vrouter, v.vn_short), v)
                    for v in path.vmis if v.ip]
        return [Row(f"{i}", (_state(h), h.kind, h.node, _short(h.table), h.next_hop or "-",
                             "" if h.label is None else str(h.label), h.protocol), h,
                    rank=2 if (not h.ok and not h.unknown) else 1 if h.unknown else 0)
                for i, h in enumerate(path.hops)]

    def summary(self, path: PodPath | VmiSnapshot) -> Text:
        if isinstance(path, VmiSnapshot):
            return Text("enter: the path of the pod's /32 (or `:path NAME_OR_IP`)", style="dim")
        t = path.target
        text = Text(f"{t.name} {t.prefix} on {t.vrouter} ({t.vrouter_address})", style="bold")
        text.append(f"  {t.network.rsplit(':', 1)[-1]}" + (", IP fabric forwarding" if t.ip_fabric_forwarding else ""))
        broken = path.broken_at
        if broken is None:
            text.append("\nthe path is whole", style="green")
        else:
            problem = broken.problem.replace(broken.table, _short(broken.table)) if broken.table else broken.problem
            text.append(f"\nbroken at {broken.kind} {broken.node}: {problem}", style="bold red")
        for note in path.notes:
            text.append(f"\n{note}", style="dim")
        return text

    def detail(self, row: Row) -> Text:
        if isinstance(row.item, Vmi):
            v = row.item
            return Text(f"{v.vm_name} {v.ip} on {v.vrouter} ({v.vrouter_address}), {v.vn}", style="bold")
        h: Hop = row.item
        text = Text(f"{h.kind} {h.node} {h.table}", style="bold")
        if h.unknown:
            text.append(f"\nnot read: {h.unknown}", style="yellow")
        elif h.problem:
            text.append(f"\n{h.problem}", style="bold red")
        else:
            text.append(f"\nnext hop {h.next_hop}" + (f", label {h.label}" if h.label is not None else "")
                        + (f", {h.protocol}" if h.protocol else "") + (f" from {h.source}" if h.source else ""))
        return text

    def open(self, row: Row) -> None:
        if isinstance(row.item, Vmi):
            self.app.push_screen(PathView(self.services, pod=row.item.ip))
            return
        h: Hop = row.item
        if h.kind == "vrouter":
            self.app.open_view("vrf", vrouter=h.node)
        elif h.kind == "control":
            self.app.open_view("croutes")
        elif h.kind == "router":
            self.app.open_view("routes")
