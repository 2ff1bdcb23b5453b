"""`:flows` — a vrouter's live flows (or one interface's), drops first and in colour, from the agent's
introspect. The panel under the table says why the flow under the cursor was dropped or passed; `enter` shows
the whole decision chain, `R` opens the rule that decided it in the policy editor, `m` loads the table's
next pages. `F` opens it from a vrouter or an interface (node tree, interfaces view)."""

from __future__ import annotations

import json
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from tftui.core.flows.actions import SHORT_FLOW_PREFIX, endpoint, protocol_name
from tftui.core.flows.records import FlowRecord
from tftui.core.flows.why import RuleRef, Verdict, flow_json
from tftui.core.humanize import age
from tftui.core.policy.models import fq_str
from tftui.services.flows import FlowsSnapshot

from ..framework import Column, LazyRows, ResourceView, Row, Tone, ViewModal, bindings, register
from ..framework.dialogs import RawScreen
from ..framework.footer import Footer
from ..styles import Palette
from .policy_members import RulesView

_VERDICT_TONE = {"drop": "err", "pass": "ok", "trap": "warn", "unknown": "warn"}
_DROP_PREFIX = "Flow drop "


def drop_reason_cell(rec: FlowRecord) -> str:
    """The agent's drop reason, short (`Firewall Policy`, `REVERSE SG`, `short: No Destination route`)."""
    text = rec.drop_reason or rec.short_reason
    if text.startswith(_DROP_PREFIX):
        text = text[len(_DROP_PREFIX):]
    elif text.startswith(SHORT_FLOW_PREFIX):
        text = f"short: {text[len(SHORT_FLOW_PREFIX):]}"
    if rec.implicit_deny and rec.dropped:
        return f"{text} (implicit)" if text else "implicit deny"
    return text


def flow_search_text(rec: FlowRecord) -> str:
    """What `/` matches: addresses (``ip:port``), protocol, VNs, verdict, drop reason, direction, interface."""
    return (f" {endpoint(rec.sip, rec.src_port, rec.protocol)} {endpoint(rec.dip, rec.dst_port, rec.protocol)} "
            f"{protocol_name(rec.protocol)} {rec.source_vn} {rec.dest_vn} {rec.verdict} {rec.drop_reason} "
            f"{rec.short_reason} {rec.direction} {rec.vmi} ")


def _rank(rec: FlowRecord) -> int:
    return 2 if rec.dropped else 0  # `w`: drops first (they already are, until another order is asked for)


def _short_vn(vn: str) -> str:
    return vn.rsplit(":", 1)[-1]


def why_text(verdict: Verdict, palette: Palette, *, whole: bool = False) -> Text:
    """The decision in words: the verdict's sentence, then each step; the step that dropped in the error
    colour."""
    text = Text()
    text.append(verdict.summary, style=palette.tone(_VERDICT_TONE.get(verdict.verdict, "warn")))
    # the panel leaves out the flow's own line (the sentence has it) and its networks (a column has them)
    for line in verdict.chain if whole else [c for c in verdict.chain[1:] if not c.startswith("networks:")]:
        text.append("\n")
        dropped_here = "DROPPED" in line or line.startswith("short flow")  # core/flows/why.py's words
        text.append(line, style=palette.err if dropped_here else "")
    return text


def flow_facts(rec: FlowRecord, vrouter: str, now: float) -> Text:
    """What the agent says about the flow besides the decision: where, counters, ids."""
    setup = rec.setup_time_utc / 1e6
    lines = [
        f"vrouter {vrouter}" + (f" · interface {rec.vmi}" if rec.vmi else "") + f" · {rec.direction or '?'}"
        + (" · local flow" if rec.local_flow else "") + (" · reverse flow" if rec.reverse_flow else ""),
        f"networks {rec.source_vn or '?'} → {rec.dest_vn or '?'}",
        f"{rec.packets} packets, {rec.bytes} bytes · set up {rec.setup_time or '?'}"
        + (f" ({age(now - setup)} ago)" if setup else ""),
        f"actions {', '.join(rec.action_names) or '-'} · drop reason {rec.drop_reason or '-'}"
        + (f" · short flow {rec.short_reason}" if rec.short_flow else ""),
        f"flow {rec.uuid or '-'}",
    ]
    for label, value in (("firewall match", rec.fw_policy_match), ("security group rule", rec.sg_rule_uuid),
                         ("network policy rule", rec.nw_ace_uuid)):
        if value:
            lines.append(f"{label} {value}")
    return Text("\n".join(lines))


