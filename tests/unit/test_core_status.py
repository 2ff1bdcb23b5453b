"""contrail-status's rules, service by service, and the node/cluster verdicts built on them."""

from __future__ import annotations

import pytest

from tftui.core.catalog import services_for_roles
from tftui.core.cluster import evaluate_node, summary_line
from tftui.core.inventory import NodeSpec
from tftui.core.nodestatus import NodeStatus, ProcessInfo, ProcessStatus, encode_node_status_reply
from tftui.core.render import status_json, status_verdict
from tftui.core.status import (
    BACKUP,
    FetchKind,
    FetchResult,
    Health,
    ProbeResult,
    evaluate_introspect,
    service_health,
)

SVC = {s.key: s for s in services_for_roles(["config", "control", "config_database", "webui", "vrouter",
                                              "kubemanager", "analytics"])}


def reply(state="Functional", description="", processes=()):
    ns = NodeStatus("n", process_status=(ProcessStatus("m", state=state, description=description),),
                    process_info=tuple(ProcessInfo(p, s) for p, s in processes))
    return FetchResult(FetchKind.REPLY, 200, encode_node_status_reply([ns]))


@pytest.mark.parametrize("state,description,expected", [
    ("Functional", "", "active"),
    ("Functional", "Collector connection down", "active (Collector connection down)"),
    ("Non-Functional", "Collector connection down", "initializing (Collector connection down)"),
    ("Non-Functional", "NTP state unsynchronized. ", "initializing (NTP state unsynchronized. )"),
    ("Non-Functional", "", "initializing"),
    ("Initializing", "", "initializing"),
])
def test_process_state_and_description(state, description, expected):
    assert evaluate_introspect(SVC["control"], reply(state, description)).status == expected


@pytest.mark.parametrize("key,expected", [("schema", "backup"), ("svc-monitor", "backup"),
                                          ("device-manager", "backup"), ("kube-manager", "backup"),
                                          ("config-api", "initializing"), ("vrouter-agent", "initializing")])
def test_connection_refused(key, expected):
    st = evaluate_introspect(SVC[key], FetchResult(FetchKind.REFUSED, error="connection refused"))
    assert st.status == expected
    assert st.ok == (expected == BACKUP)


def test_timeout_http_error_and_bad_body():
    assert evaluate_introspect(SVC["control"], FetchResult(FetchKind.TIMEOUT)).status == "timeout"
    st = evaluate_introspect(SVC["control"], FetchResult(FetchKind.REPLY, 500, b"oops"))
    assert (st.status, st.reason) == ("initializing", "HTTP 500")
    st = evaluate_introspect(SVC["control"], FetchResult(FetchKind.REPLY, 200, b"<half"))
    assert st.status.startswith("bad reply: malformed XML")
    st = evaluate_introspect(SVC["control"], FetchResult(FetchKind.ERROR, error="reply cut off mid-body"))
    assert st.status == "bad reply: reply cut off mid-body"


def test_reply_without_node_status_is_initializing():
    body = encode_node_status_reply([NodeStatus("n")])
    st = evaluate_introspect(SVC["control"], FetchResult(FetchKind.REPLY, 200, body))
    assert st.status == "initializing"
    assert "no NodeStatus" in st.reason


def test_first_node_status_with_process_status_wins():
    body = encode_node_status_reply([
        NodeStatus("n"),
        NodeStatus("n", process_status=(ProcessStatus("a", state="Non-Functional", description="first"),
                                        ProcessStatus("b", state="Functional", description="second"))),
    ])
    assert evaluate_introspect(SVC["control"], FetchResult(FetchKind.REPLY, 200, body)).status == "initializing (first)"


def controller(**extra_ports):
    return NodeSpec("ctrl", "10.0.0.1", ("config", "config_database", "control", "webui"))


def test_services_without_introspect_use_nodemgr_process_info():
    spec = controller()
    fetches = {s.key: reply() for s in spec.services() if s.port}
    fetches["config-database-nodemgr"] = reply(processes=[("cassandra", "PROCESS_STATE_RUNNING"),
                                                          ("zookeeper", "PROCESS_STATE_EXITED")])
    fetches["control-nodemgr"] = reply(processes=[("contrail-named", "PROCESS_STATE_RUNNING")])
    result = evaluate_node(spec, fetches, {"webui-web": ProbeResult(8143, FetchKind.REPLY)}, at=1.0)
    blocks = result.blocks()
    assert blocks["config-database"]["cassandra"].status == "active"
    assert blocks["config-database"]["zookeeper"].status == "inactive (PROCESS_STATE_EXITED)"
    assert blocks["control"]["named"].status == "active"
    # rabbitmq: nobody reports it and it was not probed: unknown, never active
    assert blocks["config-database"]["rabbitmq"].status == "unknown"
    assert blocks["webui"]["web"].status == "active"
    assert blocks["webui"]["job"].status == "unknown"
    assert result.health() == Health.DEGRADED
    assert status_verdict([result]) == "fail"


