"""vrouter agent requests: the oper DB (interfaces, VRFs, routes, next hops, ACLs), the kernel's state
(kstate), flows (pkt), its XMPP sessions (controller), services and diagnostics.

Writes are marked after reading each handler (e.g. ``FlowAgeTimeReq`` only sets the age when given a
value; ``PktTraceInfo`` resizes buffers whatever it is given). ``NextFlowRecordsSet`` and ``NextKFlowReq``
hand back a start key when the table is over (``PktSandeshFlow::start_key``; the kernel flow handle 0).
"""

from __future__ import annotations

from .defs import Module, Req

_SRC = "tungstenfabric/tf-controller @ 6a674397821187fedfffd9586942b906d3479dbc : src/"
FLOW_START_KEY = "0-0-0-0-0-0.0.0.0-0.0.0.0"
# Start keys of releases before partitioned flow tables (3.1) and of the first ones (``:``-separated)
OLD_FLOW_START_KEYS = ("0-0-0-0-0.0.0.0-0.0.0.0", "0:0:0:0:0.0.0.0:0.0.0.0")

AGENT = Module("agent", [
    Req("PageReq", "1: string key"),
    Req("AgentInitStateReq"),
    Req("SgListReq", "1: string name"),
    Req("VnListReq", "1: string name; 2: string uuid; 3: string vxlan_id; 4: string ipam_name"),
    Req("VmListReq", "1: string uuid"),
    Req("NhListReq", "1: string type; 2: string nh_index; 3: string policy_enabled"),
    Req("VrfListReq", "1: string name"),
    Req("Inet4UcRouteReq", "1: i32 vrf_index = 0; 2: string src_ip; 3: u16 prefix_len; 4: bool stale = 0"),
    Req("Inet4MplsUcRouteReq", "1: i32 vrf_index = 0; 2: string src_ip; 3: u16 prefix_len; "
        "4: bool stale = 0"),
    Req("Inet6UcRouteReq", "1: i32 vrf_index = 0; 2: string src_ip; 3: u16 prefix_len; 4: bool stale = 0"),
    Req("Inet4McRouteReq", "1: i32 vrf_index = 0; 2: bool stale = 0; 3: string src_ip; 4: string grp_ip"),
    Req("Layer2RouteReq", "1: i32 vrf_index = 0; 2: string mac; 3: bool stale = 0"),
    Req("BridgeRouteReq", "1: i32 vrf_index = 0; 2: string mac; 3: bool stale = 0"),
    Req("EvpnRouteReq", "1: i32 vrf_index = 0; 2: string mac; 3: bool stale = 0"),
    Req("ItfReq", "1: string name; 2: string type; 3: string uuid; 4: string vn; 5: string mac; "
        "6: string ipv4_address; 7: string ipv6_address; 8: string parent_uuid; 9: string ip_active; "
        "10: string ip6_active; 11: string l2_active"),
    Req("MplsReq", "1: string type; 2: string label"),
    Req("VrfAssignReq", "1: string uuid"),
    Req("MirrorEntryReq", "1: string analyzer_name"),
    Req("LinkLocalServiceInfo"),
    Req("AclReq", "1: string uuid"),
    Req("AclFlowReq", "1: string uuid"),
    # the ACL flow walks end on "<acl>:0" and "<acl>:" (AclFlowMgmtEntry::Fill*SandeshInfo): suffix patterns
    Req("NextAclFlowReq", "1: string iteration_key", end_keys=("*:0",)),
    Req("AclFlowCountReq", "1: string uuid"),
    Req("NextAclFlowCountReq", "1: string iteration_key", end_keys=("*:",)),
    Req("MirrorCreateReq", "1: string handle; 2: string apply_vn; 3: string src_vn; "
        "4: string src_ip_prefix; 5: i32 src_ip_prefix_len; 6: string dst_vn; 7: string dst_ip_prefix; "
        "8: i32 dst_ip_prefix_len; 9: i32 start_src_port; 10: i32 end_src_port; 11: i32 start_dst_port; "
        "12: i32 end_dst_port; 13: i32 protocol; 14: string ip; 15: i32 udp_port; 16: i32 time_period; "
        "17: string mirror_vrf; 18: string nhmode; 19: bool juniperheader; 20: string analyzer_vm_mac; "
        "21: string vtep_dst_ip; 22: i32 vni; 23: bool nic_assisted_mirroring; "
        "24: u16 nic_assisted_mirroring_vlan", writes="creates a mirror session"),
    Req("MirrorDeleteReq", "1: string handle", writes="deletes a mirror session"),
    Req("MirrorCfgDisplayReq", "1: string handle"),
    Req("VxLanReq", "1: string vxlan_id"),
    Req("VxLanConfigReq", "1: u32 vxlan_id; 2: string vn; 3: string active"),
    Req("ServiceInstanceReq", "1: string uuid"),
    Req("MirrorCfgVnInfoReq", "1: string vn_name"),
    Req("IntfMirrorCreateReq", "1: string handle; 2: string intf_uuid; 3: string intf_name; 4: string ip; "
        "5: i32 udp_port; 6: i32 time_period; 7: string mirror_vrf; 8: string nhmode; "
        "9: bool juniperheader; 10: string analyzer_vm_mac; 11: string vtep_dst_ip; 12: i32 vni; "
        "13: bool nic_assisted_mirroring; 14: u16 nic_assisted_mirroring_vlan",
        writes="creates an interface mirror"),
    Req("IntfMirrorDeleteReq", "1: string handle", writes="deletes an interface mirror"),
    Req("IntfMirrorCfgDisplayReq", "1: string handle"),
    Req("UnresolvedNH"),
    Req("UnresolvedRoute"),
    Req("SandeshDeviceReq", "1: string name"),
    Req("SandeshPhysicalDeviceVnReq", "1: string device; 2: string vn"),
    Req("SandeshConfigPhysicalDeviceVnReq", "1: string device"),
    Req("VrouterObjectLimitsReq"),
    Req("IFMapNodePolicyReq", "1: string node"),
    Req("HealthCheckSandeshReq", "1: string uuid"),
    Req("BgpAsAServiceSandeshReq", "1: string vmi_uuid"),
    Req("BgpRouterSandeshReq", "1: string name"),
    Req("ControlNodeZoneSandeshReq", "1: string name"),
    Req("QosQueueSandeshReq", "1: string uuid; 2: string name; 3: string id"),
    Req("ForwardingClassSandeshReq", "1: string uuid; 2: string name; 3: string id"),
    Req("AgentQosConfigSandeshReq", "1: string uuid; 2: string name; 3: string id"),
    Req("BridgeDomainSandeshReq", "1: string uuid; 2: string name"),
    Req("TagSandeshReq", "1: string uuid; 2: string name"),
    Req("AddQosQueue", "1: u32 uuid; 2: string name; 3: u16 id", writes="adds a QoS queue"),
    Req("DeleteQosQueue", "1: u32 uuid", writes="deletes a QoS queue"),
    Req("AddForwardingClass", "1: u32 uuid; 2: u32 id; 3: u32 dscp_value; 4: u32 mpls_exp; "
        "5: u32 vlan_priority; 6: u32 qos_queue_uuid; 7: string name", writes="adds a forwarding class"),
    Req("DeleteForwardingClass", "1: u32 uuid", writes="deletes a forwarding class"),
    Req("AddQosConfig", "1: u32 uuid; 2: string name; 3: string type; 4: u32 dscp; "
        "5: u32 dscp_forwarding_class_id; 6: u32 vlan_priority; 7: u32 vlan_priority_forwarding_class_id; "
        "8: u32 mpls_exp; 9: u32 mpls_exp_forwarding_class_id", writes="adds a QoS config"),
    Req("DeleteQosConfig", "1: u32 uuid", writes="deletes a QoS config"),
    Req("AddVmiQosConfig", "1: string vmi_uuid; 2: string qos_config_uuid",
        writes="attaches a QoS config to an interface"),
    Req("ApplicationPolicySetReq", "1: string uuid; 2: string name"),
    Req("SLOListReq", "1: string uuid"),
    Req("VrouterInfoReq"),
    Req("GlobalSystemConfigReq"),
    Req("CryptTunnelReq", "1: string remote"),
    Req("VxlanRoutingReq"),
    Req("MulticastPolicyReq", "1: string uuid"),
], source=_SRC + "vnsw/agent/oper/agent.sandesh")

