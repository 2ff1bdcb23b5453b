"""The simulated cluster's shape: nodes with per-service behaviour, networks, VMs/pods, the gateway router.

One topology feeds every simulated protocol (introspect, agent interfaces, config API, the router),
so what tftui sees through each of them is consistent, as on a real cluster.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
import time
import uuid as uuidlib
from dataclasses import dataclass, field

from tftui.core.catalog import LEGACY, MODERN, Layout, ServiceDef, services_for_roles
from tftui.lab.fault_spec import FAULTS, FaultRule
from tftui.lab.sessions import LabSessions, xmpp_servers

# Behaviour of one service's introspect on the lab node
FUNCTIONAL, NON_FUNCTIONAL, REFUSE, HANG = "functional", "non-functional", "refuse", "hang"


# The web UI's job server listens on 3000; on real clusters only on 127.0.0.1, in the lab on each node's address,
# so the lab's config names it as a probe port (tftui has no other evidence for the job server).
LAB_PROBE_PORTS = {"webui-job": 3000}

ANALYTICS_LESS = "Collector connection down"
NTP = "NTP state unsynchronized."
DISK_NTP = "Disk for DB is too low. NTP state unsynchronized."
DISK_LOW = "Disk for DB is too low. "  # R2011's nodemgr ends its description with a space

# Releases the lab can be: the seed's 5.0 (config database inside config, analytics not split) and 2011, the
# build the lab's NodeStatus reports (config-database, analytics-alarm and analytics-snmp pods).
RELEASES: dict[str, Layout] = {"5.0": LEGACY, "2011": MODERN}
BUILDS = {"5.0": ("5.0", "5.0-latest"), "2011": ("2011", "2011.L3-146")}  # build-version, build-id (the seed ran "latest")


@dataclass
class ServiceBehaviour:
    mode: str = FUNCTIONAL  # FUNCTIONAL, NON_FUNCTIONAL, REFUSE, HANG, or a fault name (lab/fault_spec.FAULTS)
    description: str = ""
    arg: str = ""  # a fault's argument (xxe: the file the external entity points at)


@dataclass
class LabNode:
    name: str
    address: str
    roles: tuple[str, ...]
    behaviour: dict[str, ServiceBehaviour] = field(default_factory=dict)  # by service key
    processes: dict[str, str] = field(default_factory=dict)  # process name -> PROCESS_STATE_*
    listen_probes: bool = True  # open the probe ports (web UI, job server) that answer TCP connects
    dead: bool = False  # nothing listens at all
    hang: bool = False  # every port accepts and never answers
    disk_percent: int = 20
    layout: Layout = MODERN  # the pods its release has; set from the topology's release

    def services(self) -> list[ServiceDef]:
        """What runs on the node in its release: only those services listen (nothing on 8112 on 5.0)."""
        return services_for_roles(self.roles, self.layout)

    def behaviour_of(self, key: str) -> ServiceBehaviour:
        return self.behaviour.setdefault(key, ServiceBehaviour())


@dataclass
class LabNetwork:
    fq_name: tuple[str, ...]
    subnet: str
    ip_fabric_forwarding: bool = False
    fabric_snat: bool = False
    uuid: str = ""

    @property
    def name(self) -> str:
        return self.fq_name[-1]

    @property
    def fq_name_str(self) -> str:
        return ":".join(self.fq_name)


@dataclass
class LabInterface:
    """A VM or pod interface (VMI) on a vrouter, as the agent and the config API know it."""

    vm_name: str
    vm_uuid: str
    vmi_uuid: str
    tap: str
    vrouter: str  # node name
    network: str  # fq_name string
    ip: str
    mac: str
    metadata_ip: str
    kind: str = "pod"  # pod | vm
    labels: dict[str, str] = field(default_factory=dict)
    active: bool = True
    user: str = "cirros"


@dataclass(frozen=True)
class RouterOs:
    """What the lab router is: its routing suite (and version) and, for a VyOS, the release `show version` names."""

    suite: str  # frr | quagga
    suite_version: str
    vyos: str | None = None


# VyOS 1.1 runs Quagga 0.99, 1.3 FRR 7.5, 1.4 FRR 9.1; `frr` is plain FRR on Debian 12 (no VyOS CLI at all)
ROUTER_OS = {
    "vyos-1.1": RouterOs("quagga", "0.99.20.1", "1.1.8"),
    "vyos-1.3": RouterOs("frr", "7.5.1", "1.3.8"),
    "vyos-1.4": RouterOs("frr", "9.1", "1.4.0"),
    "frr": RouterOs("frr", "8.4.4"),
}
DEFAULT_ROUTER_OS = "vyos-1.4"


@dataclass
class LabRouter:
    name: str = "vyos"
    asn: int = 65311
    router_id: str = "172.31.10.140"
    os: str = DEFAULT_ROUTER_OS  # a ROUTER_OS key
    address: str = "127.42.0.1"  # where it listens, and the address of its bgp-router object in TF
    tf_asn: int = 64512  # TF's global AS: the control nodes' AS
    tf_name: str = "vyos-gw"  # the name of its bgp-router object in the lab's config API
    peered: set[str] = field(default_factory=set)  # control nodes peered on both sides when the lab starts
    # Prefixes the router must NOT have although a pod exists (the demo's deliberate discrepancy)
    withheld: set[str] = field(default_factory=set)
    # Prefix -> next hop override (a route via the wrong vrouter)
    misrouted: dict[str, str] = field(default_factory=dict)
    # Extra /32s the router has with no interface behind them
    orphans: list[tuple[str, str]] = field(default_factory=list)

    @property
    def profile(self) -> RouterOs:
        return ROUTER_OS[self.os]

    @property
    def suite(self) -> str:
        return self.profile.suite


@dataclass
class Topology:
    scenario: str
    nodes: list[LabNode]
    networks: list[LabNetwork] = field(default_factory=list)
    interfaces: list[LabInterface] = field(default_factory=list)
    router: LabRouter = field(default_factory=LabRouter)
    analytics: bool = True
    seed: int = 1
    sessions: LabSessions = field(default_factory=LabSessions)
    # /32s the control nodes never learned although the pod exists (its agent did not announce it)
    unannounced: set[str] = field(default_factory=set)
    traffic: object = None  # the lab's LabTraffic (lab/flows), once its flows part runs: drops are counted from it
    # applications talking on a port: (source VM, destination VM, IP protocol, destination port)
    apps: list[tuple[str, str, int, int]] = field(default_factory=list)
    release: str = "2011"
    flow_export_rate: int = 0  # global-vrouter-config flow_export_rate: 0 (the default since R4.0) exports no flows

    # Indexes by name, rebuilt when a list grew (scenarios append while they build; nothing renames or removes).
    # Every request of a 10,000-vrouter lab looks a node up: a scan of the list each time made the lab quadratic.
    _node_index: tuple[int, dict[str, LabNode]] = field(default=(-1, {}), init=False, repr=False, compare=False)
    _itf_index: tuple[int, dict[str, list[LabInterface]]] = field(default=(-1, {}), init=False, repr=False,
                                                                  compare=False)

    def node(self, name: str) -> LabNode:
        size, index = self._node_index
        if size != len(self.nodes):
            index = {}
            for n in self.nodes:
                index.setdefault(n.name, n)  # the first of a name, as a scan finds it
            self._node_index = (len(self.nodes), index)
        return index[name]

    def vrouters(self) -> list[LabNode]:
        return [n for n in self.nodes if "vrouter" in n.roles]

    def interfaces_on(self, vrouter: str) -> list[LabInterface]:
        size, index = self._itf_index
        if size != len(self.interfaces):
            index = {}
            for i in self.interfaces:
                index.setdefault(i.vrouter, []).append(i)
            self._itf_index = (len(self.interfaces), index)
        return list(index.get(vrouter, ()))


# ------------------------------------------------------------------------------------ addressing


class AddressPlan:
    """Loopback addresses for simulated nodes: 127.B.0.x for controllers, 127.B.(1+i/250).(1+i%250) for vrouters."""

    def __init__(self, base: int = 42):
        if not 1 <= base <= 254:
            raise ValueError("address base must be 1..254")
        self.base = base

    def controller(self, i: int) -> str:
        return f"127.{self.base}.0.{10 + i}"

    def vrouter(self, i: int) -> str:
        return f"127.{self.base}.{1 + i // 250}.{1 + i % 250}"


def _uuid(*parts: str) -> str:
    return str(uuidlib.UUID(hashlib.md5("/".join(parts).encode()).hexdigest()))


def _mac(n: int) -> str:
    return "02:" + ":".join(f"{(n >> s) & 0xFF:02x}" for s in (32, 24, 16, 8, 0))


CONTROLLER_ROLES = ("config", "config_database", "control", "webui", "analytics", "analytics_database", "kubemanager")
ANALYTICS_LESS_ROLES = ("config_database", "config", "control", "webui", "k8s_master", "kubemanager")


def _standard_processes(node: LabNode) -> None:
    for svc in services_for_roles(node.roles):  # in any release: the scenario's release is set afterwards
        if svc.process:
            node.processes.setdefault(svc.process, "PROCESS_STATE_RUNNING")


def _describe_all(node: LabNode, description: str, mode: str = NON_FUNCTIONAL, only_nodemgr: bool = False) -> None:
    for svc in services_for_roles(node.roles):  # in any release: the scenario's release is set afterwards
        if svc.port is None or (only_nodemgr and not svc.is_nodemgr):
            continue
        node.behaviour[svc.key] = ServiceBehaviour(mode, description)


def _add_pods(topo: Topology, vrouters: list[LabNode], rng: random.Random, per_vrouter: int,
              big_vrouter_pods: int = 0) -> None:
    """Pods on the pod network (IP fabric forwarding on), a few VMs on a tenant network."""
    pod_net = next(n for n in topo.networks if n.ip_fabric_forwarding)
    vm_net = next((n for n in topo.networks if not n.ip_fabric_forwarding), pod_net)
    top = int(ipaddress.ip_network(pod_net.subnet).broadcast_address)
    # The seed's two pods keep the seed's addresses (cirros1 10.47.255.251, cirros2 10.47.255.250), so its
    # firewall walk (`ping 10.47.255.250` from cirros1) replays word for word; the other pods count down from the top.
    seed_ips = {"cirros1": str(ipaddress.ip_address(top - 4)), "cirros2": str(ipaddress.ip_address(top - 5))}
    pod_ips = (str(ipaddress.ip_address(top - 1 - k)) for k in range(1 << 20)
               if str(ipaddress.ip_address(top - 1 - k)) not in seed_ips.values())
    vm_subnet = ipaddress.ip_network(vm_net.subnet)
    vm_hosts = vm_subnet.num_addresses - 2  # hosts(), without listing a /12's million of them (seconds per build)

    def vm_ip(k: int) -> str:
        return str(vm_subnet.network_address + 1 + k % vm_hosts)

    counter = 0
    for vi, vr in enumerate(vrouters):
        count = big_vrouter_pods if (vi == 0 and big_vrouter_pods) else per_vrouter
        for j in range(count):
            counter += 1
            is_vm = j % 7 == 6
            if is_vm:
                name, ip, net, user = f"vm-{counter:04d}", vm_ip(counter), vm_net, "cirros"
            elif vi == 0 and j < 2:
                name = f"cirros{j + 1}"
                ip, net, user = seed_ips[name], pod_net, "cirros"
            else:
                name, ip, net, user = f"pod-{counter:04d}", next(pod_ips), pod_net, "cirros"
            labels = {"app": "cirros", "label": name} if not is_vm else {}
            topo.interfaces.append(LabInterface(
                vm_name=name, vm_uuid=_uuid("vm", name), vmi_uuid=_uuid("vmi", name),
                tap=f"tap{_uuid('tap', name)[:11]}", vrouter=vr.name, network=net.fq_name_str, ip=ip,
                mac=_mac(counter), metadata_ip=f"169.254.{(j + 3) // 254}.{(j + 3) % 254 + 1}",
                kind="vm" if is_vm else "pod", labels=labels, user=user,
            ))


def _networks() -> list[LabNetwork]:
    return [
        LabNetwork(("default-domain", "k8s-default", "k8s-default-pod-network"), "10.32.0.0/12",
                   ip_fabric_forwarding=True, uuid=_uuid("vn", "pod")),
        LabNetwork(("default-domain", "k8s-default", "k8s-default-service-network"), "10.96.0.0/12",
                   uuid=_uuid("vn", "svc")),
        LabNetwork(("default-domain", "admin", "tenant-net"), "192.168.100.0/24", fabric_snat=True,
                   uuid=_uuid("vn", "tenant")),
    ]


def _vrouter(name: str, address: str) -> LabNode:
    node = LabNode(name, address, ("vrouter", "k8s_node"))
    _standard_processes(node)
    return node


def build(scenario: str = "demo", vrouters: int | None = None, base: int = 42, seed: int = 1,
          pods_per_vrouter: int | None = None, unpeered: tuple[str, ...] | None = None,
          release: str | None = None) -> Topology:
    """`unpeered`: control nodes the router is not peered with at the start (None: the scenario's choice, which
    for the demo is its last control node, so the walk of peering it can be done there).
    `release`: 5.0 or 2011 (default: the scenario's own, 5.0 for the seed's clusters, else 2011)."""
    plan = AddressPlan(base)
    rng = random.Random(seed)
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    topo = SCENARIOS[scenario](plan, vrouters)
    if release is not None:
        if release not in RELEASES:
            raise ValueError(f"unknown release {release!r}; known: {', '.join(RELEASES)}")
        topo.release = release
    for node in topo.nodes:
        node.layout = RELEASES[topo.release]
    topo.seed = seed
    topo.networks = _networks()
    topo.router.address = f"127.{base}.0.1"
    controls = [n.name for n in topo.nodes if "control" in n.roles]
    if unpeered is None:
        unpeered = tuple(controls[-1:]) if scenario == "demo" and len(controls) > 1 else ()
    unknown = set(unpeered) - set(controls)
    if unknown:
        raise ValueError(f"--unpeered: no control node {', '.join(sorted(unknown))} in scenario {scenario} "
                         f"(it has {', '.join(controls) or 'none'})")
    topo.router.peered = {c for c in controls if c not in unpeered}
    vrs = topo.vrouters()
    big = 120 if scenario == "demo" else 0
    per = pods_per_vrouter if pods_per_vrouter is not None else (3 if len(vrs) <= 50 else 1)
    _add_pods(topo, vrs, rng, per, big_vrouter_pods=big)
    pods = [i for i in topo.interfaces if i.kind == "pod"]
    if scenario == "demo" and len(pods) > 10:
        # the demo's blocked pair: a web pod that talks to its database on 5432, which a firewall policy the
        # demo's config API carries (lab/configapi/seed.py seed_demo) denies
        web, db = pods[7], pods[8]
        web.labels["tier"], db.labels["tier"] = "web", "db"
        topo.apps.append((web.vm_name, db.vm_name, 6, 5432))
        # and one pod in quarantine: its own application set allows ICMP only, so the rest is implicitly denied
        pods[10].labels["application"] = "quarantine"
    if scenario == "demo" and len(pods) > 6:
        # the control nodes never learned pods[4]'s /32, so the router cannot have it either
        topo.unannounced.add(pods[4].ip + "/32")
        topo.router.withheld.add(pods[4].ip + "/32")
        if len(vrs) > 1:
            topo.router.misrouted[pods[5].ip + "/32"] = vrs[1].address if pods[5].vrouter == vrs[0].name else vrs[0].address
        topo.router.orphans.append(("10.47.0.99/32", vrs[-1].address))
    return topo


def _seed_full(plan: AddressPlan, vrouters: int | None) -> Topology:
    ctrl = LabNode("ctrl1", plan.controller(0), CONTROLLER_ROLES)
    _standard_processes(ctrl)
    for key in ("control-nodemgr", "analytics-nodemgr"):
        ctrl.behaviour[key] = ServiceBehaviour(NON_FUNCTIONAL, NTP)
    for key in ("config-nodemgr", "config-database-nodemgr", "database-nodemgr"):
        ctrl.behaviour[key] = ServiceBehaviour(NON_FUNCTIONAL, DISK_NTP)
    ctrl.disk_percent = 91
    nodes = [ctrl] + [_vrouter(f"compute{i + 1}", plan.vrouter(i)) for i in range(vrouters or 1)]
    return Topology("seed-full", nodes, release="5.0")


R2011_CONTROLLER_ROLES = CONTROLLER_ROLES + ("analytics_alarm", "analytics_snmp")


def _full_r2011(plan: AddressPlan, vrouters: int | None) -> Topology:
    """The seed's full controller as a 2011 cluster deploys it (analytics_alarm and analytics_snmp roles too): the
    low disk shows on the config-database and database nodemgrs, the config nodemgr itself is fine."""
    ctrl = LabNode("ctrl1", plan.controller(0), R2011_CONTROLLER_ROLES)
    _standard_processes(ctrl)
    for key in ("control-nodemgr", "analytics-nodemgr"):
        ctrl.behaviour[key] = ServiceBehaviour(NON_FUNCTIONAL, NTP)
    for key in ("config-database-nodemgr", "database-nodemgr"):
        ctrl.behaviour[key] = ServiceBehaviour(NON_FUNCTIONAL, DISK_LOW)
    ctrl.disk_percent = 91
    nodes = [ctrl] + [_vrouter(f"compute{i + 1}", plan.vrouter(i)) for i in range(vrouters or 1)]
    return Topology("full-r2011", nodes, release="2011")


def _seed_analytics_less(plan: AddressPlan, vrouters: int | None) -> Topology:
    bms1 = LabNode("bms1", plan.controller(0), ANALYTICS_LESS_ROLES)
    _standard_processes(bms1)
    _describe_all(bms1, ANALYTICS_LESS)
    bms1.behaviour["dns"] = ServiceBehaviour(FUNCTIONAL)  # as in the seed: dns reports no collector trouble
    nodes = [bms1]
    for i in range(vrouters or 1):
        vr = _vrouter(f"bms{i + 2}", plan.vrouter(i))
        vr.behaviour["vrouter-nodemgr"] = ServiceBehaviour(NON_FUNCTIONAL, ANALYTICS_LESS)
        vr.behaviour["vrouter-agent"] = ServiceBehaviour(FUNCTIONAL, ANALYTICS_LESS)
        nodes.append(vr)
    return Topology("seed-analytics-less", nodes, analytics=False, release="5.0")


def _degraded(plan: AddressPlan, vrouters: int | None) -> Topology:
    ctrls = []
    for i in range(3):
        c = LabNode(f"ctrl{i + 1}", plan.controller(i), CONTROLLER_ROLES)
        _standard_processes(c)
        ctrls.append(c)
    ctrls[0].behaviour["control-nodemgr"] = ServiceBehaviour(NON_FUNCTIONAL, NTP)
    ctrls[0].behaviour["database-nodemgr"] = ServiceBehaviour(NON_FUNCTIONAL, DISK_NTP)
    ctrls[0].disk_percent = 93
    for c in ctrls[1:]:  # standbys: schema, svc-monitor, device-manager, kube-manager keep introspect closed
        for key in ("schema", "svc-monitor", "device-manager", "kube-manager"):
            c.behaviour[key] = ServiceBehaviour(REFUSE)
    ctrls[2].processes["rabbitmq"] = "PROCESS_STATE_EXITED"
    nodes: list[LabNode] = list(ctrls)
    count = vrouters if vrouters is not None else 6
    for i in range(count):
        nodes.append(_vrouter(f"compute{i + 1}", plan.vrouter(i)))
    vrs = [n for n in nodes if "vrouter" in n.roles]
    # dead and hanging nodes are unreachable from tftui (their management address); their data plane carries on
    if len(vrs) >= 2:
        vrs[1].dead = True
    if len(vrs) >= 3:
        vrs[2].hang = True
    if len(vrs) >= 4:
        vrs[3].behaviour["vrouter-nodemgr"] = ServiceBehaviour(NON_FUNCTIONAL, NTP)
    topo = Topology("degraded", nodes)
    if vrs:
        # compute1 lost its XMPP session to its second control node four minutes ago: contrail-status still says
        # active (one session is enough), the control node and the agent's own list say otherwise
        second = xmpp_servers(topo, vrs[0].name)[1]
        topo.sessions.set_xmpp(vrs[0].name, second.name, False, at=time.time() - 240)
    return topo


def _demo(plan: AddressPlan, vrouters: int | None) -> Topology:
    topo = _degraded(plan, vrouters if vrouters is not None else 12)
    topo.scenario = "demo"
    return topo


def _fleet(plan: AddressPlan, vrouters: int | None) -> Topology:
    """Three healthy controllers and N healthy computes: the scale benchmarks' cluster."""
    ctrls = [LabNode(f"ctrl{i + 1}", plan.controller(i), CONTROLLER_ROLES) for i in range(3)]
    for c in ctrls:
        _standard_processes(c)
    vrs = [_vrouter(f"compute{i + 1}", plan.vrouter(i)) for i in range(vrouters if vrouters is not None else 100)]
    return Topology("fleet", ctrls + vrs)


