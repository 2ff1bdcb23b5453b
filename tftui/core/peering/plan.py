"""The whole change on both sides as one plan: TF's bgp-router object and sessions, the router's configuration
lines; shown as a diff in the operator's words, applied after one confirmation, and undone the same way.

Built from what was read (the router's dialect, configuration and router-id; TF's AS and bgp-router objects)
and the operator's choices. Pure: the services read and write, this only decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from tftui.core.policy.models import IP_FABRIC, BgpRouter
from tftui.core.policy.validate import check_name

from . import validate
from .change import (
    EBGP_CHOICES,
    IMPORT_MAP,
    KEEP,
    NO_REQUIREMENT,
    ROUTE_MAP,
    CreateInstance,
    DeleteNeighbor,
    ImportRouteMap,
    PolicyRequirement,
    RouteMapPresence,
    RouterChange,
    RouterOp,
    SetNeighbor,
)
from .dialect import Dialect
from .running import BgpConfig
from .tf import (
    ADD_SESSION,
    CREATE_ROUTER,
    DELETE_ROUTER,
    GATEWAYLESS_FAMILIES,
    REMOVE_SESSION,
    UPDATE_ROUTER,
    TfChange,
    is_control_node,
)
from .validate import ValidationError

ADD, REMOVE = "add", "remove"
DEFAULT_HOLD_TIME = 90  # what the web UI's form proposes for a BGP router


@dataclass(frozen=True)
class RouterFacts:
    name: str  # the router's name in the tftui config (and of its bgp-router object when one is created)
    address: str  # where the control nodes reach it (the bgp-router object's address)
    dialect: Dialect
    config: BgpConfig
    router_id: str | None = None  # as the router reports it (summary), else configured


@dataclass(frozen=True)
class TfFacts:
    asn: int  # global-system-config autonomous_system
    routers: tuple[BgpRouter, ...]  # every bgp-router object
    session_families: dict[str, tuple[str, ...] | None] = field(default_factory=dict)  # control node -> families
    iff_networks: int | None = None  # networks with IP fabric forwarding (None: not known)

    def controls(self) -> list[BgpRouter]:
        return [r for r in self.routers if is_control_node(r)]

    def router_object(self, name: str, address: str) -> BgpRouter | None:
        """The external router's object: by address first (it may have been made by hand under another name)."""
        others = [r for r in self.routers if r.router_type == "router"]
        return next((r for r in others if r.address == address), None) or next(
            (r for r in others if r.name == name), None)


@dataclass(frozen=True)
class PeerOptions:
    controls: tuple[str, ...] = ()  # control node names; empty: all (add) / all peered (remove)
    hold_time: int | None = None
    ebgp: str | None = None  # NO_REQUIREMENT | ROUTE_MAP | KEEP, when the router needs the choice
    router_asn: int | None = None  # only when the router has no BGP yet
    router_address: str | None = None  # the address TF peers with, when not the SSH host


