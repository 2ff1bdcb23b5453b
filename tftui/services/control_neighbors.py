"""The control nodes' side of a peering with the gateway router: each control node's own BGP neighbor list
(`BgpNeighborReq` on its introspect, through the network-state service), reduced to its session with the router.

This is the `ControlNeighborSource` the peering service watches with (`tftui peer --wait`, the `:peer` view).
"""

from __future__ import annotations

from tftui.core.control.peers import neighbors_from
from tftui.core.inventory import ClusterSpec, NodeSpec
from tftui.core.peering.status import ControlSide, control_side_from
from tftui.core.policy.models import BgpRouter

from .network_state import CONTROL, NetworkStateService, StateError


def _short(name: str) -> str:
    return name.split(".", 1)[0].lower()


class ControlNeighbors:
    """``await source(control, router_address)`` -> the control node's session with the router, or None when it
    lists no such peer; StateError when the control node is not in the inventory or cannot be read."""

    def __init__(self, state: NetworkStateService):
        self.state = state

    @classmethod
    def for_cluster(cls, spec: ClusterSpec) -> ControlNeighbors | None:
        """None when the inventory has no control node with an introspect to ask."""
        state = NetworkStateService(spec)
        if not any(s.key == CONTROL and s.port for n in state.control_nodes() for s in n.services()):
            return None
        return cls(state)

    async def aclose(self) -> None:
        await self.state.close()

    def node_of(self, control: BgpRouter) -> NodeSpec:
        """The inventory's control node for TF's bgp-router object: by name, by host name, then by address."""
        nodes = self.state.control_nodes()
        for same in (lambda n: n.name == control.name, lambda n: _short(n.name) == _short(control.name),
                     lambda n: bool(control.address) and n.address == control.address):
            found = next((n for n in nodes if same(n)), None)
            if found is not None:
                return found
        known = ", ".join(n.name for n in nodes)[:200] or "none"
        raise StateError(f"control node {control.name} ({control.address}) is not in the inventory (known: {known})")

    async def __call__(self, control: BgpRouter, router_address: str) -> ControlSide | None:
        node = self.node_of(control)
        # the search string narrows the listing to the peers whose name or address contains it (older control
        # nodes search a substring, newer ones a regex where '.' matches any character): filtered exactly below
        messages = await self.state.ask(node, CONTROL, "BgpNeighborReq", {"search_string": router_address})
        return control_side_from(neighbors_from(messages).neighbors, router_address)
