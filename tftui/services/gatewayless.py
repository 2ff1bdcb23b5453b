"""Where the gatewayless cross-check gets its interfaces: the vrouter agents (ItfReq), with the networks that
forward on the IP fabric taken from the config API, or from ``gatewayless.networks`` in the config; else an
interface list in a file (``gatewayless.hosts_file``, ``--hosts``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import yaml

from tftui.clients.router import RouterError
from tftui.core.inventory import ClusterSpec
from tftui.core.routes.crosscheck import ExpectedHost
from tftui.core.routes.hosts import expected_hosts

log = logging.getLogger(__name__)
HostsProvider = Callable[[], Awaitable[list[ExpectedHost]]]


def hosts_from_file(path: str | Path, names: dict[str, str] | None = None) -> HostsProvider:
    """Interfaces from a YAML/JSON list (the lab writes one; operators may too); ``names`` (address -> node name)
    names the vrouters the file gives only by address."""
    p = Path(path).expanduser()

    async def load() -> list[ExpectedHost]:
        try:
            doc = yaml.safe_load(await asyncio.to_thread(p.read_text, encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise RouterError(f"cannot read the interface list {p}: {exc}") from None
        hosts, problems = expected_hosts(doc if isinstance(doc, list) else [], names=names)
        for problem in problems:
            log.warning("%s: %s", p, problem)
        return hosts

    return load


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
