"""The analytics client, the status source and a third-party crawler against the lab's analytics API (real sockets)."""

from __future__ import annotations

import asyncio
import gzip
import json
import urllib.request

import conftest
import pytest
from aiohttp import web

from tftui.clients import analytics as ac
from tftui.core.analytics.query import LogQuery, StatsQuery
from tftui.core.analytics.settings import AnalyticsSettings
from tftui.core.analytics.uve import UveFilters
from tftui.core.inventory import parse_cluster
from tftui.core.policy.settings import AuthSpec
from tftui.core.render import status_text
from tftui.lab.analytics import http as lab_http
from tftui.lab.analytics import start_analytics_api
from tftui.lab.configapi.keystone import KeystoneLab
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.runner import cluster_config
from tftui.lab.topology import NON_FUNCTIONAL, ServiceBehaviour, build
from tftui.services.analytics import AnalyticsService, NotConfirmedError, ReadOnlyError
from tftui.services.poller import Poller
from tftui.services.status_sources import AnalyticsStatusSource


def _base() -> int:
    base = conftest.free_bases(conftest._next_base[0])[0]
    conftest._next_base[0] = base + 1 if base < 240 else 100
    return base


@pytest.fixture
async def lab():
    """The degraded scenario's introspect and analytics, in this process, on a 127.B range of the test's own."""
    topo = build("degraded", vrouters=2, base=_base())
    intro = IntrospectLab(topo)
    await intro.start()
    running = await start_analytics_api(topo)
    yield topo, intro, running
    await running.stop()
    await intro.stop()


def _client(running, **kw) -> ac.AnalyticsClient:
    return ac.AnalyticsClient(AnalyticsSettings(running.url, timeout=2.0, **kw))


def _spec(topo, running, source: str = "auto"):
    doc = cluster_config(topo, 2.0, 1.5)
    doc.update(analytics_api=running.url, status_source=source)
    return parse_cluster("lab", doc, "test")


async def _round(spec, source) -> Poller:
    poller = Poller(spec, status_source=source)
    await poller.poll_round(force=True)
    return poller


async def test_analytics_status_matches_introspect_and_auto_falls_back_within_one_poll(lab):
    topo, _, running = lab
    spec = _spec(topo, running)
    by_introspect = await _round(spec, None)
    await by_introspect.close()
    source = AnalyticsStatusSource(running_settings := AnalyticsSettings(running.url, timeout=2.0), "auto")
    poller = await _round(spec, source)
    first = poller.state.ordered()
    evidence = {s.evidence for r in first for s in r.services}
    assert "analytics" in evidence
    assert status_text(first) == status_text(by_introspect.state.ordered())
    # a few requests for the fleet instead of one per service per node
    assert source.requests <= 1 + 10
    await running.stop()  # analytics goes away: the very next round is all introspect, with the same lines
    await poller.poll_round(force=True)
    second = poller.state.ordered()
    assert "analytics" not in {s.evidence for r in second for s in r.services}
    assert status_text(second) == status_text(first)
    assert source.last_error and running_settings.url in source.last_error
    await poller.close()


async def test_stale_or_unknown_modules_go_to_introspect(lab):
    topo, intro, running = lab
    spec = _spec(topo, running)
    source = AnalyticsStatusSource(AnalyticsSettings(running.url, timeout=2.0, stale_after=5.0), "analytics",
                                   clock=lambda: 10 ** 10)  # every report looks ancient
    poller = await _round(spec, source)
    assert {s.evidence for r in poller.state.ordered() for s in r.services} <= {"introspect", "nodemgr", "probe",
                                                                              "none"}
    await poller.close()
    # a state change reaches analytics (and the poller through it) with the same string introspect shows
    node = topo.node("compute4") if any(n.name == "compute4" for n in topo.nodes) else topo.vrouters()[0]
    node.behaviour["vrouter-agent"] = ServiceBehaviour(NON_FUNCTIONAL, "XMPP connection down (test)")
    intro.invalidate(node.name)
    running.state.watch()
    poller = await _round(spec, AnalyticsStatusSource(AnalyticsSettings(running.url), "analytics"))
    agent = poller.state.results[node.name].service("vrouter-agent")
    assert agent.evidence == "analytics" and agent.status == "initializing (XMPP connection down (test))"
    await poller.close()


