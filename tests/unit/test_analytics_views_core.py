"""What the analytics views show, pure: a UVE as a tree (over a published flat UVE and a raw Sandesh-typed one),
the node tree's bells, a node's object types and state summaries, the query forms' checks, the stats plot."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

from tftui.core.analytics.alarms import Alarm
from tftui.core.analytics.forms import (
    describe_flow_query,
    describe_log_query,
    flow_values,
    log_values,
    parse_flow_form,
    parse_log_form,
    parse_stats_form,
    stats_values,
)
from tftui.core.analytics.nodes import (
    NodeIndex,
    alarms_by_node,
    mark_of,
    node_status_summary,
    object_types_for,
)
from tftui.core.analytics.plot import plot, resample, spark
from tftui.core.analytics.query import FlowQuery, LogQuery, QueryError
from tftui.core.analytics.uve_tree import uve_tree
from tftui.core.filter import compile_filter

REAL = DATA / "introspect-real"


def _published_flat_vrouter() -> dict:
    """tf-analytics' opserver.rst: ``GET /analytics/uves/vrouter/a1s34?flat`` (2017), after the curl line."""
    return json.loads(next(REAL.glob("52_*")).read_text().split("\n", 1)[1])


# ------------------------------------------------------------------------------------------ the UVE tree


def test_a_published_flat_uve_as_a_tree_of_its_structs():
    uve = _published_flat_vrouter()
    lines = uve_tree(uve)
    assert [ln.label for ln in lines if ln.depth == 0] == list(uve)  # the structs, in the reply's order
    by_path = {ln.path: ln for ln in lines}
    # every leaf of the flat UVE is a line, with its value (nothing lost, nothing invented)
    leaves = [ln for ln in lines if not ln.container]
    assert len(leaves) == sum(1 for _ in _leaf_paths(uve))
    assert by_path["VrouterStatsAgent.drop_stats.ds_invalid_nh"].value == "10"
    assert by_path["VrouterStatsAgent.drop_stats"].container and by_path["VrouterStatsAgent.drop_stats"].depth == 1
    # list elements are named by what they are
    assert by_path["NodeStatus.process_info[0]"].label == "[0] contrail-vrouter-agent"
    assert by_path["NodeStatus.process_status[1].connection_infos[0]"].label == "[0] control-node:10.84.5.33"
    assert by_path["NodeStatus.process_info"].value == f"{len(uve['NodeStatus']['process_info'])} item(s)"
    # depth-first: each line's parent comes before it, one level up
    for before, line in zip(lines, lines[1:], strict=False):
        assert line.depth <= before.depth + 1


def _leaf_paths(v, path=""):
    if isinstance(v, dict) and v:
        for k, sub in v.items():
            yield from _leaf_paths(sub, f"{path}.{k}" if path else k)
    elif isinstance(v, list) and any(isinstance(x, dict | list) for x in v):
        for i, sub in enumerate(v):
            yield from _leaf_paths(sub, f"{path}[{i}]")
    else:
        yield path


def test_the_filter_keeps_the_branches_that_lead_to_a_match():
    lines = uve_tree(_published_flat_vrouter())
    matches = compile_filter("ds_invalid_nh", lowered=True)
    kept = [ln.path for ln in lines if matches(ln.search)]
    assert kept == ["VrouterStatsAgent", "VrouterStatsAgent.drop_stats", "VrouterStatsAgent.drop_stats.ds_invalid_nh",
                    "VrouterStatsAgent.drop_stats_1h", "VrouterStatsAgent.drop_stats_1h.ds_invalid_nh"]
    # a value finds its line too, and the way to it
    kept = [ln.path for ln in lines if compile_filter("contrail-vrouter-nodemgr", lowered=True)(ln.search)]
    assert "NodeStatus" in kept and "NodeStatus.process_info[1].process_name" in kept
    assert "VrouterStatsAgent" not in kept


