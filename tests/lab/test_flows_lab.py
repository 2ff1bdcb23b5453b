"""The agents' flow requests over real sockets: pagination of 10k+ flows in every key format (every flow once,
nothing lost between pages), page caps and "load more", the partition edge the agent answers with
FlowErrorResp, one flow by key, kernel flows, ACLs and hit counts, and no request with a side effect."""

from __future__ import annotations

import pytest
from helpers.flows_lab import flows_lab, target

from tftui.clients.flows import FlowClient, FlowReadError
from tftui.clients.introspect import IntrospectSettings
from tftui.clients.introspect_requests import IntrospectRequester, RequestRefused
from tftui.lab.flows.handlers import flows_of

SETTINGS = IntrospectSettings(timeout=20.0)


def _lab_uuids(intro, topo) -> set[str]:
    return {e.record.uuid for e in flows_of(intro, topo.vrouters()[0]).records}


async def test_ten_thousand_flows_every_one_once():
    async with flows_lab(0, extra_flows=5000) as (topo, intro, api, traffic), \
            FlowClient(SETTINGS, page_cap=1000) as client:
        read = await client.flows(target(topo))
        expected = _lab_uuids(intro, topo)
        assert len(expected) > 10_000
        assert read.complete and read.duplicates == 0 and read.error == ""
        assert [r.uuid for r in read.flows].count(read.flows[0].uuid) == 1
        assert {r.uuid for r in read.flows} == expected
        assert read.pages == len(expected) // 100 + 1 or read.pages == len(expected) // 100 + 2  # partition hop


@pytest.mark.parametrize("key_format", ["dash", "colon"])
async def test_older_agents_key_formats(key_format):
    async with flows_lab(1, extra_flows=700, key_format=key_format) as (topo, intro, api, traffic), \
            FlowClient(SETTINGS) as client:
        read = await client.flows(target(topo))
        assert read.complete
        assert {r.uuid for r in read.flows} == _lab_uuids(intro, topo) and len(read.flows) > 1400


async def test_page_cap_then_load_more():
    async with flows_lab(2, extra_flows=700) as (topo, intro, api, traffic), \
            FlowClient(SETTINGS, page_cap=3) as client:
        first = await client.flows(target(topo))
        assert len(first.flows) == 300 and first.next_key and not first.complete
        got = {r.uuid for r in first.flows}
        read = first
        while read.next_key:
            read = await client.flows(target(topo), resume=read.next_key)
            assert not got & {r.uuid for r in read.flows}  # nothing twice across "load more"
            got |= {r.uuid for r in read.flows}
        assert got == _lab_uuids(intro, topo)


async def test_partition_ending_on_a_page_boundary_ends_with_flow_error_resp():
    async with flows_lab(3, extra_flows=300) as (topo, intro, api, traffic), FlowClient(SETTINGS) as client:
        table = flows_of(intro, topo.vrouters()[0])
        assert len(table.tables) == 2
        del table.tables[0][100:], table.tables[1][200:]  # both partitions end exactly at a page boundary
        table.keys = [[k for k in keys[:len(t)]] for keys, t in zip(table.keys, table.tables, strict=True)]
        read = await client.flows(target(topo))
        assert read.complete and len(read.flows) == 300 and read.pages == 4  # the 4th answer is FlowErrorResp
        assert {r.uuid for r in read.flows} == {e.record.uuid for t in table.tables for e in t}


async def test_one_flow_by_key_with_the_interfaces_flow_key_idx():
    async with flows_lab(4) as (topo, intro, api, traffic), FlowClient(SETTINGS) as client:
        t = target(topo)
        itfs = {i.vm_name: i for i in await client.interfaces(t)}
        cirros1 = itfs["cirros1"]
        read = await client.flows(t)
        mine = next(r for r in read.flows if r.sip == "10.47.255.251" and r.protocol == 6 and not r.reverse_flow)
        assert mine.nh == cirros1.flow_key_idx > 0
        got = await client.flow(t, mine.nh, mine.sip, mine.dip, mine.src_port, mine.dst_port, mine.protocol)
        assert got is not None and got.uuid == mine.uuid and got.packets >= mine.packets
        assert await client.flow(t, mine.nh, mine.sip, mine.dip, mine.src_port, 9, mine.protocol) is None


async def test_flow_table_info_counts_every_partition():
    async with flows_lab(19, extra_flows=100) as (topo, intro, api, traffic), FlowClient(SETTINGS) as client:
        info = await client.table_info(target(topo))
        table = flows_of(intro, topo.vrouters()[0])
        assert info.flow_count == len(table.records) == sum(c for _, c in info.tables)
        assert [i for i, _ in info.tables] == [0, 1] and info.max_flows > info.flow_count


async def test_kernel_flows_every_index_once():
    async with flows_lab(5, extra_flows=400) as (topo, intro, api, traffic), FlowClient(SETTINGS) as client:
        read = await client.kernel_flows(target(topo))
        agent = flows_of(intro, topo.vrouters()[0])
        live = [e for e in agent.records if not e.record.short_flow]
        assert sorted(k.index for k in read.flows) == sorted(e.record.flow_handle for e in live)
        evicted = await client.kernel_flows(target(topo), show_evicted=True)  # the handle keeps " evicted_set"
        assert sorted(k.index for k in evicted.flows) == sorted(e.record.flow_handle for e in agent.records)
        assert len(evicted.flows) == len(read.flows) + 1 and any(k.evicted for k in evicted.flows)
        assert len({k.index for k in read.flows}) == len(read.flows) > 800 and read.pages >= 9
        pairs = {k.index: k.rflow for k in read.flows}
        assert all(pairs.get(r) == i for i, r in pairs.items() if r != -1)  # rflow points both ways
        one = await client.kernel_flows(target(topo), flow_idx=read.flows[0].index)
        assert [k.index for k in one.flows] == [read.flows[0].index]
        nothing = await client.kernel_flows(target(topo), flow_idx=3)
        assert nothing.flows == () and nothing.error == ""


