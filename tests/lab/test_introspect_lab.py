"""The lab serves introspect as the real servers do (issue 10 item 2), checked with a client written from the
protocol (tests/helpers/introspect_crawler.py: urllib, ElementTree) over real sockets: it crawls ``/``, the
module pages and every listed request with positional or differently named parameters, and gets what
tftui's own client gets."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from conftest import _next_base, free_bases
from helpers import introspect_crawler as crawler
from lxml import etree

from tftui.clients.introspect_requests import IntrospectRequester
from tftui.core.introspect import find, server_kind
from tftui.core.introspect.daemons import ServerKind
from tftui.core.introspect.tree import reply_json
from tftui.lab.introspect_table import CPP_NOT_FOUND


@pytest.fixture(scope="module")
def lab():
    from tftui.services.demo import start_demo_lab

    bases = free_bases(_next_base[0])
    _next_base[0] = bases[0] + 1
    started = start_demo_lab(scenario="demo", vrouters=3, churn=0, bases=bases)
    nodes = {n["name"]: n["address"]
             for n in yaml.safe_load(started.config_path.read_text())["clusters"]["lab"]["nodes"]}
    yield nodes
    started.stop()


# (node, service key, port): a C++ agent and control node, their Python nodemgrs, the C++ DNS daemon
SERVICES = [("compute1", "vrouter-agent", 8085), ("compute1", "vrouter-nodemgr", 8102), ("ctrl1", "control", 8083),
            ("ctrl1", "dns", 8092), ("ctrl1", "config-nodemgr", 8100)]


# A live flow's counters move between two reads (the crawler's and tftui's): compared without them
_COUNTERS = frozenset({"stats_bytes", "stats_packets", "bytes", "pkts", "packets"})


def _steady(tree):
    if isinstance(tree, dict):
        return {k: _steady(v) for k, v in tree.items() if k not in _COUNTERS}
    if isinstance(tree, list):
        return [_steady(v) for v in tree]
    return tree


def _tftui(address: str, port: int, request: str, args: dict, service: str) -> list[dict]:
    async def ask():
        async with IntrospectRequester() as r:
            return await r.request(address, port, request, args, service=service)

    return reply_json(asyncio.run(ask()).messages)


@pytest.mark.parametrize("node,service,port", SERVICES)
def test_a_crawler_gets_every_listed_request_and_the_same_data_as_tftui(lab, node, service, port):
    base = f"http://{lab[node]}:{port}"
    mods = crawler.modules(base)
    assert {"sandesh_uve", "sandesh_trace"} <= set(mods)
    if service == "vrouter-agent":
        assert "agent" in mods
    crawled = 0
    for module in mods:
        for request, fields in crawler.module_requests(base, module):
            req = find(request, service)
            assert req is not None and req.module == module
            assert fields == [f.name for f in req.fields if f.bindable]  # the page's form is the table's
            if req.side_effect({}):  # listed as the real agent lists it; neither tftui nor this crawler sends it
                continue
            # C++: positional under made-up names; pysandesh reads names, so it gets the real ones
            names = None if server_kind(service) is ServerKind.CPP else fields
            theirs = crawler.call_all(base, request, [""] * len(fields), names)
            assert _steady(theirs) == _steady(_tftui(lab[node], port, request, {}, service)), request
            crawled += 1
    assert crawled >= 7


def test_positional_parameters_under_any_name(lab):
    """ItfReq's 4th field is vn: the agent reads the 4th token as vn, whatever it is called."""
    base = f"http://{lab['compute1']}:8085"
    theirs = crawler.call_all(base, "ItfReq", ["", "", "", "service-network"], ["a", "b", "c", "d"])
    mine = _tftui(lab["compute1"], 8085, "ItfReq", {"vn": "service-network"}, "vrouter-agent")
    assert theirs == mine
    itfs = theirs[0]["ItfResp"]["itf_list"]
    assert itfs and all(i["vn_name"].endswith("service-network") for i in itfs)
    # by name alone, ``vn=`` is the first token: the agent filters interface *names* with it, and finds none
    status, body = crawler.call(base, "ItfReq", ["service-network"], ["vn"])
    assert crawler.decode(body)[0]["ItfResp"]["itf_list"] == []
    # an empty token keeps its position; '&&' does not make one
    body = crawler.get(f"{base}/Snh_ItfReq?&&a=&&b=&c=&&d=service-network")[2]
    assert [m for m in crawler.decode(body) if "Pagination" not in m] == mine


