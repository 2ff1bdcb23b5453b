"""contrail-status's pods by release (core/catalog.py) and how a node's layout is decided from what answers
(core/layout.py), end to end through evaluate_node and the text/JSON renderings."""

from __future__ import annotations

from itertools import combinations

import pytest

from tftui.core.catalog import (
    LEGACY,
    MODERN,
    POD_ORDER,
    ROLE_GROUPS,
    ROLE_SERVICES,
    Layout,
    services_for_roles,
)
from tftui.core.cluster import evaluate_node, services_to_fetch
from tftui.core.inventory import NodeSpec
from tftui.core.layout import Evidence, decide_layout
from tftui.core.nodestatus import NodeStatus, ProcessInfo, ProcessStatus, encode_node_status_reply
from tftui.core.render import contrail_status_blocks, node_json
from tftui.core.status import FetchKind, FetchResult, ServiceState

LAYOUTS = (LEGACY, Layout(config_database=True, analytics=False), Layout(config_database=False, analytics=True),
           MODERN)
ROLES = tuple(ROLE_SERVICES)

# The pod maps of the real contrail-status (tf-container-builder containers/status/contrail-status.py,
# CONTRAIL_SERVICES_TO_SANDESH_SVC) at each split, for a node that runs every role of its time.
COMMON = {"control": {"nodemgr", "control", "named", "dns"}, "webui": {"web", "job"},
          "kubernetes": {"kube-manager"}, "vrouter": {"nodemgr", "agent"}}
CONFIG = {"nodemgr", "api", "schema", "svc-monitor", "device-manager"}
DB = {"cassandra", "zookeeper", "rabbitmq"}
PODS_5_0 = {**COMMON, "config": CONFIG | DB,  # Juniper/contrail-container-builder 84299b9b (2018-06)
            "analytics": {"nodemgr", "api", "collector", "query-engine", "alarm-gen"},
            "database": {"nodemgr", "cassandra", "zookeeper", "kafka"}}
PODS_CONFIG_DB = {**PODS_5_0, "config": CONFIG, "config-database": {"nodemgr"} | DB}  # 9cae773a (2018-07)
PODS_R5_1 = {**PODS_CONFIG_DB,  # b3d7835e (2019-01) and every later release
             "analytics": {"nodemgr", "api", "collector"},
             "analytics-alarm": {"nodemgr", "alarm-gen", "kafka"},
             "analytics-snmp": {"nodemgr", "snmp-collector", "topology"},
             "database": {"nodemgr", "query-engine", "cassandra"}}
ROLES_5_0 = ("config", "config_database", "control", "webui", "analytics", "analytics_database", "kubemanager",
             "vrouter")


def pods(roles, layout) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in services_for_roles(roles, layout):
        out.setdefault(s.pod, set()).add(s.name)
    return out


@pytest.mark.parametrize("layout, roles, expected", [
    (LEGACY, ROLES_5_0, PODS_5_0),
    (Layout(config_database=True, analytics=False), ROLES_5_0, PODS_CONFIG_DB),
    (MODERN, ROLES, PODS_R5_1),
])
def test_the_pods_are_contrail_status_s_for_each_release(layout, roles, expected):
    assert pods(roles, layout) == expected


def test_the_older_release_has_no_r5_1_roles_pods():
    assert pods(("analytics_alarm", "analytics_snmp"), LEGACY) == {}
    assert pods(("analytics", "analytics_alarm"), LEGACY) == {"analytics": {"nodemgr", "api", "collector",
                                                                            "query-engine", "alarm-gen"}}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_role_combination_names_each_service_once_per_pod(layout):
    for n in range(1, len(ROLES) + 1):
        for roles in combinations(ROLES, n):
            services = services_for_roles(roles, layout)
            keys = [s.key for s in services]
            places = [(s.pod, s.name) for s in services]
            assert len(keys) == len(set(keys)) and len(places) == len(set(places)), roles
            assert {s.pod for s in services} <= set(POD_ORDER)


def test_what_is_fetched_covers_every_release():
    everything = {s.key: s for s in services_for_roles(ROLES)}
    for layout in LAYOUTS:
        for s in services_for_roles(ROLES, layout):
            assert s.key in everything and everything[s.key].port == s.port
    assert [r for r in ROLE_GROUPS if r not in ROLE_SERVICES] == []


# ------------------------------------------------------------------------------------ evidence


def reply(state="Functional", description="", processes=()):
    ns = NodeStatus("n", process_status=(ProcessStatus("m", state=state, description=description),),
                    process_info=tuple(ProcessInfo(p, "PROCESS_STATE_RUNNING") for p in processes))
    return FetchResult(FetchKind.REPLY, 200, encode_node_status_reply([ns]))


