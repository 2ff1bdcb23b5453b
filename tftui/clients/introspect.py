"""Introspect over HTTP(S): many hosts, keep-alive, hard time and size bounds on every request.

aiohttp rather than httpx here: at two thousand hosts a shared aiohttp connector keeps rounds well
under a second where one shared httpx pool stalls (measured; see the benchmarks).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass

import aiohttp
from yarl import URL

from tftui.core.inventory import ClusterSpec, TLSSettings
from tftui.core.proxy import proxy_for
from tftui.core.sandesh import DEFAULT_MAX_BYTES
from tftui.core.status import FetchKind, FetchResult, ProbeResult

NODE_STATUS_PATH = "/Snh_SandeshUVECacheReq?x=NodeStatus"


def ssl_context(tls: TLSSettings) -> ssl.SSLContext:
    """One context for every host: building one per host costs seconds at fleet scale."""
    ctx = ssl.create_default_context(cafile=tls.ca) if tls.ca else ssl.create_default_context()
    if not tls.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if tls.cert:
        ctx.load_cert_chain(tls.cert, tls.key)
    return ctx


@dataclass
class IntrospectSettings:
    scheme: str = "http"
    timeout: float = 3.0
    concurrency: int = 256
    max_bytes: int = DEFAULT_MAX_BYTES
    proxy: str | None = None
    no_proxy: tuple[str, ...] = ()
    tls: TLSSettings = TLSSettings()

    @classmethod
    def from_cluster(cls, spec: ClusterSpec) -> IntrospectSettings:
        return cls(spec.scheme, spec.timeout, spec.concurrency, DEFAULT_MAX_BYTES, spec.proxy, spec.no_proxy, spec.tls)


def _classify(exc: BaseException) -> tuple[FetchKind, str]:
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return FetchKind.TIMEOUT, "no reply in time"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return FetchKind.ERROR, f"TLS certificate rejected: {exc.certificate_error}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_err = exc.os_error
        if isinstance(os_err, ConnectionRefusedError):
            return FetchKind.REFUSED, "connection refused"
        return FetchKind.REFUSED, f"cannot connect: {os_err.strerror or os_err}" if os_err else "cannot connect"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return FetchKind.ERROR, "server closed the connection without a reply"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return FetchKind.ERROR, "reply cut off mid-body"
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchKind.ERROR, f"malformed HTTP reply ({exc.message})"
    if isinstance(exc, ConnectionResetError):
        return FetchKind.ERROR, "connection reset"
    if isinstance(exc, aiohttp.ClientError | OSError):
        return FetchKind.ERROR, f"{type(exc).__name__}: {exc}"[:200]
    return FetchKind.ERROR, f"{type(exc).__name__}"


class IntrospectClient:
    """Use as ``async with IntrospectClient(settings) as c: await c.node_status(addr, port)``."""

    def __init__(self, settings: IntrospectSettings):
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._sem = asyncio.Semaphore(max(1, settings.concurrency))
        self._ssl = ssl_context(settings.tls) if settings.scheme == "https" else None
        self._urls: dict[tuple[str, int, str], URL] = {}
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    async def __aenter__(self) -> IntrospectClient:
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=4, ssl=self._ssl if self._ssl else False,
                                             keepalive_timeout=60, ttl_dns_cache=300, enable_cleanup_closed=False)
            # trust_env=False: an operator's http_proxy must not capture cluster traffic.
            # No decompression: introspect never compresses, and a few KB of gzip can inflate to gigabytes
            # in one read, before any size cap sees it; a compressed reply is refused instead.
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False, auto_decompress=False,
                                                  headers={"Accept-Encoding": "identity"},
                                                  skip_auto_headers=("User-Agent",))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def url(self, address: str, port: int, path: str) -> URL:
        """URLs are built once per target: parsing thousands of them every round shows up in profiles."""
        key = (address, port, path)
        url = self._urls.get(key)
        if url is None:
            if len(self._urls) > 50_000:  # page keys vary: keep the cache bounded
                self._urls.clear()
            host = f"[{address}]" if ":" in address else address
            url = self._urls[key] = URL(f"{self.settings.scheme}://{host}:{port}{path}", encoded=True)
        return url

    async def get(self, address: str, port: int, path: str, timeout: float | None = None) -> FetchResult:
        await self.open()
        assert self._session is not None
        limit = timeout or self.settings.timeout
        proxy = proxy_for(address, self.settings.proxy, self.settings.no_proxy)
        started = time.monotonic()
        client_timeout = self._timeouts.get(limit)
        if client_timeout is None:
            client_timeout = self._timeouts[limit] = aiohttp.ClientTimeout(total=limit)
        async with self._sem:
            try:
                async with self._session.get(self.url(address, port, path), proxy=proxy, allow_redirects=False,
                                             timeout=client_timeout) as resp:
                    body = await self._read_capped(resp)
                    return FetchResult(FetchKind.REPLY, resp.status, body, elapsed=time.monotonic() - started,
                                       at=time.time())
            except _TooLarge as exc:
                return FetchResult(FetchKind.ERROR, error=str(exc), elapsed=time.monotonic() - started, at=time.time())
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                kind, why = _classify(exc)
                return FetchResult(kind, error=why, elapsed=time.monotonic() - started, at=time.time())

    async def _read_capped(self, resp: aiohttp.ClientResponse) -> bytes:
        cap = self.settings.max_bytes
        encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise _TooLarge(f"compressed reply refused (Content-Encoding: {encoding[:40]})")
        if resp.content_length is not None and resp.content_length > cap:
            raise _TooLarge(f"reply too large ({resp.content_length} bytes announced, cap {cap})")
        # Counted as it arrives even with a Content-Length: the header is the sender's claim, not a bound.
        chunks, size = [], 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > cap:
                raise _TooLarge(f"reply too large (over {cap} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)

    async def node_status(self, address: str, port: int, timeout: float | None = None) -> FetchResult:
        return await self.get(address, port, NODE_STATUS_PATH, timeout)

    async def probe(self, address: str, port: int, timeout: float | None = None) -> ProbeResult:
        """A bare TCP connect: is anything listening on a daemon's well-known port?"""
        limit = timeout or self.settings.timeout
        async with self._sem:
            try:
                async with asyncio.timeout(limit):
                    _, writer = await asyncio.open_connection(address, port)
                writer.close()
                return ProbeResult(port, FetchKind.REPLY, at=time.time())
            except TimeoutError:
                return ProbeResult(port, FetchKind.TIMEOUT, at=time.time())
            except OSError:
                return ProbeResult(port, FetchKind.REFUSED, at=time.time())


class _TooLarge(Exception):
    """A reply refused before it was read whole (oversize or compressed)."""
