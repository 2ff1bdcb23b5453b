"""The analytics views' query forms: their fields, and the typed query an operator's answers make — checked
before anything is sent (the same names and rules as ``tftui logs|flowlog|stats``)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from .query import (
    FLOW_RECORD_TABLE,
    LEVELS,
    OBJECT_TABLES,
    SESSION_RECORD_TABLE,
    SESSION_TYPES,
    FlowQuery,
    LogQuery,
    QueryError,
    StatsQuery,
    parse_delta,
    parse_where_terms,
)

PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17, "icmp6": 58, "sctp": 132}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_STATS_TABLE = "StatTable.VrouterStatsAgent.flow_rate"
DEFAULT_STATS_VALUE = "flow_rate.active_flows"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""  # the empty box's placeholder


LOG_FIELDS = (
    Field("object_type", "Object type", "vrouter, control-node, virtual-network… (empty: every message)"),
    Field("object_id", "Object id", "a host or object name; a trailing * matches a prefix"),
    Field("message_type", "Message type", "e.g. NodeStatusUVE"),
    Field("source", "Source", "the host that sent it"),
    Field("module", "Module", "e.g. contrail-vrouter-agent"),
    Field("level", "Level", "at most: SYS_ERR, SYS_WARN, SYS_NOTICE, SYS_DEBUG…"),
    Field("last", "Last", "how far back: 10m, 1h, 2d"),
)
FLOW_FIELDS = (
    Field("src", "Source IP", "empty: any"),
    Field("dst", "Destination IP", "empty: any"),
    Field("vrouter", "vrouter", "the host that recorded the flow"),
    Field("protocol", "Protocol", "tcp, udp, icmp or a number"),
    Field("dport", "Dest. port", "0-65535"),
    Field("action", "Action", "pass, deny, drop…"),
    Field("last", "Last", "how far back: 1h, 30m, 2d"),
    Field("table", "Table", "flows (FlowRecordTable), or sessions client|server (SessionRecordTable)"),
)
STATS_FIELDS = (
    Field("table", "Stat table", "StatTable.<Struct>.<attr>"),
    Field("value", "Value", "the column to plot, e.g. flow_rate.active_flows"),
    Field("where", "Where", "NAME=VALUE, … (ANDed; VALUE* is a prefix)"),
    Field("last", "Last", "how far back: 1h, 30m, 2d"),
)


def _text(values: dict[str, str], key: str) -> str | None:
    text = (values.get(key) or "").strip()
    if _CONTROL.search(text):
        raise QueryError(f"{key.replace('_', ' ')}: {text!r} has control characters")
    return text or None


def _last(values: dict[str, str], default: str) -> str:
    last = (values.get("last") or "").strip() or default
    parse_delta(last)  # says what is wrong with it
    return last.lstrip("+-")


# ---------------------------------------------------------------------------------------------- logs


def log_values(query: LogQuery, last: str) -> dict[str, str]:
    return {"object_type": query.object_type or "", "object_id": query.object_id or "",
            "message_type": query.message_type or "", "source": query.source or "", "module": query.module or "",
            "level": query.level or "", "last": last}


def parse_log_form(values: dict[str, str]) -> tuple[LogQuery, str]:
    object_type = _text(values, "object_type")
    if object_type and object_type not in OBJECT_TABLES and object_type not in OBJECT_TABLES.values():
        raise QueryError(f"unknown object type {object_type!r}; known: {', '.join(sorted(OBJECT_TABLES))}")
    level = _text(values, "level")
    if level:
        level = level.upper() if level.upper().startswith("SYS_") else "SYS_" + level.upper()
        if level not in LEVELS:
            raise QueryError(f"unknown level {values['level']!r}; known: {', '.join(LEVELS)}")
    query = LogQuery(object_type=object_type, object_id=_text(values, "object_id"),
                     message_type=_text(values, "message_type"), source=_text(values, "source"),
                     module=_text(values, "module"), level=level)
    return query, _last(values, "10m")


def describe_log_query(query: LogQuery, last: str) -> str:
    """One line: what the log view asks for."""
    parts = [query.table]
    if query.object_id:
        parts.append(f"object {query.object_id}")
    parts += [v for v in (query.message_type, query.source, query.module) if v]
    if query.level:
        parts.append(f"level ≤ {query.level}")
    parts.append(f"last {last}")
    return " · ".join(parts)


# ---------------------------------------------------------------------------------------------- flows


def flow_values(query: FlowQuery, last: str) -> dict[str, str]:
    proto = next((n for n, p in PROTOCOLS.items() if p == query.protocol), str(query.protocol or ""))
    return {"src": query.src or "", "dst": query.dst or "", "vrouter": query.vrouter or "", "protocol": proto,
            "dport": "" if query.dport is None else str(query.dport), "action": query.action or "", "last": last,
            "table": f"sessions {query.session_type}" if query.sessions else "flows"}


def _table(values: dict[str, str]) -> tuple[str, str]:
    """The form's table box: ``flows`` (or empty), ``sessions`` / ``sessions client`` / ``sessions server``."""
    words = (values.get("table") or "").strip().lower().split()
    if not words or words == ["flows"]:
        return FLOW_RECORD_TABLE, "client"
    if words[0] in ("sessions", "session") and len(words) <= 2 and (len(words) == 1 or words[1] in SESSION_TYPES):
        return SESSION_RECORD_TABLE, words[1] if len(words) == 2 else "client"
    raise QueryError(f"table: {' '.join(words)!r}: flows, or sessions client|server")


