"""The lab config API server itself: seeded objects, persistence, the lab component, auth, HTTP details."""

from __future__ import annotations

import argparse

import httpx
from helpers.policy_lab import lab_api, topology

from tftui.lab.configapi import start
from tftui.lab.runner import LabContext


async def test_seed_matches_topology():
    topo = topology(2)
    async with lab_api() as api, httpx.AsyncClient(base_url=api.url, trust_env=False) as c:
        gsc = (await c.get("/global-system-configs", params={"detail": "True"})).json()
        assert gsc["global-system-configs"][0]["global-system-config"]["autonomous_system"] == 64512
        aps = (await c.get("/application-policy-sets", params={"detail": "True"})).json()["application-policy-sets"]
        by_name = {a["application-policy-set"]["name"]: a["application-policy-set"] for a in aps}
        assert by_name["default-application-policy-set"]["all_applications"] is True
        assert by_name["k8s"]["tag_refs"][0]["to"] == ["application=k8s"]
        vrs = (await c.get("/virtual-routers", params={"fields": "virtual_router_ip_address"})).json()
        assert {v["fq_name"][-1]: v["virtual_router_ip_address"] for v in vrs["virtual-routers"]} == {
            n.name: n.address for n in topo.vrouters()}
        count = (await c.get("/virtual-machine-interfaces", params={"count": "True"})).json()
        assert count == {"virtual-machine-interfaces": {"count": len(topo.interfaces)}}
        cirros1 = next(i for i in topo.interfaces if i.vm_name == "cirros1")
        iips = (await c.get("/instance-ips", params={"back_ref_id": "", "detail": "True"})).json()["instance-ips"]
        assert cirros1.ip in {i["instance-ip"]["instance_ip_address"] for i in iips}
        routers = {r["bgp-router"]["fq_name"][-1]: r["bgp-router"]
                   for r in (await c.get("/bgp-routers", params={"detail": "True"})).json()["bgp-routers"]}
        ctrl = routers["ctrl1"]
        assert ctrl["fq_name"][:4] == ["default-domain", "default-project", "ip-fabric", "__default__"]
        assert ctrl["bgp_router_parameters"]["router_type"] == "control-node"
        # the gateway router, peered with the control nodes the topology says (the demo leaves its last one out)
        gw = routers[topo.router.tf_name]["bgp_router_parameters"]
        assert (gw["router_type"], gw["address"], gw["autonomous_system"]) == ("router", topo.router.address, 65311)
        assert {n for n, r in routers.items() if any(ref["to"][-1] == topo.router.tf_name
                                                     for ref in r.get("bgp_router_refs", []))} == {"ctrl1", "ctrl2"}
        home = (await c.get("/")).json()
        actions = {x["link"]["name"]: x["link"]["href"] for x in home["links"] if x["link"]["rel"] == "action"}
        assert actions["name-to-id"].endswith("/fqname-to-id") and actions["id-to-name"].endswith("/id-to-fqname")
        # reads: parent_type always, ETag, conditional GET, If-Match refusing a stale write
        r = await c.get(f"/virtual-machine-interface/{cirros1.vmi_uuid}",
                        params={"exclude_back_refs": "True", "exclude_children": "True"})
        vmi = r.json()["virtual-machine-interface"]
        assert vmi["parent_type"] == "project" and r.headers["ETag"]
        assert "instance_ip_back_refs" not in vmi
        full = (await c.get(f"/virtual-machine-interface/{cirros1.vmi_uuid}")).json()["virtual-machine-interface"]
        assert full["instance_ip_back_refs"]
        assert (await c.get(f"/virtual-machine-interface/{cirros1.vmi_uuid}",
                            headers={"If-None-Match": r.headers["ETag"]})).status_code == 304
        await c.put(f"/virtual-machine-interface/{cirros1.vmi_uuid}", json={"virtual-machine-interface": {
            "display_name": "x"}})
        stale = await c.put(f"/virtual-machine-interface/{cirros1.vmi_uuid}", headers={"If-Match": r.headers["ETag"]},
                            json={"virtual-machine-interface": {"display_name": "y"}})
        assert stale.status_code == 412 and stale.headers["content-type"].startswith("text/plain")
        bad = await c.post("/tags", content=b"{not json")
        assert bad.status_code == 400 and bad.text.startswith("Bad Request")
        assert (await c.get("/nothings")).status_code == 404


async def test_state_file_survives_restart(tmp_path):
    state = str(tmp_path / "state.json")
    async with lab_api(state=state) as api, httpx.AsyncClient(base_url=api.url, trust_env=False) as c:
        first = (await c.post("/tags", json={"tag": {"fq_name": ["label=cirros1"]}})).json()["tag"]["uuid"]
        first_id = (await c.get(f"/tag/{first}")).json()["tag"]["tag_id"]
    async with lab_api(state=state) as api, httpx.AsyncClient(base_url=api.url, trust_env=False) as c:
        assert (await c.get(f"/tag/{first}")).json()["tag"]["fq_name"] == ["label=cirros1"]
        second = (await c.post("/tags", json={"tag": {"fq_name": ["label=cirros2"]}})).json()["tag"]["uuid"]
        assert (await c.get(f"/tag/{second}")).json()["tag"]["tag_id"] != first_id


async def test_component_writes_cluster_keys_and_keystone_guards():
    args = argparse.Namespace(config_api_port=0, state=None, keystone=True, keystone_port=0, token_ttl=60.0)
    ctx = LabContext(topology(2), args, None)
    await start(ctx)
    try:
        url = ctx.cluster["config_api"]
        assert url.startswith("http://127.93.0.10:")
        assert ctx.cluster["auth"]["type"] == "keystone" and "password" not in ctx.cluster["auth"]
        async with httpx.AsyncClient(trust_env=False) as c:
            assert (await c.get(url + "/")).status_code == 200
            denied = await c.get(url + "/tags")
            assert denied.status_code == 401 and "X-Auth-Token" in denied.text
            assert (await c.get(url + "/tags", headers={"X-Auth-Token": "forged"})).status_code == 401
    finally:
        for stop in ctx.stoppers:
            await stop()
