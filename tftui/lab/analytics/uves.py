"""The lab's UVEs, built from the same topology and NodeStatus generator its introspect serves.

A node's NodeStatus under one UVE type is the aggregate of the NodeStatus its connected daemons send
(``process_status`` and ``process_info`` are unions, as ``aggtype="union"`` says), with the real field
names: each daemon's NodeStatus is encoded to Sandesh XML by core's encoder and decoded back, so the
JSON carries exactly the names introspect shows. A daemon whose introspect is faulty, refused (a
standby), or on a dead or hung node sends nothing: analytics does not know it, as on a real cluster
where its generator is not connected.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from tftui.core.analytics.uve import TABLE_TO_TYPE
from tftui.core.nodestatus import NodeStatus, node_status_fields
from tftui.core.sandesh import L, M, S

from ..agent_model import drop_counters
from ..nodestatus_gen import build_info, node_status_for, object_key
from ..sessions import xmpp_servers
from ..topology import FUNCTIONAL, NON_FUNCTIONAL, LabNode, Topology

# The lab names kube-manager's table after its older name; analytics lists it as kubernetes-manager-node.
LAB_TABLE_TYPES = {**TABLE_TO_TYPE, "ObjectKubeManagerInfo": "kubernetes-manager-node"}


def _json(value: Any) -> Any:
    """A value of core's encoder tree (S, L, M, scalars) as the JSON analytics serves: the same field names
    introspect's XML carries, without writing and parsing XML for every daemon of a 2000-node lab."""
    if isinstance(value, S):
        return {f.name: _json(f.value) for f in value.fields}
    if isinstance(value, L):
        return [_json(v) for v in value.items]
    if isinstance(value, M):
        return {str(k): _json(v) for k, v in value.items}
    return value


def node_status_json(ns: NodeStatus) -> dict:
    return _json(S("NodeStatus", node_status_fields(ns)))


def _aggregate(parts: list[dict]) -> dict:
    out: dict[str, Any] = {}
    for part in parts:
        for k, v in part.items():
            if k in ("process_status", "process_info") and isinstance(v, list):
                out.setdefault(k, []).extend(v)
            elif k not in out:
                out[k] = v
    return out


def reporting(node: LabNode) -> bool:
    return not (node.dead or node.hang)


def node_statuses(topo: Topology, node: LabNode) -> dict[str, dict]:
    """UVE type -> the aggregated NodeStatus JSON of this node, from the daemons that report to analytics."""
    if not reporting(node):
        return {}
    parts: dict[str, list[dict]] = {}
    for svc in node.services():
        if svc.port is None or node.behaviour_of(svc.key).mode not in (FUNCTIONAL, NON_FUNCTIONAL):
            continue
        uve_type = LAB_TABLE_TYPES.get(object_key(node, svc), "vrouter")
        ns = node_status_for(topo, node, svc)
        doc = node_status_json(ns)
        if not svc.is_nodemgr:  # only a nodemgr reports host-wide figures
            doc = {k: v for k, v in doc.items() if k in ("name", "deleted", "process_status")}
        parts.setdefault(uve_type, []).append(doc)
    return {t: _aggregate(p) for t, p in parts.items()}


def _uid(*parts: str) -> int:
    return int(hashlib.md5("/".join(parts).encode()).hexdigest()[:8], 16)


VROUTER_STRUCTS = frozenset({"VrouterAgent", "VrouterStatsAgent"})  # what vrouter_structs builds


def vrouter_structs(topo: Topology, node: LabNode) -> dict[str, dict]:
    """``VrouterAgent`` and ``VrouterStatsAgent`` with the field names UVE scrapers read."""
    itfs = topo.interfaces_on(node.name)
    ctrl = xmpp_servers(topo, node.name)  # the sessions its introspect and the control nodes show
    stopped = node.behaviour_of("vrouter-agent").mode != FUNCTIONAL
    h = _uid(node.name)
    flows = 40 + h % 200
    agent = {
        "build_info": build_info(topo.release), "control_ip": node.address, "mode": "VROUTER", "platform": "HOST",
        "sandesh_http_port": 8085, "total_interface_count": len(itfs) + 1,
        "down_interface_count": 0, "error_intf_list": [], "self_ip_list": [node.address],
        "vhost_cfg": {"name": "vhost0", "ip": node.address, "ip_prefix_len": 24, "gateway": ""},
        "xmpp_peer_list": [{"ip": c.address, "setup_time": 1764000000000000, "primary": i == 0,
                            "status": not stopped and topo.sessions.xmpp_state(node.name, c.name).up}
                           for i, c in enumerate(ctrl)],
        "control_node_list_cfg": [c.address for c in ctrl],
        "interface_list": [f"{i.network.rsplit(':', 1)[0]}:{i.vmi_uuid}" for i in itfs],
        "virtual_machine_list": [i.vm_uuid for i in itfs],
        "connected_networks": sorted({i.network for i in itfs}),
    }
    drops = drop_counters(topo, node)  # the counters the agent's KDropStatsReq shows at this moment
    stats = {
        "drop_stats": drops, "active_flows": flows, "total_flows": flows * 30, "aged_flows": flows * 29,
        "exception_packets": 900 + h % 1000, "exception_packets_dropped": 3, "exception_packets_allowed": 897,
        "in_tpkts": 123_456 + h, "out_tpkts": 120_000 + h, "in_bytes": 98_765_432 + h, "out_bytes": 87_654_321 + h,
        "flow_rate": {"added_flows": 12, "deleted_flows": 11, "max_flow_adds_per_second": 9,
                      "min_flow_adds_per_second": 0, "max_flow_deletes_per_second": 8,
                      "min_flow_deletes_per_second": 0, "active_flows": flows},
        "phy_if_stats": {"eth0": {"in_pkts": 5000 + h % 999, "out_pkts": 4800, "in_bytes": 9_000_000,
                                  "out_bytes": 8_000_000}},
    }
    return {"VrouterAgent": agent, "VrouterStatsAgent": stats}


