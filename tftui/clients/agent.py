"""vrouter agent introspect: every VM/pod interface of one vrouter, or of many at once.

Pages are followed key by key (``Snh_PageReq?x=NEXT``) rather than asking for the whole table with
the ``all`` key: one page is bounded, a whole table of thousands of interfaces may not be. Every
request has a time and size limit; a vrouter that does not answer costs its own timeout, never the
others' (bounded concurrency across vrouters).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field

import aiohttp

from tftui.core.agent import AgentError, ItfPage, Vmi, decode_itf_reply, vmis_from
from tftui.core.inventory import ClusterSpec, NodeSpec, TLSSettings
from tftui.core.proxy import proxy_for
from tftui.core.sandesh import DEFAULT_MAX_BYTES

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


def _ssl_context(tls: TLSSettings) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=tls.ca) if tls.ca else ssl.create_default_context()
    if not tls.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if tls.cert:
        ctx.load_cert_chain(tls.cert, tls.key)
    return ctx


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no reply in time"
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_err = exc.os_error
        if isinstance(os_err, ConnectionRefusedError):
            return "connection refused"
        return f"cannot connect: {getattr(os_err, 'strerror', None) or os_err}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server closed the connection without a reply"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "reply cut off mid-body"
    return f"{type(exc).__name__}: {exc}"[:200]


class AgentClient:
    """``async with AgentClient(settings) as c: await c.interfaces(target)``."""

    def __init__(self, settings: AgentSettings | None = None):
        self.settings = settings or AgentSettings()
        self._session: aiohttp.ClientSession | None = None
        self._sem = asyncio.Semaphore(max(1, self.settings.concurrency))

    async def __aenter__(self) -> AgentClient:
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self) -> None:
        if self._session is None:
            tls = _ssl_context(self.settings.tls) if self.settings.scheme == "https" else False
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=2, ssl=tls)
            # trust_env=False: an operator's http_proxy must not capture cluster traffic (core/proxy decides)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _url(self, target: VrouterTarget, path: str) -> str:
        host = f"[{target.address}]" if ":" in target.address else target.address
        return f"{self.settings.scheme}://{host}:{target.port}{path}"

    async def _get_page(self, target: VrouterTarget, path: str, params: dict[str, str]) -> ItfPage:
        await self.open()
        assert self._session is not None
        proxy = proxy_for(target.address, self.settings.proxy, self.settings.no_proxy)
        cap = self.settings.max_bytes
        try:
            async with asyncio.timeout(self.settings.timeout):
                async with self._session.get(self._url(target, path), params=params, proxy=proxy,
                                             allow_redirects=False) as resp:
                    if resp.status != 200:
                        raise AgentFetchError(f"{target.name}: agent answered HTTP {resp.status}")
                    if resp.content_length is not None and resp.content_length > cap:
                        raise AgentFetchError(f"{target.name}: reply too large ({resp.content_length} bytes)")
                    chunks, size = [], 0
                    async for chunk in resp.content.iter_chunked(65536):
                        size += len(chunk)
                        if size > cap:
                            raise AgentFetchError(f"{target.name}: reply too large (over {cap} bytes)")
                        chunks.append(chunk)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise AgentFetchError(f"{target.name} ({target.address}:{target.port}): {_why(exc)}") from None
        try:
            return decode_itf_reply(b"".join(chunks), cap)
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
