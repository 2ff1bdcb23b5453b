"""Query API bodies, built as ``contrail-logs``, ``contrail-flows`` and ``contrail-stats`` build them.

Sources: tf-analytics ``contrail-opserver/log.py`` (``LogQuerier.query``), ``flow.py``, ``stats.py`` and
``opserver_util.py`` (``Query``, ``Match``, ``MatchOp``, ``parse_start_end_time``); the query engine's
``utils.cc`` (``now-10m`` time forms) and ``viz.sandesh`` (tables and columns).

A body carries only the keys that are set, as ``Query.__dict__`` does; every match carries
``value2``/``suffix`` (``Match.__dict__``); ``where`` is an OR of AND lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# OpServerUtils.MatchOp / SortOp
EQUAL, NOT_EQUAL, IN_RANGE, NOT_IN_RANGE, LEQ, GEQ, PREFIX, REGEX_MATCH, CONTAINS = range(1, 10)
ASCENDING, DESCENDING = 1, 2

MESSAGE_TABLE = "MessageTable"
FLOW_RECORD_TABLE = "FlowRecordTable"
FLOW_SERIES_TABLE = "FlowSeriesTable"
SESSION_RECORD_TABLE = "SessionRecordTable"
SESSION_SERIES_TABLE = "SessionSeriesTable"

# _OBJECT_TABLES: log_query_name (what --object-type takes) -> object table
OBJECT_TABLES = {
    "config": "ConfigObjectTable", "virtual-network": "ObjectVNTable", "virtual-machine": "ObjectVMTable",
    "virtual-machine-interface": "ObjectVMITable", "service-instance": "ObjectSITable",
    "loadbalancer": "ObjectLBTable", "vrouter": "ObjectVRouter", "prouter": "ObjectPRouter",
    "bgp-peer": "ObjectBgpPeer", "control-node": "ObjectBgpRouter", "routing-instance": "ObjectRoutingInstance",
    "xmpp-connection": "ObjectXmppConnection", "xmpp-peer": "ObjectXmppPeerInfo",
    "analytics-node": "ObjectCollectorInfo", "analytics-alarm-node": "ObjectAnalyticsAlarmInfo",
    "analytics-snmp-node": "ObjectAnalyticsSNMPInfo", "database-node": "ObjectDatabaseInfo",
    "config-database-node": "ObjectConfigDatabaseInfo", "generator": "ObjectGeneratorInfo",
    "config-node": "ObjectConfigNode", "dns-node": "ObjectDns", "server": "ObjectServerTable",
    "kubernetes-manager-node": "ObjectKubernetesManagerNode", "tag": "ObjectTagTable", "project": "ObjectProjectTable",
    "firewall-policy": "ObjectFirewallPolicyTable", "firewall-rule": "ObjectFirewallRuleTable",
    "address-group": "ObjectAddressGroupTable", "service-group": "ObjectServiceGroupTable",
    "application-policy-set": "ObjectApplicationPolicySetTable",
}

MESSAGE_SELECT = ["MessageTS", "Source", "ModuleId", "Category", "Messagetype", "SequenceNum", "Xmlmessage",
                  "Type", "Level", "NodeType", "InstanceId"]
OBJECT_SELECT = ["MessageTS", "Source", "ModuleId", "Messagetype", "ObjectLog", "SystemLog"]
FLOW_SELECT = ["UuidKey", "vrouter", "setup_time", "teardown_time", "sourcevn", "destvn", "sourceip", "destip",
               "protocol", "sport", "dport", "action", "direction_ing", "agg-bytes", "agg-packets", "sg_rule_uuid",
               "nw_ace_uuid", "vrouter_ip", "other_vrouter_ip", "vmi", "drop_reason"]
# SessionRecordTable (viz.sandesh): one row per session as each end's agent exports it since R4.1; the query
# engine serves FlowRecordTable from the same store. `session_type` says which end the exporting vrouter's VM is.
SESSION_SELECT = ["T", "vrouter", "vrouter_ip", "session_type", "local_ip", "client_port", "remote_ip", "server_port",
                  "protocol", "vn", "remote_vn", "vmi", "forward_flow_uuid", "forward_action", "forward_drop_reason",
                  "forward_sg_rule_uuid", "forward_nw_ace_uuid", "security_policy_rule", "forward_sampled_bytes",
                  "forward_sampled_pkts"]
SESSION_TYPES = ("client", "server")

# SandeshLevel, for --level (a LEQ filter on Level)
LEVELS = {"SYS_EMERG": 0, "SYS_ALERT": 1, "SYS_CRIT": 2, "SYS_ERR": 3, "SYS_WARN": 4, "SYS_NOTICE": 5,
          "SYS_INFO": 6, "SYS_DEBUG": 7}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}

USECS = 1_000_000
WINDOW_US = 10 * 60 * USECS  # contrail-logs asks in 10-minute windows
_DELTA_RE = re.compile(r"^([+-])(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class QueryError(ValueError):
    """A query that the analytics API would refuse: say why before sending it."""


def match(name: str, value: Any, op: int = EQUAL, value2: Any = None) -> dict:
    return {"name": name, "value": value, "op": op, "value2": value2, "suffix": None}


def parse_delta(text: str) -> int:
    """``10m`` / ``-10m`` / ``+1h`` -> signed seconds (one unit only, as the query engine accepts)."""
    t = text.strip()
    if t and t[0] not in "+-":
        t = "-" + t
    m = _DELTA_RE.match(t)
    if not m:
        raise QueryError(f"{text!r} is not a time like 10m, 1h, 30s or 2d")
    seconds = int(m.group(2)) * _UNITS[m.group(3)]
    return -seconds if m.group(1) == "-" else seconds


def resolve_time(value: str | int, now_us: int) -> int:
    """``now``, ``now-10m``, ``now+1h`` or µs since the epoch -> µs since the epoch."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    if text == "now":
        return now_us
    if text.startswith("now"):
        return now_us + parse_delta(text[3:]) * USECS
    raise QueryError(f"{value!r} is not a time: now, now-10m, now-1h, or µs since the epoch")