@pytest.mark.parametrize("node,service,port", SERVICES)
def test_the_introspect_cli_query_gets_the_node_status_list(lab, node, service, port):
    """ist.py and scripts ask ``?tname=NodeStatus`` (and ``&key=``); contrail-status asks ``?x=NodeStatus``."""
    base = f"http://{lab[node]}:{port}/Snh_SandeshUVECacheReq"
    bodies = [crawler.get(f"{base}?{q}")[2] for q in ("tname=NodeStatus", "x=NodeStatus", "tname=NodeStatus&key=")]
    assert bodies[0] == bodies[1] == bodies[2]
    doc = crawler.decode(bodies[0])
    assert doc[0]["NodeStatusUVE"]["data"]["name"] == node
    assert doc[-1]["SandeshUVECacheResp"]["returned"] == 1
    assert crawler.decode(crawler.get(f"{base}?tname=NodeStatus&key={node}")[2]) == doc
    other = crawler.decode(crawler.get(f"{base}?tname=NodeStatus&key=no-such-node")[2])
    assert other == [{"SandeshUVECacheResp": {"returned": 0, "period": 0}}]


def test_uve_types_and_caches_of_every_type(lab):
    for node, service, port in SERVICES:
        base = f"http://{lab[node]}:{port}"
        types = crawler.decode(crawler.get(f"{base}/Snh_SandeshUVETypesReq")[2])
        names = [t["type_name"] for t in types[0]["SandeshUVETypesResp"]["type_info"]]
        assert "NodeStatus" in names and "ModuleClientState" in names
        for name in names:
            doc = crawler.decode(crawler.get(f"{base}/Snh_SandeshUVECacheReq?x={name}")[2])
            resp = doc[-1]["SandeshUVECacheResp"]
            assert resp["returned"] == (1 if name == "NodeStatus" else 0) and "period" in resp, (service, name)
        unknown = crawler.decode(crawler.get(f"{base}/Snh_SandeshUVECacheReq?x=NoSuchUve")[2])
        assert unknown == [{"SandeshUVECacheResp": {"returned": 0}}]  # no period for a type it does not know
    agent = crawler.decode(crawler.get(f"http://{lab['compute1']}:8085/Snh_SandeshUVETypesReq")[2])
    assert "VrouterAgent" in [t["type_name"] for t in agent[0]["SandeshUVETypesResp"]["type_info"]]


def test_python_daemons_bind_by_name(lab):
    """pysandesh reads parameters by name (and ``x``): a made-up name binds nothing there, unlike on C++."""
    nodemgr = f"http://{lab['compute1']}:8102/Snh_SandeshUVECacheReq"
    assert crawler.decode(crawler.get(f"{nodemgr}?q=NodeStatus")[2]) == [{"SandeshUVECacheResp": {"returned": 0}}]
    agent = f"http://{lab['compute1']}:8085/Snh_SandeshUVECacheReq"
    assert crawler.decode(crawler.get(f"{agent}?q=NodeStatus")[2])[0]["NodeStatusUVE"]["data"]["name"] == "compute1"
    status, _, body = crawler.get(f"http://{lab['compute1']}:8102/Snh_SandeshTraceRequest?buf_name=x&count=many")
    assert status == 200 and body == b"<h3>Invalid data provided in Sandesh Request</h3>"