@dataclass(frozen=True)
class PeeringPlan:
    action: str
    router: RouterFacts
    tf_asn: int
    controls: tuple[BgpRouter, ...]
    router_change: RouterChange
    tf_changes: tuple[TfChange, ...] = ()
    in_place: tuple[str, ...] = ()  # control nodes already as wanted on both sides
    problems: tuple[str, ...] = ()  # anything here: the plan cannot be applied
    notes: tuple[str, ...] = ()
    router_object: BgpRouter | None = None

    @property
    def empty(self) -> bool:
        return self.router_change.empty and not self.tf_changes

    @property
    def brings_up(self) -> bool:
        """Whether applying this plan should end with sessions up (add, or the undo of a remove)."""
        return self.action in (ADD, f"undo {REMOVE}")

    @property
    def asn(self) -> int | None:
        return self.router_change.asn or self.router.config.asn

    def undo(self) -> PeeringPlan:
        """Both sides put back as they were before this plan (run after it was applied)."""
        action = self.action.removeprefix("undo ") if self.action.startswith("undo ") else f"undo {self.action}"
        return replace(self, action=action, router_change=self.router_change.inverse(),
                       tf_changes=tuple(c.inverse() for c in reversed(self.tf_changes)), in_place=(), problems=(),
                       notes=())

    def diff(self) -> str:
        r, d = self.router, self.router.dialect
        names = ", ".join(c.name for c in self.controls) or "no control node"
        out = [f"{self.action}: router {r.name} ({r.address}) <-> TF control nodes {names}", ""]
        out.append(f"TF (config API), AS {self.tf_asn}:")
        out += [f"  {c.words()}" for c in self.tf_changes] or ["  (no change)"]
        out.append(f"Router {r.name}: {d.label()}, AS {self.asn or '?'}, router-id {r.router_id or '?'}:")
        lines = self.router_change.lines()
        if not lines:
            out.append("  (no change)")
        elif d.vtysh_config:
            out += [f"  {line}" for line in lines] + ["  then: write memory"]
        else:
            out += [f"  {line}" for line in lines] + ["  then: commit, save (discarded on the first refusal)"]
        if self.in_place:
            out.append(f"Already in place on both sides: {', '.join(self.in_place)}")
        out += [f"Note: {n}" for n in self.notes]
        out += [f"PROBLEM: {p}" for p in self.problems]
        return "\n".join(out)

    def requests(self) -> str:
        """Exactly what applying sends: each command run on the router over SSH (for VyOS with the script it
        reads on stdin), then TF's changes as data (each written as one confirmed config API draft)."""
        out = [f"# router {self.router.name} ({self.router.dialect.label()}), in this order:"]
        for step in self.router_change.steps():
            out.append(f"$ {step.command}")
            if step.stdin:
                out += [f"    {line}" for line in step.stdin.splitlines()]
        if self.router_change.empty:
            out.append("# (nothing to change on the router)")
        out.append(f"# TF (config API), AS {self.tf_asn}, after the router:")
        out.append(json.dumps([c.to_json() for c in self.tf_changes], indent=2) if self.tf_changes
                   else "# (nothing to change in TF)")
        return "\n".join(out)

    def to_json(self) -> dict:
        return {"action": self.action, "router": self.router.name, "router_address": self.router.address,
                "dialect": self.router.dialect.label(), "router_asn": self.asn, "router_id": self.router.router_id,
                "tf_asn": self.tf_asn, "control_nodes": [c.name for c in self.controls],
                "tf_changes": [c.to_json() for c in self.tf_changes], "router_lines": self.router_change.lines(),
                "in_place": list(self.in_place), "problems": list(self.problems), "notes": list(self.notes)}


def _chosen(tf: TfFacts, names: tuple[str, ...], problems: list[str]) -> list[BgpRouter]:
    controls = {c.name: c for c in tf.controls()}
    for name in names:
        if name not in controls:
            problems.append(f"no control node {name!r} in TF (known: {', '.join(sorted(controls)) or 'none'})")
    return [controls[n] for n in dict.fromkeys(names) if n in controls] if names else list(controls.values())


def _control_address(c: BgpRouter, problems: list[str]) -> str | None:
    try:
        return validate.neighbor_address(c.address, f"address of control node {c.name}")
    except ValidationError as exc:
        problems.append(str(exc))
        return None


def _description(control: BgpRouter) -> str | None:
    try:
        return validate.description(f"tf-{control.name}")
    except ValidationError:
        return None  # a name that cannot be a description: the neighbor is still configured, without one


def _checked_router(router: RouterFacts, problems: list[str]) -> bool:
    try:
        check_name(router.name, "router name")
        validate.neighbor_address(router.address, "router address")
        if router.router_id:
            validate.router_id(router.router_id)
        return True
    except ValidationError as exc:
        problems.append(str(exc))
        return False


def ebgp_policy_required(router: RouterFacts, local_as: int | None, tf_asn: int) -> bool:
    """Whether the router refuses eBGP routes without a policy, so the operator must choose what to do about it
    (PeerOptions.ebgp) before the control nodes' routes can be accepted."""
    d, cfg = router.dialect, router.config
    required = (d.ebgp_policy_required and not cfg.no_ebgp_requires_policy) or (
        d.neighbor_needs_address_family and cfg.ebgp_requires_policy)
    return local_as is not None and local_as != tf_asn and required


