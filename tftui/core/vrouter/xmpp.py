"""The agent's XMPP sessions to the control nodes: ``AgentXmppConnectionStatusReq`` → ``AgentXmppConnectionStatus``.

Names and identifiers from tf-controller ``src/vnsw/agent/controller/controller.sandesh`` (AgentXmppData). An agent
keeps sessions to at most two control nodes of its configured list; ``cfg_controller`` marks the one it takes its
configuration from.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sandesh import DEFAULT_MAX_BYTES, F, L, Message, S, Struct, encode_document
from ..sandesh_fields import decode_reply, num, of_type, struct, structs, text

ESTABLISHED = "Established"
XMPP_PORT = 5269


@dataclass(frozen=True)
class AgentXmppPeer:
    controller_ip: str
    state: str
    peer_name: str = "network-control@contrailsystems.com"
    peer_address: str = ""
    cfg_controller: bool = False
    mcast_controller: bool = False
    last_state: str = ""
    last_event: str = ""
    last_state_at: str = ""
    flap_count: int = 0
    flap_time: str = ""
    rx_updates: int = 0
    tx_updates: int = 0

    @property
    def established(self) -> bool:
        return self.state == ESTABLISHED


def peer_from_struct(st: Struct) -> AgentXmppPeer:
    rx, tx = struct(st, "rx_proto_stats"), struct(st, "tx_proto_stats")
    return AgentXmppPeer(
        controller_ip=text(st, "controller_ip"), state=text(st, "state"), peer_name=text(st, "peer_name"),
        peer_address=text(st, "peer_address"), cfg_controller=text(st, "cfg_controller") == "Yes",
        mcast_controller=text(st, "mcast_controller") == "Yes", last_state=text(st, "last_state"),
        last_event=text(st, "last_event"), last_state_at=text(st, "last_state_at"), flap_count=num(st, "flap_count"),
        flap_time=text(st, "flap_time"), rx_updates=num(rx, "update"), tx_updates=num(tx, "update"),
    )


def decode_agent_xmpp(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[AgentXmppPeer]:
    return agent_xmpp_from(decode_reply(body, ("AgentXmppConnectionStatus",), max_bytes))


def agent_xmpp_from(messages: list[Message]) -> list[AgentXmppPeer]:
    return [peer_from_struct(s) for resp in of_type(messages, ("AgentXmppConnectionStatus",))
            for s in structs(resp, "peer")]


def _stats(open_: int, keepalive: int, update: int, close: int) -> S:
    return S("ControllerProtoStats", [F("open", "u32", open_, 1), F("keepalive", "u32", keepalive, 2),
                                      F("update", "u32", update, 3), F("close", "u32", close, 4)])


def _peer_struct(p: AgentXmppPeer) -> S:
    return S("AgentXmppData", [
        F("controller_ip", "string", p.controller_ip, 1), F("state", "string", p.state, 2),
        F("peer_name", "string", p.peer_name, 3), F("peer_address", "string", p.peer_address, 4),
        F("cfg_controller", "string", "Yes" if p.cfg_controller else "No", 5),
        F("mcast_controller", "string", "Yes" if p.mcast_controller else "No", 6),
        F("last_state", "string", p.last_state, 7), F("last_event", "string", p.last_event, 8),
        F("last_state_at", "string", p.last_state_at, 9), F("flap_count", "u32", p.flap_count, 10),
        F("flap_time", "string", p.flap_time, 11), F("dscp", "u16", 0, 19),
        F("rx_proto_stats", "struct", _stats(1 + p.flap_count, 300, p.rx_updates, p.flap_count), 12),
        F("tx_proto_stats", "struct", _stats(1 + p.flap_count, 6, p.tx_updates, 0), 13),
        F("xmpp_auth_type", "string", "NIL", 14),
        F("sequence_number", "u64", p.rx_updates, 15), F("last_ready_time", "string", p.last_state_at, 16),
    ])


def encode_agent_xmpp(peers: list[AgentXmppPeer] | tuple[AgentXmppPeer, ...]) -> bytes:
    return encode_document([("AgentXmppConnectionStatus", [
        F("peer", "list", L("struct", [_peer_struct(p) for p in peers]), 1), F("more", "bool", False, 0)])])
