"""`:vrf NAME` (or `V` on a vrouter in the tree) — one vrouter's agent: its VRFs, one VRF's unicast routes with
their paths and next hops (`N` the next VRF), its XMPP sessions to the control nodes, and its drop counters with
their rates, the rising ones first and in colour, each with what it counts; `T` the path of a pod's /32."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tftui.core.vrouter.oper import AgentRoute
from tftui.services.network_state import VrouterSnapshot
from tftui.services.registry import Unavailable

from ..framework import Column, ResourceView, Row, Tone, bindings, register
from .path import failing_feed

DROP_COUNTERS = 4  # in the summary, the rising ones first; `tftui drops` lists them all


def _first_vrouter(services) -> str | None:
    return next((n.name for n in services.spec.nodes if "vrouter" in n.roles), None)


@register
class VrouterView(ResourceView):
    NAME = "vrf"
    ALIASES = ("vrouter", "agent", "vr")
    TITLE = "vrouter — VRFs, routes, next hops, XMPP, drops"
    SERVICE = "network_state"  # what it needs; the feed is the vrouter's own (services/state_feeds.py)
    ITEMS = "routes"
    DETAIL_HEIGHT = 5
    BINDINGS = bindings("vrouter.vrf", "vrouter.path")
    COLUMNS = (
        Column("prefix", "Prefix", 18, priority=0),
        Column("peer", "Peer", 12, priority=0),
        Column("type", "NH", 9, priority=1),
        Column("next_hop", "Next hop", 26, priority=0, grow=True),
        Column("label", "Label", 5, priority=1),
        Column("paths", "Paths", 5, priority=3),
    )

    def __init__(self, services, vrouter: str | None = None, vrf: str | None = None, **kwargs: Any) -> None:
        self.vrouter = vrouter or _first_vrouter(services) or ""
        try:
            feed = services.feed(f"vrouter:{self.vrouter}")
        except Unavailable as exc:
            feed = failing_feed(str(exc), f"{self.vrouter or 'no vrouter'}'s agent introspect")
        if vrf:
            feed.vrf = vrf
        super().__init__(services, feed=feed, **kwargs)

    @classmethod
    def default_params(cls, app) -> dict:
        """Opened by name or `V`: the vrouter selected in the node tree, if it is one."""
        result = app.selected_result()
        return {"vrouter": result.name} if result is not None and "vrouter" in result.roles else {}

    @classmethod
    def command_arguments(cls, app, word: str) -> list[tuple[str, dict]]:
        """`:vrf NAME`: the vrouters whose name holds what was typed."""
        return [(f"vrf {n.name}", {"vrouter": n.name}) for n in app.services.spec.nodes
                if "vrouter" in n.roles and word.lower() in n.name.lower()][:50]

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.vrouter}", style="bold")
        return text

    def rows(self, snap: VrouterSnapshot) -> list[Row]:
        return [Row(r.prefix, self._cells(r), r, rank=0 if r.active and r.active.nh.valid else 2) for r in snap.routes]

    @staticmethod
    def _cells(r: AgentRoute) -> tuple:
        p = r.active
        if p is None:
            return (r.prefix, "-", "", "", "", "0")
        nh = Tone(p.nh.type, "ok" if p.nh.valid else "err")
        return (r.prefix, p.peer, nh, p.nh.target, str(p.label) if p.label >= 0 else "", str(len(r.paths)))

    def summary(self, snap: VrouterSnapshot) -> Text:
        text = Text()
        index = next((v.ucindex for v in snap.vrfs if v.name == snap.vrf), "-")
        text.append(f"VRF {snap.vrf.rsplit(':', 1)[-1] or '-'} (index {index}) · {len(snap.vrfs)} VRFs (N next) · "
                    f"{len(snap.nhs)} next hops\n", style="bold")
        text.append("XMPP ")
        for p in snap.xmpp:
            text.append(f"{p.controller_ip} {p.state}", style="green" if p.established else "bold red")
            if p.flap_count:
                text.append(f" ({p.flap_count} flaps)", style="dim")
            text.append("  ")
        if not snap.xmpp:
            text.append("-", style="dim")
        ordered = sorted(snap.drops, key=lambda d: (not d.rising, -(d.rate or 0.0), -d.value))
        text.append("\nDrops ")
        for d in ordered[:DROP_COUNTERS]:
            moved = f" +{d.delta} ({d.rate:.1f}/s)" if d.rising and d.rate is not None else ""
            text.append(f"{d.counter.label} {d.value}{moved}", style="bold red" if d.rising else "")
            text.append(" · ", style="dim")
        if len(ordered) > DROP_COUNTERS:
            text.append(f"{len(ordered) - DROP_COUNTERS} more (tftui drops)", style="dim")
        elif not ordered:
            text.append("none", style="dim")
        else:
            text.right_crop(3)
        if ordered and ordered[0].rising:  # what the fastest rising one counts
            text.append(f"\n  {ordered[0].counter.label}: {ordered[0].counter.meaning}", style="dim")
        for what, why in snap.errors:
            text.append(f"\n? {what}: {why}", style="yellow")
        return text

    def detail(self, row: Row) -> Text:
        r: AgentRoute = row.item
        text = Text(f"{r.prefix} in {r.vrf.rsplit(':', 1)[-1]}", style="bold")
        for i, p in enumerate(r.paths):
            nh = p.nh
            where = f"{nh.sip} → {nh.dip} {nh.tunnel_type}" if nh.type == "tunnel" else nh.target
            text.append(f"\n{'*' if i == 0 else ' '}{p.peer}: {nh.type} #{nh.index} {where}, label {p.label}, "
                        f"to {', '.join(p.dest_vns) or '-'}", style="" if i == 0 else "dim")
        return text

    def action_next_vrf(self) -> None:
        snap: VrouterSnapshot | None = self.feed.snapshot
        if not snap or not snap.vrfs or not hasattr(self.feed, "vrf"):
            return
        names = [v.name for v in snap.vrfs]
        at = names.index(snap.vrf) if snap.vrf in names else -1
        self.feed.vrf = names[(at + 1) % len(names)]
        self.notify(f"VRF {self.feed.vrf}", timeout=2)
        self.feed.refresh_soon()

    def action_path(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        r: AgentRoute = row.item
        if r.plen != 32:
            self.notify(f"{r.prefix} is not a pod's /32", severity="warning", timeout=3)
            return
        self.app.open_view("path", pod=r.src_ip)

    def open(self, row: Row) -> None:
        self.action_path()
