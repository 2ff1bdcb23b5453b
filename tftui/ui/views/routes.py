"""`:routes` — the gateway router's routes (its neighbors above them), `P` protocol, `c` the gatewayless
cross-check, enter a prefix's BGP paths, `y` the commands' raw output. All from the RouterMonitor feed."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tftui.core.humanize import clock
from tftui.core.routes.models import Neighbor, Route
from tftui.core.routes.render import nexthops_text
from tftui.services.routes import RAW_KEEP, RouterMonitor, RouterState

from ..framework import Column, LazyRows, ResourceView, Row, Tone, ViewModal, bindings, register
from ..framework.footer import Footer

PROTOCOL_CYCLE = ("bgp", "all", "static", "connected", "kernel", "ospf")


def neighbor_state(n: Neighbor) -> Tone:
    state = n.shown_state
    return Tone(state, "ok" if state == "Established" else "warn" if n.policy_blocked else "err")


def route_search_key(r: Route) -> str:
    """What `/` matches for a route: prefix, protocol, next hops and interfaces, lower case."""
    hops = r.nexthops
    if len(hops) == 1:  # most routes: the same string as below, built in one go
        return f"{r.prefix} {r.protocol} {hops[0].via or ''} {hops[0].interface or ''}".lower()
    return " ".join([r.prefix, r.protocol, *(nh.via or "" for nh in hops), *(nh.interface or "" for nh in hops)]).lower()


def _route_row(r: Route) -> Row:
    ifs = ",".join(sorted({nh.interface for nh in r.nexthops if nh.interface}))
    dm = f"{r.distance}/{r.metric}" if r.distance is not None else ""
    return Row(f"{r.vrf or ''}|{r.prefix}|{r.protocol}", (r.code or r.protocol, r.prefix, nexthops_text(r), ifs, dm,
                                                         r.age or ""), r)


def router_raw(st: RouterState) -> str:
    parts = []
    for name, out in st.raw.items():
        parts.append(f"$ {out.command}   (exit {out.exit_status})\n{out.stdout[:RAW_KEEP + 100]}")
        if out.stderr:
            parts.append(f"[stderr]\n{out.stderr}")
        skipped = st.skipped.get(name) or []
        if skipped:
            parts.append(f"[{len(skipped)} line(s) not understood]\n" + "\n".join(skipped[:50]))
    return "\n".join(parts) or "nothing fetched yet"


def router_summary(monitor: RouterMonitor, st: RouterState, extra: str = "") -> Text:
    """Which router, what it runs, its BGP neighbors at a glance, and what needs the operator."""
    t = Text()
    t.append(st.name, style="bold")
    t.append(f" ({st.suite or 'suite unknown'})")
    if extra:
        t.append(f"  {extra}")
    if monitor.unknown_host_key:
        t.append(f"\nunknown host key {monitor.unknown_host_key}: shift+a trusts it", style="bold red")
    elif st.warnings:
        t.append(f"\nwarning: {st.warnings[-1]}", style="yellow")
    for n in st.neighbors[:4]:
        state = neighbor_state(n)
        t.append(f"\n{n.address} AS {n.remote_as if n.remote_as is not None else '?'} ")
        t.append(state.text, style="bold green" if state.tone == "ok" else "bold yellow" if state.tone == "warn"
                 else "bold red")
        t.append(f" {n.up_down or 'never'} rcvd {'-' if n.prefixes_received is None else n.prefixes_received}"
                 f" {n.description or ''}", style="dim")
    if len(st.neighbors) > 4:
        t.append(f"\n… {len(st.neighbors) - 4} more neighbors (:neighbors)", style="dim")
    if st.check is not None and st.check.problems:
        t.append(f"\ngatewayless check: {len(st.check.findings)} problem(s) — c shows them", style="bold yellow")
    return t


class PrefixDetail(ViewModal[None]):
    """`show ip bgp PREFIX`: AS path, MED, next hop of every path."""

    DEFAULT_CSS = """
    PrefixDetail { align: center middle; }
    PrefixDetail > VerticalScroll { width: 76; height: 18; border: round $accent; background: $surface; }
    """

    def __init__(self, monitor: RouterMonitor, prefix: str):
        super().__init__()
        self.monitor, self.prefix = monitor, prefix

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(f"show ip bgp {self.prefix} ..."), id="detail-body")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, name="prefix detail")
    async def load(self) -> None:
        body = self.query_one("#detail-body", Static)
        try:
            fetched = await self.monitor.prefix_detail(self.prefix)
        except ValueError as exc:
            body.update(Text(str(exc), style="bold red"))
            return
        except Exception as exc:  # RouterError and friends: say it, keep the pane
            body.update(Text(f"cannot fetch the detail: {exc}", style="bold red"))
            return
        out = Text()
        out.append(f"{self.prefix}\n", style="bold")
        for err in fetched.parsed.errors:
            out.append(f"{err}\n", style="yellow")
        if not fetched.parsed.items and not fetched.parsed.errors:
            out.append("no BGP path for this prefix\n", style="yellow")
        for i, p in enumerate(fetched.parsed.items, 1):
            out.append(f"path {i}{' (best)' if p.best else ''}{' (multipath)' if p.multipath else ''}\n",
                       style="bold green" if p.best else "bold")
            out.append(f"  AS path   {p.as_path or 'Local'}\n  next hop  {p.nexthop}\n"
                       f"  MED       {'-' if p.med is None else p.med}\n"
                       f"  localpref {'-' if p.local_pref is None else p.local_pref}\n"
                       f"  origin    {p.origin or '-'}\n  from      {p.peer or '-'}\n")
            if p.last_update:
                out.append(f"  updated   {p.last_update}\n")
        for w in fetched.warnings:
            out.append(f"warning: {w}\n", style="yellow")
        body.update(out)


class RouterView(ResourceView):
    """What the router views share: the monitor, the host-key key, raw output, the prefix detail."""

    SERVICE = "router"
    BINDINGS = bindings("routes.accept_key")

    @property
    def monitor(self) -> RouterMonitor:
        return self.feed  # type: ignore[return-value]

    def raw_text(self) -> tuple[str, str] | None:
        return f"raw output — {self.monitor.state.name}", router_raw(self.monitor.state)

    def show_prefix(self, prefix: str) -> None:
        if prefix:
            self.app.push_screen(PrefixDetail(self.monitor, prefix))

    def action_accept_key(self) -> None:
        if not self.monitor.unknown_host_key:
            self.notify("no unknown host key to accept", severity="warning")
            return
        try:
            fingerprint = self.monitor.accept_host_key()
        except Exception as exc:  # the known_hosts file may be unwritable: say so
            self.report_error(str(exc), exc)
            return
        self.notify(f"trusted {fingerprint}; reconnecting")

    def summary(self, st: RouterState) -> Text:
        return router_summary(self.monitor, st)

    def status_text(self) -> Text:
        text = super().status_text()
        st = self.monitor.state
        if st.last_fetched:
            text.append(f" · fetched {clock(st.last_fetched)}", style="dim")
        return text


@register
class RoutesView(RouterView):
    NAME = "routes"
    ITEMS = "routes"
    ALIASES = ("rt", "route", "rib")
    TITLE = "Routes — the gateway router's table"
    BINDINGS = bindings("routes.protocol", "routes.check")
    COLUMNS = (
        Column("code", "Code", 4, priority=2),
        Column("prefix", "Prefix", 18, priority=0, min_width=12),
        Column("nexthops", "Next hops", 26, priority=0, min_width=12, grow=True),
        Column("intf", "Intf", 10, priority=3),
        Column("dm", "Dist/Met", 8, priority=4),
        Column("age", "Age", 8, priority=5),
    )

    def __init__(self, services, **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.protocol = "bgp"

    def rows(self, st: RouterState) -> LazyRows:
        proto = self.protocol
        routes = st.routes if proto == "all" else [r for r in st.routes if r.protocol == proto]
        # 200k routes: a Row is made only for the page on screen, the search keys straight from the routes
        return LazyRows(routes, _route_row, route_search_key)

    def summary(self, st: RouterState) -> Text:
        return router_summary(self.monitor, st, f"protocol {self.protocol} (P)")

    def open(self, row: Row) -> None:
        self.show_prefix(row.item.prefix)

    def action_protocol(self) -> None:
        i = PROTOCOL_CYCLE.index(self.protocol) if self.protocol in PROTOCOL_CYCLE else 0
        self.protocol = PROTOCOL_CYCLE[(i + 1) % len(PROTOCOL_CYCLE)]
        self.page = 0
        self.show(self.monitor.state)


@register
class NeighborsView(RouterView):
    NAME = "neighbors"
    ITEMS = "neighbors"
    ALIASES = ("nb", "bgp-neighbors")
    TITLE = "BGP neighbors of the gateway router"
    PARENT = "routes"
    COLUMNS = (
        Column("address", "Neighbor", 15, priority=0),
        Column("as", "AS", 7, priority=0),
        Column("state", "State", 12, priority=0),
        Column("updown", "Up/Down", 9, priority=1),
        Column("rcvd", "Rcvd", 6, priority=1),
        Column("sent", "Sent", 6, priority=2),
        Column("desc", "Description", 20, priority=3, grow=True),
    )

    def rows(self, st: RouterState) -> list[Row]:
        return [Row(n.address, (n.address, str(n.remote_as if n.remote_as is not None else "?"), neighbor_state(n),
                                n.up_down or "never", "-" if n.prefixes_received is None else str(n.prefixes_received),
                                n.shown_sent, n.description or ""),
                    n, rank=0 if n.state == "Established" and not n.policy_blocked else 2) for n in st.neighbors]


@register
class GatewaylessView(RouterView):
    NAME = "gatewayless"
    ITEMS = "problems"
    ALIASES = ("check", "gw", "crosscheck")
    TITLE = "Gatewayless cross-check"
    PARENT = "routes"
    COLUMNS = (
        Column("kind", "Problem", 14, priority=0),
        Column("prefix", "Prefix", 18, priority=0),
        Column("vm", "VM/pod", 12, priority=1),
        Column("expected", "Expected", 22, priority=2),  # "compute1 (127.42.1.1)": the detail panel has it too
        Column("actual", "Router has", 22, priority=3, grow=True),
    )

    def rows(self, st: RouterState) -> list[Row]:
        check = st.check
        if check is None:
            return []
        return [Row(f"{f.kind}|{f.prefix or f.expected or i}",
                    (Tone(f.kind, "err" if f.kind in ("missing", "neighbor-down") else "warn"), f.prefix or "",
                     f.vm_name or "", f.expected_text, f.actual_text), f,
                    rank=2 if f.kind in ("missing", "neighbor-down") else 1) for i, f in enumerate(check.findings)]

    def summary(self, st: RouterState) -> Text:
        check = st.check
        if check is None:
            return Text(f"gatewayless check: {st.check_note or 'not run yet'}", style="yellow")
        text = Text(f"gatewayless: {check.ok}/{check.expected} pod/VM /32s on the router via their vrouter",
                    style="bold green" if not check.problems else "bold yellow")
        if check.note:  # what the check could not compare, and why
            text.append(f"\n{check.note}", style="yellow")
        return text

    def detail(self, row: Row) -> Text:
        f = row.item
        text = Text(f.message)
        if f.fix:
            text.append(f"\nfix: {f.fix}", style="yellow")
        return text

    def open(self, row: Row) -> None:
        self.show_prefix(row.item.prefix or "")
