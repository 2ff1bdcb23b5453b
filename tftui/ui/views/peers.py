"""`:peers` — every control node's BGP and XMPP neighbors at once (``BgpNeighborReq``), and above them what is
not as it should be: a BGP peer not Established (the gateway router included), a vrouter of the inventory not
XMPP-Established to the control nodes it keeps sessions with."""

from __future__ import annotations

from rich.text import Text

from tftui.services.network_state import PeerRow, PeersSnapshot

from ..framework import Column, ResourceView, Row, Tone, register

SUMMARY_LINES = 6


def state_tone(row: PeerRow) -> Tone:
    n = row.neighbor
    text = n.state + (" (deleted)" if n.deleted else "")
    return Tone(text, "ok" if n.established else "err")


@register
class PeersView(ResourceView):
    NAME = "peers"
    ALIASES = ("nei", "xmpp", "sessions")  # `:peer` is one BGP peer, `:neighbors` the router's (other views)
    TITLE = "Peers — the control nodes' BGP and XMPP neighbors"
    SERVICE = "peers"
    ITEMS = "peers"
    DETAIL_HEIGHT = 5
    COLUMNS = (
        Column("control", "Control", 8, priority=0, min_width=6),
        Column("peer", "Peer", 14, priority=0, min_width=8),
        Column("address", "Address", 15, priority=1),
        Column("encoding", "Enc", 4, priority=0),
        Column("state", "State", 12, priority=0),
        Column("prefixes", "Pfx", 5, priority=1),
        Column("flaps", "Flaps", 5, priority=2),
        Column("asn", "AS", 6, priority=3),
        Column("last_flap", "Last flap", 26, priority=4, grow=True),
    )

    def rows(self, snap: PeersSnapshot) -> list[Row]:
        return [Row(f"{r.control_node}/{r.neighbor.peer}/{r.neighbor.peer_address}",
                    (r.control_node, r.neighbor.peer, r.neighbor.peer_address, r.neighbor.encoding, state_tone(r),
                     str(r.neighbor.prefixes), str(r.neighbor.flap_count), str(r.neighbor.peer_asn),
                     r.neighbor.last_flap or "never"),
                    r.to_json(), rank=0 if r.neighbor.established else 2)
                for r in snap.peers]

    def summary(self, snap: PeersSnapshot) -> Text:
        text = Text()
        lines = [(f.message, "bold red") for f in snap.findings] + [(why, "yellow") for _, why in snap.errors]
        if not lines:
            text.append("every peer is Established as expected", style="green")
            return text
        for message, style in lines[:SUMMARY_LINES]:
            text.append(f"! {message}\n", style=style)
        if len(lines) > SUMMARY_LINES:
            text.append(f"… {len(lines) - SUMMARY_LINES} more (tftui peers lists them all)", style="dim")
        text.rstrip()
        return text

    def detail(self, row: Row) -> Text:
        d = row.item
        text = Text(f"{d['control_node']} → {d['peer']} ({d['peer_address']}), {d['encoding']} {d['peer_type']}",
                    style="bold")
        text.append(f"\nstate {d['state']}" + (f", send state {d['send_state']}" if d["send_state"] else ""))
        text.append(f"\nflaps {d['flap_count']}, last {d['last_flap'] or 'never'}; {d['prefixes']} primary paths")
        return text
