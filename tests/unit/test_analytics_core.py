"""core/analytics over published samples: every alarm form, UVE shapes, query bodies, result rows, status."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from conftest import DATA

from tftui.core.analytics import alarms as al
from tftui.core.analytics import query as q
from tftui.core.analytics.results import (
    format_ts,
    log_line,
    parse_query_status,
    parse_rows,
    render_sandesh_xml,
    session_row,
    sparkline,
    stat_series,
)
from tftui.core.analytics.settings import analytics_settings, status_source
from tftui.core.analytics.status import reported_statuses, service_states
from tftui.core.analytics.uve import (
    UveFilters,
    is_conflict,
    node_status_of,
    parse_key_list,
    parse_multi,
    parse_type_list,
    unflatten_sandesh,
    uve_rows,
)
from tftui.core.catalog import services_for_roles
from tftui.core.inventory import ConfigError, parse_cluster
from tftui.core.sandesh import F, M, S, encode_message

REAL = DATA / "introspect-real"
HERE = Path(__file__).resolve().parent.parent / "data" / "analytics"


def _after_prompt(name: str) -> str:
    """The doc samples start with the curl prompt line; the rest is the reply."""
    return next(REAL.glob(name)).read_text().split("\n", 1)[1]


# ------------------------------------------------------------------------------------------ alarms


def test_current_alarm_form_from_the_web_ui_mock():
    uve = json.loads((HERE / "alarm_current_vmi.tf-web-controller-mock.json").read_text())
    [a] = al.alarms_of_uve("virtual-machine-interface", "default-domain:admin:08242801", uve)
    assert a.form == al.FORM_CURRENT and a.severity_name == al.MINOR and not a.ack
    [[term]] = a.terms
    assert term.operand1 == "UveVMInterfaceAgent.added_flows_ewm.sigma" and term.operation == "<="
    assert term.value1 == pytest.approx(-2.90129e-44)
    assert dict(term.variables) == {"UveVMInterfaceAgent.virtual_network": "default-domain:admin:frontend",
                                    "UveVMInterfaceAgent.vm_name": "front01"}
    assert a.sentence == ("default-domain:admin:frontend, front01: sigma is -2.90129e-44 on "
                          "default-domain:admin:08242801 (threshold <= 1)")
    assert a.token and a.timestamp == 1480025795039256


def test_r30_any_of_form_from_the_tf_wiki():
    text = (HERE / "alarm_r3.0_any_of.tf-docs-wiki.txt").read_text()
    details = json.loads(text.split("Details : ", 1)[1])
    severity = int(re.search(r"Severity : (\d+)", text).group(1))
    a = al.parse_alarm("analytics-node", "nodec40", {"any_of": details, "severity": severity, "ack": False,
                                                    "type": "ProcessStatus"})
    assert a.form == al.FORM_ANY_OF
    assert a.severity_name == al.MAJOR  # 3 was SYS_ERR in the Sandesh-level numbering of R3.0
    assert a.sentence == "contrail-snmp-collector is PROCESS_STATE_STOPPED on nodec40 (expected RUNNING)"


def test_transitional_rules_forms_built_from_the_sandesh_definitions():
    # 7101b60 (2016-04): rules: [{rule: [AlarmConditionMatch]}], operand2 a string, vars/json_vars
    rules_2016 = {"type": "ProcessStatus", "severity": 3, "rules": [{"rule": [{
        "condition": {"operation": "!=", "operand1": "NodeStatus.process_info.process_state",
                      "operand2": "\"PROCESS_STATE_RUNNING\"", "vars": ["NodeStatus.process_info.process_name"]},
        "match": [{"json_operand1_value": "\"PROCESS_STATE_EXITED\"",
                   "json_vars": {"NodeStatus.process_info.process_name": "\"contrail-topology\""}}]}]}]}
    a = al.parse_alarm("analytics-node", "a1", rules_2016)
    assert a.form == al.FORM_RULES and a.severity_name == al.MAJOR
    assert a.sentence == "contrail-topology is PROCESS_STATE_EXITED on a1 (expected RUNNING)"
    # f572450 (2015-11): rules: [{oper, operand1: {name, json_value}, operand2: {json_value}}]
    rules_2015 = {"type": "PartialSysinfo", "severity": 4, "rules": [
        {"oper": "==", "operand1": {"name": "VrouterAgent.build_info", "json_value": "null"},
         "operand2": {"json_value": "null"}}]}
    b = al.parse_alarm("vrouter", "cmp1", rules_2015)
    assert b.severity_name == al.MINOR
    assert b.sentence == "build_info is null on cmp1 (must not be null)"
    # 9b2e33d (2015-04): description: [{rule, value}]
    c = al.parse_alarm("vrouter", "cmp1", {"type": "ProcessStatus", "severity": 4, "description": [
        {"rule": "NodeStatus.process_info.process_state != PROCESS_STATE_RUNNING", "value": "PROCESS_STATE_STOPPED"}]})
    assert c.form == al.FORM_DESCRIPTION
    assert c.sentence == ("NodeStatus.process_info.process_state != PROCESS_STATE_RUNNING: PROCESS_STATE_STOPPED "
                          "on cmp1")


@pytest.mark.parametrize(("value", "legacy", "name"), [
    (0, False, "critical"), (1, False, "major"), (2, False, "minor"), (None, False, "major"),
    (2, True, "critical"), (3, True, "major"), (4, True, "minor"), (5, True, "minor")])
def test_severity_names(value, legacy, name):
    assert al.severity_name(value, legacy) == name


def test_alarms_reply_sorted_and_identified():
    doc = {"vrouter": [{"name": "c1", "value": {"UVEAlarms": {"alarms": [
        {"type": "t:minor", "severity": 2, "ack": False, "description": "a minor thing"},
        {"type": "t:crit", "severity": 0, "ack": True, "description": "acked critical"}]}}}],
        "control-node": [{"name": "k1", "value": {"UVEAlarms": {"alarms": [
            {"type": "t:major", "severity": 1, "ack": False, "description": "peer down"}]}}}], "garbage": "x"}
    found = al.parse_alarms_reply(doc)
    assert [a.severity_name for a in found] == ["critical", "major", "minor"]
    assert found[1].sentence == "peer down on k1"
    assert len({a.id for a in found}) == 3 and all(re.fullmatch(r"[0-9a-f]{8}", a.id) for a in found)
    assert al.parse_alarms_reply([]) == [] and al.parse_alarm("x", "y", {}).severity_name == "major"


# ------------------------------------------------------------------------------------------ UVEs


def test_type_and_key_lists_from_the_opserver_doc():
    types = parse_type_list(json.loads(_after_prompt("50_*")))
    assert "vrouters" in types and "control-nodes" in types and "analytics-nodes" in types
    assert parse_key_list(json.loads(_after_prompt("51_*"))) == ["a1s34"]


def test_flat_vrouter_uve_gives_core_node_status_and_service_states():
    uve = json.loads(_after_prompt("52_*"))
    ns = node_status_of(uve)
    assert {p.process_name for p in ns.process_info} == {"contrail-vrouter-agent", "contrail-vrouter-nodemgr"}
    agent = next(p for p in ns.process_status if p.module_id == "contrail-vrouter-agent")
    assert agent.state == "Functional"
    assert all(p.description != "None" for p in ns.process_status)  # JSON null is no description
    reports = reported_statuses("vrouter", {"a1s34": uve}, fetched_at=1_490_400_000.0)
    states = service_states(services_for_roles(["vrouter"]), [reports["a1s34"]], now=1_490_400_010.0)
    assert states["vrouter-agent"].status == "active" and states["vrouter-agent"].evidence == "analytics"
    assert states["vrouter-nodemgr"].node_statuses == (ns,)  # nodemgr evidence for process-based services
    assert service_states(services_for_roles(["vrouter"]), [reports["a1s34"]], now=1_490_400_000.0 + 10_000,
                          stale_after=300) == {}  # stale: introspect's turn
    rows = uve_rows(uve)
    assert any(r.path == "VrouterStatsAgent.drop_stats.ds_discard" for r in rows)


def test_multi_get_filters_conflicts_and_raw_values():
    assert parse_multi({"value": [{"name": "n1", "value": {"S": {"a": 1}}}]}) == {"n1": {"S": {"a": 1}}}
    with pytest.raises(ValueError):
        parse_multi({"oops": 1})
    f = UveFilters(cfilt=("NodeStatus:process_info", "VrouterAgent"), kfilt=("cmp*",), ackfilt=False)
    assert f.params() == [("flat", ""), ("cfilt", "NodeStatus:process_info,VrouterAgent"), ("kfilt", "cmp*"),
                          ("ackfilt", "false")]
    assert f.body() == {"kfilt": ["cmp*"], "cfilt": ["NodeStatus:process_info", "VrouterAgent"], "ackfilt": False}
    conflict = [["a", "h1:Compute:contrail-vrouter-agent:0"], ["b", "h2:Compute:contrail-vrouter-agent:0"]]
    assert is_conflict(conflict) and not is_conflict(["a", "b"])
    [row] = uve_rows({"S": {"x": conflict}})
    assert row.conflict and row.value.startswith("a from h1:")
    raw = {"VrouterAgent": {"@type": "struct", "total_interface_count": {"@type": "u32", "#text": "5"},
                            "self_ip_list": {"@type": "list", "list": {"@type": "string", "@size": "1",
                                                                       "element": ["10.0.0.1"]}}}}
    assert unflatten_sandesh(raw) == {"VrouterAgent": {"total_interface_count": 5, "self_ip_list": ["10.0.0.1"]}}


# ------------------------------------------------------------------------------------------ queries


def test_log_query_as_contrail_logs_builds_it():
    body = q.LogQuery(object_type="vrouter", object_id="cmp1", message_type="NodeStatusUVE").body(1, 2)
    assert body == {"table": "ObjectVRouter", "start_time": 1, "end_time": 2,
                    "select_fields": ["MessageTS", "Source", "ModuleId", "Messagetype", "ObjectLog", "SystemLog"],
                    "where": [[{"name": "ObjectId", "value": "cmp1", "op": 1, "value2": None, "suffix": None},
                               {"name": "Messagetype", "value": "NodeStatusUVE", "op": 1, "value2": None,
                                "suffix": None}]],
                    "sort_fields": ["MessageTS"], "sort": 1}
    prefix = q.LogQuery(object_type="control-node", object_id="ctrl*").body("now-10m", "now")
    assert prefix["table"] == "ObjectBgpRouter" and prefix["where"][0][0]["op"] == q.PREFIX
    # the opserver doc's MessageTable query: ModuleId and Messagetype ANDed in one group
    doc = json.loads(next(REAL.glob("53_*")).read_text().splitlines()[1])
    ours = q.LogQuery(module="ControlNode", message_type="BgpPeerMessageLog").body(doc["start_time"], doc["end_time"])
    assert ours["table"] == doc["table"] and ours["sort_fields"] == doc["sort_fields"]
    strip = [{k: m[k] for k in ("name", "value", "op")} for m in ours["where"][0]]
    assert sorted(strip, key=str) == sorted(doc["where"][0], key=str)
    lvl = q.LogQuery(level="SYS_WARN").body(1, 2)
    assert lvl["filter"] == [[{"name": "Level", "value": 4, "op": q.LEQ, "value2": None, "suffix": None}]]
    with pytest.raises(q.QueryError):
        q.LogQuery(object_type="no-such-thing").body(1, 2)


def test_times_and_windows():
    now = 1_700_000_000_000_000
    assert q.resolve_time("now-10m", now) == now - 600_000_000
    assert q.resolve_time("now+1h", now) == now + 3_600_000_000
    assert q.resolve_time(str(now), 0) == now and q.resolve_time("now", now) == now
    assert q.last_range("1h") == ("now-1h", "now")
    for bad in ("10 minutes", "now-10x", "-"):
        with pytest.raises(q.QueryError):
            q.resolve_time(bad if bad.startswith("now") else "now-" + bad, now)
    w = q.windows(0, 25 * 60 * 1_000_000)
    assert len(w) == 3 and w[0] == (0, q.WINDOW_US) and w[-1][1] == 25 * 60 * 1_000_000


def test_flow_and_stats_queries():
    body = q.FlowQuery(src="10.1.1.3", dst="10.1.2.4", action="drop").body("now-1h", "now")
    assert body["table"] == "FlowRecordTable" and body["dir"] == 1
    assert [m["name"] for m in body["where"][0]] == ["sourceip", "destip"]
    assert body["filter"][0][0]["name"] == "action" and "drop_reason" in body["select_fields"]
    with pytest.raises(q.QueryError):
        q.StatsQuery("StatTable.VrouterStatsAgent.flow_rate", ("T", "T=")).body(1, 2)
    with pytest.raises(q.QueryError):
        q.StatsQuery("MessageTable", ("T",)).body(1, 2)
    assert q.parse_where_terms(["name=cmp1"]) == (("name", "cmp1"),)


def test_session_queries_as_contrail_sessions_sends_them():
    # tf-analytics contrail-opserver/test/test_sessions.py, test_1_session_record_query:
    # `contrail-sessions --table SessionRecordTable --session-type client --where server_port=8080 protocol=6`
    published = [{"suffix": None, "value2": None, "name": "server_port", "value": 8080, "op": 1},
                 {"suffix": None, "value2": None, "name": "protocol", "value": 6, "op": 1}]
    body = q.FlowQuery(protocol=6, dport=8080, table=q.SESSION_RECORD_TABLE).body("now-10m", "now")
    assert body["table"] == "SessionRecordTable" and body["session_type"] == "client"
    assert body["is_service_instance"] == 0 and "dir" not in body  # opserver_util's default for session tables
    assert sorted(body["where"][0], key=lambda m: m["name"]) == sorted(published, key=lambda m: m["name"])
    # a client session's local end is the source; a server session's the destination. remote_ip is not indexed
    # (viz.sandesh): a filter, as are vrouter and action
    client = q.FlowQuery(src="10.1.1.3", dst="10.1.2.4", action="drop", table=q.SESSION_RECORD_TABLE).body(1, 2)
    assert [(m["name"], m["value"]) for m in client["where"][0]] == [("local_ip", "10.1.1.3")]
    assert [(m["name"], m["value"]) for m in client["filter"][0]] == [("remote_ip", "10.1.2.4"),
                                                                       ("forward_action", "drop")]
    server = q.FlowQuery(src="10.1.1.3", dst="10.1.2.4", table=q.SESSION_RECORD_TABLE,
                         session_type="server").body(1, 2)
    assert [(m["name"], m["value"]) for m in server["where"][0]] == [("local_ip", "10.1.2.4")]
    assert server["session_type"] == "server" and server["filter"][0][0]["value"] == "10.1.1.3"
    with pytest.raises(q.QueryError):
        q.FlowQuery(table="SessionSeriesTable")
    with pytest.raises(q.QueryError):
        q.FlowQuery(table=q.SESSION_RECORD_TABLE, session_type="both")


def test_session_rows_read_as_flows_from_client_to_server():
    # the published result row of test_sessions.py, widened with the columns a flow history shows
    row = {"forward_flow_uuid": "e541b3bd-a804-4b94-afc2-e06c9c02b05e", "local_ip": "1.0.0.2", "server_port": 8080,
           "session_type": "client", "remote_ip": "1.0.0.9", "client_port": 50123, "protocol": 6,
           "forward_action": "deny", "forward_drop_reason": "Firewall Policy", "T": 1442446560000000,
           "security_policy_rule": "default-policy-management:p1:9d0f1e1a-2b1c-4e55-8f5e-7a0b1c2d3e4f",
           "vn": "default-domain:admin:vn1", "remote_vn": "default-domain:admin:vn2", "vrouter": "cmp1"}
    r = session_row(row)
    assert (r.source_ip, r.sport, r.dest_ip, r.dport, r.source_vn, r.dest_vn) == (
        "1.0.0.2", 50123, "1.0.0.9", 8080, "default-domain:admin:vn1", "default-domain:admin:vn2")
    assert (r.action, r.drop_reason, r.direction, r.setup_time) == ("deny", "Firewall Policy", "client session",
                                                                     1442446560000000)
    assert r.policy_rule.endswith(":9d0f1e1a-2b1c-4e55-8f5e-7a0b1c2d3e4f")
    s = session_row({**row, "session_type": "server", "local_ip": "1.0.0.9", "remote_ip": "1.0.0.2",
                     "vn": "default-domain:admin:vn2", "remote_vn": "default-domain:admin:vn1"})
    assert (s.source_ip, s.dest_ip, s.source_vn, s.direction) == ("1.0.0.2", "1.0.0.9", "default-domain:admin:vn1",
                                                                 "server session")
    assert session_row({}).source_ip == ""  # a row missing every column is empty, not an error


# ------------------------------------------------------------------------------------------ results


def test_message_table_rows_from_the_opserver_doc_render_as_contrail_logs_lines():
    text = next(REAL.glob("53_*")).read_text()
    rows = [json.loads(m) for m in re.findall(r"\{\s*\"Category\".*?\}", text, re.S)]
    assert len(rows) == 4
    line = log_line(rows[0])
    assert line.text == ("PeerType = Bgp, str2 = Peer, Peer = 10.84.11.252, Direction = >, "
                         "Message = Send Keepalive 19 bytes")
    assert line.line.endswith("a3s16 [:ControlNode::BGP][] : BgpPeerMessageLog:130991 " + line.text)


def test_object_log_line_reproduces_the_seed_contrail_logs_output():
    seed = (DATA / "seed" / "contrail-logs_vrouter_NodeStatusUVE.txt").read_text().strip()
    host = "ip-172-31-10-212.ap-northeast-1.compute.internal"

    def part(used, avail, pct):
        return S("DiskPartitionUsageStats", [F("partition_type", "string", "xfs", 1),
                                             F("partition_space_used_1k", "u64", used, 3),
                                             F("partition_space_available_1k", "u64", avail, 4),
                                             F("percentage_partition_space_used", "u16", pct, 5)])

    def cpu(virt, share, res):
        return S("ProcessCpuInfo", [F("mem_virt", "u32", virt, 3), F("cpu_share", "double", share, 4),
                                    F("mem_res", "u32", res, 5)])

    xml = encode_message("NodeStatusUVE", [F("data", "struct", S("NodeStatus", [
        F("name", "string", host, 1, key="ObjectVRouter"),
        F("disk_usage_info", "map", M("string", "struct", [("/dev/xvda1", part(3161708, 28284288, 10))]), 6),
        F("process_mem_cpu_usage", "map", M("string", "struct", [
            ("contrail-vrouter-agent", cpu(218252, 0.47, 122904)),
            ("contrail-vrouter-nodemgr", cpu(60320, 0.4, 26260))]), 10),
        F("system_mem_usage", "struct", S("SysMemInfo", [
            F("total", "u32", 16265888, 1), F("used", "u32", 705984, 2), F("free", "u32", 14651512, 3),
            F("buffers", "u32", 2600, 4), F("cached", "u32", 905792, 5), F("node_type", "string", "vrouter", 6)]), 13),
        F("system_cpu_usage", "struct", S("SysCpuInfo", [
            F("one_min_avg", "double", 0.07, 1), F("five_min_avg", "double", 0.09, 2),
            F("fifteen_min_avg", "double", 0.08, 3), F("cpu_share", "double", 0.35, 4),
            F("node_type", "string", "vrouter", 5)]), 14),
    ]), 1)])
    ts = datetime.datetime(2018, 5, 19, 9, 53, 32, 427291)  # the tests run with TZ=UTC, as the seed's host did
    us = int(ts.replace(tzinfo=datetime.UTC).timestamp()) * 1_000_000 + 427291
    row = {"MessageTS": us, "Source": host, "ModuleId": "contrail-vrouter-nodemgr", "Messagetype": "NodeStatusUVE",
           "ObjectLog": xml, "SystemLog": ""}
    assert log_line(row).line == seed


def test_hostile_xml_in_a_log_row_is_shown_not_expanded():
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa">]><X type="sandesh"><m type="string">&a;</m></X>'
    text = render_sandesh_xml(bomb)
    assert "aaaa" not in text.replace('"aaaa"', "") and text.startswith("<!DOCTYPE")
    assert render_sandesh_xml("not xml \x9b[31m") == "not xml \\x9b[31m"
    assert format_ts("x") == "Time: NA"


def test_query_status_rows_and_series():
    st = parse_query_status({"progress": 100, "chunks": [{"href": "/analytics/query/q/chunk-final/0", "lines": 3}]})
    assert st.done and st.chunks == ("/analytics/query/q/chunk-final/0",) and st.lines == 3
    assert parse_query_status({"progress": -5}).failed
    with pytest.raises(ValueError):
        parse_query_status({"chunks": []})
    with pytest.raises(ValueError):
        parse_rows([1, 2])
    series = stat_series([{"T=": 2, "Source": "a", "v": 2.0}, {"T=": 1, "Source": "a", "v": 1}, {"Source": "b"}], "v")
    assert [(s.key, s.points) for s in series] == [("a", ((1, 1.0), (2, 2.0)))]
    assert sparkline([0, 1, 2, 3]) == "▁▃▆█" and sparkline([]) == ""


# ------------------------------------------------------------------------------------------ settings


def test_settings_discovery_and_status_source():
    nodes = [{"name": "c1", "address": "10.0.0.10", "roles": ["config", "analytics"]},
             {"name": "v1", "address": "10.0.0.21", "roles": ["vrouter"]}]
    spec = parse_cluster("x", {"nodes": nodes}, "t")
    s = analytics_settings(spec)
    assert s.url == "http://10.0.0.10:8081" and s.discovered and status_source(spec) == "introspect"
    spec = parse_cluster("x", {"nodes": nodes, "analytics_api": "https://a.example:8081/", "status_source": "auto",
                               "analytics": {"verify": False, "stale_after": 60}}, "t")
    s = analytics_settings(spec)
    assert s.url == "https://a.example:8081" and not s.discovered and not s.tls.verify and s.stale_after == 60
    assert status_source(spec) == "auto"
    assert analytics_settings(parse_cluster("x", {"nodes": nodes[1:]}, "t")) is None  # analytics-less
    for bad in ({"status_source": "both"}, {"analytics_api": "ftp://x"}, {"analytics": {"stale_after": "x"}}):
        with pytest.raises(ConfigError):  # a wrong type or choice already when the config is parsed (the schema)
            spec = parse_cluster("x", {"nodes": nodes, **bad}, "t")
            analytics_settings(spec)
            status_source(spec)
