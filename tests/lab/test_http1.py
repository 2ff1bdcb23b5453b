"""The introspect client's HTTP/1.1 layer (clients/http1.py) against small servers on real loopback sockets:
keep-alive and its edges, replies delimited by close, interim replies, proxies (absolute-form, CONNECT + TLS,
credentials), and request targets that would smuggle headers."""

from __future__ import annotations

import asyncio
import base64

import yaml

from tftui.clients.http1 import HTTPFailure, request_head
from tftui.clients.introspect import IntrospectClient, IntrospectSettings
from tftui.core.inventory import TLSSettings
from tftui.services.config import load_config

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\n<a/>\n"


class Server:
    """A scripted HTTP server: ``reply(head) -> (bytes, close_after)``; counts connections and requests."""

    def __init__(self, reply):
        self.reply = reply
        self.connections = 0
        self.heads: list[bytes] = []
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                data, close = self.reply(head)
                writer.write(data)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        for w in self.writers:
            w.close()


async def test_connections_are_kept_and_reused_across_requests():
    async with Server(lambda head: (OK, False)) as srv, IntrospectClient(IntrospectSettings()) as client:
        for _ in range(5):
            r = await client.node_status("127.0.0.1", srv.port)
            assert (r.kind.value, r.http_status, r.body) == ("reply", 200, b"<a/>\n")
        assert srv.connections == 1 and len(srv.heads) == 5
        head = srv.heads[0].decode()
        assert head.startswith("GET /Snh_SandeshUVECacheReq?x=NodeStatus HTTP/1.1\r\n")
        assert f"Host: 127.0.0.1:{srv.port}\r\n" in head and "Accept-Encoding: identity\r\n" in head


async def test_an_idle_connection_the_server_closed_is_replaced_without_an_error():
    async with Server(lambda head: (OK, False)) as srv, IntrospectClient(IntrospectSettings()) as client:
        assert (await client.node_status("127.0.0.1", srv.port)).http_status == 200
        for w in srv.writers:  # the server drops idle keep-alive connections (as servers do after a while)
            w.close()
        await asyncio.sleep(0.05)
        r = await client.node_status("127.0.0.1", srv.port)
        assert r.http_status == 200 and srv.connections == 2


async def test_connection_close_replies_and_bodies_delimited_by_close():
    def reply(head):
        return b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<old-style/>", True

    async with Server(reply) as srv, IntrospectClient(IntrospectSettings()) as client:
        for _ in range(2):
            r = await client.node_status("127.0.0.1", srv.port)
            assert (r.kind.value, r.body) == ("reply", b"<old-style/>")
        assert srv.connections == 2  # not reused after the server said it closes


async def test_an_interim_reply_is_skipped_and_a_cut_body_is_an_error():
    replies = iter([(b"HTTP/1.1 100 Continue\r\n\r\n" + OK, False),
                    (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<partial", True)])
    async with Server(lambda head: next(replies)) as srv, IntrospectClient(IntrospectSettings()) as client:
        assert (await client.node_status("127.0.0.1", srv.port)).body == b"<a/>\n"
        r = await client.node_status("127.0.0.1", srv.port)
        assert (r.kind.value, r.error) == ("error", "reply cut off mid-body")


async def test_garbage_instead_of_http_is_a_malformed_reply():
    async with Server(lambda head: (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", True)) as srv, \
            IntrospectClient(IntrospectSettings()) as client:
        r = await client.node_status("127.0.0.1", srv.port)
        assert r.kind.value == "error" and r.error.startswith("malformed HTTP reply")


async def test_a_path_that_would_smuggle_a_header_is_never_sent():
    async with Server(lambda head: (OK, False)) as srv, IntrospectClient(IntrospectSettings()) as client:
        r = await client.get("127.0.0.1", srv.port, "/Snh_ItfReq?x=1 HTTP/1.1\r\nX-Evil: 1")
        assert r.kind.value == "error" and "without spaces or controls" in r.error
        assert srv.connections == 0
    try:
        request_head("127.0.0.1", 1, "/\u00e9")
    except HTTPFailure:
        pass
    else:
        raise AssertionError("non-ASCII target accepted")


async def test_http_proxy_gets_absolute_targets_and_credentials():
    async with Server(lambda head: (OK, False)) as proxy:
        settings = IntrospectSettings(proxy=f"http://ops:s%40cret@127.0.0.1:{proxy.port}")
        async with IntrospectClient(settings) as client:
            r = await client.node_status("10.99.0.7", 8085)  # never connected to directly: the proxy answers
        assert r.http_status == 200
        head = proxy.heads[0].decode()
        assert head.startswith("GET http://10.99.0.7:8085/Snh_SandeshUVECacheReq?x=NodeStatus HTTP/1.1\r\n")
        assert f"Proxy-Authorization: Basic {base64.b64encode(b'ops:s@cret').decode()}\r\n" in head


async def test_https_through_a_connect_proxy_with_verification(start_lab, tmp_path):
    """HTTPS introspect via CONNECT: the tunnel is opened, TLS is verified against the cluster CA end to end."""
    lab = start_lab("seed-analytics-less", extra=("--introspect-tls",))
    doc = yaml.safe_load(lab.config_path.read_text())
    spec = load_config(str(lab.config_path)).cluster
    node = spec.node("bms2")
    seen: list[bytes] = []

    async def tunnel(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head)
        host, port = head.split(b" ")[1].decode().rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def pump(src, dst):
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))

    server = await asyncio.start_server(tunnel, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        ca = doc["clusters"]["lab"]["introspect"]["ca"]
        good = IntrospectSettings(scheme="https", proxy=f"http://u:p@127.0.0.1:{port}", tls=TLSSettings(ca=ca))
        async with IntrospectClient(good) as client:
            r = await client.node_status(node.address, 8085)
        assert r.http_status == 200 and b"NodeStatus" in r.body, r
        assert seen[0].startswith(f"CONNECT {node.address}:8085 HTTP/1.1\r\n".encode())
        assert b"Proxy-Authorization: Basic " in seen[0]
        untrusted = IntrospectSettings(scheme="https", proxy=f"http://127.0.0.1:{port}", tls=TLSSettings())
        async with IntrospectClient(untrusted) as client:
            r = await client.node_status(node.address, 8085)
        assert r.kind.value == "error" and r.error.startswith("TLS certificate rejected"), r
    finally:
        server.close()


async def test_a_proxy_that_refuses_connect_is_an_error_with_its_status():
    async with Server(lambda head: (b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", True)) as proxy:
        settings = IntrospectSettings(scheme="https", proxy=f"http://127.0.0.1:{proxy.port}")
        async with IntrospectClient(settings) as client:
            r = await client.node_status("10.99.0.7", 8085)
        assert (r.kind.value, r.error) == ("error", "proxy refused CONNECT (HTTP 407)")


async def test_idle_connections_stay_within_the_file_descriptor_budget():
    async with Server(lambda head: (OK, False)) as a, Server(lambda head: (OK, False)) as b, \
            IntrospectClient(IntrospectSettings()) as client:
        client._pool.max_idle = 1  # as if the process could hold very few descriptors
        for _ in range(2):
            assert (await client.node_status("127.0.0.1", a.port)).http_status == 200
            assert (await client.node_status("127.0.0.1", b.port)).http_status == 200
        assert (a.connections, b.connections) == (1, 2)  # a's is kept; b's is closed after each use
