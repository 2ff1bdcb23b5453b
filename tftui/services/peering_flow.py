"""The `:peer` view's source: one router and TF's control nodes, read once, planned again for every choice the
operator makes (which control nodes, the eBGP policy, the router's AS), applied after the view's one confirmation,
then watched on both sides — the router's neighbor state, each control node's (services/control_neighbors.py),
the gatewayless cross-check filling up — with the likely causes when the session stays down.

It is a Feed: the snapshot (`PeeringSnapshot`) is immutable and published after every change; every read or write
runs on the app's loop, one at a time (one SSH connection to the router, one config API client).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tftui.clients.configapi import ConfigApiError
from tftui.clients.router import PasswordPrompt, RouterError
from tftui.core.inventory import ClusterSpec, ConfigError
from tftui.core.peering.checks import Cause
from tftui.core.peering.plan import (
    ADD,
    REMOVE,
    PeeringPlan,
    PeerOptions,
    RouterFacts,
    TfFacts,
    build_add,
    build_remove,
    ebgp_policy_required,
)
from tftui.core.peering.status import PeeringStatus
from tftui.core.policy.models import BgpRouter
from tftui.core.policy.validate import ValidationError

from .control_neighbors import ControlNeighbors
from .feed import Feed, describe_error
from .peering import ApplyResult, PeeringService
from .policy import PolicyService, ReadOnlyError

log = logging.getLogger(__name__)

READING, READY, APPLYING, WATCHING, DONE, DOWN = "reading", "ready", "applying", "watching", "done", "down"
EXPECTED = (RouterError, ConfigApiError, ConfigError, ValidationError, OSError)
CAUSES_AFTER = 60.0  # seconds: the seed's walk saw a session up in "45 seconds to a minute"


@dataclass(frozen=True)
class PeeringSnapshot:
    routers: tuple[str, ...]  # the cluster config's routers
    router: str  # the one being peered
    phase: str = READING
    router_facts: RouterFacts | None = None
    tf: TfFacts | None = None
    chosen: tuple[str, ...] = ()  # TF's control nodes the operator picked
    options: PeerOptions = field(default_factory=PeerOptions)
    add: PeeringPlan | None = None  # what `add` would do for the choice
    remove: PeeringPlan | None = None  # what `remove` would do for it
    status: PeeringStatus | None = None  # every control node's session, both sides, as last seen
    applied: PeeringPlan | None = None  # the change applied from here, being watched
    progress: PeeringStatus | None = None  # that change's own sessions, elapsed since it was applied
    causes: tuple[Cause, ...] = ()
    message: str = ""  # the outcome of the last apply, in words

    @property
    def controls(self) -> list[BgpRouter]:
        return self.tf.controls() if self.tf is not None else []

    @property
    def ebgp_choice_needed(self) -> bool:
        """The router refuses eBGP routes without a policy: the add plan needs the operator's choice."""
        if self.router_facts is None or self.tf is None:
            return False
        asn = self.router_facts.config.asn or self.options.router_asn
        return ebgp_policy_required(self.router_facts, asn, self.tf.asn)

    @property
    def needs_router_asn(self) -> bool:
        return self.router_facts is not None and self.router_facts.config.asn is None


