"""Control-node requests: no raw XML capture is public (PROVENANCE D), so the models are checked against the introspect
CLI's renderings of real replies (samples 40-43): every fact a row shows survives our wire encoding and decoding and
renders back the same."""

from __future__ import annotations

import re

import pytest
from helpers.ist_text import cli_tables

from tftui.core.control.instances import (
    RoutingInstance,
    TableSummary,
    decode_instances,
    decode_route_summary,
    encode_instances,
    encode_route_summary,
)
from tftui.core.control.peers import (
    BgpNeighbor,
    XmppConnection,
    decode_neighbors,
    decode_xmpp_connections,
    encode_neighbors,
    encode_xmpp_connections,
    iterate_key,
    parse_iterate_key,
)
from tftui.core.control.render import instance_row, neighbor_row, path_line, summary_row, table_header
from tftui.core.control.routes import (
    ControlPath,
    ControlRoute,
    ControlTable,
    RouteQuery,
    decode_routes,
    encode_routes,
    instance_of_table,
    merge_pages,
    parse_route_iterate_key,
    route_iterate_key,
)
from tftui.core.sandesh_fields import ReplyError

REAL = "introspect-real"
CLI_SAMPLES = ["40_control_BgpNeighbor_RoutingInstance_RouteSummary_ShowRoute.ist-cli-text.vcheny-README-2016.txt",
               "41_control_BgpNeighbor_RouteSummary_ShowRoute.ist-cli-text.tf-primer-2019.txt",
               "42_control_BgpNeighbor_bgp_and_xmpp_flaps.ist-cli-text.tf-primer-2019.txt",
               "43_control_BgpNeighbor_bgpaas_external.contrail-scrape-ist-cli-text-2020.txt"]


def _neighbor_tables(shared_data):
    for name in CLI_SAMPLES:
        for columns, rows in cli_tables((shared_data / REAL / name).read_text()):
            if columns[:2] == ["peer", "peer_address"]:
                yield name, columns, rows


def test_neighbor_rows_of_every_sample_survive_the_wire(shared_data):
    seen = 0
    for _, columns, rows in _neighbor_tables(shared_data):
        assert tuple(columns) == ("peer", "peer_address", "peer_asn", "encoding", "peer_type", "state", "send_state",
                                  "flap_count", "flap_time")
        models = [BgpNeighbor(peer=r[0], peer_address=r[1], peer_asn=int(r[2]), encoding=r[3], peer_type=r[4],
                              state=r[5], send_state=r[6], flap_count=int(r[7]),
                              last_flap="" if r[8] == "n/a" else r[8]) for r in rows]
        page = decode_neighbors(encode_neighbors(models))
        assert [list(neighbor_row(n)) for n in page.neighbors] == rows
        seen += len(rows)
    assert seen == 7 + 1 + 4 + 15


def test_neighbor_states_and_kinds_from_the_samples(shared_data):
    rows = [r for _, _, rs in _neighbor_tables(shared_data) for r in rs]
    models = decode_neighbors(encode_neighbors([
        BgpNeighbor(r[0], r[1], int(r[2]), r[3], r[4], r[5], r[6]) for r in rows])).neighbors
    down = [n.peer for n in models if not n.established]
    assert "camaro" in down and "61f75496-e2d0-4611-8f95-252490bfb5cf" in down  # Active, not advertising
    assert {n.encoding for n in models} == {"BGP", "XMPP"}
    assert all(n.is_xmpp == (n.peer_asn == 0) for n in models)  # XMPP peers have no ASN


def test_route_summary_rows_survive_the_wire(shared_data):
    for name in CLI_SAMPLES[:2]:
        for columns, rows in cli_tables((shared_data / REAL / name).read_text()):
            if columns[:2] != ["name", "prefixes"]:
                continue
            models = [TableSummary(r[0], *map(int, r[1:])) for r in rows]
            page = decode_route_summary(encode_route_summary(models, next_batch="x||"))
            assert [list(summary_row(t)) for t in page.tables] == rows
            assert page.next_batch == "x||"
            assert "inet.0" in [t.name for t in page.tables]


