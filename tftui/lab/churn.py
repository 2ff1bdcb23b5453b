"""``tftui lab --churn``: faults that come and go, so the events view has transitions to show, bounded so they never
bury the scenario's own faults.

At most ``MAX_ACTIVE`` churned faults at a time, each restored after a few periods, and only on what the scenario
left healthy. Each fault is one change of the shared state, so it shows in every protocol at once: an XMPP
session going down shows in the agent's own session list and NodeStatus description, in the control nodes'
neighbor lists and XMPP connections, and in the routes they hold; a BGP session between two control nodes in
both neighbor lists and their routes; a nodemgr's unsynchronized clock in its NodeStatus.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from .sessions import control_nodes, xmpp_servers
from .topology import FUNCTIONAL, NON_FUNCTIONAL, ServiceBehaviour, Topology
from .trace_feed import trace_event

MAX_ACTIVE = 2
HOLD = (3, 6)  # periods a churned fault lasts
NTP = "NTP state unsynchronized."


@dataclass
class Fault:
    kind: str  # xmpp | bgp | ntp
    a: str  # vrouter / control node / node
    b: str  # control node / peer / service key
    until: int  # the round it is restored at


def _healthy_vrouters(topo: Topology) -> list:
    """Vrouters the scenario left alone: reachable, every session up, default agent behaviour."""
    out = []
    for vr in topo.vrouters():
        if vr.dead or vr.hang or vr.behaviour_of("vrouter-agent").mode != FUNCTIONAL:
            continue
        if all(topo.sessions.xmpp_state(vr.name, c.name).up for c in xmpp_servers(topo, vr.name)):
            out.append(vr)
    return out


def _quiet_nodemgrs(topo: Topology) -> list[tuple]:
    out = []
    for node in topo.nodes:
        if node.dead or node.hang:
            continue
        for svc in node.services():
            b = node.behaviour_of(svc.key)
            if svc.is_nodemgr and b.mode == FUNCTIONAL and not b.description:
                out.append((node, svc))
    return out


class Churn:
    """``sharded``: the lab runs in several processes (lab/shards.py), each with its own copy of the session
    state; a session taken down in one would stay up in the others, so each churns only its own nodes' nodemgrs."""

    def __init__(self, ctx, rng: random.Random, sharded: bool = False):
        self.ctx, self.topo, self.rng = ctx, ctx.topo, rng
        self.active: list[Fault] = []
        self.round = 0
        served = {n.name for n in getattr(ctx.introspect, "served", None) or self.topo.nodes}
        # what the scenario starts with is never touched (nor are nodes a churned fault is on)
        self.nodemgrs = [(n, s) for n, s in _quiet_nodemgrs(self.topo) if n.name in served]
        self.vrouters = [] if sharded else _healthy_vrouters(self.topo)
        controls = [] if sharded else control_nodes(self.topo)
        self.bgp_pairs = [(a.name, b.name) for i, a in enumerate(controls) for b in controls[i + 1:]
                          if self.topo.sessions.bgp_state(a.name, b.name).up]

    def _busy(self) -> set[str]:
        return {f.a for f in self.active} | {f.b for f in self.active}

    def _start(self) -> Fault | None:
        busy = self._busy()
        kinds = []
        if [v for v in self.vrouters if v.name not in busy]:
            kinds += ["xmpp"] * 3
        if [p for p in self.bgp_pairs if not set(p) & busy]:
            kinds.append("bgp")
        if [n for n, _ in self.nodemgrs if n.name not in busy]:
            kinds.append("ntp")
        if not kinds:
            return None
        kind = self.rng.choice(kinds)
        until = self.round + self.rng.randint(*HOLD)
        if kind == "xmpp":
            vr = self.rng.choice([v for v in self.vrouters if v.name not in busy])
            ctrl = self.rng.choice(xmpp_servers(self.topo, vr.name))
            self.topo.sessions.set_xmpp(vr.name, ctrl.name, False)
            return Fault(kind, vr.name, ctrl.name, until)
        if kind == "bgp":
            a, b = self.rng.choice([p for p in self.bgp_pairs if not set(p) & busy])
            self.topo.sessions.set_bgp(a, b, False)
            return Fault(kind, a, b, until)
        node, svc = self.rng.choice([(n, s) for n, s in self.nodemgrs if n.name not in busy])
        node.behaviour[svc.key] = ServiceBehaviour(NON_FUNCTIONAL, NTP)
        return Fault(kind, node.name, svc.key, until)

    def _restore(self, f: Fault) -> None:
        if f.kind == "xmpp":
            self.topo.sessions.set_xmpp(f.a, f.b, True)
        elif f.kind == "bgp":
            self.topo.sessions.set_bgp(f.a, f.b, True)
        else:
            self.topo.node(f.a).behaviour[f.b] = ServiceBehaviour(FUNCTIONAL)

    def _touched(self, f: Fault, up: bool) -> None:
        """Replies the lab caches for the nodes concerned are rebuilt; their daemons trace what happened."""
        lab = self.ctx.introspect
        for name in (f.a, f.b):
            if any(n.name == name for n in self.topo.nodes):
                lab.invalidate(name)
        trace_event(lab, self.topo, f.kind, f.a, f.b, up)

    def restore_all(self) -> None:
        for f in self.active:
            self._restore(f)
            self._touched(f, up=True)
        self.active = []

    def step(self) -> None:
        self.round += 1
        for f in [f for f in self.active if f.until <= self.round]:
            self.active.remove(f)
            self._restore(f)
            self._touched(f, up=True)
        if len(self.active) < MAX_ACTIVE:
            f = self._start()
            if f is not None:
                self.active.append(f)
                self._touched(f, up=False)


async def churn(ctx, period: float, rng: random.Random, sharded: bool = False) -> None:
    c = Churn(ctx, rng, sharded)
    while True:
        await asyncio.sleep(period)
        c.step()
