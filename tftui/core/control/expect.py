"""Expected vs. actual sessions: what the control nodes' neighbor lists should show for the inventory, and what is wrong.

Rules (the cluster's intent, as TF builds it):
- every BGP neighbor a control node lists is meant to be Established (control nodes mesh over iBGP; the gateway
  router of a gatewayless setup is a BGP peer of the control nodes);
- control nodes peer with each other: a control node missing from another's list is a finding;
- a configured gateway router must be Established with at least one control node;
- every vrouter keeps XMPP sessions to ``min(2, control nodes)`` control nodes (the agent uses two of its
  configured list); one listed but not Established, or fewer Established than expected, is a finding. Control
  nodes that could not be read are not counted against a vrouter.
"""

from __future__ import annotations

from dataclasses import dataclass

from .peers import BgpNeighbor

XMPP_SESSIONS_PER_VROUTER = 2

BGP_DOWN = "bgp-down"
BGP_MISSING = "bgp-missing"
XMPP_DOWN = "xmpp-down"
XMPP_MISSING = "xmpp-missing"


@dataclass(frozen=True)
class Endpoint:
    name: str
    address: str


@dataclass(frozen=True)
class PeerFinding:
    kind: str
    subject: str  # the vrouter, peer or router concerned
    control_node: str  # where it shows ("" when it concerns every control node)
    message: str


def _short(name: str) -> str:
    return name.split(".", 1)[0].lower()


def is_same_host(neighbor: BgpNeighbor, host: Endpoint) -> bool:
    """An XMPP neighbor is named by the agent's hostname and addressed by its data-plane IP: match either."""
    return neighbor.peer_address == host.address or (bool(neighbor.peer) and _short(neighbor.peer) == _short(host.name))


def _state(n: BgpNeighbor) -> str:
    if n.deleted:
        return f"{n.state or 'closed'}, being deleted"
    return n.state or "no state"


def peer_findings(controls: list[Endpoint], neighbors: dict[str, tuple[BgpNeighbor, ...]], vrouters: list[Endpoint],
                  routers: list[Endpoint] = ()) -> list[PeerFinding]:
    """``neighbors``: control node name → its neighbor list, for the control nodes that could be read."""
    out: list[PeerFinding] = []
    by_address = {c.address: c.name for c in controls}
    for ctrl in controls:
        listed = neighbors.get(ctrl.name)
        if listed is None:
            continue
        for n in listed:
            if not n.is_xmpp and not n.established:
                what = by_address.get(n.peer_address) or n.peer or n.peer_address
                out.append(PeerFinding(BGP_DOWN, what, ctrl.name,
                                       f"{ctrl.name}: BGP peer {what} ({n.peer_address}) is {_state(n)}, not Established"))
        bgp_addresses = {n.peer_address for n in listed if not n.is_xmpp}
        for other in controls:
            if other is not ctrl and other.address not in bgp_addresses:
                out.append(PeerFinding(BGP_MISSING, other.name, ctrl.name,
                                       f"{ctrl.name}: control node {other.name} ({other.address}) is not a BGP peer"))
    for router in routers:
        up = [c for c, listed in neighbors.items()
              if any(not n.is_xmpp and n.peer_address == router.address and n.established for n in listed)]
        if neighbors and not up:
            out.append(PeerFinding(BGP_MISSING, router.name, "",
                                   f"router {router.name} ({router.address}) is Established with no control node"))
    out.extend(_xmpp_findings(controls, neighbors, vrouters))
    return out


def _xmpp_findings(controls: list[Endpoint], neighbors: dict[str, tuple[BgpNeighbor, ...]],
                   vrouters: list[Endpoint]) -> list[PeerFinding]:
    out: list[PeerFinding] = []
    readable = [c for c in controls if c.name in neighbors]
    expected = min(XMPP_SESSIONS_PER_VROUTER, len(controls))
    for ctrl in readable:  # a listed session that is down, whether or not the inventory knows the vrouter
        for n in neighbors[ctrl.name]:
            if n.is_xmpp and not n.established:
                name = next((v.name for v in vrouters if is_same_host(n, v)), n.peer or n.peer_address)
                out.append(PeerFinding(XMPP_DOWN, name, ctrl.name,
                                       f"{name}: XMPP session to {ctrl.name} is {_state(n)}, not Established"))
    for vr in vrouters:
        established = [ctrl.name for ctrl in readable
                       if any(n.is_xmpp and n.established and is_same_host(n, vr) for n in neighbors[ctrl.name])]
        unknown = len(controls) - len(readable)
        if len(established) + unknown < expected:
            where = ", ".join(established) or "none"
            out.append(PeerFinding(XMPP_MISSING, vr.name, "",
                                   f"{vr.name}: XMPP-Established to {len(established)} control node(s) ({where}), "
                                   f"expected {expected}"))
    return out