def test_routing_instance_with_targets_survives_the_wire(shared_data):
    text = (shared_data / REAL / CLI_SAMPLES[0]).read_text()
    [(columns, rows)] = [t for t in cli_tables(text) if t[0][:2] == ["name", "virtual_network"]]
    # the CLI nests the targets under their column names, one per line
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in text.split("ist ctr vrf", 1)[1].splitlines()
             if line.startswith("|") and "target:" in line]
    imports = [c[4] for c in cells if c[4].startswith("target:")]
    exports = [c[5] for c in cells if c[5].startswith("target:")]
    assert imports == ["target:13979:33001", "target:13979:8000002", "target:13979:8000004"]
    ri = RoutingInstance(rows[0][0], rows[0][1], int(rows[0][2]), int(rows[0][3]), tuple(imports), tuple(exports),
                         tables=(TableSummary("default-domain:admin:VN-L:VN-L.inet.0", 4, 10, 1, 9, 0),))
    detailed = decode_instances(encode_instances([ri])).instances[0]
    assert detailed == ri
    assert instance_row(detailed)[:4] == ("default-domain:admin:VN-L:VN-L", "default-domain:admin:VN-L", "5", "0")
    summary = decode_instances(encode_instances([ri], summary=True, next_batch="a||b")).instances[0]
    assert summary.tables == () and summary.export_targets == ("target:13979:33001", "target:13979:8000002")


_TABLE = re.compile(r"^(\S+): (\d+) destinations, (\d+) routes \((\d+) primary, (\d+) secondary, (\d+) infeasible\)$")
_ROUTE = re.compile(r"^(\S+), age: .*, last_modified: (.+)$")
_PATH = re.compile(r"^\s+\[([^|]+)\|([^\]]+)\] age: [^,]+(?:, [^,]+)?, localpref: (\d+), nh: (\S+), "
                   r"encap: \[([^\]]*)\], label: (\d+), AS path: (.+)$")


def cli_route_tables(text: str) -> list[tuple[ControlTable, list[str]]]:
    """``ist ctr route`` output as tables of routes, and each table's lines as printed (ages cut out)."""
    out: list[tuple[ControlTable, list[str]]] = []
    table, routes, printed = None, [], []
    for line in text.splitlines() + [""]:
        m = _TABLE.match(line)
        if m or (table is not None and line.startswith(("root@", "[root@", "```"))):
            if table is not None:
                out.append((ControlTable(table[0], table[1], tuple(routes), *table[2:]), printed))
            table, routes, printed = None, [], []
        if m:
            name, *counts = m.groups()
            prefixes, paths, primary, secondary, infeasible = map(int, counts)
            table = (instance_of_table(name), name, prefixes, paths, primary, secondary, infeasible)
            printed = [line]
        elif table is not None and (r := _ROUTE.match(line)):
            routes.append(ControlRoute(r.group(1), (), r.group(2)))
        elif table is not None and (p := _PATH.match(line)):
            proto, source, pref, nh, encap, label, as_path = p.groups()
            path = ControlPath(proto, "" if source == "None" else source, nh, int(label), int(pref),
                               as_path="" if as_path == "None" else as_path,
                               tunnel_encap=tuple(e.strip(" '") for e in encap.split(",") if e.strip()))
            last = routes[-1]
            routes[-1] = ControlRoute(last.prefix, (*last.paths, path), last.last_modified)
            printed.append(re.sub(r"\] age: [^,]+(?:, [^,]+)?, localpref", "] localpref", line.strip()))
    return out


@pytest.mark.parametrize("name", CLI_SAMPLES[:2])
def test_route_paths_of_the_samples_survive_the_wire(shared_data, name):
    parsed = cli_route_tables((shared_data / REAL / name).read_text())
    assert parsed
    protocols = set()
    for table, printed in parsed:
        back = decode_routes(encode_routes([table])).tables[0]
        assert back.routing_instance == table.routing_instance
        rendered = [table_header(back)] + [path_line(p) for r in back.routes for p in r.paths]
        assert rendered == printed
        assert all(r.paths[0].best and not any(p.best for p in r.paths[1:]) for r in back.routes)
        assert [r.last_modified for r in back.routes] == [r.last_modified for r in table.routes]
        protocols |= {p.protocol for r in back.routes for p in r.paths}
    assert protocols >= ({"XMPP", "BGP", "ServiceChain"} if name.startswith("40") else
                         {"XMPP", "XMPP (interface)", "Local"})


