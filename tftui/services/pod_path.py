"""The path of a pod (``:path POD_OR_IP``, ``tftui path``): find the pod among the agents' interfaces, then read its
/32 on its own vrouter, on every control node and on the gateway router (core/pod_path.py says what breaks).

Which networks forward on the IP fabric comes from ``gatewayless.networks`` or the config API; when neither can
tell, a cluster with a gateway router is taken to be gatewayless (its routers are why it has them) and the
path says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tftui.core.agent import Vmi
from tftui.core.pod_path import (
    PodPath,
    PodTarget,
    control_hop,
    control_tables_for,
    router_hop,
    trace_path,
    vrouter_hop,
)
from tftui.core.routes.config import parse_routers
from tftui.core.routes.models import Route

from .network_state import NetworkStateService, StateError
from .vmis import VmiService, find

RouterRoutes = Callable[[], Awaitable[tuple[str, list[Route] | None, str]]]  # -> (router, routes, error)


def _configured_networks(spec) -> list[str] | None:
    g = spec.raw.get("gatewayless") if isinstance(spec.raw, dict) else None
    networks = g.get("networks") if isinstance(g, dict) else None
    return [str(n) for n in networks] if isinstance(networks, list) else None


async def iff_networks(spec) -> tuple[set[str] | None, str]:
    """(fq names of IP-fabric-forwarding networks or None when unknown, a note when unknown)."""
    configured = _configured_networks(spec)
    if configured is not None:
        return set(configured), ""
    if not spec.config_api:
        return None, "no config API or gatewayless.networks: IP fabric forwarding assumed from the gateway router"
    from .gatewayless import iff_networks_from_api

    try:
        return set(await iff_networks_from_api(spec)), ""
    except Exception as exc:  # the API being down is a note on the path, not a failure of it
        return None, f"cannot ask the config API which networks use IP fabric forwarding ({exc})"


def router_routes_provider(spec) -> RouterRoutes | None:
    """The gateway router's table through the routes pane's monitor (the cluster's first router), or None."""
    try:
        routers = parse_routers(spec.raw, f"clusters.{spec.name}")
    except Exception:
        return None
    if not routers:
        return None

    async def fetch() -> tuple[str, list[Route] | None, str]:
        from .routes import RouterMonitor

        mon = RouterMonitor.from_cluster(spec)
        mon.hosts = None  # no cross-check: only its table is wanted
        mon.settle_big_tables = False
        try:
            st = await mon.refresh()
        finally:
            await mon.stop()
        if st.last_fetched is None:
            return st.name, None, "; ".join(st.errors) or "no table"
        return st.name, list(st.routes), ""

    return fetch


async def locate(spec, query: str, vmis: list[Vmi] | None = None) -> Vmi:
    """The one interface a pod name, VM name, tap or IP names; StateError when none or several do."""
    if vmis is None:
        snapshot = await VmiService(spec).refresh()
        vmis = list(snapshot.vmis)
    found = find(vmis, query)
    if not found:
        raise StateError(f"no pod or VM {query!r} on any vrouter that answered")
    if len({(v.vrouter, v.ip) for v in found}) > 1:
        where = ", ".join(f"{v.vm_name} {v.ip} on {v.vrouter}" for v in found[:5])
        raise StateError(f"{query!r} names several interfaces ({where}): give the IP or tap")
    return found[0]


async def pod_path(state: NetworkStateService, query: str, vmis: list[Vmi] | None = None,
                   router: RouterRoutes | None = None, use_router: bool = True) -> PodPath:
    spec = state.spec
    vmi = await locate(spec, query, vmis)
    if router is None and use_router:
        router = router_routes_provider(spec)
    iff, note = await iff_networks(spec)
    forwards = vmi.vn in iff if iff is not None else router is not None
    target = PodTarget(vmi.vm_name, vmi.ip, vmi.vrouter, vmi.vrouter_address, vmi.vn, forwards, vmi.name,
                       f"{vmi.vn}:{vmi.vn.rsplit(':', 1)[-1]}")

    async def on_vrouter():
        try:
            return vrouter_hop(target, list(await state.vrf_routes(vmi.vrouter, target.vrf, target.prefix)))
        except StateError as exc:
            return vrouter_hop(target, None, str(exc))

    async def on_control(node, table: str):
        try:
            snap = await state.control_routes(node.name, table=table, prefix=target.prefix)
        except StateError as exc:
            return control_hop(target, node.name, table, None, str(exc))
        if snap.errors:
            return control_hop(target, node.name, table, None, snap.errors[0][1])
        return control_hop(target, node.name, table, [t for _, t in snap.tables])

    async def on_router():
        if router is None or not forwards:
            return None
        name, routes, error = await router()
        return router_hop(target, name, routes, error)

    tables = control_tables_for(target)
    controls = [(n, t) for n in state.control_nodes() for t in tables]
    results = await asyncio.gather(on_vrouter(), on_router(), *(on_control(n, t) for n, t in controls))
    path = trace_path(target, results[0], list(results[2:]), results[1])
    if note:
        path = PodPath(path.target, path.hops, (*path.notes, note))
    return path
