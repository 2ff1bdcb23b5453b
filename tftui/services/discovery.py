"""Cluster nodes found through the config API alone, as inventory NodeSpecs for the node tree.

config-node, analytics-node and database-node objects give controller roles, virtual-routers the
computes, control-node bgp-routers the control role; one address gathers every role found for it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tftui.core.inventory import ClusterSpec, ConfigError, NodeSpec, merge_nodes
from tftui.core.policy.settings import config_api_settings

if TYPE_CHECKING:  # the client (httpx: ~50 ms of imports) only when the cluster wants discovery
    from tftui.clients.configapi import ConfigApiClient

_ROLE_OF = {
    "config-node": ("config_node_ip_address", "config"),
    "analytics-node": ("analytics_node_ip_address", "analytics"),
    "database-node": ("database_node_ip_address", "analytics_database"),
    "virtual-router": ("virtual_router_ip_address", "vrouter"),
}


async def discover_nodes(client: ConfigApiClient) -> list[NodeSpec]:
    found: dict[str, tuple[str, list[str]]] = {}  # address -> (name, roles)

    def add(address: str | None, name: str, role: str) -> None:
        if not address:
            return
        entry = found.setdefault(address, (name, []))
        if role not in entry[1]:
            entry[1].append(role)

    for type_name, (field, role) in _ROLE_OF.items():
        for obj in await client.list_all(type_name):
            add(obj.get(field), obj["fq_name"][-1], role)
    for obj in await client.list_all("bgp-router"):
        params = obj.get("bgp_router_parameters") or {}
        if params.get("router_type") == "control-node":
            add(params.get("address"), obj["fq_name"][-1], "control")
    return [NodeSpec(name=name, address=addr, roles=tuple(roles)) for addr, (name, roles) in found.items()]


async def discover_and_merge(client: ConfigApiClient, configured: list[NodeSpec]) -> list[NodeSpec]:
    """Discovered nodes with the configured ones laid over them (same address: configured name wins)."""
    return merge_nodes(await discover_nodes(client), list(configured))


async def discover_cluster(cluster: ClusterSpec) -> ClusterSpec:
    """The cluster with the nodes its config API knows merged under the configured/inventory ones.

    Raises ConfigError without ``config_api``, ConfigApiError when the API cannot be read.
    """
    settings = config_api_settings(cluster)
    if settings is None:
        raise ConfigError(f"cluster {cluster.name!r} has no config_api to discover nodes from")
    from tftui.clients.configapi import ConfigApiClient

    async with ConfigApiClient(settings) as client:
        found = [replace(n, ports={**cluster.default_ports, **n.ports},
                         probe_ports={**cluster.default_probe_ports, **n.probe_ports})
                 for n in await discover_nodes(client)]
    nodes = merge_nodes(found, list(cluster.nodes))
    return replace(cluster, nodes=tuple(nodes))


def resolve_nodes(cluster: ClusterSpec) -> tuple[ClusterSpec, str | None]:
    """Before polling starts: the cluster with discovered nodes when it wants discovery, and a warning if that
    failed (the configured nodes are then used as they are)."""
    import asyncio

    if not cluster.wants_discovery:
        return cluster, None
    try:
        found = asyncio.run(discover_cluster(cluster))
    except Exception as exc:  # an unreachable API is a warning, not the end: configured nodes still work
        return cluster, f"node discovery through {cluster.config_api} failed: {exc}"
    return found, None
