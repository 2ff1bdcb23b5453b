"""The form to add an external BGP peer (e.g. the seed's VyOS, AS 65311, 172.31.10.140)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from tftui.core.policy.models import BgpRouter
from tftui.core.policy.validate import ValidationError, check_bgp_router

from ..framework import ViewModal, bindings
from ..framework.dialogs import modal_css
from ..framework.footer import Footer


class BgpPeerForm(ViewModal[BgpRouter | None]):
    CSS = modal_css("BgpPeerForm")
    BINDINGS = bindings("modal.save", "modal.close")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Add an external BGP peer (sessions from every control node)", classes="title")
            yield Input(placeholder="name, e.g. vyos", id="name")
            yield Input(placeholder="AS number, e.g. 65311", id="asn")
            yield Input(placeholder="address, e.g. 172.31.10.140", id="address")
            yield Input(placeholder="vendor (default: other)", id="vendor")
            yield Input(value="inet", placeholder="address families, comma separated", id="families")
            yield Label("", id="error", classes="error")
        yield Footer(show_command_palette=False)

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        i = inputs.index(event.input)
        if i + 1 < len(inputs):
            inputs[i + 1].focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        try:
            asn = int(self._value("asn"))
        except ValueError:
            asn = -1
        router = BgpRouter((self._value("name"),), "router", self._value("vendor") or "other", asn,
                           self._value("address"), self._value("address"),
                           families=tuple(f.strip() for f in self._value("families").split(",") if f.strip()))
        try:
            check_bgp_router(router)
        except ValidationError as exc:
            self.query_one("#error", Label).update(Text(str(exc)))
            return
        self.dismiss(router)

