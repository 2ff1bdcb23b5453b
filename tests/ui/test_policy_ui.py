"""Pilot walks of the policy editor against the lab config API: the seed's ICMP scenario end to end."""

from __future__ import annotations

from helpers.policy_lab import client_for, lab_api
from helpers.policy_ui import confirm, filter_rows, keys, policy_app
from helpers.ui_apps import settle
from textual.widgets import Static

from tftui.services.policy import PolicyService
from tftui.ui.framework.dialogs import ConfirmScreen, PromptScreen
from tftui.ui.views.policy import NetworksView
from tftui.ui.views.policy_members import RulesView, SetView


async def test_seed_scenario_deny_icmp_between_two_pods(tmp_path):
    async with lab_api() as api:
        service = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")
        app = policy_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            # 1. label tags for the two pods
            for name in ("cirros1", "cirros2"):
                await keys(pilot, "1", "n")
                assert isinstance(app.screen, PromptScreen)
                await pilot.press(*f"label={name}", "enter")
                await confirm(pilot, f'"tag_value": "{name}"')
            # 2. tag their ports (set-tag)
            for name in ("cirros1", "cirros2"):
                await keys(pilot, "2")
                await filter_rows(pilot, name)
                await keys(pilot, "t")
                await pilot.press(*f"label={name}", "enter")
                await confirm(pilot, "POST /set-tag")
            # 3. a policy: deny ICMP between them, allow the rest
            await keys(pilot, "3", "n")
            await pilot.press(*"cirros-icmp", "enter")
            await confirm(pilot, "CREATE firewall-policy default-policy-management:cirros-icmp")
            await filter_rows(pilot, "cirros-icmp")
            await keys(pilot, "enter")
            assert isinstance(app.screen, RulesView)
            await keys(pilot, "n")
            await pilot.press(*"deny-icmp", "tab")  # name
            await pilot.press("enter", "down", "enter", "tab")  # action: deny
            await pilot.press(*"icmp", "tab", "tab", "tab")  # protocol; ports and service groups empty
            await pilot.press("enter", "up", "up", "up", "up", "enter", "tab")  # endpoint 1 kind: tags
            await keys(pilot, "f2")  # picker for endpoint 1
            await pilot.press(*"cirros1", "enter")
            await settle(pilot)
            await pilot.press("tab", "tab")  # direction stays <>
            await pilot.press("enter", "up", "up", "up", "up", "enter", "tab")  # endpoint 2 kind: tags
            await pilot.press(*"label=cirros2")
            await keys(pilot, "ctrl+s")
            await confirm(pilot, "CREATE firewall-rule default-policy-management:deny-icmp")
            await keys(pilot, "n")
            await pilot.press(*"allow-rest")
            await keys(pilot, "ctrl+s")
            await confirm(pilot, '"simple_action": "pass"')
            rules = app.screen.table
            assert rules.row_count == 2
            assert [str(c) for c in rules.get_row_at(0)][:6] == ["1.0", "deny", "icmp", "label=cirros1", "<>",
                                                                   "label=cirros2"]
            await keys(pilot, "escape")
            # 4. attach it to the k8s application policy set
            await keys(pilot, "4")
            await filter_rows(pilot, "application=k8s")
            await keys(pilot, "enter")
            assert isinstance(app.screen, SetView)
            await keys(pilot, "n")
            await pilot.press(*"cirros-icmp", "enter")
            await confirm(pilot, "cirros-icmp")
            await keys(pilot, "escape")
        await service.aclose()

        # read everything back through the API with a fresh client
        async with client_for(api) as c:
            for name in ("cirros1", "cirros2"):
                assert await c.fqname_to_id("tag", [f"label={name}"])
                vmi = next(p for p in await c.list_all("virtual-machine-interface")
                           if p["fq_name"][-1].startswith(f"{name}__"))
                assert ["label=" + name] in [r["to"] for r in vmi.get("tag_refs", [])]
            pol = await c.read_by_name("firewall-policy", ["default-policy-management", "cirros-icmp"])
            refs = sorted(pol["firewall_rule_refs"], key=lambda r: float(r["attr"]["sequence"]))
            assert [r["to"][-1] for r in refs] == ["deny-icmp", "allow-rest"]
            deny = await c.read("firewall-rule", refs[0]["uuid"])
            assert deny["action_list"]["simple_action"] == "deny" and deny["service"]["protocol_id"] == 1
            assert deny["endpoint_1"]["tags"] == ["label=cirros1"] and deny["endpoint_2"]["tags"] == ["label=cirros2"]
            allow = await c.read("firewall-rule", refs[1]["uuid"])
            assert allow["action_list"]["simple_action"] == "pass" and allow["endpoint_1"] == {"any": True}
            aps = await c.read_by_name("application-policy-set", ["default-policy-management", "k8s"])
            assert [r["to"][-1] for r in aps["firewall_policy_refs"]] == ["k8s-allowall", "cirros-icmp"]
            assert [r["to"] for r in aps["tag_refs"]] == [["application=k8s"]]


