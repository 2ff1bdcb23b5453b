"""Where a peering stands while it is watched: each router <-> control node session seen from the router (and from
the control node when a source for its BGP neighbor state is given), with the gatewayless cross-check filling up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tftui.core.control.peers import BgpNeighbor
from tftui.core.control.routes import MASTER_INSTANCE
from tftui.core.routes.crosscheck import CrossCheck
from tftui.core.routes.models import Neighbor

from .plan import ADD


@dataclass(frozen=True)
class ControlSide:
    """A control node's view of its session with the router (its BGP neighbor introspect)."""

    state: str
    established: bool
    since: str | None = None  # last_state_at: when it entered this state, as the control node prints it
    last_error: str | None = None
    prefixes: int | None = None  # primary paths learned from the router

    def words(self) -> str:
        text = self.state or "?"
        if self.established and self.prefixes is not None:
            text += f", {self.prefixes} prefixes"
        if self.since:
            text += f" since {self.since}"
        if self.last_error and not self.established:
            text += f" ({self.last_error})"
        return text


def control_side_from(neighbors: Iterable[BgpNeighbor], router_address: str) -> ControlSide | None:
    """The router as one control node lists it among its BGP neighbors (BgpNeighborReq), None when it does not.

    Matched by address, BGP only (an agent over XMPP never is the router). Several peers can share an address (a
    BGPaaS client in a virtual network's instance, a closed peer listed while it is cleaned up): the one in the
    fabric's master instance comes first, then one not being deleted, then an Established one."""
    listed = [n for n in neighbors if not n.is_xmpp and n.peer_address == router_address]
    if not listed:
        return None
    n = min(listed, key=lambda x: (x.instance_name not in ("", MASTER_INSTANCE), x.deleted, not x.established))
    return ControlSide(n.state + (" (being deleted)" if n.deleted else ""), n.established, n.last_state_at or None,
                       n.last_error or None, n.prefixes if n.established else None)


@dataclass(frozen=True)
class PairStatus:
    control: str
    address: str  # the control node's address, the router's neighbor
    router_side: Neighbor | None  # None: the router has no such neighbor
    control_side: ControlSide | None = None  # None: the control node has no such peer (or is not watched)
    control_watched: bool = False  # a control-side source was asked
    control_error: str | None = None  # the control node could not be read: its side is unknown

    @property
    def up(self) -> bool:
        router_up = self.router_side is not None and self.router_side.established
        control_up = not self.control_watched or (self.control_error is None and self.control_side is not None
                                                  and self.control_side.established)
        return router_up and control_up

    @property
    def gone(self) -> bool:
        return self.router_side is None and (not self.control_watched or self.control_error is None and (
            self.control_side is None or not self.control_side.established))

    def words(self) -> str:
        control = f"; control node: {self.control_words()}" if self.control_watched else ""
        return f"{self.control} ({self.address}): router: {self.router_words()}{control}"

    def router_words(self) -> str:
        """The router's side in a few words."""
        n = self.router_side
        if n is None:
            return "not configured"
        return (f"{n.state}{' (Policy: routes refused)' if n.policy_blocked else ''}"
                f"{f', up {n.up_down}' if n.established and n.up_down else ''}"
                f"{f', {n.prefixes_received} prefixes' if n.prefixes_received is not None else ''}")

    def control_words(self) -> str:
        """The control node's side in a few words (empty when it is not watched)."""
        if not self.control_watched:
            return ""
        if self.control_error is not None:
            return f"not read ({self.control_error})"
        if self.control_side is None:
            return "no such peer"
        side = self.control_side
        return side.state + (f" ({side.last_error})" if side.last_error and not side.established else "")


@dataclass
class PeeringStatus:
    action: str
    elapsed: float  # seconds since the change was applied (or the watch began)
    pairs: list[PairStatus] = field(default_factory=list)
    check: CrossCheck | None = None
    check_note: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def sessions_done(self) -> bool:
        if not self.pairs:
            return False
        return all(p.up for p in self.pairs) if self.action == ADD else all(p.gone for p in self.pairs)

    @property
    def routes_whole(self) -> bool:
        """Every pod /32 of an IP fabric forwarding network is on the router via its own vrouter, installed."""
        return self.check is not None and self.check.ok == self.check.expected

    @property
    def done(self) -> bool:
        return self.sessions_done and (self.routes_whole if self.action == ADD else True)

    def key(self) -> tuple:
        """What changes when something worth printing again happened (not the ages ticking on)."""
        return (tuple((p.control, p.router_side and (p.router_side.state, p.router_side.prefixes_received,
                                                     p.router_side.policy_blocked),
                       p.control_side and p.control_side.state, p.control_error) for p in self.pairs),
                self.check and (self.check.ok, self.check.expected, len(self.check.findings)), self.check_note,
                tuple(self.errors))

    def lines(self) -> list[str]:
        out = [f"after {self.elapsed:.0f}s:"] + [f"  {p.words()}" for p in self.pairs]
        if self.check is not None:
            c = self.check
            out.append(f"  gatewayless cross-check: {c.ok}/{c.expected} pod /32s on the router via their vrouter"
                       f"{f', {len(c.findings)} finding(s)' if c.findings else ''}")
        elif self.check_note:
            out.append(f"  gatewayless cross-check: {self.check_note}")
        out += [f"  error: {e}" for e in self.errors]
        return out

    def to_json(self) -> dict:
        return {
            "action": self.action, "elapsed": round(self.elapsed, 1), "done": self.done,
            "sessions_done": self.sessions_done, "routes_whole": self.routes_whole,
            "pairs": [{"control_node": p.control, "address": p.address,
                       "router_state": p.router_side.state if p.router_side else None,
                       "established": bool(p.router_side and p.router_side.established),
                       "policy_blocked": bool(p.router_side and p.router_side.policy_blocked),
                       "prefixes_received": p.router_side.prefixes_received if p.router_side else None,
                       "control_state": p.control_side.state if p.control_side else None,
                       "control_established": bool(p.control_side and p.control_side.established),
                       "control_error": p.control_error, "control_watched": p.control_watched}
                      for p in self.pairs],
            "crosscheck": None if self.check is None else {
                "ok": self.check.ok, "expected": self.check.expected,
                "findings": [{"kind": f.kind, "prefix": f.prefix, "message": f.message} for f in self.check.findings]},
            "crosscheck_note": self.check_note, "errors": self.errors,
        }


def pair_statuses(controls: list[tuple[str, str]], neighbors: list[Neighbor],
                  control_sides: dict[str, ControlSide | None] | None,
                  control_errors: dict[str, str] | None = None) -> list[PairStatus]:
    """One PairStatus per (control node name, address); control_sides None: no control-side source;
    control_errors: the control nodes that could not be read, and why."""
    by_address = {n.address: n for n in neighbors}
    return [PairStatus(name, address, by_address.get(address), (control_sides or {}).get(name),
                       control_sides is not None, (control_errors or {}).get(name)) for name, address in controls]
