"""The editor service against the lab: drafts, conflicts, refused writes, readonly, switches, BGP peers."""

from __future__ import annotations

import pytest
from helpers.policy_lab import client_for, lab_api

from tftui.clients.configapi import ConfigApiError
from tftui.core.policy.models import BgpRouter, Endpoint, Rule
from tftui.services.discovery import discover_nodes
from tftui.services.policy import ConflictError, PolicyService, ReadOnlyError


def _service(api, tmp_path, readonly=False) -> PolicyService:
    return PolicyService(client_for(api), readonly=readonly, draft_dir=tmp_path, cluster="lab")


async def test_draft_saved_conflict_refused_and_kept(tmp_path):
    async with lab_api() as api:
        svc = _service(api, tmp_path)
        await svc.load_networks()
        net = next(n for n in svc.state.networks if n.fq_name[-1] == "tenant-net")
        assert net.fabric_snat and not net.ip_fabric_forwarding
        draft = await svc.draft_network(net, fabric_snat=False)
        assert '"fabric_snat": true' in draft.diff() and '"fabric_snat": false' in draft.diff()
        # the draft is on disk before anything is sent: a new service (tftui restarted) finds it
        again = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")
        assert [d.title for d in again.drafts.pending()] == [draft.title]
        # someone else changes the network meanwhile
        await svc.client.update("virtual-network", net.uuid, {"display_name": "changed elsewhere"})
        with pytest.raises(ConflictError):
            await svc.commit(draft)
        kept = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab").drafts.pending()
        assert len(kept) == 1 and "changed on the server" in kept[0].error
        assert (await svc.client.read("virtual-network", net.uuid))["fabric_snat"] is True
        # redo on fresh state: goes through
        svc.discard(draft)
        await svc.load_networks()
        net = next(n for n in svc.state.networks if n.fq_name[-1] == "tenant-net")
        await svc.commit(await svc.draft_network(net, fabric_snat=False, ip_fabric_forwarding=True))
        vn = await svc.client.read("virtual-network", net.uuid)
        assert vn["fabric_snat"] is False
        assert [r["to"] for r in vn["virtual_network_refs"]] == [["default-domain", "default-project", "ip-fabric"]]
        assert svc.drafts.pending() == []
        await svc.aclose()
        await again.aclose()


async def test_refused_write_keeps_draft_with_reason(tmp_path):
    async with lab_api() as api:
        svc = _service(api, tmp_path)
        await svc.client.create("tag", {"fq_name": ["label=cirros1"]})
        dup = await svc.draft_create_tag("label=cirros1")
        with pytest.raises(ConfigApiError):
            await svc.commit(dup)
        assert "409 Conflict" in svc.drafts.pending()[0].error
        svc.discard(dup)
        await svc.load_ports()
        port = next(p for p in svc.state.ports if p.vm_name == "cirros1")
        await svc.commit(await svc.draft_port_tags(port, ["label=cirros1"], []))
        await svc.load_tags()
        tag = next(t for t in svc.state.tags if t.name == "label=cirros1")
        assert ("virtual-machine-interface", ":".join(port.fq_name)) in await svc.tag_users(tag)
        delete = await svc.draft_delete("tag", tag.uuid)
        with pytest.raises(ConfigApiError) as exc:
            await svc.commit(delete)
        assert "Delete when resource still referred" in str(exc.value)
        assert svc.drafts.pending()[0].error.startswith("409 Conflict: Delete when resource still referred")
        await svc.aclose()


async def test_readonly_refuses_before_io(tmp_path):
    async with lab_api() as api:
        svc = _service(api, tmp_path, readonly=True)
        requests = api.server.requests
        with pytest.raises(ReadOnlyError):
            await svc.draft_create_tag("label=x")
        assert api.server.requests == requests and svc.drafts.pending() == []
        await svc.aclose()


async def test_rules_policy_aps_and_bgp_peer(tmp_path):
    async with lab_api() as api:
        svc = _service(api, tmp_path)
        for t in ("label=cirros1", "label=cirros2"):
            await svc.commit(await svc.draft_create_tag(t))
        pm = ("default-policy-management",)
        deny = Rule(pm + ("deny-icmp",), "deny", "icmp", endpoint_1=Endpoint("tags", ("label=cirros1",)),
                    endpoint_2=Endpoint("tags", ("label=cirros2",)))
        allow = Rule(pm + ("allow-rest",), "pass", "any")
        await svc.commit(await svc.draft_policy(pm + ("cirros",), [allow.fq_name, deny.fq_name], new_rules=[deny, allow]))
        await svc.load_security()
        pol = next(p for p in svc.state.policies if p.fq_name[-1] == "cirros")
        # reorder: deny first; sequences are recomputed
        await svc.commit(await svc.draft_policy(pol.fq_name, [deny.fq_name, allow.fq_name], uuid=pol.uuid))
        await svc.load_security()
        pol = next(p for p in svc.state.policies if p.fq_name[-1] == "cirros")
        assert [(r.fq_name[-1], r.sequence) for r in pol.rules] == [("deny-icmp", "1.0"), ("allow-rest", "2.0")]
        aps = next(a for a in svc.state.apss if a.fq_name[-1] == "k8s")
        assert aps.tags == ("application=k8s",)
        await svc.commit(await svc.draft_aps(aps, [pol.fq_name]))
        await svc.load_security()
        aps = next(a for a in svc.state.apss if a.fq_name[-1] == "k8s")
        assert [p.fq_name for p in aps.policies] == [pol.fq_name] and aps.tags == ("application=k8s",)

        await svc.load_bgp()
        controls = [r for r in svc.state.bgp_routers if r.router_type == "control-node"]
        vyos = BgpRouter(("vyos",), "router", "vyos", 65311, "172.31.10.140")
        draft = await svc.draft_bgp_peer(vyos)
        assert len(draft.ops) == 1 + len(controls)
        await svc.commit(draft)
        await svc.load_bgp()
        peer = next(r for r in svc.state.bgp_routers if r.name == "vyos")
        assert (peer.asn, peer.address, peer.router_type) == (65311, "172.31.10.140", "router")
        assert set(peer.peers) == {c.name for c in controls}
        await svc.aclose()


