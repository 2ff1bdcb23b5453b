"""Control node (and DNS) requests: BGP peers, routing instances and tables, XMPP connections.

``ShowRouteReq`` is the one whose declaration order differs from its identifiers' order:
routing_table, routing_instance, prefix, longer_match(8), shorter_match(12), count(7),
start_routing_table(5), start_routing_instance(4), start_prefix(6), source, protocol, family. The
``*Iterate`` requests (bgp_peer_internal) continue a listing from a reply's ``next_batch`` link.
"""

from __future__ import annotations

from .defs import Module, Req

_SRC = "tungstenfabric/tf-controller @ 6a674397821187fedfffd9586942b906d3479dbc : src/"
_SEARCH = "1: string search_string"
_ITERATE = "1: string iterate_info"

BGP_PEER = Module("bgp_peer", [
    Req("BgpNeighborReq", _SEARCH),
    Req("ShowBgpNeighborSummaryReq", _SEARCH),
    Req("ShowRouteReq", "1: string routing_table; 2: string routing_instance; 3: string prefix; "
        "8: bool longer_match; 12: bool shorter_match; 7: u32 count; 5: string start_routing_table; "
        "4: string start_routing_instance; 6: string start_prefix; 9: string source; 10: string protocol; "
        "11: string family"),
    Req("ShowRouteSummaryReq", _SEARCH),
    Req("ShowRoutingInstanceReq", _SEARCH),
    Req("ShowRoutingInstanceSummaryReq", _SEARCH),
    Req("ShowRtGroupReq", _SEARCH),
    Req("ShowRtGroupSummaryReq", _SEARCH),
    Req("ShowRtGroupPeerReq", _SEARCH),
    Req("ShowPathResolverSummaryReq", _SEARCH),
    Req("ShowPathResolverReq", _SEARCH),
    Req("ShowRibOutStatisticsReq", _SEARCH),
    Req("ShowEvpnTableReq", _SEARCH),
    Req("ShowEvpnTableSummaryReq", _SEARCH),
    Req("ShowMulticastManagerReq", _SEARCH),
    Req("ShowMvpnManagerReq", _SEARCH),
    Req("ShowMvpnProjectManagerReq", _SEARCH),
    Req("ShowBgpGlobalSystemConfigReq"),
    Req("ShowBgpInstanceConfigReq", _SEARCH),
    Req("ShowBgpPeeringConfigReq", _SEARCH),
    Req("ShowBgpNeighborConfigReq", _SEARCH),
    Req("ShowBgpRoutingPolicyConfigReq", _SEARCH),
    Req("ShowBgpServerReq"),
], source=_SRC + "bgp/bgp_peer.sandesh")

BGP_PEER_INTERNAL = Module("bgp_peer_internal", [
    Req("BgpNeighborReqIterate", _ITERATE),
    Req("ShowBgpNeighborSummaryReqIterate", _ITERATE),
    Req("ShowNeighborStatisticsReq", "1: string bgp_or_xmpp; 2: string up_or_down; 3: string domain"),
    Req("ClearBgpNeighborReq", "1: string name", writes="resets a BGP session"),
    Req("ShowRouteReqIterate", "1: string route_info"),
    Req("ShowRouteVrfReq", "1: string vrf; 2: string prefix"),
    Req("ShowRouteSummaryReqIterate", _ITERATE),
    Req("ShowRoutingInstanceReqIterate", _ITERATE),
    Req("ShowRoutingInstanceSummaryReqIterate", _ITERATE),
    Req("ShowRtGroupReqIterate", _ITERATE),
    Req("ShowRtGroupSummaryReqIterate", _ITERATE),
    Req("ShowRtGroupPeerReqIterate", _ITERATE),
    Req("ShowPathResolverSummaryReqIterate", _ITERATE),
    Req("ShowPathResolverReqIterate", _ITERATE),
    Req("ShowRibOutStatisticsReqIterate", _ITERATE),
    Req("ShowEvpnTableReqIterate", _ITERATE),
    Req("ShowEvpnTableSummaryReqIterate", _ITERATE),
    Req("ShowMulticastManagerReqIterate", _ITERATE),
    Req("ShowMulticastManagerDetailReq", "1: string name"),
    Req("ShowMvpnManagerReqIterate", _ITERATE),
    Req("ShowMvpnManagerDetailReq", "1: string name"),
    Req("ShowMvpnProjectManagerReqIterate", _ITERATE),
    Req("ShowMvpnProjectManagerDetailReq", "1: string name"),
    Req("ShowBgpInstanceConfigReqIterate", _ITERATE),
    Req("ShowBgpPeeringConfigReqIterate", _ITERATE),
    Req("ShowBgpNeighborConfigReqIterate", _ITERATE),
    Req("ShowBgpRoutingPolicyConfigReqIterate", _ITERATE),
    Req("ShowBgpGlobalSystemConfigReqIterate", _ITERATE),
], source=_SRC + "bgp/bgp_peer_internal.sandesh")

# On the control node (vrouters' sessions) and in the agent (empty there: it is an XMPP client).
XMPP_SERVER = Module("xmpp_server", [
    Req("ShowXmppServerReq"),
    Req("ShowXmppConnectionReq"),
    Req("ClearXmppConnectionReq", "1: string hostname_or_all", writes="drops XMPP sessions"),
], source=_SRC + "xmpp/sandesh/xmpp_server.sandesh")

DNS = Module("dns", [
    Req("ShowVirtualDnsServers"),
    Req("PageReq", "1: string key"),
    Req("ShowVirtualDnsRecords", "1: string virtual_dns_server"),
    Req("ShowDnsConfig"),
    Req("ShowAgentList"),
    Req("ShowAgentXmppDnsData"),
    Req("ShowBindPendingList"),
    Req("ShowGlobalQosConfig"),
], source=_SRC + "dns/cmn/dns.sandesh")

CONTROL_MODULES = (BGP_PEER, BGP_PEER_INTERNAL, XMPP_SERVER, DNS)
