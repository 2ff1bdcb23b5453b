"""The firewall rule form: action, service, endpoints with pickers, direction, match tags."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select

from tftui.core.policy.models import ACTIONS, DIRECTIONS, ENDPOINT_KINDS, Endpoint, Rule
from tftui.core.policy.validate import ValidationError, check_rule, parse_ports, ports_text

from ..framework import ViewModal, bindings
from ..framework.dialogs import PickerScreen, modal_css
from ..framework.footer import Footer


@dataclass
class Candidates:
    tags: list[str]
    networks: list[str]
    address_groups: list[str]
    service_groups: list[str]
    tag_types: list[str]


def _ep_value(ep: Endpoint) -> str:
    if ep.kind == "tags":
        return ", ".join(ep.value)
    return "" if ep.kind == "any" else str(ep.value)


def _ep(kind: str, text: str) -> Endpoint:
    text = text.strip()
    if kind == "tags":
        return Endpoint("tags", tuple(t.strip() for t in text.split(",") if t.strip()))
    if kind == "any":
        return Endpoint()
    return Endpoint(kind, text)


class RuleForm(ViewModal[Rule | None]):
    CSS = modal_css("RuleForm") + """
    RuleForm Grid { grid-size: 2; grid-columns: 14 1fr; grid-rows: 1; grid-gutter: 0 1; height: auto; }
    RuleForm Label { height: 1; }
    """
    BINDINGS = bindings("modal.save", "modal.pick", "modal.close")

    def __init__(self, parent_fq: tuple[str, ...], candidates: Candidates, rule: Rule | None = None):
        super().__init__()
        self.parent_fq = parent_fq
        self.candidates = candidates
        self.rule = rule

    def compose(self) -> ComposeResult:
        r = self.rule or Rule(self.parent_fq + ("",))
        with Vertical():
            yield Label(Text("Edit rule " + r.name if self.rule else "New firewall rule"), classes="title")
            with VerticalScroll(), Grid():
                yield Label("name")
                yield Input(r.name, placeholder="deny-icmp", id="name", compact=True, disabled=bool(self.rule))
                yield Label("action")
                yield Select([(a, a) for a in ACTIONS], value=r.action, allow_blank=False, id="action", compact=True)
                yield Label("protocol")
                yield Input(r.protocol, placeholder="any, icmp, tcp, udp or 0-255", id="protocol", compact=True)
                yield Label("dst ports")
                yield Input(ports_text(r.dst_ports), placeholder="any, 80 or 1000-2000", id="ports", compact=True)
                yield Label("service groups")
                yield Input(", ".join(r.service_groups), placeholder="instead of protocol (F2)", id="sg",
                            compact=True)
                yield Label("endpoint 1")
                yield Select([(k, k) for k in ENDPOINT_KINDS], value=r.endpoint_1.kind, allow_blank=False,
                             id="kind1", compact=True)
                yield Label("")
                yield Input(_ep_value(r.endpoint_1), placeholder="label=cirros1 (F2 picks)", id="ep1",
                            compact=True)
                yield Label("direction")
                yield Select([(d, d) for d in DIRECTIONS], value=r.direction, allow_blank=False, id="direction",
                             compact=True)
                yield Label("endpoint 2")
                yield Select([(k, k) for k in ENDPOINT_KINDS], value=r.endpoint_2.kind, allow_blank=False,
                             id="kind2", compact=True)
                yield Label("")
                yield Input(_ep_value(r.endpoint_2), placeholder="label=cirros2 (F2 picks)", id="ep2",
                            compact=True)
                yield Label("match tags")
                yield Input(", ".join(r.match_tags), placeholder="application, tier, ... (not label)", id="match",
                            compact=True)
            yield Label("", id="error", classes="error")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#action" if self.rule else "#name").focus()

    def _text(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value

    def _select(self, wid: str) -> str:
        return str(self.query_one(f"#{wid}", Select).value)

    def build(self) -> Rule:
        name = self.rule.name if self.rule else self._text("name").strip()
        sgs = tuple(s.strip() for s in self._text("sg").split(",") if s.strip())
        rule = Rule(self.parent_fq + (name,), self._select("action"), self._text("protocol").strip() or "any",
                    parse_ports(self._text("ports"), "dst ports"), (0, 65535), sgs,
                    _ep(self._select("kind1"), self._text("ep1")), _ep(self._select("kind2"), self._text("ep2")),
                    self._select("direction"),
                    tuple(t.strip() for t in self._text("match").split(",") if t.strip()),
                    self.rule.uuid if self.rule else "")
        check_rule(rule)
        return rule

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_save(self) -> None:
        try:
            rule = self.build()
        except ValidationError as exc:
            self.query_one("#error", Label).update(Text(str(exc)))
            return
        self.dismiss(rule)

    @work
    async def action_pick(self) -> None:
        focused = self.focused
        if not isinstance(focused, Input) or focused.id not in ("ep1", "ep2", "sg", "match"):
            self.notify("Pickers work on endpoints, service groups and match tags.", markup=False)
            return
        c = self.candidates
        if focused.id == "sg":
            choices, multi = c.service_groups, True
        elif focused.id == "match":
            choices, multi = [t for t in c.tag_types if t != "label"], True
        else:
            kind = self._select("kind1" if focused.id == "ep1" else "kind2")
            choices, multi = {"tags": c.tags, "virtual_network": c.networks, "address_group": c.address_groups}.get(
                kind, []), kind == "tags"
        if not choices:
            self.notify("Nothing to pick for this field.", markup=False)
            return
        choice = await self.app.push_screen_wait(PickerScreen("Pick", choices))
        if choice:
            current = [x.strip() for x in focused.value.split(",") if x.strip()] if multi else []
            focused.value = ", ".join(dict.fromkeys(current + [choice]))