def _is_firewall_rule(ref: RuleRef | None) -> bool:
    return ref is not None and ref.kind == "firewall" and bool(ref.uuid)


def _rule_hint(verdict: Verdict) -> str:
    return "R: the rule in the policy editor" if _is_firewall_rule(verdict.rule) else ""


class WhyScreen(ViewModal[None]):
    """enter on a flow: the whole decision chain and the flow's facts, `R` the rule in the policy editor."""

    BINDINGS = bindings("modal.close", "flows.rule", "modal.raw")
    DEFAULT_CSS = """
    WhyScreen { align: center middle; }
    WhyScreen > Vertical { width: 100%; height: 1fr; border: round $accent; background: $surface; padding: 0 1; }
    WhyScreen .title { text-style: bold; }
    WhyScreen VerticalScroll { height: 1fr; }
    """

    def __init__(self, rec: FlowRecord, verdict: Verdict, vrouter: str, now: float,
                 open_rule: Callable[[RuleRef | None], None]) -> None:
        super().__init__()
        self.rec, self.verdict, self.vrouter, self.now, self._open_rule = rec, verdict, vrouter, now, open_rule

    def compose(self) -> ComposeResult:
        palette = Palette.for_theme(self.app.current_theme)
        body = why_text(self.verdict, palette, whole=True)
        body.append("\n\n")
        body.append(flow_facts(self.rec, self.vrouter, self.now))
        hint = _rule_hint(self.verdict)
        with Vertical():
            yield Label(Text(f"Why — {self.vrouter}"), classes="title")
            with VerticalScroll(id="why-scroll"):
                yield Static(body, id="why-body")
            yield Static(Text(("esc back · " + hint) if hint else "esc back", style="dim"), id="why-hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#why-scroll").focus()

    def action_open_rule(self) -> None:
        self.dismiss(None)
        self._open_rule(self.verdict.rule)

    def action_raw(self) -> None:
        self.app.push_screen(RawScreen(f"flow {self.rec.uuid}", json.dumps(flow_json(self.rec, self.verdict),
                                                                              indent=2, ensure_ascii=False)))