async def test_acls_counts_and_flows_of_the_seed_policy():
    async with flows_lab(6) as (topo, intro, api, traffic), FlowClient(SETTINGS) as client:
        t = target(topo)
        acls = await client.acls(t)
        allowall = next(a for a in acls if a.name == "default-policy-management:k8s-allowall")
        assert [(e.ace_id, e.actions) for e in allowall.entries] == [("1.0", ("pass",)), ("1.0", ("pass",))]
        counts = await client.acl_counts(t, allowall.uuid)
        table = flows_of(intro, topo.vrouters()[0])
        evaluated = [e for e in table.records if allowall.uuid in e.record.blocks["policy_set"].acls]
        assert counts.flow_count == len(evaluated) > 0 and dict(counts.counts)["1.0"] > 0
        flows = await client.acl_flows(t, allowall.uuid)
        assert len(flows.flows) == len(evaluated) and flows.flow_count == len(evaluated)
        assert await client.acls(t, "00000000-0000-0000-0000-00000000dead") == []


async def test_requests_with_side_effects_are_never_sent():
    async with flows_lab(7) as (topo, intro, api, traffic), IntrospectRequester(SETTINGS) as req:
        t = target(topo)
        with pytest.raises(RequestRefused):
            await req.request(t.address, t.port, "DeleteAllFlowRecords")
        with pytest.raises(RequestRefused):
            await req.request(t.address, t.port, "FlowAgeTimeReq", {"new_age_time": 30})
        assert traffic.writes == []
        read = await req.request(t.address, t.port, "FlowAgeTimeReq")  # without a value it only reads
        assert read.pages <= 1


async def test_unreachable_agent_is_a_clear_error():
    async with flows_lab(8) as (topo, intro, api, traffic), FlowClient(IntrospectSettings(timeout=1.0)) as client:
        dead = target(topo)
        dead = type(dead)(dead.name, dead.address, 1)
        with pytest.raises(FlowReadError, match="connection refused"):
            await client.flows(dead)


async def test_a_rules_hits_and_live_flows_on_every_vrouter():
    import asyncio

    from helpers.flows_lab import seed_walk_with_vnc_api

    from tftui.core.inventory import parse_cluster
    from tftui.lab.runner import cluster_config
    from tftui.lab.shells import VmShell
    from tftui.services.flows import FlowService

    async with flows_lab(9, scenario="demo", vrouters=4) as (topo, intro, api, traffic):
        host, port = api.url.rsplit("//", 1)[1].split(":")
        await asyncio.to_thread(seed_walk_with_vnc_api, host, int(port))
        cirros1 = next(i for i in topo.interfaces if i.vm_name == "cirros1")
        VmShell(topo, cirros1, traffic).run("ping -c 1 10.47.255.250")
        cfg = {**cluster_config(topo, 2, 3), "config_api": api.url}
        svc = FlowService(parse_cluster("lab", cfg, "test"))
        sec = await svc.security()
        rule = next(r for r in sec.rules if r.fq_name[-1] == "deny-icmp")
        policy = next(p for p in sec.policies if p.fq_name[-1] == "policy1")
        hits = {h.vrouter: h for h in await svc.rule_hits(policy.uuid, rule.uuid, ["compute1", "compute4"])}
        assert hits["compute1"].ace_ids == ("1.0",) and hits["compute1"].hits >= 2 and hits["compute1"].flows
        assert hits["compute4"].hits == 0 and not hits["compute4"].flows and not hits["compute4"].error
        snap = await svc.flows("compute1", "cirros1")
        dropped = [r for r in snap.flows if r.dropped and not r.short_flow]  # (its short flow is not policy)
        assert {r.uuid for r in dropped} <= set(hits["compute1"].flows) and dropped
        assert snap.explainer.source == "config-api"
        assert "policy1" in snap.explainer.why(dropped[0]).summary


async def test_simulated_flows_reach_the_analytics_flow_table_when_export_is_on():
    from tftui.lab.analytics import start_analytics_api
    from tftui.lab.shells import VmShell

    async with flows_lab(18) as (topo, intro, api, traffic):
        topo.flow_export_rate = -1  # export every flow (global-vrouter-config flow_export_rate -1)
        running = await start_analytics_api(topo, port=0)
        try:
            table = running.state.tables.flows
            traffic.exporter = table.record
            before = len(table.rows)
            assert all(traffic.export(c) for c in traffic.conversations)
            cirros1 = next(i for i in topo.interfaces if i.vm_name == "cirros1")
            VmShell(topo, cirros1, traffic).run("nc -z 198.51.100.7 443")
            rows = list(table.rows)[before:]
            assert len(rows) == len(traffic.conversations)
            mine = [r for r in rows if r["sourceip"] == cirros1.ip and r["destip"] == "198.51.100.7"]
            assert mine and all(r["action"] == "drop" and r["drop_reason"] == "Short flow No Destination route"
                                for r in mine)
            topo.flow_export_rate = 0
            table.export_rate = 0
            assert not traffic.export(traffic.conversations[0])  # off: the table keeps nothing
        finally:
            await running.stop()
