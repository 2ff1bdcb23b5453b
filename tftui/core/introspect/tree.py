"""Any introspect reply, generically: as JSON, as tables, its links, its errors, and where it continues.

Replies are decoded by core/sandesh.py into messages whose fields are ``Struct``s (dicts), lists and
scalars; here they become what the browser and ``tftui introspect`` show. A reply continues when it ends
with ``Pagination`` (the agent: ``PageReqData.next_page`` -> ``Snh_PageReq?x=KEY``) or when one of its
messages carries a top-level field linked to a continuation request (``next_batch`` ->
``*ReqIterate``, ``flow_key`` -> ``NextFlowRecordsSet``, ``flow_handle`` -> ``NextKFlowReq``...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..sandesh import Message, Struct
from .table import find

PAGINATION = "Pagination"
PAGE_REQ = "PageReq"
# The Sandesh base's own flag (identifier 0), set on every part of a multi-part reply but the last.
TRANSPORT_FIELDS = frozenset({"more"})


# ------------------------------------------------------------------------------------ JSON


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def message_json(msg: Message) -> dict:
    """``{"ItfResp": {"itf_list": [{...}, ...]}}``: types dropped, structs as objects, lists as arrays."""
    return {msg.name: {k: _plain(v) for k, v in msg.fields.items() if k not in TRANSPORT_FIELDS}}


def reply_json(messages: Iterable[Message]) -> list[dict]:
    return [message_json(m) for m in messages]


# ------------------------------------------------------------------------------------ tables


@dataclass
class Table:
    """A list of structs found in a reply: its struct fields as columns, one row per struct."""

    name: str  # "ItfResp.itf_list"
    struct: str  # "ItfSandeshData"
    columns: list[str] = field(default_factory=list)
    rows: list[Struct] = field(default_factory=list)


def cell_text(value: Any) -> str:
    """A cell as one line: scalars as they are, a list of scalars joined, nested structs counted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Struct):
        return f"{{{value.type_name or 'struct'}}}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and all(isinstance(v, Struct) for v in value):
            return f"[{len(value)} {value[0].type_name or 'items'}]"
        return ", ".join(cell_text(v) for v in value)
    return str(value).replace("\n", " ")


def tables(messages: Iterable[Message]) -> list[Table]:
    """Every top-level field holding a list of structs, rows of same-named messages concatenated (a reply of
    several ``ItfResp`` parts, or of several pages, is one table)."""
    found: dict[str, Table] = {}
    for msg in messages:
        for name, value in msg.fields.items():
            if not (isinstance(value, list) and value and all(isinstance(v, Struct) for v in value)):
                continue
            key = f"{msg.name}.{name}"
            table = found.get(key)
            if table is None:
                table = found[key] = Table(key, value[0].type_name)
            for row in value:
                table.columns.extend(c for c in row if c not in table.columns)
                table.rows.append(row)
    return list(found.values())


# ------------------------------------------------------------------------------------ links


@dataclass(frozen=True)
class Link:
    """A field whose value names something another request shows (``vrf_name`` -> ``VrfListReq``)."""

    request: str
    value: str
    field: str
    where: str  # path in the reply: "VnListResp.vn_list[2].acl_uuid"


def _walk_links(struct: Struct, where: str, out: list[Link]) -> None:
    for name, value in struct.items():
        note = struct.annotations.get(name, {})
        here = f"{where}.{name}"
        if "link" in note and not isinstance(value, list | dict):
            out.append(Link(note["link"], str(value), name, here))
        if isinstance(value, Struct):
            _walk_links(value, here, out)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Struct):
                    _walk_links(item, f"{here}[{i}]", out)


def links(messages: Iterable[Message]) -> list[Link]:
    """Every linked field of a reply with a value, in document order."""
    out: list[Link] = []
    for msg in messages:
        _walk_links(msg.fields, msg.name, out)
    return [link for link in out if link.value]


def link_args(link: Link) -> dict[str, str]:
    """Following a link sends its value as the target's first field (what the web page's ``?x=`` does)."""
    target = find(link.request)
    first = target.fields[0].name if target is not None and target.fields else "x"
    return {first: link.value}


