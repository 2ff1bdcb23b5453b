"""contrail-status's output, rendered from node results: its text blocks and tftui's JSON."""

from __future__ import annotations

from .catalog import POD_ORDER
from .cluster import NodeResult
from .status import OK_STATES, UNKNOWN


def _pod_key(pod: str) -> tuple[int, str]:
    return (POD_ORDER.index(pod) if pod in POD_ORDER else len(POD_ORDER), pod)


def contrail_status_blocks(result: NodeResult) -> str:
    """``== Contrail <pod> ==``, ``<service>: <status>`` lines, a blank line: exactly as the tool prints."""
    lines: list[str] = []
    for pod, services in sorted(result.blocks().items(), key=lambda kv: _pod_key(kv[0])):
        lines.append(f"== Contrail {pod} ==")
        lines.extend(f"{name}: {st.status}" for name, st in services.items())
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")


def status_text(results: list[NodeResult]) -> str:
    return "".join(f"# {r.name} ({r.address})\n" + contrail_status_blocks(r) for r in results)


def node_json(result: NodeResult) -> dict:
    pods = {
        pod: {name: {"state": st.state, "description": st.description, "status": st.status, "reason": st.reason,
                     "evidence": st.evidence, "at": st.at}
              for name, st in services.items()}
        for pod, services in sorted(result.blocks().items(), key=lambda kv: _pod_key(kv[0]))
    }
    layout = {"config_database_pod": result.layout.config_database, "analytics_pods": result.layout.analytics,
              "evidence": [e.why for e in result.layout_evidence]}
    return {"name": result.name, "address": result.address, "roles": list(result.roles),
            "reachable": result.reachable, "polled_at": result.at, "layout": layout, "pods": pods}


def status_json(results: list[NodeResult]) -> dict:
    return {"nodes": [node_json(r) for r in results]}


def exit_code(results: list[NodeResult]) -> int:
    """0 all active/backup; 1 anything failed or a node is unreachable; 3 nothing failed but some unknown."""
    unknown = False
    for r in results:
        if not r.reachable and any(s.evidence == "introspect" for s in r.services):
            return 1
        for s in r.services:
            if s.state in OK_STATES:
                continue
            if s.state == UNKNOWN:
                unknown = True
                continue
            return 1
    return 3 if unknown else 0
