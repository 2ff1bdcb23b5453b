"""Query results: async progress, log lines as ``contrail-logs`` prints them, flow rows, stat series.

The XML inside ``Xmlmessage`` (MessageTable) and ``ObjectLog`` (object tables) is parsed with core's safe
Sandesh parser (no DTD, no entities, no network, size cap) and rendered in the text form the seed's
``contrail-logs`` output shows: ``[NodeStatus: name = h, disk_usage_info: {/dev/xvda1: [...], }, ...]``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tftui.core.sandesh import SandeshError, Struct, clean_text, decode_messages

from .query import LEVEL_NAMES

TIME_FORMAT = "%Y %b %d %H:%M:%S.%f"  # OpServerUtils.TIME_FORMAT_STR
XML_CAP = 1 << 20  # one log message's XML: larger is refused, not parsed


class QueryFormatError(ValueError):
    """A query reply that is JSON but not the shape the query API gives."""


@dataclass(frozen=True)
class QueryStatus:
    """``GET /analytics/query/<qid>``: progress 0..100, negative = -errno (failed)."""

    progress: int
    chunks: tuple[str, ...] = ()  # hrefs of the result chunks, once progress is 100
    lines: int = 0

    @property
    def done(self) -> bool:
        return self.progress >= 100

    @property
    def failed(self) -> bool:
        return self.progress < 0


def parse_query_status(doc: Any) -> QueryStatus:
    if not isinstance(doc, dict) or "progress" not in doc:
        raise QueryFormatError("query status without progress")
    try:
        progress = int(doc["progress"])
    except (TypeError, ValueError):
        raise QueryFormatError(f"progress {doc['progress']!r} is not a number") from None
    chunks = []
    lines = 0
    for c in doc.get("chunks") or []:
        if isinstance(c, dict) and c.get("href"):
            chunks.append(str(c["href"]))
            lines += int(c.get("lines") or 0) if str(c.get("lines", "0")).isdigit() else 0
    return QueryStatus(progress, tuple(chunks), lines)


def parse_rows(doc: Any) -> list[dict]:
    """``{"value": [row, ...]}`` (a sync reply or a chunk)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise QueryFormatError("expected {\"value\": [rows]}")
    return [r for r in doc["value"] if isinstance(r, dict)]


# ----------------------------------------------------------------------------------------- XML as text


def _render_value(v: Any) -> str:
    if isinstance(v, Struct):
        return "[" + (f"{v.type_name}: " if v.type_name else "") + _render_fields(v) + "]"
    if isinstance(v, dict):
        return "{" + "".join(f"{k}: {_render_inner(x)}, " for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_render_value(x) if isinstance(x, dict) else _scalar(x) for x in v) + "]"
    return _scalar(v)


def _render_inner(v: Any) -> str:
    """A map's struct values print without their type name."""
    if isinstance(v, Struct):
        return "[" + _render_fields(v) + "]"
    return _render_value(v)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return clean_text(str(v))


def _render_fields(st: dict) -> str:
    parts = []
    for name, v in st.items():
        if name in ("file", "line"):  # where in the daemon's source the log was written: noise here
            continue
        if isinstance(v, Struct):
            parts.append(_render_value(v))
        elif isinstance(v, dict | list):
            parts.append(f"{name}: {_render_value(v)}")
        else:
            parts.append(f"{name} = {_scalar(v)}")
    return ", ".join(parts)


def render_sandesh_xml(xml: str | bytes) -> str:
    """The text of one logged sandesh; the raw text (made printable) when it is not usable XML."""
    if not xml:
        return ""
    try:
        messages = decode_messages(xml if isinstance(xml, bytes) else xml.encode("utf-8"), XML_CAP)
    except SandeshError:
        return clean_text(xml if isinstance(xml, str) else xml.decode("utf-8", "replace"))
    return "; ".join(_render_fields(m.fields) for m in messages)


def message_fields(xml: str | bytes) -> dict:
    """The logged sandesh's fields as plain data (for --json), or {} when it is not usable XML."""
    try:
        messages = decode_messages(xml if isinstance(xml, bytes) else xml.encode("utf-8"), XML_CAP)
    except SandeshError:
        return {}
    return {k: v for k, v in messages[0].fields.items() if k not in ("file", "line")} if messages else {}


# ----------------------------------------------------------------------------------------- log lines


