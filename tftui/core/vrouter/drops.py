"""The vrouter datapath's drop counters: ``KDropStatsReq`` → ``KDropStatsResp``, their meanings, and their rates.

Counter names and identifiers from tf-controller ``src/vnsw/agent/kstate/kstate.sandesh``; labels as the
``dropstats`` utility prints them (tf-vrouter ``utils/vr_util.c``); each meaning from where tf-vrouter's datapath
(``dp-core/``) frees a packet with that reason. Counters only grow until the vrouter module reloads: a counter
that went down means a reset, and its rate is unknown rather than negative.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sandesh import DEFAULT_MAX_BYTES, F, Message, encode_document
from ..sandesh_fields import decode_reply, num, of_type


@dataclass(frozen=True)
class DropCounter:
    field: str  # ds_flow_action_drop
    identifier: int
    label: str  # Flow Action Drop (as dropstats prints it)
    meaning: str


_COUNTERS = (
    ("ds_discard", 2, "Discards", "sent to a discard next hop: the route for the destination says drop"),
    ("ds_pull", 3, "Pull Fails", "headers could not be pulled into a linear buffer (truncated or odd packet)"),
    ("ds_invalid_if", 4, "Invalid IF", "arrived on, or routed to, an interface the vrouter does not know"),
    ("ds_arp_not_me", 5, "ARP Not Me", "ARP request for an address this vrouter does not answer for"),
    ("ds_invalid_arp", 7, "Invalid ARP", "malformed or unexpected ARP packet"),
    ("ds_trap_no_if", 8, "Trap No IF", "meant for the agent or host, but pkt0/vhost0 was not there to take it"),
    ("ds_nowhere_to_go", 9, "Nowhere to go", "addressed to this vrouter but no local handler took it"),
    ("ds_flow_queue_limit_exceeded", 10, "Flow Queue Limit Exceeded",
     "too many packets held while the agent set up their flow"),
    ("ds_flow_no_memory", 11, "Flow No Memory", "no memory for a new flow entry or its hold queue"),
    ("ds_flow_invalid_protocol", 12, "Flow Invalid Protocol", "a protocol flows cannot be made for"),
    ("ds_flow_nat_no_rflow", 13, "Flow NAT no rflow", "NAT flow without its reverse flow"),
    ("ds_flow_action_drop", 14, "Flow Action Drop",
     "the flow's action is drop: a policy, security group or firewall rule denied it"),
    ("ds_flow_action_invalid", 15, "Flow Action Invalid", "flow entry with no valid action"),
    ("ds_flow_unusable", 16, "Flow Unusable", "flow entry being set up or torn down could not be used"),
    ("ds_flow_table_full", 17, "Flow Table Full", "flow table full: no room for a new flow"),
    ("ds_interface_tx_discard", 18, "IF TX Discard", "the outgoing interface refused to send (down or not ready)"),
    ("ds_interface_drop", 19, "IF Drop", "the interface's driver dropped it on transmit"),
    ("ds_duplicated", 20, "Duplicate", "original of a packet that was copied (flooding, mirroring)"),
    ("ds_push", 21, "Push Fails", "no headroom to add a tunnel or L2 header"),
    ("ds_ttl_exceeded", 22, "TTL Exceeded", "IP TTL ran out"),
    ("ds_invalid_nh", 23, "Invalid NH", "the route's next hop is missing or not valid in the datapath"),
    ("ds_invalid_label", 24, "Invalid Label", "MPLS label from the fabric that maps to no next hop here"),
    ("ds_invalid_protocol", 25, "Invalid Protocol", "a protocol the vrouter cannot handle at this point"),
    ("ds_interface_rx_discard", 26, "IF RX Discard", "received on an interface that is not ready for traffic"),
    ("ds_invalid_mcast_source", 27, "Invalid Mcast Source", "multicast from a source not in the tree"),
    ("ds_head_alloc_fail", 28, "Head Alloc Fails", "could not allocate a packet head"),
    ("ds_pcow_fail", 30, "PCOW fails", "could not make a private copy of a shared packet"),
    ("ds_mcast_clone_fail", 32, "Mcast Clone Fail", "could not clone a packet for multicast"),
    ("ds_rewrite_fail", 34, "Rewrite Fail", "could not rewrite the L2 header for the next hop"),
    ("ds_misc", 35, "Misc", "other reasons"),
    ("ds_invalid_packet", 36, "Invalid Packets", "malformed packet"),
    ("ds_cksum_err", 37, "Checksum errors", "bad checksum"),
    ("ds_no_fmd", 39, "No Fmd", "no forwarding metadata for the packet"),
    ("ds_cloned_original", 40, "Cloned Original", "original of a cloned packet, freed once the clones are out"),
    ("ds_invalid_vnid", 41, "Invalid VNID", "VXLAN packet with a VNI this vrouter does not have"),
    ("ds_frag_err", 42, "Fragment errors", "fragment could not be reassembled or forwarded"),
    ("ds_invalid_source", 43, "Invalid Source", "source failed the reverse-path check: not the VM's own address"),
    ("ds_mcast_df_bit", 44, "Jumbo Mcast Pkt with DF Bit", "multicast too big to forward and DF set"),
    ("ds_l2_no_route", 47, "No L2 Route", "no bridge (MAC) route for the destination"),
    ("ds_vlan_fwd_tx", 48, "VLAN fwd intf failed TX", "VLAN forwarding interface failed to send"),
    ("ds_vlan_fwd_enq", 49, "VLAN fwd intf failed enq", "VLAN forwarding interface failed to queue"),
    ("ds_no_memory", 51, "Memory Failures", "memory allocation failed"),
    ("ds_drop_new_flow", 52, "New Flow Drops", "new flows refused: the VM is over its flow limit"),
    ("ds_flow_evict", 53, "Flow Unusable (Eviction)", "packet for a flow being evicted"),
)
COUNTERS: tuple[DropCounter, ...] = tuple(DropCounter(*c) for c in _COUNTERS)
BY_FIELD = {c.field: c for c in COUNTERS}


@dataclass(frozen=True)
class DropStats:
    """One ``KDropStatsResp``: every counter by field name, sampled at ``at`` (tftui's clock)."""

    counters: dict[str, int]
    at: float = 0.0

    def nonzero(self) -> dict[str, int]:
        return {k: v for k, v in self.counters.items() if v}


@dataclass(frozen=True)
class DropRate:
    counter: DropCounter
    value: int
    delta: int | None = None  # since the previous sample; None without one, or after a reset
    rate: float | None = None  # per second

    @property
    def rising(self) -> bool:
        return bool(self.delta)


def decode_drop_stats(body: bytes, at: float = 0.0, max_bytes: int = DEFAULT_MAX_BYTES) -> DropStats:
    return drop_stats_from(decode_reply(body, ("KDropStatsResp",), max_bytes), at)


def drop_stats_from(messages: list[Message], at: float = 0.0) -> DropStats:
    counters: dict[str, int] = {}
    for resp in of_type(messages, ("KDropStatsResp",)):
        for key in resp:
            if key.startswith("ds_") and key != "ds_rid":
                counters[key] = num(resp, key)
    return DropStats(counters, at)


def drop_rates(current: DropStats, previous: DropStats | None = None) -> list[DropRate]:
    """Every counter that is not zero (or moved), in the order dropstats prints them, unknown ones after."""
    out: list[DropRate] = []
    fields = [c.field for c in COUNTERS] + sorted(k for k in current.counters if k not in BY_FIELD)
    elapsed = current.at - previous.at if previous is not None else 0.0
    for field in fields:
        value = current.counters.get(field, 0)
        before = previous.counters.get(field) if previous is not None else None
        if not value and not before:
            continue
        counter = BY_FIELD.get(field) or DropCounter(field, 0, field, "a counter this tftui does not know")
        delta = value - before if before is not None and value >= before else None
        rate = delta / elapsed if delta is not None and elapsed > 0 else None
        out.append(DropRate(counter, value, delta, rate))
    return out


def encode_drop_stats(counters: dict[str, int]) -> bytes:
    """Every counter in declaration order, as the agent sends them (zeros included)."""
    fields = [F("ds_rid", "u16", 0, 1)]
    fields += [F(c.field, "u64", counters.get(c.field, 0), c.identifier) for c in COUNTERS]
    fields.append(F("more", "bool", False, 0))
    return encode_document([("KDropStatsResp", fields)])