REFUSED = FetchResult(FetchKind.REFUSED, error="connection refused")
TIMEOUT = FetchResult(FetchKind.TIMEOUT, error="no reply in time")


def states_of(roles, fetches) -> dict[str, ServiceState]:
    from tftui.core.cluster import introspect_states

    return introspect_states(services_for_roles(roles), fetches)


def decide(roles, fetches, previous=()):
    return decide_layout(roles, fetches, states_of(roles, fetches), previous)


@pytest.mark.parametrize("fetches, newer, why", [
    ({"config-database-nodemgr": reply()}, True, "config-database-nodemgr answered"),
    ({"config-database-nodemgr": FetchResult(FetchKind.ERROR, error="reset")}, True, "config-database-nodemgr answered"),
    ({"config-database-nodemgr": REFUSED, "config-nodemgr": reply(processes=["contrail-api", "cassandra"])}, False,
     "config-nodemgr lists cassandra"),
    ({"config-database-nodemgr": REFUSED, "config-nodemgr": reply()}, False, "config-database-nodemgr refused"),
    ({"config-database-nodemgr": TIMEOUT}, True, None),  # nothing known: today's layout, and no evidence kept
    ({}, True, None),
])
def test_the_config_database_pod_is_there_when_its_nodemgr_answers(fetches, newer, why):
    layout, evidence = decide(("config", "config_database"), fetches)
    assert layout.config_database is newer and layout.analytics  # the analytics split is not this node's business
    assert [e.why for e in evidence] == ([] if why is None else [why])


@pytest.mark.parametrize("roles, fetches, newer", [
    (("analytics", "analytics_alarm"), {"analytics-alarm-nodemgr": reply()}, True),
    (("analytics", "analytics_snmp"), {"analytics-snmp-nodemgr": reply(), "analytics-alarm-nodemgr": REFUSED}, True),
    (("analytics_database",), {"database-nodemgr": reply(processes=["contrail-query-engine", "cassandra"])}, True),
    (("analytics_database",), {"database-nodemgr": reply(processes=["cassandra", "kafka", "zookeeper"])}, False),
    (("analytics",), {"analytics-nodemgr": reply(processes=["contrail-collector", "contrail-alarm-gen"])}, False),
    (("analytics", "analytics_alarm"), {"analytics-alarm-nodemgr": REFUSED}, False),
    (("analytics",), {"analytics-nodemgr": reply(processes=["contrail-collector"])}, True),  # no evidence: today's
])
def test_the_analytics_pods_follow_what_answers(roles, fetches, newer):
    layout, _ = decide(roles, fetches)
    assert layout.analytics is newer and layout.config_database


def test_a_decided_layout_survives_its_nodemgr_going_away_but_not_new_evidence():
    roles = ("config", "config_database")
    _, seen = decide(roles, {"config-database-nodemgr": reply()})
    layout, evidence = decide(roles, {"config-database-nodemgr": REFUSED}, seen)
    assert layout.config_database and evidence[0].why == "config-database-nodemgr answered (as last decided)"
    layout, again = decide(roles, {"config-database-nodemgr": TIMEOUT}, evidence)
    assert layout.config_database and again == evidence  # not "(as last decided) (as last decided)"
    refused = (Evidence("config_database", False, "config-database-nodemgr refused"),)
    assert decide(roles, {"config-database-nodemgr": reply()}, refused)[0].config_database


def test_nodes_without_split_roles_keep_today_s_layout():
    assert decide(("vrouter",), {"vrouter-agent": REFUSED}) == (MODERN, ())


# ------------------------------------------------------------------------------------ end to end


def all_replies(spec: NodeSpec, **special) -> dict[str, FetchResult]:
    return {s.key: special.get(s.key.replace("-", "_"), reply()) for s in spec.services() if s.port}


def test_seed_release_keeps_the_config_nodemgr_s_description():
    """The bug the issue names: a refused 8112 turned `nodemgr: initializing (Collector connection down)` bare."""
    spec = NodeSpec("bms1", "10.0.0.1", ("config_database", "config", "control", "webui", "kubemanager"))
    fetches = all_replies(spec, config_nodemgr=reply("Non-Functional", "Collector connection down",
                                                     ["contrail-api", "cassandra", "zookeeper", "rabbitmq"]),
                          config_database_nodemgr=REFUSED)
    result = evaluate_node(spec, fetches, {}, at=1.0)
    blocks = result.blocks()
    assert result.layout == Layout(config_database=False, analytics=True)
    assert "config-database" not in blocks
    assert blocks["config"]["nodemgr"].status == "initializing (Collector connection down)"
    assert set(blocks["config"]) == CONFIG | DB and blocks["config"]["cassandra"].status == "active"
    assert "config-database-nodemgr" not in " ".join(result.errors)  # the absent nodemgr is no problem
    assert node_json(result)["layout"] == {"config_database_pod": False, "analytics_pods": True,
                                           "evidence": ["config-nodemgr lists cassandra, rabbitmq, zookeeper"]}


