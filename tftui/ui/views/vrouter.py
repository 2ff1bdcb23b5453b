"""`:vrf NAME` (or `V` on a vrouter in the tree) — one vrouter's agent: its VRFs (``VrfListReq``), above them its
XMPP sessions to the control nodes and its drop counters, the rising ones first and in colour. enter opens a
VRF's routes (views/vrf_routes.py), `d` every drop counter with what it means (views/drops.py)."""

from __future__ import annotations

from rich.text import Text

from tftui.core.vrouter.oper import Vrf
from tftui.services.network_state import VrouterSnapshot

from ..framework import Column, Row, bindings, register
from .drops import DropsView
from .vrf_routes import VrfRoutesView
from .vrouter_parts import (
    OneVrouterView,
    by_urgency,
    drop_text,
    short_name,
)

DROP_COUNTERS = 3  # in the summary, the rising ones first; `d` lists them all


def xmpp_line(snap: VrouterSnapshot) -> Text:
    text = Text("XMPP ")
    for p in snap.xmpp:
        text.append(f"{p.controller_ip} {p.state}", style="green" if p.established else "bold red")
        if p.flap_count:
            text.append(f" ({p.flap_count} flaps)", style="dim")
        text.append("  ")
    if not snap.xmpp:
        text.append("-", style="dim")
    return text


def drops_line(snap: VrouterSnapshot) -> Text:
    ordered = by_urgency(snap.drops)
    text = Text("Drops ")
    if not ordered:
        return text.append("none", style="dim")
    text.append(f"(d: all {len(ordered)}) ", style="dim")
    for i, d in enumerate(ordered[:DROP_COUNTERS]):
        if i:
            text.append(" · ", style="dim")
        text.append_text(drop_text(d))
    return text


@register
class VrouterView(OneVrouterView):
    NAME = "vrf"
    ALIASES = ("vrouter", "agent", "vr", "vrfs")
    TITLE = "vrouter — VRFs, XMPP, drops"
    ITEMS = "VRFs"
    DETAIL_HEIGHT = 3
    BINDINGS = bindings("vrouter.drops")
    DEFAULT_CSS = "VrouterView .view-summary { text-wrap: nowrap; text-overflow: ellipsis; }"  # one line each
    COLUMNS = (
        Column("vrf", "VRF", 30, priority=0, min_width=16, grow=True),
        Column("index", "Index", 5, priority=0),
        Column("index6", "Inet6", 5, priority=2),
        Column("label", "Label", 6, priority=3),
        Column("vxlan", "VXLAN", 5, priority=1),
        Column("network", "Network", 24, priority=1),
    )


    def rows(self, snap: VrouterSnapshot) -> list[Row]:
        return [Row(v.name, (short_name(v.name), str(v.ucindex), "" if v.uc6index < 0 else str(v.uc6index),
                             "" if v.table_label < 0 else str(v.table_label), str(v.vxlan_id or ""),
                             short_name(v.vn)), v)
                for v in snap.vrfs]

    def summary(self, snap: VrouterSnapshot) -> Text:
        text = Text()  # one line each: the VRFs keep the screen
        text.append(f"{snap.vrouter} ({snap.address}) · {len(snap.nhs)} next hops · enter: a VRF's routes\n",
                    style="bold")
        text.append_text(xmpp_line(snap))
        text.append("\n")
        text.append_text(drops_line(snap))
        ordered = by_urgency(snap.drops)
        if ordered and ordered[0].rising:  # what the fastest rising one counts
            text.append(f"\n  {ordered[0].counter.label}: {ordered[0].counter.meaning}", style="dim")
        for what, why in snap.errors:
            text.append(f"\n? {what}: {why}", style="yellow")
        return text

    def detail(self, row: Row) -> Text:
        v: Vrf = row.item
        text = Text(v.name, style="bold")
        text.append(f"\nnetwork {v.vn or '-'}, route distinguisher {v.rd or '-'}, {v.source}")
        return text

    def open(self, row: Row) -> None:
        self.app.push_screen(VrfRoutesView(self.services, vrouter=self.vrouter, vrf=row.item.name))

    def action_drops(self) -> None:
        self.app.push_screen(DropsView(self.services, vrouter=self.vrouter))
