"""One vrouter's flow tables as its agent holds them, and the agent's own walks over them.

Flows live in ``partitions`` flow tables, each a map ordered by ``FlowKey::IsLess`` (family, nh, source,
destination, protocol, source port, destination port). ``NextFlowRecordsSet`` continues *after* the given
key (``upper_bound``) in the key's partition, 100 records a page, and hands back the key of the last record
(or ``<partition+1>-0-0-0-0-0.0.0.0-0.0.0.0`` when that partition ended exactly there; a partition past the
last answers ``FlowErrorResp``) — ``PktSandeshFlow::Run``. Older agents had one table and the ``dash`` or
``colon`` key formats. The kernel table is indexed by flow handle.
"""

from __future__ import annotations

import bisect
import ipaddress
import time
from dataclasses import dataclass, replace

from tftui.core.flows.actions import DENY, KERNEL_CODE_FOR_REASON, PASS
from tftui.core.flows.decide import Decision, Packet, Workload, decide, reverse_of, where_for
from tftui.core.flows.kernel import KernelFlow
from tftui.core.flows.records import PAGE_SIZE, START_KEY_OF, AclBlock, FlowRecord, flow_struct
from tftui.core.sandesh import Raw, encode_struct
from tftui.lab.agent import interface_table, vmi_config_name

from .traffic import Conversation, LabTraffic, flow_uuid

KERNEL_TABLE_SIZE = 524288  # vrouter's default flow table (--vr_flow_entries)
STATS_PERIOD = 60.0  # seconds between two updates of a flow's packet and byte counters
FABRIC_NH = 10  # the key next hop of a flow without a VM interface here (the vhost's)


def _sort_key(rec: FlowRecord) -> tuple:
    src, dst = ipaddress.ip_address(rec.sip), ipaddress.ip_address(rec.dip)
    return (src.version, rec.nh, int(src), int(dst), rec.protocol, rec.src_port, rec.dst_port)


@dataclass
class Entry:
    record: FlowRecord  # packets/bytes as of ``conv.started``; current counts are filled in when served
    conv: Conversation
    reverse: bool
    partition: int
    xml: str = ""  # the record encoded once, counters left as placeholders (a page is 100 of them)


# Counter values no flow has, replaced in the cached XML by the live ones
_PACKETS, _BYTES = -7_100_000_001, -7_100_000_002


def _setup_time(t: float) -> str:
    return time.strftime("%Y-%b-%d %H:%M:%S", time.gmtime(t)) + f".{int(t * 1e6) % 1000000:06d}"


