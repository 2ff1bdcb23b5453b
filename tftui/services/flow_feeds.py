"""Feeds for the flows views: one vrouter's (or one interface's) flow table and a firewall rule's hits on
every vrouter, both live (read again a poll interval after the last read ended)."""

from __future__ import annotations

from tftui.clients.flows import FlowReadError

from .feed import FetchFeed
from .flows import FlowService, FlowServiceError, FlowsSnapshot, RuleHits

EXPECTED = (FlowServiceError, FlowReadError)


class FlowsFeed(FetchFeed):
    """A flow table read up to the service's page cap; ``load_more`` reads on from where it stopped, and the
    live refreshes after it read as far as that."""

    def __init__(self, service: FlowService, vrouter: str, interface: str | None = None, every: float = 0.0):
        where = f"{vrouter} {interface}" if interface else vrouter
        super().__init__(self._read, f"flows of {where} (agent introspect)", EXPECTED, every=every)
        self.service, self.vrouter, self.interface = service, vrouter, interface
        self.page_cap = service.page_cap
        self._more = False

    def load_more(self) -> bool:
        """Ask for the table's next pages; False when the last read reached its end (nothing more to load)."""
        snap: FlowsSnapshot | None = self.snapshot
        if snap is None or not snap.next_key:
            return False
        self._more = True
        self.refresh_soon()
        return True

    async def _read(self) -> FlowsSnapshot:
        snap, more, self._more = self.snapshot, self._more, False
        if more and snap is not None and snap.next_key:
            grown = await self.service.load_more(snap)
            self.page_cap = max(self.page_cap, grown.pages)
            return grown
        return await self.service.flows(self.vrouter, self.interface, page_cap=self.page_cap)


def rule_hits_feed(service: FlowService, policy_uuid: str, rule_uuid: str, every: float = 0.0) -> FetchFeed:
    """A firewall rule's hit count and live flows on each vrouter (``list[RuleHits]``)."""

    async def fetch() -> list[RuleHits]:
        return await service.rule_hits(policy_uuid, rule_uuid)

    return FetchFeed(fetch, f"rule {rule_uuid} on {len(service.targets)} vrouters (agent introspect)", EXPECTED,
                     every=every)
