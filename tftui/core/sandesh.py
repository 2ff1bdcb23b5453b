"""Sandesh XML, as introspect servers send it: decoding of untrusted replies and encoding for the lab.

Every element carries ``type=``; structs nest their type's element, lists and maps wrap their items
in ``<list>``/``<map>``. Fields are read by element name, never by position, so Python servers
(fields sorted by identifier) and C++ servers (declaration order) decode alike and unknown fields
are simply carried along.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
STYLESHEET_PI = '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>'

INT_TYPES = frozenset({"byte", "i16", "i32", "i64", "u16", "u32", "u64"})
FLOAT_TYPES = frozenset({"double"})


class SandeshError(ValueError):
    """A reply that is not usable Sandesh XML; the message says why in a few words."""


class Struct(dict):
    """A decoded struct: its fields by name, plus the struct's type name and per-field annotations."""

    __slots__ = ("type_name", "annotations")

    def __init__(self, type_name: str = "", fields: dict | None = None):
        super().__init__(fields or {})
        self.type_name = type_name
        self.annotations: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class Message:
    """One top-level sandesh (e.g. NodeStatusUVE, ItfResp, Pagination)."""

    name: str
    fields: Struct


_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ANNOTATIONS = ("key", "aggtype", "link", "tags")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_document(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted XML safely: size cap, no DTD or entities at all, no network."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if len(body) > max_bytes:
        raise SandeshError(f"reply too large ({len(body)} bytes > {max_bytes})")
    body = body.lstrip()
    if not body:
        raise SandeshError("empty reply")
    if not body.startswith(b"<"):
        raise SandeshError("not XML")
    # Sandesh never carries a DTD; refusing one outright rules out entity expansion of any kind.
    if _DOCTYPE.search(body):
        raise SandeshError("DTD/entity declarations refused")
    # NULs only occur in UTF-16/32 text, where the byte search above cannot see a DOCTYPE; Sandesh is UTF-8.
    if b"\x00" in body:
        raise SandeshError("not UTF-8 XML (NUL bytes)")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise SandeshError(f"malformed XML: {clean_text(exc.msg or str(exc))}") from None
    except ValueError as exc:  # lxml: unicode strings with encoding declarations and the like
        raise SandeshError(f"malformed XML: {clean_text(str(exc))}") from None
    if root is None:
        raise SandeshError("empty document")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # smuggled past the byte check (e.g. UTF-7)
        raise SandeshError("DTD/entity declarations refused")
    return root


# Controls XML 1.0 still lets through (CR as &#13;, DEL, C1 such as U+009B CSI): a hostile string must not move
# the operator's cursor or drive the terminal when tftui prints it, so they are made visible as \xNN.
_CONTROLS = re.compile("[\r\x7f-\x9f]")


def _visible(match: re.Match) -> str:
    return f"\\x{ord(match.group()):02x}"


def clean_text(text: str | None) -> str:
    """Element text as tftui may show it."""
    if not text:
        return ""
    return _CONTROLS.sub(_visible, text) if _CONTROLS.search(text) else text


def _scalar(type_name: str, text: str | None) -> Any:
    text = clean_text(text)
    if type_name in INT_TYPES:
        try:
            return int(text.strip() or 0)
        except ValueError:
            return text
    if type_name in FLOAT_TYPES:
        try:
            return float(text.strip() or 0)
        except ValueError:
            return text
    if type_name == "bool":
        return text.strip().lower() == "true"
    return text


scalar = _scalar  # a scalar element's text as its Sandesh type says, for decoders that pick their fields


def children(el: etree._Element) -> list[etree._Element]:
    """An element's child elements (comments and processing instructions left out)."""
    return [c for c in el if isinstance(c.tag, str)]


def _decode_struct_element(el: etree._Element) -> Struct:
    """``el`` is the struct's own element (e.g. ``<NodeStatus>``); its children are the fields."""
    st = Struct(el.tag)
    for child in children(el):
        st[child.tag] = decode_value(child)
        attrs = child.attrib
        notes = {k: attrs[k] for k in _ANNOTATIONS if k in attrs}
        if notes:
            st.annotations[child.tag] = notes
    return st


def _decode_items(container: etree._Element, item_type: str) -> list:
    return [
        _scalar(item_type, item.text) if item.tag == "element" else _decode_struct_element(item)
        for item in children(container)
    ]


def decode_value(el: etree._Element) -> Any:
    """Decode one typed field element into Python: dict-like Struct, list, dict, or a scalar."""
    t = el.get("type", "string")
    if t == "struct":
        inner = children(el)
        return _decode_struct_element(inner[0]) if inner else Struct()
    if t in ("list", "slist"):
        inner = children(el)
        if not inner:
            return []
        holder = inner[0]
        if holder.tag != "list":  # a list without its <list> wrapper: read the children directly
            return [_decode_struct_element(c) for c in inner]
        return _decode_items(holder, holder.get("type", "string"))
    if t == "map":
        inner = children(el)
        if not inner:
            return {}
        holder = inner[0]
        key_type, value_type = holder.get("key", "string"), holder.get("value", "string")
        items = children(holder)
        result: dict = {}
        for i in range(0, len(items) - 1, 2):
            k, v = items[i], items[i + 1]
            key = _scalar(key_type, k.text)
            if value_type == "struct" or v.tag != "element":
                result[key] = _decode_struct_element(v)
            else:
                result[key] = _scalar(value_type, v.text)
        return result
    if t == "sandesh":
        return _decode_struct_element(el)
    return _scalar(t, el.text)


def decode_messages(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES, strict: bool = False) -> list[Message]:
    """All top-level sandesh messages of a reply, whether bare or wrapped in ``__X_list``. ``strict``: every
    message must say it is one (``type="sandesh"``), so an HTML error page served with 200 is refused."""
    root = parse_document(body, max_bytes)
    elements = children(root) if root.get("type") == "slist" or root.tag.startswith("__") else [root]
    if strict:
        odd = next((e.tag for e in elements if e.get("type") != "sandesh"), None)
        if odd is not None:
            raise SandeshError(f"not a Sandesh reply (<{odd[:40]}>)")
    return [Message(e.tag, _decode_struct_element(e)) for e in elements]


# ---------------------------------------------------------------------------------------- encoding


@dataclass
class F:
    """A typed field for encoding: ``F("name", "string", "x", 1, key="ObjectVRouter")``."""

    name: str
    type: str
    value: Any
    identifier: int | None = None
    attrs: dict[str, str] = field(default_factory=dict)

    def __init__(self, name: str, type: str, value: Any, identifier: int | None = None, **attrs: str):
        self.name, self.type, self.value, self.identifier, self.attrs = name, type, value, identifier, attrs


@dataclass
class S:
    """A struct value for encoding: its type name and its fields."""

    type_name: str
    fields: list[F]


@dataclass
class L:
    """A list value: item type and items (scalars or S)."""

    item_type: str
    items: list


@dataclass
class M:
    """A map value: key and value types, items as (key, value) pairs."""

    key_type: str
    value_type: str
    items: list[tuple]


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;"})


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _scalar_text(type_name: str, value: Any) -> str:
    if type_name == "bool":
        return "true" if value else "false"
    return escape(str(value))


def _encode_struct(s: S, out: list[str]) -> None:
    out.append(f"<{s.type_name}>")
    for f in s.fields:
        _encode_field(f, out)
    out.append(f"</{s.type_name}>")


@dataclass(frozen=True)
class Raw:
    """An item already encoded (``encode_struct``'s output), for servers that cache the structs they send."""

    xml: str


def encode_struct(s: S) -> str:
    out: list[str] = []
    _encode_struct(s, out)
    return "".join(out)


def _encode_items(item_type: str, items: list, out: list[str]) -> None:
    for item in items:
        if isinstance(item, S):
            _encode_struct(item, out)
        elif isinstance(item, Raw):
            out.append(item.xml)
        else:
            out.append(f"<element>{_scalar_text(item_type, item)}</element>")


def _encode_field(f: F, out: list[str]) -> None:
    attrs = f' type="{f.type}"'
    if f.identifier is not None:
        attrs += f' identifier="{f.identifier}"'
    for k, v in f.attrs.items():
        attrs += f' {k}="{escape(v)}"'
    out.append(f"<{f.name}{attrs}>")
    v = f.value
    if f.type == "struct":
        if isinstance(v, Raw):
            out.append(v.xml)
        else:
            _encode_struct(v, out)
    elif f.type == "list":
        out.append(f'<list type="{v.item_type}" size="{len(v.items)}">')
        _encode_items(v.item_type, v.items, out)
        out.append("</list>")
    elif f.type == "map":
        out.append(f'<map key="{v.key_type}" value="{v.value_type}" size="{len(v.items)}">')
        for key, val in v.items:
            out.append(f"<element>{_scalar_text(v.key_type, key)}</element>")
            _encode_items(v.value_type, [val], out)
        out.append("</map>")
    else:
        out.append(_scalar_text(f.type, v))
    out.append(f"</{f.name}>")


def encode_message(name: str, fields: list[F]) -> str:
    out: list[str] = [f'<{name} type="sandesh">']
    for f in fields:
        _encode_field(f, out)
    out.append(f"</{name}>")
    return "".join(out)


def encode_document(messages: list[tuple[str, list[F]]], list_name: str | None = None) -> bytes:
    """One line, stylesheet PI first, no XML declaration: exactly the shape live servers send."""
    body = "".join(encode_message(n, fs) for n, fs in messages)
    if list_name:
        body = f'<{list_name} type="slist">{body}</{list_name}>'
    return (STYLESHEET_PI + body).encode("utf-8")