def test_a_raw_uve_keeps_its_sandesh_types_and_a_conflict_says_who_said_what():
    raw = {"NodeStatus": {"@type": "struct", "name": {"@type": "string", "#text": "compute1"},
                          "process_status": {"@type": "list", "list": {"@type": "struct", "@size": "1", "element": [
                              {"@type": "struct", "module_id": {"@type": "string", "#text": "contrail-vrouter-agent"},
                               "state": {"@type": "string", "#text": "Functional"}}]}},
                          "disk": {"@type": "list", "list": {"@type": "u64", "@size": "2", "element": ["1", "2"]}}}}
    lines = {ln.path: ln for ln in uve_tree(raw)}
    assert lines["NodeStatus"].kind == "struct" and lines["NodeStatus"].container
    assert lines["NodeStatus.name"].value == "compute1" and lines["NodeStatus.name"].kind == "string"
    assert lines["NodeStatus.process_status"].kind == "list" and lines["NodeStatus.process_status"].value == "1 item(s)"
    assert lines["NodeStatus.process_status[0]"].label == "[0] contrail-vrouter-agent"
    assert lines["NodeStatus.process_status[0].state"].value == "Functional"
    assert [lines[f"NodeStatus.disk[{i}]"].value for i in (0, 1)] == ["1", "2"]
    flat = {"VrouterAgent": {"build_info": [["1.0", "compute1:Compute:contrail-vrouter-agent:0"],
                                            ["1.1", "compute1:Compute:contrail-vrouter-agent:1"]]}}
    line = {ln.path: ln for ln in uve_tree(flat)}["VrouterAgent.build_info"]
    assert line.conflict and line.value == ("1.0 from compute1:Compute:contrail-vrouter-agent:0 | "
                                            "1.1 from compute1:Compute:contrail-vrouter-agent:1")
    assert uve_tree({}) == [] and uve_tree(None) == []


# ------------------------------------------------------------------------------------------ nodes


def _alarm(table: str, name: str, severity: str = "major", ack: bool = False, kind: str = "process-status") -> Alarm:
    return Alarm(table, name, f"default-global-system-config:system-defined-{kind}", 1, severity, ack)


def test_alarms_find_their_node_by_name_address_or_first_label():
    index = NodeIndex([("ctrl1", "10.0.0.1"), ("compute1.lab.example", "10.0.1.1"), ("10.0.2.1", "10.0.2.1")])
    alarms = [
        _alarm("control-node", "ctrl1.lab.example"),  # the host's FQDN, the inventory's short name
        _alarm("config-node", "ctrl1", "critical", kind="disk-usage-high"),
        _alarm("vrouter", "compute1"),  # short host name, the inventory's FQDN
        _alarm("vrouter", "10.0.2.1", "minor"),  # keyed by address
        _alarm("vrouter", "10.0.2.9"),  # an address of no node: nobody's
        _alarm("analytics-node", "ctrl1", ack=True),  # acknowledged: no bell
        _alarm("virtual-network", "ctrl1"),  # not a node's UVE, whatever its key
    ]
    found = alarms_by_node(alarms, index)
    assert {n: len(a) for n, a in found.items()} == {"ctrl1": 2, "compute1.lab.example": 1, "10.0.2.1": 1}
    assert mark_of(found["ctrl1"]).worst == "critical" and mark_of(found["ctrl1"]).count == 2
    assert mark_of(found["10.0.2.1"]).worst == "minor"
    assert index.find("10.0.2") is None and index.find("ctrl2") is None


def test_a_nodes_object_types_follow_its_roles():
    assert object_types_for(["vrouter"]) == ("vrouter",)
    assert object_types_for(["config", "control", "database", "analytics", "webui", "kube_manager"]) == (
        "control-node", "config-node", "analytics-node", "database-node", "kubernetes-manager-node")
    assert object_types_for(["webui", "k8s_master"]) == ()


def test_a_logged_node_status_in_a_few_words():
    fields = {"data": {"name": "ctrl3", "deleted": False, "process_status": [
        {"module_id": "contrail-config-database-nodemgr", "state": "Non-Functional", "description": "Disk low."},
        {"module_id": "contrail-api", "state": "Functional", "description": "ignored when functional"}],
        "process_info": [{"process_name": "rabbitmq", "process_state": "PROCESS_STATE_EXITED"},
                         {"process_name": "cassandra", "process_state": "PROCESS_STATE_RUNNING"}]}}
    assert node_status_summary(fields) == ("contrail-config-database-nodemgr Non-Functional: Disk low. · "
                                           "contrail-api Functional · rabbitmq EXITED")
    # beside the sender's name, its own state needs no name
    assert node_status_summary(fields, module="contrail-api").startswith("contrail-config-database-nodemgr Non-")
    assert " · Functional · rabbitmq EXITED" in node_status_summary(fields, module="contrail-api")
    assert node_status_summary({"data": {"deleted": True}}) == "deleted"
    assert node_status_summary({}) == "NodeStatus"


# ------------------------------------------------------------------------------------------ the forms


