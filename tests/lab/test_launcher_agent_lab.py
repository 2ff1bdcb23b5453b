"""The lab's agents over real loopback sockets, read by clients/agent.py: pagination past 100, errors."""

import aiohttp
import pytest

import tftui.lab.agent  # noqa: F401  (registers Snh_ItfReq / Snh_PageReq)
from tftui.clients.agent import AgentClient, AgentFetchError, AgentSettings, VrouterTarget, vrouter_targets
from tftui.core.agent import decode_itf_reply
from tftui.core.inventory import parse_cluster
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.runner import cluster_config
from tftui.lab.topology import build

BASE = 213


@pytest.fixture
async def lab():
    topo = build("demo", vrouters=4, base=BASE)
    lab = IntrospectLab(topo)
    await lab.start()
    try:
        yield lab
    finally:
        await lab.stop()


def _target(lab, i):
    vr = lab.topo.vrouters()[i]
    return VrouterTarget(vr.name, vr.address, 8085)


async def test_big_vrouter_pages_past_100(lab):
    topo = lab.topo
    big = topo.vrouters()[0]
    assert len(topo.interfaces_on(big.name)) == 120
    async with AgentClient(AgentSettings(timeout=2)) as client:
        got = await client.interfaces(_target(lab, 0))
    assert got.error is None and got.pages == 2
    expected = topo.interfaces_on(big.name)
    assert [v.metadata_ip for v in got.vmis] == [i.metadata_ip for i in expected]
    assert [v.vm_name for v in got.vmis][:2] == ["cirros1", "cirros2"]
    first = got.vmis[0]
    assert (first.vrouter, first.vrouter_address, first.metadata_ip) == (big.name, big.address, "169.254.0.4")
    assert all(v.name != "vhost0" for v in got.vmis)
    assert len({v.metadata_ip for v in got.vmis}) == 120


async def test_all_key_gives_the_same_table(lab):
    async with AgentClient() as client:
        paged = await client.interfaces(_target(lab, 0))
        whole = await client.interfaces_all_key(_target(lab, 0))
    assert whole.vmis == paged.vmis and len(whole.vmis) == 120


async def test_raw_pages_and_filters(lab):
    vr = lab.topo.vrouters()[0]
    async with aiohttp.ClientSession() as s:
        async with s.get(f"http://{vr.address}:8085/Snh_ItfReq") as r:
            first = decode_itf_reply(await r.read())
        assert len(first.interfaces) == 100 and first.page.table_size == 123  # eth0, vhost0, pkt0 + 120
        async with s.get(f"http://{vr.address}:8085/Snh_PageReq", params={"x": first.page.next_page}) as r:
            second = decode_itf_reply(await r.read())
        assert len(second.interfaces) == 23 and second.page.next_page == "" and second.page.entries == "100-122/123"
        # the agent binds by position: vn is ItfReq's 4th field, so name, type and uuid go first (empty)
        params = {"name": "", "type": "", "uuid": "", "vn": "service-network"}
        async with s.get(f"http://{vr.address}:8085/Snh_ItfReq", params=params) as r:
            only = decode_itf_reply(await r.read())
        assert only.interfaces and all(i.vn_name.endswith("service-network") for i in only.interfaces)
        assert "vn:service-network" in only.page.all
        async with s.get(f"http://{vr.address}:8085/Snh_PageReq", params={"x": "garbage"}) as r:
            body = await r.read()
    with pytest.raises(Exception, match="Invalid request"):
        decode_itf_reply(body)


async def test_dead_and_hanging_vrouters_fail_fast_with_reasons(lab):
    targets = [_target(lab, i) for i in range(4)]  # degraded: [1] is dead, [2] hangs
    async with AgentClient(AgentSettings(timeout=0.5)) as client:
        results = await client.many(targets)
        with pytest.raises(AgentFetchError, match="refused"):
            await client.interfaces(targets[1])
    by_name = {r.target.name: r for r in results}
    assert by_name[targets[0].name].error is None and len(by_name[targets[0].name].vmis) == 120
    assert "refused" in by_name[targets[1].name].error
    assert "no reply in time" in by_name[targets[2].name].error
    assert by_name[targets[3].name].error is None and len(by_name[targets[3].name].vmis) == 3


async def test_non_agent_port_and_targets_from_config(lab):
    spec = parse_cluster("lab", cluster_config(lab.topo, 2, 1), "test")
    targets = vrouter_targets(spec)
    assert [t.name for t in targets] == [v.name for v in lab.topo.vrouters()]
    ctrl = lab.topo.nodes[0]
    async with AgentClient(AgentSettings(timeout=1)) as client:
        with pytest.raises(AgentFetchError, match="HTTP 404"):
            await client.interfaces(VrouterTarget(ctrl.name, ctrl.address, 8083))