async def test_discovery_lists_nodes(tmp_path):
    async with lab_api(vrouters=3) as api, client_for(api) as c:
        nodes = {n.name: n for n in await discover_nodes(c)}
        assert set(nodes) == {"ctrl1", "ctrl2", "ctrl3", "compute1", "compute2", "compute3"}
        assert set(nodes["ctrl1"].roles) == {"config", "analytics", "analytics_database", "control"}
        assert nodes["compute2"].roles == ("vrouter",) and nodes["compute2"].address == "127.93.1.2"


async def test_discover_cluster_merges_with_configured_nodes():
    from tftui.core.inventory import ClusterSpec, NodeSpec
    from tftui.services.discovery import discover_cluster

    async with lab_api(vrouters=2) as api:
        configured = (NodeSpec("controller-a", "127.93.0.10", ("webui",)),)
        spec = await discover_cluster(ClusterSpec("lab", configured, config_api=api.url))
        nodes = {n.name: n for n in spec.nodes}
        assert "ctrl1" not in nodes  # same address: the configured name wins, roles merge
        assert {"config", "control", "webui"} <= set(nodes["controller-a"].roles)
        assert {"compute1", "compute2", "ctrl2", "ctrl3"} <= set(nodes)


async def test_project_scoped_rule_uses_project_and_global_tags(tmp_path):
    async with lab_api() as api:
        svc = _service(api, tmp_path)
        project = ("default-domain", "k8s-default")
        await svc.commit(await svc.draft_create_tag("tier=web", project))
        await svc.commit(await svc.draft_create_tag("label=cirros1"))
        rule = Rule(project + ("web-from-cirros1",), "pass", "tcp", (80, 80),
                    endpoint_1=Endpoint("tags", ("global:label=cirros1",)), endpoint_2=Endpoint("tags", ("tier=web",)),
                    match_tags=("application",))
        await svc.commit(await svc.draft_policy(project + ("web",), [rule.fq_name], new_rules=[rule]))
        stored = await svc.client.read_by_name("firewall-rule", list(rule.fq_name))
        assert stored["parent_type"] == "project"
        assert sorted(r["to"] for r in stored["tag_refs"]) == [["default-domain", "k8s-default", "tier=web"],
                                                               ["label=cirros1"]]
        assert stored["service"]["protocol_id"] == 6 and stored["match_tag_types"] == {"tag_type": [1]}
        # a global policy may not take that project rule
        with pytest.raises(ConfigApiError, match="cannot reference project-scoped"):
            await svc.commit(await svc.draft_policy(("default-policy-management", "g"), [rule.fq_name]))
        # without "global:" a project rule looks for a project tag: there is none
        bad = Rule(project + ("bad",), endpoint_1=Endpoint("tags", ("label=cirros1",)))
        with pytest.raises(ConfigApiError, match="404 Not Found: No Tag object found"):
            await svc.commit(await svc.draft_rule(bad))
        await svc.aclose()


async def test_one_tag_per_type_except_label(tmp_path):
    async with lab_api() as api, client_for(api) as c:
        for name in ("application=a", "application=b", "label=x", "label=y"):
            await c.create("tag", {"fq_name": [name]})
        vmi = (await c.list("virtual-machine-interface", page_limit=1))["virtual-machine-interfaces"][0]["uuid"]
        await c.set_tag("virtual-machine-interface", vmi, {"application": {"is_global": True, "value": "a"}})
        await c.set_tag("virtual-machine-interface", vmi, {"application": {"is_global": True, "value": "b"},
                                                          "label": {"is_global": True, "add_values": ["x", "y"]}})
        names = sorted(r["to"][-1] for r in (await c.read("virtual-machine-interface", vmi))["tag_refs"])
        assert "application=a" not in names and {"application=b", "label=x", "label=y"} <= set(names)
        with pytest.raises(ConfigApiError, match="one application tag only"):
            await c.update("virtual-machine-interface", vmi, {"tag_refs": [{"to": ["application=a"]},
                                                                           {"to": ["application=b"]}]})