def _ip(values: dict[str, str], key: str, label: str) -> str | None:
    text = (values.get(key) or "").strip()
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise QueryError(f"{label}: {text!r} is not an IP address") from None


def _number(text: str, label: str, top: int) -> int:
    if not text.isdigit() or int(text) > top:
        raise QueryError(f"{label}: {text!r} is not a number from 0 to {top}")
    return int(text)


def parse_flow_form(values: dict[str, str]) -> tuple[FlowQuery, str]:
    proto_text = (values.get("protocol") or "").strip().lower()
    protocol = PROTOCOLS.get(proto_text) if proto_text in PROTOCOLS else (
        _number(proto_text, "protocol", 255) if proto_text else None)
    dport_text = (values.get("dport") or "").strip()
    action = _text(values, "action")
    table, session_type = _table(values)
    query = FlowQuery(src=_ip(values, "src", "source IP"), dst=_ip(values, "dst", "destination IP"),
                      vrouter=_text(values, "vrouter"), protocol=protocol,
                      dport=_number(dport_text, "destination port", 65535) if dport_text else None,
                      action=action.lower() if action else None, table=table, session_type=session_type)
    return query, _last(values, "1h")


def describe_flow_query(query: FlowQuery, last: str) -> str:
    ends = f"{query.src or 'any'} → {query.dst or 'any'}"
    parts = [f"{query.table} ({query.session_type} sessions)" if query.sessions else query.table, ends]
    if query.protocol is not None:
        parts.append(next((n for n, p in PROTOCOLS.items() if p == query.protocol), f"proto {query.protocol}")
                     + (f"/{query.dport}" if query.dport is not None else ""))
    elif query.dport is not None:
        parts.append(f"port {query.dport}")
    parts += [v for v in (query.vrouter, query.action) if v]
    parts.append(f"last {last}")
    return " · ".join(parts)


# ---------------------------------------------------------------------------------------------- stats


@dataclass(frozen=True)
class StatsAsk:
    query: StatsQuery
    value: str  # the column plotted
    last: str


def stats_values(ask: StatsAsk) -> dict[str, str]:
    return {"table": ask.query.table, "value": ask.value, "last": ask.last,
            "where": ", ".join(f"{n}={v}" for n, v in ask.query.where)}


def parse_stats_form(values: dict[str, str]) -> StatsAsk:
    table = _text(values, "table") or DEFAULT_STATS_TABLE
    if not table.startswith("StatTable."):
        raise QueryError(f"{table!r} is not a stat table (StatTable.<Struct>.<attr>)")
    value = _text(values, "value") or DEFAULT_STATS_VALUE
    terms = [t.strip() for t in (values.get("where") or "").split(",") if t.strip()]
    where = parse_where_terms(terms)
    # the time and the source of each point, as contrail-stats selects them
    query = StatsQuery(table, (value, "T", "Source"), where)
    return StatsAsk(query, value, _last(values, "1h"))


def describe_stats(ask: StatsAsk) -> str:
    parts = [ask.query.table, ask.value, *(f"{n}={v}" for n, v in ask.query.where), f"last {ask.last}"]
    return " · ".join(parts)
