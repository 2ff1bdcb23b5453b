"""Query strings of introspect requests: building them (client) and binding them (lab), as real servers do.

The C++ reader (contrail-sandesh ``generate_sandesh_http_reader``) splits the query on ``&`` dropping
empty tokens, and gives the i-th token to the i-th declared field whatever its name; each token is split
on ``=`` (empty pieces dropped) and its second piece, percent-decoded (``+`` stays a plus), is the value.
A token without a value uses up its position and leaves the default. Fields that are not base types are
skipped, position and all. Integers are read as ``strtoul`` does (``true`` reads as 0).

Python servers (pysandesh's generated bottle handlers) read parameters by name, the first field by
identifier also as ``x``, and decode ``+`` as a space. So the client sends every field up to the last one
it sets, in declaration order, under its real name: both kinds of server read that the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from .daemons import ServerKind
from .defs import INTEGER_TYPES, Field, RequestDef

# The agent's own links write page keys with ':' and ',' unescaped; '+' is escaped (Python servers read a space).
_SAFE = "-_.~:,/"
# What pysandesh answers (with a 200 page) when a number field gets something int() cannot read.
PYTHON_BAD_VALUE = "Invalid data provided in Sandesh Request"
_INT_BITS = {"byte": (8, True), "i16": (16, True), "i32": (32, True), "i64": (64, True), "u16": (16, False),
             "u32": (32, False), "u64": (64, False), "ipv4": (32, False)}


class QueryError(ValueError):
    """Arguments that do not fit the request (an unknown field, a value of the wrong kind)."""


class Args(dict):
    """Bound arguments in declaration order, typed; ``given`` names the fields a token set (C++ ``__isset``)."""

    __slots__ = ("given",)

    def __init__(self, values: dict[str, Any], given: frozenset[str]):
        super().__init__(values)
        self.given = given


def _text(field: Field, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"  # the C++ reader parses booleans as numbers: "true" would read as 0
    if field.type == "bool" and isinstance(value, str) and value.strip():
        text = value.strip().lower()
        if text not in ("true", "false", "1", "0"):
            raise QueryError(f"{field.name} is true or false (bool), not {value.strip()!r}")
        return "1" if text in ("true", "1") else "0"
    if field.type in INTEGER_TYPES and not isinstance(value, int):
        text = str(value).strip()
        if text and not text.lstrip("-").isdigit():
            raise QueryError(f"{field.name} takes a number ({field.type}), not {text!r}")
        return text
    return str(value)


def encode_query(req: RequestDef, args: Mapping[str, Any] | None = None) -> str:
    """``name=v&type=&uuid=x``: every field up to the last one given, in declaration order, percent-encoded;
    a field not given goes out empty (the server keeps its default)."""
    args = dict(args or {})
    unknown = [k for k in args if req.field(k) is None]
    if unknown:
        known = ", ".join(req.field_names) or "none"
        raise QueryError(f"{req.name} has no field {', '.join(unknown)} (fields: {known})")
    texts = [_text(f, args.get(f.name)) for f in req.fields]
    last = max((i for i, t in enumerate(texts) if t != ""), default=-1)
    return "&".join(f"{f.name}={quote(t, safe=_SAFE)}" for f, t in zip(req.fields[:last + 1], texts, strict=False))


def request_path(req: RequestDef, args: Mapping[str, Any] | None = None) -> str:
    query = encode_query(req, args)
    return f"/Snh_{req.name}?{query}" if query else f"/Snh_{req.name}"


# ------------------------------------------------------------------------------------ binding (lab side)


def _strtoul(text: str) -> int:
    """What ``strtoul`` makes of a string: optional blanks and sign, then digits; nothing readable is 0."""
    s = text.lstrip()
    sign = -1 if s.startswith("-") else 1
    s = s[1:] if s[:1] in "+-" else s
    digits = len(s) - len(s.lstrip("0123456789"))
    return sign * int(s[:digits]) if digits else 0


def _wrap(value: int, type_name: str) -> int:
    bits, signed = _INT_BITS.get(type_name, (64, True))
    value &= (1 << bits) - 1
    return value - (1 << bits) if signed and value >= 1 << (bits - 1) else value


def typed_default(field: Field) -> Any:
    return _typed(field, field.default, cpp=True) if field.default else _zero(field)


def _zero(field: Field) -> Any:
    if field.type == "bool":
        return False
    if field.type in INTEGER_TYPES:
        return 0
    if field.type == "double":
        return 0.0
    return "" if field.bindable else None


def _typed(field: Field, text: str, cpp: bool) -> Any:
    if field.type in ("string", "xml", "uuid_t", "ipaddr"):
        return text
    if field.type == "double":
        try:
            return float(text)
        except ValueError:
            if cpp:
                return 0.0
            raise QueryError(PYTHON_BAD_VALUE) from None
    if cpp:
        number = _strtoul(text)
    else:
        try:
            number = int(text)
        except ValueError:
            raise QueryError(PYTHON_BAD_VALUE) from None
    return number != 0 if field.type == "bool" else _wrap(number, field.type)


def split_tokens(query: str) -> list[str]:
    """``a=1&&b=`` -> ``["a=1", "b="]``: empty tokens are dropped, as boost's char_separator does."""
    return [t for t in query.split("&") if t]


def bind_positional(req: RequestDef, query: str) -> Args:
    """The C++ reader: the i-th token fills the i-th declared field; names are not looked at."""
    values = {f.name: typed_default(f) for f in req.fields}
    given: set[str] = set()
    for field, token in zip(req.fields, split_tokens(query), strict=False):
        pieces = [p for p in token.split("=") if p]
        if not field.bindable or len(pieces) < 2:
            continue
        values[field.name] = _typed(field, unquote(pieces[1], errors="replace"), cpp=True)
        given.add(field.name)
    return Args(values, frozenset(given))


def bind_by_name(req: RequestDef, query: str) -> Args:
    """pysandesh: each field by its name (the last occurrence), the first by identifier also as ``x``;
    empty values leave the default; ``+`` is a space."""
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params[name] = value
    values = {f.name: typed_default(f) for f in req.fields}
    given: set[str] = set()
    first = min(req.fields, key=lambda f: f.identifier) if req.fields else None
    for field in sorted(req.fields, key=lambda f: f.identifier):
        if not field.bindable:
            continue
        for key in (("x", field.name) if field is first else (field.name,)):
            text = params.get(key, "")
            if text:
                values[field.name] = _typed(field, text, cpp=False)
                given.add(field.name)
    return Args(values, frozenset(given))


def bind(req: RequestDef, query: str, kind: ServerKind) -> Args:
    return bind_positional(req, query) if kind is ServerKind.CPP else bind_by_name(req, query)
