"""The lab's query engine: object logs, message log, flow records and stat tables, queried as the real QE does.

Rows are plain dicts keyed by column. ``where`` is an OR of AND lists of ``{name, value, op, value2}``
(op codes of ``OpServerUtils.MatchOp``), ``filter`` the same applied after; ``select_fields`` picks
columns; ``sort``/``sort_fields``/``limit`` as in ``query_rest.idl``. Errors carry the errno-mapped status
the real server answers (``_ERRORS`` in opserver.py): unknown table 404, bad request 400.

Flow records come from ``FlowTable.record`` — the interface the lab's simulated traffic calls — and are
kept only when the cluster's flow-export-rate is not 0 (sampled export is off by default since R4.0).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tftui.core.analytics import query as q
from tftui.core.analytics.query import OBJECT_TABLES, resolve_time

MAX_ROWS_PER_TABLE = 50_000


class QueryRefused(Exception):
    def __init__(self, status: int, text: str):
        self.status = status
        super().__init__(text)


def _matches(row: dict, m: dict) -> bool:
    name, value, op = m.get("name"), m.get("value"), m.get("op", q.EQUAL)
    have = row.get(name)
    if name == "ObjectId" and have is None:
        have = row.get("ObjectId")
    if have is None:
        return False
    try:
        if op == q.EQUAL:
            return str(have) == str(value)
        if op == q.NOT_EQUAL:
            return str(have) != str(value)
        if op == q.PREFIX:
            return str(have).startswith(str(value))
        if op in (q.IN_RANGE, q.NOT_IN_RANGE):
            inside = float(value) <= float(have) <= float(m.get("value2"))
            return inside if op == q.IN_RANGE else not inside
        if op == q.LEQ:
            return float(have) <= float(value)
        if op == q.GEQ:
            return float(have) >= float(value)
        if op == q.REGEX_MATCH:
            return re.fullmatch(str(value), str(have)) is not None
        if op == q.CONTAINS:
            return str(value) in str(have)
    except (TypeError, ValueError, re.error):
        return False
    return False


def _sortable(v: Any) -> tuple[int, Any]:
    return (0, v) if isinstance(v, int | float) else (1, str(v))


def _or_of_ands(rows: list[dict], clause: Any) -> list[dict]:
    if not clause:
        return rows
    groups = clause if isinstance(clause[0], list) else [clause]  # a flat list is one AND group (old style)
    return [r for r in rows if any(all(_matches(r, m) for m in g) for g in groups)]


@dataclass
class FlowTable:
    export_rate: int = 0  # global-vrouter-config flow_export_rate: 0 off (the default), >0 sampled, -1 all
    rows: deque = field(default_factory=lambda: deque(maxlen=MAX_ROWS_PER_TABLE))
    sessions: deque = field(default_factory=lambda: deque(maxlen=MAX_ROWS_PER_TABLE))  # SessionRecordTable

    def record(self, *, vrouter: str, source_vn: str, source_ip: str, sport: int, dest_vn: str, dest_ip: str,
               dport: int, protocol: int, action: str, setup_time: int, teardown_time: int = 0,
               drop_reason: str = "", bytes: int = 0, packets: int = 0, vmi: str = "", sg_rule_uuid: str = "",
               nw_ace_uuid: str = "", vrouter_ip: str = "", other_vrouter_ip: str = "", uuid: str = "",
               direction: int = 1, dest_vrouter: str = "", policy_rule: str = "") -> bool:
        """One finished or active flow as the agent exports it; False (dropped) when export is off. Each end's
        agent also files its session (the source's a client session; the destination's a server session, when
        the flow got there and its vrouter is known)."""
        if self.export_rate == 0:
            return False
        session = {"T": setup_time, "protocol": protocol, "client_port": sport, "server_port": dport,
                   "forward_flow_uuid": uuid, "forward_action": action, "forward_drop_reason": drop_reason,
                   "forward_sg_rule_uuid": sg_rule_uuid, "forward_nw_ace_uuid": nw_ace_uuid,
                   "security_policy_rule": policy_rule, "forward_sampled_bytes": bytes,
                   "forward_sampled_pkts": packets, "is_service_instance": 0}
        self.sessions.append({**session, "session_type": "client", "vrouter": vrouter, "vrouter_ip": vrouter_ip,
                              "local_ip": source_ip, "remote_ip": dest_ip, "vn": source_vn, "remote_vn": dest_vn,
                              "vmi": vmi})
        if dest_vrouter and action == "pass":
            self.sessions.append({**session, "session_type": "server", "vrouter": dest_vrouter,
                                  "vrouter_ip": other_vrouter_ip or vrouter_ip, "local_ip": dest_ip,
                                  "remote_ip": source_ip, "vn": dest_vn, "remote_vn": source_vn, "vmi": ""})
        self.rows.append({"UuidKey": uuid, "vrouter": vrouter, "sourcevn": source_vn, "sourceip": source_ip,
                          "sport": sport, "destvn": dest_vn, "destip": dest_ip, "dport": dport,
                          "protocol": protocol, "action": action, "drop_reason": drop_reason,
                          "setup_time": setup_time, "teardown_time": teardown_time, "agg-bytes": bytes,
                          "agg-packets": packets, "vmi": vmi, "sg_rule_uuid": sg_rule_uuid,
                          "nw_ace_uuid": nw_ace_uuid, "vrouter_ip": vrouter_ip, "other_vrouter_ip": other_vrouter_ip,
                          "direction_ing": direction})
        return True


@dataclass
class Tables:
    flows: FlowTable = field(default_factory=FlowTable)
    objects: dict[str, deque] = field(default_factory=dict)  # object table -> rows
    messages: deque = field(default_factory=lambda: deque(maxlen=MAX_ROWS_PER_TABLE))
    stats: dict[str, list[dict]] = field(default_factory=dict)  # StatTable.X.y -> rows (with "T")

    def object_log(self, table: str, row: dict) -> None:
        self.objects.setdefault(table, deque(maxlen=MAX_ROWS_PER_TABLE)).append(row)

    def names(self) -> list[str]:
        return ["MessageTable", q.FLOW_RECORD_TABLE, q.FLOW_SERIES_TABLE, q.SESSION_RECORD_TABLE,
                *OBJECT_TABLES.values(), *self.stats]

    def _rows_of(self, table: str) -> tuple[list[dict], str]:
        if table == q.MESSAGE_TABLE:
            return list(self.messages), "MessageTS"
        if table in (q.FLOW_RECORD_TABLE, q.FLOW_SERIES_TABLE):
            return list(self.flows.rows), "setup_time"
        if table == q.SESSION_RECORD_TABLE:
            return list(self.flows.sessions), "T"
        if table == q.SESSION_SERIES_TABLE:
            return [], "T"
        if table in OBJECT_TABLES.values():
            return list(self.objects.get(table, ())), "MessageTS"
        if table.startswith("StatTable."):
            if table not in self.stats:
                raise QueryRefused(404, f"Table {table} not found")
            return self.stats[table], "T"
        raise QueryRefused(404, f"Table {table} not found")

    def run(self, body: Any, now_us: int) -> list[dict]:
        if not isinstance(body, dict) or not body.get("table") or not isinstance(body.get("select_fields"), list):
            raise QueryRefused(400, "query needs table and select_fields")
        table = str(body["table"])
        if table.startswith("Session") and body.get("session_type") not in ("client", "server"):
            raise QueryRefused(400, "session_type (client or server) is required for session tables")
        select = [str(s) for s in body["select_fields"]]
        if "T" in select and "T=" in select:
            raise QueryRefused(400, "Stats query cannot have both T and T=")
        try:
            start = resolve_time(body.get("start_time", "now-10m"), now_us)
            end = resolve_time(body.get("end_time", "now"), now_us)
        except q.QueryError as exc:
            raise QueryRefused(400, str(exc)) from None
        rows, ts = self._rows_of(table)
        rows = [r for r in rows if start <= int(r.get(ts, 0)) <= end]
        rows = _or_of_ands(rows, body.get("where"))
        if table.startswith("Flow") and body.get("dir") is not None:
            rows = [r for r in rows if r.get("direction_ing") == body["dir"]]
        if table.startswith("Session"):
            rows = [r for r in rows if r.get("session_type") == body["session_type"]
                    and r.get("is_service_instance", 0) == int(body.get("is_service_instance") or 0)]
        rows = _or_of_ands(rows, body.get("filter"))
        if body.get("sort_fields"):
            fields = [f for f in body["sort_fields"] if isinstance(f, str)]
            rows.sort(key=lambda r: tuple(_sortable(r.get(f)) for f in fields), reverse=body.get("sort") == q.DESCENDING)
        if body.get("limit"):
            rows = rows[: int(body["limit"])]
        return [{k: r.get(k) for k in select if k in r or not k.startswith("SUM(")} for r in rows]
