"""A control node's neighbors: ``BgpNeighborReq`` (BGP peers and XMPP agents alike) and ``ShowXmppConnectionReq``.

Field names, types and identifiers are those of tf-controller's ``src/bgp/bgp_peer.sandesh`` (BgpNeighborResp)
and ``src/xmpp/sandesh/xmpp_server.sandesh`` (ShowXmppConnection). The control node lists its BGP peers first,
then its XMPP peers 64 at a time, with a ``next_batch`` key (``next_entry||search_string``) for
``BgpNeighborReqIterate`` when more follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sandesh import DEFAULT_MAX_BYTES, F, L, Message, S, Struct, encode_document
from ..sandesh_fields import decode_reply, flag, listing, num, of_type, strings, structs, text

ESTABLISHED = "Established"
XMPP = "XMPP"
BGP = "BGP"
ITERATE_SEPARATOR = "||"
NEIGHBOR_PAGE = 64  # XMPP neighbors per reply (BgpShowHandler::kPageLimit)


@dataclass(frozen=True)
class BgpNeighbor:
    """One ``BgpNeighborResp``: a BGP peer of the control node, or an agent connected over XMPP."""

    peer: str
    peer_address: str
    peer_asn: int = 0
    encoding: str = BGP  # BGP | XMPP
    peer_type: str = "internal"  # internal | external
    state: str = ""
    send_state: str = ""  # in sync | not in sync | not advertising
    flap_count: int = 0
    last_flap: str = ""  # flap_time; empty when it never flapped
    prefixes: int = 0  # primary_path_count: paths learned from this peer that are primary
    local_address: str = ""
    local_asn: int = 0
    router_type: str = ""  # control-node | router | bgpaas-client ... (bgp_schema.xsd BgpRouterType)
    instance_name: str = ""
    deleted: bool = False
    admin_down: bool = False
    closed_at: str = ""
    last_state: str = ""
    last_event: str = ""
    last_error: str = ""
    last_state_at: str = ""
    hold_time: int = 0  # negotiated_hold_time

    @property
    def established(self) -> bool:
        return self.state == ESTABLISHED and not self.deleted

    @property
    def is_xmpp(self) -> bool:
        return self.encoding == XMPP


@dataclass(frozen=True)
class NeighborPage:
    neighbors: tuple[BgpNeighbor, ...]
    next_batch: str = ""  # the BgpNeighborReqIterate key, empty on the last page


@dataclass(frozen=True)
class XmppConnection:
    """One ``ShowXmppConnection`` of the control node's XMPP server."""

    name: str
    remote_endpoint: str
    local_endpoint: str = ""
    state: str = ""
    last_event: str = ""
    last_state: str = ""
    last_state_at: str = ""
    receivers: tuple[str, ...] = ()
    server_auth_type: str = ""
    deleted: bool = False
    dscp_value: int = 0

    @property
    def established(self) -> bool:
        return self.state == ESTABLISHED and not self.deleted


# ------------------------------------------------------------------------------------ decoding


def neighbor_from_struct(st: Struct) -> BgpNeighbor:
    return BgpNeighbor(
        peer=text(st, "peer"), peer_address=text(st, "peer_address"), peer_asn=num(st, "peer_asn"),
        encoding=text(st, "encoding"), peer_type=text(st, "peer_type"), state=text(st, "state"),
        send_state=text(st, "send_state"), flap_count=num(st, "flap_count"), last_flap=text(st, "flap_time"),
        prefixes=num(st, "primary_path_count"), local_address=text(st, "local_address"),
        local_asn=num(st, "local_asn"), router_type=text(st, "router_type"), instance_name=text(st, "instance_name"),
        deleted=flag(st, "deleted"), admin_down=flag(st, "admin_down"), closed_at=text(st, "closed_at"),
        last_state=text(st, "last_state"), last_event=text(st, "last_event"), last_error=text(st, "last_error"),
        last_state_at=text(st, "last_state_at"), hold_time=num(st, "negotiated_hold_time"),
    )


NEIGHBOR_REPLIES = ("BgpNeighborListResp", "ShowBgpNeighborSummaryResp")


