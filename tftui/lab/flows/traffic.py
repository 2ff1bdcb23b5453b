"""The lab's traffic: who talks to whom, and what every vrouter agent decides about it.

Conversations come from the topology (a few per pod pair, the scenario's applications, a few that cannot
be set up) and from operators in the lab VM shells (``ping``, ``ssh``, ``nc``). Each vrouter that sees a
conversation holds its forward and reverse flows; their verdicts come from core's one decision function
over the config API's current security objects, so a policy change is visible in the flow tables at once.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
import uuid as uuidlib
import weakref
from dataclasses import dataclass, field

from tftui.core.flows.decide import Packet, SecurityConfig, Workload, decide, effective_tags, where_for
from tftui.lab.topology import LabInterface, Topology

# Short-flow destinations: nothing in the lab routes them (the agent makes the flow short, then drops it).
UNROUTED = "198.51.100.7"


@dataclass
class Conversation:
    src: LabInterface
    dst_ip: str
    protocol: int
    src_port: int
    dst_port: int
    started: float
    rate: float = 1.0  # packets per second while it lasts
    size: int = 84  # bytes per packet
    short_reason: str = ""  # the agent's short-flow reason when the flow cannot be set up
    origin: str = "simulated"  # simulated | shell


@dataclass
class SecurityView:
    """The config API's objects as the agents see them at one generation."""

    cfg: SecurityConfig
    workloads: dict[str, Workload]  # by IP
    tag_ids: dict[str, int]  # tag fq -> numeric id
    generation: int = -1


def _tags_of(store, uid: str | None) -> tuple[str, ...]:
    obj = store.objs.get(uid) if uid else None
    return tuple(":".join(r["to"]) for r in (obj or {}).get("tag_refs") or [] if r.get("to"))


def security_view(topo: Topology, store) -> SecurityView:
    """Workloads with their effective tags (own, network's, project's) and the security objects, from the lab's
    config API store; without a store every interface has no tags and no policy applies (implicit allow)."""
    gateways = {n.fq_name_str: str(next(ipaddress.ip_network(n.subnet).hosts())) for n in topo.networks}
    objects: dict[str, list[dict]] = {}
    if store is not None:
        for t in ("tag", "firewall-rule", "firewall-policy", "application-policy-set", "address-group",
                  "service-group"):
            objects[t] = store.find(t)
    cfg = SecurityConfig.from_objects(objects)
    workloads = {}
    for itf in topo.interfaces:
        tags: tuple[str, ...] = ()
        if store is not None:
            fq = itf.network.split(":")
            tags = effective_tags(_tags_of(store, itf.vmi_uuid), _tags_of(store, store.uuid_of("virtual-network", fq)),
                                  _tags_of(store, store.uuid_of("project", fq[:2])))
        workloads[itf.ip] = Workload(itf.ip, itf.vm_name, itf.network, tags, itf.vmi_uuid,
                                     itf.vrouter, gateways.get(itf.network, ""))
    tag_ids = {}
    for t in cfg.tags:
        try:
            tag_ids[":".join(t.fq_name)] = int(str(t.tag_id), 16)
        except ValueError:
            continue
    return SecurityView(cfg, workloads, tag_ids, getattr(store, "generation", 0))


def flow_uuid(*parts: object) -> str:
    return str(uuidlib.UUID(hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()))