class PeeringFlow(Feed):
    can_pause = True
    min_interval = 0.2

    def __init__(self, spec: ClusterSpec, *, readonly: bool = False, prompt: PasswordPrompt | None = None,
                 policy: PolicyService | None = None, interval: float = 1.0, idle_interval: float = 5.0,
                 causes_after: float = CAUSES_AFTER, clock: Callable[[], float] = time.monotonic,
                 control_source: ControlNeighbors | None | bool = True):
        super().__init__()
        self.spec = spec
        self.readonly = readonly
        self.prompt = prompt
        self.policy = policy
        self.interval = interval  # between observations while a change is watched
        self.idle_interval = idle_interval  # otherwise: the sessions as they are, less often
        self.causes_after = causes_after
        self.clock = clock
        routers = tuple(r.name for r in spec.routers)
        if not routers:
            raise ConfigError(f"cluster {spec.name} has no routers: (see docs/routes.md)")
        self.control = ControlNeighbors.for_cluster(spec) if control_source is True else (control_source or None)
        self.source = f"router {routers[0]} over SSH · config API" + (
            " · control nodes' introspect" if self.control else "")
        self.snapshot = PeeringSnapshot(routers, routers[0])
        self._service: PeeringService | None = None
        self._lock = asyncio.Lock()  # one read, observation or write at a time
        self._task: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None
        self._read_wanted = True
        self._applied_at = 0.0
        self._started = clock()

    # ------------------------------------------------------------------ the service of the chosen router
    @property
    def service(self) -> PeeringService:
        if self._service is None:
            self._service = PeeringService(self.spec, self.snapshot.router, readonly=self.readonly,
                                           policy=self.policy, prompt=self.prompt, control_source=self.control,
                                           clock=self.clock)
        return self._service

    # ------------------------------------------------------------------ feed
    def start(self) -> None:
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._read_wanted = True
            self.busy = True  # both sides are being read: a view (or a test) waits for them
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="peering flow")

    def idle(self) -> None:
        """The view closed: stop looking at the router and the control nodes (a write in flight finishes)."""
        if self._task is not None and self.snapshot.phase != APPLYING:
            self._task.cancel()
            self._task = None
            self.busy = False

    def refresh_soon(self) -> None:
        self._read_wanted = True
        self._poke()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._poke()
        self.publish(error=self.error)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _put(self, **changes) -> None:
        self.publish(dataclasses.replace(self.snapshot, **changes), error=None)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._service is not None:
            await self._service.aclose()
            self._service = None
        if self.control is not None:
            await self.control.aclose()

    async def _loop(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                if self._read_wanted:
                    await self.read()
                if not self.paused and self.snapshot.tf is not None:
                    await self.observe()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every failure is the feed's error; the last good snapshot stays
                self._failed(exc)
            watching = self.snapshot.phase in (WATCHING, DOWN)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval if watching else self.idle_interval)

    def _failed(self, exc: BaseException) -> None:
        message = describe_error(exc, EXPECTED)
        if isinstance(exc, EXPECTED):
            log.error("peering: %s", message)
        else:
            log.exception("peering: failed")
        self.busy = False
        self.publish(error=message)

    # ------------------------------------------------------------------ reading and planning
    async def read(self) -> None:
        """Both sides read again and the plans rebuilt for the current choice."""
        self._read_wanted = False
        self.busy = True
        self.publish(error=self.error)
        async with self._lock:
            router, tf = await self.service.read(self.snapshot.options)
        self.busy = False
        snap = self.snapshot
        known = {c.name for c in tf.controls()}
        chosen = tuple(n for n in snap.chosen if n in known) if snap.tf is not None else tuple(sorted(known))
        phase = snap.phase if snap.phase in (WATCHING, DOWN, DONE, APPLYING) else READY
        self.publish(self._planned(dataclasses.replace(snap, router_facts=router, tf=tf, chosen=chosen,
                                                       phase=phase)), error=None)

    @staticmethod
    def _planned(snap: PeeringSnapshot) -> PeeringSnapshot:
        if snap.router_facts is None or snap.tf is None:
            return snap
        opts = dataclasses.replace(snap.options, controls=snap.chosen)
        if not snap.chosen:
            return dataclasses.replace(snap, add=None, remove=None)
        return dataclasses.replace(snap, add=build_add(snap.router_facts, snap.tf, opts),
                                   remove=build_remove(snap.router_facts, snap.tf, opts))

    def choose_router(self, name: str) -> None:
        """Peer another router of the config: everything is read again for it."""
        if name not in self.snapshot.routers or name == self.snapshot.router:
            return
        old, self._service = self._service, None
        if old is not None:
            asyncio.get_running_loop().create_task(old.aclose())
        self.source = self.source.replace(f"router {self.snapshot.router} ", f"router {name} ", 1)
        self.publish(PeeringSnapshot(self.snapshot.routers, name), error=None)
        self.refresh_soon()

    def toggle(self, control: str) -> None:
        """Take a control node in or out of the change."""
        snap = self.snapshot
        if snap.phase in (APPLYING,) or control not in {c.name for c in snap.controls}:
            return
        chosen = tuple(c.name for c in snap.controls if (c.name == control) != (c.name in snap.chosen))
        self.publish(self._planned(dataclasses.replace(snap, chosen=chosen)), error=None)

    def set_options(self, **changes) -> None:
        """The eBGP policy choice (``ebgp=``) or the router's AS when it has no BGP yet (``router_asn=``)."""
        snap = self.snapshot
        self.publish(self._planned(dataclasses.replace(snap, options=dataclasses.replace(snap.options, **changes))),
                     error=None)

    # ------------------------------------------------------------------ writing
    async def apply(self, action: str) -> ApplyResult:
        """The plan on screen for ``action``, on both sides. ReadOnlyError under --readonly, before anything."""
        if self.readonly:
            raise ReadOnlyError("read-only mode: nothing is changed (started with --readonly)")
        snap = self.snapshot
        plan = snap.add if action == ADD else snap.remove
        if plan is None:
            return ApplyResult(False, message="nothing planned: pick a control node")
        if plan.empty:
            return ApplyResult(True, message="nothing to change")
        before = snap.phase
        self._put(phase=APPLYING, message=f"applying {plan.action} on both sides…")
        try:
            async with self._lock:
                result = await self.service.apply(plan)
        except BaseException:
            self._put(phase=before, message="")
            raise
        if result.ok:
            self._applied_at = self.clock()
            self._put(phase=WATCHING, applied=plan, progress=None, causes=(),
                      message=f"{plan.action}: applied on both sides")
        else:
            self._put(phase=READY if before not in (WATCHING, DOWN) else before, message=result.words())
        self.refresh_soon()  # both sides as they are now: the next plan starts from there
        return result

    # ------------------------------------------------------------------ watching
    async def observe(self) -> None:
        snap = self.snapshot
        everyone = snap.router_facts and snap.tf and build_add(snap.router_facts, snap.tf, PeerOptions())
        if not everyone:
            return
        async with self._lock:
            status = await self.service.observe(everyone, self._started)
        snap = self.snapshot  # what changed while it was read (a toggle, an apply)
        changes: dict = {"status": status}
        if snap.applied is not None and snap.phase in (WATCHING, DOWN, DONE):
            progress = self._progress(snap.applied, status)
            changes["progress"] = progress
            if snap.phase != DONE and progress.done:
                changes.update(phase=DONE, message=f"{snap.applied.action}: done after {progress.elapsed:.0f}s")
                self._read_wanted = True
            elif snap.phase == WATCHING and progress.elapsed >= self.causes_after:
                changes.update(phase=DOWN, causes=tuple(await self.causes(progress)))
        self._put(**changes)

    def _progress(self, plan: PeeringPlan, everyone: PeeringStatus) -> PeeringStatus:
        names = {c.name for c in plan.controls}
        return PeeringStatus(ADD if plan.brings_up else REMOVE, self.clock() - self._applied_at,
                             [p for p in everyone.pairs if p.control in names], everyone.check, everyone.check_note,
                             list(everyone.errors))

    async def causes(self, status: PeeringStatus | None = None) -> list[Cause]:
        """What tftui can check about sessions that are not up (both sides read again, TCP 179 probed)."""
        snap = self.snapshot
        plan = snap.applied or snap.add
        if plan is None:
            return []
        status = status or snap.progress or snap.status
        if status is None:
            return []
        async with self._lock:
            return await self.service.causes(plan, status)

    async def diagnose(self) -> list[Cause]:
        """The likely causes now, on the operator's request; shown until the next change."""
        found = tuple(await self.causes())
        self._put(causes=found)
        return list(found)
