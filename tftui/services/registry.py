"""The app's services: built from the cluster config the first time a view asks (so an unconfigured part
costs nothing and says why it is missing), handed to every view that wants them, closed once on exit.

Names: ``cluster`` (the poller's ClusterState), ``router`` (the first router's RouterMonitor),
``interfaces`` (the agents' VMI list), ``policy`` (the config API's objects) are feeds; ``vmi_service``,
``policy_service``, ``launcher`` and ``flow_service`` are the services behind them, for actions (one
vrouter's interfaces, writes, SSH, flows); ``compute:ADDRESS`` is one compute's container table over SSH,
``flows:VROUTER`` (``flows:VROUTER/INTERFACE``) a flow table and ``hits:POLICY_UUID/RULE_UUID`` a firewall
rule's hits on every vrouter, both live. With an analytics API: ``analytics_service`` (queries,
acknowledgements), the feeds ``alarms`` (looked at every few seconds) and ``uves`` (every UVE type's keys); the
analytics views make their query's own feeds (services/analytics_feeds.py). ``peering`` is the `:peer` view's
flow (a router and the control nodes: plan, apply, watch both sides).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tftui.core.inventory import ClusterSpec, ConfigError

from .cluster_feed import ClusterFeed
from .feed import Feed, FetchFeed
from .poller import Poller

log = logging.getLogger(__name__)
PasswordPrompt = Callable[[str], Awaitable[str | None]]


class Unavailable(Exception):
    """The cluster's config does not provide this service; the message says what is missing."""