def decode_neighbors(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> NeighborPage:
    """A ``BgpNeighborListResp`` (or ``ShowBgpNeighborSummaryResp``): the neighbors and the next batch key."""
    return neighbors_from(decode_reply(body, NEIGHBOR_REPLIES, max_bytes))


def neighbors_from(messages: list[Message]) -> NeighborPage:
    """The neighbors of decoded replies (one page, or every page a client followed)."""
    return NeighborPage(*listing(messages, NEIGHBOR_REPLIES, "neighbors", neighbor_from_struct))


def connection_from_struct(st: Struct) -> XmppConnection:
    return XmppConnection(
        name=text(st, "name"), remote_endpoint=text(st, "remote_endpoint"), local_endpoint=text(st, "local_endpoint"),
        state=text(st, "state"), last_event=text(st, "last_event"), last_state=text(st, "last_state"),
        last_state_at=text(st, "last_state_at"), receivers=strings(st, "receivers"),
        server_auth_type=text(st, "server_auth_type"), deleted=flag(st, "deleted"), dscp_value=num(st, "dscp_value"),
    )


def decode_xmpp_connections(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[XmppConnection]:
    return xmpp_connections_from(decode_reply(body, ("ShowXmppConnectionResp",), max_bytes))


def xmpp_connections_from(messages: list[Message]) -> list[XmppConnection]:
    return [connection_from_struct(s) for resp in of_type(messages, ("ShowXmppConnectionResp",))
            for s in structs(resp, "connections")]


# ------------------------------------------------------------------------------------ iterate keys


def iterate_key(next_entry: str, search_string: str) -> str:
    """``next_entry||search_string``: what the control node hands out for every ``...ReqIterate`` but routes."""
    return f"{next_entry}{ITERATE_SEPARATOR}{search_string}"


def parse_iterate_key(key: str) -> tuple[str, str] | None:
    """(next_entry, search_string), or None for a key without the separator (the server then answers nothing)."""
    entry, sep, search = key.partition(ITERATE_SEPARATOR)
    return (entry, search) if sep else None


# ------------------------------------------------------------------------------------ encoding (lab)


def _proto_stats(open_: int, keepalive: int, update: int) -> S:
    return S("PeerProtoStats", [F("total", "u64", open_ + keepalive + update, 1), F("open", "u64", open_, 2),
                                F("keepalive", "u64", keepalive, 3), F("notification", "u64", 0, 4),
                                F("update", "u64", update, 5), F("close", "u64", 0, 6)])


def _neighbor_struct(n: BgpNeighbor) -> S:
    """Fields in declaration order, as the C++ control node sends them."""
    xmpp = n.is_xmpp
    fields = [
        F("instance_name", "string", n.instance_name, 53),
        F("peer", "string", n.peer, 1, link="BgpNeighborReq"),
        F("deleted", "bool", n.deleted, 36),
        F("peer_address", "string", n.peer_address, 2, link="BgpNeighborReq"),
        F("peer_id", "string", "" if xmpp else n.peer_address, 25),
        F("peer_asn", "u32", n.peer_asn, 3),
        F("encoding", "string", n.encoding, 6),
        F("peer_type", "string", n.peer_type, 7),
        F("state", "string", n.state, 8),
        F("closed_at", "string", n.closed_at, 43),
        F("router_type", "string", n.router_type, 52),
        F("admin_down", "bool", n.admin_down, 47),
        F("passive", "bool", False, 48),
        F("as_override", "bool", False, 55),
        F("origin_override", "bool", False, 65),
        F("route_origin", "string", "-", 66),
        F("as4_supported", "bool", not xmpp, 67),
        F("private_as_action", "string", "", 61),
        F("send_ready", "bool", n.established, 62),
        F("peer_port", "u32", 0 if xmpp else 179, 50),
        F("transport_address", "string", "", 51),
        F("local_address", "string", n.local_address, 4),
        F("local_id", "string", "" if xmpp else n.local_address.split(":")[0], 26),
        F("local_asn", "u32", n.local_asn, 5),
        F("cluster_id", "string", "0.0.0.0", 64),
        F("task_instance", "u32", 0, 56),
        F("send_state", "string", n.send_state, 9),
        F("last_event", "string", n.last_event, 10),
        F("last_state", "string", n.last_state, 11),
        F("last_state_at", "string", n.last_state_at, 12),
        F("last_error", "string", n.last_error, 13),
        F("auth_type", "string", "NIL" if xmpp else "", 44),
        F("configured_address_families", "list",
          L("string", [] if xmpp else ["route-target", "inet-vpn", "e-vpn", "erm-vpn", "inet6-vpn"]), 38),
        F("negotiated_address_families", "list",
          L("string", ["route-target", "inet-vpn"] if n.established and not xmpp else []), 39),
        F("configured_hold_time", "u32", 90, 40),
        F("negotiated_hold_time", "u32", n.hold_time, 41),
        F("primary_path_count", "u32", n.prefixes, 46),
        F("flap_count", "u64", n.flap_count, 23),
        F("flap_time", "string", n.last_flap, 24),
        F("rx_proto_stats", "struct", _proto_stats(1 + n.flap_count, 120, n.prefixes + 2), 30),
        F("tx_proto_stats", "struct", _proto_stats(1 + n.flap_count, 120, 4), 31),
    ]
    return S("BgpNeighborResp", fields)


def encode_neighbors(neighbors: list[BgpNeighbor] | tuple[BgpNeighbor, ...], next_batch: str = "",
                     summary: bool = False) -> bytes:
    """``BgpNeighborListResp`` (``ShowBgpNeighborSummaryResp`` for the summary request)."""
    fields = [F("neighbors", "list", L("struct", [_neighbor_struct(n) for n in neighbors]), 1)]
    if next_batch:
        iterate = "ShowBgpNeighborSummaryReqIterate" if summary else "BgpNeighborReqIterate"
        fields.append(F("next_batch", "string", next_batch, 2, link=iterate, link_title="next_batch"))
    fields.append(F("more", "bool", False, 0))
    return encode_document([("ShowBgpNeighborSummaryResp" if summary else "BgpNeighborListResp", fields)])


def _connection_struct(c: XmppConnection) -> S:
    return S("ShowXmppConnection", [
        F("name", "string", c.name, 1), F("deleted", "bool", c.deleted, 2),
        F("remote_endpoint", "string", c.remote_endpoint, 3), F("local_endpoint", "string", c.local_endpoint, 4),
        F("state", "string", c.state, 5), F("last_event", "string", c.last_event, 6),
        F("last_state", "string", c.last_state, 7), F("last_state_at", "string", c.last_state_at, 8),
        F("receivers", "list", L("string", list(c.receivers)), 9),
        F("server_auth_type", "string", c.server_auth_type, 10), F("dscp_value", "u16", c.dscp_value, 11),
    ])


def encode_xmpp_connections(connections: list[XmppConnection] | tuple[XmppConnection, ...]) -> bytes:
    return encode_document([("ShowXmppConnectionResp", [
        F("connections", "list", L("struct", [_connection_struct(c) for c in connections]), 1),
        F("more", "bool", False, 0)])])