async def test_uves_filters_multiget_and_raw(lab):
    topo, _, running = lab
    async with _client(running) as c:
        types = (await c.uve_types()).data
        assert {"vrouters", "control-nodes", "analytics-nodes", "virtual-networks",
                "virtual-machine-interfaces"} <= set(types)
        keys = (await c.uve_keys("vrouter")).data
        assert "compute1" in keys and "compute2" not in keys  # compute2 is dead: no generator, no UVE
        uve = (await c.uve("vrouter", "compute1")).data
        assert {"NodeStatus", "VrouterAgent", "VrouterStatsAgent"} <= set(uve)
        # compute1's session to ctrl2 is down: its UVE says so as its introspect and the control nodes do
        assert [p["status"] for p in uve["VrouterAgent"]["xmpp_peer_list"]] == [True, False]
        assert uve["NodeStatus"]["__T"] > 0
        only = (await c.uve("vrouter", "compute1", filters=UveFilters(cfilt=("VrouterStatsAgent:drop_stats",)))).data
        assert list(only) == ["VrouterStatsAgent"] and list(only["VrouterStatsAgent"]) == ["drop_stats"]
        multi = (await c.uve_multi("control-node", "*", UveFilters(cfilt=("BgpRouterState",)))).data
        assert set(multi) == {"ctrl1", "ctrl2", "ctrl3"}
        bgp = multi["ctrl1"]["BgpRouterState"]
        assert (bgp["num_xmpp_peer"], bgp["num_up_xmpp_peer"]) == (1, 1)  # compute1 (compute2 talks to ctrl2, 3)
        bgp = multi["ctrl2"]["BgpRouterState"]
        assert (bgp["num_xmpp_peer"], bgp["num_up_xmpp_peer"]) == (2, 1)  # compute1's session to it is down
        alarms = (await c.uve("control-node", "ctrl2")).data["UVEAlarms"]["alarms"]
        assert [a["description"] for a in alarms if a["type"].endswith("xmpp-connectivity")] == ["XMPP peer mismatch."]
        posted = (await c.uve_post("vrouter", UveFilters(kfilt=("comp*",), cfilt=("NodeStatus:process_info",)))).data
        assert set(posted) == {"compute1"} and list(posted["compute1"]["NodeStatus"]) == ["process_info"]
        raw = (await c.uve("vrouter", "compute1", flat=False)).data
        assert raw["VrouterAgent"]["@type"] == "struct"
        assert (await c.uve("vrouter", "no-such-host")).data == {}
        unacked = (await c.uve("vrouter", "compute1", filters=UveFilters(ackfilt=True))).data
        assert "UVEAlarms" not in unacked


async def test_alarms_acknowledge_and_readonly(lab):
    topo, _, running = lab
    svc = AnalyticsService(AnalyticsSettings(running.url, timeout=2.0), readonly=True)
    snap = await svc.alarms()
    sentences = [a.sentence for a in snap.alarms]
    assert "rabbitmq is PROCESS_STATE_EXITED on ctrl3 (expected RUNNING)" in sentences
    assert any("NTP state unsynchronized." in s for s in sentences)
    assert any("percentage_partition_space_used is 93 on ctrl1" in s for s in sentences)
    target = next(a for a in snap.alarms if a.name == "ctrl3")
    assert target.severity_name == "critical" and target in snap.serious_unacknowledged
    with pytest.raises(ReadOnlyError):
        await svc.acknowledge(target, confirmed=True)
    await svc.close()
    svc = AnalyticsService(AnalyticsSettings(running.url, timeout=2.0))
    with pytest.raises(NotConfirmedError):
        await svc.acknowledge(target, confirmed=False)
    after = await svc.acknowledge(target, confirmed=True)
    assert after.find(target.id).ack and target.id not in {a.id for a in after.unacknowledged}
    assert target.id not in {a.id for a in (await svc.alarms(ackfilt=False)).alarms}
    forged = type(target)(**{**target.__dict__, "token": "bm90LWpzb24="})
    with pytest.raises(ac.AnalyticsError) as err:
        await svc.client.acknowledge(forged)
    assert err.value.kind in (ac.NOT_FOUND, ac.FAILED)
    await svc.close()


