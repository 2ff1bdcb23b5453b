"""Analytics facts about the inventory's nodes: the object types their daemons log under (a node's state
history), and which unacknowledged alarms belong to which node (the node tree's bell)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tftui.core.catalog import ROLE_GROUPS, normalise_role

from .alarms import CRITICAL, MAJOR, MINOR, Alarm
from .uve import NODE_TYPES

# An inventory role -> the UVE type (and object-log type) its nodemgr and daemons report NodeStatus under
# (viz.sandesh's node types; contrail-logs --object-type takes the same names).
ROLE_OBJECT_TYPES = {
    "control": "control-node", "config": "config-node", "config_database": "config-database-node",
    "analytics": "analytics-node", "analytics_database": "database-node", "analytics_alarm": "analytics-alarm-node",
    "analytics_snmp": "analytics-snmp-node", "kubemanager": "kubernetes-manager-node", "vrouter": "vrouter",
}
_SEVERITY_ORDER = (CRITICAL, MAJOR, MINOR)


def object_types_for(roles: Iterable[str]) -> tuple[str, ...]:
    """The object types a node with these roles logs NodeStatusUVE under, in the node tree's role order."""
    normal = {normalise_role(r) for r in roles}
    ordered = sorted(normal, key=lambda r: ROLE_GROUPS.index(r) if r in ROLE_GROUPS else len(ROLE_GROUPS))
    return tuple(dict.fromkeys(ROLE_OBJECT_TYPES[r] for r in ordered if r in ROLE_OBJECT_TYPES))


def _is_address(text: str) -> bool:
    return text.replace(".", "").isdigit() or ":" in text


@dataclass(frozen=True)
class AlarmMark:
    """A node's unacknowledged alarms, at a glance."""

    count: int
    worst: str  # critical | major | minor


class NodeIndex:
    """The inventory's nodes by the host names analytics keys their UVEs with. The inventory may call a node
    what its daemons report, give its address, or say ``ctrl1`` where the host reports ``ctrl1.example.net``."""

    def __init__(self, nodes: Iterable[tuple[str, str]]) -> None:  # (name, address)
        self._exact: dict[str, str] = {}
        self._short: dict[str, str] = {}
        for name, address in nodes:
            self._exact.setdefault(name, name)
            if address:
                self._exact.setdefault(address, name)
            if not _is_address(name):
                self._short.setdefault(name.split(".", 1)[0], name)

    def find(self, host: str) -> str | None:
        """The node a UVE key names, if it is one of the inventory's."""
        found = self._exact.get(host)
        if found is None and not _is_address(host):
            found = self._short.get(host.split(".", 1)[0])
        return found


def alarms_by_node(alarms: Iterable[Alarm], nodes: NodeIndex) -> dict[str, tuple[Alarm, ...]]:
    """Node name -> its unacknowledged alarms, for the nodes that have any. Only alarms on node UVEs count:
    a virtual network's alarm is nobody's bell."""
    found: dict[str, list[Alarm]] = {}
    for a in alarms:
        node = nodes.find(a.name) if not a.ack and a.table in NODE_TYPES else None
        if node is not None:
            found.setdefault(node, []).append(a)
    return {node: tuple(group) for node, group in found.items()}


def mark_of(alarms: Iterable[Alarm]) -> AlarmMark:
    severities = [a.severity_name for a in alarms]
    return AlarmMark(len(severities), min(severities, key=_severity_rank, default=MINOR))


def _severity_rank(name: str) -> int:
    return _SEVERITY_ORDER.index(name) if name in _SEVERITY_ORDER else len(_SEVERITY_ORDER)


def node_status_summary(fields: dict, module: str = "") -> str:
    """What a logged NodeStatusUVE says in a few words: each daemon's state (with its reason when it is not
    Functional) and the processes not running — ``contrail-control-nodemgr Non-Functional: NTP state
    unsynchronized. · rabbitmq EXITED``; the sender's own name (``module``) is left out, said beside it."""
    data = fields.get("data") if isinstance(fields.get("data"), dict) else fields
    parts = []
    for ps in data.get("process_status") or ():
        if not isinstance(ps, dict):
            continue
        state = str(ps.get("state") or "?")
        who = ps.get("module_id") or "?"
        said = state if who == module else f"{who} {state}"
        if state != "Functional" and ps.get("description"):
            said += f": {ps['description']}"
        parts.append(said)
    for pi in data.get("process_info") or ():
        state = str(pi.get("process_state") or "") if isinstance(pi, dict) else ""
        if state and state != "PROCESS_STATE_RUNNING":
            parts.append(f"{pi.get('process_name') or '?'} {state.removeprefix('PROCESS_STATE_')}")
    if data.get("deleted") is True:
        parts.append("deleted")
    return " · ".join(parts) or "NodeStatus"