async def test_network_toggle_shows_diff_and_readonly_unbinds_writes(tmp_path):
    async with lab_api() as api:
        service = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")
        app = policy_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await keys(pilot, "5")
            await filter_rows(pilot, "tenant-net")
            await keys(pilot, "S")
            # in the operator's words, with the exact requests one key (y) away
            assert str(app.screen.query_one("#summary", Static).content).splitlines()[-1].strip() == \
                "Fabric SNAT: on → off"
            assert not app.screen.query_one("#raw-diff").display
            await pilot.press("y")
            assert app.screen.query_one("#raw-diff").display
            diff = await confirm(pilot, '-  "fabric_snat": true')
            assert '+  "fabric_snat": false' in diff
            await keys(pilot, "I")
            await confirm(pilot, "IP fabric forwarding: off → on")
            # someone else edits the network while the change is on screen: the write is refused
            await keys(pilot, "S")
            assert isinstance(app.screen, ConfirmScreen)
            uid = api.store.uuid_of("virtual-network", ["default-domain", "admin", "tenant-net"])
            api.store.update("virtual-network", uid, {"display_name": "edited elsewhere"})
            await keys(pilot, "enter")
            assert any("changed on the server" in n.message for n in app._notifications)
            assert api.store.objs[uid]["fabric_snat"] is False and service.drafts.pending()[0].error
        await service.aclose()
        async with client_for(api) as c:
            vn = await c.read_by_name("virtual-network", ["default-domain", "admin", "tenant-net"])
            assert vn["fabric_snat"] is False and vn["virtual_network_refs"][0]["to"][-1] == "ip-fabric"

        ro = PolicyService(client_for(api), readonly=True, draft_dir=tmp_path, cluster="lab")
        app = policy_app(ro)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            before = api.server.requests
            bound = {b.binding.action for b in app.screen.active_bindings.values()}
            assert "new" not in bound and "remove" not in bound and "refresh" in bound
            await keys(pilot, "n", "x", "5", "S", "I")
            assert isinstance(app.screen, NetworksView) and api.server.requests == before
        await ro.aclose()


async def test_drafts_survive_restart_tag_users_refused_delete_and_bgp_peer(tmp_path):
    async with lab_api() as api:
        service = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")
        app = policy_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await keys(pilot, "1", "n")
            await pilot.press(*"label=later", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await keys(pilot, "escape")  # keep it as a draft, send nothing
        await service.aclose()
        assert not api.store.uuid_of("tag", ["label=later"])

        service = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")  # tftui restarted
        app = policy_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert any("unsent draft" in n.message for n in app._notifications)
            await keys(pilot, "D", "enter")
            await confirm(pilot, "CREATE tag label=later")
            assert api.store.uuid_of("tag", ["label=later"]) and service.drafts.pending() == []
            # a tag carried by a port: its users, and a delete refused with the reason
            await keys(pilot, "1")
            await filter_rows(pilot, "app")
            await keys(pilot, "enter")
            users = str(app.screen.query_one("#body", Static).content)
            assert "virtual-machine-interface" in users and "cirros1__" in users
            await keys(pilot, "escape", "x")
            await confirm(pilot, "DELETE tag app=cirros")
            assert any("Delete when resource still referred" in n.message for n in app._notifications)
            assert api.store.uuid_of("tag", ["app=cirros"])
            assert service.drafts.pending()[0].error.startswith("409 Conflict")
            # the seed's VyOS peer, with sessions from the control nodes
            await keys(pilot, "6", "n")
            for value in ("vyos", "65311", "172.31.10.140", "vyos"):
                await pilot.press(*value, "enter")
            await keys(pilot, "ctrl+s")
            await confirm(pilot, "CREATE bgp-router default-domain:default-project:ip-fabric:__default__:vyos")
            table = app.screen.table
            rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            vyos = next(r for r in rows if r[0] == "vyos")
            assert vyos[1:4] == ["router", "65311", "172.31.10.140"] and "ctrl1" in vyos[4]
        await service.aclose()
