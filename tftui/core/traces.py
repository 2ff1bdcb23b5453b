"""Sandesh trace buffers, on every daemon's introspect: ``SandeshTraceBufferListRequest`` and ``SandeshTraceRequest``.

From Juniper/contrail-sandesh ``library/common/sandesh_trace.sandesh``: the list names every buffer
(``trace_buf_name``, a link to ``SandeshTraceRequest``); a buffer's reply is its lines, oldest first, each
``<microseconds since the epoch> <TraceName>: <fields>``. An unknown buffer answers an empty list.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sandesh import DEFAULT_MAX_BYTES, F, L, Message, S, encode_document
from .sandesh_fields import decode_reply, of_type, strings, structs, text


@dataclass(frozen=True)
class TraceLine:
    at: float | None  # seconds since the epoch; None when the line does not start with a timestamp
    text: str

    @classmethod
    def parse(cls, line: str) -> TraceLine:
        stamp, _, rest = line.strip().partition(" ")
        if stamp.isdigit() and len(stamp) >= 13:
            return cls(int(stamp) / 1_000_000, rest)
        return cls(None, line.strip())


def decode_trace_buffers(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    return trace_buffers_from(decode_reply(body, ("SandeshTraceBufferListResponse",), max_bytes))


def trace_buffers_from(messages: list[Message]) -> list[str]:
    return [text(s, "trace_buf_name") for resp in of_type(messages, ("SandeshTraceBufferListResponse",))
            for s in structs(resp, "trace_buffer_list")]


def decode_trace(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[TraceLine]:
    return trace_from(decode_reply(body, ("SandeshTraceTextResponse",), max_bytes))


def trace_from(messages: list[Message]) -> list[TraceLine]:
    return [TraceLine.parse(line) for resp in of_type(messages, ("SandeshTraceTextResponse",))
            for line in strings(resp, "traces")]


def encode_trace_buffers(names: list[str]) -> bytes:
    items = [S("SandeshTraceBufInfo", [F("trace_buf_name", "string", n, 1, link="SandeshTraceRequest")])
             for n in names]
    return encode_document([("SandeshTraceBufferListResponse", [F("trace_buffer_list", "list", L("struct", items), 1),
                                                                F("more", "bool", False, 0)])])


def encode_trace(lines: list[str]) -> bytes:
    return encode_document([("SandeshTraceTextResponse", [F("traces", "list", L("string", lines), 1),
                                                          F("more", "bool", False, 0)])])


def trace_line(at: float, name: str, message: str) -> str:
    """A trace as the daemon writes it: microsecond timestamp, the trace sandesh's name, its text."""
    return f"{int(at * 1_000_000)} {name}: {message}"
