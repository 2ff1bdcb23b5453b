"""Which TF services run for which deployer role, in which contrail-status pod, and how each is observed.

A service is observed either through its own introspect (``port``), or — for the third-party and
webui daemons that have none — through the ``process_info`` of a nodemgr on the same node
(``process``), or failing both by whether its well-known port accepts a TCP connection
(``probe_port``). Pods and short names are contrail-status's; the seed puts the config database's
cassandra/zookeeper/rabbitmq and its nodemgr in the ``config`` pod, so two services share
``config: nodemgr`` and the block shows the worse of the two.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceDef:
    key: str  # unique per node; used for port overrides (``introspect.ports``) and event log lines
    pod: str
    name: str  # contrail-status's short name
    port: int | None = None  # introspect port
    process: str | None = None  # name in a nodemgr's process_info
    nodemgr: str | None = None  # key of the nodemgr whose process_info reports it
    probe_port: int | None = None
    standby: bool = False  # a refused introspect means a healthy standby (ZooKeeper election loser)

    @property
    def is_nodemgr(self) -> bool:
        return self.name == "nodemgr"


# The module_id each introspect daemon reports in its ProcessStatus (and under which analytics aggregates it).
MODULE_IDS = {
    "control": "contrail-control", "control-nodemgr": "contrail-control-nodemgr", "dns": "contrail-dns",
    "config-api": "contrail-api", "schema": "contrail-schema", "svc-monitor": "contrail-svc-monitor",
    "device-manager": "contrail-device-manager", "config-nodemgr": "contrail-config-nodemgr",
    "config-database-nodemgr": "contrail-config-database-nodemgr", "analytics-nodemgr": "contrail-analytics-nodemgr",
    "analytics-api": "contrail-analytics-api", "collector": "contrail-collector",
    "query-engine": "contrail-query-engine", "alarm-gen": "contrail-alarm-gen",
    "database-nodemgr": "contrail-database-nodemgr", "analytics-alarm-nodemgr": "contrail-analytics-alarm-nodemgr",
    "analytics-snmp-nodemgr": "contrail-analytics-snmp-nodemgr", "snmp-collector": "contrail-snmp-collector",
    "topology": "contrail-topology", "vrouter-nodemgr": "contrail-vrouter-nodemgr",
    "vrouter-agent": "contrail-vrouter-agent", "kube-manager": "contrail-kube-manager",
}


def _svc(key, pod, name, port=None, **kw) -> ServiceDef:
    return ServiceDef(key=key, pod=pod, name=name, port=port, **kw)


ROLE_SERVICES: dict[str, tuple[ServiceDef, ...]] = {
    "control": (
        _svc("control", "control", "control", 8083),
        _svc("control-nodemgr", "control", "nodemgr", 8101),
        _svc("named", "control", "named", process="contrail-named", nodemgr="control-nodemgr", probe_port=53),
        _svc("dns", "control", "dns", 8092),
    ),
    "config": (
        _svc("config-api", "config", "api", 8084),
        _svc("schema", "config", "schema", 8087, standby=True),
        _svc("svc-monitor", "config", "svc-monitor", 8088, standby=True),
        _svc("device-manager", "config", "device-manager", 8096, standby=True),
        _svc("config-nodemgr", "config", "nodemgr", 8100),
    ),
    "config_database": (
        _svc("config-database-nodemgr", "config", "nodemgr", 8112),
        _svc("config-cassandra", "config", "cassandra", process="cassandra", nodemgr="config-database-nodemgr",
             probe_port=9041),
        _svc("config-zookeeper", "config", "zookeeper", process="zookeeper", nodemgr="config-database-nodemgr",
             probe_port=2181),
        _svc("config-rabbitmq", "config", "rabbitmq", process="rabbitmq", nodemgr="config-database-nodemgr",
             probe_port=5673),
    ),
    "webui": (
        _svc("webui-web", "webui", "web", probe_port=8143),
        # The job server binds 127.0.0.1 by default: probe it only where a config says it is reachable.
        _svc("webui-job", "webui", "job"),
    ),
    "analytics": (
        _svc("analytics-nodemgr", "analytics", "nodemgr", 8104),
        _svc("analytics-api", "analytics", "api", 8090),
        _svc("collector", "analytics", "collector", 8089),
        _svc("query-engine", "analytics", "query-engine", 8091),
        _svc("alarm-gen", "analytics", "alarm-gen", 5995),
    ),
    "analytics_database": (
        _svc("database-nodemgr", "database", "nodemgr", 8103),
        _svc("database-cassandra", "database", "cassandra", process="cassandra", nodemgr="database-nodemgr",
             probe_port=9042),
        _svc("database-kafka", "database", "kafka", process="kafka", nodemgr="database-nodemgr", probe_port=9092),
        _svc("database-zookeeper", "database", "zookeeper", process="zookeeper", nodemgr="database-nodemgr",
             probe_port=2182),
    ),
    "analytics_alarm": (
        _svc("analytics-alarm-nodemgr", "analytics-alarm", "nodemgr", 8113),
        _svc("alarm-gen", "analytics-alarm", "alarm-gen", 5995),
        _svc("analytics-alarm-kafka", "analytics-alarm", "kafka", process="kafka",
             nodemgr="analytics-alarm-nodemgr", probe_port=9092),
    ),
    "analytics_snmp": (
        _svc("analytics-snmp-nodemgr", "analytics-snmp", "nodemgr", 8114),
        _svc("snmp-collector", "analytics-snmp", "snmp-collector", 5920),
        _svc("topology", "analytics-snmp", "topology", 5921),
    ),
    "vrouter": (
        _svc("vrouter-nodemgr", "vrouter", "nodemgr", 8102),
        _svc("vrouter-agent", "vrouter", "agent", 8085),
    ),
    "kubemanager": (_svc("kube-manager", "kubernetes", "kube-manager", 8108, standby=True),),
}

# Each introspect daemon's Sandesh module name: its ProcessStatus module_id and the title of its index page.
MODULE_IDS = {
    "control": "contrail-control", "control-nodemgr": "contrail-control-nodemgr", "dns": "contrail-dns",
    "config-api": "contrail-api", "schema": "contrail-schema", "svc-monitor": "contrail-svc-monitor",
    "device-manager": "contrail-device-manager", "config-nodemgr": "contrail-config-nodemgr",
    "config-database-nodemgr": "contrail-config-database-nodemgr", "analytics-nodemgr": "contrail-analytics-nodemgr",
    "analytics-api": "contrail-analytics-api", "collector": "contrail-collector",
    "query-engine": "contrail-query-engine", "alarm-gen": "contrail-alarm-gen",
    "database-nodemgr": "contrail-database-nodemgr", "analytics-alarm-nodemgr": "contrail-analytics-alarm-nodemgr",
    "analytics-snmp-nodemgr": "contrail-analytics-snmp-nodemgr", "snmp-collector": "contrail-snmp-collector",
    "topology": "contrail-topology", "vrouter-nodemgr": "contrail-vrouter-nodemgr",
    "vrouter-agent": "contrail-vrouter-agent", "kube-manager": "contrail-kube-manager",
}

# Roles the deployer knows that run no TF service of their own.
PASSIVE_ROLES = frozenset({"k8s_master", "k8s_node", "vcenter_plugin", "vcenter_manager", "toragent", "bms"})

ROLE_ALIASES = {"kube_manager": "kubemanager", "database": "analytics_database"}

POD_ORDER = ("control", "config", "config-database", "database", "analytics", "analytics-alarm",
             "analytics-snmp", "webui", "vrouter", "kubernetes")

# Short role labels for the node tree, in the order groups are shown.
ROLE_GROUPS = ("control", "config", "config_database", "analytics", "analytics_database", "analytics_alarm",
               "analytics_snmp", "webui", "kubemanager", "vrouter")


def normalise_role(role: str) -> str:
    return ROLE_ALIASES.get(role, role)


def services_for_roles(roles: list[str] | tuple[str, ...]) -> list[ServiceDef]:
    """The services a node with these roles runs, each key once, in a stable order."""
    roles = [normalise_role(r) for r in roles]
    out: dict[str, ServiceDef] = {}
    has_alarm_role = "analytics_alarm" in roles
    for role in sorted(roles, key=lambda r: ROLE_GROUPS.index(r) if r in ROLE_GROUPS else 99):
        for svc in ROLE_SERVICES.get(role, ()):
            # alarm-gen moved to its own pod (5.1+) when the analytics_alarm role is deployed
            if svc.key == "alarm-gen" and role == "analytics" and has_alarm_role:
                continue
            out.setdefault(svc.key, svc)
    return list(out.values())


def is_known_role(role: str) -> bool:
    role = normalise_role(role)
    return role in ROLE_SERVICES or role in PASSIVE_ROLES or role.startswith("openstack")
