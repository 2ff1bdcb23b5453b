"""Likely causes when a session stays down or the pods' routes do not arrive: everything tftui can check from both
sides' configuration and state, and, for what it cannot see (the cloud's data path), what to look at.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from tftui.core.policy.models import BgpRouter
from tftui.core.routes.crosscheck import MISSING, NOT_INSTALLED, WRONG_VROUTER

from .plan import RouterFacts, TfFacts
from .running import BgpConfig
from .status import PairStatus, PeeringStatus

PROBLEM, OK, UNKNOWN, LOOK = "problem", "ok", "unknown", "look"
DEFAULT_ROUTER_HOLD = 180  # FRR (traditional defaults), Quagga and VyOS: keepalive 60, hold 180
AWS_DEFAULT_VPC = ipaddress.ip_network("172.31.0.0/16")


@dataclass(frozen=True)
class Probe:
    """A TCP connect from the machine tftui runs on, which is not where the router's BGP connects from."""

    address: str
    port: int
    result: str  # open | refused | timeout | an error's text


@dataclass(frozen=True)
class Cause:
    key: str
    verdict: str  # problem | ok | unknown | look (tftui cannot see it: what to look at)
    title: str
    detail: str

    def words(self) -> str:
        return f"[{self.verdict}] {self.title}: {self.detail}"


def _hold_of(cfg: BgpConfig, address: str) -> int:
    n = cfg.neighbors.get(address)
    if n is not None and n.hold_time is not None:
        return n.hold_time
    return cfg.hold_time if cfg.hold_time is not None else DEFAULT_ROUTER_HOLD


def _session_causes(p: PairStatus, control: BgpRouter | None, router: RouterFacts, tf: TfFacts,
                    obj: BgpRouter | None, probe: Probe | None) -> list[Cause]:
    out: list[Cause] = []
    cfg = router.config
    n = cfg.neighbors.get(p.address)
    name = p.control
    if n is None:
        out.append(Cause("router-config", PROBLEM, f"{name}: not configured on the router",
                         f"{router.name} has no neighbor {p.address}"))
    if obj is None or name not in obj.peers:
        out.append(Cause("tf-config", PROBLEM, f"{name}: no session in TF",
                         f"no bgp-router for {router.name} ({router.address})" if obj is None else
                         f"bgp-router {obj.name} has no session with control node {name}"))
    control_as = (control.asn if control else None) or tf.asn
    if n is not None and n.remote_as is not None and n.remote_as != control_as:
        out.append(Cause("asn", PROBLEM, f"{name}: AS mismatch",
                         f"the router expects AS {n.remote_as} from {p.address}, but {name} is in AS {control_as}"))
    if n is not None and obj is not None and n.remote_as == control_as and obj.asn == cfg.asn:
        out.append(Cause("asn", OK, f"{name}: AS numbers agree",
                         f"router AS {cfg.asn} <-> {name} AS {control_as} on both sides"))
    if probe is not None:
        where = ("from this machine (where tftui runs), which is not the router: the router's path to "
                 f"{p.address} may differ; on the router, state Active/Connect means its TCP connection does not "
                 "complete")
        if probe.result == "open":
            out.append(Cause("tcp", OK, f"{name}: TCP {probe.port} open", f"{probe.address}:{probe.port} accepts "
                             f"connections {where}"))
        else:
            out.append(Cause("tcp", UNKNOWN, f"{name}: TCP {probe.port} {probe.result}",
                             f"{probe.address}:{probe.port}: {probe.result} {where}; check security groups / "
                             "firewalls between the router and the control node for TCP 179 both ways"))
    router_hold = _hold_of(cfg, p.address)
    tf_hold = obj.hold_time if obj is not None else None
    if tf_hold is not None:
        negotiated = min(router_hold, tf_hold) if router_hold and tf_hold else 0
        verdict = PROBLEM if 0 < negotiated < 3 else OK
        out.append(Cause("hold-time", verdict, f"{name}: hold time",
                         f"router {router_hold} s, TF {tf_hold} s: the session uses {negotiated} s; a session that "
                         "drops after about that long, again and again, is losing keepalives (data path, MTU, "
                         "firewall state)"))
    return out