# ------------------------------------------------------------------------------------ continuation


@dataclass(frozen=True)
class Continuation:
    """The request that fetches what comes next, and the key it takes."""

    request: str
    key: str
    all_key: str = ""  # Pagination's key for the whole table at once
    table_size: int | None = None


def is_continuation_request(name: str) -> bool:
    req = find(name)
    if req is not None and req.end_keys:
        return True
    return name == PAGE_REQ or name.endswith("Iterate") or name.startswith("Next")


def is_end_key(request: str, key: str) -> bool:
    """An end key is given as is, or as ``*suffix`` when it embeds an id (``<acl uuid>:0``)."""
    req = find(request)
    if not key:
        return True
    if req is None:
        return False
    return any(key.endswith(end[1:]) if end.startswith("*") else key == end for end in req.end_keys)


def continuation(messages: list[Message]) -> Continuation | None:
    """Where this reply continues, or None when it is complete."""
    for msg in messages:
        if msg.name == PAGINATION:
            page = msg.fields.get("req")
            if isinstance(page, Struct):
                key = str(page.get("next_page", "") or "").strip()
                size = page.get("table_size")
                if key:
                    return Continuation(PAGE_REQ, key, str(page.get("all", "") or "").strip(),
                                        size if isinstance(size, int) else None)
            continue
        for name, value in msg.fields.items():
            target = msg.fields.annotations.get(name, {}).get("link", "")
            if target and isinstance(value, str) and is_continuation_request(target):
                # keys are opaque, but surrounding blanks are layout (pretty-printed captures), never key
                key = value.strip()
                if not is_end_key(target, key):
                    return Continuation(target, key)
    return None


def data_messages(messages: Iterable[Message]) -> list[Message]:
    """The reply without its paging sandesh (``Pagination`` is about the reply, not part of it)."""
    return [m for m in messages if m.name != PAGINATION]


# ------------------------------------------------------------------------------------ errors


def error_text(messages: Iterable[Message]) -> str | None:
    """The text of an ``ErrorResp``-like answer (``ErrorResp``, ``FlowErrorResp``...), None when there is none."""
    for msg in messages:
        if msg.name.endswith("ErrorResp"):
            text = msg.fields.get("resp", "")
            return (text.strip() if isinstance(text, str) else str(text)) or msg.name
    return None


# ------------------------------------------------------------------------------------ text


def _scalar_text(value: Any, indent: str) -> str:
    text = cell_text(value) if isinstance(value, bool) else str(value)
    return text.replace("\n", "\n" + indent + "  ")


def _lines(struct: dict, depth: int, out: list[str]) -> None:
    ind = "  " * depth
    for name, value in struct.items():
        if isinstance(value, Struct):
            out.append(f"{ind}{name}: {value.type_name}" if value.type_name else f"{ind}{name}:")
            _lines(value, depth + 1, out)
        elif isinstance(value, list) and value and all(isinstance(v, Struct) for v in value):
            out.append(f"{ind}{name}: [{len(value)}]")
            for i, item in enumerate(value):
                out.append(f"{ind}  [{i}] {item.type_name}")
                _lines(item, depth + 2, out)
        elif isinstance(value, list):
            out.append(f"{ind}{name}: [{len(value)}]")
            out.extend(f"{ind}  - {_scalar_text(v, ind + '  ')}" for v in value)
        elif isinstance(value, dict):
            out.append(f"{ind}{name}: {{{len(value)}}}")
            for key, item in value.items():
                if isinstance(item, dict):
                    out.append(f"{ind}  {key}:")
                    _lines(item, depth + 2, out)
                else:
                    out.append(f"{ind}  {key}: {_scalar_text(item, ind + '  ')}")
        else:
            out.append(f"{ind}{name}: {_scalar_text(value, ind)}")


def tree_text(messages: Iterable[Message]) -> str:
    """A reply as an indented tree, one field per line (the readable form of ``tftui introspect``)."""
    out: list[str] = []
    for msg in messages:
        out.append(msg.name)
        _lines({k: v for k, v in msg.fields.items() if k not in TRANSPORT_FIELDS}, 1, out)
    return "\n".join(out) + ("\n" if out else "")
