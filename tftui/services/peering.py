"""Peering the gateway router with TF's control nodes: read both sides, plan, apply after one confirmation (never
under --readonly), watch the sessions come up and the pods' /32s arrive, undo.

The router is written first (its writes roll themselves back on a refusal); TF second, through the policy
service's confirmed-write path (a draft, revision checks, the draft kept on failure). When TF refuses, what was
done on the router is undone and what TF had already taken is taken back, so neither side is left half-peered.

The control nodes' own view of the session comes from a `ControlNeighborSource` when one is given: a callable
(control node's bgp-router, router address) -> ControlSide | None; services/control_neighbors.py provides it from
each control node's BGP neighbor introspect (`tftui peer` and the `:peer` view pass it in; without one the watch
follows the router's side).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from tftui.clients.configapi import ConfigApiError
from tftui.clients.introspect import IntrospectClient, IntrospectSettings
from tftui.clients.router import PasswordPrompt, RouterClient, RouterError
from tftui.clients.router_config import RouterConfigurator, WriteResult
from tftui.core.inventory import ClusterSpec
from tftui.core.peering import validate
from tftui.core.peering.checks import Cause, Probe, likely_causes
from tftui.core.peering.plan import (
    ADD,
    REMOVE,
    PeeringPlan,
    PeerOptions,
    RouterFacts,
    TfFacts,
    build_add,
    build_remove,
)
from tftui.core.peering.status import ControlSide, PeeringStatus, pair_statuses
from tftui.core.peering.tf import (
    ADD_SESSION,
    CREATE_ROUTER,
    DELETE_ROUTER,
    REMOVE_SESSION,
    TfChange,
    ref_families,
    ref_points_to,
)
from tftui.core.policy.models import BgpRouter, fq_str
from tftui.core.routes.config import choose_router, parse_routers
from tftui.core.status import FetchKind

from .gatewayless import hosts_provider
from .policy import ConflictError, PolicyService, ReadOnlyError, revision
from .policy_drafts import Draft, Op
from .routes import RouterMonitor

log = logging.getLogger(__name__)


class ControlNeighborSource(Protocol):
    """A control node's BGP neighbor state for the router's address; None when it has no such peer. Raises when
    the control node cannot be read (its side is then unknown, never taken for up or gone)."""

    def __call__(self, control: BgpRouter, router_address: str) -> Awaitable[ControlSide | None]: ...


@dataclass
class ApplyResult:
    ok: bool
    router: WriteResult | None = None
    tf_written: list[str] = field(default_factory=list)  # the TF changes written, in words
    message: str = ""

    def words(self) -> str:
        if self.ok:
            return "applied on both sides"
        return self.message


class PeeringService:
    def __init__(self, cluster: ClusterSpec, router: str | None = None, *, readonly: bool = False,
                 policy: PolicyService | None = None, prompt: PasswordPrompt | None = None,
                 control_source: ControlNeighborSource | None = None, router_address: str | None = None,
                 interval: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.cluster = cluster
        self.readonly = readonly
        spec = choose_router(parse_routers(cluster.raw, f"clusters.{cluster.name}"), router)
        self.client = RouterClient(spec, prompt)
        self.configurator = RouterConfigurator(self.client, readonly)
        self.monitor = RouterMonitor(spec, hosts_provider(cluster), interval, prompt, client=self.client)
        self.monitor.settle_big_tables = False
        self._own_policy = policy is None  # one handed in (the app's) is closed by whoever made it
        self.policy = policy or PolicyService.from_cluster(cluster, readonly=readonly)
        self.control_source = control_source  # None: the watch follows the router's side and the cross-check
        self.router_address = router_address or spec.host
        self.clock = clock

    async def aclose(self) -> None:
        await self.monitor.stop()
        if self._own_policy:
            await self.policy.aclose()

    # ------------------------------------------------------------------ reading
    async def read_router(self) -> RouterFacts:
        dialect = await self.configurator.dialect()
        config, _ = await self.configurator.read()
        rid = await self.configurator.router_id() or config.router_id
        return RouterFacts(self.client.spec.name, self.router_address, dialect, config, rid)

    async def read_tf(self, router_name: str | None = None) -> TfFacts:
        routers = await self.policy.load_bgp()
        asn = await self.policy.load_global_asn()
        networks = await self.policy.load_networks()
        facts = TfFacts(asn, tuple(routers), {}, sum(1 for n in networks if n.ip_fabric_forwarding))
        obj = facts.router_object(router_name or self.client.spec.name, self.router_address)
        if obj is not None:
            for c in facts.controls():
                if c.name in obj.peers:
                    facts.session_families[c.name] = await self._session_families(c, obj)
        return facts

    async def _session_families(self, control: BgpRouter, router: BgpRouter) -> tuple[str, ...] | None:
        refs = []
        for who, other in ((control, router), (router, control)):
            obj = await self.policy.client.read("bgp-router", who.uuid, exclude_back_refs=True, exclude_children=True)
            refs += [r for r in obj.get("bgp_router_refs") or [] if ref_points_to(r, other)]
        for ref in refs:
            families = ref_families(ref)
            if families is not None:
                return families
        return None

    async def read(self, options: PeerOptions | None = None) -> tuple[RouterFacts, TfFacts]:
        """Both sides as they are now: what a plan is built from (again for each choice, without reading)."""
        options = options or PeerOptions()
        if options.router_address:
            self.router_address = validate.neighbor_address(options.router_address, "--router-address")
        router = await self.read_router()
        return router, await self.read_tf(router.name)

    async def plan(self, action: str, options: PeerOptions | None = None) -> PeeringPlan:
        options = options or PeerOptions()
        router, tf = await self.read(options)
        return (build_add if action == ADD else build_remove)(router, tf, options)

    # ------------------------------------------------------------------ writing
    async def apply(self, plan: PeeringPlan) -> ApplyResult:
        """Both sides, router first. Raises ReadOnlyError under --readonly before anything is read or sent."""
        if self.readonly:
            raise ReadOnlyError("read-only mode: nothing is changed (started with --readonly)")
        if plan.problems:
            return ApplyResult(False, message="the plan has problems: " + "; ".join(plan.problems))
        result = ApplyResult(False)
        if not plan.router_change.empty:
            result.router = await self.configurator.apply(plan.router_change)
            if not result.router.ok:
                result.message = f"router {plan.router.name}: {result.router.words()}"
                return result
        done: list[TfChange] = []
        try:
            await self._write_tf(plan.tf_changes, f"peer {plan.action} {plan.router.name}", done)
        except (ConfigApiError, ConflictError, RouterError) as exc:
            result.message = f"TF refused: {exc}"
            result.message += self._undo_note(await self._take_back(plan, done))
            return result
        result.ok = True
        result.tf_written = [c.words() for c in done]
        return result

    async def undo(self, plan: PeeringPlan) -> ApplyResult:
        return await self.apply(plan.undo())

    async def _write_tf(self, changes: tuple[TfChange, ...], title: str, done: list[TfChange]) -> None:
        """Each change materialised from the objects as they are now, committed one draft per change so a failure
        says exactly which ones TF took."""
        for change in changes:
            op = await self._op_for(change)
            if op is None:
                continue  # already true
            draft = self.policy.drafts.put(Draft(f"{title}: {change.kind}", [op]))
            try:
                await self.policy.commit(draft)
            except (ConfigApiError, ConflictError):
                self.policy.discard(draft)  # the peering is rolled back, not left as a draft to resend
                raise
            done.append(change)

    async def _op_for(self, change: TfChange) -> Op | None:
        router = await self._current_router(change.router)
        if change.kind == CREATE_ROUTER:
            if router is not None:
                return None
            body = BgpRouter(change.router.fq_name, change.router.router_type, change.router.vendor,
                             change.router.asn, change.router.address, change.router.identifier, change.router.port,
                             change.router.hold_time, change.router.families).body()
            return Op("create", "bgp-router", list(change.router.fq_name), body)
        if router is None:
            if change.kind in (DELETE_ROUTER, REMOVE_SESSION):
                return None
            raise ConfigApiError(404, f"no bgp-router {fq_str(change.router.fq_name)}")
        if change.kind == DELETE_ROUTER:
            obj, etag = await self.policy.client.read_with_etag("bgp-router", router.uuid, exclude_back_refs=True,
                                                                exclude_children=True)
            old = {k: v for k, v in obj.items() if k not in ("href", "id_perms", "perms2")}
            return Op("delete", "bgp-router", list(obj["fq_name"]), None, router.uuid, old, revision(obj, etag))
        if change.kind in (ADD_SESSION, REMOVE_SESSION):
            assert change.control is not None
            target = BgpRouter(router.fq_name, router.router_type, families=change.families, uuid=router.uuid)
            op = await self.policy.session_op(change.control, target, add=change.kind == ADD_SESSION)
            if op is None and change.kind == REMOVE_SESSION:  # the session may be a ref the other way round
                reverse = BgpRouter(change.control.fq_name, uuid=change.control.uuid)
                op = await self.policy.session_op(router, reverse, add=False)
            return op
        params = BgpRouter(router.fq_name, change.router.router_type, change.router.vendor, change.router.asn,
                           change.router.address, change.router.identifier, change.router.port,
                           change.router.hold_time, change.router.families).params()
        obj, etag = await self.policy.client.read_with_etag("bgp-router", router.uuid, exclude_back_refs=True,
                                                            exclude_children=True)
        return Op("update", "bgp-router", list(obj["fq_name"]), {"bgp_router_parameters": params}, router.uuid,
                  {"bgp_router_parameters": obj.get("bgp_router_parameters")}, revision(obj, etag))

    async def _current_router(self, wanted: BgpRouter) -> BgpRouter | None:
        uid = await self.policy.client.fqname_to_id("bgp-router", list(wanted.fq_name))
        if uid is None:
            return None
        return BgpRouter.from_api(await self.policy.client.read("bgp-router", uid, exclude_children=True))

    async def _take_back(self, plan: PeeringPlan, done: list[TfChange]) -> list[str]:
        """After TF refused: TF's accepted changes and the router's change undone; what could not be, in words."""
        failures: list[str] = []
        try:
            await self._write_tf(tuple(c.inverse() for c in reversed(done)), f"peer {plan.action} rollback", [])
        except (ConfigApiError, ConflictError, RouterError) as exc:
            failures.append(f"TF changes already written could not be taken back ({exc}): "
                            + "; ".join(c.words() for c in done))
        if not plan.router_change.empty:
            undone = await self.configurator.apply(plan.router_change.inverse())
            if not undone.ok:
                failures.append(f"router change could not be undone: {undone.words()}")
        return failures

    @staticmethod
    def _undo_note(failures: list[str]) -> str:
        if failures:
            return "; NOT UNDONE: " + "; ".join(failures)
        return "; everything written for this plan was undone on both sides"

    # ------------------------------------------------------------------ watching
    async def observe(self, plan: PeeringPlan, started: float) -> PeeringStatus:
        controls = [(c.name, c.address) for c in plan.controls]
        sides: dict[str, ControlSide | None] | None = None
        errors: dict[str, str] = {}
        if self.control_source is None:
            st = await self.monitor.refresh()
        else:
            source = self.control_source

            async def one(c: BgpRouter) -> ControlSide | None:
                try:
                    return await source(c, plan.router.address)
                except Exception as exc:  # a control node that cannot be read must not end the watch
                    log.warning("control node %s: BGP neighbor state unavailable: %s", c.name, exc)
                    errors[c.name] = str(exc) or type(exc).__name__
                    return None

            st, *found = await asyncio.gather(self.monitor.refresh(), *(one(c) for c in plan.controls))
            sides = {c.name: side for c, side in zip(plan.controls, found, strict=True)}
        return PeeringStatus(ADD if plan.brings_up else REMOVE, self.clock() - started,
                             pair_statuses(controls, st.neighbors, sides, errors), st.check, st.check_note,
                             list(st.errors))

    async def watch(self, plan: PeeringPlan, timeout: float, on_status: Callable[[PeeringStatus], None] | None = None,
                    started: float | None = None, interval: float = 1.0) -> PeeringStatus:
        """Observe until done (sessions, and for an add the cross-check whole) or `timeout` seconds have passed."""
        started = self.clock() if started is None else started
        while True:
            status = await self.observe(plan, started)
            if on_status is not None:
                on_status(status)
            if status.done or self.clock() - started >= timeout:
                return status
            await asyncio.sleep(min(interval, max(0.0, timeout - (self.clock() - started))))

    async def probes(self, plan: PeeringPlan, timeout: float = 2.0) -> dict[str, Probe]:
        """TCP connects to each control node's BGP port from here (not from the router)."""
        names = {FetchKind.REPLY: "open", FetchKind.REFUSED: "refused", FetchKind.TIMEOUT: "timeout"}
        out: dict[str, Probe] = {}
        async with IntrospectClient(IntrospectSettings.from_cluster(self.cluster)) as client:
            for c in plan.controls:
                res = await client.probe(c.address, c.port or 179, timeout)
                out[c.name] = Probe(c.address, c.port or 179, names.get(res.kind, str(res.kind)))
        return out

    async def causes(self, plan: PeeringPlan, status: PeeringStatus) -> list[Cause]:
        """Both sides read again, the TCP probes, and what they say about a session that stays down."""
        router = await self.read_router()
        tf = await self.read_tf(router.name)
        return likely_causes(status, router, tf, await self.probes(plan))
