"""The simulated cluster's control-plane sessions: each vrouter's XMPP sessions to its control nodes, and the
control nodes' BGP sessions (with each other and the gateway router).

Only sessions that ever changed are stored; everything else is Established since the lab started. Every
protocol reads this one state (the agent's own XMPP list and NodeStatus, the control nodes' neighbor lists and
routes, the churn), so a session the lab takes down is down everywhere at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class SessionState:
    up: bool = True
    flaps: int = 0
    last_flap: float | None = None  # epoch seconds of the last time it went down
    since: float | None = None  # epoch seconds of the last change; None: since the lab started


@dataclass
class LabSessions:
    xmpp: dict[tuple[str, str], SessionState] = field(default_factory=dict)  # (vrouter, control node)
    bgp: dict[tuple[str, str], SessionState] = field(default_factory=dict)  # (control node, peer name), both ways
    generation: int = 0  # bumps on every change: replies built from the sessions are cached per generation
    started: float = field(default_factory=time.time)  # when every session that never changed came up
    positions: tuple | None = field(default=None, repr=False, compare=False)  # xmpp_servers' lookup, cached
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)  # a test's fixed one

    def xmpp_state(self, vrouter: str, control: str) -> SessionState:
        return self.xmpp.get((vrouter, control)) or SessionState()

    def bgp_state(self, a: str, b: str) -> SessionState:
        return self.bgp.get((a, b)) or SessionState()

    def set_xmpp(self, vrouter: str, control: str, up: bool, at: float | None = None) -> bool:
        """Returns whether anything changed."""
        return self._set(self.xmpp, (vrouter, control), up, at)

    def set_bgp(self, a: str, b: str, up: bool, at: float | None = None) -> bool:
        changed = self._set(self.bgp, (a, b), up, at)
        self._set(self.bgp, (b, a), up, at)
        return changed

    def _set(self, table: dict, key: tuple[str, str], up: bool, at: float | None) -> bool:
        state = table.setdefault(key, SessionState())
        if state.up == up:
            return False
        now = self.clock() if at is None else at
        state.up, state.since = up, now
        if not up:
            state.flaps += 1
            state.last_flap = now
        self.generation += 1
        return True


def control_nodes(topo) -> list:
    return [n for n in topo.nodes if "control" in n.roles]


def _positions(topo) -> tuple[dict[str, int], list]:
    """Each vrouter's position and the control nodes, computed once per topology (NodeStatus of 2000 agents)."""
    cached = topo.sessions.positions
    if cached is None or cached[0] != len(topo.nodes):
        index = {n.name: i for i, n in enumerate(topo.vrouters())}
        cached = topo.sessions.positions = (len(topo.nodes), index, control_nodes(topo))
    return cached[1], cached[2]


def known_control_nodes(topo) -> list:
    """control_nodes(topo), computed once per topology: every daemon's NodeStatus names them."""
    return _positions(topo)[1]


def xmpp_servers(topo, vrouter: str) -> list:
    """The control nodes a vrouter's agent talks to: two of the list, spread over the vrouters as agents pick."""
    index, controls = _positions(topo)
    if len(controls) <= 2:
        return list(controls)
    i = index.get(vrouter, 0)
    return [controls[i % len(controls)], controls[(i + 1) % len(controls)]]


def xmpp_status(topo, vr) -> tuple[bool, str, list[tuple[str, bool]]]:
    """What the agent's NodeStatus says of its XMPP sessions: (functional, description, [(server, up)]), by
    tf-controller's AgentUveBase::VrouterAgentProcessState: Non-Functional only when every control node is down."""
    servers = [(c.address, topo.sessions.xmpp_state(vr.name, c.name).up) for c in xmpp_servers(topo, vr.name)]
    down = [f"XMPP:control-node:{addr}" for addr, up in servers if not up]
    description = f"{', '.join(down)} connection down" if down else ""
    return (not servers or any(up for _, up in servers)), description, servers


def session_signature(topo, node) -> tuple:
    """The state of every session a node is an end of (cheap to compare: readers cache on it)."""
    if "vrouter" in node.roles:
        return tuple(topo.sessions.xmpp_state(node.name, c.name).up for c in xmpp_servers(topo, node.name))
    if "control" in node.roles:
        down = [k for k, s in topo.sessions.xmpp.items() if k[1] == node.name and not s.up]
        down += [k for k, s in topo.sessions.bgp.items() if k[0] == node.name and not s.up]
        return tuple(sorted(down))
    return ()