async def test_queries_sync_async_logs_and_error_meanings(lab, monkeypatch):
    topo, _, running = lab
    svc = AnalyticsService(AnalyticsSettings(running.url, timeout=2.0))
    q = LogQuery(object_type="vrouter", message_type="NodeStatusUVE")
    body = q.body("now-10m", "now")
    sync_rows = await svc.client.query(body, sync=True)
    async_rows = await svc.client.query(body)
    assert sync_rows == async_rows and {r["Source"] for r in sync_rows} >= {"compute1"}
    snap = await svc.logs(q, last="25m")  # three 10-minute windows, one query each
    # compute1's agent logged its NodeStatus with the XMPP session it lost
    assert snap.table == "ObjectVRouter" and any("connection down" in ln.text for ln in snap.lines)
    assert all(ln.line.split(" : ")[1].startswith("NodeStatusUVE: [NodeStatus: name = ") for ln in snap.lines)
    eps = await svc.client.query(StatsQuery("StatTable.EndpointSecurityStats.eps.client",
                                            ("name", "eps.__key", "eps.client.action", "eps.client.in_pkts"),
                                            (("eps.client.action", "deny"),)).body("now-2h", "now"))
    assert eps and all(r["eps.__key"].endswith(":00000000-0000-0000-0000-000000000001") for r in eps)
    history = await svc.node_history("compute1", "vrouter")
    assert {ln.source for ln in history.lines} == {"compute1"}
    with pytest.raises(ac.AnalyticsError) as err:
        await svc.client.query({**body, "table": "NoSuchTable"})
    assert err.value.kind == ac.NOT_FOUND
    with pytest.raises(ac.AnalyticsError) as err:
        await svc.client.query({**body, "table": "SessionRecordTable"})
    assert err.value.status == 400
    running.api.max_rows = 1
    with pytest.raises(ac.AnalyticsError) as err:
        await svc.client.query(body)
    assert err.value.kind == ac.TOO_LARGE and "too large" in str(err.value)
    running.api.max_rows = 100_000
    monkeypatch.setattr(lab_http, "QUERY_TTL", -1.0)  # results gone before the first poll
    with pytest.raises(ac.AnalyticsError) as err:
        await svc.client.query(body)
    assert err.value.kind == ac.EXPIRED and err.value.status == 410
    await svc.close()


async def test_partial_data_is_returned_and_flagged(lab):
    topo, _, running = lab
    running.api.fault = "partial"
    async with _client(running) as c:
        types = await c.uve_types()
        assert types.partial and "vrouters" in types.data
        alarms = await c.alarms()
        assert alarms.partial and alarms.data
        assert (await c.uve("vrouter", "compute1")).partial