def test_every_path_field_round_trips():
    path = ControlPath("BGP", "10.0.0.1", "10.0.0.21", 25, 100, 5, "65311 65000", ("target:64512:1", "no-export"),
                       ("gre", "udp"), "default-domain:k8s:pod-net", ("Stale",), "2025-Nov-24 16:00:00.000000", True,
                       "default-domain:k8s:pod-net:pod-net.inet.0", "10.0.0.1", "igp", best=True)
    tables = [ControlTable("default-domain:k8s:pod-net:pod-net", "default-domain:k8s:pod-net:pod-net.inet.0",
                           (ControlRoute("10.47.255.250/32", (path,), "2025-Nov-24 16:00:00.000000"),), 1, 1, 1, 0, 0)]
    page = decode_routes(encode_routes(tables, next_batch="k"))
    assert page.tables == tuple(tables) and page.next_batch == "k"
    assert path.base_protocol == "BGP" and ControlPath("XMPP (interface)", "", "").base_protocol == "XMPP"


def test_route_iterate_key_is_the_control_nodes():
    q = RouteQuery(routing_table="inet.0", prefix="10.47", protocol="XMPP", longer_match=True)
    key = route_iterate_key(q, "default-domain:default-project:ip-fabric:__default__", "inet.0", "10.47.0.9/32", 0)
    assert key == ("||inet.0||10.47||default-domain:default-project:ip-fabric:__default__||inet.0||10.47.0.9/32||0"
                   "||||XMPP||||true||false")
    back, ri, rt, prefix = parse_route_iterate_key(key)
    assert back == q and (ri, rt, prefix) == ("default-domain:default-project:ip-fabric:__default__", "inet.0",
                                              "10.47.0.9/32")
    assert parse_route_iterate_key("a||b") is None
    assert parse_iterate_key(iterate_key("compute7", "comp")) == ("compute7", "comp")
    assert parse_iterate_key("nothing") is None


def test_table_names_to_instances_and_merging_batches():
    assert instance_of_table("inet.0") == "default-domain:default-project:ip-fabric:__default__"
    assert instance_of_table("bgp.l3vpn.0") == "default-domain:default-project:ip-fabric:__default__"
    assert instance_of_table("default-domain:a:vn.1:vn.1.inet.0") == "default-domain:a:vn.1:vn.1"
    r = [ControlRoute(f"10.0.0.{i}/32", ()) for i in range(3)]
    a = ControlTable("i", "i.inet.0", (r[0], r[1]), 3)
    b = ControlTable("i", "i.inet.0", (r[2],), 3)
    c = ControlTable("", "inet.0", (), 0)
    from tftui.core.control.routes import RoutePage
    assert merge_pages([RoutePage((a,), "k"), RoutePage((b, c))]) == (ControlTable("i", "i.inet.0", tuple(r), 3), c)


def test_xmpp_connections_round_trip_and_real_empty_reply(shared_data):
    conns = [XmppConnection("compute1", "10.0.0.21:40123", "10.0.0.10:5269", "Established", "xmsm::EvXmppKeepalive",
                            "OpenConfirm", "2025-Nov-24 16:00:00.000000", ("bgp", "config"), "NIL")]
    assert decode_xmpp_connections(encode_xmpp_connections(conns)) == conns
    empty = (shared_data / REAL / "23_agent_ShowXmppConnectionReq.ShowXmppConnectionResp_empty.bs4.xml").read_bytes()
    assert decode_xmpp_connections(empty) == []


def test_replies_that_are_not_what_was_asked():
    with pytest.raises(ReplyError, match="not a BgpNeighborListResp"):
        decode_neighbors(encode_routes([]))
    with pytest.raises(ReplyError):
        decode_routes(b"\x00\x01")
