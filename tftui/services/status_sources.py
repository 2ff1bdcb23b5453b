"""Where node status comes from: introspect (one request per service per node) or the analytics API.

With ``status_source: analytics`` or ``auto``, each poll round first asks analytics for every node type's
NodeStatus (``GET /analytics/uves/<type>/*?flat&cfilt=NodeStatus``, a handful of requests for the whole
fleet); the poller then asks introspect only for the services analytics does not report or reports
stale. When analytics does not answer, that round's states all come from introspect: no gap.
``auto`` is silent about it; ``analytics`` keeps the error for the caller to show.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tftui.core.analytics.settings import AnalyticsSettings, analytics_settings, status_source
from tftui.core.analytics.status import ReportedStatus, reported_statuses, service_states
from tftui.core.analytics.uve import NODE_TYPES, UveFilters, singular
from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.core.status import ServiceState

if TYPE_CHECKING:  # the client (httpx: ~50 ms of imports) only when analytics is the source
    from tftui.clients.analytics import AnalyticsClient

log = logging.getLogger(__name__)
NODE_STATUS_ONLY = UveFilters(cfilt=("NodeStatus",))


class AnalyticsStatusSource:
    def __init__(self, settings: AnalyticsSettings, mode: str = "auto", client: AnalyticsClient | None = None,
                 clock: Callable[[], float] = time.time):
        self.settings = settings
        self.mode = mode
        if client is None:
            from tftui.clients.analytics import AnalyticsClient

            client = AnalyticsClient(settings)
        self.client = client
        self.clock = clock
        self.reports: dict[str, list[ReportedStatus]] = {}  # host name -> its NodeStatus per UVE type
        self.last_error: str | None = None
        self.partial = False
        self.answered_at: float | None = None
        self.requests = 0

    async def refresh(self) -> bool:
        """Fetch every node type's NodeStatus; False (and no reports) when analytics did not answer."""
        from tftui.clients.analytics import AnalyticsError

        started = self.client.requests
        try:
            listed = await self.client.uve_types()
            types = [t for t in (singular(p) for p in listed.data) if t in NODE_TYPES]
            fetched = await asyncio.gather(*(self.client.uve_multi(t, "*", NODE_STATUS_ONLY) for t in types))
        except AnalyticsError as exc:
            self.reports = {}
            self.last_error = f"analytics API {self.settings.url}: {exc}"
            log.warning("%s; node status from introspect this round", self.last_error)
            return False
        finally:
            self.requests += self.client.requests - started
        now = self.clock()
        reports: dict[str, list[ReportedStatus]] = {}
        for uve_type, reply in zip(types, fetched, strict=True):
            for host, rep in reported_statuses(uve_type, reply.data, now).items():
                reports.setdefault(host, []).append(rep)
        self.reports = reports
        self.partial = listed.partial or any(r.partial for r in fetched)
        self.last_error = None
        self.answered_at = now
        return True

    def _reports_of(self, node: NodeSpec) -> list[ReportedStatus]:
        found = self.reports.get(node.name)
        if found is None:  # a config name vs the host's FQDN: match on the first label
            short = node.name.split(".", 1)[0]
            found = next((r for host, r in self.reports.items() if host.split(".", 1)[0] == short), [])
        return found

    def states_for(self, node: NodeSpec) -> dict[str, ServiceState]:
        """The states analytics gives for this node's introspect services (fresh reports only)."""
        if not self.reports:
            return {}
        return service_states(node.services(), self._reports_of(node), self.clock(), self.settings.stale_after)

    async def close(self) -> None:
        await self.client.aclose()


def status_source_for(spec: ClusterSpec, override: str | None = None) -> AnalyticsStatusSource | None:
    """The cluster's configured source (``status_source``, or ``override``); None means introspect only."""
    mode = override or status_source(spec)
    if mode == "introspect":
        return None
    settings = analytics_settings(spec)
    if settings is None:
        return None  # no analytics deployed: exactly today's behaviour
    return AnalyticsStatusSource(settings, mode)