def last_range(last: str) -> tuple[str, str]:
    """``--last 10m`` -> (``now-10m``, ``now``), as parse_start_end_time does."""
    parse_delta(last)
    return "now-" + last.strip().lstrip("+-"), "now"


def windows(start_us: int, end_us: int, size: int = WINDOW_US) -> list[tuple[int, int]]:
    """The range in windows of ``size`` µs, oldest first (contrail-logs: one query per 10 minutes)."""
    if end_us <= start_us:
        return [(start_us, end_us)]
    out = []
    t = start_us
    while t < end_us:
        out.append((t, min(t + size, end_us)))
        t += size
    return out


def _body(table: str, start: Any, end: Any, select: list[str], where: list[list[dict]] | None = None,
          filters: list[list[dict]] | None = None, sort: int | None = None, sort_fields: list[str] | None = None,
          limit: int | None = None, **extra: Any) -> dict:
    body: dict[str, Any] = {"table": table, "start_time": start, "end_time": end, "select_fields": list(select)}
    if where:
        body["where"] = where
    if sort_fields:
        body["sort_fields"] = sort_fields
    if sort is not None:
        body["sort"] = sort
    if limit:
        body["limit"] = limit
    if filters:
        body["filter"] = filters
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


@dataclass(frozen=True)
class LogQuery:
    object_type: str | None = None
    object_id: str | None = None
    message_type: str | None = None
    source: str | None = None
    module: str | None = None
    level: str | None = None  # SYS_* name: at most this level (more severe or equal)
    limit: int | None = None
    reverse: bool = False

    @property
    def table(self) -> str:
        if not self.object_type:
            return MESSAGE_TABLE
        if self.object_type in OBJECT_TABLES:
            return OBJECT_TABLES[self.object_type]
        if self.object_type in OBJECT_TABLES.values():  # a raw table name, as /analytics/tables lists it
            return self.object_type
        raise QueryError(f"unknown object type {self.object_type!r}; known: {', '.join(sorted(OBJECT_TABLES))}")

    def body(self, start: Any, end: Any) -> dict:
        and_list: list[dict] = []
        if self.object_id:
            op = PREFIX if self.object_id.endswith("*") else EQUAL
            and_list.append(match("ObjectId", self.object_id.rstrip("*") if op == PREFIX else self.object_id, op))
        if self.message_type:
            and_list.append(match("Messagetype", self.message_type))
        if self.source:
            and_list.append(match("Source", self.source))
        if self.module:
            and_list.append(match("ModuleId", self.module))
        filters: list[list[dict]] = []
        if self.level:
            level = self.level.upper()
            if level not in LEVELS:
                raise QueryError(f"unknown level {self.level!r}; known: {', '.join(LEVELS)}")
            filters.append([match("Level", LEVELS[level], LEQ)])
        select = OBJECT_SELECT if self.object_type else MESSAGE_SELECT
        return _body(self.table, start, end, select, [and_list] if and_list else None, filters or None,
                     sort=DESCENDING if self.reverse else ASCENDING, sort_fields=["MessageTS"], limit=self.limit)