class VrouterFlows:
    """The flow tables of one vrouter, built from the lab's conversations at one config generation."""

    def __init__(self, traffic: LabTraffic, vrouter: str):
        self.traffic, self.vrouter = traffic, vrouter
        node = traffic.topo.node(vrouter)
        self.address = node.address
        self.nh_of = {a.ip_addr: a.flow_key_idx for a in interface_table(traffic.topo, node) if a.type == "vport"
                      and a.ip_addr and a.ip_addr != node.address}
        self.vrf_of = {n.fq_name_str: 3 + i for i, n in enumerate(traffic.topo.networks)}
        # agents before partitioned flow tables (the older key formats) had one table
        partitions = traffic.partitions if traffic.key_format == "partition" else 1
        self.tables: list[list[Entry]] = [[] for _ in range(max(1, partitions))]
        used: set[int] = set()
        view = traffic.view()
        for conv in traffic.conversations_on(vrouter):
            self._add(conv, view, used)
        for table in self.tables:
            table.sort(key=lambda e: _sort_key(e.record))
        self.keys = [[_sort_key(e.record) for e in table] for table in self.tables]
        self.by_uuid = {e.record.uuid: e for table in self.tables for e in table}

    # ------------------------------------------------------------------ building
    def _add(self, conv: Conversation, view, used: set[int]) -> None:
        a = view.workloads.get(conv.src.ip)
        if a is None:
            return
        b = view.workloads.get(conv.dst_ip) or Workload(conv.dst_ip)
        where = where_for(a, b, self.vrouter)
        if where is None:
            return
        pkt = Packet(a.ip, b.ip, conv.protocol, conv.src_port, conv.dst_port)
        if conv.short_reason:
            if where != "destination":  # a flow the source cannot set up never reaches the destination
                self._put(conv, view, a, b, pkt, Decision(1 << DENY, conv.short_reason), where, False, used, True)
            return
        d = decide(view.cfg, pkt, a, b, where)
        self._put(conv, view, a, b, pkt, d, where, False, used)
        self._put(conv, view, b, a, pkt.reversed(), reverse_of(d), where, True, used)

    @staticmethod
    def _handle(key: str, used: set[int]) -> int:
        """The flow's index in the kernel table: a hash of its key, the next free slot on collision."""
        h = int(flow_uuid(key)[:8], 16) % KERNEL_TABLE_SIZE
        while h in used:
            h = (h + 1) % KERNEL_TABLE_SIZE
        used.add(h)
        return h

    def _put(self, conv: Conversation, view, src: Workload, dst: Workload, pkt: Packet, d: Decision, where: str,
             reverse: bool, used: set[int], short: bool = False) -> None:
        # Whose interface the flow belongs to: a flow a VM sends is "ingress", one arriving from the fabric for
        # a VM "egress"; either way its key carries that VM interface's key next hop (as real captures show).
        from_vm = where == "local" or (where == "source") != reverse
        own, other = (src, dst) if from_vm else (dst, src)
        nh = self.nh_of.get(own.ip, FABRIC_NH)
        key = f"{self.vrouter}/{nh}/{pkt.src_ip}/{pkt.dst_ip}/{pkt.protocol}/{pkt.src_port}/{pkt.dst_port}"
        handle = self._handle(key, used)
        itf = self.traffic.by_ip.get(own.ip)
        blocks = {"policy": AclBlock(1 << PASS), "sg": AclBlock(1 << PASS),
                  "policy_set": AclBlock(1 << PASS if reverse else d.action, d.policy_set_acls)}
        if where == "local":
            blocks["out_policy_set"] = AclBlock(1 << PASS, d.out_policy_set_acls)
        peer = ""
        if where != "local":
            peer = self.traffic.topo.node(other.vrouter).address if other.vrouter else \
                self.traffic.topo.router.router_id
        rec = FlowRecord(
            sip=pkt.src_ip, dip=pkt.dst_ip, src_port=pkt.src_port, dst_port=pkt.dst_port, protocol=pkt.protocol,
            vrf=self.vrf_of.get(own.vn, 1), dest_vrf=self.vrf_of.get(other.vn or own.vn, 1), nh=nh,
            uuid=flow_uuid(key), action=d.action, drop_reason=d.drop_reason if d.dropped else "",
            short_flow=short, short_reason=d.drop_reason if short else "", implicit_deny=d.implicit,
            direction="ingress" if from_vm else "egress", reverse_flow=reverse, local_flow=where == "local",
            source_vn=src.vn or "__UNKNOWN__", dest_vn=dst.vn or "__UNKNOWN__",
            sg_rule_uuid=d.sg_rule_uuid, nw_ace_uuid=d.nw_ace_uuid, fw_policy_match=d.fw_policy_match,
            local_tags=self._tag_ids(view, own.tags), remote_tags=self._tag_ids(view, other.tags),
            remote_prefix="" if other.tags else f"{other.ip}/32", vmi=vmi_config_name(itf) if itf else "",
            peer_vrouter=peer or self.address, tunnel_type="MPLSoUDP" if peer else "UNKNOWN",
            flow_handle=handle, gen_id=1 + handle % 250, setup_time=_setup_time(conv.started),
            setup_time_utc=int(conv.started * 1e6), blocks=blocks)
        # forward and reverse flows live in the same flow table (the partition of the forward flow)
        pair = sorted((pkt.src_ip, pkt.dst_ip))
        partition = int(flow_uuid(*pair, pkt.protocol)[:2], 16) % len(self.tables)
        self.tables[partition].append(Entry(rec, conv, reverse, partition))

    @staticmethod
    def _tag_ids(view, tags) -> tuple[int, ...]:
        return tuple(sorted(view.tag_ids[t] for t in tags if t in view.tag_ids))

    # ------------------------------------------------------------------ serving
    def live(self, entry: Entry, now: float | None = None) -> FlowRecord:
        """The record with its counters as of the last stats sample (flows keep counting while they live; the
        agent's stats collector refreshes them now and then, not on every read)."""
        now = self.traffic.clock() if now is None else now
        sampled = now - now % STATS_PERIOD
        packets = max(1, int((sampled - entry.conv.started) * entry.conv.rate))
        return replace(entry.record, packets=packets, bytes=packets * entry.conv.size)

    def raw(self, entry: Entry, now: float) -> Raw:
        """The record as XML with its counters as of ``now``, encoded once per table."""
        if not entry.xml:
            entry.xml = encode_struct(flow_struct(replace(entry.record, packets=_PACKETS, bytes=_BYTES)))
        live = self.live(entry, now)
        return Raw(entry.xml.replace(f">{_PACKETS}<", f">{live.packets}<").replace(f">{_BYTES}<", f">{live.bytes}<"))

    @property
    def records(self) -> list[Entry]:
        return [e for table in self.tables for e in table]

    def key_of(self, rec: FlowRecord, partition: int) -> str:
        fmt = self.traffic.key_format
        if fmt == "colon":
            return f"{rec.nh}:{rec.src_port}:{rec.dst_port}:{rec.protocol}:{rec.sip}:{rec.dip}"
        if fmt == "dash":
            return f"{rec.nh}-{rec.src_port}-{rec.dst_port}-{rec.protocol}-{rec.sip}-{rec.dip}"
        return f"{partition}-{rec.nh}-{rec.src_port}-{rec.dst_port}-{rec.protocol}-{rec.sip}-{rec.dip}"

    def _parse(self, key: str) -> tuple[int, tuple] | None:
        """The agent's SetFlowKey: the right number of delimiters or the key is invalid."""
        fmt = self.traffic.key_format
        sep, count = (":", 5) if fmt == "colon" else ("-", 5 if fmt == "dash" else 6)
        if key.count(sep) != count:
            return None
        parts = key.split(sep)
        partition = int(parts.pop(0)) if fmt == "partition" and parts[0].isdigit() else 0
        try:
            nh, sport, dport, proto = (int(p) for p in parts[:4])
            src, dst = ipaddress.ip_address(parts[4]), ipaddress.ip_address(parts[5])
        except ValueError:
            return None
        return partition, (src.version, nh, int(src), int(dst), proto, sport, dport)

    def page(self, key: str) -> tuple[list[Raw], str] | None:
        """(records, next key) for ``NextFlowRecordsSet?flow_key=key``; None is the agent's FlowErrorResp."""
        parsed = self._parse(key)
        if parsed is None:
            return None
        partition, fk = parsed
        tables, keys = self.tables, self.keys
        if partition >= len(tables):
            return None
        i = bisect.bisect_right(keys[partition], fk)
        while i >= len(tables[partition]) and partition + 1 < len(tables):
            partition, i = partition + 1, 0
        now = self.traffic.clock()
        out: list[Raw] = []
        while i < len(tables[partition]):
            entry = tables[partition][i]
            out.append(self.raw(entry, now))
            i += 1
            if len(out) == PAGE_SIZE:
                if i < len(tables[partition]):
                    return out, self.key_of(entry.record, partition)
                return out, f"{partition + 1}-0-0-0-0-0.0.0.0-0.0.0.0" if self.traffic.key_format == "partition" \
                    else START_KEY_OF[self.traffic.key_format]
            while i >= len(tables[partition]) and partition + 1 < len(tables):
                partition, i = partition + 1, 0
        return out, START_KEY_OF[self.traffic.key_format]

    def lookup(self, nh: int, sip: str, dip: str, sport: int, dport: int, proto: int) -> FlowRecord | None:
        for entry in self.records:
            r = entry.record
            if (r.nh, r.sip, r.dip, r.src_port, r.dst_port, r.protocol) == (nh, sip, dip, sport, dport, proto):
                return self.live(entry)
        return None

    def kernel(self) -> list[KernelFlow]:
        """The datapath's view of the same flows, sorted by index; a short flow is evicted (the agent has the
        vrouter drop it and reclaim its slot), listed only in show-evicted mode."""
        by_tuple = {(e.record.sip, e.record.dip, e.record.protocol, e.record.src_port, e.record.dst_port): e
                    for e in self.records}
        now = self.traffic.clock()
        out = []
        for e in self.records:
            r = self.live(e, now)
            back = Packet(r.sip, r.dip, r.protocol, r.src_port, r.dst_port).reversed()
            partner = by_tuple.get((back.src_ip, back.dst_ip, back.protocol, back.src_port, back.dst_port))
            dropped = r.dropped
            tcp = ("SYN", "SYN_R", "ESTB", "ESTB_R") if r.protocol == 6 and not dropped else (
                ("SYN",) if r.protocol == 6 else ())
            out.append(KernelFlow(
                r.flow_handle, r.sip, r.dip, r.src_port, r.dst_port, r.protocol,
                partner.record.flow_handle if partner else -1, r.vrf, r.dest_vrf, "DROP" if dropped else "FORWARD",
                ("EVICTED",) if r.short_flow else ("ACTIVE", "RFLOW_VALID") if partner else ("ACTIVE",), tcp,
                KERNEL_CODE_FOR_REASON.get(r.drop_reason, "Unknown") if dropped else "",
                r.bytes, r.packets, r.nh, r.gen_id, 49152 + r.flow_handle % 16384 if r.peer_vrouter else 0))
        return sorted(out, key=lambda k: k.index)


def vrouter_flows(traffic: LabTraffic, vrouter: str) -> VrouterFlows:
    """A vrouter's flow tables, built again only when the conversations or the config API's objects change."""
    stamp = (traffic.version, getattr(traffic.store, "generation", 0), traffic.key_format)
    cache = traffic.__dict__.setdefault("_tables", {})
    hit = cache.get(vrouter)
    if hit is None or hit[0] != stamp:
        hit = cache[vrouter] = (stamp, VrouterFlows(traffic, vrouter))
    return hit[1]


def dropped_packets(traffic: LabTraffic, vrouter: str, now: float | None = None) -> int:
    """Packets this vrouter's datapath dropped on flows whose action is drop (policy, short flows), counted as
    they arrive (the kernel's ds_flow_action_drop moves with every packet, not with the agent's stats samples)."""
    now = traffic.clock() if now is None else now
    return sum(int(max(0.0, now - e.conv.started) * e.conv.rate)
               for e in vrouter_flows(traffic, vrouter).records if not e.reverse and e.record.drop_reason)
