"""The lab config API's initial objects, built from the lab topology so every protocol agrees.

Pod labels become global tags as kube-manager makes them, except the ``label`` key: in the seed
cluster the operator created ``label=cirros1`` and ``label=cirros2`` by hand, and the lab starts
from that point so the seed's workflow can be replayed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid as uuidlib

from tftui.lab.topology import Topology

from .store import Store

IP_FABRIC = ["default-domain", "default-project", "ip-fabric"]
GSC = ["default-global-system-config"]
PM = ["default-policy-management"]


def _uuid(*parts: str) -> str:
    return str(uuidlib.UUID(hashlib.md5("/".join(("configapi",) + parts).encode()).hexdigest()))


def _mk(store: Store, type_name: str, fq_name: list[str], uid: str | None = None, **props) -> str:
    body = {"fq_name": fq_name, "uuid": uid or _uuid(type_name, *fq_name), **props}
    return store.create(type_name, body)["uuid"]


def _ensure_tag(store: Store, name: str) -> str:
    uid = store.uuid_of("tag", [name])
    return uid or _mk(store, "tag", [name])


def _infra(store: Store, topo: Topology) -> None:
    _mk(store, "global-system-config", GSC, autonomous_system=topo.router.peer_asn, ibgp_auto_mesh=True)
    _mk(store, "global-vrouter-config", GSC + ["default-global-vrouter-config"], flow_export_rate=topo.flow_export_rate,
        port_translation_pools={"port_translation_pool": [
            {"protocol": "tcp", "port_count": "1024"}, {"protocol": "udp", "port_count": "1024"}]})
    _mk(store, "domain", ["default-domain"])
    for project in ("default-project", "admin", "k8s-default"):
        _mk(store, "project", ["default-domain", project])
    _mk(store, "virtual-network", IP_FABRIC, is_provider_network=True)
    _mk(store, "routing-instance", IP_FABRIC + ["__default__"])
    _mk(store, "policy-management", PM)
    _mk(store, "application-policy-set", PM + ["default-application-policy-set"], all_applications=True)
    k8s = _ensure_tag(store, "application=k8s")
    _mk(store, "application-policy-set", PM + ["k8s"], tag_refs=[{"uuid": k8s}])
    for node in topo.nodes:
        gsc_child = GSC + [node.name]
        if "config" in node.roles:
            _mk(store, "config-node", gsc_child, config_node_ip_address=node.address)
        if "analytics" in node.roles:
            _mk(store, "analytics-node", gsc_child, analytics_node_ip_address=node.address)
        if "config_database" in node.roles or "analytics_database" in node.roles:
            _mk(store, "database-node", gsc_child, database_node_ip_address=node.address)
        if "vrouter" in node.roles:
            _mk(store, "virtual-router", gsc_child, virtual_router_ip_address=node.address,
                virtual_router_type="embedded")
    controls = [n for n in topo.nodes if "control" in n.roles]
    for node in controls:
        _mk(store, "bgp-router", IP_FABRIC + ["__default__", node.name], bgp_router_parameters={
            "router_type": "control-node", "vendor": "contrail", "autonomous_system": topo.router.peer_asn,
            "identifier": node.address, "address": node.address, "port": 179, "hold_time": 90,
            "address_families": {"family": ["route-target", "inet-vpn", "e-vpn", "erm-vpn", "inet6-vpn"]}})
    # Control nodes peer with each other (ibgp full mesh): refs both ways, as the real cluster has.
    for node in controls:
        uid = store.uuid_of("bgp-router", IP_FABRIC + ["__default__", node.name])
        peers = [{"uuid": store.uuid_of("bgp-router", IP_FABRIC + ["__default__", o.name]),
                  "attr": {"session": [{"attributes": [{"address_families": {"family": ["inet-vpn"]}}]}]}}
                 for o in controls if o is not node]
        if peers:
            store.update("bgp-router", uid, {"bgp_router_refs": peers})


def _networks(store: Store, topo: Topology) -> None:
    for net in topo.networks:
        project = list(net.fq_name[:2])
        ipam = project + ["default-network-ipam"]
        if not store.uuid_of("network-ipam", ipam):
            _mk(store, "network-ipam", ipam)
        sub = ipaddress.ip_network(net.subnet)
        props = {
            "network_ipam_refs": [{"to": ipam, "attr": {"ipam_subnets": [{
                "subnet": {"ip_prefix": str(sub.network_address), "ip_prefix_len": sub.prefixlen},
                "default_gateway": str(sub.network_address + 1), "subnet_uuid": _uuid("subnet", net.fq_name_str),
                "enable_dhcp": True}]}}],
            "fabric_snat": net.fabric_snat,
        }
        if net.ip_fabric_forwarding:
            props["virtual_network_refs"] = [{"to": IP_FABRIC}]
        _mk(store, "virtual-network", list(net.fq_name), net.uuid or None, **props)


def _interfaces(store: Store, topo: Topology) -> None:
    for itf in topo.interfaces:
        net = store.uuid_of("virtual-network", itf.network.split(":"))
        if net is None:
            continue
        project = itf.network.split(":")[:2]
        tags = [_ensure_tag(store, f"{k}={v}") for k, v in sorted(itf.labels.items()) if k != "label"]
        if not store.uuid_of("virtual-machine", [itf.vm_uuid]):
            _mk(store, "virtual-machine", [itf.vm_uuid], itf.vm_uuid, display_name=itf.vm_name,
                server_type="container" if itf.kind == "pod" else "virtual-server")
        vmi_name = f"{itf.vm_name}__{itf.vmi_uuid}"
        _mk(store, "virtual-machine-interface", project + [vmi_name], itf.vmi_uuid,
            display_name=itf.vm_name, parent_type="project",
            virtual_machine_interface_mac_addresses={"mac_address": [itf.mac]},
            virtual_machine_interface_bindings={"key_value_pair": [{"key": "host_id", "value": itf.vrouter}]},
            virtual_network_refs=[{"uuid": net}], virtual_machine_refs=[{"uuid": itf.vm_uuid}],
            tag_refs=[{"uuid": t} for t in tags])
        _mk(store, "instance-ip", [f"{itf.vm_name}-{itf.ip}"], _uuid("iip", itf.vmi_uuid),
            instance_ip_address=itf.ip, instance_ip_family="v4",
            virtual_network_refs=[{"uuid": net}], virtual_machine_interface_refs=[{"uuid": itf.vmi_uuid}])
        vr = store.uuid_of("virtual-router", GSC + [itf.vrouter])
        if vr:
            refs = store.objs[vr].get("virtual_machine_refs", [])
            store.objs[vr]["virtual_machine_refs"] = refs + [{"to": [itf.vm_uuid], "uuid": itf.vm_uuid}]


def seed(store: Store, topo: Topology) -> None:
    _infra(store, topo)
    _networks(store, topo)
    _interfaces(store, topo)
