"""tftui's config API client against the lab server over real sockets."""

from __future__ import annotations

import socket

import pytest
from helpers.policy_lab import client_for, lab_api

from tftui.clients.configapi import ConfigApiClient, ConfigApiError
from tftui.core.policy.settings import ConfigApiSettings


async def test_home_list_read_create_update_delete():
    async with lab_api() as api, client_for(api) as c:
        home = await c.home()
        rels = {item["link"]["rel"] for item in home["links"]}
        assert rels == {"root", "collection", "resource-base", "action"}
        vns = (await c.list("virtual-network"))["virtual-networks"]
        assert {tuple(v["fq_name"]) for v in vns} >= {("default-domain", "default-project", "ip-fabric")}
        assert await c.count("virtual-router") == 2
        assert await c.count("bgp-router") == 4  # three control nodes and the gateway router they peer with
        detail = await c.list("virtual-network", detail=True, filters={"fabric_snat": True})
        assert [v["virtual-network"]["name"] for v in detail["virtual-networks"]] == ["tenant-net"]
        fields = await c.list("virtual-router", fields=["virtual_router_ip_address"])
        assert all(x["virtual_router_ip_address"].startswith("127.93.") for x in fields["virtual-routers"])

        created = await c.create("tag", {"fq_name": ["label=cirros1"], "tag_type_name": "label", "tag_value": "cirros1"})
        tag, etag = await c.read_with_etag("tag", created["uuid"])
        assert etag and tag["tag_id"].startswith("0x0000") and tag["parent_type"] == "config-root"
        assert await c.fqname_to_id("tag", ["label=cirros1"]) == created["uuid"]
        assert await c.fqname_to_id("tag", ["label=nope"]) is None
        assert await c.id_to_fqname(created["uuid"]) == (["label=cirros1"], "tag")
        await c.update("tag", created["uuid"], {"display_name": "pod cirros1"})
        tag2, etag2 = await c.read_with_etag("tag", created["uuid"])
        assert tag2["display_name"] == "pod cirros1" and etag2 != etag
        await c.delete("tag", created["uuid"])
        assert await c.fqname_to_id("tag", ["label=cirros1"]) is None


async def test_pagination_follows_markers():
    async with lab_api(vrouters=3) as api, client_for(api) as c:
        total = await c.count("virtual-machine-interface")
        page = await c.list("virtual-machine-interface", page_limit=50)
        assert len(page["virtual-machine-interfaces"]) == 50 and page["marker"]
        everything = await c.list_all("virtual-machine-interface", page_size=37)
        assert len(everything) == total == len({x["uuid"] for x in everything})


async def test_errors_are_clear_messages():
    async with lab_api() as api, client_for(api) as c:
        await c.create("tag", {"fq_name": ["label=x"]})
        with pytest.raises(ConfigApiError) as exc:
            await c.create("tag", {"fq_name": ["label=x"]})
        assert exc.value.status == 409 and str(exc.value).startswith("409 Conflict: fq_name")
        with pytest.raises(ConfigApiError) as exc:
            await c.create("firewall-rule", {"fq_name": ["default-policy-management", "r"],
                                             "action_list": {"simple_action": "maybe"}})
        assert str(exc.value).startswith("400 Bad Request: firewall-rule action_list.simple_action")
        with pytest.raises(ConfigApiError) as exc:
            await c.create("firewall-rule", {"fq_name": ["default-policy-management", "r"],
                                             "action_list": {"simple_action": "deny"}, "service": {"protocol": "icmp"},
                                             "endpoint_1": {"any": True}, "endpoint_2": {"any": True},
                                             "match_tags": {"tag_list": ["label"]}})
        assert "match_tags cannot contain label" in str(exc.value)
        with pytest.raises(ConfigApiError) as exc:
            await c.create("firewall-rule", {"fq_name": ["default-policy-management", "r"],
                                             "action_list": {"simple_action": "deny"}, "service": {"protocol": "icmp"},
                                             "endpoint_1": {"any": True, "tags": ["label=x"]}, "endpoint_2": {"any": True}})
        assert "exactly one of" in str(exc.value)
        with pytest.raises(ConfigApiError) as exc:
            await c.create("firewall-rule", {"fq_name": ["default-policy-management", "r"],
                                             "action_list": {"simple_action": "deny"}, "service": {"protocol": "icmp"},
                                             "endpoint_1": {"any": True}, "endpoint_2": {"any": True},
                                             "tag_refs": [{"to": ["label=x"]}]})
        assert exc.value.status == 400 and "set by the server" in str(exc.value)
        with pytest.raises(ConfigApiError) as exc:
            await c.create("tag", {"fq_name": ["default-domain", "nowhere", "label=x"]})
        assert exc.value.status == 400 and "does not exist" in str(exc.value)
        # a global rule may not point at a project-scoped tag
        await c.create("tag", {"fq_name": ["default-domain", "admin", "label=p"]})
        with pytest.raises(ConfigApiError) as exc:
            await c.create("firewall-policy", {"fq_name": ["default-policy-management", "gp"],
                                               "tag_refs": [{"to": ["default-domain", "admin", "label=p"]}]})
        assert "cannot reference project-scoped" in str(exc.value)
        uid = await c.fqname_to_id("tag", ["label=x"])
        with pytest.raises(ConfigApiError) as exc:
            await c.update("tag", uid, {"tag_value": "y"})
        assert "read-only" in str(exc.value)
        with pytest.raises(ConfigApiError) as exc:
            await c.read("tag", "00000000-0000-0000-0000-000000000000")
        assert exc.value.status == 404


