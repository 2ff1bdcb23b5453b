"""The lab's replies without sockets: what each node would answer, evaluated by core. For snapshot tests
and the parse-only floor of the poll benchmark."""

from __future__ import annotations

from tftui.core.cluster import NodeResult, evaluate_node
from tftui.core.inventory import NodeSpec
from tftui.core.nodestatus import encode_node_status_reply
from tftui.core.status import FetchKind, FetchResult, ProbeResult

from .nodestatus_gen import node_status_for
from .topology import HANG, LAB_PROBE_PORTS, REFUSE, Topology


def lab_replies(topo: Topology, at: float = 0.0) -> dict[str, dict[str, FetchResult]]:
    """node name -> service key -> the FetchResult the poller would get from the lab."""
    out: dict[str, dict[str, FetchResult]] = {}
    for node in topo.nodes:
        fetches = {}
        for svc in node.services():
            if svc.port is None:
                continue
            mode = node.behaviour_of(svc.key).mode
            if node.dead or mode == REFUSE:
                fetches[svc.key] = FetchResult(FetchKind.REFUSED, error="connection refused", at=at)
            elif node.hang or mode == HANG:
                fetches[svc.key] = FetchResult(FetchKind.TIMEOUT, error="no reply in time", at=at)
            else:
                body = encode_node_status_reply([node_status_for(topo, node, svc)])
                fetches[svc.key] = FetchResult(FetchKind.REPLY, 200, body, at=at)
        out[node.name] = fetches
    return out


def offline_results(topo: Topology, at: float = 0.0, job_probe: bool = True) -> list[NodeResult]:
    replies = lab_replies(topo, at)
    results = []
    for node in topo.nodes:
        spec = NodeSpec(node.name, node.address, node.roles, probe_ports=dict(LAB_PROBE_PORTS) if job_probe else {})
        probes = {}
        for svc in spec.services():
            if svc.port is None and svc.probe_port and not svc.process:
                kind = FetchKind.REFUSED if node.dead else FetchKind.REPLY
                probes[svc.key] = ProbeResult(svc.probe_port, kind, at=at)
        results.append(evaluate_node(spec, replies[node.name], probes, at=at))
    return results
