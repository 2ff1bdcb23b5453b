"""The routes pane: the gateway router's neighbors and routes, a per-prefix BGP detail, the raw output, and
the gatewayless cross-check. Renders RouterMonitor state; the only I/O it triggers goes through the monitor.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Input, Static

from tftui.core.routes.models import Neighbor, Route
from tftui.core.routes.render import nexthops_text
from tftui.services.routes import RAW_KEEP, RouterMonitor, RouterState

from .table_sync import sync_rows

PROTOCOL_CYCLE = ("bgp", "all", "static", "connected", "kernel", "ospf")
NEIGHBOR_COLS = ("address", "as", "state", "updown", "rcvd", "sent", "desc")
ROUTE_COLS = ("code", "prefix", "nexthops", "interface", "dm", "age")
CHECK_COLS = ("kind", "prefix", "vm", "expected", "actual")
# a DataTable row costs ~60us to add (more on a busy machine) and a filter keystroke may replace every row:
# past this many, the status line says so and `/` narrows the table instead
MAX_ROWS = 500
STATE_STYLE = {"Established": "bold green", "(Policy)": "bold yellow"}


def _prefix_order(prefix: str) -> tuple[int, int, int]:
    try:
        net = ipaddress.ip_network(str(prefix), strict=False)
        return (net.version, int(net.network_address), net.prefixlen)
    except ValueError:
        return (9, 0, 0)


def _neighbor_cells(n: Neighbor) -> tuple:
    state = "(Policy)" if n.policy_blocked else n.state
    return (n.address, str(n.remote_as if n.remote_as is not None else "?"),
            Text(state, style=STATE_STYLE.get(state, "bold red")), n.up_down or "never",
            "-" if n.prefixes_received is None else str(n.prefixes_received),
            "-" if n.prefixes_sent is None else str(n.prefixes_sent), n.description or "")


def _search_key(r: Route) -> str:
    """What `/` matches against: prefix, protocol, next hops and interfaces, lower case."""
    hops = r.nexthops
    if len(hops) == 1:  # most routes: the same string as below, built in one go
        return f"{r.prefix} {r.protocol} {hops[0].via or ''} {hops[0].interface or ''}".lower()
    return " ".join([r.prefix, r.protocol, *(nh.via or "" for nh in hops), *(nh.interface or "" for nh in hops)]).lower()


def search_keys(routes: list[Route]) -> tuple[list[Route], list[str]]:
    return routes, [_search_key(r) for r in routes]


def _route_cells(r: Route) -> tuple:
    ifs = ",".join(sorted({nh.interface for nh in r.nexthops if nh.interface}))
    dm = f"{r.distance}/{r.metric}" if r.distance is not None else ""
    # Text, not str: a str cell is parsed as markup (an interface named "[b]" would vanish), and parsing it is
    # a third of what adding a row costs
    return tuple(Text(c) for c in (r.code or r.protocol, r.prefix, nexthops_text(r), ifs, dm, r.age or ""))


class RouterUpdated(Message):
    def __init__(self, state: RouterState):
        super().__init__()
        self.state = state


class PrefixDetail(ModalScreen[None]):
    """`show ip bgp PREFIX`: AS path, MED, next hop of every path."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]
    DEFAULT_CSS = """
    PrefixDetail { align: center middle; }
    PrefixDetail > VerticalScroll { width: 76; height: 18; border: round $accent; background: $surface; }
    """

    def __init__(self, monitor: RouterMonitor, prefix: str):
        super().__init__()
        self.monitor, self.prefix = monitor, prefix

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(f"show ip bgp {escape(self.prefix)} ...", id="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True)
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


class RoutesScreen(Screen[None]):
    """Neighbors + routes of one router. Construct with the RouterMonitor the app owns."""

    LIVE_FILTER = True  # `/` narrows the table as you type
    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("p", "protocol", "Protocol"),
        Binding("right_square_bracket", "page(1)", "Next rows", show=False),
        Binding("left_square_bracket", "page(-1)", "Previous rows", show=False),
        Binding("d", "detail", "Detail"),
        Binding("c", "view('check')", "Cross-check"),
        Binding("o", "view('raw')", "Raw"),
        Binding("t", "view('tables')", "Tables"),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("A", "accept_key", "Accept host key", show=False),
        Binding("escape", "back", "Back"),
    ]
    DEFAULT_CSS = """
    RoutesScreen #status { height: auto; max-height: 4; background: $boost; padding: 0 1; }
    RoutesScreen #neighbors { height: auto; max-height: 6; }
    RoutesScreen #routes { height: 1fr; }
    RoutesScreen #filter { dock: bottom; display: none; }
    RoutesScreen #filter.shown { display: block; }
    RoutesScreen #check-summary { height: auto; max-height: 6; padding: 0 1; }
    RoutesScreen #check-table { height: 1fr; }
    RoutesScreen ContentSwitcher { height: 1fr; }
    RoutesScreen #raw { overflow-x: auto; }
    RoutesScreen #raw-body { width: auto; }
    """

    def __init__(self, monitor: RouterMonitor, own_monitor: bool = False, clock: Callable[[], float] = time.time,
                 auto_start: bool = True):
        super().__init__()
        self.monitor = monitor
        self.own_monitor = own_monitor
        self.clock = clock
        self.auto_start = auto_start
        self.protocol = "bgp"
        self.text_filter = ""
        self.matching = 0
        self.page = 0  # which MAX_ROWS-long slice of the matching routes the table shows
        # search keys of the routes last shown (one assignment, so a worker thread can hand them over):
        # computed once per fetched table, not once per keystroke
        self._keys: tuple[list[Route] | None, list[str]] = (None, [])
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with ContentSwitcher(initial="tables"):
            with Vertical(id="tables"):
                yield DataTable(id="neighbors", cursor_type="row", zebra_stripes=False)
                yield DataTable(id="routes", cursor_type="row")
            with Vertical(id="check"):
                yield Static(id="check-summary")
                yield DataTable(id="check-table", cursor_type="row")
            with ScrollableContainer(id="raw"):
                yield Static(id="raw-body", markup=False)
        yield Input(placeholder="filter routes: prefix, next hop, interface (enter to apply, esc to clear)", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        n = self.query_one("#neighbors", DataTable)
        for key, label in zip(NEIGHBOR_COLS, ("Neighbor", "AS", "State", "Up/Down", "Rcvd", "Sent", "Description"),
                              strict=True):
            n.add_column(label, key=key)
        r = self.query_one("#routes", DataTable)
        for key, label in zip(ROUTE_COLS, ("Code", "Prefix", "Next hops", "Intf", "Dist/Met", "Age"), strict=True):
            r.add_column(label, key=key)
        c = self.query_one("#check-table", DataTable)
        for key, label in zip(CHECK_COLS, ("Problem", "Prefix", "VM/pod", "Expected", "Router has"), strict=True):
            c.add_column(label, key=key)
        self._unsubscribe = self.monitor.subscribe(lambda st: self.post_message(RouterUpdated(st)))
        self.apply(self.monitor.state)
        if self.auto_start:
            self.monitor.start()
        self.set_interval(1.0, self._tick)
        r.focus()

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.own_monitor:
            await self.monitor.stop()

    def on_router_updated(self, message: RouterUpdated) -> None:
        self.apply(message.state)

    # ------------------------------------------------------------------ rendering

    def _status_text(self, st: RouterState) -> Text:
        t = Text()
        t.append(f"{st.name}", style="bold")
        t.append(f" ({st.suite or 'suite unknown'})  ")
        if st.last_fetched is None:
            t.append("never fetched", style="yellow")
        else:
            ago = max(0, int(self.clock() - st.last_fetched))
            t.append(f"fetched {time.strftime('%H:%M:%S', time.localtime(st.last_fetched))} ({ago}s ago)")
        if st.fetching:
            t.append("  refreshing…", style="dim")
        t.append(f"  proto:{self.protocol}")
        if self.text_filter:
            t.append(f"  filter:{self.text_filter}")
        if self.matching > MAX_ROWS:
            first = self.page * MAX_ROWS
            shown = (f"first {MAX_ROWS}" if not first else
                     f"routes {first + 1}-{min(first + MAX_ROWS, self.matching)}")
            t.append(f"  {shown} of {self.matching} routes: / to narrow, ] [ next/previous {MAX_ROWS}", style="yellow")
        if self.monitor.unknown_host_key:
            t.append(f"  unknown host key {self.monitor.unknown_host_key}: shift+a trusts it", style="bold red")
        elif st.errors:
            t.append(f"  ERROR: {st.errors[-1]}", style="bold red")
        elif st.warnings:
            t.append(f"  warning: {st.warnings[-1]}", style="yellow")
        if st.check is not None and st.check.problems:
            t.append(f"  check: {len(st.check.findings)} problem(s)", style="bold yellow")
        return t

    def _tick(self) -> None:
        self.query_one("#status", Static).update(self._status_text(self.monitor.state))

    def _search_keys(self, routes: list[Route]) -> list[str]:
        of, keys = self._keys
        if of is not routes:
            of, keys = self._keys = search_keys(routes)
        return keys

    def _prepare_keys(self, routes: list[Route]) -> None:
        """A big table's keys are built in a thread when it arrives, so the first keystroke need not wait."""
        if len(routes) > MAX_ROWS and self._keys[0] is not routes:
            def build() -> None:
                self._keys = search_keys(routes)

            self.run_worker(build, thread=True, exclusive=True, group="search-keys")

    def _matching_routes(self, routes: list[Route]) -> list[Route]:
        proto, needle = self.protocol, self.text_filter.lower()
        if not needle:
            return routes if proto == "all" else [r for r in routes if r.protocol == proto]
        keys = self._search_keys(routes)
        if proto == "all":
            return [r for r, k in zip(routes, keys, strict=True) if needle in k]
        return [r for r, k in zip(routes, keys, strict=True) if needle in k and r.protocol == proto]

    def _apply_routes(self, st: RouterState) -> None:
        found = self._matching_routes(st.routes)
        self.matching = len(found)
        self.page = max(0, min(self.page, (len(found) - 1) // MAX_ROWS))
        start = self.page * MAX_ROWS
        routes = {f"{r.vrf or ''}|{r.prefix}|{r.protocol}": _route_cells(r) for r in found[start:start + MAX_ROWS]}
        self._tick()
        sync_rows(self.query_one("#routes", DataTable), ROUTE_COLS, routes, order=_prefix_order, order_column="prefix")

    def apply(self, st: RouterState) -> None:
        self._tick()
        sync_rows(self.query_one("#neighbors", DataTable), NEIGHBOR_COLS,
                  {n.address: _neighbor_cells(n) for n in st.neighbors})
        self._apply_routes(st)
        self._prepare_keys(st.routes)
        self._apply_check(st)
        raw = self.query_one("#raw-body", Static)
        parts = []
        for name, out in st.raw.items():
            parts.append(f"$ {out.command}   (exit {out.exit_status})\n{out.stdout[:RAW_KEEP + 100]}")
            if out.stderr:
                parts.append(f"[stderr]\n{out.stderr}")
            skipped = st.skipped.get(name) or []
            if skipped:
                parts.append(f"[{len(skipped)} line(s) not understood]\n" + "\n".join(skipped[:50]))
        raw.update(Text("\n".join(parts) or "nothing fetched yet", no_wrap=True, overflow="ignore"))

    def _apply_check(self, st: RouterState) -> None:
        summary = self.query_one("#check-summary", Static)
        check = st.check
        if check is None:
            summary.update(Text(f"gatewayless check: {st.check_note or 'not run yet'}", style="yellow"))
            sync_rows(self.query_one("#check-table", DataTable), CHECK_COLS, {})
            return
        t = Text()
        t.append(f"gatewayless: {check.ok}/{check.expected} pod/VM /32s on the router via their vrouter",
                 style="bold green" if not check.problems else "bold yellow")
        if check.note:
            t.append(f"\n{check.note}", style="yellow")
        for f in check.findings:
            if f.fix:
                t.append(f"\n{f.message}\nfix: {f.fix}", style="yellow")
        summary.update(t)
        rows = {}
        for i, f in enumerate(check.findings):
            rows[f"{f.kind}|{f.prefix or f.expected or i}"] = (
                Text(f.kind, style="bold red" if f.kind in ("missing", "neighbor-down") else "bold yellow"),
                f.prefix or "", f.vm_name or "", f.expected_text, f.actual_text)
        sync_rows(self.query_one("#check-table", DataTable), CHECK_COLS, rows)

    # ------------------------------------------------------------------ actions

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        box.value = self.text_filter
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        if not event.input.has_class("shown") or event.value.strip() == self.text_filter:
            return
        self.text_filter = event.value.strip()
        self.page = 0
        self._apply_routes(self.monitor.state)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.input.remove_class("shown")
        self.query_one("#routes", DataTable).focus()
        if event.value.strip() != self.text_filter:
            self.text_filter = event.value.strip()
            self.page = 0
            self._apply_routes(self.monitor.state)

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_class("shown") or self.text_filter:
            box.remove_class("shown")
            self.text_filter = ""
            self.page = 0
            self.query_one("#routes", DataTable).focus()
            self._apply_routes(self.monitor.state)
        elif self.query_one(ContentSwitcher).current != "tables":
            self.action_view("tables")
        else:
            self.dismiss()

    def action_protocol(self) -> None:
        i = PROTOCOL_CYCLE.index(self.protocol) if self.protocol in PROTOCOL_CYCLE else 0
        self.protocol = PROTOCOL_CYCLE[(i + 1) % len(PROTOCOL_CYCLE)]
        self.page = 0
        self._apply_routes(self.monitor.state)

    def action_page(self, step: int) -> None:
        """The next/previous MAX_ROWS matching routes: every route of a 200k table stays reachable."""
        page = self.page + step
        if page < 0 or page * MAX_ROWS >= self.matching:
            return
        self.page = page
        self._apply_routes(self.monitor.state)
        self.query_one("#routes", DataTable).move_cursor(row=0)

    def action_view(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        target = {"tables": "#routes", "check": "#check-table", "raw": "#raw"}[name]
        self.query_one(target).focus()

    def action_accept_key(self) -> None:
        if not self.monitor.unknown_host_key:
            self.notify("no unknown host key to accept", severity="warning")
            return
        try:
            fingerprint = self.monitor.accept_host_key()
        except Exception as exc:  # the known_hosts file may be unwritable: say so
            self.notify(str(exc), severity="error")
            return
        self.notify(f"trusted {fingerprint}; reconnecting")

    def action_refresh(self) -> None:
        self.monitor.refresh_soon()

    def action_detail(self) -> None:
        switcher = self.query_one(ContentSwitcher).current
        table = self.query_one("#check-table" if switcher == "check" else "#routes", DataTable)
        if table.row_count == 0:
            return
        row = table.get_row_at(table.cursor_row)
        prefix = str(row[1])
        if prefix:
            self.app.push_screen(PrefixDetail(self.monitor, prefix))

    @on(DataTable.RowSelected, "#routes,#check-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_detail()
