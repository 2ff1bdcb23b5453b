"""Cluster specs: tftui's YAML config and contrail-ansible-deployer's instances.yaml, as plain data.

Parsing only: callers hand in the loaded YAML (dicts) and say where it came from; nothing here reads
a file or the environment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from .analytics.status import SOURCES as STATUS_SOURCES
from .auth import AuthSpec, parse_auth
from .catalog import Layout, ServiceDef, is_known_role, normalise_role, services_for_roles
from .config_schema import check_cluster
from .config_values import ConfigError, parse_number, parse_port, validate_address
from .launcher import SshSettings, parse_ssh_settings
from .routes.config import GatewaylessSpec, RouterSpec, parse_gatewayless, parse_routers

__all__ = ["ClusterSpec", "ConfigError", "NodeSpec", "TLSSettings", "parse_cluster", "parse_instances",
           "validate_address"]  # ConfigError and validate_address live in config_values; many modules take them here

DEFAULT_POLL_INTERVAL = 5.0
MIN_POLL_INTERVAL = 1.0
DEFAULT_TIMEOUT = 3.0
DEFAULT_STATUS_SOURCE = "introspect"


@dataclass(frozen=True)
class TLSSettings:
    verify: bool = True
    ca: str | None = None
    cert: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class NodeSpec:
    name: str
    address: str
    roles: tuple[str, ...]
    ports: dict[str, int] = field(default_factory=dict)  # service key -> introspect port override
    probe_ports: dict[str, int | None] = field(default_factory=dict)

    def services(self, layout: Layout | None = None) -> list[ServiceDef]:
        """The node's services in ``layout`` with this node's ports; without one, every service it may run in any
        release (what the poller fetches before it knows the layout). Worked out once per layout: the poller
        asks several times per node and round."""
        found = self._services.get(layout)
        if found is None:
            found = self._services[layout] = self._services_in(layout)
        return list(found)

    @cached_property
    def _services(self) -> dict[Layout | None, tuple[ServiceDef, ...]]:
        return {}

    def _services_in(self, layout: Layout | None) -> tuple[ServiceDef, ...]:
        out = []
        for svc in services_for_roles(self.roles, layout):
            changes: dict[str, Any] = {}
            if svc.port is not None and svc.key in self.ports:
                changes["port"] = self.ports[svc.key]
            if svc.key in self.probe_ports:
                changes["probe_port"] = self.probe_ports[svc.key]
            out.append(replace(svc, **changes) if changes else svc)
        return tuple(out)


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    nodes: tuple[NodeSpec, ...]
    poll_interval: float = DEFAULT_POLL_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    scheme: str = "http"
    tls: TLSSettings = TLSSettings()
    proxy: str | None = None
    no_proxy: tuple[str, ...] = ()
    concurrency: int = 256
    config_api: str | None = None
    analytics_api: str | None = None
    theme: str | None = None
    default_ports: dict[str, int] = field(default_factory=dict)  # introspect.ports: for nodes found later too
    default_probe_ports: dict[str, int | None] = field(default_factory=dict)
    auth: AuthSpec = AuthSpec()
    routers: tuple[RouterSpec, ...] = ()
    ssh: SshSettings = SshSettings()
    gatewayless: GatewaylessSpec = GatewaylessSpec()
    status_source: str = DEFAULT_STATUS_SOURCE  # auto | introspect | analytics (core/analytics/status.py)
    discover: bool | None = None  # None: discover when no nodes are listed
    raw: dict = field(default_factory=dict, compare=False)  # the cluster's own mapping, for later features

    @property
    def wants_discovery(self) -> bool:
        """Ask the config API for the nodes: when told to, or when it is the only source there is."""
        return bool(self.config_api) and (self.discover is True or (self.discover is None and not self.nodes))

    @property
    def vrouters(self) -> tuple[NodeSpec, ...]:
        return tuple(n for n in self.nodes if "vrouter" in n.roles)

    @property
    def has_analytics(self) -> bool:
        return any(normalise_role(r) in ("analytics",) for n in self.nodes for r in n.roles)

    def node(self, name: str) -> NodeSpec | None:
        return next((n for n in self.nodes if n.name == name), None)


def _ports(value: Any, where: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping of service -> port")
    return {str(k): parse_port(v, f"{where}.{k}") for k, v in value.items()}


def _probe_ports(value: Any, where: str) -> dict[str, int | None]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping of service -> port (or null)")
    out: dict[str, int | None] = {}
    for k, v in value.items():
        out[str(k)] = None if v is None else parse_port(v, f"{where}.{k}")
    return out


def _roles(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, dict):  # instances.yaml: roles are keys, values are per-role settings
        roles = list(value.keys())
    elif isinstance(value, list | tuple):
        roles = list(value)
    elif isinstance(value, str):
        roles = [r.strip() for r in value.split(",") if r.strip()]
    else:
        raise ConfigError(f"{where}: roles must be a list")
    roles = [str(r) for r in roles]
    unknown = [r for r in roles if not is_known_role(r)]
    if unknown:
        raise ConfigError(f"{where}: unknown role(s) {', '.join(unknown)}")
    return tuple(roles)


def parse_instances(doc: Any, source: str = "instances.yaml") -> list[NodeSpec]:
    """contrail-ansible-deployer's instances.yaml, read as is: instance key -> name, ip, roles."""
    if not isinstance(doc, dict) or not isinstance(doc.get("instances"), dict):
        raise ConfigError(f"{source}: no 'instances:' mapping (is this a contrail-ansible-deployer instances.yaml?)")
    nodes = []
    for key, inst in doc["instances"].items():
        where = f"{source}: instances.{key}"
        if not isinstance(inst, dict):
            raise ConfigError(f"{where}: expected a mapping")
        if "ip" not in inst:
            raise ConfigError(f"{where}: no ip")
        roles = _roles(inst.get("roles") or {}, f"{where}.roles")
        nodes.append(NodeSpec(name=str(key), address=validate_address(inst["ip"], f"{where}.ip"), roles=roles))
    return nodes