@dataclass
class LabTraffic:
    topo: Topology
    store: object | None = None  # the config API's Store, when the lab serves one
    key_format: str = "partition"  # partition (3.1+) | dash | colon (the agents' historical flow keys)
    partitions: int = 2  # flow threads (FLOWS.thread_count): each has its own flow table
    extra_flows: int = 0  # more conversations per vrouter (pagination and scale)
    clock: object = time.time
    conversations: list[Conversation] = field(default_factory=list)
    version: int = 0  # bumped when a conversation is added
    writes: list = field(default_factory=list)  # requests with side effects the agents received (must stay empty)
    exporter: object = None  # the lab analytics' FlowTable.record: flows filed as the agent exports them
    _view: SecurityView | None = None

    def __post_init__(self) -> None:
        self.by_ip = {i.ip: i for i in self.topo.interfaces}
        if not self.conversations:
            self.conversations = simulated(self.topo, self.clock(), self.extra_flows)

    def view(self) -> SecurityView:
        gen = getattr(self.store, "generation", 0)
        if self._view is None or self._view.generation != gen:
            self._view = security_view(self.topo, self.store)
        return self._view

    def endpoint(self, ip: str) -> Workload:
        return self.view().workloads.get(ip) or Workload(ip)

    def add(self, conv: Conversation) -> None:
        self.conversations.append(conv)
        self.version += 1
        self.export(conv)

    def export(self, conv: Conversation) -> bool:
        """File the conversation's forward flow with analytics, as the source's agent exports it on setup (the
        analytics lab keeps it only when flow export is on: flow_export_rate, 0 by default)."""
        if self.exporter is None:
            return False
        a, b = self.endpoint(conv.src.ip), self.endpoint(conv.dst_ip)
        rule = ""
        if conv.short_reason:
            action, reason = "drop", conv.short_reason
        else:
            d = decide(self.view().cfg, Packet(a.ip, b.ip, conv.protocol, conv.src_port, conv.dst_port), a, b,
                       "local" if a.vrouter == b.vrouter else "source")
            action, reason = ("drop", d.drop_reason) if d.dropped else ("pass", "")
            rule = d.fw_policy_match  # the session's security_policy_rule
        vr = self.topo.node(conv.src.vrouter)
        other = self.topo.node(b.vrouter).address if b.vrouter and b.vrouter != conv.src.vrouter else ""
        started = int(conv.started * 1e6)
        return self.exporter(
            vrouter=vr.name, source_vn=a.vn, source_ip=a.ip, sport=conv.src_port, dest_vn=b.vn, dest_ip=b.ip,
            dport=conv.dst_port, protocol=conv.protocol, action=action, setup_time=started, drop_reason=reason,
            packets=1, bytes=conv.size, vmi=conv.src.vmi_uuid, vrouter_ip=vr.address, other_vrouter_ip=other,
            uuid=flow_uuid(vr.name, a.ip, b.ip, conv.protocol, conv.src_port, conv.dst_port), direction=1,
            dest_vrouter=b.vrouter or "", policy_rule=rule)

    def conversations_on(self, vrouter: str) -> list[Conversation]:
        """The conversations whose source or destination interface is on ``vrouter``."""
        if getattr(self, "_index_version", None) != self.version:
            index: dict[str, list[Conversation]] = {}
            for conv in self.conversations:
                dst = self.by_ip.get(conv.dst_ip)
                for vr in dict.fromkeys((conv.src.vrouter, dst.vrouter if dst else conv.src.vrouter)):
                    index.setdefault(vr, []).append(conv)
            self._index, self._index_version = index, self.version
        return self._index.get(vrouter, [])

    def attempt(self, src: LabInterface, dst_ip: str, protocol: int, dst_port: int = 0,
                src_port: int | None = None) -> tuple[bool, str]:
        """Traffic an operator makes from a lab VM: recorded as a conversation (its flows appear in the agents);
        returns whether it gets through every vrouter on the way, and the first drop reason if not."""
        now = self.clock()
        sport = src_port if src_port is not None else 32768 + int(now * 1000) % 28000
        conv = Conversation(src, dst_ip, protocol, sport, dst_port, now, rate=1.0, origin="shell",
                            short_reason="" if self._routed(dst_ip) else "Short flow No Destination route")
        self.add(conv)
        if conv.short_reason:
            return False, conv.short_reason
        view = self.view()
        a, b = self.endpoint(src.ip), self.endpoint(dst_ip)
        for vrouter in dict.fromkeys((a.vrouter, b.vrouter)):
            where = where_for(a, b, vrouter) if vrouter else None
            if where is None:
                continue
            d = decide(view.cfg, Packet(a.ip, b.ip, protocol, sport, dst_port), a, b, where)
            if d.dropped:
                return False, d.drop_reason
        return True, ""

    def _routed(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return ip == self.topo.router.router_id or any(addr in ipaddress.ip_network(n.subnet)
                                                        for n in self.topo.networks)


def simulated(topo: Topology, now: float, extra: int = 0) -> list[Conversation]:
    """A few conversations per pod pair: each interface pings its two ring neighbours and opens SSH to the
    next one; the scenario's applications talk on their ports; every vrouter has one flow that cannot be set
    up (no route); ``extra`` more TCP conversations per vrouter for scale."""
    itfs = [i for i in topo.interfaces if i.active]
    out: list[Conversation] = []
    n = len(itfs)
    for k, itf in enumerate(itfs):
        if n < 2:
            break
        near, far = itfs[(k + 1) % n], itfs[(k + 2) % n]
        started = now - 600 + (k * 7) % 500
        out.append(Conversation(itf, near.ip, 1, 1000 + k % 60000, 0, started, rate=1.0, size=98))
        out.append(Conversation(itf, far.ip, 1, 1000 + (k + n) % 60000, 0, started + 3, rate=0.5, size=98))
        out.append(Conversation(itf, near.ip, 6, 40000 + k % 20000, 22, started + 5, rate=4.0, size=120))
    for src_name, dst_name, proto, port in topo.apps:
        src = next((i for i in itfs if i.vm_name == src_name), None)
        dst = next((i for i in itfs if i.vm_name == dst_name), None)
        if src and dst:
            for j in range(3):
                out.append(Conversation(src, dst.ip, proto, 51000 + j, port, now - 120 + j * 30, rate=2.0, size=300))
    by_vrouter: dict[str, list[LabInterface]] = {}
    for itf in itfs:
        by_vrouter.setdefault(itf.vrouter, []).append(itf)
    position = {id(itf): k for k, itf in enumerate(itfs)}
    for vr in topo.vrouters():
        local = by_vrouter.get(vr.name)
        if not local:
            continue
        out.append(Conversation(local[0], UNROUTED, 6, 45000, 443, now - 30, rate=0.2, size=60,
                                short_reason="Short flow No Destination route"))
        for j in range(extra):
            dst = local[(j + 1) % len(local)] if len(local) > 1 else itfs[(position[id(local[0])] + 1) % n]
            out.append(Conversation(local[j % len(local)], dst.ip, 6, 20000 + j % 40000, 8080 + j // 40000,
                                    now - 300 + j % 300, rate=0.1, size=200))
    return out


_TRAFFIC: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def traffic_of(lab) -> LabTraffic:
    """The traffic of an introspect lab; one without a config API (unit-level labs) gets implicit-allow flows."""
    traffic = _TRAFFIC.get(lab)
    if traffic is None or traffic.topo is not lab.topo:
        traffic = _TRAFFIC[lab] = LabTraffic(lab.topo)
    return traffic


def attach(lab, traffic: LabTraffic) -> None:
    _TRAFFIC[lab] = traffic
