"""HTTP/1.1 GETs over asyncio, parsed by httptools (llhttp): keep-alive connections per host and port,
the size cap counted as the body arrives, compressed replies refused, explicit proxies (absolute-form for
http, CONNECT then TLS for https).

Why not aiohttp here: at fleet scale a poll round is thousands of small GETs to thousands of hosts, and
aiohttp's request and response objects, timers and stream readers cost ~0.2 ms of CPU per request — four
times what decoding the reply costs. One protocol object per connection and a request head built once per
target cost a fifth of that (benchmarks/bench_clients.py measures both, side by side, in one run).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import resource
import ssl
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httptools

IDLE_SECONDS = 60.0  # an idle connection older than this is closed rather than reused
MAX_IDLE_PER_TARGET = 4
MAX_HEAD_BYTES = 65536  # status line and headers of a proxy's CONNECT answer


class HTTPFailure(Exception):
    """A GET that produced no usable reply (the message says why in a few words); socket and TLS errors are
    raised as the OSError and ssl.SSLError they are."""


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: bytes = b""  # the Proxy-Authorization header line, or b""

    @classmethod
    def parse(cls, url: str) -> Proxy:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme != "http" or not parts.hostname:
            raise HTTPFailure(f"unsupported proxy URL scheme {parts.scheme!r} (http:// only)")
        auth = b""
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            auth = b"Proxy-Authorization: Basic " + base64.b64encode(pair) + b"\r\n"
        return cls(parts.hostname, parts.port or 80, auth)


def _host_header(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def request_head(host: str, port: int, path: str, proxy: Proxy | None = None, tls: bool = False) -> bytes:
    """The bytes of a GET, built once per target (the caller caches them)."""
    if not path.startswith("/") or any(c <= " " or c == "\x7f" for c in path) or not path.isascii():
        raise HTTPFailure("request path must be ASCII without spaces or controls")
    authority = _host_header(host, port)
    target = f"http://{authority}{path}" if proxy is not None and not tls else path
    head = f"GET {target} HTTP/1.1\r\nHost: {authority}\r\nAccept-Encoding: identity\r\n".encode()
    if proxy is not None and not tls:
        head += proxy.authorization
    return head + b"\r\n"


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one exchange at a time, its reply parsed as it arrives."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.last_used = time.monotonic()
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future | None = None
        self._reset_reply()

    def _reset_reply(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._received = False  # any byte of this reply
        self._headers_done = False
        self._length: int | None = None
        self._chunked = False
        self._encoding = b""
        self._status = 0

    # -- asyncio

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            return  # nothing asked: bytes after a finished reply are the server's problem, not ours
        self._received = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(HTTPFailure("malformed HTTP reply (unexpected protocol upgrade)"))
        except httptools.HttpParserError as exc:
            self._fail(HTTPFailure(f"malformed HTTP reply ({str(exc)[:80] or 'unparseable'})"))

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._headers_done and self._length is None and not self._chunked:
            self._complete()  # a reply delimited by closing the connection (HTTP/1.0 style)
        elif self._headers_done or self._chunks:
            self._fail(HTTPFailure("reply cut off mid-body"))
        elif isinstance(exc, ConnectionResetError):
            self._fail(HTTPFailure("connection reset"))
        else:
            self._fail(HTTPFailure("server closed the connection without a reply"))

    # -- httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"content-length":
            with contextlib.suppress(ValueError):
                self._length = int(value)
        elif name == b"content-encoding":
            self._encoding = value.strip().lower()
        elif name == b"transfer-encoding":
            self._chunked = b"chunked" in value.lower()

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()
        if 100 <= self._status < 200:  # an interim reply: the real one follows
            return
        self._headers_done = True
        if self._encoding not in (b"", b"identity"):
            # No decompression: introspect never compresses, and a few KB of gzip can inflate to gigabytes.
            shown = self._encoding[:40].decode("ascii", "replace")
            self._fail(HTTPFailure(f"compressed reply refused (Content-Encoding: {shown})"))
        elif self._length is not None and self._length > self.max_bytes:
            self._fail(HTTPFailure(f"reply too large ({self._length} bytes announced, cap {self.max_bytes})"))

    def on_body(self, body: bytes) -> None:
        # Counted as it arrives even with a Content-Length: the header is the sender's claim, not a bound.
        self._size += len(body)
        if self._size > self.max_bytes:
            self._fail(HTTPFailure(f"reply too large (over {self.max_bytes} bytes)"))
        else:
            self._chunks.append(body)

    def on_message_complete(self) -> None:
        if self._headers_done:
            self._complete()

    # -- one exchange

    def _complete(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((self._status, b"".join(self._chunks)))
        if not self._parser.should_keep_alive():
            self.abort()

    def _fail(self, exc: HTTPFailure) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.abort()  # whatever is left of this reply must not be read as the next one's

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    @property
    def reusable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    async def exchange(self, head: bytes) -> tuple[int, bytes]:
        self._reset_reply()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            self.transport.write(head)
            return await self._waiter
        finally:
            self._waiter = None
            self.last_used = time.monotonic()

    @property
    def received(self) -> bool:
        return self._received


class _ConnectReply(asyncio.Protocol):
    """A proxy's answer to CONNECT: the status line and headers, nothing more."""

    def __init__(self) -> None:
        self.done: asyncio.Future = asyncio.get_running_loop().create_future()
        self._buf = b""

    def data_received(self, data: bytes) -> None:
        if self.done.done():
            return
        self._buf += data
        end = self._buf.find(b"\r\n\r\n")
        if end >= 0:
            self.done.set_result(self._buf[:end])
        elif len(self._buf) > MAX_HEAD_BYTES:
            self.done.set_exception(HTTPFailure("proxy answered CONNECT with an oversized head"))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(HTTPFailure("proxy closed the connection during CONNECT"))