def test_r5_1_release_prints_its_own_config_database_block():
    spec = NodeSpec("ctrl1", "10.0.0.1", ("config", "config_database", "control", "analytics", "analytics_database",
                                          "analytics_alarm", "analytics_snmp"))
    db_processes = ["contrail-config-database-nodemgr", "cassandra", "zookeeper", "rabbitmq"]
    fetches = all_replies(spec, config_database_nodemgr=reply("Non-Functional", "Disk for DB is too low. ",
                                                              db_processes),
                          database_nodemgr=reply(processes=["contrail-query-engine", "cassandra"]),
                          analytics_alarm_nodemgr=reply(processes=["contrail-alarm-gen", "kafka"]),
                          control_nodemgr=reply(processes=["contrail-named"]),
                          query_engine=reply("Non-Functional", "Database connection down"))
    result = evaluate_node(spec, fetches, {}, at=1.0)
    assert result.layout == MODERN
    text = contrail_status_blocks(result)
    assert "== Contrail config ==\napi: active\nschema: active\nsvc-monitor: active\ndevice-manager: active\n" \
           "nodemgr: active\n\n" in text
    assert "== Contrail config-database ==\nnodemgr: initializing (Disk for DB is too low. )\ncassandra: active\n" \
           "zookeeper: active\nrabbitmq: active\n\n" in text
    assert "== Contrail analytics ==\nnodemgr: active\napi: active\ncollector: active\n\n" in text
    assert "== Contrail database ==\nnodemgr: active\ncassandra: active\n" \
           "query-engine: initializing (Database connection down)\n\n" in text
    assert "== Contrail analytics-alarm ==\nnodemgr: active\nalarm-gen: active\nkafka: active\n\n" in text
    assert "== Contrail analytics-snmp ==\nnodemgr: active\nsnmp-collector: active\ntopology: active\n\n" in text
    qe = result.service("query-engine")
    assert (qe.pod, qe.evidence) == ("database", "introspect")


def test_seed_release_analytics_and_database_pods():
    spec = NodeSpec("ctrl1", "10.0.0.1", ("analytics", "analytics_database"))
    fetches = all_replies(spec, analytics_nodemgr=reply(processes=["contrail-collector", "contrail-query-engine"]),
                          database_nodemgr=reply(processes=["cassandra", "kafka", "zookeeper"]))
    result = evaluate_node(spec, fetches, {}, at=1.0)
    assert not result.layout.analytics
    assert {p: set(s) for p, s in result.blocks().items()} == {k: PODS_5_0[k] for k in ("analytics", "database")}
    assert result.service("query-engine").pod == "analytics" and result.service("database-kafka").status == "active"


def test_once_the_layout_is_known_only_its_services_and_the_telltale_nodemgrs_are_fetched():
    spec = NodeSpec("ctrl1", "10.0.0.1", ("config", "config_database", "analytics", "analytics_database"))
    everything = {s.key for s in services_to_fetch(spec) if s.port}
    assert {"config-database-nodemgr", "alarm-gen", "query-engine"} <= everything
    modern = evaluate_node(spec, all_replies(spec, database_nodemgr=reply(processes=["contrail-query-engine"])),
                           {}, at=1.0)
    assert modern.layout == MODERN
    assert {s.key for s in services_to_fetch(spec, modern) if s.port} == everything - {"alarm-gen"}  # no such pod
    legacy = evaluate_node(spec, all_replies(spec, config_database_nodemgr=REFUSED, database_nodemgr=reply(
        processes=["kafka"])), {}, at=1.0)
    assert legacy.layout == LEGACY
    plan = {s.key for s in services_to_fetch(spec, legacy) if s.port}
    assert "config-database-nodemgr" in plan and plan == everything  # 8112 stays watched: an upgrade shows there
    unseen = evaluate_node(spec, {}, {}, at=1.0)
    assert unseen.layout_evidence == () and services_to_fetch(spec, unseen) == spec.services()


def test_a_nodemgr_the_analytics_api_reports_shows_its_release_too():
    """With status_source analytics/auto the poller does not ask 8112 when analytics already reports it."""
    roles = ("config", "config_database")
    reported = {"config-database-nodemgr": ServiceState("config-database-nodemgr", "config-database", "nodemgr",
                                                        "active", evidence="analytics")}
    layout, evidence = decide_layout(roles, {}, reported)
    assert layout.config_database and [e.why for e in evidence] == ["analytics reports config-database-nodemgr"]
