"""Reading decoded Sandesh structs into models: typed field accessors and the checks every reply needs.

Values are read by name and never trusted: a wrong type gives the default, text is stripped (captures
re-indented by tools pad every value with whitespace; live servers do not), and a reply that is an
``ErrorResp`` or not the expected sandesh raises :class:`ReplyError` with a short reason.
"""

from __future__ import annotations

import time

from .sandesh import DEFAULT_MAX_BYTES, Message, SandeshError, Struct, decode_messages


class ReplyError(ValueError):
    """An introspect reply that cannot be used for the request made; the message says why in a few words."""


def text(st: Struct, key: str) -> str:
    value = st.get(key, "")
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.strip() if isinstance(value, str) else str(value)


def num(st: Struct, key: str, default: int = 0) -> int:
    value = st.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def flag(st: Struct, key: str) -> bool:
    value = st.get(key, False)
    if isinstance(value, str):  # some fields are declared string but say "true"/"false"
        return value.strip().lower() == "true"
    return value is True


def strings(st: Struct, key: str) -> tuple[str, ...]:
    """A list<string> field; a bare string (an older release's scalar) is a list of one."""
    value = st.get(key)
    if isinstance(value, list):
        return tuple(v.strip() if isinstance(v, str) else str(v) for v in value if not isinstance(v, Struct))
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    return ()


def structs(st: Struct, key: str) -> list[Struct]:
    value = st.get(key)
    return [v for v in value if isinstance(v, Struct)] if isinstance(value, list) else []


def struct(st: Struct, key: str) -> Struct:
    value = st.get(key)
    return value if isinstance(value, Struct) else Struct()


def decode_reply(body: bytes, expected: tuple[str, ...], max_bytes: int = DEFAULT_MAX_BYTES) -> list[Message]:
    """The messages of a reply that must hold at least one of ``expected`` (or a ``Pagination``).

    An ``ErrorResp`` (the agent's answer to a bad index or key) raises with the server's own words.
    """
    try:
        messages = decode_messages(body, max_bytes)
    except SandeshError as exc:
        raise ReplyError(str(exc)) from None
    for msg in messages:
        if msg.name == "ErrorResp":
            said = text(msg.fields, "resp")
            raise ReplyError(f"the server refused the request: {said}" if said else "the server refused the request")
    if not any(m.name in expected or m.name == "Pagination" for m in messages):
        names = ", ".join(sorted({m.name for m in messages})) or "nothing"
        raise ReplyError(f"not a {expected[0]} reply (got {names[:120]})")
    return messages


def of_type(messages: list[Message], names: tuple[str, ...]) -> list[Struct]:
    return [m.fields for m in messages if m.name in names]


def listing(messages: list[Message], names: tuple[str, ...], list_field: str, convert) -> tuple[tuple, str]:
    """A control-node listing over its replies: every item converted, and the last ``next_batch`` key handed out."""
    items: list = []
    next_batch = ""
    for resp in of_type(messages, names):
        items.extend(convert(s) for s in structs(resp, list_field))
        next_batch = text(resp, "next_batch") or next_batch
    return tuple(items), next_batch


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def sandesh_time(epoch: float) -> str:
    """A UTC time as TF daemons print it (boost's ptime): ``2016-Jul-26 09:30:07.886512``."""
    whole = int(epoch)
    t = time.gmtime(whole)
    micros = int(round((epoch - whole) * 1_000_000)) % 1_000_000
    return (f"{t.tm_year:04d}-{_MONTHS[t.tm_mon - 1]}-{t.tm_mday:02d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{micros:06d}")