KSTATE = Module("kstate", [
    Req("KInterfaceReq", "1: i32 if_id = -1"),
    Req("KRouteReq", "1: u32 vrf_id = 0; 2: string family = inet"),
    Req("KRouteGetReq", "1: u32 vrf_id = 0; 2: string prefix; 3: u16 prefix_len"),
    Req("KNHReq", "1: i32 nh_id = -1"),
    Req("KMplsReq", "1: i16 mpls_label = -1"),
    Req("KMirrorReq", "1: i32 mirror_id = -1"),
    Req("NextKFlowReq", "1: string flow_handle", end_keys=("0", "0 evicted_set")),
    Req("KFlowReq", "1: i32 flow_idx = -1; 2: bool show_evicted = 0"),
    Req("KVxLanReq", "1: i16 vxlan_label = 0"),
    Req("KVrfAssignReq", "1: i32 vif_index = -1"),
    Req("KVrfReq", "1: i32 vrf_idx = -1"),
    Req("KVrfStatsReq", "1: i32 vrf_index = -1"),
    Req("KDropStatsReq"),
    Req("KQosConfigReq", "1: i32 index = -1"),
    Req("KForwardingClassReq", "1: i32 index = -1"),
], source=_SRC + "vnsw/agent/kstate/kstate.sandesh")