def bgp_router_state(topo: Topology, node: LabNode) -> dict:
    """``BgpRouterState`` with the peer counts that BGP/XMPP connectivity alarms and exporters read."""
    # its neighbor list's counts (lab/control_plane.py): the agents configured to it and those whose session is up,
    # the other control nodes (iBGP, lab/sessions.py) and the gateway router when the lab starts peered with it
    agents = [v for v in topo.vrouters() if any(c is node for c in xmpp_servers(topo, v.name))]
    xmpp = [v for v in agents if v.behaviour_of("vrouter-agent").mode == FUNCTIONAL
            and topo.sessions.xmpp_state(v.name, node.name).up]
    others = [c.name for c in topo.nodes if "control" in c.roles and c is not node]
    router = 1 if node.name in topo.router.peered else 0
    up_bgp = sum(1 for p in others if topo.sessions.bgp_state(node.name, p).up) + router
    return {
        "admin_down": False, "bgp_router_ip_list": [node.address], "router_id": node.address,
        "local_asn": topo.router.tf_asn, "global_asn": topo.router.tf_asn, "build_info": build_info(topo.release),
        "num_bgp_peer": len(others) + router, "num_up_bgp_peer": up_bgp,
        "num_xmpp_peer": len(agents), "num_up_xmpp_peer": len(xmpp),
        "num_routing_instance": 2 + len(topo.networks), "num_deleted_routing_instance": 0,
        "output_queue_depth": 0, "ifmap_info": {"connection_status": "Up"},
    }


def network_uves(topo: Topology) -> dict[str, dict]:
    out = {}
    for net in topo.networks:
        itfs = [i for i in topo.interfaces if i.network == net.fq_name_str]
        h = _uid(net.fq_name_str)
        out[net.fq_name_str] = {
            "UveVirtualNetworkAgent": {"interface_list": [f"{net.fq_name[0]}:{net.fq_name[1]}:{i.vmi_uuid}"
                                                          for i in itfs],
                                       "virtualmachine_list": [i.vm_uuid for i in itfs],
                                       "vrouter_list": sorted({i.vrouter for i in itfs}),
                                       "ingress_flow_count": len(itfs) * 3, "egress_flow_count": len(itfs) * 3,
                                       "in_tpkts": 1000 * len(itfs) + h % 100, "out_tpkts": 990 * len(itfs),
                                       "in_bytes": 98_000 * len(itfs), "out_bytes": 97_000 * len(itfs)},
            "UveVirtualNetworkConfig": {"total_acl_rules": 2, "routing_instance_list": [net.fq_name_str + ":"
                                                                                         + net.name]},
        }
    return out


def vmi_uves(topo: Topology) -> dict[str, dict]:
    out = {}
    for i in topo.interfaces:
        if not reporting(topo.node(i.vrouter)):
            continue
        key = ":".join(i.network.split(":")[:2] + [i.vmi_uuid])
        h = _uid(i.vmi_uuid)
        out[key] = {"UveVMInterfaceAgent": {
            "vm_name": i.vm_name, "vm_uuid": i.vm_uuid, "uuid": i.vmi_uuid, "virtual_network": i.network,
            "ip_address": i.ip, "mac_address": i.mac, "vrouter": i.vrouter, "active": i.active,
            "admin_state": True, "l2_active": True, "ip4_active": True, "ip6_active": False,
            "if_stats": {"in_pkts": 2600 + h % 100, "out_pkts": 2600, "in_bytes": 885_690, "out_bytes": 862_276},
            "flow_rate": {"active_flows": 4 + h % 10, "added_flows": 1, "deleted_flows": 1,
                          "max_flow_adds_per_second": 1, "min_flow_adds_per_second": 0,
                          "max_flow_deletes_per_second": 1, "min_flow_deletes_per_second": 0},
            "drop_stats": {"ds_flow_action_drop": h % 5, "ds_discard": 0},
            "sg_rule_stats": [{"rule": "00000000-0000-0000-0000-000000000001", "count": 6}],
        }}
    return out


def now_us() -> int:
    return int(time.time() * 1_000_000)
