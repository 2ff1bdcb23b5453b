"""core/agent.py: ItfReq/PageReq decoding over the synthetic capture, page keys, encoder round trips, validators."""


import pytest
from conftest import DATA
from hypothesis import given
from hypothesis import strategies as st

from tftui.core.agent import (
    AgentError,
    AgentInterface,
    InvalidInput,
    PageInfo,
    PageKey,
    all_key,
    decode_itf_reply,
    encode_itf_reply,
    encode_itf_table,
    is_metadata_ip,
    page_info_for,
    parse_page_key,
    validate_metadata_ip,
    validate_user,
    validate_vm_name,
    vmis_from,
)

CAPTURE = DATA / "introspect/ItfReq_page0_synthetic.xml"


@pytest.fixture
def capture() -> bytes:
    return CAPTURE.read_bytes()


def test_capture_decodes_by_name(capture):
    page = decode_itf_reply(capture)
    assert [i.name for i in page.interfaces] == ["eth0", "vhost0", "pkt0", "tap2df2ce68-23"]
    tap = page.interfaces[3]
    assert (tap.vm_name, tap.ip_addr, tap.mdata_ip_addr, tap.type) == ("vm1", "10.10.10.4", "169.254.0.3", "vport")
    assert page.page is not None
    assert page.page.next_page == "" and page.page.table_size == 4 and page.page.entries == "0-3/4"
    assert page.page.all.startswith("begin:-1,end:-1,table:db.interface.0,")


def test_capture_vmis_skip_host_interfaces(capture):
    vmis = vmis_from("compute1", "10.0.0.21", decode_itf_reply(capture).interfaces)
    assert len(vmis) == 1
    v = vmis[0]
    assert v.to_json() == {
        "vrouter": "compute1", "vrouter_address": "10.0.0.21", "name": "tap2df2ce68-23", "vm_name": "vm1",
        "vm_uuid": "7c1f0a2e-5b3d-4e8f-a1c2-3d4e5f607182", "vn": "default-domain:admin:vn1", "ip": "10.10.10.4",
        "mac": "02:2d:f2:ce:68:23", "metadata_ip": "169.254.0.3", "active": True, "flow_key_idx": 14,
    }


def test_vhost0_listed_as_vport_with_metadata_ip_is_skipped():
    itfs = [
        AgentInterface("vhost0", "vport", "u0", mdata_ip_addr="169.254.0.1"),
        AgentInterface("tapx", "vport", "u1", mdata_ip_addr="0.0.0.0"),
        AgentInterface("tapy", "vport", "u2", mdata_ip_addr=""),
        AgentInterface("tapz", "vport", "u3", vm_name="z", mdata_ip_addr="169.254.0.9", active="Inactive"),
        AgentInterface("tapz", "vport", "u3", vm_name="z", mdata_ip_addr="169.254.0.9"),  # repeated across pages
    ]
    vmis = vmis_from("c", "a", itfs)
    assert [(v.name, v.active) for v in vmis] == [("tapz", False)]


def _itfs(n: int) -> list[AgentInterface]:
    return [AgentInterface(f"tap{i:04d}", "vport", f"uuid-{i}", f"vm-{i}", f"pod-{i}", "d:p:net", "d:p:net:net",
                           f"10.0.{i // 250}.{i % 250 + 1}", f"02:00:00:00:{i // 256:02x}:{i % 256:02x}",
                           f"169.254.{i // 254}.{i % 254 + 1}", index=i) for i in range(n)]


def test_round_trip_keeps_every_field():
    itfs = _itfs(3) + [AgentInterface("weird <&'>", "vport", "u", vm_name="[bold]x", mdata_ip_addr="169.254.1.1")]
    page = PageInfo("n", "p", "f", "a", 4, "0-3/4")
    back = decode_itf_reply(encode_itf_reply(itfs, page))
    assert back.interfaces == tuple(itfs)
    assert back.page == page


def test_encoded_reply_has_the_real_shape():
    body = encode_itf_table(_itfs(2), None).decode()
    assert body.startswith('<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?><__ItfResp_list type="slist">')
    assert '<ItfResp type="sandesh"><itf_list type="list" identifier="1"><list type="struct" size="2"><ItfSandeshData>' in body
    assert '<Pagination type="sandesh"><req type="struct" identifier="1"><PageReqData>' in body


