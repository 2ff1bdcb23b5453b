"""What the lab's analytics knows: UVEs kept in step with the topology, alarms, and the logs of every change.

A watcher compares each daemon's NodeStatus with what it last reported (the lab's churn and faults
change the topology under it); a change is a NodeStatusUVE the daemon sends: it updates the UVE's
``__T`` and lands in the node's object table (``ObjectVRouter``, ``ObjectBgpRouter``, ...) and the
MessageTable, as the collector writes every UVE message.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from tftui.core.catalog import MODULE_IDS
from tftui.core.nodestatus import node_status_fields
from tftui.core.sandesh import F, S, encode_message

from ..nodestatus_gen import node_status_for, object_key
from ..sessions import session_signature
from ..topology import FUNCTIONAL, NON_FUNCTIONAL, REFUSE, Topology
from .alarms import AlarmGen
from .tables import Tables
from .uves import (
    LAB_TABLE_TYPES,
    VROUTER_STRUCTS,
    bgp_router_state,
    network_uves,
    node_statuses,
    now_us,
    reporting,
    vmi_uves,
    vrouter_structs,
)

NODE_TYPE_NAMES = {"vrouter": "Compute", "control-node": "Control", "config-node": "Config",
                   "config-database-node": "ConfigDatabase", "analytics-node": "Analytics",
                   "database-node": "Database", "kubernetes-manager-node": "Config"}
SYS_NOTICE = 5


def _key(uve_type: str, name: str) -> str:
    return f"{uve_type}/{name}"


class AnalyticsState:
    def __init__(self, topo: Topology, host_ip: str):
        self.topo = topo
        self.tables = Tables()
        self.tables.flows.export_rate = topo.flow_export_rate
        self.alarmgen = AlarmGen(host_ip)
        self._signatures: dict[tuple[str, str], tuple] = {}
        self._dirty: set[str] = set()
        self._changed_at: dict[str, int] = {}
        self._node_uves: dict[str, dict[str, dict]] = {}  # node -> type -> NodeStatus json
        self._updated: dict[str, int] = {}  # "type/name" -> µs of the last NodeStatus change
        self._sequence = 0
        self.version = 0  # bumped by every change a UVE shows (watch(), an acknowledged alarm)
        self.static = {"virtual-network": network_uves(topo), "virtual-machine-interface": vmi_uves(topo)}
        self.built_at = now_us()
        self._types = {n.name: self._node_types(n) for n in topo.nodes}
        self.watch()

    # ------------------------------------------------------------------ change tracking
    def _signature(self, node, svc) -> tuple:
        """What a daemon's NodeStatus depends on that can change while the lab runs (cheap to compare)."""
        if not reporting(node):
            return ("gone",)
        b = node.behaviour_of(svc.key)
        if b.mode not in (FUNCTIONAL, NON_FUNCTIONAL):
            return ("gone",)
        if svc.key == "vrouter-agent":  # its XMPP sessions are in its NodeStatus (lab/sessions.py)
            return (b.mode, b.description, session_signature(self.topo, node))
        if not svc.is_nodemgr:
            return (b.mode, b.description)
        return (b.mode, b.description, node.disk_percent, tuple(sorted(node.processes.items())),
                tuple(sorted(k for k, v in node.behaviour.items() if v.mode == REFUSE)))  # a standby's process runs

    def watch(self) -> int:
        """Note every daemon whose NodeStatus changed since the last call; returns how many changed.

        Called every half second and on every request: it compares a few fields per daemon and builds a
        NodeStatus only for what changed (a 2000-vrouter lab must not spend its CPU here)."""
        changed = 0
        now = now_us()
        for node in self.topo.nodes:
            node_changed = False
            for svc in node.services():
                if svc.port is None:
                    continue
                sig = self._signature(node, svc)
                key = (node.name, svc.key)
                if self._signatures.get(key) == sig:
                    continue
                self._signatures[key] = sig
                node_changed = True
                changed += 1
                if sig != ("gone",):
                    self._log(object_key(node, svc), node.name, MODULE_IDS.get(svc.key, svc.key),
                              LAB_TABLE_TYPES.get(object_key(node, svc), "vrouter"),
                              node_status_for(self.topo, node, svc), now)
            if node_changed:
                self._node_uves.pop(node.name, None)  # rebuilt on the next read
                self._dirty.add(node.name)
                self._changed_at[node.name] = now
        if changed:
            self.version += 1
        return changed

    def _statuses(self, name: str) -> dict[str, dict]:
        if name in self._dirty or name not in self._node_uves:
            self._dirty.discard(name)
            self._node_uves[name] = node_statuses(self.topo, self.topo.node(name))
            for uve_type in self._node_uves[name]:
                self._updated[_key(uve_type, name)] = self._changed_at.get(name, self.built_at)
        return self._node_uves[name]

    def _log(self, table: str, node: str, module: str, uve_type: str, ns, now: int) -> None:
        self._sequence += 1
        xml = encode_message("NodeStatusUVE", [F("data", "struct", S("NodeStatus", node_status_fields(ns)), 1)])
        node_type = NODE_TYPE_NAMES.get(uve_type, "")
        self.tables.object_log(table, {"MessageTS": now, "ObjectId": node, "Source": node, "ModuleId": module,
                                       "Messagetype": "NodeStatusUVE", "ObjectLog": xml, "SystemLog": ""})
        self.tables.messages.append({"MessageTS": now, "Source": node, "ModuleId": module, "Category": "",
                                     "Messagetype": "NodeStatusUVE", "SequenceNum": self._sequence,
                                     "Xmlmessage": xml, "Type": 6, "Level": SYS_NOTICE, "NodeType": node_type,
                                     "InstanceId": "0"})

    # ------------------------------------------------------------------ UVEs
    def _node_types(self, node) -> frozenset[str]:
        """The UVE types this node has NodeStatus under: those of its reporting daemons."""
        if not reporting(node):
            return frozenset()
        return frozenset(LAB_TABLE_TYPES.get(object_key(node, s), "vrouter") for s in node.services()
                         if s.port is not None and node.behaviour_of(s.key).mode in (FUNCTIONAL, NON_FUNCTIONAL))

    def _types_of(self, name: str) -> frozenset[str]:
        if name in self._dirty:
            self._types[name] = self._node_types(self.topo.node(name))
        return self._types[name]

    def types(self) -> list[str]:
        found = {t for n in self.topo.nodes for t in self._types_of(n.name)}
        return sorted(found | {t for t, v in self.static.items() if v})

    def keys(self, uve_type: str) -> list[str]:
        if uve_type in self.static:
            return sorted(self.static[uve_type])
        return sorted(n.name for n in self.topo.nodes if uve_type in self._types_of(n.name))

    def uve(self, uve_type: str, name: str, structs: frozenset[str] | None = None) -> dict:
        """The flat UVE (empty when unknown), with its UVEAlarms evaluated now. ``structs``: the only structs the
        reply keeps (``cfilt``), when the others need not be built (the alarms are evaluated all the same)."""
        now = now_us()
        if uve_type in self.static:
            uve = dict(self.static[uve_type].get(name) or {})
            return {k: {**v, "__T": self.built_at} for k, v in uve.items()}
        if uve_type not in self._types_of(name) if name in self._types else True:
            return {}
        ns = self._statuses(name).get(uve_type)
        if ns is None:
            return {}
        node = self.topo.node(name)
        # nodemgrs resend NodeStatus every minute or so: a reporting node's NodeStatus stays fresh
        uve: dict[str, Any] = {"NodeStatus": {**ns, "__T": now}}
        if uve_type == "vrouter" and (structs is None or not structs.isdisjoint(VROUTER_STRUCTS)):
            uve.update({k: {**v, "__T": self._updated.get(_key(uve_type, name), now)}
                        for k, v in vrouter_structs(self.topo, node).items()})
        elif uve_type == "control-node":
            uve["BgpRouterState"] = {**bgp_router_state(self.topo, node), "__T": now}
        alarms = self.alarmgen.evaluate(uve_type, name, uve, now)
        if alarms:
            uve["UVEAlarms"] = alarms
        return uve

    def matching(self, uve_type: str, patterns: list[str], structs: frozenset[str] | None = None) -> dict[str, dict]:
        keys = [k for k in self.keys(uve_type) if any(fnmatch.fnmatchcase(k, p) for p in patterns or ["*"])]
        return {k: self.uve(uve_type, k, structs) for k in keys}

    def all_alarms(self) -> dict[str, dict[str, dict]]:
        """type -> key -> UVEAlarms, for every UVE that has one."""
        out: dict[str, dict[str, dict]] = {}
        for uve_type in self.types():
            for key in self.keys(uve_type):
                block = self.uve(uve_type, key).get("UVEAlarms")
                if block:
                    out.setdefault(uve_type, {})[key] = block
        return out
