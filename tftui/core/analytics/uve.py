"""UVEs: the type and key lists, filters, flat and raw structs, and NodeStatus into core's model.

Shapes from tf-analytics ``contrail-opserver/opserver.py`` and ``uveserver.py``:

- ``GET /analytics/uves``: ``[{"name": "vrouters", "href": ".../analytics/uves/vrouters"}, ...]``;
- ``GET /analytics/uves/vrouters``: ``[{"name": KEY, "href": ".../analytics/uves/vrouter/KEY?flat"}]``;
- ``GET /analytics/uves/vrouter/KEY?flat``: ``{Struct: {..., "__T": µs}, ...}``;
- a key with ``*``, or ``POST /analytics/uves/vrouter``: ``{"value": [{"name": KEY, "value": {...}}]}``.

Filter names are lower case and case-sensitive (``cfilt``, ``kfilt``, ``sfilt``, ``mfilt``, ``ackfilt``); any
filter implies ``flat``. In flat output an attribute that sources disagree on is a list of
``[value, "source:NodeType:module:instance"]`` pairs; without ``flat`` values are Sandesh dicts
(``{"@type": "string", "#text": ...}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tftui.core.nodestatus import NodeStatus, node_status_from_struct

from .query import OBJECT_TABLES

# The UVE types whose objects are nodes: they carry NodeStatus (viz.sandesh UVE_MAP, _OBJECT_TABLES).
NODE_TYPES = ("vrouter", "control-node", "config-node", "config-database-node", "analytics-node", "database-node",
              "analytics-alarm-node", "analytics-snmp-node", "kubernetes-manager-node", "dns-node")
# Object table (the key prefix a generator writes, e.g. "ObjectVRouter:host") -> UVE type: the UVE types are the
# object tables' log_query_names (viz.sandesh); ConfigObjectTable and ObjectXmppConnection carry no UVE.
TABLE_TO_TYPE = {table: name for name, table in OBJECT_TABLES.items() if name not in ("config", "xmpp-connection")}
TYPE_TO_TABLE = {v: k for k, v in TABLE_TO_TYPE.items()}
_SOURCE_RE = re.compile(r"^[^:]*:[^:]+:[^:]+:[^:]*$")  # "host:NodeType:module:instance"


class UveFormatError(ValueError):
    """A reply that is JSON but not the shape the analytics API gives."""


@dataclass(frozen=True)
class UveFilters:
    cfilt: tuple[str, ...] = ()  # "Struct" or "Struct:attr"
    kfilt: tuple[str, ...] = ()  # key patterns with *
    sfilt: str | None = None  # source host name
    mfilt: str | None = None  # NodeType:module:instance
    ackfilt: bool | None = None

    @property
    def any(self) -> bool:
        return bool(self.cfilt or self.kfilt or self.sfilt or self.mfilt or self.ackfilt is not None)

    def params(self, flat: bool = True) -> list[tuple[str, str]]:
        """Query parameters in the analytics API's spelling; ``flat`` is a bare key, as the web UI sends it."""
        out: list[tuple[str, str]] = []
        if flat or self.any:
            out.append(("flat", ""))
        if self.cfilt:
            out.append(("cfilt", ",".join(self.cfilt)))
        if self.kfilt:
            out.append(("kfilt", ",".join(self.kfilt)))
        if self.sfilt:
            out.append(("sfilt", self.sfilt))
        if self.mfilt:
            out.append(("mfilt", self.mfilt))
        if self.ackfilt is not None:
            out.append(("ackfilt", "true" if self.ackfilt else "false"))
        return out

    def body(self) -> dict:
        """The JSON body of a multi-get POST (every field optional; kfilt defaults to every key)."""
        out: dict[str, Any] = {"kfilt": list(self.kfilt) or ["*"]}
        if self.cfilt:
            out["cfilt"] = list(self.cfilt)
        if self.sfilt:
            out["sfilt"] = self.sfilt
        if self.mfilt:
            out["mfilt"] = self.mfilt
        if self.ackfilt is not None:
            out["ackfilt"] = self.ackfilt
        return out


def plural(uve_type: str) -> str:
    """``vrouter`` -> ``vrouters``: the list URL is the plural of the type (no UVE type ends in s)."""
    return uve_type if uve_type.endswith("s") else uve_type + "s"


def singular(uve_type: str) -> str:
    """``vrouters`` -> ``vrouter``: a UVE's URL and the multi-get POST take the singular."""
    return uve_type[:-1] if uve_type.endswith("s") else uve_type


def parse_type_list(doc: Any) -> list[str]:
    """The plural type names of ``GET /analytics/uves``."""
    if not isinstance(doc, list):
        raise UveFormatError("expected a list of {name, href}")
    return [str(e["name"]) for e in doc if isinstance(e, dict) and e.get("name")]