def test_table_paging_walks_every_interface_once():
    itfs = _itfs(250)
    seen: list[AgentInterface] = []
    page = decode_itf_reply(encode_itf_table(itfs, None))
    pages = 1
    seen.extend(page.interfaces)
    assert len(page.interfaces) == 100 and page.page.table_size == 250 and page.page.entries == "0-99/250"
    while page.page.next_page:
        page = decode_itf_reply(encode_itf_table(itfs, parse_page_key(page.page.next_page)))
        seen.extend(page.interfaces)
        pages += 1
    assert pages == 3 and seen == itfs
    assert page.page.entries == "200-249/250" and page.page.prev_page.startswith("begin:100,end:199,")
    everything = decode_itf_reply(encode_itf_table(itfs, parse_page_key(all_key())))
    assert list(everything.interfaces) == itfs and everything.page.next_page == ""


def test_page_keys():
    key = parse_page_key("begin:100,end:199,table:db.interface.0,ip-active:,name:tap,vn:")
    assert (key.begin, key.end, key.table) == (100, 199, "db.interface.0")
    assert ("name", "tap") in key.filters
    assert parse_page_key(all_key()).is_all
    assert PageKey(0, 99).encode() == page_info_for(0, 4).first_page
    for bad in ("", "begin:x,end:1", "end:5", "begin:9,end:3", "nonsense", "begin:-5,end:-1"):
        with pytest.raises(AgentError):
            parse_page_key(bad)


@pytest.mark.parametrize("body", [
    b"", b"not xml", b"<__ItfResp_list type=\"slist\"><ItfResp type=\"sandesh\">",  # truncated
    b'<!DOCTYPE x [<!ENTITY a "b">]><x/>',
    b'<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?><NodeStatusUVE type="sandesh"></NodeStatusUVE>',
])
def test_bad_replies_give_agent_error(body):
    with pytest.raises(AgentError):
        decode_itf_reply(body)


def test_error_resp_is_reported():
    body = b'<ErrorResp type="sandesh"><resp type="string" identifier="1">Invalid Request</resp></ErrorResp>'
    with pytest.raises(AgentError, match="Invalid Request"):
        decode_itf_reply(body)


def test_unknown_and_oddly_typed_fields_are_tolerated():
    body = (b'<__ItfResp_list type="slist"><ItfResp type="sandesh"><itf_list type="list"><list type="struct" size="1">'
            b'<ItfSandeshData><future_field type="string">x</future_field><name type="string">tapq</name>'
            b'<label type="i32">notanint</label><mdata_ip_addr type="string">169.254.3.3</mdata_ip_addr>'
            b'<type type="string">vport</type></ItfSandeshData></list></itf_list></ItfResp></__ItfResp_list>')
    page = decode_itf_reply(body)
    assert page.page is None and page.interfaces[0].label == -1
    assert vmis_from("c", "a", page.interfaces)[0].metadata_ip == "169.254.3.3"


@pytest.mark.parametrize("ok", ["169.254.0.4", "169.254.255.254", "169.254.1.0"])
def test_metadata_ip_ok(ok):
    assert validate_metadata_ip(ok) == ok


@pytest.mark.parametrize("bad", ["0.0.0.0", "", "169.254.0.0", "169.254.255.255", "10.0.0.1", "169.254.0.4 -oX",
                                 "169.254.00.4", "-169.254.0.4", "fe80::1", "169.254.0.4\n", None])
def test_metadata_ip_refused(bad):
    with pytest.raises(InvalidInput):
        validate_metadata_ip(bad)


def test_user_and_vm_names():
    assert validate_user("cirros") == "cirros" and validate_user("ec2-user") == "ec2-user"
    for bad in ("-oProxyCommand=x", "root;id", "a b", "", "x" * 33, "$(id)", "ü", ".hidden", "a@b"):
        with pytest.raises(InvalidInput):
            validate_user(bad)
    assert validate_vm_name("k8s-default__cirros1") == "k8s-default__cirros1"
    for bad in ("-x", "a b", "a;b", "`x`", ""):
        with pytest.raises(InvalidInput):
            validate_vm_name(bad)


@given(st.text(max_size=40))
def test_metadata_validator_never_accepts_shell_text(text):
    if is_metadata_ip(text):
        assert all(c.isdigit() or c == "." for c in text) and text.startswith("169.254.")


@given(st.binary(max_size=300))
def test_decoder_never_crashes(data):
    try:
        decode_itf_reply(data)
    except AgentError:
        pass
