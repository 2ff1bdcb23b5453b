"""alarm-gen for the lab: the built-in node alarms, evaluated on the lab's UVEs, with acknowledgement.

Rules as tf-analytics ships them (``contrail-opserver/plugins`` and the system-defined alarm configs):
a process not RUNNING (critical), a process reporting Non-Functional — the NTP and disk descriptions of
the degraded scenario land here — (major), a partition 90 % full (major), and on a control node fewer XMPP
peers up than configured (``BgpRouterState.num_up_xmpp_peer != num_xmpp_peer``, major: "XMPP peer mismatch."). The payload is the current
``alarm_rules.or_list[].and_list[]`` form with JSON-encoded match values, a token alarm-gen would decode
(``{"timestamp", "http_port", "host_ip"}`` in base64), and ``ack`` kept until the alarm clears.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

PROCESS_STATUS = "default-global-system-config:system-defined-process-status"
XMPP_CONNECTIVITY = "default-global-system-config:system-defined-xmpp-connectivity"
PROCESS_CONNECTIVITY = "default-global-system-config:system-defined-process-connectivity"
DISK_HIGH = "default-global-system-config:system-defined-disk-usage-high"
DISK_THRESHOLD = 90
ALARM_GEN_PORT = 5995


def _condition(operand1: str, operation: str, value: object, variables: list[str]) -> dict:
    return {"operand1": operand1, "operation": operation, "operand2": {"json_value": json.dumps(value)},
            "variables": variables}


def _match(value1: object, variables: dict[str, object]) -> dict:
    return {"json_operand1_value": json.dumps(value1),
            "json_variables": {k: json.dumps(v) for k, v in variables.items()}}


def _rule_hits(node_status: dict) -> list[tuple[str, int, str, dict, list[dict]]]:
    """(type, severity, description, condition, matches) for each alarm this NodeStatus raises."""
    hits = []
    stopped = [p for p in node_status.get("process_info") or [] if p.get("process_state") != "PROCESS_STATE_RUNNING"]
    if stopped:
        cond = _condition("NodeStatus.process_info.process_state", "!=", "PROCESS_STATE_RUNNING",
                          ["NodeStatus.process_info.process_name"])
        hits.append((PROCESS_STATUS, 0, "Process Failure.", cond,
                     [_match(p.get("process_state"), {"NodeStatus.process_info.process_name": p.get("process_name")})
                      for p in stopped]))
    bad = [p for p in node_status.get("process_status") or [] if p.get("state") != "Functional"]
    if bad:
        cond = _condition("NodeStatus.process_status.state", "!=", "Functional",
                          ["NodeStatus.process_status.module_id", "NodeStatus.process_status.instance_id",
                           "NodeStatus.process_status.description"])
        hits.append((PROCESS_CONNECTIVITY, 1, "Process(es) reporting as non-functional.", cond,
                     [_match(p.get("state"), {"NodeStatus.process_status.module_id": p.get("module_id"),
                                              "NodeStatus.process_status.instance_id": p.get("instance_id"),
                                              "NodeStatus.process_status.description": p.get("description", "")})
                      for p in bad]))
    full = [(part, d) for part, d in (node_status.get("disk_usage_info") or {}).items()
            if int(d.get("percentage_partition_space_used", 0)) >= DISK_THRESHOLD]
    if full:
        cond = _condition("NodeStatus.disk_usage_info.percentage_partition_space_used", ">=", DISK_THRESHOLD,
                          ["NodeStatus.disk_usage_info.__key"])
        hits.append((DISK_HIGH, 1, "Disk usage crosses high threshold limit.", cond,
                     [_match(d.get("percentage_partition_space_used"), {"NodeStatus.disk_usage_info.__key": part})
                      for part, d in full]))
    return hits


def _xmpp_hits(bgp: object) -> list[tuple[str, int, str, dict, list[dict]]]:
    """tf-analytics' xmpp-connectivity rule: a control node with fewer XMPP peers up than it has."""
    if not isinstance(bgp, dict) or bgp.get("num_up_xmpp_peer") == bgp.get("num_xmpp_peer"):
        return []
    cond = {"operand1": "BgpRouterState.num_up_xmpp_peer", "operation": "!=",
            "operand2": {"uve_attribute": "BgpRouterState.num_xmpp_peer"}, "variables": []}
    match = {"json_operand1_value": json.dumps(bgp.get("num_up_xmpp_peer")),
             "json_operand2_value": json.dumps(bgp.get("num_xmpp_peer")), "json_variables": {}}
    return [(XMPP_CONNECTIVITY, 1, "XMPP peer mismatch.", cond, [match])]


@dataclass
class AlarmGen:
    host_ip: str
    raised_at: dict[tuple[str, str, str], int] = field(default_factory=dict)
    acked: set[tuple[str, str, str]] = field(default_factory=set)

    def token(self, timestamp: int) -> str:
        raw = json.dumps({"timestamp": timestamp, "http_port": ALARM_GEN_PORT, "host_ip": self.host_ip})
        return base64.b64encode(raw.encode()).decode()

    def evaluate(self, table: str, name: str, uve: dict, now_us: int) -> dict | None:
        """The UVEAlarms struct of one UVE (None when nothing is raised); forgets cleared alarms' state."""
        ns = uve.get("NodeStatus")
        hits = _rule_hits(ns) if isinstance(ns, dict) else []
        hits += _xmpp_hits(uve.get("BgpRouterState"))
        raised = {(table, name, h[0]) for h in hits}
        for key in [k for k in self.raised_at if k[:2] == (table, name) and k not in raised]:
            self.raised_at.pop(key, None)
            self.acked.discard(key)
        if not hits:
            return None
        alarms = []
        for alarm_type, severity, description, cond, matches in hits:
            key = (table, name, alarm_type)
            ts = self.raised_at.setdefault(key, now_us)
            alarms.append({"type": alarm_type, "severity": severity, "ack": key in self.acked, "timestamp": ts,
                           "token": self.token(ts), "description": description,
                           "alarm_rules": {"or_list": [{"and_list": [{"condition": cond, "match": matches}]}]}})
        return {"alarms": alarms, "__T": now_us}

    def acknowledge(self, table: str, name: str, alarm_type: str, token: str) -> str | None:
        """None when done, else why not (alarm-gen's error_msg)."""
        key = (table, name, alarm_type)
        ts = self.raised_at.get(key)
        if ts is None:
            return f"alarm {alarm_type} of {table}:{name} is not present"
        try:
            decoded = json.loads(base64.b64decode(token.encode(), validate=True))
        except (ValueError, TypeError):
            return "invalid token"
        if decoded.get("timestamp") != ts:
            return "token does not match the alarm's timestamp"
        self.acked.add(key)
        return None