def test_unknown_only_gives_the_unknown_verdict():
    spec = NodeSpec("w", "10.0.0.2", ("webui",))
    result = evaluate_node(spec, {}, {}, at=1.0)
    assert {s.state for s in result.services} == {"unknown"}
    assert status_verdict([result]) == "unknown"
    assert result.health() == Health.UNKNOWN


def test_all_active_and_backup_is_ok():
    spec = NodeSpec("c", "10.0.0.3", ("config",))
    fetches = {s.key: reply() for s in spec.services() if s.port}
    fetches["schema"] = FetchResult(FetchKind.REFUSED)
    result = evaluate_node(spec, fetches, {}, at=1.0)
    assert result.blocks()["config"]["schema"].status == "backup"
    assert status_verdict([result]) == "ok"


def test_unreachable_node():
    spec = NodeSpec("v", "10.0.0.4", ("vrouter",))
    result = evaluate_node(spec, {s.key: FetchResult(FetchKind.REFUSED) for s in spec.services()}, {}, at=1.0)
    assert not result.reachable
    assert result.health() == Health.UNREACHABLE
    assert status_verdict([result]) == "fail"
    assert status_json([result])["nodes"][0]["reachable"] is False


def test_analytics_less_collector_down_is_not_an_outage_in_the_tree():
    st = evaluate_introspect(SVC["control"], reply("Non-Functional", "Collector connection down"))
    assert service_health(st, analytics_expected=True) == Health.DEGRADED
    assert service_health(st, analytics_expected=False) == Health.OK


def test_json_shape():
    spec = NodeSpec("v", "10.0.0.4", ("vrouter", "k8s_node"))
    fetches = {"vrouter-agent": reply("Functional", "Collector connection down"),
               "vrouter-nodemgr": reply("Non-Functional", "Collector connection down")}
    doc = status_json([evaluate_node(spec, fetches, {}, at=5.0)])
    node = doc["nodes"][0]
    assert node["name"] == "v" and node["address"] == "10.0.0.4" and node["roles"] == ["vrouter", "k8s_node"]
    assert node["reachable"] is True
    agent = node["pods"]["vrouter"]["agent"]
    assert agent == {"state": "active", "description": "Collector connection down",
                     "status": "active (Collector connection down)", "reason": "process reports Functional",
                     "evidence": "introspect", "at": 0.0}


def test_summary_line():
    from collections import Counter
    assert summary_line(Counter({Health.OK: 41, Health.DEGRADED: 2, Health.UNREACHABLE: 1})) == \
        "41 ok / 2 degraded / 1 unreachable"


def test_identical_reply_reuses_the_previous_state_and_a_changed_one_is_parsed():
    spec = NodeSpec("v", "10.0.0.4", ("vrouter",))
    first = evaluate_node(spec, {"vrouter-agent": reply("Functional"), "vrouter-nodemgr": reply()}, {}, at=1.0)
    again = {"vrouter-agent": replace_at(reply("Functional"), 2.0), "vrouter-nodemgr": reply()}
    second = evaluate_node(spec, again, {}, at=2.0, previous=first)
    agent = second.service("vrouter-agent")
    assert agent.status == "active" and agent.at == 2.0
    changed = {"vrouter-agent": reply("Non-Functional", "No control-node connection"), "vrouter-nodemgr": reply()}
    third = evaluate_node(spec, changed, {}, at=3.0, previous=second)
    assert third.service("vrouter-agent").status == "initializing (No control-node connection)"
    # a failure after a good reply is never masked by the cache
    down = evaluate_node(spec, {"vrouter-agent": FetchResult(FetchKind.TIMEOUT), "vrouter-nodemgr": reply()}, {},
                         at=4.0, previous=third)
    assert down.service("vrouter-agent").status == "timeout"


def replace_at(fetch, at):
    from dataclasses import replace

    return replace(fetch, at=at)