@dataclass(frozen=True)
class FlowQuery:
    src: str | None = None
    dst: str | None = None
    vrouter: str | None = None
    source_vn: str | None = None
    dest_vn: str | None = None
    protocol: int | None = None
    sport: int | None = None
    dport: int | None = None
    action: str | None = None
    direction: int = 1  # 1 ingress (contrail-flows' default), 0 egress
    table: str = FLOW_RECORD_TABLE  # or SESSION_RECORD_TABLE (contrail-sessions --table)
    session_type: str = "client"  # sessions: the exporting vrouter's VM is the client (src) or the server (dst)

    def __post_init__(self) -> None:
        if self.table not in (FLOW_RECORD_TABLE, SESSION_RECORD_TABLE):
            raise QueryError(f"{self.table!r}: flow history is {FLOW_RECORD_TABLE} or {SESSION_RECORD_TABLE}")
        if self.session_type not in SESSION_TYPES:
            raise QueryError(f"session type {self.session_type!r}: client or server")

    @property
    def sessions(self) -> bool:
        return self.table == SESSION_RECORD_TABLE

    def body(self, start: Any, end: Any) -> dict:
        if self.sessions:
            return self._session_body(start, end)
        where = [match(n, v) for n, v in (("vrouter", self.vrouter), ("sourcevn", self.source_vn),
                                           ("destvn", self.dest_vn), ("sourceip", self.src), ("destip", self.dst),
                                           ("protocol", self.protocol), ("sport", self.sport),
                                           ("dport", self.dport)) if v is not None]
        filters = [match("action", self.action)] if self.action else []
        return _body(FLOW_RECORD_TABLE, start, end, FLOW_SELECT, [where] if where else None,
                     [filters] if filters else None, dir=self.direction)

    def _session_body(self, start: Any, end: Any) -> dict:
        """As contrail-sessions sends it: where on the indexed columns (the local end, protocol, server port,
        VNs), the remote address, vrouter and action as filters (not indexed)."""
        client = self.session_type == "client"
        local, remote = (self.src, self.dst) if client else (self.dst, self.src)
        vn, remote_vn = (self.source_vn, self.dest_vn) if client else (self.dest_vn, self.source_vn)
        where = [match(n, v) for n, v in (("local_ip", local), ("protocol", self.protocol),
                                           ("server_port", self.dport), ("vn", vn), ("remote_vn", remote_vn))
                 if v is not None]
        filters = [match(n, v) for n, v in (("remote_ip", remote), ("vrouter", self.vrouter),
                                             ("forward_action", self.action)) if v is not None]
        return _body(SESSION_RECORD_TABLE, start, end, SESSION_SELECT, [where] if where else None,
                     [filters] if filters else None, session_type=self.session_type, is_service_instance=0)


@dataclass(frozen=True)
class StatsQuery:
    table: str  # StatTable.<Struct>.<attr>, e.g. StatTable.VrouterStatsAgent.flow_rate
    select: tuple[str, ...]
    where: tuple[tuple[str, str], ...] = ()  # name=value terms, ANDed (contrail-stats --where)
    sort_fields: tuple[str, ...] = ()
    limit: int | None = None

    def body(self, start: Any, end: Any) -> dict:
        if not self.table.startswith("StatTable."):
            raise QueryError(f"{self.table!r} is not a stat table (StatTable.<Struct>.<attr>)")
        if "T" in self.select and "T=" in self.select:
            raise QueryError("a stats query cannot select both T and T=")
        where = [match(n, v, PREFIX if v.endswith("*") else EQUAL) for n, v in self.where]
        return _body(self.table, start, end, list(self.select), [where] if where else None,
                     sort=ASCENDING if self.sort_fields else None, sort_fields=list(self.sort_fields) or None,
                     limit=self.limit)


def parse_where_terms(terms: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for t in terms:
        name, sep, value = t.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--where {t!r}: expected NAME=VALUE")
        out.append((name.strip(), value.strip()))
    return tuple(out)
