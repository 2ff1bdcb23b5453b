"""clients/introspect_requests.py over real sockets: pages and caps on the lab, refusals, every hostile fault,
and scripted servers for what the lab never does (loops, errors on a later page, requests tftui does not know)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import pytest_asyncio
from aiohttp import web
from conftest import _next_base, free_bases

import tftui.lab.agent  # noqa: F401  (the agents' ItfReq/PageReq)
from tftui.clients.introspect import IntrospectSettings
from tftui.clients.introspect_requests import IntrospectRequester, RequestLimits, RequestRefused
from tftui.core.sandesh import F, L, S, encode_document
from tftui.lab.fault_spec import FAULTS
from tftui.lab.faults import gzip_bomb
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.topology import build

SETTINGS = IntrospectSettings(timeout=1.0)
# One event loop for the module, so that one lab (a few seconds to start) serves all its tests.
pytestmark = pytest.mark.asyncio(loop_scope="module")


def _base() -> int:
    bases = free_bases(_next_base[0])
    _next_base[0] = bases[0] + 1
    return bases[0]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def lab():
    intro = IntrospectLab(build("demo", vrouters=4, base=_base()))
    await intro.start()
    try:
        yield intro
    finally:
        await intro.stop()


def _rows(reply) -> int:
    return sum(len(m.fields.get("itf_list", [])) for m in reply.messages)


async def test_pages_are_followed_and_caps_say_there_is_more(lab):
    big = lab.topo.vrouters()[0].address
    async with IntrospectRequester(SETTINGS) as r:
        whole = await r.request(big, 8085, "ItfReq")
        assert whole.complete and whole.pages == 2 and _rows(whole) == 123 and whole.more is None
        at_once = await r.request(big, 8085, "ItfReq", whole=True)
        assert at_once.complete and at_once.pages == 2 and _rows(at_once) == 123  # the first page, then `all`
        assert [m.fields["itf_list"] for m in at_once.messages] != [] and at_once.messages[0].name == "ItfResp"
    async with IntrospectRequester(SETTINGS, RequestLimits(max_pages=1)) as r:
        capped = await r.request(big, 8085, "ItfReq")
    assert not capped.complete and capped.error is None and "page cap" in capped.stopped
    assert _rows(capped) == 100 and capped.more.request == "PageReq" and capped.more.key.startswith("begin:100,")
    async with IntrospectRequester(SETTINGS, RequestLimits(max_items=50)) as r:
        few = await r.request(big, 8085, "ItfReq")
    assert "item cap" in few.stopped and few.pages == 1


async def test_arguments_go_by_name_and_arrive_by_position(lab):
    vr = lab.topo.vrouters()[0]
    async with IntrospectRequester(SETTINGS) as r:
        reply = await r.request(vr.address, 8085, "ItfReq", {"vn": "service-network"})
        uve = await r.request(vr.address, 8102, "SandeshUVECacheReq", {"tname": "NodeStatus"})
    rows = [i for m in reply.messages for i in m.fields["itf_list"]]
    assert rows and all(i["vn_name"].endswith("service-network") for i in rows)
    assert uve.messages[0].fields["data"]["name"] == vr.name  # a Python nodemgr: the same query, read by name


async def test_requests_with_side_effects_are_refused_before_anything_is_sent(lab):
    vr = lab.topo.vrouters()[0].address
    before = lab.requests
    async with IntrospectRequester(SETTINGS) as r:
        for name, args in (("DeleteAllFlowRecords", {}), ("FlowAgeTimeReq", {"new_age_time": 30}),
                           ("SandeshLoggingParamsSet", {"log_level": "SYS_DEBUG"}), ("ClearXmppConnectionReq", {})):
            with pytest.raises(RequestRefused, match="is not sent"):
                await r.request(vr, 8085, name, args)
        with pytest.raises(RequestRefused, match="has no field colour"):
            await r.request(vr, 8085, "ItfReq", {"colour": "red"})
        assert lab.requests == before
        read_only = await r.request(vr, 8085, "FlowAgeTimeReq")  # without a value it only reads: it is sent
    assert lab.requests == before + 1 and "does not know this request (HTTP 404)" in read_only.error


async def test_error_resp_and_offered_requests(lab):
    vr = lab.topo.vrouters()[0].address
    async with IntrospectRequester(SETTINGS) as r:
        bad = await r.request(vr, 8085, "PageReq", {"key": "garbage"})
        offered = await r.offered(vr, 8085)
    assert bad.error == "Invalid request" and bad.messages[0].name == "ErrorResp" and not bad.complete
    assert [f.name for f in next(q for q in offered["agent"] if q.name == "ItfReq").fields][:4] == \
        ["name", "type", "uuid", "vn"]
    assert "sandesh_uve" in offered


# ------------------------------------------------------------------------------------ hostile lab

WHAT_EACH_FAULT_SAYS = {
    "refused": "connection refused", "hang": "no reply in time", "drip": "no reply in time",
    "reset": ("reply cut off mid-body", "connection reset", "server closed"), "http500": "HTTP 500",
    "http404": "HTTP 404", "truncated": "malformed XML", "nonxml": "not XML", "huge": "reply too large",
    "gzipbomb": "compressed reply refused", "laughs": "DTD/entity declarations refused",
    "xxe": "DTD/entity declarations refused",
}


async def test_every_hostile_fault_is_an_error_never_an_exception_or_a_hang():
    gzip_bomb()  # built once and cached: built in the middle, it would stall this in-process lab past the timeout
    intro = IntrospectLab(build("hostile", vrouters=0, base=_base()))
    await intro.start()
    try:
        async with IntrospectRequester(IntrospectSettings(timeout=0.5)) as r:
            for fault in FAULTS:
                reply = await r.request(intro.topo.node(f"hostile-{fault}").address, 8085, "ItfReq")
                want = WHAT_EACH_FAULT_SAYS.get(fault)
                if want is None:  # body-shape faults bend NodeStatus only: other requests are served as usual
                    assert reply.complete and _rows(reply) >= 3, fault
                    continue
                assert reply.error and not reply.messages, fault
                assert any(w in reply.error for w in (want if isinstance(want, tuple) else (want,))), \
                    (fault, reply.error)
    finally:
        await intro.stop()


# ------------------------------------------------------------------------------------ scripted servers


def _page(next_key: str, rows: int = 1, start: int = 0) -> bytes:
    items = [S("ItfSandeshData", [F("index", "i32", start + i, 1)]) for i in range(rows)]
    return encode_document([
        ("ItfResp", [F("itf_list", "list", L("struct", items), 1), F("more", "bool", True, 0)]),
        ("Pagination", [F("req", "struct", S("PageReqData", [F("next_page", "string", next_key, 2, link="PageReq"),
                                                              F("all", "string", "", 4, link="PageReq")]), 1)]),
    ], list_name="__ItfResp_list")


def _routes(next_batch: str) -> bytes:
    return encode_document([("ShowRouteResp", [F("tables", "list", L("struct", []), 1),
                                               F("next_batch", "string", next_batch, 2, link="ShowRouteReqIterate")])])


@pytest_asyncio.fixture(loop_scope="module")
async def scripted():
    """A server answering each path with ``routes[path](raw_query) -> (status, body)``; it records queries."""
    routes: dict[str, Callable[[str], tuple[int, bytes]]] = {}
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        query = request.raw_path.partition("?")[2]
        seen.append(f"{request.path}?{query}")
        if request.path not in routes:
            return web.Response(status=404, body=b"<html>\n<title>404 Not Found</title>\n</html>\r\n\x00")
        status, body = routes[request.path](query)
        return web.Response(status=status, body=body, content_type="text/xml")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    address = f"127.{_base()}.250.1"
    await web.TCPSite(runner, address, 8085).start()
    try:
        yield address, routes, seen
    finally:
        await runner.cleanup()


async def test_a_repeated_page_key_stops_the_walk(scripted):
    address, routes, _ = scripted
    routes["/Snh_ItfReq"] = lambda q: (200, _page("K"))
    routes["/Snh_PageReq"] = lambda q: (200, _page("K"))
    routes["/Snh_ShowRouteReq"] = lambda q: (200, _routes("B"))
    routes["/Snh_ShowRouteReqIterate"] = lambda q: (200, _routes("B"))
    async with IntrospectRequester(SETTINGS) as r:
        looping = await r.request(address, 8085, "ItfReq")
        batches = await r.request(address, 8085, "ShowRouteReq", {"routing_table": "inet.0"})
    assert looping.pages == 2 and "twice" in looping.stopped and looping.error is None
    assert batches.pages == 2 and "twice" in batches.stopped


async def test_endless_fresh_keys_meet_the_page_cap(scripted):
    address, routes, seen = scripted
    routes["/Snh_ItfReq"] = lambda q: (200, _page("k0"))
    routes["/Snh_PageReq"] = lambda q: (200, _page("k" + str(int(q.split("=")[1][1:]) + 1)))
    async with IntrospectRequester(SETTINGS, RequestLimits(max_pages=5)) as r:
        reply = await r.request(address, 8085, "ItfReq")
    assert reply.pages == 5 and "page cap" in reply.stopped and reply.more.key == "k4"
    assert seen[1:] == ["/Snh_PageReq?key=k0", "/Snh_PageReq?key=k1", "/Snh_PageReq?key=k2", "/Snh_PageReq?key=k3"]


async def test_an_error_on_a_later_page_keeps_the_pages_before(scripted):
    address, routes, _ = scripted
    routes["/Snh_ItfReq"] = lambda q: (200, _page("next", rows=3))
    routes["/Snh_PageReq"] = lambda q: (500, b"Internal Server Error")
    async with IntrospectRequester(SETTINGS) as r:
        reply = await r.request(address, 8085, "ItfReq")
    assert reply.pages == 1 and _rows(reply) == 3 and reply.error == "/Snh_PageReq: HTTP 500"
    routes["/Snh_PageReq"] = lambda q: (200, _page("", rows=2)[:-40])  # cut mid-element
    async with IntrospectRequester(SETTINGS) as r:
        reply = await r.request(address, 8085, "ItfReq")
    assert _rows(reply) == 3 and "malformed XML" in reply.error
    routes["/Snh_PageReq"] = lambda q: (200, b"<h3>Invalid data provided in Sandesh Request</h3>")  # pysandesh's
    async with IntrospectRequester(SETTINGS) as r:
        reply = await r.request(address, 8085, "ItfReq")
    assert _rows(reply) == 3 and reply.error == "/Snh_PageReq: not a Sandesh reply (<h3>)"


async def test_a_request_the_table_does_not_know_is_learned_from_the_servers_pages(scripted):
    address, routes, seen = scripted
    routes["/"] = lambda q: (200, b'<html><body><h1>Modules for x</h1><a href="fancy.xml">fancy.xml</a><br/></body>'
                                  b"</html>")
    routes["/fancy.xml"] = lambda q: (200, b'<fancy type="rlist">\n<ShowFancyReq type="sandesh">\n'
                                           b'<a type="string">0</a><b type="i32">0</b></ShowFancyReq>\n'
                                           b'<FancyResetReq type="sandesh">\n</FancyResetReq>\n</fancy>\n')
    routes["/Snh_ShowFancyReq"] = lambda q: (200, encode_document([("FancyResp", [F("ok", "bool", True, 1)])]))
    async with IntrospectRequester(SETTINGS) as r:
        reply = await r.request(address, 8085, "ShowFancyReq", {"b": 7})
        with pytest.raises(RequestRefused, match="may change something"):
            await r.request(address, 8085, "FancyResetReq")
        with pytest.raises(RequestRefused, match="does not offer it"):
            await r.request(address, 8085, "NoSuchThingReq")
    assert reply.complete and reply.messages[0].fields == {"ok": True}
    assert "/Snh_ShowFancyReq?a=&b=7" in seen and not any("FancyReset" in s for s in seen)


async def test_https_introspect_with_the_clusters_ca_and_without(tmp_path):
    """The NodeStatus client's TLS underneath: verified against the configured CA, refused without it."""
    import ssl

    from tftui.core.inventory import TLSSettings
    from tftui.lab.tls import make_lab_pki

    topo = build("seed-analytics-less", base=_base())
    ca, cert, key = make_lab_pki(tmp_path, [n.address for n in topo.nodes])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    intro = IntrospectLab(topo, ssl_context=context)
    await intro.start()
    node = topo.nodes[0].address
    try:
        trusted = IntrospectSettings(scheme="https", timeout=2.0, tls=TLSSettings(ca=str(ca)))
        async with IntrospectRequester(trusted) as r:
            reply = await r.request(node, 8083, "SandeshUVECacheReq", {"tname": "NodeStatus"})
            offered = await r.offered(node, 8083)
        assert reply.complete and reply.messages[0].fields["data"]["name"] == topo.nodes[0].name
        assert "sandesh_uve" in offered
        async with IntrospectRequester(IntrospectSettings(scheme="https", timeout=2.0)) as r:
            refused = await r.request(node, 8083, "SandeshUVECacheReq", {"tname": "NodeStatus"})
        assert "TLS certificate rejected" in refused.error and not refused.messages
    finally:
        await intro.stop()