def parse_node(d: Any, where: str, default_ports: dict[str, int], default_probes: dict[str, int | None]) -> NodeSpec:
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping with name, address, roles")
    address = d.get("address") or d.get("ip")
    if not address:
        raise ConfigError(f"{where}: no address")
    name = str(d.get("name") or address)
    ports = {**default_ports, **_ports(d.get("ports"), f"{where}.ports")}
    probes = {**default_probes, **_probe_ports(d.get("probe_ports"), f"{where}.probe_ports")}
    return NodeSpec(name=name, address=validate_address(address, f"{where}.address"),
                    roles=_roles(d.get("roles") or [], f"{where}.roles"), ports=ports, probe_ports=probes)


def merge_nodes(inventory: list[NodeSpec], configured: list[NodeSpec]) -> list[NodeSpec]:
    """Inventory nodes, renamed/overridden by configured nodes at the same address; extra ones appended."""
    by_addr = {n.address: n for n in configured}
    out = []
    for n in inventory:
        c = by_addr.pop(n.address, None)
        if c is None:
            out.append(n)
        else:
            roles = tuple(dict.fromkeys(n.roles + c.roles))
            out.append(replace(c, roles=roles, ports={**n.ports, **c.ports}, probe_ports={**n.probe_ports, **c.probe_ports}))
    out.extend(by_addr.values())
    counts = Counter(n.name for n in out)  # not list.count per name: that is quadratic, 10 s at 10,000 nodes
    dupes = sorted(name for name, count in counts.items() if count > 1)
    if dupes:
        raise ConfigError(f"duplicate node names: {', '.join(dupes)}")
    return out


def float_setting(d: dict, key: str, default: float, where: str, minimum: float = 0.1) -> float:
    """``d[key]`` as a number (``default`` when unset or null), at least ``minimum``; ConfigError naming the key."""
    v = d.get(key)
    return parse_number(default if v is None else v, f"{where}.{key}", minimum)


