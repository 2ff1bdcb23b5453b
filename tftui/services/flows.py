"""Live flows of a vrouter or of one interface, why each was dropped or passed, and where a rule is hitting:
what the flows view and ``tftui flows``/``tftui why`` watch. Every result is an immutable snapshot.

Rules are resolved through the config API when the cluster has one (tag names, the rule's policy and its
place in the application policy set), else through the agent's own ACLs (``AclReq``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass, field

from tftui.clients.agent import AgentSettings, VrouterTarget, vrouter_targets
from tftui.clients.configapi import ConfigApiClient, ConfigApiError
from tftui.clients.flows import DEFAULT_PAGE_CAP, FlowClient, FlowReadError, FlowTableRead
from tftui.clients.introspect import IntrospectSettings
from tftui.core.agent import AgentInterface, is_vm_interface
from tftui.core.flows.acl import AclFlow
from tftui.core.flows.decide import SecurityConfig
from tftui.core.flows.kernel import KernelFlow
from tftui.core.flows.records import FlowRecord
from tftui.core.flows.why import AgentResolver, ConfigResolver, RuleResolver, Verdict, explain, tag_names_from
from tftui.core.inventory import ClusterSpec
from tftui.core.policy.settings import config_api_settings
from tftui.core.sorting import natural_key

SECURITY_TYPES = ("tag", "firewall-rule", "firewall-policy", "application-policy-set", "address-group",
                  "service-group")


class FlowServiceError(Exception):
    """Something the operator asked for that cannot be done (unknown vrouter or interface); fit to show."""


@dataclass(frozen=True)
class Explainer:
    """Turns flow records into decision chains with the cluster's rule names (or the agent's)."""

    resolver: RuleResolver | None = None
    tag_names: dict[int, str] = field(default_factory=dict)
    source: str = ""  # config-api | agent | "" (rule ids only)

    def why(self, rec: FlowRecord) -> Verdict:
        return explain(rec, self.resolver, self.tag_names)


def drops_first(flows) -> tuple[FlowRecord, ...]:
    """Dropped flows first (newest first among them), then the rest (newest first)."""
    return tuple(sorted(flows, key=lambda r: (not r.dropped, -r.setup_time_utc, r.sip, r.dip)))


@dataclass(frozen=True)
class FlowsSnapshot:
    vrouter: str
    address: str
    flows: tuple[FlowRecord, ...]  # drops first
    explainer: Explainer
    interface: AgentInterface | None = None  # when the view is of one interface
    next_key: str = ""  # "load more" continues here; "" when the table was read to its end
    pages: int = 0
    duplicates: int = 0
    error: str = ""
    at: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.next_key and not self.error

    @property
    def drops(self) -> int:
        return sum(1 for r in self.flows if r.dropped)


@dataclass(frozen=True)
class RuleHits:
    """One rule on one vrouter: hits per the agent's ACE count, and the live flows that matched it."""

    vrouter: str
    acl: str  # the firewall policy's ACL uuid
    ace_ids: tuple[str, ...]
    hits: int
    flows: tuple[str, ...]  # flow uuids (from the ACL's flow list)
    error: str = ""
    live: tuple[AclFlow, ...] = ()  # those flows as the agent lists them (addresses, ports, actions, counters)


def _matches_interface(rec: FlowRecord, itf: AgentInterface) -> bool:
    return rec.nh == itf.flow_key_idx or (bool(itf.config_name) and rec.vmi == itf.config_name)


def find_interface(itfs: list[AgentInterface], query: str) -> AgentInterface:
    """An interface by VM/pod name, IP, tap name or uuid (exactly one)."""
    q = query.strip()
    found = [i for i in itfs if q in (i.vm_name, i.ip_addr, i.name, i.uuid) and is_vm_interface(i)]
    if not found:
        raise FlowServiceError(f"no interface {q!r} on this vrouter")
    if len({i.uuid for i in found}) > 1:
        raise FlowServiceError(f"{q!r} names {len(found)} interfaces: use the IP or the tap name")
    return found[0]