def fault_mode(fault: str) -> str:
    return {"refused": REFUSE, "hang": HANG}.get(fault, fault)


def apply_faults(topo: Topology, rules: tuple[FaultRule, ...]) -> None:
    """Put each rule's fault on its node's introspect services; unknown nodes or services are errors."""
    names = {n.name: n for n in topo.nodes}
    for rule in rules:
        node = names.get(rule.node)
        if node is None:
            raise ValueError(f"--faults: no node {rule.node!r} in scenario {topo.scenario}")
        keys = [s.key for s in node.services() if s.port is not None]
        unknown = [k for k in rule.services if k not in keys]
        if unknown:
            raise ValueError(f"--faults: {rule.node} has no introspect service {', '.join(unknown)} "
                             f"(it has {', '.join(keys)})")
        for key in keys:
            if rule.applies_to(key):
                node.behaviour[key] = ServiceBehaviour(fault_mode(rule.fault), arg=rule.arg)


def _hostile(plan: AddressPlan, vrouters: int | None) -> Topology:
    """Healthy controller and computes, and one vrouter per fault, named after it (hostile-drip, ...)."""
    ctrl = LabNode("ctrl1", plan.controller(0), CONTROLLER_ROLES)
    _standard_processes(ctrl)
    healthy = [_vrouter(f"compute{i + 1}", plan.vrouter(i)) for i in range(vrouters if vrouters is not None else 2)]
    topo = Topology("hostile", [ctrl, *healthy])
    for i, fault in enumerate(FAULTS):
        topo.nodes.append(_vrouter(f"hostile-{fault}", plan.vrouter(len(healthy) + i)))
    apply_faults(topo, tuple(FaultRule(f"hostile-{f}", f) for f in FAULTS))
    return topo


SCENARIOS = {
    "demo": _demo,
    "hostile": _hostile,
    "fleet": _fleet,
    "seed-full": _seed_full,
    "seed-analytics-less": _seed_analytics_less,
    "full-r2011": _full_r2011,
    "degraded": _degraded,
}