def test_the_log_form_makes_the_query_contrail_logs_would_send_and_back():
    query, last = parse_log_form({"object_type": "vrouter", "object_id": "compute1", "message_type": "NodeStatusUVE",
                                  "level": "warn", "last": "30m"})
    assert query == LogQuery(object_type="vrouter", object_id="compute1", message_type="NodeStatusUVE",
                             level="SYS_WARN")
    assert last == "30m" and query.table == "ObjectVRouter"
    assert parse_log_form(log_values(query, last)) == (query, last)
    assert describe_log_query(query, last) == "ObjectVRouter · object compute1 · NodeStatusUVE · level ≤ SYS_WARN · last 30m"
    assert parse_log_form({}) == (LogQuery(), "10m")


@pytest.mark.parametrize("answers, says", [
    ({"object_type": "vrouters"}, "unknown object type 'vrouters'"),
    ({"level": "LOUD"}, "unknown level 'LOUD'"),
    ({"last": "ten minutes"}, "is not a time like 10m"),
    ({"object_id": "a\x1b[2Jb"}, "control characters"),
])
def test_the_log_form_says_what_is_wrong_before_anything_is_sent(answers, says):
    with pytest.raises(QueryError, match=says.replace("(", r"\(").replace("[", r"\[")):
        parse_log_form(answers)


def test_the_flow_form_checks_endpoints_protocol_and_port():
    query, last = parse_flow_form({"src": "10.47.255.251", "dst": "2001:db8::1", "protocol": "TCP", "dport": "22",
                                   "action": "Drop", "last": "2h"})
    assert query == FlowQuery(src="10.47.255.251", dst="2001:db8::1", protocol=6, dport=22, action="drop")
    assert last == "2h" and parse_flow_form(flow_values(query, last)) == (query, last)
    assert describe_flow_query(query, last) == "FlowRecordTable · 10.47.255.251 → 2001:db8::1 · tcp/22 · drop · last 2h"
    assert parse_flow_form({"protocol": "47"})[0].protocol == 47
    # the Table box: SessionRecordTable, from either end
    server, _ = parse_flow_form({"dst": "10.47.255.250", "table": "Sessions server"})
    assert (server.table, server.session_type, server.dst) == ("SessionRecordTable", "server", "10.47.255.250")
    assert parse_flow_form(flow_values(server, "1h")) == (server, "1h")
    assert parse_flow_form({"table": "sessions"})[0].session_type == "client"
    assert describe_flow_query(server, "1h").startswith("SessionRecordTable (server sessions) · any → 10.47.255.250")
    for bad, says in (({"src": "10.0.0.300"}, "source IP"), ({"dport": "65536"}, "destination port"),
                      ({"protocol": "gre?"}, "protocol"), ({"table": "sessions both"}, "table"),
                      ({"table": "FlowSeriesTable"}, "table")):
        with pytest.raises(QueryError, match=says):
            parse_flow_form(bad)


def test_the_stats_form_selects_the_value_with_its_time_and_source():
    ask = parse_stats_form({"table": "StatTable.VrouterStatsAgent.flow_rate", "value": "flow_rate.added_flows",
                            "where": "name=compute1, Source=comp*", "last": "15m"})
    assert ask.query.select == ("flow_rate.added_flows", "T", "Source")
    assert ask.query.where == (("name", "compute1"), ("Source", "comp*")) and ask.last == "15m"
    assert parse_stats_form(stats_values(ask)) == ask
    assert [m["name"] for m in ask.query.body("now-15m", "now")["where"][0]] == ["name", "Source"]
    with pytest.raises(QueryError, match="not a stat table"):
        parse_stats_form({"table": "FlowRecordTable"})
    with pytest.raises(QueryError, match="NAME=VALUE"):
        parse_stats_form({"where": "name"})


# ------------------------------------------------------------------------------------------ the plot


def test_points_spread_over_the_time_range():
    points = [(0, 1.0), (10, 3.0), (50, 5.0), (100, 9.0)]
    assert resample(points, 4) == [2.0, None, 5.0, 9.0]  # means per bucket; an empty bucket is None
    assert resample(points, 2, start=50, end=100) == [5.0, 9.0]  # points outside the range left out
    assert spark(points, 4) == "▁▁▄█"  # a gap takes the value before it
    assert spark([], 10) == ""


def test_the_plot_is_as_high_as_asked_and_scaled_from_lowest_to_highest():
    points = [(i, float(v)) for i, v in enumerate([10, 20, 30, 40])]
    lines = plot(points, 80, 2)
    assert len(lines) == 2 and all(len(line) == 4 for line in lines)  # no more columns than points
    bottom, top = lines[1], lines[0]
    assert bottom[0] == "▁" and top[0] == " "  # the lowest value: an eighth
    assert bottom[-1] == "█" and top[-1] == "█"  # the highest: full height
    assert plot([], 10, 3) == [] and plot(points, 10, 0) == []
