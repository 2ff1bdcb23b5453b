"""`F` on a firewall rule in the policy editor: the live flows that hit it on every vrouter (the agents'
``AclFlowReq`` of its policy, kept to the rule's ACEs) and its hit count on each (``AclFlowCountReq``);
`enter` opens a flow in its vrouter's flows view, where its why is."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from tftui.core.flows.acl import AclFlow
from tftui.core.flows.actions import endpoint, protocol_name, verdict_of
from tftui.services.flows import RuleHits

from ..framework import Column, ResourceView, Row, Tone
from ..framework.registry import find

HITS_SHOWN = 12  # vrouters named in the summary; the rest are counted


@dataclass(frozen=True)
class RuleFlow:
    vrouter: str
    flow: AclFlow


class RuleFlowsView(ResourceView):
    NAME = "rule-flows"
    TITLE = "Live flows of a firewall rule"
    SERVICE = "flow_service"  # what it needs; the feed is the rule's own (services/registry.py)
    PARENT = "rules"
    ITEMS = "flows"
    COLUMNS = (
        Column("vrouter", "vrouter", 12, priority=0, min_width=8),
        Column("action", "Act", 4, priority=0),
        Column("proto", "Prot", 4, priority=0),
        Column("src", "Source", 21, priority=0, min_width=15),
        Column("dst", "Destination", 21, priority=0, min_width=15, grow=True),
        Column("packets", "Pkts", 7, priority=1),
        Column("bytes", "Bytes", 9, priority=2),
    )

    def __init__(self, services, policy_uuid: str, rule_uuid: str, about: str = "", **kwargs) -> None:
        super().__init__(services, feed=services.feed(f"hits:{policy_uuid}/{rule_uuid}"), **kwargs)
        self.policy_uuid, self.rule_uuid, self.about = policy_uuid, rule_uuid, about or rule_uuid

    def rows(self, hits: list[RuleHits]) -> list[Row]:
        out = []
        for h in hits:
            for f in h.live:
                verdict = "drop" if f.implicit_deny else verdict_of(0, f.actions)
                out.append(Row(f"{h.vrouter}/{f.uuid or len(out)}", (
                    h.vrouter, Tone(verdict, "err" if verdict == "drop" else "ok" if verdict == "pass" else "warn"),
                    protocol_name(f.protocol), endpoint(f.src, f.src_port, f.protocol),
                    endpoint(f.dst, f.dst_port, f.protocol), str(f.packets), str(f.bytes)),
                    RuleFlow(h.vrouter, f), rank=2 if verdict == "drop" else 0))
        return out

    def summary(self, hits: list[RuleHits]) -> Text:
        text = Text(self.about, style="bold")
        counted = sorted((h for h in hits if h.hits or h.live), key=lambda h: -h.hits)
        text.append("\nhits: " if counted else "\nno hits on any vrouter")
        for i, h in enumerate(counted[:HITS_SHOWN]):
            text.append(" · " if i else "")
            text.append(f"{h.vrouter} {h.hits}", style="bold")
            text.append(f" ({len(h.live)} live)", style="dim")
        more, without = len(counted) - HITS_SHOWN, len(hits) - len(counted)
        if more > 0:
            text.append(f" · {more} more vrouter(s) with hits", style="dim")
        if counted and without:
            text.append(f" · {without} vrouter(s) without", style="dim")
        for h in hits:
            if h.error:
                text.append(f"\n{h.vrouter}: {h.error}", style="bold red")
        return text

    def open(self, row: Row) -> None:
        """enter: the flow in its vrouter's table, with its why."""
        hit: RuleFlow = row.item
        flows = find("flows")
        if flows is not None:
            self.app.push_screen(flows(self.services, vrouter=hit.vrouter, flow=hit.flow.uuid))