PKT = Module("pkt", [
    Req("FetchFlowRecord", "1: i32 nh; 2: string sip; 3: string dip; 4: i32 src_port; 5: i32 dst_port; "
        "6: u16 protocol"),
    Req("NextFlowRecordsSet", "1: string flow_key", end_keys=(FLOW_START_KEY, *OLD_FLOW_START_KEYS)),
    Req("FetchAllFlowRecords"),
    Req("DeleteAllFlowRecords", writes="deletes every flow of the vrouter"),
    Req("FetchLinkLocalFlowInfo"),
    Req("FlowAgeTimeReq", "1: u32 new_age_time",
        writes="changes the flow aging time", writes_with=("new_age_time",)),
    Req("ShowFlowStatsCollector", "1: u32 protocol; 2: u32 port"),
    Req("NextFlowStatsRecordsSet", "1: string flow_key"),
    Req("SandeshFlowTableInfoRequest"),
    Req("SandeshIPv4FlowFilterRequest", "1: bool enabled; 2: string src_address; 3: u16 src_prefix_len; "
        "4: string dst_address; 5: u16 dst_prefix_len; 6: u16 proto_start; 7: u16 proto_end; "
        "8: u16 src_port_start; 9: u16 src_port_end; 10: u16 dst_port_start; 11: u16 dst_port_end",
        writes="sets the flow trace filter"),
    Req("SandeshIPv6FlowFilterRequest", "1: bool enabled; 2: string src_address; 3: u16 src_prefix_len; "
        "4: string dst_address; 5: u16 dst_prefix_len; 6: u16 proto_start; 7: u16 proto_end; "
        "8: u16 src_port_start; 9: u16 src_port_end; 10: u16 dst_port_start; 11: u16 dst_port_end",
        writes="sets the flow trace filter"),
    Req("SandeshShowFlowFilterRequest"),
    Req("FlowsPerInetRouteFlowMgmtKeyReq", "1: string key"),
    Req("Inet4FlowTreeReq"),
    Req("SNatPortConfigRequest"),
    Req("NextPerPortFlowList", "1: string port_key"),
    Req("SNatPerPortFlowList", "1: u16 protocol; 2: u16 port"),
], source=_SRC + "vnsw/agent/pkt/pkt.sandesh")

CONTROLLER = Module("controller", [
    Req("AgentXmppConnectionStatusReq"),
    Req("AgentDnsXmppConnectionStatusReq"),
], source=_SRC + "vnsw/agent/controller/controller.sandesh")

SERVICES = Module("services", [
    Req("DhcpInfo"),
    Req("Dhcpv6Info"),
    Req("ArpInfo"),
    Req("BfdInfo"),
    Req("DnsInfo"),
    Req("IcmpInfo"),
    Req("Icmpv6Info"),
    Req("IgmpStatsReq"),
    Req("InterfaceIgmpStatsReq", "1: string vn_uuid; 2: string ipam_gateway"),
    Req("GmpStatsReq"),
    Req("MetadataInfo"),
    Req("MacLearningInfo"),
    Req("ShowAllInfo"),
    Req("ClearAllInfo", writes="clears the services' packet traces and counters"),
    Req("InterfaceArpStatsReq", "1: i32 interface_index = -1"),
    Req("PktTraceInfo", "1: u32 num_buffers = 16; 2: u32 flow_num_buffers = 16",
        writes="resizes the packet trace buffers"),
    Req("InterfaceIcmpv6StatsReq", "1: i32 interface_index = -1"),
    Req("ShowDnsEntries"),
    Req("VmVdnsDataReq", "1: u32 vm_interface_index"),
    Req("VmVdnsListReq"),
    Req("FipVdnsDataReq"),
    Req("ShowArpCache"),
    Req("ShowGratuitousArpCache"),
    Req("ShowGwDhcpLeases"),
], source=_SRC + "vnsw/agent/services/services.sandesh")

DIAG = Module("diag", [
    Req("PingReq", "1: string source_ip; 2: i32 source_port; 3: string dest_ip; 4: i32 dest_port; "
        "5: i16 protocol; 6: string vrf_name; 7: i16 packet_size = 100; 8: i16 count = 10; "
        "9: i32 interval = 1", writes="sends probe packets"),
    Req("TraceRouteReq", "1: string source_ip; 2: i32 source_port; 3: string dest_ip; 4: i32 dest_port; "
        "5: i16 protocol; 6: string vrf_name; 7: i16 max_hops = 30; 8: i16 max_attempts = 3; "
        "9: i32 interval = 1", writes="sends probe packets"),
    Req("OverlayPingReq", "1: string source_ip; 2: string dest_ip; 3: string vn_uuid; "
        "4: string vm_remote_mac; 5: i32 source_port; 6: i32 dest_port; 7: i16 protocol = 17; "
        "8: i16 packet_size = 100; 9: i16 count = 10; 10: i32 interval = 1", writes="sends probe packets"),
    Req("OverlayTraceReq", "1: string source_ip; 2: string dest_ip; 3: i16 protocol; 4: string vn_uuid; "
        "5: string vm_remote_mac; 6: i32 source_port; 7: i32 dest_port; 8: i16 max_hops = 30; "
        "9: i16 max_attempts = 3; 10: i32 interval = 1", writes="sends probe packets"),
    Req("SegmentHealthCheckPktStats"),
], source=_SRC + "vnsw/agent/diag/diag.sandesh")

AGENT_MODULES = (AGENT, KSTATE, PKT, CONTROLLER, SERVICES, DIAG)
