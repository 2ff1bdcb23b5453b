"""What each simulated service reports as its NodeStatus, built from the topology with core's model."""

from __future__ import annotations

import json

from tftui.core.catalog import MODULE_IDS, ServiceDef
from tftui.core.nodestatus import (
    ConnectionInfo,
    CpuLoad,
    DiskUsage,
    MemUsage,
    NodeStatus,
    ProcessCpuMem,
    ProcessInfo,
    ProcessStatus,
)

from .sessions import known_control_nodes, xmpp_status
from .topology import BUILDS, FUNCTIONAL, LabNode, Topology

OBJECT_KEYS = {
    "control": "ObjectBgpRouter", "config": "ObjectConfigNode", "config_database": "ObjectConfigDatabaseInfo",
    "analytics": "ObjectCollectorInfo", "analytics_database": "ObjectDatabaseInfo",
    "analytics_alarm": "ObjectAnalyticsAlarmInfo", "analytics_snmp": "ObjectAnalyticsSNMPInfo",
    "vrouter": "ObjectVRouter", "kubemanager": "ObjectKubeManagerInfo",
}
POD_ROLE = {"control": "control", "config": "config", "database": "analytics_database", "analytics": "analytics",
            "analytics-alarm": "analytics_alarm", "analytics-snmp": "analytics_snmp", "vrouter": "vrouter",
            "kubernetes": "kubemanager"}


def build_info(release: str) -> str:
    version, build_id = BUILDS[release]
    return json.dumps({"build-info": [{"build-version": version, "build-id": build_id,
                                       "build-number": build_id.rsplit("-", 1)[-1], "build-user": "zuul"}]})

START = "1764000000000000"


def object_key(node: LabNode, svc: ServiceDef) -> str:
    if svc.key.startswith("config-database"):
        return OBJECT_KEYS["config_database"]
    return OBJECT_KEYS.get(POD_ROLE.get(svc.pod, ""), "ObjectVRouter")


def _controllers(topo: Topology) -> list[LabNode]:
    return known_control_nodes(topo) or topo.nodes[:1]


def _connections(topo: Topology, node: LabNode, svc: ServiceDef) -> tuple[ConnectionInfo, ...]:
    ctrl = _controllers(topo)
    conns: list[ConnectionInfo] = []
    if svc.key == "vrouter-agent":
        # the sessions the control nodes and the agent's own list show (lab/sessions.py); an agent a scenario or a
        # fault says lost its control nodes shows every session down, as a real one does
        b = node.behaviour_of(svc.key)
        lost = b.mode != FUNCTIONAL and ("control-node" in b.description or "XMPP" in b.description)
        _, _, servers = xmpp_status(topo, node)
        for address, up in servers:
            up = up and not lost
            conns.append(ConnectionInfo("XMPP", f"control-node:{address}", (f"{address}:5269",), "Up" if up else "Down",
                                        "Established" if up else "Active"))
            conns.append(ConnectionInfo("XMPP", f"dns-server:{address}", (f"{address}:53",), "Up" if up else "Down",
                                        "Established" if up else "Idle"))
    elif svc.pod in ("control", "config") and not svc.is_nodemgr:
        conns.append(ConnectionInfo("Database", "Cassandra", tuple(f"{c.address}:9041" for c in ctrl), "Up",
                                    "Established Cassandra connection"))
        conns.append(ConnectionInfo("Database", "RabbitMQ", tuple(f"{c.address}:5673" for c in ctrl), "Up",
                                    "RabbitMQ connection established"))
        if svc.pod == "config":
            conns.append(ConnectionInfo("Zookeeper", "Zookeeper", tuple(f"{c.address}:2181" for c in ctrl), "Up", ""))
    if topo.analytics:
        conns.append(ConnectionInfo("Collector", "", (f"{ctrl[0].address}:8086",), "Up", "Established"))
    else:
        conns.append(ConnectionInfo("Collector", "", (), "Down", "Connection down"))
    return tuple(conns)


def _pod_processes(node: LabNode, nodemgr: ServiceDef) -> list[ProcessInfo]:
    names = []
    for svc in node.services():
        if svc.pod != nodemgr.pod:
            continue
        if svc.port is not None and svc.key in MODULE_IDS:
            names.append(MODULE_IDS[svc.key])
        if svc.process and svc.nodemgr == nodemgr.key:
            names.append(svc.process)
    out = []
    for name in dict.fromkeys(names):
        state = node.processes.get(name, "PROCESS_STATE_RUNNING")
        behaviour = next((b for k, b in node.behaviour.items() if MODULE_IDS.get(k) == name), None)
        if behaviour is not None and behaviour.mode == "refuse":
            state = "PROCESS_STATE_RUNNING"  # a standby's process runs; only its introspect is closed
        out.append(ProcessInfo(name, state, start_count=1, exit_count=0 if state.endswith("RUNNING") else 1,
                               last_start_time=START))
    return out


def node_status_for(topo: Topology, node: LabNode, svc: ServiceDef, tick: int = 0) -> NodeStatus:
    """``tick`` varies the nodemgr's CPU and memory figures, as a live node's do from one poll to the next."""
    b = node.behaviour_of(svc.key)
    functional, description = b.mode == FUNCTIONAL, b.description
    if svc.key == "vrouter-agent" and functional and not description:
        functional, description, _ = xmpp_status(topo, node)
    ps = ProcessStatus(
        module_id=MODULE_IDS.get(svc.key, svc.key), instance_id="0",
        state="Functional" if functional else "Non-Functional",
        connection_infos=_connections(topo, node, svc), description=description,
    )
    ns = NodeStatus(name=node.name, key=object_key(node, svc), process_status=(ps,))
    if not svc.is_nodemgr:
        return ns
    h = sum(map(ord, node.name))
    total = 32 * 1024 * 1024
    used = total // 4 + (h % 1000) * 1024 + (tick % 97) * 4096
    return NodeStatus(
        name=node.name, key=ns.key, process_status=(ps,),
        process_info=tuple(_pod_processes(node, svc)),
        disk_usage=(DiskUsage("/dev/sda1", "xfs", used_1k=node.disk_percent * 1_000_000,
                              available_1k=(100 - node.disk_percent) * 1_000_000, percent_used=node.disk_percent),),
        system_mem=MemUsage(total=total, used=used, free=total - used - 4_000_000, buffers=2100, cached=4_000_000),
        system_cpu=CpuLoad(round(0.42 + (h % 7) / 10 + (tick % 13) / 100, 2), 0.37, 0.33, 5.25),
        process_cpu_mem=tuple(ProcessCpuMem(p.process_name, 0.7, 1_890_232, 412_340)
                              for p in _pod_processes(node, svc) if p.process_name.startswith("contrail")),
        build_info=build_info(topo.release), installed_package_version=BUILDS[topo.release][1],
        running_package_version=BUILDS[topo.release][1],
        num_cpu=8,
    )
