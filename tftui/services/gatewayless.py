"""Where the gatewayless cross-check gets its interfaces: the vrouter agents (ItfReq), with the networks that
forward on the IP fabric taken from the config API, or from ``gatewayless.networks`` in the config."""

from __future__ import annotations

import logging

from tftui.core.inventory import ClusterSpec
from tftui.core.routes.crosscheck import ExpectedHost
from tftui.core.routes.hosts import expected_hosts

from .routes import HostsProvider, RouterError, hosts_from_file

log = logging.getLogger(__name__)


async def iff_networks_from_api(spec: ClusterSpec) -> list[str]:
    """fq names of the virtual networks with IP fabric forwarding (a ref to default-project:ip-fabric)."""
    from .policy import PolicyService

    service = PolicyService.from_cluster(spec, readonly=True)
    try:
        return [":".join(n.fq_name) for n in await service.load_networks() if n.ip_fabric_forwarding]
    finally:
        await service.aclose()


def agent_hosts_provider(spec: ClusterSpec) -> HostsProvider | None:
    """Interfaces live from the agents; None when the cluster has no vrouters or no way to know the IFF networks."""
    if not spec.vrouters:
        return None
    configured = spec.gatewayless.networks
    if configured is None and not spec.config_api:
        return None

    async def load() -> list[ExpectedHost]:
        from .vmis import VmiService

        snapshot = await VmiService(spec).refresh()
        try:
            networks = list(configured) if configured is not None else await iff_networks_from_api(spec)
        except Exception as exc:  # the API being down must read as a reason, not a crash
            raise RouterError(f"cannot tell which networks use IP fabric forwarding: {exc}") from None
        rows = [{"vm_name": v.vm_name, "ip": v.ip, "vrouter_address": v.vrouter_address, "vrouter": v.vrouter,
                 "network": v.vn} for v in snapshot.vmis]
        hosts, problems = expected_hosts(rows, networks)
        for vrouter, why in snapshot.errors.items():
            log.warning("gatewayless: no interfaces from %s: %s", vrouter, why)
        for problem in problems:
            log.warning("gatewayless: %s", problem)
        return hosts

    return load


def hosts_provider(spec: ClusterSpec) -> HostsProvider | None:
    """Live agents first; an operator-maintained (or lab-written) ``gatewayless.hosts_file`` otherwise."""
    provider = agent_hosts_provider(spec)
    if provider is not None:
        return provider
    if spec.gatewayless.hosts_file:
        return hosts_from_file(spec.gatewayless.hosts_file, {n.address: n.name for n in spec.nodes})
    return None