async def test_keystone_token_renewal_and_refusal(lab):
    topo, _, running = lab
    await running.stop()
    ks = KeystoneLab("admin", "s3cret")
    ks_runner = web.AppRunner(ks.app, access_log=None)
    await ks_runner.setup()
    host = topo.nodes[0].address
    site = web.TCPSite(ks_runner, host, 5000)
    await site.start()
    secured = await start_analytics_api(topo, keystone=ks)
    auth = AuthSpec("keystone", f"http://{host}:5000/v3", "admin", "LAB_PW")
    try:
        async with ac.AnalyticsClient(AnalyticsSettings(secured.url, auth=auth), env={"LAB_PW": "s3cret"}) as c:
            assert "vrouters" in (await c.uve_types()).data
            ks.expire_all()
            assert (await c.uve_keys("vrouter")).data  # one 401, one new token, one retry
            assert ks.issued == 2
        async with ac.AnalyticsClient(AnalyticsSettings(secured.url, auth=auth), env={"LAB_PW": "wrong"}) as c:
            with pytest.raises(ac.AnalyticsError) as err:
                await c.uve_types()
            assert err.value.kind == ac.AUTH and "wrong" not in str(err.value)
        async with ac.AnalyticsClient(AnalyticsSettings(secured.url)) as c:
            with pytest.raises(ac.AnalyticsError) as err:
                await c.uve_types()
            assert err.value.kind == ac.AUTH and err.value.status == 401
    finally:
        await secured.stop()
        await ks_runner.cleanup()


def _crawl(base: str) -> dict[str, dict[str, dict]]:
    """What a UVE scraper / Prometheus exporter does, from the protocol alone: plain HTTP, follow the hrefs."""
    def get(url: str):
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - a loopback lab URL
            assert resp.headers["Content-Type"].startswith("application/json")
            return json.loads(resp.read())

    out: dict[str, dict[str, dict]] = {}
    for t in get(base + "/analytics/uves"):
        for k in get(t["href"]):
            out.setdefault(t["name"], {})[k["name"]] = get(k["href"])
    return out


async def test_a_third_party_uve_crawler_reads_the_lab_unchanged(lab):
    topo, _, running = lab
    found = await asyncio.to_thread(_crawl, running.url)
    vr = found["vrouters"]["compute1"]
    assert set(vr["VrouterStatsAgent"]["drop_stats"]) >= {"ds_discard", "ds_flow_action_drop", "ds_invalid_nh"}
    assert vr["VrouterAgent"]["xmpp_peer_list"][0]["ip"] == topo.node("ctrl1").address
    bgp = found["control-nodes"]["ctrl1"]["BgpRouterState"]
    assert {"num_bgp_peer", "num_up_bgp_peer", "num_xmpp_peer", "num_up_xmpp_peer"} <= set(bgp)
    for uves in found.values():
        for name, uve in uves.items():
            assert uve, name
    # cfilt=Struct:field on every UVE, as exporters ask for single counters
    url = f"{running.url}/analytics/uves/control-node/ctrl2?flat&cfilt=BgpRouterState:num_up_bgp_peer"
    one = await asyncio.to_thread(lambda: json.loads(urllib.request.urlopen(url, timeout=5).read()))  # noqa: S310
    assert one == {"BgpRouterState": {"num_up_bgp_peer": bgp["num_up_bgp_peer"]}}


# ------------------------------------------------------------------------------------------ hostile servers


@pytest.fixture
async def hostile():
    host = f"127.{_base()}.0.10"

    async def garbage(_):
        return web.Response(text="<html>proxy error</html>", content_type="text/html")

    async def huge(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        for _ in range(100):
            await resp.write(b"[" + b"1," * 5000)
        return resp

    async def slow(_):
        await asyncio.sleep(10)
        return web.json_response([])

    async def zipped(_):
        return web.Response(body=gzip.compress(b"[]" * 10), headers={"Content-Encoding": "gzip"},
                            content_type="application/json")

    async def not_a_list(_):
        return web.json_response({"surprise": True})

    async def accepted(_):
        return web.json_response({"href": "/analytics/query/q1"}, status=202)

    async def stuck(_):
        return web.json_response({"progress": 40})

    async def failed(_):
        return web.json_response({"progress": -5})

    async def any_expectation(_):
        return None

    app = web.Application()
    for prefix, status in (("stuck", stuck), ("failed", failed)):
        app.router.add_post(f"/{prefix}/analytics/query", accepted, expect_handler=any_expectation)
        app.router.add_get(f"/{prefix}/analytics/query/q1", status)
    app.router.add_get("/garbage/analytics/uves", garbage)
    app.router.add_get("/huge/analytics/uves", huge)
    app.router.add_get("/slow/analytics/uves", slow)
    app.router.add_get("/gzip/analytics/uves", zipped)
    app.router.add_get("/shape/analytics/uves", not_a_list)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, host, 8081).start()
    yield f"http://{host}:8081"
    await runner.cleanup()