def parse_key_list(doc: Any) -> list[str]:
    if not isinstance(doc, list):
        raise UveFormatError("expected a list of {name, href}")
    return [str(e["name"]) for e in doc if isinstance(e, dict) and "name" in e]


def parse_multi(doc: Any) -> dict[str, dict]:
    """``{"value": [{"name", "value"}]}`` -> key -> UVE."""
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise UveFormatError("expected {\"value\": [{name, value}]}")
    return {str(e.get("name", "")): e.get("value") if isinstance(e.get("value"), dict) else {}
            for e in doc["value"] if isinstance(e, dict)}


def is_conflict(value: Any) -> bool:
    """Sources disagree: ``[[value, "host:NodeType:module:inst"], ...]`` (ParallelAggregator._default_agg)."""
    return (isinstance(value, list) and len(value) >= 2 and all(
        isinstance(p, list) and len(p) == 2 and isinstance(p[1], str) and _SOURCE_RE.match(p[1]) for p in value))


def unflatten_sandesh(value: Any) -> Any:
    """A raw (not ``?flat``) UVE value to plain JSON: ``{"@type": "u64", "#text": "5"}`` -> 5, and so on."""
    if isinstance(value, list):
        return [unflatten_sandesh(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("@type")
    if kind is None:
        return {k: unflatten_sandesh(v) for k, v in value.items() if not k.startswith("@")}
    if "#text" in value:
        return _scalar(kind, value["#text"])
    if kind == "list" and isinstance(value.get("list"), dict):
        inner = value["list"]
        items = [v for k, v in inner.items() if not k.startswith("@")]
        elems = items[0] if len(items) == 1 else items
        elems = elems if isinstance(elems, list) else [elems]
        return [unflatten_sandesh(e) if isinstance(e, dict) else _scalar(inner.get("@type", "string"), e)
                for e in elems]
    if kind == "struct":
        inner = [v for k, v in value.items() if not k.startswith("@")]
        if len(inner) == 1 and isinstance(inner[0], dict):
            return unflatten_sandesh(inner[0])
    return {k: unflatten_sandesh(v) for k, v in value.items() if not k.startswith("@")}


def _scalar(kind: str, text: Any) -> Any:
    if kind in ("bool",):
        return str(text).lower() == "true"
    if kind.startswith(("i", "u", "byte")):
        try:
            return int(text)
        except (TypeError, ValueError):
            return text
    if kind in ("double", "float"):
        try:
            return float(text)
        except (TypeError, ValueError):
            return text
    return text


def uve_timestamp(struct: Any) -> float | None:
    """The struct's last update (``__T``, µs) in seconds; None on servers older than the uve-time-stamp change."""
    if isinstance(struct, dict):
        t = struct.get("__T")
        if isinstance(t, int | float) and t > 0:
            return t / 1e6
    return None


def node_status_of(uve: dict) -> NodeStatus | None:
    """The UVE's NodeStatus in core's model, the one introspect decodes into."""
    ns = uve.get("NodeStatus") if isinstance(uve, dict) else None
    if not isinstance(ns, dict):
        return None
    if is_conflict(ns.get("process_status")):  # sources disagree: keep the first source's
        ns = {**ns, "process_status": ns["process_status"][0][0]}
    return node_status_from_struct(_without_nulls(ns))


def _without_nulls(value: Any) -> Any:
    """JSON nulls (``"description": null``, ``"name": null`` in real UVEs) read as absent fields."""
    if isinstance(value, dict):  # leaves are copied as they are: a call per leaf was most of the cost
        return {k: _without_nulls(v) if isinstance(v, (dict, list)) else v for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


@dataclass(frozen=True)
class UveRow:
    path: str
    value: str
    conflict: bool = False


def uve_rows(uve: Any, prefix: str = "") -> list[UveRow]:
    """Dotted paths and values, for text output and a filterable tree: ``NodeStatus.process_info[0].process_name``."""
    rows: list[UveRow] = []

    def walk(v: Any, path: str) -> None:
        if is_conflict(v):
            rows.append(UveRow(path, " | ".join(f"{_short(p[0])} from {p[1]}" for p in v), conflict=True))
        elif isinstance(v, dict):
            if not v:
                rows.append(UveRow(path, "{}"))
            for k, sub in v.items():
                walk(sub, f"{path}.{k}" if path else str(k))
        elif isinstance(v, list) and any(isinstance(x, dict | list) for x in v):
            for i, sub in enumerate(v):
                walk(sub, f"{path}[{i}]")
        else:
            rows.append(UveRow(path, _short(v)))

    walk(uve, prefix)
    return rows


def _short(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return str(v)
