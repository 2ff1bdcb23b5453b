"""Trace buffers that fill while the lab runs: XMPP and BGP messages on the control nodes and agents, a few daemons
at a time, and a line for every session that goes down or comes back (lab/churn.py), in the words of the
daemons' own traces (``XmppRxStream: Received xmpp message from: ... Packet: ... $ file line``)."""

from __future__ import annotations

import asyncio
import itertools

from .introspect_library import trace_buffers
from .sessions import control_nodes, xmpp_servers
from .topology import Topology

PER_TICK = 6  # daemons that get a line per tick: bounded work whatever the cluster's size
_XMPP_SOURCE = "$ controller/src/xmpp/xmpp_connection.cc 545"


def _service(node, key: str):
    return next((s for s in node.services() if s.key == key), None)


def _add(lab, node, key: str, buffer: str, trace: str, text: str) -> None:
    svc = _service(node, key)
    if svc is not None and not node.dead:
        trace_buffers(lab).add(node, svc, buffer, trace, text)


def _xmpp_rx(sender: str, port: int, packet: str) -> str:
    return f"Received xmpp message from:  {sender} Port {port} Size:  {len(packet)} Packet:  {packet} {_XMPP_SOURCE}"


def trace_event(lab, topo: Topology, kind: str, a: str, b: str, up: bool) -> None:
    """What the daemons on both ends trace when a session changes state."""
    nodes = {n.name: n for n in topo.nodes}
    change = "Active -> Established" if up else "Established -> Idle"
    event = "EvXmppOpen" if up else "EvTcpClose"
    if kind == "xmpp" and a in nodes and b in nodes:
        vr, ctrl = nodes[a], nodes[b]
        _add(lab, ctrl, "control", "XmppTrace", "XmppStateMachineDebug",
             f"Peer: {vr.name} ({vr.address}) Event: xmsm::{event} State: {change}")
        _add(lab, vr, "vrouter-agent", "Controller", "AgentXmppTrace",
             f"Peer: {ctrl.address} XMPP channel {'up' if up else 'down'}: {change}")
    elif kind == "bgp" and a in nodes and b in nodes:
        for x, y in ((nodes[a], nodes[b]), (nodes[b], nodes[a])):
            _add(lab, x, "control", "BgpTraceBuf", "BgpPeerStateMachine",
                 f"Peer: {y.address} Event: fsm::{'EvBgpOpen' if up else 'EvHoldTimerExpired'} State: {change}")


def feed_once(lab, topo: Topology, cursor) -> None:
    """One tick: the next few daemons in turn get the line they would have traced by now."""
    for kind, node, peer in itertools.islice(cursor, PER_TICK):
        if kind == "agent":
            _add(lab, node, "vrouter-agent", "XmppMessageTrace", "XmppRxStream", _xmpp_rx(
                peer.address, 5269, f'<message from="network-control@contrailsystems.com" to="{node.name}/bgp-peer">'
                                    '<event xmlns="http://jabber.org/protocol/pubsub"><items node="1/1/'
                                    'default-domain:k8s-default:k8s-default-pod-network"/></event></message>'))
        else:
            _add(lab, node, "control", "XmppMessageTrace", "XmppRxStream", _xmpp_rx(
                peer.address, 40000 + sum(map(ord, peer.name)) % 20000,
                f'<iq type="set" from="{peer.name}" to="network-control@contrailsystems.com/bgp-peer" '
                'id="pubsub4"><pubsub xmlns="http://jabber.org/protocol/pubsub"><publish/></pubsub></iq>'))


def _rotation(topo: Topology):
    """Every (daemon, peer it hears from) pair, round and round."""
    pairs = []
    for vr in topo.vrouters():
        for ctrl in xmpp_servers(topo, vr.name):
            pairs.append(("agent", vr, ctrl))
            pairs.append(("control", ctrl, vr))
    if not pairs:
        pairs = [("control", c, c) for c in control_nodes(topo)]
    return itertools.cycle(pairs) if pairs else iter(())


async def feed(lab, topo: Topology, period: float = 2.0) -> None:
    cursor = _rotation(topo)
    while True:
        feed_once(lab, topo, cursor)
        await asyncio.sleep(period)
