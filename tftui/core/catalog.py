"""Which TF services run for which deployer role, in which contrail-status pod, and how each is observed.

A service is observed either through its own introspect (``port``), or — for the third-party and
webui daemons that have none — through the ``process_info`` of a nodemgr on the same node
(``process``), or failing both by whether its well-known port accepts a TCP connection
(``probe_port``). Pods and short names are contrail-status's.

Releases split pods twice, and contrail-status prints the pods the node's release has
(tf-container-builder ``containers/status/contrail-status.py`` and its history):

- the config-database split (mid-2018, 5.0.x; every later release): cassandra, zookeeper and rabbitmq
  leave ``config`` for their own ``config-database`` pod with its own nodemgr (introspect 8112);
  before it (the seed's 5.0) they sit in ``config``, whose one ``nodemgr`` line is the config nodemgr's.
- the analytics split (R5.1, 2019): ``analytics`` keeps nodemgr, api and collector; alarm-gen and kafka
  move to ``analytics-alarm`` (nodemgr 8113), snmp-collector and topology to ``analytics-snmp`` (nodemgr
  8114), query-engine to ``database`` (which drops kafka and zookeeper); before it ``analytics`` has
  query-engine and alarm-gen, ``database`` nodemgr, cassandra, zookeeper and kafka.

``Layout`` says which splits a node's release has; a ServiceDef with ``only`` exists in one side of a
split. core/layout.py decides a node's layout from what answers.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIG_DATABASE, ANALYTICS = "config_database", "analytics"  # the two splits


@dataclass(frozen=True)
class Layout:
    """The pods a node's release has."""

    config_database: bool = True  # a config-database pod with its own nodemgr (8112)
    analytics: bool = True  # analytics-alarm / analytics-snmp pods, query-engine in database (R5.1+)

    def has(self, split: str) -> bool:
        return getattr(self, split)

    @property
    def label(self) -> str:
        if self.config_database and self.analytics:
            return "R5.1+"
        if self.config_database:
            return "5.0.x (config-database pod)"
        return "5.0 (config database in config)" if not self.analytics else "config database in config, R5.1 analytics"


MODERN = Layout()
LEGACY = Layout(config_database=False, analytics=False)


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
    only: tuple[str, bool] | None = None  # (split, True): only after it; (split, False): only before it

    @property
    def is_nodemgr(self) -> bool:
        return self.name == "nodemgr"

    def in_layout(self, layout: Layout) -> bool:
        return self.only is None or layout.has(self.only[0]) == self.only[1]


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


def _after(split: str) -> tuple[str, bool]:
    return (split, True)


def _before(split: str) -> tuple[str, bool]:
    return (split, False)


def _config_database(pod: str, nodemgr: str, only: tuple[str, bool]) -> tuple[ServiceDef, ...]:
    return (
        _svc("config-cassandra", pod, "cassandra", process="cassandra", nodemgr=nodemgr, probe_port=9041, only=only),
        _svc("config-zookeeper", pod, "zookeeper", process="zookeeper", nodemgr=nodemgr, probe_port=2181, only=only),
        _svc("config-rabbitmq", pod, "rabbitmq", process="rabbitmq", nodemgr=nodemgr, probe_port=5673, only=only),
    )


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
        _svc("config-database-nodemgr", "config-database", "nodemgr", 8112, only=_after(CONFIG_DATABASE)),
        *_config_database("config-database", "config-database-nodemgr", _after(CONFIG_DATABASE)),
        *_config_database("config", "config-nodemgr", _before(CONFIG_DATABASE)),
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
        _svc("query-engine", "analytics", "query-engine", 8091, only=_before(ANALYTICS)),
        _svc("alarm-gen", "analytics", "alarm-gen", 5995, only=_before(ANALYTICS)),
    ),
    "analytics_database": (
        _svc("database-nodemgr", "database", "nodemgr", 8103),
        _svc("database-cassandra", "database", "cassandra", process="cassandra", nodemgr="database-nodemgr",
             probe_port=9042),
        _svc("query-engine", "database", "query-engine", 8091, only=_after(ANALYTICS)),
        _svc("database-kafka", "database", "kafka", process="kafka", nodemgr="database-nodemgr", probe_port=9092,
             only=_before(ANALYTICS)),
        _svc("database-zookeeper", "database", "zookeeper", process="zookeeper", nodemgr="database-nodemgr",
             probe_port=2182, only=_before(ANALYTICS)),
    ),
    "analytics_alarm": (  # a role of R5.1+ deployers
        _svc("analytics-alarm-nodemgr", "analytics-alarm", "nodemgr", 8113, only=_after(ANALYTICS)),
        _svc("alarm-gen", "analytics-alarm", "alarm-gen", 5995, only=_after(ANALYTICS)),
        _svc("analytics-alarm-kafka", "analytics-alarm", "kafka", process="kafka",
             nodemgr="analytics-alarm-nodemgr", probe_port=9092, only=_after(ANALYTICS)),
    ),
    "analytics_snmp": (  # a role of R5.1+ deployers
        _svc("analytics-snmp-nodemgr", "analytics-snmp", "nodemgr", 8114, only=_after(ANALYTICS)),
        _svc("snmp-collector", "analytics-snmp", "snmp-collector", 5920, only=_after(ANALYTICS)),
        _svc("topology", "analytics-snmp", "topology", 5921, only=_after(ANALYTICS)),
    ),
    "vrouter": (
        _svc("vrouter-nodemgr", "vrouter", "nodemgr", 8102),
        _svc("vrouter-agent", "vrouter", "agent", 8085),
    ),
    "kubemanager": (_svc("kube-manager", "kubernetes", "kube-manager", 8108, standby=True),),
}

# The nodemgrs only a release after a split runs: one that answers shows the split is there.
SPLIT_NODEMGRS = {CONFIG_DATABASE: ("config-database-nodemgr",),
                  ANALYTICS: ("analytics-alarm-nodemgr", "analytics-snmp-nodemgr")}

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


def services_for_roles(roles: list[str] | tuple[str, ...], layout: Layout | None = None) -> list[ServiceDef]:
    """The services a node with these roles runs in ``layout``, each key once, in a stable order.

    Without a layout: every service the node may run in any release (what to fetch before the layout is known;
    a key in two layouts comes once, with its introspect port, which is the same in both)."""
    roles = [normalise_role(r) for r in roles]
    out: dict[str, ServiceDef] = {}
    for role in sorted(roles, key=lambda r: ROLE_GROUPS.index(r) if r in ROLE_GROUPS else 99):
        for svc in ROLE_SERVICES.get(role, ()):
            if layout is None or svc.in_layout(layout):
                out.setdefault(svc.key, svc)
    return list(out.values())


def is_known_role(role: str) -> bool:
    role = normalise_role(role)
    return role in ROLE_SERVICES or role in PASSIVE_ROLES or role.startswith("openstack")
