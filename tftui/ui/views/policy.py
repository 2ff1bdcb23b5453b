"""The config API's lists — tags, ports, firewall policies, application policy sets, networks, BGP peers —
as six views over one feed (`1`–`6` switch between them); writes go through policy_base's flow."""

from __future__ import annotations

from textual import work

from tftui.clients.configapi import ConfigApiError
from tftui.core.policy.models import GLOBAL_PM, BgpRouter, Network, fq_str
from tftui.core.policy.validate import ValidationError, check_name
from tftui.services.policy import PolicyState

from ..framework import Column, Row, Tone, register
from ..framework.dialogs import MessageScreen, PickerScreen, PromptScreen
from .policy_base import PolicyList
from .policy_members import RulesView, SetView


@register
class TagsView(PolicyList):
    NAME = "tags"
    ITEMS = "tags"
    ALIASES = ("tag", "labels")
    TITLE = "Tags"
    API_TYPE = "tag"
    ACTIONS = frozenset({"new", "remove"})
    COLUMNS = (Column("type", "Type", 12, priority=0), Column("value", "Value", 20, priority=0, grow=True),
               Column("scope", "Scope", 24, priority=1), Column("id", "ID", 12, priority=2))

    def rows(self, st: PolicyState) -> list[Row]:
        return [Row(t.uuid, (t.type, t.value, "global" if t.is_global else fq_str(t.fq_name[:-1]), t.tag_id), t)
                for t in st.tags]

    @work(name="tag users")
    async def open(self, row: Row) -> None:
        tag = row.item
        try:
            users = await self.service.tag_users(tag)
        except ConfigApiError as exc:
            self.report_error(str(exc))
            return
        await self.app.push_screen_wait(MessageScreen(f"Carried by / referred from {tag.name}",
                                                      [f"{kind}  {name}" for kind, name in users]))

    @work(name="new tag")
    async def action_new(self) -> None:
        text = await self.app.push_screen_wait(PromptScreen(
            "New tag TYPE=VALUE (global); prefix domain:project: for a project tag", "label=cirros1"))
        if text:
            *scope, name = text.split(":")
            await self.propose(lambda: self.service.draft_create_tag(name, tuple(scope) or None))


@register
class PortsView(PolicyList):
    NAME = "ports"
    ITEMS = "ports"
    ALIASES = ("port",)
    TITLE = "Ports — tags on VM/pod interfaces"
    ACTIONS = frozenset({"tag", "untag"})
    COLUMNS = (Column("vm", "VM/Pod", 16, priority=0), Column("ips", "IPs", 15, priority=1),
               Column("tags", "Tags", 24, priority=0, grow=True), Column("network", "Network", 14, priority=2),
               Column("host", "Host", 12, priority=3))

    def rows(self, st: PolicyState) -> list[Row]:
        return [Row(p.uuid, (p.vm_name, ",".join(p.ips), " ".join(p.tags), p.network.split(":")[-1], p.host), p)
                for p in st.ports]

    @work(name="add tag")
    async def action_tag(self) -> None:
        port = self.selected_item()
        if port is None:
            return
        choices = [t.name for t in self.service.state.tags if t.is_global and fq_str(t.fq_name) not in port.tags]
        name = await self.app.push_screen_wait(PickerScreen(f"Add a tag to {port.vm_name}", choices))
        if name:
            await self.propose(lambda: self.service.draft_port_tags(port, [name], []))

    @work(name="remove tag")
    async def action_untag(self) -> None:
        port = self.selected_item()
        if port is None or not port.tags:
            return
        name = await self.app.push_screen_wait(PickerScreen(f"Remove a tag from {port.vm_name}", list(port.tags)))
        if name:
            await self.propose(lambda: self.service.draft_port_tags(port, [], [name]))


