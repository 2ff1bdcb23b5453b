"""Sandesh decoding over real captures, round trips with the encoder, and hostile input."""

from __future__ import annotations

import pytest

from tftui.core.nodestatus import (
    ConnectionInfo,
    NodeStatus,
    ProcessInfo,
    ProcessStatus,
    decode_node_statuses,
    encode_node_status_reply,
)
from tftui.core.sandesh import F, L, S, SandeshError, decode_messages, encode_document


def test_seed_vrouter_agent_reply(shared_data):
    [ns] = decode_node_statuses((shared_data / "seed/vrouter-agent_8085_NodeStatus.xml").read_bytes())
    assert ns.name == "ip-172-31-10-212.ap-northeast-1.compute.internal"
    assert ns.key == "ObjectVRouter"
    [ps] = ns.process_status
    assert (ps.module_id, ps.state, ps.description) == ("contrail-vrouter-agent", "Functional", "")
    assert [c.type for c in ps.connection_infos] == ["XMPP", "XMPP", "Collector"]
    assert ps.connection_infos[0].server_addrs == ("172.31.7.53:5269",)
    assert ps.connection_infos[0].description == "OpenSent"


def test_pretty_printed_python_server_capture(shared_data):
    [ns] = decode_node_statuses((shared_data / "introspect/contrail-operator_config-api_NodeStatus.xml").read_bytes())
    [ps] = ns.process_status
    assert ps.module_id == "contrail-api"
    assert ps.state == "Functional"
    assert [c.name for c in ps.connection_infos] == ["Zookeeper", "Cassandra", "Keystone", "Collector", "RabbitMQ"]
    assert ps.connection_infos[2].server_addrs == ("http://localhost:5555/v3",)


@pytest.mark.parametrize("name", ["contrail-operator_control_NodeStatus.xml",
                                  "wiki2014_control_Snh_SandeshUVECacheReq_NodeStatus.xml"])
def test_control_captures(shared_data, name):
    [ns] = decode_node_statuses((shared_data / "introspect" / name).read_bytes())
    assert ns.process_status[0].state == "Functional"
    assert ns.key == "ObjectBgpRouter"
    assert all(c.status == "Up" for c in ns.process_status[0].connection_infos)


def test_nodemgr_synthetic_keeps_trailing_space_and_reads_everything(shared_data):
    [ns] = decode_node_statuses((shared_data / "introspect/vrouter-nodemgr_NodeStatus_synthetic.xml").read_bytes())
    assert ns.process_status[0].description == "NTP state unsynchronized. "
    assert [p.process_name for p in ns.process_info] == ["contrail-vrouter-agent", "contrail-vrouter-nodemgr"]
    assert ns.process_info[0].running
    [disk] = ns.disk_usage
    assert (disk.partition, disk.partition_type, disk.percent_used) == ("/dev/sda1", "xfs", 12)
    assert ns.system_mem.total == 32779540
    assert ns.system_cpu.one_min_avg == pytest.approx(0.42)
    assert ns.num_cpu == 8
    assert ns.build_version == "2011"
    assert ns.process_cpu_mem[0].mem_res == 412340


def test_xml_declaration_and_whitespace_prefix_are_tolerated(shared_data):
    body = (shared_data / "seed/vrouter-agent_8085_NodeStatus.xml").read_bytes()
    body = b'  \n<?xml version="1.0" encoding="UTF-8"?>\n' + body
    assert decode_node_statuses(body)[0].process_status[0].state == "Functional"


def test_round_trip_through_encoder():
    ns = NodeStatus(
        name="cmp <1> & 'x'", key="ObjectVRouter",
        process_status=(ProcessStatus("contrail-vrouter-agent", "0", "Non-Functional",
                                      (ConnectionInfo("XMPP", "control-node:10.0.0.1", ("10.0.0.1:5269",), "Down", "Idle"),),
                                      "No control-node connection"),),
        process_info=(ProcessInfo("contrail-vrouter-agent", "PROCESS_STATE_EXITED", exit_count=3,
                                  core_file_list=("/var/crashes/core.1",)),),
    )
    body = encode_node_status_reply([ns])
    assert body.startswith(b'<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?><__NodeStatusUVE_list')
    assert b"\n" not in body
    [back] = decode_node_statuses(body)
    assert back.name == ns.name
    assert back.process_status == ns.process_status
    assert back.process_info == ns.process_info


