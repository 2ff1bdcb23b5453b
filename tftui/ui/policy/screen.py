"""PolicyScreen: tabs for tags, ports, firewall policies, application policy sets, networks, BGP peers.

Every write goes through flow.propose (draft, diff, confirm, guarded commit); with a read-only
service the write bindings are not bound at all (check_action hides and refuses them).
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from tftui.clients.configapi import ConfigApiError
from tftui.core.policy.models import GLOBAL_PM, BgpRouter, Network, fq_str
from tftui.core.policy.validate import ValidationError, check_name
from tftui.core.redact import redact
from tftui.services.policy import PolicyService

from .aps import ApsScreen
from .bgp import BgpPeerForm
from .drafts import DraftsScreen
from .flow import propose, review_and_send
from .modals import MessageScreen, PickerScreen, PromptScreen
from .rules import PolicyRulesScreen

TABS = ("tags", "ports", "policies", "apss", "networks", "bgp")
WRITE_ACTIONS = {"new", "delete", "add_tag", "remove_tag", "toggle_iff", "toggle_snat", "drafts"}
# Which write actions make sense on which tab (others are hidden from the footer there).
TAB_ACTIONS = {"new": {"tags", "policies", "bgp"}, "delete": {"tags", "policies"},
               "add_tag": {"ports"}, "remove_tag": {"ports"}, "toggle_iff": {"networks"}, "toggle_snat": {"networks"}}


class PolicyScreen(Screen):
    TITLE = "Security policy, networks, BGP"
    CSS = """
    PolicyScreen TabbedContent { height: 1fr; }
    PolicyScreen DataTable { height: 1fr; }
    PolicyScreen #status { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reload", "Reload"),
        Binding("slash", "filter", "Filter"),
        Binding("n", "new", "New"),
        Binding("x", "delete", "Delete"),
        Binding("t", "add_tag", "Add tag"),
        Binding("u", "remove_tag", "Remove tag"),
        Binding("f", "toggle_iff", "IP fabric fwd"),
        Binding("s", "toggle_snat", "Fabric SNAT"),
        Binding("D", "drafts", "Drafts"),
        *[Binding(str(i + 1), f"show_tab('{tab}')", tab, show=False) for i, tab in enumerate(TABS)],
    ]

    def __init__(self, service: PolicyService):
        super().__init__()
        self.service = service
        self.filters: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs"):
            for tab, title in zip(TABS, ("Tags", "Ports", "Policies", "App sets", "Networks", "BGP"), strict=True):
                with TabPane(title, id=tab):
                    yield DataTable(id=f"t-{tab}", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        cols = {
            "tags": ("TYPE", "VALUE", "SCOPE", "ID"), "ports": ("VM/POD", "IPS", "NETWORK", "HOST", "TAGS"),
            "policies": ("POLICY", "SCOPE", "RULES"), "apss": ("SET", "TAGS", "POLICIES"),
            "networks": ("NETWORK", "SUBNETS", "IP FABRIC FWD", "FABRIC SNAT"),
            "bgp": ("NAME", "TYPE", "AS", "ADDRESS", "PEERS"),
        }
        for tab, names in cols.items():
            self.query_one(f"#t-{tab}", DataTable).add_columns(*names)
        self.reload()
        if self.service.drafts.pending() and not self.service.readonly:
            self.notify(f"{len(self.service.drafts.pending())} unsent draft(s) from earlier: press D to review.",
                        timeout=8, markup=False)
        if self.service.drafts.load_error:
            self.notify(self.service.drafts.load_error, severity="warning", markup=False)

    # ------------------------------------------------------------------ helpers
    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active or "tags"

    def table(self, tab: str | None = None) -> DataTable:
        return self.query_one(f"#t-{tab or self.tab}", DataTable)

    def selected_key(self, tab: str | None = None) -> str | None:
        table = self.table(tab)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.service.readonly:
            return False
        if action in TAB_ACTIONS and self.is_mounted:
            try:
                return self.tab in TAB_ACTIONS[action]
            except Exception:  # noqa: BLE001 - before the tabs exist
                return True
        return True

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.table(tab).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def _fill(self, tab: str, rows: list[tuple[str, tuple]]) -> None:
        table = self.table(tab)
        keep = self.selected_key(tab)
        needle = self.filters.get(tab, "").lower()
        table.clear()
        for key, cells in rows:
            if needle and not any(needle in str(c).lower() for c in cells):
                continue
            table.add_row(*[Text(str(c)) for c in cells], key=key)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))

    def render_all(self) -> None:
        st = self.service.state
        self._fill("tags", [(t.uuid, (t.type, t.value, "global" if t.is_global else fq_str(t.fq_name[:-1]), t.tag_id))
                            for t in st.tags])
        self._fill("ports", [(p.uuid, (p.vm_name, ",".join(p.ips), p.network.split(":")[-1], p.host,
                                       " ".join(p.tags))) for p in st.ports])
        self._fill("policies", [(p.uuid, (fq_str(p.fq_name), "global" if p.fq_name[:1] == GLOBAL_PM else "project",
                                          len(p.rules))) for p in st.policies])
        self._fill("apss", [(a.uuid, (fq_str(a.fq_name), " ".join(a.tags) or ("all" if a.all_applications else "-"),
                                      ", ".join(p.fq_name[-1] for p in a.policies))) for a in st.apss])
        self._fill("networks", [(n.uuid, (fq_str(n.fq_name), ",".join(n.subnets) or "-",
                                          "provider" if n.provider else ("on" if n.ip_fabric_forwarding else "off"),
                                          "on" if n.fabric_snat else "off")) for n in st.networks])
        self._fill("bgp", [(r.uuid, (r.name, r.router_type, r.asn or "-", r.address, ", ".join(r.peers)))
                           for r in st.bgp_routers])
        mode = "read-only" if self.service.readonly else "edit"
        self.query_one("#status", Static).update(Text(
            f"{redact(self.service.client.settings.url)}  {len(st.tags)} tags  {len(st.ports)} ports  "
            f"{len(st.policies)} policies  {len(st.networks)} networks  [{mode}]"))

    # ------------------------------------------------------------------ actions
    @work(exclusive=True, group="load")
    async def reload(self) -> None:
        try:
            await self.service.load_all()
        except ConfigApiError as exc:
            self.notify(f"Cannot load from the config API: {exc}", severity="error", timeout=10, markup=False)
            return
        self.render_all()

    def action_reload(self) -> None:
        self.reload()

    @work
    async def action_filter(self) -> None:
        text = await self.app.push_screen_wait(PromptScreen(f"Filter {self.tab} (empty: show all)",
                                                            value=self.filters.get(self.tab, "")))
        self.filters[self.tab] = text or ""
        self.render_all()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    @work
    async def action_open(self) -> None:
        key, st = self.selected_key(), self.service.state
        if key is None:
            return
        if self.tab == "tags":
            tag = next(t for t in st.tags if t.uuid == key)
            try:
                users = await self.service.tag_users(tag)
            except ConfigApiError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            await self.app.push_screen_wait(MessageScreen(f"Carried by / referred from {tag.name}",
                                                          [f"{kind}  {name}" for kind, name in users]))
        elif self.tab == "policies":
            policy = next(p for p in st.policies if p.uuid == key)
            await self.app.push_screen_wait(PolicyRulesScreen(self.service, policy.uuid))
            self.reload()
        elif self.tab == "apss":
            await self.app.push_screen_wait(ApsScreen(self.service, key))
            self.reload()

    async def _after(self, written: bool) -> None:
        if written:
            self.reload()

    @work
    async def action_new(self) -> None:
        tab = self.tab
        if tab == "tags":
            text = await self.app.push_screen_wait(PromptScreen(
                "New tag TYPE=VALUE (global); prefix domain:project: for a project tag", "label=cirros1"))
            if text:
                *scope, name = text.split(":")
                await self._after(await propose(self, self.service, lambda: self.service.draft_create_tag(
                    name, tuple(scope) or None)))
        elif tab == "policies":
            text = await self.app.push_screen_wait(PromptScreen(
                "New firewall policy: NAME (global) or domain:project:NAME", "deny-icmp-cirros"))
            if text:
                fq = tuple(text.split(":"))
                fq = GLOBAL_PM + fq if len(fq) == 1 else fq
                try:
                    check_name(fq[-1], "policy name")
                except ValidationError as exc:
                    self.notify(str(exc), severity="error", markup=False)
                    return
                await self._after(await propose(self, self.service, lambda: self.service.draft_policy(fq, [])))
        elif tab == "bgp":
            router: BgpRouter | None = await self.app.push_screen_wait(BgpPeerForm())
            if router is not None:
                await self._after(await propose(self, self.service, lambda: self.service.draft_bgp_peer(router)))

    @work
    async def action_delete(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        type_name = {"tags": "tag", "policies": "firewall-policy"}.get(self.tab)
        if type_name:
            await self._after(await propose(self, self.service, lambda: self.service.draft_delete(type_name, key)))

    @work
    async def action_add_tag(self) -> None:
        key = self.selected_key("ports")
        port = next((p for p in self.service.state.ports if p.uuid == key), None)
        if port is None:
            return
        choices = [t.name for t in self.service.state.tags if t.is_global and fq_str(t.fq_name) not in port.tags]
        name = await self.app.push_screen_wait(PickerScreen(f"Add a tag to {port.vm_name}", choices))
        if name:
            await self._after(await propose(self, self.service, lambda: self.service.draft_port_tags(port, [name], [])))

    @work
    async def action_remove_tag(self) -> None:
        key = self.selected_key("ports")
        port = next((p for p in self.service.state.ports if p.uuid == key), None)
        if port is None or not port.tags:
            return
        name = await self.app.push_screen_wait(PickerScreen(f"Remove a tag from {port.vm_name}", list(port.tags)))
        if name:
            await self._after(await propose(self, self.service, lambda: self.service.draft_port_tags(port, [], [name])))

    def _network(self) -> Network | None:
        key = self.selected_key("networks")
        return next((n for n in self.service.state.networks if n.uuid == key), None)

    @work
    async def action_toggle_iff(self) -> None:
        net = self._network()
        if net is not None and not net.provider:
            await self._after(await propose(self, self.service, lambda: self.service.draft_network(
                net, ip_fabric_forwarding=not net.ip_fabric_forwarding)))

    @work
    async def action_toggle_snat(self) -> None:
        net = self._network()
        if net is not None and not net.provider:
            await self._after(await propose(self, self.service, lambda: self.service.draft_network(
                net, fabric_snat=not net.fabric_snat)))

    @work
    async def action_drafts(self) -> None:
        draft = await self.app.push_screen_wait(DraftsScreen(self.service))
        if draft is not None:
            await self._after(await review_and_send(self, self.service, draft))
