"""One VRF of a vrouter (enter on a VRF in `:vrf`): its unicast routes (``Inet4UcRouteReq``, ``Inet6UcRouteReq``),
each with the path the agent installs in the row and every path with its next hop (``NhListReq``'s kinds: a
local pod's interface, an MPLSoUDP tunnel to another vrouter...) under it; `N` the next VRF; enter or `T` the
path of a pod's /32."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tftui.core.vrouter.oper import AgentRoute
from tftui.services.network_state import VrouterSnapshot

from ..framework import Column, ResourceView, Row, Tone, bindings
from .path import PathView
from .vrouter_parts import short_name, vrouter_feed


class VrfRoutesView(ResourceView):
    """Not a `:` view of its own: it needs the vrouter and the VRF (`:vrf NAME`, then enter)."""

    NAME = "vrf-routes"
    TITLE = "VRF routes"
    SERVICE = "network_state"
    PARENT = "vrf"
    ITEMS = "routes"
    DETAIL_HEIGHT = 5
    BINDINGS = bindings("vrouter.vrf", "vrouter.path")
    DEFAULT_CSS = "VrfRoutesView .view-summary { text-wrap: nowrap; text-overflow: ellipsis; }"  # one line each
    COLUMNS = (
        Column("prefix", "Prefix", 18, priority=0),
        Column("peer", "Peer", 12, priority=0),
        Column("type", "NH", 9, priority=1),
        Column("next_hop", "Next hop", 26, priority=0, grow=True),
        Column("label", "Label", 5, priority=1),
        Column("paths", "Paths", 5, priority=3),
    )

    def __init__(self, services, vrouter: str = "", vrf: str = "", **kwargs: Any) -> None:
        self.vrouter, self.vrf = vrouter, vrf
        feed = vrouter_feed(services, vrouter)
        super().__init__(services, feed=feed, **kwargs)
        self._choose(vrf)

    def _choose(self, vrf: str) -> None:
        """Read ``vrf``'s routes from now on (the feed is the vrouter's, shared with its VRF list)."""
        self.vrf = vrf
        if hasattr(self.feed, "vrf") and self.feed.vrf != vrf:
            self.feed.vrf = vrf
            self.feed.refresh_soon()

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.vrouter} {short_name(self.vrf)}", style="bold")
        return text

    def _current(self, snap: VrouterSnapshot) -> bool:
        """The snapshot lists this VRF's routes (until the first read after `N` it holds the previous VRF's)."""
        return snap.vrf == self.vrf

    def rows(self, snap: VrouterSnapshot) -> list[Row]:
        if not self._current(snap):
            return []
        return [Row(r.prefix, self._cells(r), r, rank=0 if r.active and r.active.nh.valid else 2) for r in snap.routes]

    @staticmethod
    def _cells(r: AgentRoute) -> tuple:
        p = r.active
        if p is None:
            return (r.prefix, "-", "", "", "", "0")
        nh = Tone(p.nh.type, "ok" if p.nh.valid else "err")
        return (r.prefix, p.peer, nh, p.nh.target, str(p.label) if p.label >= 0 else "", str(len(r.paths)))

    def summary(self, snap: VrouterSnapshot) -> Text:
        vrf = next((v for v in snap.vrfs if v.name == self.vrf), None)
        text = Text()
        text.append(f"VRF {short_name(self.vrf)}", style="bold")
        if vrf is not None:
            text.append(f" (index {vrf.ucindex})")
            if short_name(vrf.vn) != short_name(vrf.name):
                text.append(f" of {short_name(vrf.vn) or '-'}")
        text.append(f" · N: the next of {len(snap.vrfs)} VRFs · enter: the path of a /32", style="dim")
        if not self._current(snap):
            text.append(f"\nreading {self.vrf}…", style="dim")
        for what, why in snap.errors:
            text.append(f"\n? {what}: {why}", style="yellow")
        return text

    def detail(self, row: Row) -> Text:
        r: AgentRoute = row.item
        text = Text(f"{r.prefix} in {short_name(r.vrf)}", style="bold")
        for i, p in enumerate(r.paths):
            nh = p.nh
            where = f"{nh.sip} → {nh.dip} {nh.tunnel_type}" if nh.type == "tunnel" else nh.target
            text.append(f"\n{'*' if i == 0 else ' '}{p.peer}: {nh.type} #{nh.index} {where}, label {p.label}, "
                        f"to {', '.join(p.dest_vns) or '-'}", style="" if i == 0 else "dim")
        return text

    def action_next_vrf(self) -> None:
        snap: VrouterSnapshot | None = self.feed.snapshot
        if not snap or not snap.vrfs:
            return
        names = [v.name for v in snap.vrfs]
        at = names.index(self.vrf) if self.vrf in names else -1
        self._choose(names[(at + 1) % len(names)])
        self.update_header()
        self.show(snap)  # empty until the new VRF's routes come
        self.notify(f"VRF {self.vrf}", timeout=2)

    def action_path(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        r: AgentRoute = row.item
        if r.plen != 32:
            self.notify(f"{r.prefix} is not a pod's /32", severity="warning", timeout=3)
            return
        self.app.push_screen(PathView(self.services, pod=r.src_ip))  # esc comes back to this VRF

    def open(self, row: Row) -> None:
        self.action_path()
