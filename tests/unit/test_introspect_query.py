"""core/introspect/query.py: query strings built as both kinds of server read them, and bound as each binds them."""

from __future__ import annotations

import pytest
from conftest import FUZZ_CASES
from hypothesis import given, settings
from hypothesis import strategies as st

from tftui.core.introspect import QueryError, bind_by_name, bind_positional, encode_query, find, request_path
from tftui.core.introspect.defs import Module, Req

UVE = find("SandeshUVECacheReq")
ITF = find("ItfReq")
ROUTE = find("ShowRouteReq")
KFLOW = find("KFlowReq")
MIXED = next(iter(Module("m", [Req("Mixed", "1: string a; 2: list<string> l; 3: i32 n = 5; 4: u16 small; "
                                            "5: bool b")])))


def test_every_field_up_to_the_last_given_in_declaration_order():
    assert encode_query(ITF, {"vn": "pods"}) == "name=&type=&uuid=&vn=pods"
    assert encode_query(ITF, {}) == "" and request_path(ITF) == "/Snh_ItfReq"
    q = encode_query(ROUTE, {"count": 5, "routing_instance": "default-domain:k8s:pod-network"})
    assert q == "routing_table=&routing_instance=default-domain:k8s:pod-network&prefix=&longer_match=&" \
                "shorter_match=&count=5"
    assert request_path(UVE, {"tname": "NodeStatus"}) == "/Snh_SandeshUVECacheReq?tname=NodeStatus"
    assert encode_query(ITF, {"name": "tap1", "vn": ""}) == "name=tap1"  # an empty value is "not given"


def test_values_are_percent_encoded_and_booleans_are_numbers():
    q = encode_query(UVE, {"tname": "a&b=c+d e%f/ü", "key": "x:y,z"})
    assert q == "tname=a%26b%3Dc%2Bd%20e%25f/%C3%BC&key=x:y,z"
    assert encode_query(KFLOW, {"show_evicted": True}) == "flow_idx=&show_evicted=1"
    assert encode_query(KFLOW, {"show_evicted": "true", "flow_idx": -1}) == "flow_idx=-1&show_evicted=1"
    assert encode_query(KFLOW, {"show_evicted": False}) == "flow_idx=&show_evicted=0"


def test_bad_arguments_are_refused_with_the_known_fields():
    with pytest.raises(QueryError, match=r"no field vrf .*fields: tname, key"):
        encode_query(UVE, {"vrf": "x"})
    with pytest.raises(QueryError, match="takes a number"):
        encode_query(KFLOW, {"flow_idx": "first"})
    with pytest.raises(QueryError, match="is true or false"):
        encode_query(KFLOW, {"show_evicted": "yes"})


def test_positional_binding_ignores_names():
    assert bind_positional(UVE, "tname=NodeStatus")["tname"] == "NodeStatus"
    assert bind_positional(UVE, "x=NodeStatus")["tname"] == "NodeStatus"
    assert bind_positional(UVE, "anything=NodeStatus&key=k") == {"tname": "NodeStatus", "key": "k"}
    # tf-test's old ``?domain=&ip_address=X`` against today's one-field BgpNeighborReq: the first token wins
    assert bind_positional(find("BgpNeighborReq"), "domain=&ip_address=10.0.0.1")["search_string"] == ""


def test_positional_binding_token_rules():
    args = bind_positional(UVE, "&&a=&&b=k&&")
    assert args == {"tname": "", "key": "k"} and args.given == {"key"}  # empty tokens dropped, a= keeps default
    assert bind_positional(UVE, "a=x+y%2Bz%20w")["tname"] == "x+y+z w"  # '+' is not a space
    assert bind_positional(UVE, "=NodeStatus")["tname"] == ""  # no name: one piece, no value
    assert bind_positional(UVE, "NodeStatus")["tname"] == ""
    assert bind_positional(UVE, "a=b=c")["tname"] == "b"  # the second '='-piece
    assert bind_positional(UVE, "a==b")["tname"] == "b"
    assert bind_positional(UVE, "a=1&b=2&c=3") == {"tname": "1", "key": "2"}  # extra tokens ignored


def test_positional_binding_types_like_strtoul():
    assert bind_positional(KFLOW, "") == {"flow_idx": -1, "show_evicted": False}  # IDL defaults
    assert bind_positional(KFLOW, "a=abc&b=true") == {"flow_idx": 0, "show_evicted": False}
    assert bind_positional(KFLOW, "a=12abc&b=1") == {"flow_idx": 12, "show_evicted": True}
    assert bind_positional(KFLOW, "a=-5&b=2")["flow_idx"] == -5
    args = bind_positional(MIXED, "a=s&l=ignored&n=7&small=70000&b=0")
    assert args == {"a": "s", "l": None, "n": 7, "small": 70000 - 65536, "b": False}
    assert args.given == {"a", "n", "small", "b"}  # the list took a position and nothing else


def test_binding_by_name_as_pysandesh_does():
    assert bind_by_name(UVE, "x=NodeStatus")["tname"] == "NodeStatus"
    assert bind_by_name(UVE, "tname=NodeStatus&x=Other")["tname"] == "NodeStatus"  # the field's name wins over x
    assert bind_by_name(UVE, "anything=NodeStatus")["tname"] == ""  # names matter here
    assert bind_by_name(UVE, "key=a+b&tname=T") == {"tname": "T", "key": "a b"}
    # ``x`` is the first field by identifier, not by declaration
    assert bind_by_name(ROUTE, "x=inet.0")["routing_table"] == "inet.0"
    assert bind_by_name(ROUTE, "count=3")["count"] == 3
    with pytest.raises(QueryError):
        bind_by_name(KFLOW, "flow_idx=abc")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_BY_TYPE = {"string": _TEXT, "bool": st.booleans(), "u32": st.integers(0, 2**32 - 1)}


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={f.name: _BY_TYPE[f.type] for f in ROUTE.fields}))
def test_what_the_client_sends_both_servers_read_back(args):
    FUZZ_CASES["introspect query round trip"] += 1
    query = encode_query(ROUTE, args)
    for bound in (bind_positional(ROUTE, query), bind_by_name(ROUTE, query)):
        for name, value in args.items():
            if value in ("", None):
                continue
            expected = value if ROUTE.field(name).type != "bool" else bool(value)
            assert bound[name] == expected, (name, query)