def _no_proxy(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [x.strip() for x in value.split(",") if x.strip()]
    return tuple(str(x) for x in value or ())


def _schema_errors(d: dict, where: str, source: str) -> None:
    """Values of the wrong type stop here, every one named by its path; unknown keys are the loader's warnings."""
    errors = [str(i) for i in check_cluster(d, where) if i.error]
    if errors:
        raise ConfigError(f"{source}: " + "; ".join(errors))


def parse_cluster(name: str, d: Any, source: str, inventory_nodes: list[NodeSpec] | None = None) -> ClusterSpec:
    where = f"{source}: clusters.{name}"
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping")
    _schema_errors(d, f"clusters.{name}", source)
    introspect = d.get("introspect") or {}
    if not isinstance(introspect, dict):
        raise ConfigError(f"{where}.introspect: expected a mapping")
    default_ports = _ports(introspect.get("ports"), f"{where}.introspect.ports")
    default_probes = _probe_ports(d.get("probe_ports"), f"{where}.probe_ports")
    nodes_raw = d.get("nodes") or []
    if not isinstance(nodes_raw, list):
        raise ConfigError(f"{where}.nodes: expected a list")
    configured = [parse_node(n, f"{where}.nodes[{i}]", default_ports, default_probes) for i, n in enumerate(nodes_raw)]
    inv = [replace(n, ports={**default_ports, **n.ports}, probe_ports={**default_probes, **n.probe_ports})
           for n in (inventory_nodes or [])]
    nodes = merge_nodes(inv, configured)
    scheme = str(introspect.get("scheme") or "http").lower()
    if scheme not in ("http", "https"):
        raise ConfigError(f"{where}.introspect.scheme: must be http or https")
    status_source = str(d.get("status_source") or DEFAULT_STATUS_SOURCE).lower()
    if status_source not in STATUS_SOURCES:
        raise ConfigError(f"{where}.status_source: must be one of {', '.join(STATUS_SOURCES)}")
    return ClusterSpec(
        name=name,
        nodes=tuple(nodes),
        poll_interval=float_setting(d, "poll_interval", DEFAULT_POLL_INTERVAL, where, MIN_POLL_INTERVAL),
        timeout=float_setting(d, "timeout", DEFAULT_TIMEOUT, where),
        scheme=scheme,
        tls=TLSSettings(
            verify=introspect.get("verify") is not False,
            ca=introspect.get("ca"), cert=introspect.get("cert"), key=introspect.get("key"),
        ),
        proxy=d.get("proxy") or None,
        no_proxy=_no_proxy(d.get("no_proxy")),
        concurrency=int(float_setting(d, "concurrency", 256, where, 1)),
        config_api=d.get("config_api"),
        analytics_api=d.get("analytics_api"),
        theme=d.get("theme"),
        default_ports=default_ports,
        default_probe_ports=default_probes,
        auth=parse_auth(d.get("auth"), f"{where}.auth"),
        routers=tuple(parse_routers(d, where)),
        ssh=parse_ssh_settings(d.get("ssh"), f"{where}.ssh"),
        gatewayless=parse_gatewayless(d.get("gatewayless"), f"{where}.gatewayless"),
        status_source=status_source,
        discover=d.get("discover"),
        raw=d,
    )


def cluster_names(doc: Any) -> list[str]:
    if not isinstance(doc, dict):
        return []
    clusters = doc.get("clusters")
    return list(clusters.keys()) if isinstance(clusters, dict) else []


def choose_cluster(doc: Any, requested: str | None, source: str) -> str:
    names = cluster_names(doc)
    if not names:
        raise ConfigError(f"{source}: no clusters defined (expected a 'clusters:' mapping)")
    if requested:
        if requested not in names:
            raise ConfigError(f"{source}: no cluster {requested!r}; known: {', '.join(names)}")
        return requested
    default = doc.get("default_cluster")
    if default:
        if default not in names:
            raise ConfigError(f"{source}: default_cluster {default!r} is not defined")
        return default
    return names[0]