@register
class FlowsView(ResourceView):
    NAME = "flows"
    ALIASES = ("flow", "fl")
    TITLE = "Flows"
    SERVICE = "flow_service"  # what it needs; the feed is the vrouter's own (services/registry.py)
    PARENT = "interfaces"  # `F` there: esc comes back to the interfaces
    ITEMS = "flows"
    DETAIL_HEIGHT = 9  # the why: its sentence and the steps before the one that decided
    BINDINGS = bindings("flows.more", "flows.rule")
    COLUMNS = (
        Column("action", "Act", 4, priority=0),
        Column("proto", "Prot", 4, priority=0),
        Column("src", "Source", 19, priority=0, min_width=15),  # an IPv4 address and port, most of the time
        Column("dst", "Destination", 19, priority=0, min_width=15),
        Column("reason", "Drop reason", 24, priority=0, min_width=11, grow=True),
        Column("age", "Age", 4, priority=1),
        Column("packets", "Pkts", 7, priority=2),
        Column("dir", "Dir", 7, priority=3),
        Column("bytes", "Bytes", 9, priority=4),
        Column("vns", "VNs", 30, priority=5),
    )

    def __init__(self, services, vrouter: str | None = None, interface: str | None = None, flow: str = "",
                 **kwargs) -> None:
        service = services.get("flow_service")
        self.vrouter = vrouter or next(iter(service.targets), "")
        self.interface = interface or None
        where = f"{self.vrouter}/{self.interface}" if self.interface else self.vrouter
        super().__init__(services, feed=services.feed(f"flows:{where}"), **kwargs)
        self.TITLE = f"Flows of {self.interface} on {self.vrouter}" if self.interface else f"Flows of {self.vrouter}"
        if flow:  # opened on one flow (a rule's hits): the cursor goes there
            self.select_where(lambda row: row.item.uuid == flow)

    @classmethod
    def default_params(cls, app) -> dict:
        """Opened by name: the vrouter selected in the node tree, or the interface selected under it."""
        result = app.selected_result()
        if result is None or "vrouter" not in result.roles:
            return {}
        vmi = getattr(app.screen_stack[0].node_tree, "selected_interface", None)
        return {"vrouter": result.name, "interface": vmi.name if vmi is not None else None}

    # ------------------------------------------------------------------ rows
    def rows(self, snap: FlowsSnapshot) -> LazyRows:
        now = self.services.clock()

        def row(rec: FlowRecord) -> Row:
            verdict = rec.verdict
            setup = rec.setup_time_utc / 1e6
            vns = f"{_short_vn(rec.source_vn)} → {_short_vn(rec.dest_vn)}" if rec.source_vn or rec.dest_vn else ""
            return Row(rec.identity, (
                Tone(verdict, _VERDICT_TONE.get(verdict, "warn")), protocol_name(rec.protocol),
                endpoint(rec.sip, rec.src_port, rec.protocol), endpoint(rec.dip, rec.dst_port, rec.protocol),
                Tone(drop_reason_cell(rec), "err") if rec.dropped else "", age(now - setup) if setup else "",
                str(rec.packets), rec.direction, str(rec.bytes), vns), rec, rank=_rank(rec))

        return LazyRows(snap.flows, row, flow_search_text, _rank)

    def show(self, snap: FlowsSnapshot) -> None:
        if snap.interface is not None:  # opened by tap name: the header names the VM/pod once it is known
            self.TITLE = f"Flows of {snap.interface.vm_name or snap.interface.name} on {snap.vrouter}"
        super().show(snap)

    def row_count_hint(self, snap: FlowsSnapshot) -> int:
        return 0  # lazy rows: made in no time whatever their number

    def summary(self, snap: FlowsSnapshot) -> Text:
        text = Text()
        if snap.interface is not None:
            itf = snap.interface
            text.append(f"{itf.vm_name or itf.name} {itf.ip_addr} ", style="bold")
            text.append(f"on {snap.vrouter} · ")
        else:
            text.append(snap.vrouter, style="bold")
            text.append(" · ")
        text.append(f"{len(snap.flows)} flows, ")
        text.append(f"{snap.drops} dropped", style="bold red" if snap.drops else "")
        source = {"config-api": "rules from the config API", "agent": "rules from the agent's ACLs"}
        text.append(f" · {source.get(snap.explainer.source, 'rule ids only')}", style="dim")
        if snap.next_key:
            text.append(f"\nthe first {snap.pages} pages of a bigger table: m loads more", style="yellow")
        if snap.error:
            text.append(f"\n{snap.error}", style="bold red")
        return text

    # ------------------------------------------------------------------ the why
    def _verdict(self, rec: FlowRecord) -> Verdict:
        return self.feed.snapshot.explainer.why(rec)

    def detail(self, row: Row) -> Text:
        return why_text(self._verdict(row.item), Palette.for_theme(self.app.current_theme))

    def open(self, row: Row) -> None:
        rec = row.item
        self.app.push_screen(WhyScreen(rec, self._verdict(rec), self.vrouter, self.services.clock(),
                                       self.open_rule))

    # ------------------------------------------------------------------ keys
    def action_load_more(self) -> None:
        if not self.feed.load_more():  # type: ignore[attr-defined]
            self.notify("the whole flow table is read: nothing more to load", timeout=3)
        self.update_status()

    def action_open_rule(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_rule(self._verdict(row.item).rule)

    def open_rule(self, ref: RuleRef | None) -> None:
        """The firewall rule behind a decision, in the policy editor: its policy's rules, the cursor on it."""
        if not _is_firewall_rule(ref):
            what = "no rule decided this flow" if ref is None or ref.kind is None else \
                f"{ref.name}: {ref.text}" if ref.kind == "implicit" else \
                f"a {ref.kind} rule decided it: the policy editor has firewall rules only"
            self.notify(what, timeout=6, markup=False)
            return
        reason = self.services.unavailable("policy")
        if reason is not None:
            self.notify(f"the policy editor needs the config API: {reason}", severity="warning", timeout=8,
                        markup=False)
            return
        self._open_rule(ref)

    @work(name="open rule")
    async def _open_rule(self, ref: RuleRef) -> None:
        feed = self.services.feed("policy")
        state = feed.snapshot
        if state is None or not state.policies:
            state = await feed.refresh()  # type: ignore[attr-defined]
        policies = state.policies if state is not None else []
        policy = next((p for p in policies if fq_str(p.fq_name) == ref.policy), None) or \
            next((p for p in policies if any(r.uuid == ref.uuid for r in p.rules)), None)
        if policy is None:
            self.notify(f"{ref.policy or ref.uuid} is not in the config API (deleted since?) {feed.error or ''}"
                        .strip(), severity="warning", timeout=8, markup=False)
            return
        self.app.push_screen(RulesView(self.services, policy.uuid, rule=ref.uuid))