def _ebgp_ops(router: RouterFacts, opts: PeerOptions, new: list[str], local_as: int, tf_asn: int,
              problems: list[str], notes: list[str]) -> list[RouterOp]:
    d, cfg = router.dialect, router.config
    ebgp = local_as != tf_asn
    required = ebgp_policy_required(router, local_as, tf_asn)
    if not (required and new):
        if opts.ebgp not in (None, KEEP) and ebgp:
            notes.append(f"--ebgp-policy {opts.ebgp}: nothing to do, {d.label()} does not require an eBGP policy here")
        return []
    if opts.ebgp is None:
        problems.append(f"{d.label()} refuses eBGP routes without a policy (they would show as (Policy)): choose "
                        f"--ebgp-policy {NO_REQUIREMENT} (`no bgp ebgp-requires-policy`: every eBGP peer of this "
                        f"router then exchanges routes without a policy), {ROUTE_MAP} (a permit-all import route-map "
                        f"{IMPORT_MAP} on the control nodes only) or {KEEP} (change nothing; add your own policy)")
        return []
    if opts.ebgp == KEEP:
        notes.append("eBGP policy kept as it is: without an import policy the control nodes' routes are refused "
                     "(State/PfxRcd shows (Policy))")
        return []
    if opts.ebgp == NO_REQUIREMENT:
        return [PolicyRequirement(False)]
    if not d.vtysh_config:
        problems.append(f"--ebgp-policy {ROUTE_MAP} is for plain FRR; on {d.label()} use {NO_REQUIREMENT}")
        return []
    ops: list[RouterOp] = [] if IMPORT_MAP in cfg.route_maps else [RouteMapPresence(True)]
    return ops + [ImportRouteMap(a) for a in new
                  if (cfg.neighbors.get(a) and cfg.neighbors[a].route_map_in) != IMPORT_MAP]