class FlowService:
    def __init__(self, spec: ClusterSpec, page_cap: int = DEFAULT_PAGE_CAP, settings: AgentSettings | None = None):
        self.spec = spec
        st = settings or AgentSettings.from_cluster(spec)
        self.introspect = IntrospectSettings(st.scheme, st.timeout, st.concurrency * 2, st.max_bytes, st.proxy,
                                             st.no_proxy, st.tls)
        self.page_cap = page_cap
        self.targets = {t.name: t for t in vrouter_targets(spec)}
        self._config_api = config_api_settings(spec)

    def target(self, vrouter: str) -> VrouterTarget:
        t = self.targets.get(vrouter)
        if t is None:
            known = ", ".join(sorted(self.targets)) or "none"
            raise FlowServiceError(f"{vrouter!r} is not a vrouter of cluster {self.spec.name} (vrouters: {known})")
        return t

    # ---------------------------------------------------------------------------- rules and names

    async def security(self) -> SecurityConfig | None:
        """The config API's security objects; None without a config API (or when it cannot be read)."""
        if self._config_api is None:
            return None
        try:
            async with ConfigApiClient(self._config_api) as api:
                objects = {t: await api.list_all(t) for t in SECURITY_TYPES}
        except (ConfigApiError, OSError):
            return None
        return SecurityConfig.from_objects(objects)

    async def explainer(self, client: FlowClient | None = None, vrouter: str | None = None) -> Explainer:
        cfg = await self.security()
        if cfg is not None:
            return Explainer(ConfigResolver(cfg), tag_names_from(cfg.tags), "config-api")
        if client is not None and vrouter is not None:
            try:
                return Explainer(AgentResolver(await client.acls(self.target(vrouter))), {}, "agent")
            except FlowReadError:
                pass
        return Explainer()

    # ---------------------------------------------------------------------------- flows

    def _client(self, page_cap: int | None = None) -> FlowClient:
        return FlowClient(self.introspect, page_cap or self.page_cap)

    async def flows(self, vrouter: str, interface: str | None = None, page_cap: int | None = None,
                    resume: str = "") -> FlowsSnapshot:
        """A vrouter's flow table (or one interface's flows), up to the page cap; ``resume`` reads on from a
        snapshot's ``next_key``. Raises FlowServiceError / FlowReadError."""
        target = self.target(vrouter)
        async with self._client(page_cap) as client:
            itf = find_interface(await client.interfaces(target), interface) if interface else None
            read = await client.flows(target, resume)
            explainer = await self.explainer(client, vrouter)
        return self._snapshot(target, read, explainer, itf)

    async def load_more(self, snap: FlowsSnapshot, page_cap: int | None = None) -> FlowsSnapshot:
        """The snapshot with the next pages added (each flow once)."""
        if not snap.next_key:
            return snap
        target = self.target(snap.vrouter)
        async with self._client(page_cap) as client:
            read = await client.flows(target, snap.next_key)
        more = self._snapshot(target, read, snap.explainer, snap.interface)
        merged = {r.identity: r for r in snap.flows}
        dup = sum(1 for r in more.flows if r.identity in merged)
        merged.update({r.identity: r for r in more.flows})
        return FlowsSnapshot(snap.vrouter, snap.address, drops_first(merged.values()), snap.explainer,
                             snap.interface, more.next_key, snap.pages + more.pages,
                             snap.duplicates + more.duplicates + dup, more.error, time.time())

    @staticmethod
    def _snapshot(target: VrouterTarget, read: FlowTableRead, explainer: Explainer,
                  itf: AgentInterface | None) -> FlowsSnapshot:
        flows = [r for r in read.flows if itf is None or _matches_interface(r, itf)]
        return FlowsSnapshot(target.name, target.address, drops_first(flows), explainer, itf, read.next_key,
                             read.pages, read.duplicates, read.error, time.time())

    async def kernel_flows(self, vrouter: str, show_evicted: bool = False) -> tuple[KernelFlow, ...]:
        async with self._client() as client:
            read = await client.kernel_flows(self.target(vrouter), show_evicted)
        if read.error and not read.flows:
            raise FlowReadError(f"{vrouter}: {read.error}")
        return tuple(sorted(read.flows, key=lambda k: (k.action != "DROP", k.index)))

    # ---------------------------------------------------------------------------- a rule on every vrouter

    async def rule_hits(self, policy_uuid: str, rule_uuid: str, vrouters: list[str] | None = None) -> list[RuleHits]:
        """A firewall rule's hit count and live flows on each vrouter (its policy's ACL: the ACE ids of the rule),
        the vrouters asked at once (the client bounds the connections), in their natural order."""
        names = vrouters or sorted(self.targets, key=natural_key)
        async with self._client() as client:
            return list(await asyncio.gather(*(self._rule_hits_on(client, n, policy_uuid, rule_uuid) for n in names)))

    async def _rule_hits_on(self, client: FlowClient, name: str, policy_uuid: str, rule_uuid: str) -> RuleHits:
        target = self.target(name)
        try:
            acls = await client.acls(target, policy_uuid)
            acl = next((a for a in acls if a.uuid == policy_uuid), None)
            if acl is None:
                return RuleHits(name, policy_uuid, (), 0, ())
            aces = tuple(dict.fromkeys(e.ace_id for e in acl.entries if e.uuid == rule_uuid))
            counts = dict((await client.acl_counts(target, policy_uuid)).counts)
            flows = await client.acl_flows(target, policy_uuid)
        except FlowReadError as exc:
            return RuleHits(name, policy_uuid, (), 0, (), str(exc))
        live = tuple(f for f in flows.flows if set(f.ace_ids) & set(aces))
        return RuleHits(name, policy_uuid, aces, sum(counts.get(a, 0) for a in aces), tuple(f.uuid for f in live),
                        live=live)


