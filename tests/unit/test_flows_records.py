"""Agent flow replies: real captures (contrail-scrape 3.2.8, tf-test 2013), round trips with the lab's
encoders, the three paging-key formats, and replies tftui must refuse or read as "nothing more"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tftui.core.flows.acl import (
    AclFlow,
    decode_acl_counts,
    decode_acl_flows,
    decode_acl_reply,
    encode_acl_counts,
    encode_acl_flows,
    encode_acl_flows_bad_key,
    entry_text,
)
from tftui.core.flows.kernel import (
    KernelFlow,
    decode_kflow_page,
    encode_kflow_error,
    handle_done,
    kernel_flow_from_struct,
    kflow_table_page,
)
from tftui.core.flows.records import (
    START_KEY,
    AclBlock,
    FlowDecodeError,
    FlowRecord,
    FlowTableInfo,
    decode_flow_page,
    decode_flow_record,
    decode_flow_table_info,
    encode_flow_page,
    encode_flow_record,
    encode_flow_table_info,
    flow_from_struct,
    is_start_key,
    key_format,
)

REAL = "introspect-real"
LOCAL = Path(__file__).resolve().parent.parent / "data" / "flows"


def test_real_fetch_all_flow_records(shared_data):
    page = decode_flow_page((shared_data / REAL / "14_agent_FetchAllFlowRecords.FlowRecordsResp.bs4.xml").read_bytes())
    assert len(page.flows) == 6 and page.last and page.next_key == ""  # the capture's key is the start key
    first = page.flows[0]
    assert (first.sip, first.dip, first.src_port, first.dst_port, first.protocol) == (
        "10.85.180.79", "169.254.255.254", 47865, 80, 6)
    assert (first.nh, first.flow_handle, first.gen_id, first.uuid) == (5, 81988, 206,
                                                                      "d614669b-55a0-4f3e-aaad-55c374dea140")
    assert first.verdict == "pass" and first.action == 32 and first.action_names == ("pass",)
    assert first.nat and first.local_flow and not first.reverse_flow and first.direction == "ingress"
    assert first.sg_rule_uuid == first.nw_ace_uuid == "00000000-0000-0000-0000-000000000004"
    assert (first.source_vn, first.dest_vn) == ("default-domain:default-project:ip-fabric",
                                                "default-domain:aamonker:right_blr_vn")
    assert first.blocks["policy"] == AclBlock(32, (), ())
    assert first.blocks["reverse_sg"].action == 0
    assert (first.packets, first.bytes) == (2, 120)
    icmp = [f for f in page.flows if f.protocol == 1]
    assert {f.sg_rule_uuid for f in icmp} >= {"e703c837-8477-41af-af72-c6490f623e8a"}
    assert all(f.fw_policy_match == "" and "policy_set" not in f.blocks for f in page.flows)  # 3.2: no APS yet


def test_real_kernel_flows_and_no_record(shared_data):
    page = decode_kflow_page((shared_data / REAL / "15_agent_KFlowReq.KFlowResp.bs4.xml").read_bytes())
    assert len(page.flows) == 7 and page.next_handle == ""  # handle 0: done
    k = page.flows[0]
    assert (k.index, k.rflow, k.sip, k.dip, k.proto, k.action) == (56960, 481284, "33.0.0.3", "66.0.0.3", 1, "FORWARD")
    assert k.flags == ("ACTIVE", "MIRROR", "RFLOW_VALID") and not k.evicted
    assert decode_flow_record((shared_data / REAL / "21_agent_FetchFlowRecord_noargs.FlowErrorResp.bs4.xml")
                              .read_bytes()) is None


def test_real_acls(shared_data):
    acls = decode_acl_reply((shared_data / REAL / "16_agent_AclReq.__AclResp_list.bs4.xml").read_bytes())
    assert len(acls) >= 10
    vn = next(a for a in acls if a.name == "default-domain:nzhong:VN-demo:VN-demo")
    entry = vn.entry_for_rule("da542ae0-6596-4a9f-ad2c-6dae5bd588d1")
    assert entry is not None and entry.src_type == entry.dst_type == "network"
    assert entry_text(entry) == ("vn:default-domain:nzhong:VN-demo → vn:default-domain:nzhong:VN-demo2, any, "
                                 "pass/mirror")
    egress = next(a for a in acls if a.name.endswith("jlu:default:egress-access-control-list"))
    assert [entry_text(e) for e in egress.entries] == ["any → 0.0.0.0/0, any, pass", "any → ::/0, any, pass"]


def _pyrepr(name: str):
    text = (LOCAL / name).read_text()
    return ast.literal_eval(text[text.index("{") if "Ex flow_entry_items" in text else 0:].strip())


def test_published_tf_test_records_decode():
    records = [flow_from_struct(d) for d in _pyrepr("tf-test_FetchAllFlowRecords_2013.pyrepr.txt")]
    assert [(r.sip, r.dip, r.protocol, r.verdict, r.flow_handle) for r in records] == [
        ("1.1.1.253", "2.1.1.253", 1, "pass", 54518), ("2.1.1.253", "1.1.1.253", 1, "pass", 25755)]
    assert records[0].setup_time_utc == 1371254131073195 and not records[0].short_flow
    one = {k: v for d in _pyrepr("tf-test_FetchFlowRecord_2013.pyrepr.txt") for k, v in d.items()}
    rec = flow_from_struct(one)
    assert (rec.nh, rec.sip, rec.uuid, rec.verdict) == (1, "1.1.1.253", "aa010de9-5eec-48d8-884a-ccbc5de665bb", "pass")
    k = kernel_flow_from_struct(_pyrepr("tf-test_KFlowInfo_flow_table.pyrepr.txt"))
    assert (k.index, k.rflow, k.action, k.flags) == (24, 43061, "NAT", ("ACTIVE", "VRFT", "SNAT", "DNAT"))


def _record(i: int = 1, **kw) -> FlowRecord:
    base = dict(sip=f"10.47.255.{i}", dip="10.47.255.250", src_port=1000 + i, dst_port=22, protocol=6, vrf=3,
                dest_vrf=3, nh=20 + i, uuid=f"00000000-0000-4000-8000-{i:012d}", action=1 << 3,
                action_str=("deny",), drop_reason="Flow drop Firewall Policy", direction="ingress", local_flow=True,
                source_vn="d:p:vn", dest_vn="d:p:vn", src_vn_list=("d:p:vn",), dst_vn_list=("d:p:vn",),
                sg_rule_uuid="00000000-0000-0000-0000-000000000001",
                nw_ace_uuid="00000000-0000-0000-0000-000000000001",
                fw_policy_match="default-policy-management:p1:11111111-2222-3333-4444-555555555555",
                local_tags=(1, 65537), remote_tags=(2,), vmi="d:p:vmi", flow_handle=4000 + i, gen_id=3,
                packets=4, bytes=336, setup_time="2024-Jan-01 00:00:00.000000", setup_time_utc=1704067200000000,
                blocks={"policy_set": AclBlock(8, ("aaaa",), ("deny",))})
    base.update(kw)
    return FlowRecord(**base)


def test_flow_page_round_trip_keeps_every_field():
    recs = [_record(1), _record(2, short_flow=True, short_reason="Short flow No Reverse flow", drop_reason="",
                               action=1 << 3, sg_rule_uuid="", nw_ace_uuid="")]
    page = decode_flow_page(encode_flow_page(recs, "0-21-1001-22-6-10.47.255.1-10.47.255.250"))
    assert list(page.flows) == recs
    assert page.flows[0].blocks["policy_set"] == AclBlock(8, ("aaaa",), ("deny",))
    assert page.next_key == "0-21-1001-22-6-10.47.255.1-10.47.255.250"
    assert decode_flow_page(encode_flow_page(recs, START_KEY)).last
    assert decode_flow_record(encode_flow_record(recs[0])) == recs[0]


@pytest.mark.parametrize("key,fmt", [
    ("0-0-0-0-0-0.0.0.0-0.0.0.0", "partition"), ("0-0-0-0-0.0.0.0-0.0.0.0", "dash"),
    ("0:0:0:0:0.0.0.0:0.0.0.0", "colon"), ("1-23-1024-80-6-fd00::1-fd00::2", "partition"), ("x", "unknown")])
def test_key_formats_and_start_keys(key, fmt):
    assert key_format(key) == fmt
    assert is_start_key(key) == key.startswith("0-0-0") or is_start_key(key) == key.startswith("0:0:0")


def test_flow_error_resp_ends_a_walk_and_garbage_is_refused():
    page = decode_flow_page(encode_flow_record(None))
    assert page.flows == () and page.last and page.error.startswith("No Flow Record")
    with pytest.raises(FlowDecodeError):
        decode_flow_page(b"<ItfResp type=\"sandesh\"></ItfResp>")
    with pytest.raises(FlowDecodeError):
        decode_flow_page(b"not xml")
    with pytest.raises(FlowDecodeError):
        decode_flow_record(b"<KFlowResp type=\"sandesh\"></KFlowResp>")


def test_markup_and_controls_in_values_survive_as_text():
    rec = _record(5, source_vn="[bold]x[/bold]\x9b31m", vmi="<&>")
    back = decode_flow_page(encode_flow_page([rec], START_KEY)).flows[0]
    assert back.source_vn == "[bold]x[/bold]\\x9b31m" and back.vmi == "<&>"


def test_kernel_walk_pages_evicted_mode_and_errors():
    table = [KernelFlow(i * 3, "10.0.0.1", "10.0.0.2", i, 80, 6, action="DROP" if i % 10 == 0 else "FORWARD",
                        flags=("ACTIVE", "EVICTED") if i % 7 == 0 else ("ACTIVE",),
                        drop_reason="FwPolicy" if i % 10 == 0 else "", tcp_flags=("SYN",)) for i in range(350)]
    seen, handle, evicted = [], None, False
    for _ in range(10):
        body = kflow_table_page(table, 0 if handle is None else int(handle.split()[0]), evicted, 1024)
        page = decode_kflow_page(body)
        seen += page.flows
        if not page.next_handle:
            break
        handle = page.next_handle
    assert [k.index for k in seen] == [k.index for k in table if not k.evicted]
    assert all(k.drop_words == "firewall policy" for k in seen if k.action == "DROP")
    page = decode_kflow_page(kflow_table_page(table, 0, True, 1024))
    assert page.next_handle.endswith(" evicted_set") and len(page.flows) == 100
    assert handle_done("0 evicted_set") and handle_done("0") and not handle_done("301 evicted_set")
    err = decode_kflow_page(encode_kflow_error())
    assert err.flows == () and "Invalid Input" in err.error


def test_acl_counts_and_flows_follow_the_agents_keys():
    counts = [(f"{i:05d}", i) for i in range(250)]
    got, after = [], ""
    while True:
        page = decode_acl_counts(encode_acl_counts("acl-1", 999, 2, counts, after))
        got += page.counts
        if not page.next_key:
            break
        after = page.next_key.split(":", 1)[1]
    assert got == counts and page.flow_count == 999 and page.flow_miss == 2
    flows = [AclFlow(f"u{i}", "10.0.0.1", "10.0.0.2", i, 80, 6, ace_ids=("1",), actions=("pass",))
             for i in range(230)]
    pages, last = [], 0
    while True:
        page = decode_acl_flows(encode_acl_flows("acl-1", flows, last))
        pages.append(page.flows)
        if not page.next_key:
            break
        last = int(page.next_key.split(":")[1])
    assert [len(p) for p in pages] == [100, 101, 31]  # the agent repeats one flow at every page boundary
    assert {f.uuid for p in pages for f in p} == {f.uuid for f in flows}
    assert decode_acl_flows(encode_acl_flows_bad_key()).flows == ()


def test_flow_table_info_round_trip():
    info = FlowTableInfo(12, 40, 28, 524288, ((0, 7), (1, 5)))
    assert decode_flow_table_info(encode_flow_table_info(info)) == info


def test_lean_decoding_reads_what_the_full_decoder_reads(shared_data):
    from tftui.core.flows.lean import decode_flow_messages
    from tftui.core.flows.records import page_from_messages
    from tftui.core.sandesh import decode_messages

    bodies = [(shared_data / REAL / "14_agent_FetchAllFlowRecords.FlowRecordsResp.bs4.xml").read_bytes(),
              encode_flow_page([_record(i) for i in range(1, 30)], "0-21-1-2-6-10.0.0.1-10.0.0.2"),
              encode_flow_record(_record(7))]
    for body in bodies:
        lean, full = decode_flow_messages(body), decode_messages(body)
        assert [m.name for m in lean] == [m.name for m in full]
        if lean[0].name == "FlowRecordsResp":
            a, b = page_from_messages(lean), page_from_messages(full)
            assert a == b and a.next_key == b.next_key
            for x, y in zip(a.flows, b.flows, strict=True):
                assert x.blocks and {k: (v.action, v.acls) for k, v in x.blocks.items()} == \
                       {k: (v.action, v.acls) for k, v in y.blocks.items() if k in x.blocks}  # stages' blocks only
        else:
            assert decode_flow_record(body) == _record(7)
