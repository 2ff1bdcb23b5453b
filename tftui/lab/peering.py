"""The lab's BGP sessions between its router and its control nodes, as a model of their own.

For each control node: is it configured on the router (a neighbor at its address, with TF's AS as remote-as)?
does the lab config API have a bgp-router for the router (its address, the router's AS) with a session from this
control node? Once both sides agree, the session comes up after a short delay (a real one takes 45 s to a minute
in the seed's walk); it goes down as soon as either side takes it away or the AS numbers stop matching. Routes
flow on an Established session that carries family inet, unless the router refuses them (FRR 7.4+ without an
eBGP policy: (Policy); VyOS 1.4 without address-family ipv4-unicast).

The lab router reads the sessions from here (its neighbors and routes); the control nodes' BGP neighbor
introspect reads the same sessions from the control node's side (`control_view`). The router's running
configuration lives here too, so every reader sees one state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tftui.core.peering.running import BgpConfig, NeighborConfig
from tftui.core.peering.tf import GATEWAYLESS_FAMILIES, ref_families

from .topology import Topology

DEFAULT_DELAY = 3.0
ESTABLISHED, ACTIVE, IDLE = "Established", "Active", "Idle"
BAD_PEER_AS = "OPEN Message Error: Bad Peer AS"
CONTROL_FAMILIES = ("route-target", "inet-vpn", "e-vpn", "erm-vpn", "inet6-vpn")  # what provisioning gives them


@dataclass(frozen=True)
class TfControl:
    name: str
    address: str
    asn: int
    families: tuple[str, ...] = CONTROL_FAMILIES


@dataclass(frozen=True)
class TfExternal:
    """A bgp-router object for an external router, with the control nodes it has sessions with."""

    name: str
    address: str
    asn: int | None
    families: tuple[str, ...]
    sessions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # control node -> session families


@dataclass(frozen=True)
class TfView:
    asn: int
    controls: tuple[TfControl, ...]
    externals: tuple[TfExternal, ...] = ()

    def external_at(self, address: str) -> TfExternal | None:
        return next((e for e in self.externals if e.address == address), None)


@dataclass(frozen=True)
class LabSession:
    control: str
    control_address: str
    control_asn: int
    router_address: str
    router_asn: int | None
    on_router: bool  # the router has a neighbor at the control node's address
    in_tf: bool  # TF has a session between the control node and the router's bgp-router
    state: str  # on the router's side (the control node's side: control_state)
    since: float  # monotonic time of the last state change
    families: tuple[str, ...] = ()
    routes_flow: bool = False  # Established, inet negotiated and accepted by the router
    policy_blocked: bool = False
    last_error: str | None = None

    @property
    def established(self) -> bool:
        return self.state == ESTABLISHED

    @property
    def control_state(self) -> str:
        """What the control node's introspect shows: Established, Active (it connects, nobody answers), Idle."""
        if self.established:
            return ESTABLISHED
        return IDLE if self.last_error else ACTIVE


def router_config_from(topo: Topology) -> BgpConfig:
    """The router's running configuration at the start: BGP with the control nodes it is peered with."""
    r = topo.router
    cfg = BgpConfig(r.asn, r.router_id, no_ebgp_requires_policy=r.os == "frr")
    for node in topo.nodes:
        if node.name in r.peered:
            cfg.neighbors[node.address] = NeighborConfig(
                node.address, r.tf_asn, description=f"tf-{node.name}",
                ipv4_unicast=True if r.os == "vyos-1.4" else None)
    return cfg


def tf_view_from(topo: Topology) -> TfView:
    """TF's side as the lab's config API is seeded (when no config API runs beside the router)."""
    r = topo.router
    controls = tuple(TfControl(n.name, n.address, r.tf_asn) for n in topo.nodes if "control" in n.roles)
    sessions = {c.name: GATEWAYLESS_FAMILIES for c in controls if c.name in r.peered}
    return TfView(r.tf_asn, controls, (TfExternal(r.tf_name, r.address, r.asn, GATEWAYLESS_FAMILIES, sessions),)
                  if sessions else ())


def tf_view_from_store(store) -> TfView:
    """TF's side as the lab config API's objects say (store: lab.configapi.store.Store)."""
    gsc = next(iter(store.find("global-system-config")), {})
    asn = gsc.get("autonomous_system") or 64512
    controls, externals, raw = [], [], {}
    for obj in store.find("bgp-router"):
        p = obj.get("bgp_router_parameters") or {}
        raw[obj["uuid"]] = obj
        families = tuple((p.get("address_families") or {}).get("family") or ())
        if p.get("router_type") == "control-node":
            controls.append(TfControl(obj["fq_name"][-1], p.get("address", ""), p.get("autonomous_system") or asn,
                                      families))
    by_uuid = {u: o["fq_name"][-1] for u, o in raw.items()}
    control_names = {c.name: c for c in controls}
    for uid, obj in raw.items():
        p = obj.get("bgp_router_parameters") or {}
        if p.get("router_type") != "router":
            continue
        families = tuple((p.get("address_families") or {}).get("family") or ())
        sessions: dict[str, tuple[str, ...]] = {}
        pairs = [(by_uuid.get(ref.get("uuid")), ref) for ref in obj.get("bgp_router_refs") or []]
        pairs += [(by_uuid[src], ref) for src, o in raw.items() for ref in o.get("bgp_router_refs") or []
                  if ref.get("uuid") == uid and src in by_uuid]
        for name, ref in pairs:
            control = control_names.get(name or "")
            if control is None:
                continue
            listed = ref_families(ref)  # families on the session win over the routers' own
            sessions[control.name] = listed if listed is not None else tuple(
                f for f in control.families if not families or f in families)
        externals.append(TfExternal(obj["fq_name"][-1], p.get("address", ""), p.get("autonomous_system"), families,
                                    sessions))
    return TfView(asn, tuple(controls), tuple(externals))


