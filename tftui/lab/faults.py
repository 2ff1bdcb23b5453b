"""Misbehaving introspect replies for ``tftui lab --faults`` and the ``hostile`` scenario.

HTTP-level faults use aiohttp's own server machinery (StreamResponse writes and drains, the
transport's abort); the body-shape faults are real Sandesh built with core's encoder, then bent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import socket
import struct
from dataclasses import replace

from aiohttp import web

from tftui.core.catalog import ServiceDef
from tftui.core.nodestatus import NodeStatus, encode_node_status_reply, node_status_fields
from tftui.core.sandesh import STYLESHEET_PI, F, L, S, encode_document
from tftui.lab.fault_spec import DEFAULT_XXE_TARGET, FAULTS

from .nodestatus_gen import node_status_for
from .topology import LabNode, ServiceBehaviour, Topology

HUGE_BYTES = 50 * 1024 * 1024
_CHUNK = 64 * 1024
NODE_STATUS_PATH = "/Snh_SandeshUVECacheReq"
SHAPE_FAULTS = frozenset({"nodesc", "empty", "unknown", "nonascii", "markup", "wide"})
WIDE_FIELDS = 230_000
HTTP_FAULTS = frozenset(FAULTS) - SHAPE_FAULTS - {"refused", "hang"}

MARKUP_NAME = "[bold]x[/]"
MARKUP_DESCRIPTION = "[red]XMPP [bold]down[/] [link=file:///etc/passwd]see[/link] [/red"
NONASCII_DESCRIPTION = "Verbindung getrennt — 接続が切断されました ✗"
# C1 CSI (legal XML 1.0 text) and a CR (as &#13;, else XML turns it into a newline) after the description;
# tftui must show them as \x9b and \x0d, never send them to the terminal
NONASCII_SHOWN = NONASCII_DESCRIPTION + "\\x9b31m\\x0d"


def is_fault(mode: str) -> bool:
    return mode in HTTP_FAULTS or mode in SHAPE_FAULTS


# ------------------------------------------------------------------------------- body shapes


def _reply_with(fields: list[F]) -> bytes:
    msgs = [("NodeStatusUVE", [F("data", "struct", S("NodeStatus", fields), 1)]),
            ("SandeshUVECacheResp", [F("returned", "u32", 1, 1), F("period", "i32", 0, 2), F("more", "bool", False)])]
    return encode_document(msgs, list_name="__NodeStatusUVE_list")


def _renamed(ns: NodeStatus, node_name: str, module_id: str, description: str, state: str) -> NodeStatus:
    ps = tuple(replace(p, module_id=module_id, description=description, state=state) for p in ns.process_status)
    pi = tuple(replace(p, process_name=f"{p.process_name}-{node_name}") for p in ns.process_info)
    return replace(ns, name=node_name, process_status=ps, process_info=pi)


def shaped_body(topo: Topology, node: LabNode, svc: ServiceDef, fault: str) -> bytes:
    ns = node_status_for(topo, node, svc)
    if fault in ("nodesc", "unknown", "wide"):  # otherwise healthy: tftui must see through the odd shape to "active"
        ns = replace(ns, process_status=tuple(replace(p, state="Functional") for p in ns.process_status))
    if fault == "nodesc":
        ps = tuple(replace(p, description=None) for p in ns.process_status)
        return encode_node_status_reply([replace(ns, process_status=ps)])
    if fault == "empty":
        fields = node_status_fields(replace(ns, process_status=()))
        fields.insert(2, F("process_status", "list", L("struct", []), 4, aggtype="union"))
        return _reply_with(fields)
    if fault == "unknown":
        fields = node_status_fields(ns)
        ps_items = fields[2].value.items
        for item in ps_items:
            item.fields.append(F("flux_capacitor", "x_quantum_t", "88 mph", 99, colour="octarine"))
        fields[2:2] = [
            F("future_struct", "struct", S("FutureThing", [F("a", "u128", "340282366920938463463374607431768211455"),
                                                          F("b", "bool", True)]), 50),
            F("future_list", "list", L("hyperlink", ["x", "y"]), 51),
            F("weird_int", "i32", "not-a-number", 52),
            F("deleted_twice", "bool", "maybe", 53),
        ]
        return _reply_with(fields)
    if fault == "wide":  # spliced as bytes: building 230000 fields through the encoder stalls the lab's loop
        body = encode_node_status_reply([ns])
        filler = b"".join(b'<f%d type="string">x</f%d>' % (i, i) for i in range(WIDE_FIELDS))
        head, tail = body.split(b"</NodeStatus>", 1)
        return head + filler + b"</NodeStatus>" + tail
    if fault == "nonascii":
        body = encode_node_status_reply([_renamed(ns, "nœud-ünïcødé-節点", "contrail-vrouter-agënt",
                                                  NONASCII_DESCRIPTION + "\u009b31m@CR@", "Non-Functional")])
        return body.replace(b"@CR@", b"&#13;")
    if fault == "markup":
        return encode_node_status_reply([_renamed(ns, MARKUP_NAME, f"{MARKUP_NAME}[red]", MARKUP_DESCRIPTION,
                                                  "Non-Functional")])
    raise ValueError(f"not a shape fault: {fault}")


_SHAPED: dict[tuple[str, str, str], bytes] = {}


def _shaped_cached(topo: Topology, node: LabNode, svc: ServiceDef, fault: str) -> bytes:
    key = (node.name, svc.key, fault)
    body = _SHAPED.get(key)
    if body is None:
        body = _SHAPED[key] = shaped_body(topo, node, svc, fault)
    return body


def _xml_head(name: str = "x") -> str:
    return f'<__NodeStatusUVE_list type="slist"><NodeStatusUVE type="sandesh"><data type="struct"><NodeStatus>' \
           f'<name type="string">{name}</name>'


_XML_TAIL = "</NodeStatus></data></NodeStatusUVE></__NodeStatusUVE_list>"


def billion_laughs() -> bytes:
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(ents)}]>' + _xml_head("&lol9;") + _XML_TAIL).encode()


def external_entity(target: str) -> bytes:
    dtd = f'<!DOCTYPE NodeStatus [<!ENTITY xxe SYSTEM "file://{target}">]>'
    ps = ('<process_status type="list"><list type="struct" size="1"><ProcessStatus>'
          '<module_id type="string">&xxe;</module_id><state type="string">Non-Functional</state>'
          '<description type="string">&xxe;</description></ProcessStatus></list></process_status>')
    return (f'<?xml version="1.0"?>{dtd}' + STYLESHEET_PI + _xml_head("&xxe;") + ps + _XML_TAIL).encode()


# ------------------------------------------------------------------------------- HTTP faults


def _closed(request: web.Request) -> bool:
    return request.transport is None or request.transport.is_closing()


async def wait_for_disconnect(request: web.Request, poll: float = 0.25) -> web.StreamResponse:
    """Hang until the client gives up, then end: a handler waiting forever would outlive every poll."""
    while not _closed(request):
        await asyncio.sleep(poll)
    return web.Response(status=504)


async def _stream(request: web.Request, resp: web.StreamResponse, chunks, pause: float = 0.0) -> web.StreamResponse:
    """Write chunks until done or the client gave up; a vanished client is the expected end here."""
    await resp.prepare(request)
    try:
        for chunk in chunks:
            if _closed(request):
                return resp
            await resp.write(chunk)
            if pause:
                await asyncio.sleep(pause)
        await resp.write_eof()
    except (ConnectionError, RuntimeError):
        pass  # the client hung up mid-stream: exactly what tftui should do with these replies
    return resp


def _huge_chunks():
    head = (STYLESHEET_PI + _xml_head()).encode()
    yield head
    sent = len(head)
    filler = b"A" * _CHUNK
    while sent < HUGE_BYTES:
        yield filler
        sent += len(filler)


@functools.cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"<" + b" " * HUGE_BYTES, compresslevel=9)


def _reset(request: web.Request) -> None:
    """Abort with SO_LINGER 0: the kernel sends an RST, as a crashing daemon's socket does."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def serve_fault(topo: Topology, node: LabNode, svc: ServiceDef, behaviour: ServiceBehaviour,
                      request: web.Request, good_body: bytes) -> web.StreamResponse | None:
    """The faulty reply for ``behaviour.mode``, or None when this request is served normally."""
    fault = behaviour.mode
    if fault in SHAPE_FAULTS:
        if request.path != NODE_STATUS_PATH:
            return None
        return web.Response(body=_shaped_cached(topo, node, svc, fault), content_type="text/xml", charset="utf-8")
    if fault == "http500":
        return web.Response(status=500, text="Internal Server Error: sandesh request handler crashed")
    if fault == "http404":
        return web.Response(status=404, text="404 Not Found")
    if fault == "nonxml":
        return web.Response(body=b"upstream connect error or disconnect/reset before headers\n\x00\xff\xfe"
                            b"\x1b]0;tftui-pwned\x07\x1b[2J\xc2\x9b31m",
                            content_type="text/plain")
    if fault == "truncated":
        cut = good_body[: len(good_body) // 2]
        return web.Response(body=cut, content_type="text/xml", charset="utf-8")
    if fault == "laughs":
        return web.Response(body=billion_laughs(), content_type="text/xml")
    if fault == "xxe":
        return web.Response(body=external_entity(behaviour.arg or DEFAULT_XXE_TARGET), content_type="text/xml")
    if fault == "gzipbomb":
        return web.Response(body=gzip_bomb(), content_type="text/xml", headers={"Content-Encoding": "gzip"})
    if fault == "drip":
        resp = web.StreamResponse(headers={"Content-Type": "text/xml"})
        return await _stream(request, resp, (good_body[i:i + 1] for i in range(len(good_body))), pause=1.0)
    if fault == "huge":
        resp = web.StreamResponse(headers={"Content-Type": "text/xml"})
        resp.enable_chunked_encoding()
        return await _stream(request, resp, _huge_chunks())
    if fault == "reset":
        resp = web.StreamResponse(headers={"Content-Type": "text/xml"})
        resp.content_length = len(good_body)
        await resp.prepare(request)
        await resp.write(good_body[: len(good_body) // 2])
        await resp.drain()
        _reset(request)
        return resp
    return None