def format_ts(us: Any) -> str:
    try:
        n = int(us)
    except (TypeError, ValueError):
        return "Time: NA"
    dt = datetime.datetime.fromtimestamp(n // 1_000_000) + datetime.timedelta(microseconds=n % 1_000_000)
    return dt.strftime(TIME_FORMAT)


@dataclass(frozen=True)
class LogLine:
    timestamp: int
    source: str
    module: str
    message_type: str
    text: str
    node_type: str = ""
    instance_id: str = ""
    category: str = ""
    level: str = ""
    sequence: str = ""
    object_log: bool = False
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def line(self) -> str:
        """The line ``contrail-logs`` prints for this row."""
        ts = format_ts(self.timestamp)
        if self.object_log:
            return (f"{ts} {self.source} [{self.node_type}:{self.module}:{self.instance_id}] : "
                    f"{self.message_type}: {self.text}")
        return (f"{ts} {self.source} [{self.node_type}:{self.module}:{self.instance_id}:{self.category}]"
                f"[{self.level}] : {self.message_type}:{self.sequence} {self.text}")

    def as_json(self) -> dict:
        return {"timestamp": self.timestamp, "source": self.source, "node_type": self.node_type,
                "module": self.module, "instance_id": self.instance_id, "message_type": self.message_type,
                "category": self.category, "level": self.level, "text": self.text, "line": self.line}


def _s(row: dict, key: str) -> str:
    v = row.get(key)
    return "" if v is None else clean_text(str(v))


def log_line(row: dict) -> LogLine:
    """One MessageTable or object-table row."""
    if "ObjectLog" in row or "SystemLog" in row:
        xml = row.get("ObjectLog") or row.get("SystemLog") or ""
        return LogLine(_int(row.get("MessageTS")), _s(row, "Source"), _s(row, "ModuleId"), _s(row, "Messagetype"),
                       render_sandesh_xml(str(xml)), _s(row, "NodeType"), _s(row, "InstanceId"), object_log=True,
                       raw=row)
    level = row.get("Level")
    level_name = LEVEL_NAMES.get(level, _s(row, "Level")) if isinstance(level, int) else _s(row, "Level")
    return LogLine(_int(row.get("MessageTS")), _s(row, "Source") or "Source: NA", _s(row, "ModuleId"),
                   _s(row, "Messagetype"), render_sandesh_xml(str(row.get("Xmlmessage") or "")),
                   _s(row, "NodeType"), _s(row, "InstanceId"), _s(row, "Category"), level_name,
                   _s(row, "SequenceNum"), raw=row)


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


# ----------------------------------------------------------------------------------------- flows, stats


@dataclass(frozen=True)
class FlowRow:
    vrouter: str
    source_vn: str
    source_ip: str
    sport: int
    dest_vn: str
    dest_ip: str
    dport: int
    protocol: int
    action: str
    drop_reason: str
    setup_time: int
    teardown_time: int
    bytes: int
    packets: int
    sg_rule_uuid: str = ""
    nw_ace_uuid: str = ""
    direction: str = ""  # ingress/egress for a flow record; "client session"/"server session" for a session
    policy_rule: str = ""  # a session's security_policy_rule (the firewall rule that decided it)

    def as_json(self) -> dict:
        return dict(self.__dict__)


def flow_row(row: dict) -> FlowRow:
    direction = row.get("direction_ing")
    return FlowRow(_s(row, "vrouter"), _s(row, "sourcevn"), _s(row, "sourceip"), _int(row.get("sport")),
                   _s(row, "destvn"), _s(row, "destip"), _int(row.get("dport")), _int(row.get("protocol")),
                   _s(row, "action"), _s(row, "drop_reason"), _int(row.get("setup_time")),
                   _int(row.get("teardown_time")), _int(row.get("agg-bytes")), _int(row.get("agg-packets")),
                   _s(row, "sg_rule_uuid"), _s(row, "nw_ace_uuid"),
                   "ingress" if direction in (1, "1") else "egress" if direction in (0, "0") else "")


def session_row(row: dict) -> FlowRow:
    """One SessionRecordTable row, as a flow from client to server: the local end is the client in a client
    session, the server in a server session; action, drop reason and rules are the forward flow's."""
    client = _s(row, "session_type") != "server"
    local, remote = (_s(row, "local_ip"), _s(row, "remote_ip"))
    vn, remote_vn = (_s(row, "vn"), _s(row, "remote_vn"))
    src, dst, src_vn, dst_vn = (local, remote, vn, remote_vn) if client else (remote, local, remote_vn, vn)
    return FlowRow(_s(row, "vrouter"), src_vn, src, _int(row.get("client_port")), dst_vn, dst,
                   _int(row.get("server_port")), _int(row.get("protocol")), _s(row, "forward_action"),
                   _s(row, "forward_drop_reason"), _int(row.get("T")), 0, _int(row.get("forward_sampled_bytes")),
                   _int(row.get("forward_sampled_pkts")), _s(row, "forward_sg_rule_uuid"),
                   _s(row, "forward_nw_ace_uuid"), "client session" if client else "server session",
                   _s(row, "security_policy_rule"))


@dataclass(frozen=True)
class StatSeries:
    key: str  # the source (or name) the points belong to
    points: tuple[tuple[int, float], ...]  # (µs, value), oldest first


def stat_series(rows: Iterable[dict], value_field: str, key_field: str = "Source") -> list[StatSeries]:
    """One series per source, for a sparkline per source over time (``T=`` or ``T`` as the time)."""
    series: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        t = r.get("T=", r.get("T"))
        v = r.get(value_field)
        if t is None or not isinstance(v, int | float):
            continue
        series.setdefault(_s(r, key_field) or "-", []).append((_int(t), float(v)))
    return [StatSeries(k, tuple(sorted(p))) for k, p in sorted(series.items())]


_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Iterable[float], width: int = 40) -> str:
    """The last ``width`` values as block characters, scaled between their min and max."""
    vals = list(values)[-width:]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    span = hi - lo or 1.0
    return "".join(_BLOCKS[min(len(_BLOCKS) - 1, int((v - lo) / span * (len(_BLOCKS) - 1) + 0.5))] for v in vals)