class HTTPPool:
    """Keep-alive connections by (scheme, host, port, proxy); ``get`` is one GET with no redirects."""

    def __init__(self, max_bytes: int, ssl_context: ssl.SSLContext | None = None):
        self.max_bytes = max_bytes
        self.ssl_context = ssl_context
        self._idle: dict[tuple, list[_Connection]] = {}
        self._idle_count = 0
        self._busy: set[_Connection] = set()
        # Idle connections hold file descriptors: never so many that a new connect fails with EMFILE
        # (20,000 introspects at 10,000 vrouters; a login shell's default limit is often 1024).
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        self.max_idle = max(16, soft // 2) if soft != resource.RLIM_INFINITY else 1 << 20

    async def _open(self, host: str, port: int, proxy: Proxy | None) -> _Connection:
        loop = asyncio.get_running_loop()
        tls = self.ssl_context
        conn = _Connection(self.max_bytes)
        if proxy is None:
            # An IP literal goes straight to connect(): asyncio and uvloop skip getaddrinfo for numeric hosts,
            # and without happy_eyeballs_delay there is no racing of address families either.
            await loop.create_connection(lambda: conn, host, port, ssl=tls, server_hostname=host if tls else None)
            return conn
        if tls is None:
            await loop.create_connection(lambda: conn, proxy.host, proxy.port)
            return conn
        transport, reply = await loop.create_connection(_ConnectReply, proxy.host, proxy.port)
        try:
            authority = _host_header(host, port).encode()
            transport.write(b"CONNECT " + authority + b" HTTP/1.1\r\nHost: " + authority + b"\r\n"
                            + proxy.authorization + b"\r\n")
            head = await reply.done
            status = head.split(b"\r\n", 1)[0].split(b" ", 2)
            if len(status) < 2 or not status[1].startswith(b"2"):
                shown = status[1][:3].decode("ascii", "replace") if len(status) > 1 else "?"
                raise HTTPFailure(f"proxy refused CONNECT (HTTP {shown})")
            tls_transport = await loop.start_tls(transport, conn, tls, server_hostname=host)
        except BaseException:
            transport.abort()
            raise
        conn.connection_made(tls_transport)
        return conn

    def _take_idle(self, key: tuple) -> _Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            self._idle_count -= 1
            if conn.reusable and now - conn.last_used < IDLE_SECONDS:
                return conn
            conn.abort()
        return None

    def _give_back(self, key: tuple, conn: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if conn.reusable and len(idle) < MAX_IDLE_PER_TARGET and self._idle_count < self.max_idle:
            idle.append(conn)
            self._idle_count += 1
        else:
            conn.abort()

    async def get(self, host: str, port: int, head: bytes, proxy: Proxy | None = None) -> tuple[int, bytes]:
        """(HTTP status, body). Raises HTTPFailure, ssl.SSLError, OSError; the caller bounds the time."""
        key = (host, port, proxy)
        conn = self._take_idle(key)
        reused = conn is not None
        if conn is None:
            conn = await self._open(host, port, proxy)
        self._busy.add(conn)
        try:
            try:
                result = await conn.exchange(head)
            except HTTPFailure:
                if not (reused and not conn.received):
                    raise
                # The server closed an idle connection just as we reused it: one fresh try, as browsers do.
                self._busy.discard(conn)
                conn = await self._open(host, port, proxy)
                self._busy.add(conn)
                result = await conn.exchange(head)
        except BaseException:
            conn.abort()  # cancelled (timeout) or failed mid-exchange: never reused
            raise
        finally:
            self._busy.discard(conn)
        self._give_back(key, conn)
        return result

    def close(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.abort()
        self._idle.clear()
        self._idle_count = 0
        for conn in list(self._busy):
            conn.abort()
        self._busy.clear()