class Services:
    def __init__(self, spec: ClusterSpec, *, readonly: bool = False, poller: Poller | None = None,
                 autopoll: bool = True, clock: Callable[[], float] = time.time,
                 prompt: PasswordPrompt | None = None, overrides: dict[str, Any] | None = None):
        self.spec = spec
        self.readonly = readonly
        self.clock = clock
        self.prompt = prompt  # asks the operator for an SSH password (the UI's dialog)
        self._built: dict[str, Any] = {}
        self._provided: set[str] = set()
        self._closed = False
        self.cluster = ClusterFeed(spec, poller or Poller(spec, clock=clock), autopoll=autopoll)
        self._built["cluster"] = self.cluster
        for name, service in (overrides or {}).items():
            self.provide(name, service)

    def provide(self, name: str, service: Any) -> None:
        """Use ``service`` under ``name`` instead of building one from the config (a benchmark's own router
        monitor, a test's PolicyService). Whoever provides it keeps it: it is not closed here."""
        if name in self._built and name != "cluster":
            raise ValueError(f"service {name!r} is already in use")
        self._built[name] = service
        self._provided.add(name)

    # ------------------------------------------------------------------ lookup
    def get(self, name: str) -> Any:
        """The service called ``name``, built on first use; Unavailable when the config lacks what it needs."""
        if name in self._built:
            return self._built[name]
        if self._closed:
            raise Unavailable("tftui is shutting down")
        prefix, _, arg = name.partition(":")
        build = self._FEEDS_OF.get(prefix) if arg else self._BUILDERS.get(name)
        if build is None:
            raise KeyError(f"no service named {name!r}")
        try:
            service = build(self, arg) if arg else build(self)
        except (ConfigError, ValueError, OSError) as exc:
            raise Unavailable(str(exc)) from None
        self._built[name] = service
        return service

    def feed(self, name: str) -> Feed:
        service = self.get(name)
        if not isinstance(service, Feed):
            raise KeyError(f"service {name!r} is not a feed")
        return service

    def unavailable(self, name: str) -> str | None:
        """Why the service cannot be built, or None when it can."""
        try:
            self.get(name)
        except Unavailable as exc:
            return str(exc)
        return None

    def built(self) -> list[str]:
        return list(self._built)

    # ------------------------------------------------------------------ builders
    def _router(self) -> Feed:
        from .routes import RouterMonitor

        if not RouterMonitor.router_names(self.spec):
            raise Unavailable(f"cluster {self.spec.name} has no routers: (see docs/routes.md)")
        return RouterMonitor.from_cluster(self.spec, prompt=self.prompt)

    def _need_vrouters(self) -> None:
        if not any("vrouter" in n.roles for n in self.spec.nodes):
            raise Unavailable(f"cluster {self.spec.name} has no vrouter nodes")

    def _vmi_service(self):
        from .vmis import VmiService

        self._need_vrouters()
        return VmiService(self.spec)

    def _interfaces(self) -> Feed:
        from tftui.clients.agent import AgentFetchError

        service = self.get("vmi_service")
        return FetchFeed(service.refresh, f"agents of {len(service.targets)} vrouters", (AgentFetchError,))

    def _policy_service(self):
        from .policy import PolicyService

        return PolicyService.from_cluster(self.spec, readonly=self.readonly)

    def _policy(self) -> Feed:
        from tftui.clients.configapi import ConfigApiError
        from tftui.core.redact import redact

        service = self.get("policy_service")
        return FetchFeed(service.load_all, f"config API {redact(service.client.settings.url)}", (ConfigApiError,))

    def _peering(self) -> Feed:
        from .peering_flow import PeeringFlow

        if not self.spec.routers:
            raise Unavailable(f"cluster {self.spec.name} has no routers: to peer (see docs/peering.md)")
        return PeeringFlow(self.spec, readonly=self.readonly, prompt=self.prompt, policy=self.get("policy_service"))

    def _launcher(self):
        from .launcher import Launcher

        return Launcher(self.spec)

    def _compute_feed(self, address: str) -> Feed:
        launcher = self.get("launcher")
        return FetchFeed(lambda: launcher.compute_detail(address), f"{address} over SSH")

    def _analytics_service(self):
        from tftui.core.analytics.settings import analytics_settings

        from .analytics import AnalyticsService

        settings = analytics_settings(self.spec)
        if settings is None:
            raise Unavailable(f"cluster {self.spec.name} has no analytics API: set analytics_api, or give a node "
                              f"the analytics role (see docs/analytics.md)")
        return AnalyticsService(settings, self.spec, readonly=self.readonly, clock=self.clock)

    def _alarms(self) -> Feed:
        from .analytics_feeds import alarms_feed

        return alarms_feed(self.get("analytics_service"))

    def _uves(self) -> Feed:
        from .analytics_feeds import uve_index_feed

        return uve_index_feed(self.get("analytics_service"))

    def _flow_service(self):
        from .flows import FlowService

        self._need_vrouters()
        return FlowService(self.spec)

    @property
    def _live_every(self) -> float:
        return max(5.0, self.spec.poll_interval)  # a flow table is up to 100 requests a read

    def _flows_feed(self, where: str) -> Feed:
        from .flow_feeds import FlowsFeed

        vrouter, _, interface = where.partition("/")
        return FlowsFeed(self.get("flow_service"), vrouter, interface or None, every=self._live_every)

    def _hits_feed(self, ids: str) -> Feed:
        from .flow_feeds import rule_hits_feed

        policy_uuid, _, rule_uuid = ids.partition("/")
        return rule_hits_feed(self.get("flow_service"), policy_uuid, rule_uuid, every=self._live_every)

    _BUILDERS: dict[str, Callable[[Services], Any]] = {
        "router": _router, "vmi_service": _vmi_service, "interfaces": _interfaces,
        "policy_service": _policy_service, "policy": _policy, "launcher": _launcher, "flow_service": _flow_service,
        "analytics_service": _analytics_service, "alarms": _alarms, "uves": _uves, "peering": _peering,
    }
    _FEEDS_OF: dict[str, Callable[[Services, str], Feed]] = {  # "compute:ADDRESS": one feed per argument
        "compute": _compute_feed, "flows": _flows_feed, "hits": _hits_feed,
    }

    # ------------------------------------------------------------------ shutdown
    async def aclose(self) -> None:
        """Close every built service once, the last built first; a failing close does not stop the others."""
        if self._closed:
            return
        self._closed = True
        for name, service in reversed(list(self._built.items())):
            close = getattr(service, "aclose", None) if name not in self._provided else None
            if close is None:
                continue
            try:
                await close()
            except Exception:  # the process is ending: log it, close the rest
                log.exception("closing %s failed", name)
