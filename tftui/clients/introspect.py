"""Introspect over HTTP(S): many hosts, keep-alive, hard time and size bounds on every request.

The HTTP itself is clients/http1.py (asyncio + httptools): at two thousand hosts per round the per-request
cost of a general-purpose client is what a poll round is made of (benchmarks/bench_clients.py compares
aiohttp, httpx, pycurl and this, side by side).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass

from tftui.core.inventory import ClusterSpec, TLSSettings
from tftui.core.proxy import proxy_for
from tftui.core.sandesh import DEFAULT_MAX_BYTES
from tftui.core.status import FetchKind, FetchResult, ProbeResult

from .http1 import HTTPFailure, HTTPPool, Proxy, request_head

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
    if isinstance(exc, TimeoutError):
        return FetchKind.TIMEOUT, "no reply in time"
    if isinstance(exc, HTTPFailure):
        return FetchKind.ERROR, str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return FetchKind.ERROR, f"TLS certificate rejected: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        return FetchKind.ERROR, f"TLS failed: {exc.reason or exc}"[:200]
    if isinstance(exc, ConnectionRefusedError):
        return FetchKind.REFUSED, "connection refused"
    if isinstance(exc, ConnectionResetError):
        return FetchKind.ERROR, "connection reset"
    if isinstance(exc, OSError):
        return FetchKind.REFUSED, f"cannot connect: {exc.strerror or exc}"
    return FetchKind.ERROR, f"{type(exc).__name__}"


class IntrospectClient:
    """Use as ``async with IntrospectClient(settings) as c: await c.node_status(addr, port)``."""

    def __init__(self, settings: IntrospectSettings):
        self.settings = settings
        self._sem = asyncio.Semaphore(max(1, settings.concurrency))
        self._ssl = ssl_context(settings.tls) if settings.scheme == "https" else None
        self._pool: HTTPPool | None = None
        self._heads: dict[tuple[str, int, str], tuple[bytes, Proxy | None]] = {}

    async def __aenter__(self) -> IntrospectClient:
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self) -> None:
        if self._pool is None:
            self._pool = HTTPPool(self.settings.max_bytes, self._ssl)

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _request(self, address: str, port: int, path: str) -> tuple[bytes, Proxy | None]:
        """The request bytes and proxy of a target, worked out once: thousands of targets every round."""
        key = (address, port, path)
        found = self._heads.get(key)
        if found is None:
            if len(self._heads) > 50_000:  # page keys vary: keep the cache bounded
                self._heads.clear()
            # Only the cluster's own proxy counts (http_proxy & co. are never read); no_proxy exempts hosts.
            url = proxy_for(address, self.settings.proxy, self.settings.no_proxy)
            proxy = Proxy.parse(url) if url else None
            found = self._heads[key] = (request_head(address, port, path, proxy, tls=self._ssl is not None), proxy)
        return found

    async def get(self, address: str, port: int, path: str, timeout: float | None = None) -> FetchResult:
        await self.open()
        assert self._pool is not None
        limit = timeout or self.settings.timeout
        async with self._sem:
            started = time.monotonic()
            try:
                head, proxy = self._request(address, port, path)
                async with asyncio.timeout(limit):  # connect, request and the whole body: a drip cannot outlast it
                    status, body = await self._pool.get(address, port, head, proxy)
                return FetchResult(FetchKind.REPLY, status, body, elapsed=time.monotonic() - started, at=time.time())
            except (TimeoutError, HTTPFailure, OSError) as exc:  # ssl.SSLError is an OSError
                kind, why = _classify(exc)
                return FetchResult(kind, error=why, elapsed=time.monotonic() - started, at=time.time())

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
