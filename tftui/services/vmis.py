"""The cluster's VM/pod interfaces, as the vrouter agents report them: the state the `:vmi` view watches."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field

from tftui.clients.agent import AgentClient, AgentFetchError, AgentSettings, VrouterTarget, vrouter_targets
from tftui.core.agent import Vmi
from tftui.core.inventory import ClusterSpec


@dataclass(frozen=True)
class VmiSnapshot:
    vmis: tuple[Vmi, ...]
    errors: dict[str, str] = field(default_factory=dict)  # vrouter -> why it gave no interfaces
    at: float = 0.0
    vrouters: int = 0


def matches(vmi: Vmi, text: str) -> bool:
    """The `/` filter: VM name, IP, metadata IP or VN (full or short), case-insensitive substring."""
    t = text.strip().lower()
    if not t:
        return True
    return any(t in s.lower() for s in (vmi.vm_name, vmi.ip, vmi.metadata_ip, vmi.vn, vmi.vrouter, vmi.name))


def find(vmis: tuple[Vmi, ...] | list[Vmi], query: str) -> list[Vmi]:
    """Exact lookup for `tftui ssh NAME_OR_IP`: VM name, VM IP, or VMI uuid/tap name."""
    q = query.strip()
    try:
        ipaddress.ip_address(q)
        return [v for v in vmis if v.ip == q]
    except ValueError:
        pass
    return [v for v in vmis if q in (v.vm_name, v.name, v.vm_uuid)]


class VmiService:
    """Fetches interfaces from every vrouter (bounded concurrency) or from one, on demand."""

    def __init__(self, spec: ClusterSpec, settings: AgentSettings | None = None):
        self.spec = spec
        self.settings = settings or AgentSettings.from_cluster(spec)
        self.targets = vrouter_targets(spec)
        self.snapshot: VmiSnapshot | None = None

    def target(self, vrouter: str) -> VrouterTarget:
        t = next((t for t in self.targets if t.name == vrouter), None)
        if t is None:
            raise AgentFetchError(f"{vrouter}: not a vrouter of cluster {self.spec.name}")
        return t

    async def refresh(self, vrouter: str | None = None) -> VmiSnapshot:
        targets = [self.target(vrouter)] if vrouter else self.targets
        async with AgentClient(self.settings) as client:
            results = await client.many(targets)
        vmis = tuple(v for r in results for v in r.vmis)
        errors = {r.target.name: r.error for r in results if r.error}
        snap = VmiSnapshot(vmis, errors, time.time(), len(targets))
        if vrouter is None:
            self.snapshot = snap
        return snap

    async def interfaces_of(self, vrouter: str) -> list[Vmi]:
        """One vrouter's interfaces, for a node tree that expands lazily; raises AgentFetchError."""
        async with AgentClient(self.settings) as client:
            return (await client.interfaces(self.target(vrouter))).vmis