def _route_causes(p: PairStatus, router: RouterFacts, tf: TfFacts) -> list[Cause]:
    out: list[Cause] = []
    n, d = p.router_side, router.dialect
    if n is None or not n.established:
        return out
    if n.policy_blocked:
        fix = ("`no bgp ebgp-requires-policy` under `router bgp`, or an import route-map on the neighbor "
               "(tftui peer add --ebgp-policy ...)") if d.vtysh_config else (
            "delete protocols bgp parameters ebgp-requires-policy")
        out.append(Cause("ebgp-policy", PROBLEM, f"{p.control}: routes refused, (Policy)",
                         f"{d.label()} requires an eBGP policy and has none for {p.address}: {fix}"))
    families = tf.session_families.get(p.control)
    if families is not None and "inet" not in families:
        out.append(Cause("families", PROBLEM, f"{p.control}: no family inet on the session",
                         f"the session lists {' '.join(families)}: the pods' /32s travel in inet"))
    cfg_n = router.config.neighbors.get(p.address)
    if d.neighbor_needs_address_family and cfg_n is not None and not cfg_n.ipv4_unicast:
        out.append(Cause("address-family", PROBLEM, f"{p.control}: no address-family ipv4-unicast",
                         f"{d.label()} activates no family by default: set protocols bgp neighbor {p.address} "
                         "address-family ipv4-unicast"))
    if tf.iff_networks == 0:
        out.append(Cause("iff", PROBLEM, "no network forwards on the IP fabric",
                         "enable IP Fabric Forwarding on the pod network (tftui networks; policy editor 5)"))
    elif not n.policy_blocked and n.prefixes_received == 0:
        out.append(Cause("no-routes", UNKNOWN, f"{p.control}: Established, 0 prefixes",
                         "the control node advertises nothing to the router: are pods running on a network with "
                         "IP fabric forwarding, and does the control node have their /32s in "
                         "default-domain:default-project:ip-fabric:__default__.inet.0?"))
    return out


def data_path_advice(addresses: list[str]) -> Cause:
    aws = any(_in(a, AWS_DEFAULT_VPC) for a in addresses)
    return Cause("aws-source-dest-check", LOOK, "data path (tftui cannot see it)",
                 ("these addresses are in 172.31.0.0/16, AWS's default VPC range. " if aws else "") +
                 "On AWS the source/destination check of each compute's network interface must be off, or packets "
                 "to and from pod addresses are dropped silently although the routes are right: EC2 > Network "
                 "interfaces > (each compute's interface) > Actions > Change source/dest. check > off "
                 "(aws ec2 modify-network-interface-attribute --no-source-dest-check)")


def _in(address: str, net: ipaddress.IPv4Network) -> bool:
    try:
        return ipaddress.ip_address(address) in net
    except ValueError:
        return False


def likely_causes(status: PeeringStatus, router: RouterFacts, tf: TfFacts,
                  probes: dict[str, Probe] | None = None) -> list[Cause]:
    """What may keep each session down or its routes away, problems first; the data path advice last."""
    obj = tf.router_object(router.name, router.address)
    controls = {c.name: c for c in tf.controls()}
    out: list[Cause] = []
    cfg = router.config
    if obj is not None and cfg.asn is not None and obj.asn != cfg.asn and not all(p.up for p in status.pairs):
        out.append(Cause("asn", PROBLEM, f"{router.name}: AS mismatch",
                         f"TF's bgp-router {obj.name} says AS {obj.asn}, the router runs AS {cfg.asn}"))
    for p in status.pairs:
        if not p.up:
            out += _session_causes(p, controls.get(p.control), router, tf, obj, (probes or {}).get(p.control))
        out += _route_causes(p, router, tf)
    wrong = [f for f in (status.check.findings if status.check else [])
             if f.kind in (MISSING, WRONG_VROUTER, NOT_INSTALLED)]
    if wrong:
        shown = "; ".join(f.message for f in wrong[:3]) + (f"; and {len(wrong) - 3} more" if len(wrong) > 3 else "")
        out.append(Cause("crosscheck", PROBLEM, f"{len(wrong)} pod /32(s) not on the router as they should be",
                         f"{shown} (tftui check gatewayless lists them all)"))
    order = {PROBLEM: 0, UNKNOWN: 1, OK: 2, LOOK: 3}
    out.sort(key=lambda c: order[c.verdict])
    vrouters = [f.expected for f in (status.check.findings if status.check else []) if f.expected]
    out.append(data_path_advice([router.address, *vrouters, *(p.address for p in status.pairs)]))
    return out