def test_missing_description_is_none_not_a_crash():
    ns = NodeStatus("n", process_status=(ProcessStatus("m", state="Functional", description=None),))
    [back] = decode_node_statuses(encode_node_status_reply([ns]))
    assert back.process_status[0].description is None


def test_unknown_fields_and_order_are_ignored():
    body = encode_document([("NodeStatusUVE", [F("data", "struct", S("NodeStatus", [
        F("zzz_new_field", "list", L("string", ["a", "b"]), 99),
        F("process_status", "list", L("struct", [S("ProcessStatus", [
            F("description", "string", "later", 6), F("state", "string", "Functional", 3),
            F("module_id", "string", "x", 1), F("mystery", "i32", 7, 42)])]), 4),
        F("name", "string", "reordered", 1),
    ]), 1)])], list_name="__NodeStatusUVE_list")
    [ns] = decode_node_statuses(body)
    assert ns.name == "reordered"
    assert ns.process_status[0].description == "later"
    assert ns.extra["zzz_new_field"] == ["a", "b"]


@pytest.mark.parametrize("body,why", [
    (b"", "empty"),
    (b"   ", "empty"),
    (b"Internal Server Error", "not XML"),
    (b"<__NodeStatusUVE_list type=\"slist\"><NodeStatusUVE type=\"sandesh\"><data type=\"struct\"><NodeSt", "malformed"),
    (b"{\"json\": true}", "not XML"),
])
def test_bad_bodies_raise_a_clear_error(body, why):
    with pytest.raises(SandeshError, match=why):
        decode_messages(body)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<NodeStatusUVE type="sandesh"><data type="struct"><NodeStatus><name type="string">&lol3;</name></NodeStatus></data></NodeStatusUVE>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<NodeStatusUVE type="sandesh"><data type="struct"><NodeStatus><name type="string">&xxe;</name></NodeStatus></data></NodeStatusUVE>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE])
def test_entities_are_never_resolved(body):
    with pytest.raises(SandeshError, match="DTD"):
        decode_messages(body)


def test_entity_reference_without_dtd_is_not_expanded():
    body = b'<NodeStatusUVE type="sandesh"><data type="struct"><NodeStatus><name type="string">&xxe;</name></NodeStatus></data></NodeStatusUVE>'
    with pytest.raises(SandeshError):
        decode_messages(body)


def test_size_cap():
    body = b"<a>" + b"x" * 2000 + b"</a>"
    with pytest.raises(SandeshError, match="too large"):
        decode_messages(body, max_bytes=1000)


def test_huge_but_allowed_reply_decodes():
    statuses = [NodeStatus(f"n{i}", process_status=(ProcessStatus("m", state="Functional", description=""),))
                for i in range(2000)]
    assert len(decode_node_statuses(encode_node_status_reply(statuses))) == 2000


def test_rich_markup_and_non_ascii_survive_verbatim():
    ns = NodeStatus("[bold]ノード", process_status=(ProcessStatus("m", state="Functional", description="[red]x"),))
    [back] = decode_node_statuses(encode_node_status_reply([ns]))
    assert back.name == "[bold]ノード"
    assert back.process_status[0].description == "[red]x"


def test_fast_path_agrees_with_the_full_model(shared_data):
    from tftui.core.nodestatus import first_process_status

    for path in list((shared_data / "introspect").glob("*NodeStatus*.xml")) + [
            shared_data / "seed/vrouter-agent_8085_NodeStatus.xml"]:
        body = path.read_bytes()
        full = next(ns.process_status[0] for ns in decode_node_statuses(body) if ns.process_status)
        assert first_process_status(body) == (full.state, full.description), path.name
