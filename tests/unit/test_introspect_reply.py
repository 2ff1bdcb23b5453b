"""core/introspect pages and trees over the real samples: index and module pages, JSON, tables, links,
continuation (Pagination, next_batch, flow keys), errors."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

from tftui.core.agent import AgentInterface, PageKey, encode_itf_table
from tftui.core.introspect import MODULES, ServerKind
from tftui.core.introspect.pages import (
    PageError,
    parse_index,
    parse_module_page,
    render_index,
    render_module_page,
)
from tftui.core.introspect.tree import (
    continuation,
    data_messages,
    error_text,
    link_args,
    links,
    reply_json,
    tables,
    tree_text,
)
from tftui.core.sandesh import F, L, S, decode_messages, encode_document

REAL = DATA / "introspect-real"


def _sample(prefix: str):
    path = next(REAL.glob(f"{prefix}_*"))
    return decode_messages(path.read_bytes())


def test_real_index_page():
    names = parse_index((REAL / "30_agent_introspect_index_page.contrail-scrape-conftest.html").read_bytes())
    assert len(names) == 21 and names[:2] == ["agent", "agent_profile"] and names[-1] == "xmpp_server"
    assert {"kstate", "pkt", "sandesh_trace", "sandesh_uve"} <= set(names)


@pytest.mark.parametrize("kind", list(ServerKind))
def test_index_pages_of_both_servers_read_back(kind):
    body = render_index("contrail-vrouter-agent", ["sandesh_uve", "agent", "kstate"], kind)
    assert b"<title>contrail-vrouter-agent</title>" in body and b"Modules for contrail-vrouter-agent" in body
    assert parse_index(body) == ["agent", "kstate", "sandesh_uve"]  # sorted, as the C++ server's std::map is
    assert (b"\n" in body) is (kind is ServerKind.CPP)


def test_index_page_garbage():
    with pytest.raises(PageError):
        parse_index(b"<?xml-stylesheet?><SandeshUVECacheResp type='sandesh'/>")
    assert parse_index(b"<html><body>nothing here</body></html>") == []


def test_every_module_page_reads_back_as_the_table():
    for mod in MODULES.values():
        page = parse_module_page(render_module_page(mod.name, mod))
        assert [r.name for r in page] == list(mod.requests), mod.name
        for got, want in zip(page, mod, strict=True):
            # containers are not on the page (the compiler leaves them out of the form)
            assert got.field_names == tuple(f.name for f in want.fields if not f.type.startswith("list<"))


def test_module_page_shape_is_the_compilers():
    body = render_module_page("kstate", [MODULES["kstate"].requests["KFlowReq"], MODULES["kstate"].requests["KDropStatsReq"]])
    assert body.decode() == (
        '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>\n<kstate type="rlist">\n'
        '<KFlowReq type="sandesh">\n<flow_idx type="i32">0</flow_idx><show_evicted type="bool">0</show_evicted>'
        '</KFlowReq>\n<KDropStatsReq type="sandesh">\n</KDropStatsReq>\n</kstate>\n')


def test_module_page_refusals():
    for body in (b"", b"not xml", b"<SandeshUVECacheResp type='sandesh'/>",
                 b'<!DOCTYPE x [<!ENTITY e "boom">]><m type="rlist"><R type="sandesh"><f type="string">&e;</f></R></m>'):
        with pytest.raises(PageError):
            parse_module_page(body)


def test_json_drops_types_and_the_transport_flag():
    doc = reply_json(_sample("24"))
    assert list(doc[0]) == ["VnListResp"]
    vns = doc[0]["VnListResp"]["vn_list"]
    assert len(vns) == 3 and vns[0]["name"] == "default-domain:admin:vn4"
    assert vns[0]["ipam_data"][0]["prefix_len"] == 24 and vns[0]["layer2_forwarding"] is True
    assert vns[0]["ipam_host_routes"][0]["host_routes"] == []
    assert "more" not in doc[0]["VnListResp"]
    json.dumps(doc)  # plain JSON all the way down


def test_tables_take_the_structs_fields_as_columns():
    (vn,) = tables(_sample("24"))
    assert vn.name == "VnListResp.vn_list" and vn.struct == "VnSandeshData" and len(vn.rows) == 3
    assert vn.columns[:3] == ["name", "uuid", "acl_uuid"] and "ipam_data" in vn.columns
    (acl,) = tables(_sample("16"))
    assert acl.struct == "AclSandeshData" and acl.rows
    assert [t.name for t in tables(_sample("10"))] == ["VrfListResp.vrf_list"]  # Pagination has no list


def test_tables_join_the_parts_of_a_multi_part_reply():
    rows = [S("R", [F("a", "i32", i, 1)]) for i in range(3)]
    body = encode_document([("ListResp", [F("items", "list", L("struct", rows[:2]), 1)]),
                            ("ListResp", [F("items", "list", L("struct", rows[2:]), 1)])], list_name="__ListResp_list")
    (table,) = tables(decode_messages(body))
    assert [r["a"] for r in table.rows] == [0, 1, 2] and table.columns == ["a"]


def test_links_name_their_request():
    found = links(_sample("24"))
    assert {link.request for link in found} == {"AclReq", "VrfListReq"}
    vrf = next(link for link in found if link.request == "VrfListReq")
    assert vrf.value == "default-domain:admin:vn4:vn4" and vrf.where == "VnListResp.vn_list[0].vrf_name"
    assert link_args(vrf) == {"name": "default-domain:admin:vn4:vn4"}
    trace = links(_sample("19"))
    assert len(trace) == 72 and link_args(trace[0]) == {"buf_name": trace[0].value}


def test_continuation_of_agent_pages():
    assert continuation(_sample("10")) is None  # Pagination with an empty next_page: the last page
    assert continuation(decode_messages(encode_itf_table([], PageKey(0, 99)))) is None
    many = [AgentInterface(f"tap{i}", index=i) for i in range(150)]
    msgs = decode_messages(encode_itf_table(many, PageKey(0, 99)))
    nxt = continuation(msgs)
    assert nxt.request == "PageReq" and nxt.key.startswith("begin:100,end:199,table:db.interface.0")
    assert nxt.all_key.startswith("begin:-1,end:-1") and nxt.table_size == 150
    assert [m.name for m in data_messages(msgs)] == ["ItfResp"]


def test_continuation_stops_on_start_keys():
    """Samples 14 and 15 are last pages: the flow key is back at the start key, the kernel handle at 0."""
    assert continuation(_sample("14")) is None
    assert continuation(_sample("15")) is None


def test_continuation_follows_next_batch_and_flow_keys():
    def reply(name, field, link, value):
        return decode_messages(encode_document([(name, [F("tables", "list", L("struct", []), 1),
                                                        F(field, "string", value, 2, link=link)])]))

    nxt = continuation(reply("ShowRouteResp", "next_batch", "ShowRouteReqIterate", "inet.0||10.0.0.0/8"))
    assert (nxt.request, nxt.key) == ("ShowRouteReqIterate", "inet.0||10.0.0.0/8")
    assert continuation(reply("ShowRouteResp", "next_batch", "ShowRouteReqIterate", "")) is None
    key = "0-5-1234-80-6-10.0.0.1-10.0.0.2"
    assert continuation(reply("FlowRecordsResp", "flow_key", "NextFlowRecordsSet", key)).key == key
    assert continuation(reply("KFlowResp", "flow_handle", "NextKFlowReq", "512 evicted_set")).key == "512 evicted_set"
    assert continuation(reply("KFlowResp", "flow_handle", "NextKFlowReq", "0 evicted_set")) is None
    # a link to an ordinary request is a cross-reference, not a next page
    assert continuation(reply("VnListResp", "vrf_name", "VrfListReq", "a:b:c")) is None


def test_errors():
    assert error_text(_sample("22")) == "Invalid request"
    assert error_text(_sample("21")) == "No Flow Record for specified key"
    assert error_text(_sample("24")) is None


def test_tree_text_is_indented_and_complete():
    text = tree_text(_sample("20"))
    lines = text.splitlines()
    assert lines[0] == "AgentXmppConnectionStatus" and lines[1] == "  peer: [2]"
    assert "    [0] AgentXmppData" in lines and any(line.strip().startswith("controller_ip:") for line in lines)
    assert "more" not in text
    multi = tree_text(decode_messages(encode_document([("T", [F("s", "string", "a\nb", 1),
                                                              F("l", "list", L("string", ["x", "y"]), 2)])])))
    assert multi == "T\n  s: a\n    b\n  l: [2]\n    - x\n    - y\n"
