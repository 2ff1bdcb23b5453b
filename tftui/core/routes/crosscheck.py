"""Gatewayless cross-check: every interface on an IP-fabric-forwarding network needs a /32 BGP route on the
gateway router whose next hop is its vrouter. Pure: callers hand in the interfaces and the router's tables.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from .models import Neighbor, Route

POLICY_FIX = ("FRR 7.4+ refuses eBGP routes without a policy: on the router run `no bgp ebgp-requires-policy` "
              "under `router bgp ASN` (VyOS writes that itself unless `protocols bgp parameters "
              "ebgp-requires-policy` is set: delete it), or `tftui peer add --ebgp-policy ...`, "
              "or attach an import route-map to the neighbor")

MISSING, WRONG_VROUTER, ORPHAN, POLICY, NEIGHBOR_DOWN, NOT_INSTALLED = (
    "missing", "wrong-vrouter", "orphan", "policy", "neighbor-down", "not-installed")


@dataclass(frozen=True)
class ExpectedHost:
    """A VM/pod interface as the agents or the config API report it."""

    vm_name: str
    ip: str
    vrouter_address: str
    network: str
    ip_fabric_forwarding: bool = True
    vrouter: str | None = None  # node name, for display

    @property
    def vrouter_label(self) -> str:
        """``compute1 (10.0.0.21)``; the address alone when the node's name is not known."""
        return vrouter_label(self.vrouter_address, self.vrouter)


def vrouter_label(address: str, name: str | None) -> str:
    return f"{name} ({address})" if name and name != address else address


@dataclass(frozen=True)
class Finding:
    kind: str
    prefix: str | None
    message: str
    vm_name: str | None = None
    expected: str | None = None  # the vrouter address the route should go via (a neighbor's address for neighbors)
    actual: tuple[str, ...] = ()
    fix: str | None = None
    expected_label: str | None = None  # ``name (address)`` of the expected vrouter, for columns
    actual_labels: tuple[str, ...] = ()

    @property
    def expected_text(self) -> str:
        return self.expected_label or self.expected or ""

    @property
    def actual_text(self) -> str:
        return ", ".join(self.actual_labels or self.actual)


@dataclass
class CrossCheck:
    findings: list[Finding] = field(default_factory=list)
    ok: int = 0  # hosts whose /32 is there via the right vrouter
    expected: int = 0
    skipped_hosts: list[str] = field(default_factory=list)  # bad addresses in the input
    note: str | None = None  # what the check lacked (no vrouters known: no pod /32 was compared)

    @property
    def problems(self) -> bool:
        return bool(self.findings)

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


def _host_prefix(ip: str) -> str | None:
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    return f"{addr}/{addr.max_prefixlen}"


_V4_HOST = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)/32")


def _norm_prefix(prefix: str) -> str | None:
    if _V4_HOST.fullmatch(prefix):  # already what ipaddress would make of it (most of a big table): 10x cheaper
        return prefix
    try:
        return str(ipaddress.ip_network(prefix.strip(), strict=False))
    except ValueError:
        return None


def cross_check(hosts: list[ExpectedHost], routes: list[Route], neighbors: list[Neighbor],
                vrouter_addresses: set[str] | None = None, vrouter_names: dict[str, str] | None = None) -> CrossCheck:
    """``vrouter_addresses``: the vrouters a /32 must go via to be a pod's (orphans are looked for among those
    only); ``vrouter_names`` (address -> node name) labels addresses in messages and columns."""
    names = dict(vrouter_names or {})
    names.update({h.vrouter_address: h.vrouter for h in hosts if h.vrouter})

    def labels(vias: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(vrouter_label(v, names.get(v)) for v in vias)

    result = CrossCheck()
    for n in neighbors:
        if n.policy_blocked:
            result.findings.append(Finding(
                POLICY, None, f"neighbor {n.address} (AS {n.remote_as}) is Established but its routes are "
                f"refused: (Policy)", expected=n.address, fix=POLICY_FIX))
        elif not n.established:
            result.findings.append(Finding(
                NEIGHBOR_DOWN, None, f"neighbor {n.address} (AS {n.remote_as}) is {n.state}, not Established",
                expected=n.address))
    bgp: dict[str, list[Route]] = {}
    for r in routes:
        if r.protocol != "bgp":
            continue
        key = _norm_prefix(r.prefix)
        if key is not None:
            bgp.setdefault(key, []).append(r)
    wanted: dict[str, ExpectedHost] = {}
    for h in hosts:
        if not h.ip_fabric_forwarding:
            continue
        prefix = _host_prefix(h.ip)
        if prefix is None:
            result.skipped_hosts.append(f"{h.vm_name}: {h.ip!r} is not an address")
            continue
        wanted[prefix] = h
    result.expected = len(wanted)
    for prefix, h in sorted(wanted.items(), key=lambda kv: ipaddress.ip_network(kv[0])):
        found = bgp.get(prefix)
        if not found:
            result.findings.append(Finding(
                MISSING, prefix, f"{h.vm_name} ({h.ip}) on {h.vrouter_label}: no BGP route on the router",
                vm_name=h.vm_name, expected=h.vrouter_address, expected_label=h.vrouter_label))
            continue
        best = next((r for r in found if r.selected), found[0])
        vias = tuple(nh.via for nh in best.nexthops if nh.via)
        if h.vrouter_address not in vias:
            result.findings.append(Finding(
                WRONG_VROUTER, prefix, f"{h.vm_name} ({h.ip}) lives on {h.vrouter_label} "
                f"but the router sends it via {', '.join(labels(vias)) or 'nothing'}",
                vm_name=h.vm_name, expected=h.vrouter_address, actual=vias, expected_label=h.vrouter_label,
                actual_labels=labels(vias)))
        elif not best.fib:
            result.findings.append(Finding(
                NOT_INSTALLED, prefix, f"{h.vm_name} ({h.ip}): the route is known but not installed in the FIB",
                vm_name=h.vm_name, expected=h.vrouter_address, actual=vias, expected_label=h.vrouter_label,
                actual_labels=labels(vias)))
        else:
            result.ok += 1
    # the cheap tests first: a 200k-route table is mostly host routes from elsewhere, not worth an ip_network
    candidates = []
    for prefix, found in bgp.items():
        if prefix in wanted:
            continue
        vias = tuple(nh.via for r in found for nh in r.nexthops if nh.via)
        if vrouter_addresses is not None and not set(vias) & vrouter_addresses:
            continue  # a host route from elsewhere in the network, not a pod's
        candidates.append((prefix, vias))
    for prefix, vias in sorted(candidates, key=lambda kv: ipaddress.ip_network(kv[0])):
        net = ipaddress.ip_network(prefix)
        if net.prefixlen != net.max_prefixlen:
            continue
        result.findings.append(Finding(
            ORPHAN, prefix, f"{prefix} via {', '.join(labels(vias)) or 'nothing'}: no VM/pod interface has this "
            f"address", actual=vias, actual_labels=labels(vias)))
    return result
