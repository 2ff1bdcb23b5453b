"""Which daemon serves which modules, how its HTTP server binds parameters, and which UVE types it caches.

Keyed by the service keys of core/catalog.py. The C++ daemons (control, dns, the agent, collector and
query engine) run the Sandesh C++ HTTP server: query tokens bound by position, a 404 page for an
unknown request. The others are Python (pysandesh on bottle): parameters by name, ``x`` for the first
field by identifier, bottle's own 404 page.
"""

from __future__ import annotations

from enum import Enum

from tftui.core.catalog import MODULE_IDS

from .agent import AGENT, CONTROLLER, DIAG, KSTATE, PKT, SERVICES
from .control import BGP_PEER, BGP_PEER_INTERNAL, DNS, XMPP_SERVER
from .library import SANDESH_TRACE, SANDESH_UVE


class ServerKind(Enum):
    CPP = "c++"  # Sandesh's C++ HTTP server: positional binding
    PYTHON = "python"  # pysandesh: binding by name (and ``x``)


CPP_SERVICES = frozenset({"control", "dns", "vrouter-agent", "collector", "query-engine"})

_LIBRARY = (SANDESH_TRACE.name, SANDESH_UVE.name)

# Modules of the table each daemon serves (a daemon serves more; these are the ones tftui knows).
SERVICE_MODULES: dict[str, tuple[str, ...]] = {
    "control": (BGP_PEER.name, BGP_PEER_INTERNAL.name, XMPP_SERVER.name, *_LIBRARY),
    "dns": (DNS.name, XMPP_SERVER.name, *_LIBRARY),
    "vrouter-agent": (AGENT.name, CONTROLLER.name, DIAG.name, KSTATE.name, PKT.name, SERVICES.name,
                      XMPP_SERVER.name, *_LIBRARY),
}

# UVE types each daemon keeps in its cache (``Snh_SandeshUVETypesReq``), from the ``uve sandesh`` data types
# of its sources; every generator also has NodeStatus and the Sandesh client's own ModuleClientState.
_EVERY_UVE = ("ModuleClientState", "NodeStatus")
SERVICE_UVE_TYPES: dict[str, tuple[str, ...]] = {
    "control": ("BgpPeerInfoData", "BgpRouterState", "PeerFlapData", "PeerStatsData", "RoutingInstanceStatsData",
                "UveVirtualNetworkCtrl", "VrouterCtrl", "XmppPeerInfoData"),
    "dns": ("DnsState",),
    "vrouter-agent": ("ComputeCpuState", "UveVMInterfaceAgent", "UveVirtualMachineAgent", "UveVirtualNetworkAgent",
                      "VMIStats", "VrouterAgent", "VrouterControlStats", "VrouterStatsAgent"),
    "database-nodemgr": ("CassandraStatusData", "DatabaseUsageInfo"),
}


def server_kind(service: str) -> ServerKind:
    return ServerKind.CPP if service in CPP_SERVICES else ServerKind.PYTHON


def modules_of(service: str) -> tuple[str, ...]:
    """Every daemon with introspect serves at least the Sandesh library's modules."""
    return SERVICE_MODULES.get(service, _LIBRARY)


def uve_types_of(service: str) -> tuple[str, ...]:
    return tuple(sorted(set(_EVERY_UVE) | set(SERVICE_UVE_TYPES.get(service, ()))))


def daemon_name(service: str) -> str:
    """The generator's module name, the title of its index page (``contrail-vrouter-agent``)."""
    return MODULE_IDS.get(service, service)