# -------------------------------------------------------------------------------- tftui why SRC DST


@dataclass(frozen=True)
class Endpoint:
    query: str
    ip: str
    name: str = ""
    vrouter: str = ""  # "" when it is not an interface of the cluster


@dataclass(frozen=True)
class WhyResult:
    source: Endpoint
    destination: Endpoint
    protocol: int | None
    port: int | None
    flows: dict[str, tuple[FlowRecord, ...]]  # per vrouter read, the flows between the two
    verdict: str  # drop | pass | no-flow
    deciding: FlowRecord | None
    why: Verdict | None
    explainer: Explainer
    errors: dict[str, str] = field(default_factory=dict)
    incomplete: tuple[str, ...] = ()  # vrouters whose table was larger than the page cap


def _between(rec: FlowRecord, a: str, b: str, protocol: int | None, port: int | None) -> bool:
    if {rec.sip, rec.dip} != {a, b} or (protocol is not None and rec.protocol != protocol):
        return False
    if port is None or rec.protocol in (1, 58):
        return True
    return (rec.sip == a and rec.dst_port == port) or (rec.sip == b and rec.src_port == port)


async def _all_interfaces(svc: FlowService, client: FlowClient,
                          errors: dict[str, str]) -> dict[str, list[AgentInterface]]:
    names = sorted(svc.targets)
    results = await asyncio.gather(*(client.interfaces(svc.targets[n]) for n in names), return_exceptions=True)
    out = {}
    for name, result in zip(names, results, strict=True):
        if isinstance(result, FlowReadError):
            errors[name] = str(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            out[name] = result
    return out


def _locate(svc: FlowService, query: str, itfs: dict[str, list[AgentInterface]], errors: dict[str, str]) -> Endpoint:
    for name in sorted(itfs):
        for itf in itfs[name]:
            if is_vm_interface(itf) and query in (itf.vm_name, itf.ip_addr, itf.name, itf.uuid):
                return Endpoint(query, itf.ip_addr, itf.vm_name, name)
    try:
        ipaddress.ip_address(query)
    except ValueError:
        unread = f" (vrouters not read: {', '.join(sorted(errors))})" if errors else ""
        raise FlowServiceError(f"{query!r} is neither an IP nor a VM/pod of cluster {svc.spec.name}{unread}") \
            from None
    return Endpoint(query, query)


async def why_between(svc: FlowService, src: str, dst: str, protocol: int | None = None,
                      port: int | None = None) -> WhyResult:
    """The flows between two workloads on the source's vrouter (and the destination's) and their verdict:
    dropped when any of them is dropped (the first such explains it), passed when they all pass."""
    errors: dict[str, str] = {}
    async with svc._client(page_cap=max(svc.page_cap, 1000)) as client:
        itfs = await _all_interfaces(svc, client, errors)
        a, b = _locate(svc, src, itfs, errors), _locate(svc, dst, itfs, errors)
        if not (a.vrouter or b.vrouter):
            raise FlowServiceError(f"neither {src} nor {dst} is a VM/pod of cluster {svc.spec.name}")
        found: dict[str, tuple[FlowRecord, ...]] = {}
        incomplete = []
        for vrouter in dict.fromkeys(v for v in (a.vrouter, b.vrouter) if v):
            try:
                read = await client.flows(svc.target(vrouter))
            except FlowReadError as exc:
                errors[vrouter] = str(exc)
                continue
            if read.next_key:
                incomplete.append(vrouter)
            found[vrouter] = drops_first(r for r in read.flows if _between(r, a.ip, b.ip, protocol, port))
        explainer = await svc.explainer(client, a.vrouter or b.vrouter)
    every = [r for rs in found.values() for r in rs]
    forward = [r for r in every if r.sip == a.ip] or every
    deciding = next((r for r in forward if r.dropped), None) or next((r for r in every if r.dropped), None)
    if deciding is None and forward:
        deciding = max(forward, key=lambda r: r.setup_time_utc)
    verdict = "no-flow" if deciding is None else ("drop" if deciding.dropped else "pass")
    return WhyResult(a, b, protocol, port, found, verdict, deciding,
                     explainer.why(deciding) if deciding else None, explainer,
                     {k: v for k, v in errors.items() if k in (a.vrouter, b.vrouter)}, tuple(incomplete))