@pytest.mark.parametrize(("path", "kind"), [("garbage", ac.BAD_REPLY), ("huge", ac.TOO_LARGE),
                                            ("slow", ac.TIMEOUT), ("gzip", ac.BAD_REPLY), ("shape", ac.BAD_REPLY)])
async def test_hostile_replies_give_a_clear_error(hostile, path, kind):
    async with ac.AnalyticsClient(AnalyticsSettings(f"{hostile}/{path}", timeout=0.5, max_bytes=64 * 1024)) as c:
        with pytest.raises(ac.AnalyticsError) as err:
            await c.uve_types()
    assert err.value.kind == kind, str(err.value)


async def test_a_query_that_never_finishes_stops_at_its_deadline(hostile):
    async with ac.AnalyticsClient(AnalyticsSettings(f"{hostile}/stuck", timeout=0.5)) as c:
        seen = []
        with pytest.raises(ac.AnalyticsError) as err:
            await c.query({"table": "MessageTable", "select_fields": ["MessageTS"]}, poll_interval=0.05,
                          deadline=0.6, on_progress=seen.append)
    assert err.value.kind == ac.TIMEOUT and seen and set(seen) == {40}
    async with ac.AnalyticsClient(AnalyticsSettings(f"{hostile}/failed", timeout=0.5)) as c:
        with pytest.raises(ac.AnalyticsError) as err:
            await c.query({"table": "MessageTable", "select_fields": ["MessageTS"]})
    assert err.value.kind == ac.FAILED and "progress -5" in str(err.value)


async def test_refused_is_unreachable():
    async with ac.AnalyticsClient(AnalyticsSettings(f"http://127.{_base()}.0.10:8081", timeout=0.5)) as c:
        with pytest.raises(ac.AnalyticsError) as err:
            await c.alarms()
    assert err.value.kind == ac.UNREACHABLE and "refused" in str(err.value)


async def test_follow_mode_appends_only_new_lines(lab):
    topo, intro, running = lab
    svc = AnalyticsService(AnalyticsSettings(running.url, timeout=2.0))
    stream = svc.follow_logs(LogQuery(object_type="control-node", message_type="NodeStatusUVE"), "10m", interval=0.2)
    first = await anext(stream)
    assert first.lines and not any("follow test" in ln.text for ln in first.lines)
    topo.node("ctrl2").behaviour["control"] = ServiceBehaviour(NON_FUNCTIONAL, "BGP down (follow test)")
    running.state.watch()
    new = await asyncio.wait_for(anext(stream), 10)
    assert [ln.source for ln in new.lines] == ["ctrl2"] and "BGP down (follow test)" in new.lines[0].text
    await stream.aclose()
    await svc.close()


def test_lab_uve_json_carries_exactly_the_names_introspect_shows():
    from tftui.core.nodestatus import encode_node_status_reply
    from tftui.core.sandesh import decode_messages
    from tftui.lab.analytics.uves import node_status_json
    from tftui.lab.nodestatus_gen import node_status_for

    def plain(v):
        return {k: plain(x) for k, x in v.items()} if isinstance(v, dict) else [plain(x) for x in v] \
            if isinstance(v, list) else v

    topo = build("seed-full", base=1)
    for node in topo.nodes:
        for svc in (s for s in node.services() if s.port is not None):
            ns = node_status_for(topo, node, svc)
            assert node_status_json(ns) == plain(decode_messages(encode_node_status_reply([ns]))[0].fields["data"])
