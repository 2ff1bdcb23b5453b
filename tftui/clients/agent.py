"""vrouter agent introspect: every VM/pod interface of one vrouter, or of many at once.

Pages are followed key by key (``Snh_PageReq?x=NEXT``) rather than asking for the whole table with
the ``all`` key: one page is bounded, a whole table of thousands of interfaces may not be. Every
request has a time and size limit; a vrouter that does not answer costs its own timeout, never the
others' (bounded concurrency across vrouters).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from tftui.clients.introspect import IntrospectClient, IntrospectSettings
from tftui.core.agent import AgentError, ItfPage, Vmi, decode_itf_reply, vmis_from
from tftui.core.inventory import ClusterSpec, NodeSpec, TLSSettings
from tftui.core.sandesh import DEFAULT_MAX_BYTES
from tftui.core.status import FetchKind

AGENT_PORT = 8085
AGENT_SERVICE = "vrouter-agent"
# All of ItfReq's filters, empty: what the agent's own introspect page sends for "everything".
ITF_REQ_PARAMS = {"name": "", "type": "", "uuid": "", "vn": "", "mac": "", "ipv4_address": ""}


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
        self._http = IntrospectClient(IntrospectSettings(st.scheme, st.timeout, st.concurrency * 2, st.max_bytes,
                                                         st.proxy, st.no_proxy, st.tls))
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

    async def _get_page(self, target: VrouterTarget, path: str, params: dict[str, str]) -> ItfPage:
        # page keys go out as the agent's own links write them (":" and "," unescaped)
        query = "&".join(f"{k}={quote(v, safe=':,.-_')}" for k, v in params.items())
        fetch = await self._http.get(target.address, target.port, f"{path}?{query}")
        where = f"{target.name} ({target.address}:{target.port})"
        if fetch.kind is not FetchKind.REPLY:
            raise AgentFetchError(f"{where}: {fetch.error}")
        if fetch.http_status != 200:
            raise AgentFetchError(f"{target.name}: agent answered HTTP {fetch.http_status}")
        try:
            return decode_itf_reply(fetch.body, self.settings.max_bytes)
        except AgentError as exc:
            raise AgentFetchError(f"{target.name}: {exc}") from None

    async def interfaces(self, target: VrouterTarget) -> VrouterInterfaces:
        """Every VM/pod interface of one vrouter (raises AgentFetchError with a readable reason)."""
        async with self._sem:
            page = await self._get_page(target, "/Snh_ItfReq", ITF_REQ_PARAMS)
            found = list(page.interfaces)
            pages, seen = 1, set()
            while page.page is not None and page.page.next_page:
                key = page.page.next_page
                if key in seen or pages >= self.settings.max_pages:
                    raise AgentFetchError(f"{target.name}: the agent's pages do not end (after {pages})")
                seen.add(key)
                page = await self._get_page(target, "/Snh_PageReq", {"x": key})
                found.extend(page.interfaces)
                pages += 1
        return VrouterInterfaces(target, vmis_from(target.name, target.address, found), None, pages)

    async def interfaces_all_key(self, target: VrouterTarget) -> VrouterInterfaces:
        """The whole table in one request with the agent's ``all`` key (one round trip, bigger reply)."""
        async with self._sem:
            first = await self._get_page(target, "/Snh_ItfReq", ITF_REQ_PARAMS)
            if first.page is None or not first.page.next_page or not first.page.all:
                return VrouterInterfaces(target, vmis_from(target.name, target.address, first.interfaces), None, 1)
            everything = await self._get_page(target, "/Snh_PageReq", {"x": first.page.all})
        return VrouterInterfaces(target, vmis_from(target.name, target.address, everything.interfaces), None, 2)

    async def many(self, targets: Iterable[VrouterTarget]) -> list[VrouterInterfaces]:
        """All vrouters at once, concurrency bounded; a failing vrouter carries its error, the rest still count."""

        async def one(t: VrouterTarget) -> VrouterInterfaces:
            try:
                return await self.interfaces(t)
            except AgentFetchError as exc:
                return VrouterInterfaces(t, [], str(exc))

        return list(await asyncio.gather(*(one(t) for t in targets)))