def build_add(router: RouterFacts, tf: TfFacts, opts: PeerOptions) -> PeeringPlan:
    problems: list[str] = []
    notes: list[str] = []
    cfg, d = router.config, router.dialect
    if opts.ebgp is not None and opts.ebgp not in EBGP_CHOICES:
        problems.append(f"--ebgp-policy must be one of {', '.join(EBGP_CHOICES)}")
    controls = _chosen(tf, opts.controls, problems)
    if not controls and not problems:
        problems.append("TF has no control node bgp-router objects to peer with")
    _checked_router(router, problems)
    local_as = cfg.asn
    if opts.router_asn is not None and cfg.asn is not None and opts.router_asn != cfg.asn:
        problems.append(f"the router runs BGP AS {cfg.asn}; --router-asn {opts.router_asn} would need a second "
                        "instance (change the router's AS by hand if that is what you want)")
    elif local_as is None:
        local_as = opts.router_asn
        if local_as is None:
            problems.append("the router has no BGP instance yet: give its AS number with --router-asn")
    hold = opts.hold_time
    existing = tf.router_object(router.name, router.address)
    if hold is None:
        hold = existing.hold_time if existing else (cfg.hold_time or DEFAULT_HOLD_TIME)
    ops: list[RouterOp] = []
    new_neighbors: list[str] = []
    router_done: set[str] = set()
    for c in controls:
        address = _control_address(c, problems)
        try:
            remote_as = validate.asn(c.asn or tf.asn, f"AS of control node {c.name}")
        except ValidationError as exc:
            problems.append(str(exc))
            continue
        if address is None:
            continue
        n = cfg.neighbors.get(address)
        afi_ok = not d.neighbor_needs_address_family or (n is not None and n.ipv4_unicast)
        if n is not None and n.remote_as == remote_as and afi_ok:
            router_done.add(c.name)
            continue
        if n is not None and n.remote_as is not None and n.remote_as != remote_as:
            notes.append(f"the router has neighbor {address} with remote-as {n.remote_as}, but {c.name} is in AS "
                         f"{remote_as}: it is set to {remote_as}")
        ops.append(SetNeighbor(address, remote_as, _description(c), n))
        new_neighbors.append(address)
    if local_as is not None and not problems:
        if cfg.asn is None:
            ops.insert(0, CreateInstance(local_as))
        ops += _ebgp_ops(router, opts, new_neighbors, local_as, tf.asn, problems, notes)
    wanted = BgpRouter(IP_FABRIC + ("__default__", existing.name if existing else router.name), "router",
                       router.dialect.os, local_as, router.address, router.router_id or router.address, 179, hold,
                       tuple(dict.fromkeys((*(existing.families if existing else ()), *GATEWAYLESS_FAMILIES))),
                       existing.peers if existing else (), existing.uuid if existing else "")
    tf_changes: list[TfChange] = []
    if existing is None:
        tf_changes.append(TfChange(CREATE_ROUTER, wanted))
    elif (existing.asn, existing.address, existing.identifier, existing.hold_time, existing.families) != (
            wanted.asn, wanted.address, wanted.identifier, wanted.hold_time, wanted.families):
        if existing.asn != wanted.asn:
            notes.append(f"TF's bgp-router {existing.name} says AS {existing.asn} but the router runs AS {local_as}: "
                         f"it is set to {local_as}")
        tf_changes.append(TfChange(UPDATE_ROUTER, wanted, old=existing))
    tf_done: set[str] = set()
    for c in controls:
        if existing is not None and c.name in existing.peers:
            tf_done.add(c.name)
            families = tf.session_families.get(c.name)
            if families is not None and "inet" not in families:
                notes.append(f"the session {c.name} <-> {wanted.name} lists families {' '.join(families)} without "
                             "inet: the pods' /32s will not be advertised on it")
        else:
            tf_changes.append(TfChange(ADD_SESSION, wanted, c))
    if tf.iff_networks == 0:
        notes.append("no virtual network has IP fabric forwarding: the session will come up but carry no pod /32s")
    if local_as is not None and local_as == tf.asn:
        notes.append(f"router and TF share AS {local_as}: an iBGP session")
    change = RouterChange(d, local_as or 0, tuple(ops), cfg)
    if problems:
        change, tf_changes = RouterChange(d, local_as or 0, (), cfg), []
    in_place = tuple(c.name for c in controls if c.name in router_done and c.name in tf_done)
    return PeeringPlan(ADD, router, tf.asn, tuple(controls), change, tuple(tf_changes), in_place, tuple(problems),
                       tuple(notes), wanted)


def build_remove(router: RouterFacts, tf: TfFacts, opts: PeerOptions) -> PeeringPlan:
    problems: list[str] = []
    cfg, d = router.config, router.dialect
    _checked_router(router, problems)
    existing = tf.router_object(router.name, router.address)
    peered = set(existing.peers) if existing else set()
    controls = _chosen(tf, opts.controls, problems)
    if not opts.controls:
        controls = [c for c in controls if c.name in peered or c.address in cfg.neighbors]
    ops: list[RouterOp] = []
    tf_changes: list[TfChange] = []
    absent = []
    for c in controls:
        n = cfg.neighbors.get(c.address)
        if n is not None:
            ops.append(DeleteNeighbor(c.address, n))
        if existing is not None and c.name in peered:
            tf_changes.append(TfChange(REMOVE_SESSION, existing, c, tf.session_families.get(c.name)
                                       or GATEWAYLESS_FAMILIES))
        if n is None and c.name not in peered:
            absent.append(c.name)
    if existing is not None and not (peered - {c.name for c in controls}):
        tf_changes.append(TfChange(DELETE_ROUTER, existing))
    removed = {op.address for op in ops if isinstance(op, DeleteNeighbor)}
    if removed and IMPORT_MAP in cfg.route_maps and d.vtysh_config and all(
            a in removed for a, n in cfg.neighbors.items() if n.route_map_in == IMPORT_MAP):
        ops.append(RouteMapPresence(False))  # tftui's own import route-map goes with its last user
    asn = cfg.asn or 0
    change = RouterChange(d, asn, tuple(ops) if not problems else (), cfg)
    return PeeringPlan(REMOVE, router, tf.asn, tuple(controls), change, tuple(tf_changes) if not problems else (),
                       tuple(absent), tuple(problems), (), existing)