async def test_delete_refused_while_referred_and_set_tag():
    async with lab_api() as api, client_for(api) as c:
        tag = await c.create("tag", {"fq_name": ["label=cirros1"]})
        vmi = await c.fqname_to_id("virtual-machine-interface",
                                   next(p["fq_name"] for p in (await c.list("virtual-machine-interface"))[
                                       "virtual-machine-interfaces"] if "cirros1__" in p["fq_name"][-1]))
        await c.set_tag("virtual-machine-interface", vmi, {"label": {"is_global": True, "add_values": ["cirros1"]}})
        refs = (await c.read("virtual-machine-interface", vmi))["tag_refs"]
        assert ["label=cirros1"] in [r["to"] for r in refs]
        with pytest.raises(ConfigApiError) as exc:
            await c.delete("tag", tag["uuid"])
        assert str(exc.value).startswith("409 Conflict: Delete when resource still referred: [")
        assert vmi in str(exc.value)
        back = (await c.list("virtual-machine-interface", back_ref_id=tag["uuid"]))["virtual-machine-interfaces"]
        assert [b["uuid"] for b in back] == [vmi]
        await c.set_tag("virtual-machine-interface", vmi, {"label": {"is_global": True, "delete_values": ["cirros1"]}})
        await c.delete("tag", tag["uuid"])
        # ref-update adds and removes one ref
        pm = await c.fqname_to_id("application-policy-set", ["default-policy-management", "k8s"])
        await c.create("firewall-policy", {"fq_name": ["default-policy-management", "p1"]})
        await c.ref_update("application-policy-set", pm, "firewall-policy",
                           ref_fq_name=["default-policy-management", "p1"], attr={"sequence": "9.0"})
        aps = await c.read("application-policy-set", pm)
        seeded = ("k8s-allowall", "99.0")  # kube-manager's allow-all, which the lab seeds
        assert [(r["to"][-1], r["attr"]["sequence"]) for r in aps["firewall_policy_refs"]] == [seeded, ("p1", "9.0")]
        await c.ref_update("application-policy-set", pm, "firewall-policy",
                           ref_fq_name=["default-policy-management", "p1"], operation="DELETE")
        aps = await c.read("application-policy-set", pm)
        assert [(r["to"][-1], r["attr"]["sequence"]) for r in aps["firewall_policy_refs"]] == [seeded]


async def test_keystone_token_cached_and_renewed_on_expiry():
    async with lab_api(keystone=True, keystone_port=0, password="s3cret-lab") as api:
        async with client_for(api, env={"LAB_PW": "s3cret-lab"}) as c:
            assert await c.count("tag") >= 1
            assert await c.count("project") == 3
            assert c.token_requests == 1  # cached
            api.keystone.expire_all()
            assert await c.count("tag") >= 1  # 401 -> new token -> retry
            assert c.token_requests == 2 and api.keystone.issued == 2
        async with client_for(api, env={"LAB_PW": "wrong"}) as bad:
            with pytest.raises(ConfigApiError) as exc:
                await bad.count("tag")
            assert exc.value.status == 401 and "wrong" not in str(exc.value)
        async with client_for(api, env={}) as unset:
            with pytest.raises(ConfigApiError) as exc:
                await unset.count("tag")
            assert "LAB_PW is not set" in str(exc.value)


async def test_refused_connection_and_env_proxy_ignored(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would break every request if honoured
    async with ConfigApiClient(ConfigApiSettings(f"http://127.0.0.1:{port}", timeout=1.0)) as c:
        with pytest.raises(ConfigApiError) as exc:
            await c.home()
        assert exc.value.status == 0 and "ConnectError" in str(exc.value)
    async with lab_api() as api, client_for(api) as c:
        assert (await c.home())["links"]