def test_traces(lab):
    base = f"http://{lab['ctrl1']}:8083"
    listing = crawler.decode(crawler.get(f"{base}/Snh_SandeshTraceBufferListRequest?")[2])
    names = [b["trace_buf_name"] for b in listing[0]["SandeshTraceBufferListResponse"]["trace_buffer_list"]]
    assert {"BgpTraceBuf", "XmppMessageTrace", "httpbuf"} <= set(names)
    both = crawler.decode(crawler.call(base, "SandeshTraceRequest", ["httpbuf"])[1])
    lines = both[0]["SandeshTraceTextResponse"]["traces"]
    assert len(lines) == 2 and lines[0].endswith("SandeshTraceText: <Initializing httpbuf")
    one = crawler.decode(crawler.call(base, "SandeshTraceRequest", ["httpbuf", "1"])[1])
    assert one[0]["SandeshTraceTextResponse"]["traces"] == lines[-1:]
    none = crawler.decode(crawler.call(base, "SandeshTraceRequest", ["NoSuchBuffer"])[1])
    assert none == [{"SandeshTraceTextResponse": {"traces": []}}]


def test_unknown_requests_and_pages_get_the_real_servers_answers(lab):
    cpp, python = f"http://{lab['compute1']}:8085", f"http://{lab['compute1']}:8102"
    status, headers, body = crawler.get(f"{cpp}/Snh_NoSuchReq?x=1")
    assert status == 404 and body == CPP_NOT_FOUND and len(body) == 46 and headers["Content-Length"] == "46"
    assert crawler.get(f"{cpp}/no_such_module.xml")[0] == 404
    assert crawler.get(f"{cpp}/Snh_BgpNeighborReq")[0] == 404  # a control node's request, not the agent's
    status, _, body = crawler.get(f"{python}/Snh_NoSuchReq")
    assert status == 404 and b"Not found: &#039;/Snh_NoSuchReq&#039;" in body
    status, _, body = crawler.get(f"{python}/no_such_module.xml")
    assert status == 200 and body == b'<h3>Invalid Sandesh Request "no_such_module.xml"</h3>'


def test_the_stylesheet_renders_replies_and_module_pages(lab):
    base = f"http://{lab['compute1']}:8085"
    status, headers, xsl = crawler.get(f"{base}/universal_parse.xsl")
    assert status == 200 and headers["Content-Type"].startswith("text/xsl")
    transform = etree.XSLT(etree.fromstring(xsl))
    reply = etree.fromstring(crawler.get(f"{base}/Snh_ItfReq")[2])
    html = str(transform(reply))
    assert "<th>mdata_ip_addr</th>" in html and 'href="Snh_VrfListReq?x=' in html
    page = str(transform(etree.fromstring(crawler.get(f"{base}/agent.xml")[2])))
    assert '<form action="Snh_ItfReq"' in page and 'name="ipv4_address"' in page
    assert crawler.get(f"{base}/css/style.css")[0] == 200


def test_a_handler_for_one_service_beats_the_general_one():
    from tftui.lab import introspect_table as table

    saved = dict(table._SERVED)
    try:
        @table.serves("ShowXmppConnectionReq")
        def everywhere(lab, node, svc, args):
            return b"general"

        @table.serves("ShowXmppConnectionReq", services=("control",))
        def on_control(lab, node, svc, args):
            return b"control"

        assert table.lookup("control", "ShowXmppConnectionReq").handler is on_control
        assert table.lookup("vrouter-agent", "ShowXmppConnectionReq").handler is everywhere
        assert table.lookup("vrouter-nodemgr", "ShowXmppConnectionReq") is None  # no xmpp_server module there
        names = [s.req.name for s in table.served_on("control")]
        assert names.count("ShowXmppConnectionReq") == 1
        with pytest.raises(LookupError, match="not in core's request table"):
            table.serves("NoSuchReq")
    finally:
        table._SERVED.clear()
        table._SERVED.update(saved)
        table._BY_SERVICE.clear()