@register
class PoliciesView(PolicyList):
    NAME = "policies"
    ITEMS = "policies"
    ALIASES = ("fw", "firewall", "policy", "pol")
    TITLE = "Firewall policies"
    API_TYPE = "firewall-policy"
    ACTIONS = frozenset({"new", "remove"})
    COLUMNS = (Column("policy", "Policy", 40, priority=0, grow=True), Column("scope", "Scope", 8, priority=1),
               Column("rules", "Rules", 5, priority=0))

    def rows(self, st: PolicyState) -> list[Row]:
        return [Row(p.uuid, (fq_str(p.fq_name), "global" if p.fq_name[:1] == GLOBAL_PM else "project",
                             str(len(p.rules))), p) for p in st.policies]

    def open(self, row: Row) -> None:
        self.app.push_screen(RulesView(self.services, row.item.uuid))

    @work(name="new policy")
    async def action_new(self) -> None:
        text = await self.app.push_screen_wait(PromptScreen(
            "New firewall policy: NAME (global) or domain:project:NAME", "deny-icmp-cirros"))
        if not text:
            return
        fq = tuple(text.split(":"))
        fq = GLOBAL_PM + fq if len(fq) == 1 else fq
        try:
            check_name(fq[-1], "policy name")
        except ValidationError as exc:
            self.report_error(str(exc))
            return
        await self.propose(lambda: self.service.draft_policy(fq, []))


@register
class SetsView(PolicyList):
    NAME = "sets"
    ITEMS = "sets"
    ALIASES = ("aps", "app-sets")
    TITLE = "Application policy sets"
    COLUMNS = (Column("set", "Set", 36, priority=0, grow=True), Column("tags", "Tags", 18, priority=0),
               Column("policies", "Policies", 24, priority=1))

    def rows(self, st: PolicyState) -> list[Row]:
        return [Row(a.uuid, (fq_str(a.fq_name), " ".join(a.tags) or ("all" if a.all_applications else "-"),
                             ", ".join(p.fq_name[-1] for p in a.policies)), a) for a in st.apss]

    def open(self, row: Row) -> None:
        self.app.push_screen(SetView(self.services, row.item.uuid))


@register
class NetworksView(PolicyList):
    NAME = "networks"
    ITEMS = "networks"
    ALIASES = ("vn", "net", "nets")
    TITLE = "Virtual networks — IP fabric forwarding and fabric SNAT"
    ACTIONS = frozenset({"toggle_iff", "toggle_snat"})
    COLUMNS = (Column("network", "Network", 36, priority=0, min_width=16, grow=True),
               Column("iff", "IP fabric fwd", 13, priority=0), Column("snat", "Fabric SNAT", 11, priority=0),
               Column("subnets", "Subnets", 18, priority=1))

    def rows(self, st: PolicyState) -> list[Row]:
        def switch(on: bool) -> Tone:
            return Tone("on", "ok") if on else Tone("off", "dim")

        return [Row(n.uuid, (fq_str(n.fq_name), Tone("provider", "accent") if n.provider else
                             switch(n.ip_fabric_forwarding), switch(n.fabric_snat), ",".join(n.subnets) or "-"), n)
                for n in st.networks]

    def _network(self) -> Network | None:
        net = self.selected_item()
        if net is not None and net.provider:
            self.notify(f"{fq_str(net.fq_name)} is a provider network: its switches are not tftui's to change")
            return None
        return net

    @work(name="IP fabric forwarding")
    async def action_toggle_iff(self) -> None:
        net = self._network()
        if net is not None:
            await self.propose(lambda: self.service.draft_network(net, ip_fabric_forwarding=not net.ip_fabric_forwarding))

    @work(name="fabric SNAT")
    async def action_toggle_snat(self) -> None:
        net = self._network()
        if net is not None:
            await self.propose(lambda: self.service.draft_network(net, fabric_snat=not net.fabric_snat))


@register
class BgpPeersView(PolicyList):
    NAME = "bgp"
    ITEMS = "BGP routers"
    ALIASES = ("bgp-peers", "bgp-routers")
    TITLE = "BGP routers and peers (config API)"
    ACTIONS = frozenset({"new"})
    COLUMNS = (Column("name", "Name", 12, priority=0), Column("type", "Type", 12, priority=2),
               Column("as", "AS", 6, priority=0), Column("address", "Address", 15, priority=0),
               Column("peers", "Peers", 20, priority=1, grow=True))

    def rows(self, st: PolicyState) -> list[Row]:
        return [Row(r.uuid, (r.name, r.router_type, str(r.asn or "-"), r.address, ", ".join(r.peers)), r)
                for r in st.bgp_routers]

    @work(name="new BGP peer")
    async def action_new(self) -> None:
        from ..policy.bgp import BgpPeerForm

        router: BgpRouter | None = await self.app.push_screen_wait(BgpPeerForm())
        if router is not None:
            await self.propose(lambda: self.service.draft_bgp_peer(router))