class LabPeering:
    def __init__(self, topo: Topology, delay: float = DEFAULT_DELAY, clock: Callable[[], float] = time.monotonic):
        self.topo = topo
        self.delay = delay
        self.clock = clock
        self._lock = threading.RLock()
        self.router_config = router_config_from(topo)
        self._tf = tf_view_from(topo)
        self._agreed: dict[str, float] = {}
        self._since: dict[str, tuple[str, float]] = {}
        self.started = clock()
        self.generation = 0  # bumped on every change either side makes
        for s in self._evaluate():  # what is agreed at the start has been up since the lab started
            if s.on_router and s.in_tf:
                self._agreed[s.control] = self.started - delay

    # ---------------------------------------------------------------- the two sides change
    def attach_store(self, store) -> None:
        """Follow the lab config API: TF's side is read again after every write to it (on the lab's loop)."""
        previous = store.on_change

        def changed() -> None:
            if previous is not None:
                previous()
            self.set_tf(tf_view_from_store(store))

        store.on_change = changed
        self.set_tf(tf_view_from_store(store))

    def set_tf(self, view: TfView) -> None:
        with self._lock:
            self._tf = view
            self.generation += 1
            self._evaluate()

    def set_router_config(self, cfg: BgpConfig) -> None:
        with self._lock:
            self.router_config = cfg
            self.generation += 1
            self._evaluate()

    # ---------------------------------------------------------------- what the sessions are
    def sessions(self) -> list[LabSession]:
        with self._lock:
            return self._evaluate()

    def control_view(self, control: str) -> list[LabSession]:
        """The sessions a control node knows of: those TF configured on it."""
        return [s for s in self.sessions() if s.control == control and s.in_tf]

    def state_key(self) -> tuple:
        return (self.generation, tuple((s.control, s.state, s.routes_flow, s.policy_blocked) for s in self.sessions()))

    def _evaluate(self) -> list[LabSession]:
        now = self.clock()
        cfg, tf, r = self.router_config, self._tf, self.topo.router
        ext = tf.external_at(r.address)
        out = []
        for c in tf.controls:
            n = cfg.neighbors.get(c.address) if cfg.asn is not None else None
            in_tf = ext is not None and c.name in ext.sessions
            error = None
            if n is not None and in_tf and (n.remote_as != c.asn or ext.asn != cfg.asn):
                error = BAD_PEER_AS
            agreed = n is not None and in_tf and error is None
            if not agreed:
                self._agreed.pop(c.name, None)
            elif c.name not in self._agreed:
                self._agreed[c.name] = now
            up = agreed and now - self._agreed[c.name] >= self.delay
            state = ESTABLISHED if up else (IDLE if error else ACTIVE)
            families = ext.sessions.get(c.name, ()) if ext is not None else ()
            blocked = up and self._policy_blocks(cfg, n, c)
            afi_ok = n is not None and (r.os != "vyos-1.4" or bool(n.ipv4_unicast))
            flow = up and "inet" in families and not blocked and afi_ok and self._import_ok(cfg, n)
            since = self._since_of(c.name, state, self._agreed[c.name] + self.delay if up else now)
            out.append(LabSession(c.name, c.address, c.asn, r.address, cfg.asn, n is not None, in_tf, state, since,
                                  families, flow, blocked, error))
        return out

    def _since_of(self, name: str, state: str, when: float) -> float:
        last = self._since.get(name)
        if last is None or last[0] != state:
            self._since[name] = (state, when)
        return self._since[name][1]

    def _policy_blocks(self, cfg: BgpConfig, n: NeighborConfig | None, c: TfControl) -> bool:
        """FRR 7.4+ (plain, or VyOS 1.4 with `parameters ebgp-requires-policy`): eBGP without an import policy."""
        if n is None or cfg.asn == c.asn or n.route_map_in:
            return False
        os = self.topo.router.os
        return (os == "frr" and not cfg.no_ebgp_requires_policy) or (os == "vyos-1.4" and cfg.ebgp_requires_policy)

    @staticmethod
    def _import_ok(cfg: BgpConfig, n: NeighborConfig | None) -> bool:
        """An import route-map that does not exist lets nothing in."""
        return n is not None and (n.route_map_in is None or n.route_map_in in cfg.route_maps)
