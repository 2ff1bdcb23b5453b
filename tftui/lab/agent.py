"""The simulated vrouter agents' interface table: ``Snh_ItfReq`` and ``Snh_PageReq`` on port 8085.

Built from the topology, so the interfaces tftui lists are the pods the config API and the router
know, and the compute hosts (lab/hosts.py) forward to the same metadata IPs.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from tftui.core.agent import (
    INTERFACE_TABLE,
    KEY_FILTERS,
    PAGE_SIZE,
    AgentError,
    AgentInterface,
    PageKey,
    encode_itf_table,
    parse_page_key,
)
from tftui.core.catalog import ServiceDef
from tftui.core.introspect import Args
from tftui.core.sandesh import F

from .introspect_server import IntrospectLab
from .introspect_table import sandesh_reply, serves
from .topology import LabInterface, LabNode, Topology

# ItfReq query parameter -> the filter name the agent puts in its page keys
_FILTERS = {"name": "name", "uuid": "uuid", "vn": "vn", "mac": "mac", "ipv4_address": "ipv4", "type": "type"}


FIRST_LABEL = 16  # the agent's first MPLS label for an interface
HOST_INTERFACES = 3  # eth0, vhost0, pkt0: listed before any VM


def pod_label(position: int) -> int:
    """The MPLS label of the vrouter's ``position``-th VM/pod interface (its index in the agent's table is
    ``HOST_INTERFACES + position``): what the control nodes and the other agents use to reach it."""
    return FIRST_LABEL + HOST_INTERFACES + position


def _host_interfaces(node: LabNode) -> list[AgentInterface]:
    """What a real agent lists before any VM: the fabric NIC, vhost0 (a vport with its own 169.254
    address on newer releases, which tftui must not offer as a VM) and the packet interface."""
    return [
        AgentInterface("eth0", "eth", "00000000-0000-0000-0000-000000000000", vrf_name="--ERROR--", os_ifindex=2,
                       index=0),
        AgentInterface("vhost0", "vport", "00000000-0000-0000-0000-000000000001",
                       vrf_name="default-domain:default-project:ip-fabric:__default__", ip_addr=node.address,
                       mdata_ip_addr="169.254.0.1", os_ifindex=5, index=1),
        AgentInterface("pkt0", "pkt", "00000000-0000-0000-0000-000000000000", vrf_name="--ERROR--", os_ifindex=6,
                       index=2),
    ]


def key_nh(index: int) -> int:
    """The interface's key next hop id (ItfReq ``flow_key_idx``; flows it originates carry it as ``nh``)."""
    return 100 + index


def vmi_config_name(itf: LabInterface) -> str:
    """The VMI's config name as the agent knows it: its fq name in the config API (lab/configapi/seed.py)."""
    return ":".join(itf.network.split(":")[:2] + [f"{itf.vm_name}__{itf.vmi_uuid}"])


def agent_interface(itf: LabInterface, index: int) -> AgentInterface:
    return AgentInterface(
        name=itf.tap, type="vport", uuid=itf.vmi_uuid, vm_uuid=itf.vm_uuid, vm_name=itf.vm_name,
        vn_name=itf.network, vrf_name=f"{itf.network}:{itf.network.rsplit(':', 1)[-1]}", ip_addr=itf.ip,
        mac_addr=itf.mac, mdata_ip_addr=itf.metadata_ip, active="Active" if itf.active else "Inactive",
        ipv4_active="Active" if itf.active else "Inactive", label=FIRST_LABEL + index, os_ifindex=10 + index, index=index,
        flow_key_idx=key_nh(index), config_name=vmi_config_name(itf),
    )


def interface_table(topo: Topology, node: LabNode) -> list[AgentInterface]:
    table = _host_interfaces(node)
    for itf in topo.interfaces_on(node.name):
        table.append(agent_interface(itf, len(table)))
    return table


def _matches(itf: AgentInterface, filters: dict[str, str]) -> bool:
    fields = {"name": itf.name, "uuid": itf.uuid, "vn": itf.vn_name, "mac": itf.mac_addr, "ipv4": itf.ip_addr,
              "type": itf.type}
    return all(not v or v in fields.get(k, "") for k, v in filters.items())


class AgentTables:
    """Per-node tables, built once: the topology's interfaces do not change while the lab runs."""

    def __init__(self, topo: Topology):
        self.topo = topo
        self._tables: dict[str, list[AgentInterface]] = {}

    def table(self, node: LabNode) -> list[AgentInterface]:
        if node.name not in self._tables:
            self._tables[node.name] = interface_table(self.topo, node)
        return self._tables[node.name]

    def reply(self, node: LabNode, key: PageKey | None, filters: dict[str, str]) -> bytes:
        rows = [i for i in self.table(node) if _matches(i, filters)] if any(filters.values()) else self.table(node)
        if key is None:
            key = PageKey(0, PAGE_SIZE - 1, filters=tuple((f, filters.get(f, "")) for f in KEY_FILTERS))
        return encode_itf_table(rows, key)


_TABLES: weakref.WeakKeyDictionary[IntrospectLab, AgentTables] = weakref.WeakKeyDictionary()


def _tables(lab: IntrospectLab) -> AgentTables:
    tables = _TABLES.get(lab)
    if tables is None or tables.topo is not lab.topo:
        tables = _TABLES[lab] = AgentTables(lab.topo)
    return tables


def _invalid(svc: ServiceDef) -> bytes:
    """The agent's answer to a page key it cannot use (agent_sandesh.cc: SandeshError "Invalid request")."""
    return sandesh_reply(svc, [("ErrorResp", [F("resp", "string", "Invalid request", 1)])])


@serves("ItfReq")
def itf_req(lab: IntrospectLab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    filters = {name: args[param] for param, name in _FILTERS.items()}
    return _tables(lab).reply(node, None, filters)


# Other lab parts page their own tables (VRFs, routes, next hops): (lab, node, svc, key) -> reply, None if not theirs
PageTable = Callable[[IntrospectLab, LabNode, ServiceDef, PageKey], "bytes | None"]
_PAGE_TABLES: list[PageTable] = []


def register_page_table(handler: PageTable) -> None:
    _PAGE_TABLES.append(handler)


@serves("PageReq", module="agent")
def page_req(lab: IntrospectLab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    try:
        key = parse_page_key(args["key"])
    except AgentError:
        return _invalid(svc)
    if key.table != INTERFACE_TABLE:
        for handler in _PAGE_TABLES:
            body = handler(lab, node, svc, key)
            if body is not None:
                return body
        return _invalid(svc)
    filters = {k: v for k, v in key.filters if k in _FILTERS.values()}
    return _tables(lab).reply(node, key, filters)
