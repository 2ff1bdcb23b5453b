"""What an introspect request is: its module, its fields in declaration order, and whether it changes anything.

A request is written in the table as its IDL fields, ``"1: i32 vrf_index = 0; 2: string src_ip"``:
identifier, Sandesh type, name and default, in the order the ``.sandesh`` file declares them. That order
(not the identifiers') is what the C++ HTTP reader binds query tokens to, what the module page lists and
what the lab binds; the identifiers matter to Python servers, which list fields sorted by them and take
``x`` for the first one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Types a query token can fill; any other field (list, map, struct) still uses up a position.
BASE_TYPES = frozenset({"bool", "byte", "i16", "i32", "i64", "u16", "u32", "u64", "double", "string", "xml",
                        "uuid_t", "ipaddr", "ipv4"})
INTEGER_TYPES = frozenset({"byte", "i16", "i32", "i64", "u16", "u32", "u64", "ipv4"})

_FIELD = re.compile(r"^\s*(\d+)\s*:\s*(\S+)\s+(\w+)\s*(?:=\s*(\S*))?\s*$")


class DefinitionError(ValueError):
    """A request definition the table cannot hold (a typo in a spec string, a duplicate name)."""


@dataclass(frozen=True)
class Field:
    identifier: int
    type: str  # as the IDL writes it: string, i32, bool, list<string>, a struct name...
    name: str
    default: str = ""  # the IDL default as text; "" means the type's zero

    @property
    def bindable(self) -> bool:
        """Whether a query token can set it (the C++ reader skips other types, position and all)."""
        return self.type in BASE_TYPES


def parse_fields(spec: str) -> tuple[Field, ...]:
    """``"1: string name; 2: i32 count = -1"`` -> Fields in that order."""
    fields: list[Field] = []
    for part in filter(str.strip, spec.split(";")):
        m = _FIELD.match(part)
        if m is None:
            raise DefinitionError(f"not a field: {part.strip()!r}")
        fields.append(Field(int(m.group(1)), m.group(2), m.group(3), m.group(4) or ""))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise DefinitionError(f"a field twice in {spec!r}")
    return tuple(fields)


@dataclass(frozen=True)
class RequestDef:
    name: str
    module: str
    fields: tuple[Field, ...]
    # What it changes in the daemon; "" for a read. The client refuses to send one that writes.
    writes: str = ""
    # Writes only when one of these fields is given a value (FlowAgeTimeReq reads without new_age_time).
    writes_with: tuple[str, ...] = ()
    # For the requests that continue a listing (Iterate, Next...): keys that mean "the table is over,
    # this would start again from the top" rather than "here is the next page".
    end_keys: tuple[str, ...] = ()

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def side_effect(self, args: Mapping[str, str] | None = None) -> str:
        """Why sending it with ``args`` would change the daemon; "" when it only reads."""
        if self.writes and not self.writes_with:
            return self.writes
        if self.writes and any((args or {}).get(name, "") not in ("", None) for name in self.writes_with):
            return self.writes
        return ""


def Req(name: str, spec: str = "", writes: str = "", writes_with: tuple[str, ...] = (),  # noqa: N802
        end_keys: tuple[str, ...] = ()) -> tuple:
    """One row of a module's table; the module fills in its own name (see ``Module``)."""
    return (name, spec, writes, writes_with, end_keys)


class Module:
    """A Sandesh IDL file's requests (``bgp_peer.sandesh`` -> module ``bgp_peer``), in the file's order."""

    def __init__(self, name: str, rows: Iterable[tuple], source: str = ""):
        self.name = name
        self.source = source  # where the definitions were read: repo @ commit : path
        self.requests: dict[str, RequestDef] = {}
        for req_name, spec, writes, writes_with, end_keys in rows:
            if req_name in self.requests:
                raise DefinitionError(f"{req_name} twice in module {name}")
            self.requests[req_name] = RequestDef(req_name, name, parse_fields(spec), writes, tuple(writes_with),
                                                 tuple(end_keys))

    def __iter__(self):
        return iter(self.requests.values())

    def __repr__(self) -> str:
        return f"Module({self.name!r}, {len(self.requests)} requests)"
