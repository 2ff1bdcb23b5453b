"""The feeds of the cluster-state views, over one NetworkStateService (services/network_state.py).

Plain names: ``peers`` (every control node's neighbors), ``croutes`` (every control node's routes). With an
argument after a colon, one feed per thing looked at: ``vrouter:NAME`` (its VRFs, one VRF's routes, next hops,
XMPP, drops; ``feed.vrf`` picks the VRF), ``path:POD_OR_IP``, ``traces:NODE:SERVICE`` (its trace buffers),
``trace:NODE:SERVICE:BUFFER`` (one buffer's lines), ``introspect:NODE:SERVICE`` (the modules and requests the
daemon's own pages list).
"""

from __future__ import annotations

from .feed import FetchFeed
from .network_state import NetworkStateService, StateError
from .pod_path import pod_path

EXPECTED = (StateError,)
PEERS_EVERY = 10.0  # seconds between two reads of the neighbor lists while a view shows them
VROUTER_EVERY = 5.0  # a vrouter's state: drop counters' rates over this long


class VrouterFeed(FetchFeed):
    """One vrouter's state, live; ``vrf`` (a VRF name, None for the first network VRF) is read at every fetch."""

    def __init__(self, state: NetworkStateService, name: str):
        self.vrf: str | None = None
        super().__init__(lambda: state.vrouter(name, self.vrf), f"{name}'s agent introspect", EXPECTED,
                         every=VROUTER_EVERY)


def network_state(services) -> NetworkStateService:
    spec = services.spec
    if not any(role in n.roles for n in spec.nodes for role in ("control", "vrouter")):
        raise StateError(f"cluster {spec.name} has no control or vrouter nodes")  # the registry: Unavailable
    return NetworkStateService(spec, clock=services.clock)


def peers(services) -> FetchFeed:
    state = services.get("network_state")
    return FetchFeed(state.peers, f"BgpNeighborReq on {len(state.control_nodes())} control node(s)", EXPECTED,
                     every=PEERS_EVERY)


def croutes(services) -> FetchFeed:
    state = services.get("network_state")
    return FetchFeed(lambda: state.control_routes(), f"ShowRouteReq on {len(state.control_nodes())} control node(s)",
                     EXPECTED)


def _node_service(arg: str) -> tuple[str, str, str]:
    node, _, rest = arg.partition(":")
    service, _, extra = rest.partition(":")
    return node, service, extra


def vrouter(services, name: str) -> FetchFeed:
    state: NetworkStateService = services.get("network_state")
    state.node(name, "vrouter")  # StateError now, not at the first fetch, for a name that is no vrouter
    return VrouterFeed(state, name)


def path(services, pod: str) -> FetchFeed:
    state: NetworkStateService = services.get("network_state")
    return FetchFeed(lambda: pod_path(state, pod), f"the path of {pod}", EXPECTED)


def traces(services, arg: str) -> FetchFeed:
    state: NetworkStateService = services.get("network_state")
    node, service, _ = _node_service(arg)
    return FetchFeed(lambda: state.trace_buffers(node, service), f"{node} {service} trace buffers", EXPECTED)


def trace(services, arg: str) -> FetchFeed:
    state: NetworkStateService = services.get("network_state")
    node, service, buffer = _node_service(arg)
    return FetchFeed(lambda: state.trace(node, service, buffer), f"{node} {service} {buffer}", EXPECTED)


def introspect(services, arg: str) -> FetchFeed:
    state: NetworkStateService = services.get("network_state")
    node, service, _ = _node_service(arg)
    return FetchFeed(lambda: state.offered(node, service), f"{node} {service} index and module pages", EXPECTED)


FEEDS_OF = {"vrouter": vrouter, "path": path, "traces": traces, "trace": trace, "introspect": introspect}
