"""`:introspect` (or `B` on any node) — a daemon's introspect as its own web page offers it: the modules and
requests its index and module pages list (`O` another service of the node); enter fills a request's fields and
sends it; the reply shows as a collapsible tree or, where it holds a list of structs, as a table (`v`), `L`
follows a field's link to the request it names, `m` fetches the pages a cap left out. Requests with side
effects are listed, never sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static, Tree

from tftui.core.introspect import RequestDef, find, side_effect
from tftui.core.introspect.tree import TRANSPORT_FIELDS, Link, cell_text, link_args, tables, tree_text
from tftui.core.sandesh import Message, Struct
from tftui.services.feed import FetchFeed
from tftui.services.network_state import NetworkStateService, Offered, StateError

from ..framework import Column, Row, Tone, ViewModal, ViewScreen, bindings, register
from ..framework.dialogs import modal_css
from ..framework.footer import Footer
from .daemons import (
    Daemon,
    OneDaemonView,
    daemon_rows,
    introspect_keys,
)

MAX_FIELDS = 12  # a form shows this many fields (no request of the table has more bindable ones than that)
TREE_ITEMS = 2000  # nodes of a reply tree built at once; a bigger list says how many it left out


@register
class IntrospectView(OneDaemonView):
    NAME = "introspect"
    FEED = "introspect"
    ALIASES = ("ist", "sandesh", "requests")
    TITLE = "Introspect — requests a daemon offers"
    SERVICE = "network_state"
    ITEMS = "requests"
    BINDINGS = bindings("introspect.service")
    COLUMNS = (
        Column("module", "Module", 17, priority=1),
        Column("request", "Request", 36, priority=0, min_width=20),
        Column("fields", "Fields", 30, priority=2, grow=True),
    )


    def rows(self, offered: Offered | tuple[Daemon, ...]) -> list[Row]:
        if not isinstance(offered, Offered):
            return daemon_rows(offered)
        out = []
        for module, reqs in offered.modules:
            for req in reqs:
                writes = side_effect(req)
                name = Tone(f"{req.name} (not sent: writes)", "dim") if writes else req.name
                out.append(Row(f"{module}/{req.name}", (module, name, " ".join(f.name for f in req.fields)), req,
                               rank=0))
        return out

    def summary(self, offered: Offered | tuple[Daemon, ...]) -> Text | None:
        if not isinstance(offered, Offered):
            return None
        return Text(f"{offered.node} {offered.service} on {offered.address}:{offered.port} · "
                    f"{len(offered.modules)} modules", style="bold")

    def raw(self, row: Row) -> str:
        if isinstance(row.item, Daemon):
            return f"{row.item.node} {row.item.service} http://{row.item.address}:{row.item.port}/"
        req: RequestDef = row.item
        return "\n".join([f"{req.module}: {req.name}"] + [f"  {f.identifier}: {f.type} {f.name}"
                                                          + (f" = {f.default}" if f.default else "") for f in req.fields])

    def open(self, row: Row) -> None:
        if isinstance(row.item, Daemon):
            self.app.push_screen(IntrospectView(self.services, node=row.item.node, service=row.item.service))
            return
        req: RequestDef = row.item
        why = side_effect(req)
        if why:
            self.notify(f"{req.name} is not sent: it {why}", severity="warning", timeout=6)
            return
        fields = [f for f in req.fields if f.bindable][:MAX_FIELDS]
        if not fields:
            self.send(req.name, {})
            return
        self.app.push_screen(RequestForm(req), lambda args: self._send_filled(req, args))

    def _send_filled(self, req: RequestDef, args: dict[str, str] | None) -> None:
        if args is None:  # esc
            return
        why = side_effect(req, args)  # some requests write only with a field filled in (writes_with)
        if why:
            self.notify(f"{req.name} with {', '.join(args)} is not sent: it {why}", severity="warning", timeout=6)
            return
        self.send(req.name, args)

    def send(self, request: str, args: dict[str, str]) -> None:
        self.app.push_screen(ReplyView(self.services, self.node, self.service, request, args))

    def action_other_service(self) -> None:
        node = self.services.spec.node(self.node)
        keys = introspect_keys(self.services, node) if node is not None else []
        if len(keys) < 2:
            self.notify(f"{self.node} has no other introspect service", timeout=3)
            return
        nxt = keys[(keys.index(self.service) + 1) % len(keys)] if self.service in keys else keys[0]
        self.app.switch_screen(IntrospectView(self.services, node=self.node, service=nxt))


class RequestForm(ViewModal[dict | None]):
    """One input per field, in declaration order (the order the daemon binds them); empty keeps the default."""

    CSS = modal_css("RequestForm")

    def __init__(self, req: RequestDef):
        super().__init__()
        self.req = req
        self.fields = [f for f in req.fields if f.bindable][:MAX_FIELDS]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.req.name} ({self.req.module})"), classes="title")
            with VerticalScroll():
                for f in self.fields:
                    hint = f"{f.name} ({f.type}" + (f", default {f.default})" if f.default else ")")
                    yield Input(placeholder=hint, id=f"field-{f.name}")
            yield Static(Text("enter sends (empty fields keep their default), esc cancels", style="dim"))
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}
        self.dismiss({k: v for k, v in values.items() if v})


def _label(name: str, value: Any, struct: Struct | None) -> Text:
    link = struct.annotations.get(name, {}).get("link") if struct is not None else None
    text = Text(f"{name}: ", style="bold")
    text.append(cell_text(value) if not isinstance(value, list | dict) else "")
    if link and not isinstance(value, list | dict) and str(value):
        text.append(f"  → {link}", style="dim")
    return text


class ReplyView(ViewScreen):
    """A reply as a tree (structs and lists fold) or as the table of its first list of structs."""

    NAME = "reply"
    TITLE = "Introspect reply"
    SERVICE = "network_state"
    PARENT = "introspect"
    BINDINGS = bindings("introspect.link", "introspect.more", "introspect.table")
    DEFAULT_CSS = """
    ReplyView Tree { height: 1fr; scrollbar-size-vertical: 1; }
    ReplyView DataTable { height: 1fr; display: none; }
    ReplyView DataTable.shown { display: block; }
    ReplyView Tree.hidden { display: none; }
    """

    def __init__(self, services, node: str, service: str, request: str, args: dict[str, str], **kwargs: Any):
        self.node, self.service, self.request, self.args = node, service, request, dict(args)
        self.state: NetworkStateService = services.get("network_state")
        self.messages: list[Message] = []
        self.more = None
        self.showing_table = False
        feed = FetchFeed(self._fetch, f"{node} {service} {request}", (StateError,))
        super().__init__(services, feed=feed, **kwargs)

    async def _fetch(self):
        reply = await self.state.send(self.node, self.service, self.request, self.args)
        if reply.error and not reply.messages:
            raise StateError(reply.error)
        return reply

    def compose_body(self) -> Iterator[Widget]:
        tree: Tree = Tree(Text(self.request), id=self.wid("tree"))
        tree.show_root = False
        yield tree
        yield DataTable(id=self.wid("table"), cursor_type="row", zebra_stripes=True)

    def header_text(self) -> Text:
        text = super().header_text()
        args = " ".join(f"{k}={v}" for k, v in self.args.items())
        text.append(f" │ {self.node} {self.service} {self.request} {args}".rstrip(), style="bold")
        return text

    def focus_body(self) -> None:
        self.query_one(DataTable if self.showing_table else Tree).focus()

    def show(self, reply) -> None:
        self.messages = list(reply.messages)
        self.more = reply.more
        self._fill_tree()
        self._fill_table()
        if reply.stopped:
            self.notify(f"{reply.stopped}: m fetches the rest", timeout=6)

    def counts(self) -> str:
        reply = self.feed.snapshot
        if reply is None:
            return ""
        return f"{reply.pages} page(s)" + (" · complete" if reply.complete else f" · {reply.stopped or reply.error}")

    def _fill_tree(self) -> None:
        tree = self.query_one(Tree)
        tree.clear()
        budget = [TREE_ITEMS]
        for msg in self.messages:
            node = tree.root.add(Text(msg.name, style="bold"), expand=True)
            self._add_struct(node, msg.fields, budget, skip=TRANSPORT_FIELDS)  # a part's `more` is not data

    def _add_struct(self, parent, struct: Struct, budget: list[int], skip: frozenset[str] = frozenset()) -> None:
        for name, value in struct.items():
            if name in skip:
                continue
            if budget[0] <= 0:
                parent.add_leaf(Text("… more (the table shows every row)", style="dim"))
                return
            budget[0] -= 1
            if isinstance(value, Struct):
                self._add_struct(parent.add(Text(f"{name} {{{value.type_name}}}"), data=None), value, budget)
            elif isinstance(value, list) and value and isinstance(value[0], Struct):
                branch = parent.add(Text(f"{name} [{len(value)}]"), expand=len(value) <= 3)
                for i, item in enumerate(value):
                    self._add_struct(branch.add(Text(f"[{i}] {item.type_name}")), item, budget)
            else:
                link = struct.annotations.get(name, {}).get("link")
                data = Link(link, str(value), name, name) if link and not isinstance(value, list | dict) else None
                parent.add_leaf(_label(name, value, struct), data=data)

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        found = tables(self.messages)
        if not found:
            return
        first = found[0]
        for column in first.columns:
            table.add_column(column, key=column)
        for i, row in enumerate(first.rows):
            table.add_row(*(Text(cell_text(row.get(c, ""))) for c in first.columns), key=str(i))

    def action_toggle_table(self) -> None:
        if not tables(self.messages):
            self.notify("no list of structs in this reply", timeout=3)
            return
        self.showing_table = not self.showing_table
        self.query_one(DataTable).set_class(self.showing_table, "shown")
        self.query_one(Tree).set_class(self.showing_table, "hidden")
        self.focus_body()

    def action_follow_link(self) -> None:
        node = self.query_one(Tree).cursor_node
        link = node.data if node is not None else None
        if not isinstance(link, Link):
            self.notify("this field links to no request (→ marks the ones that do)", timeout=3)
            return
        self.app.push_screen(ReplyView(self.services, self.node, self.service, link.request, link_args(link)))

    def action_more(self) -> None:
        if self.more is None:
            self.notify("the reply is complete", timeout=3)
            return
        self.app.push_screen(ReplyView(self.services, self.node, self.service, self.more.request,
                                       {_first_field(self.more.request): self.more.key}))

    def raw_text(self) -> tuple[str, str] | None:
        return (f"{self.request} on {self.node} {self.service}", tree_text(self.messages)) if self.messages else None


def _first_field(request: str) -> str:
    req = find(request)
    return req.fields[0].name if req is not None and req.fields else "x"
