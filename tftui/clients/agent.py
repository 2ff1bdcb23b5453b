"""vrouter agent introspect: every VM/pod interface of one vrouter, or of many at once.

Pages are followed key by key (``Snh_PageReq?x=NEXT``, by the generic introspect client) rather than
asking for the whole table with the ``all`` key: one page is bounded, a whole table of thousands of
interfaces may not be. Every request has a time and size limit; a vrouter that does not answer costs
its own timeout, never the others' (bounded concurrency across vrouters).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from tftui.clients.introspect import IntrospectClient, IntrospectSettings
from tftui.clients.introspect_requests import IntrospectRequester, RequestLimits
from tftui.core.agent import Vmi, interface_from_struct, vmis_from
from tftui.core.inventory import ClusterSpec, NodeSpec, TLSSettings
from tftui.core.sandesh import DEFAULT_MAX_BYTES, Struct

AGENT_PORT = 8085
AGENT_SERVICE = "vrouter-agent"


class AgentFetchError(Exception):
    """A vrouter whose interfaces could not be read; the message is fit for the UI as is."""


@dataclass
class AgentSettings:
    scheme: str = "http"
    timeout: float = 3.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = 100  # 10,000 interfaces: far beyond any vrouter; stops a server that pages forever
    concurrency: int = 32
    proxy: str | None = None
    no_proxy: tuple[str, ...] = ()
    tls: TLSSettings = field(default_factory=TLSSettings)

    @classmethod
    def from_cluster(cls, spec: ClusterSpec) -> AgentSettings:
        return cls(scheme=spec.scheme, timeout=spec.timeout, proxy=spec.proxy, no_proxy=spec.no_proxy, tls=spec.tls,
                   concurrency=max(1, min(spec.concurrency, 64)))


@dataclass(frozen=True)
class VrouterTarget:
    name: str
    address: str
    port: int = AGENT_PORT


@dataclass
class VrouterInterfaces:
    target: VrouterTarget
    vmis: list[Vmi]
    error: str | None = None
    pages: int = 0


def agent_port(node: NodeSpec) -> int:
    return next((s.port for s in node.services() if s.key == AGENT_SERVICE and s.port), AGENT_PORT)


def vrouter_targets(spec: ClusterSpec) -> list[VrouterTarget]:
    return [VrouterTarget(n.name, n.address, agent_port(n)) for n in spec.nodes if "vrouter" in n.roles]


class AgentClient:
    """``async with AgentClient(settings) as c: await c.interfaces(target)``."""

    def __init__(self, settings: AgentSettings | None = None):
        self.settings = settings or AgentSettings()
        st = self.settings
        # the same HTTP client as the poller: one connector, size cap, time bound, proxy rules, TLS
        http = IntrospectSettings(st.scheme, st.timeout, st.concurrency * 2, st.max_bytes, st.proxy, st.no_proxy, st.tls)
        self._http = IntrospectClient(http)
        self._requests = IntrospectRequester(http, RequestLimits(max_pages=st.max_pages), client=self._http)
        self._sem = asyncio.Semaphore(max(1, st.concurrency))

    async def __aenter__(self) -> AgentClient:
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self) -> None:
        await self._http.open()

    async def close(self) -> None:
        await self._http.close()

    async def _table(self, target: VrouterTarget, whole: bool) -> VrouterInterfaces:
        reply = await self._requests.request(target.address, target.port, "ItfReq", service=AGENT_SERVICE,
                                             whole=whole)
        if reply.error:
            raise AgentFetchError(f"{target.name} ({target.address}:{target.port}): {reply.error}")
        if reply.stopped:
            raise AgentFetchError(f"{target.name}: the agent's pages do not end ({reply.stopped})")
        if not any(m.name == "ItfResp" for m in reply.messages):
            names = ", ".join(sorted({m.name for m in reply.messages})) or "nothing"
            raise AgentFetchError(f"{target.name}: not an interface reply (got {names})")
        found = [interface_from_struct(item) for m in reply.messages if m.name == "ItfResp"
                 for item in m.fields.get("itf_list", []) if isinstance(item, Struct)]
        return VrouterInterfaces(target, vmis_from(target.name, target.address, found), None, reply.pages)

    async def interfaces(self, target: VrouterTarget) -> VrouterInterfaces:
        """Every VM/pod interface of one vrouter (raises AgentFetchError with a readable reason)."""
        async with self._sem:
            return await self._table(target, whole=False)

    async def interfaces_all_key(self, target: VrouterTarget) -> VrouterInterfaces:
        """The whole table with the agent's ``all`` key after the first page (bigger replies, fewer round trips)."""
        async with self._sem:
            return await self._table(target, whole=True)

    async def many(self, targets: Iterable[VrouterTarget]) -> list[VrouterInterfaces]:
        """All vrouters at once, concurrency bounded; a failing vrouter carries its error, the rest still count."""

        async def one(t: VrouterTarget) -> VrouterInterfaces:
            try:
                return await self.interfaces(t)
            except AgentFetchError as exc:
                return VrouterInterfaces(t, [], str(exc))

        return list(await asyncio.gather(*(one(t) for t in targets)))
