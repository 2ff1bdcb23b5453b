"""The lab config API's initial objects, built from the lab topology so every protocol agrees.

Pod labels become global tags as kube-manager makes them, except the ``label`` key: in the seed
cluster the operator created ``label=cirros1`` and ``label=cirros2`` by hand, and the lab starts
from that point so the seed's workflow can be replayed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid as uuidlib

from tftui.core.peering.tf import GATEWAYLESS_FAMILIES
from tftui.core.policy.models import session_attr
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
    _mk(store, "global-system-config", GSC, autonomous_system=topo.router.tf_asn, ibgp_auto_mesh=True)
    _mk(store, "global-vrouter-config", GSC + ["default-global-vrouter-config"], flow_export_rate=topo.flow_export_rate,
        port_translation_pools={"port_translation_pool": [
            {"protocol": "tcp", "port_count": "1024"}, {"protocol": "udp", "port_count": "1024"}]})
    _mk(store, "domain", ["default-domain"])
    for project in ("default-project", "admin"):
        _mk(store, "project", ["default-domain", project])
    _mk(store, "virtual-network", IP_FABRIC, is_provider_network=True)
    _mk(store, "routing-instance", IP_FABRIC + ["__default__"])
    _mk(store, "policy-management", PM)
    _mk(store, "project", ["default-domain", "k8s-default"], tag_refs=[{"uuid": _ensure_tag(store, "application=k8s")}])
    _mk(store, "application-policy-set", PM + ["default-application-policy-set"], all_applications=True)
    k8s = _ensure_tag(store, "application=k8s")
    # kube-manager's cluster APS: tagged application=k8s (which its namespaces' projects carry, so every pod
    # gets it) and ending in an allow-all policy, so anything no earlier policy denies passes
    _mk(store, "firewall-rule", PM + ["k8s-allowall"], action_list={"simple_action": "pass"},
        service={"protocol": "any", "src_ports": {"start_port": 0, "end_port": 65535},
                 "dst_ports": {"start_port": 0, "end_port": 65535}},
        endpoint_1={"any": True}, endpoint_2={"any": True}, direction="<>")
    _mk(store, "firewall-policy", PM + ["k8s-allowall"],
        firewall_rule_refs=[{"to": PM + ["k8s-allowall"], "attr": {"sequence": "1.0"}}])
    _mk(store, "application-policy-set", PM + ["k8s"], tag_refs=[{"uuid": k8s}],
        firewall_policy_refs=[{"to": PM + ["k8s-allowall"], "attr": {"sequence": "99.0"}}])
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
            "router_type": "control-node", "vendor": "contrail", "autonomous_system": topo.router.tf_asn,
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
    _gateway(store, topo, controls)


def _gateway(store: Store, topo: Topology, controls: list) -> None:
    """The gateway router's bgp-router and its sessions from the control nodes it starts peered with (as the web
    UI's BGP Routers form makes them), so that the lab router's sessions agree on both sides."""
    r = topo.router
    peered = [n for n in controls if n.name in r.peered]
    if not peered:
        return
    fq = IP_FABRIC + ["__default__", r.tf_name]
    _mk(store, "bgp-router", fq, bgp_router_parameters={
        "router_type": "router", "vendor": "vyos" if r.profile.vyos else "frr", "autonomous_system": r.asn,
        "identifier": r.router_id, "address": r.address, "port": 179, "hold_time": 90,
        "address_families": {"family": list(GATEWAYLESS_FAMILIES)}})
    for node in peered:
        uid = store.uuid_of("bgp-router", IP_FABRIC + ["__default__", node.name])
        refs = [{"uuid": ref["uuid"], **({"attr": ref["attr"]} if ref.get("attr") else {})}
                for ref in store.objs[uid].get("bgp_router_refs", [])]
        refs.append({"to": fq, "attr": session_attr(GATEWAYLESS_FAMILIES)})
        store.update("bgp-router", uid, {"bgp_router_refs": refs})


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


def seed_demo(store: Store, topo: Topology) -> None:
    """The demo's blocked pair: web pods may not reach databases on 5432 (a policy in the global APS, before
    kube-manager's allow-all), so the demo has one denied conversation to find from the tree; and a pod in
    quarantine (its own application set, ICMP only), whose other traffic is denied implicitly."""
    if not any(store.uuid_of("tag", [t]) for t in ("tier=web", "tier=db")):
        return
    _mk(store, "firewall-rule", PM + ["web-to-db-5432"], action_list={"simple_action": "deny"},
        service={"protocol": "tcp", "src_ports": {"start_port": 0, "end_port": 65535},
                 "dst_ports": {"start_port": 5432, "end_port": 5432}},
        endpoint_1={"tags": ["tier=web"]}, endpoint_2={"tags": ["tier=db"]}, direction=">")
    _mk(store, "firewall-policy", PM + ["payments-guard"],
        firewall_rule_refs=[{"to": PM + ["web-to-db-5432"], "attr": {"sequence": "1.0"}}])
    aps = store.uuid_of("application-policy-set", PM + ["default-application-policy-set"])
    store.update("application-policy-set", aps, {
        "firewall_policy_refs": [{"to": PM + ["payments-guard"], "attr": {"sequence": "1.0"}}]})
    quarantine = store.uuid_of("tag", ["application=quarantine"])
    if quarantine:  # a pod moved out of the k8s application: only what its own set allows passes
        _mk(store, "firewall-rule", PM + ["icmp-only"], action_list={"simple_action": "pass"},
            service={"protocol": "icmp"}, endpoint_1={"any": True}, endpoint_2={"any": True}, direction="<>")
        _mk(store, "firewall-policy", PM + ["quarantine"],
            firewall_rule_refs=[{"to": PM + ["icmp-only"], "attr": {"sequence": "1.0"}}])
        _mk(store, "application-policy-set", PM + ["quarantine"], tag_refs=[{"uuid": quarantine}],
            firewall_policy_refs=[{"to": PM + ["quarantine"], "attr": {"sequence": "1.0"}}])
