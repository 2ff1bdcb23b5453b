"""`:flowlog` — flow history: analytics' flow records (FlowRecordTable, what `contrail-flows` asks; or the
sessions each agent exports, SessionRecordTable, as `contrail-sessions` asks: the form's Table box) between two
endpoints over a time range, with each flow's action and drop reason (`o` changes the query). When the
cluster exports no flows (flow_export_rate 0, the default since R4.0) there are none to show: the view says
so, and enter opens the live flows (`:flows`) instead."""

from __future__ import annotations

from rich.text import Text

from tftui.core.analytics.forms import FLOW_FIELDS, describe_flow_query, flow_values, parse_flow_form
from tftui.core.analytics.query import FlowQuery
from tftui.core.analytics.results import FlowRow
from tftui.core.humanize import clock
from tftui.services.analytics import AnalyticsService, FlowSnapshot
from tftui.services.analytics_feeds import flowlog_feed

from ..framework import Column, Row, Tone, bindings, register
from ..framework.registry import find
from .analytics_base import AnalyticsView

LIVE_FLOWS = "flows"  # the live flows view (the agents' flow tables), when this build has it
PROTOCOL_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6", 132: "sctp"}


def _end(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


@register
class FlowLogView(AnalyticsView):
    NAME = "flowlog"
    ALIASES = ("flowhistory", "contrail-flows", "flowrecords")
    TITLE = "Flow history — analytics"
    ITEMS = "flows"
    DETAIL_HEIGHT = 4
    BINDINGS = bindings("view.open")  # enter with no table shown (export off): the live flows
    FIELDS = FLOW_FIELDS
    FORM_TITLE = "Flow history: between which endpoints, and how far back"
    COLUMNS = (
        Column("time", "Setup", 8, priority=2),
        Column("src", "Source", 19, priority=0, min_width=12),
        Column("dst", "Destination", 19, priority=0, min_width=12),
        Column("proto", "Proto", 5, priority=1),
        Column("action", "Action", 6, priority=0),
        Column("reason", "Drop reason", 10, priority=0, min_width=8, grow=True),
        Column("vrouter", "vrouter", 12, priority=2),
        Column("packets", "Pkts", 7, priority=3),
    )

    def __init__(self, services, query: FlowQuery | None = None, last: str = "1h", **kwargs) -> None:
        self.flow_query, self.last = query or FlowQuery(), last
        self.export_off = False
        super().__init__(services, **kwargs)

    def make_feed(self, service: AnalyticsService):
        return flowlog_feed(service, self.flow_query, self.last)

    def show(self, snap: FlowSnapshot) -> None:
        self.export_off = snap.export_off
        # no records can exist: the explanation, not an empty grid
        self.table.display = not snap.export_off
        self.query_one(f"#{self.wid('detail')}").display = not snap.export_off
        super().show(snap)

    def rows(self, snap: FlowSnapshot) -> list[Row]:
        rows = []
        for r in snap.rows:
            dropped = r.action.lower() in ("drop", "deny")
            rows.append(Row(f"{r.vrouter}|{r.source_ip}|{r.sport}|{r.dest_ip}|{r.dport}|{r.protocol}|{r.setup_time}",
                            (clock(r.setup_time / 1e6) if r.setup_time else "-", _end(r.source_ip, r.sport),
                             _end(r.dest_ip, r.dport), PROTOCOL_NAMES.get(r.protocol, str(r.protocol)),
                             Tone(r.action, "err" if dropped else "ok"), r.drop_reason, r.vrouter, str(r.packets)),
                            r, rank=2 if dropped else 0))
        return rows

    def summary(self, snap: FlowSnapshot) -> Text:
        text = Text(describe_flow_query(self.flow_query, self.last))
        text.append("  · o changes the query", style="dim")
        if snap.export_off:
            text.append("\n\nFlow export is off on this cluster (global-vrouter-config flow_export_rate = 0, the "
                        "default since R4.0): analytics keeps no flow records, so there is no flow history to "
                        "show.\n", style="bold yellow")
            if find(LIVE_FLOWS) is not None:
                text.append("The agents' live flows show what is flowing now: enter opens them (:flows).")
            else:
                text.append("The agents' live flows show what is flowing now: `tftui flows`.")
        elif snap.note:
            text.append(f"\n{snap.note}", style="yellow")
        return text

    def detail(self, row: Row) -> Text:
        r: FlowRow = row.item
        text = Text(f"{_end(r.source_ip, r.sport)} → {_end(r.dest_ip, r.dport)} "
                    f"{PROTOCOL_NAMES.get(r.protocol, r.protocol)}  ", style="bold")
        text.append(r.action + (f" ({r.drop_reason})" if r.drop_reason else ""),
                    style="bold red" if r.action.lower() in ("drop", "deny") else "green")
        text.append(f"\n{r.source_vn} → {r.dest_vn}  on {r.vrouter}  {r.direction}", style="dim")
        text.append(f"\n{r.packets} packets, {r.bytes} bytes; set up {clock(r.setup_time / 1e6)}"
                    + (f", torn down {clock(r.teardown_time / 1e6)}" if r.teardown_time
                       else "" if self.flow_query.sessions else ", still active"))
        rule = r.policy_rule or r.sg_rule_uuid or r.nw_ace_uuid
        if rule:
            text.append(f"\nrule {rule}", style="dim")
        return text

    def action_open(self) -> None:
        if self.export_off:
            if find(LIVE_FLOWS) is not None:
                self.app.open_view(LIVE_FLOWS)
            else:
                self.notify("this build has no live flows view: `tftui flows` shows them", timeout=4)
            return
        super().action_open()

    def form_values(self) -> dict[str, str]:
        return flow_values(self.flow_query, self.last)

    def apply_form(self, answers: dict[str, str]) -> None:
        self.flow_query, self.last = parse_flow_form(answers)
        self.replace_feed(self.make_feed(self.analytics))
