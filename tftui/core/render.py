"""contrail-status's output, rendered from node results: its text blocks and tftui's JSON."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import POD_ORDER
from .cluster import NodeResult
from .status import OK_STATES, UNKNOWN


def _pod_key(pod: str) -> tuple[int, str]:
    return (POD_ORDER.index(pod) if pod in POD_ORDER else len(POD_ORDER), pod)


@dataclass(frozen=True)
class StatusLine:
    """One line of contrail-status's output, with what a renderer needs to colour it."""

    kind: str  # "pod" (== Contrail x ==) | "service" (name: status) | "blank"
    text: str  # exactly as contrail-status prints it
    name: str = ""  # service lines: the service's name in its block
    status: str = ""  # service lines: the status as printed
    state: str = ""  # service lines: the state (active, initializing, ...) for its colour


def contrail_status_lines(result: NodeResult) -> list[StatusLine]:
    """``== Contrail <pod> ==``, ``<service>: <status>`` lines, a blank line: the blocks contrail-status prints."""
    lines: list[StatusLine] = []
    for pod, services in sorted(result.blocks().items(), key=lambda kv: _pod_key(kv[0])):
        lines.append(StatusLine("pod", f"== Contrail {pod} =="))
        lines.extend(StatusLine("service", f"{name}: {st.status}", name, st.status, st.state)
                     for name, st in services.items())
        lines.append(StatusLine("blank", ""))
    return lines


def contrail_status_blocks(result: NodeResult) -> str:
    """The blocks as text, exactly as the tool prints them."""
    lines = [line.text for line in contrail_status_lines(result)]
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


def status_verdict(results: list[NodeResult]) -> str:
    """``ok`` every service active or backup; ``fail`` anything else or a node unreachable; ``unknown`` nothing
    failed but something is unknown (`tftui status` turns this into its exit code)."""
    unknown = False
    for r in results:
        if not r.reachable and any(s.evidence == "introspect" for s in r.services):
            return "fail"
        for s in r.services:
            if s.state in OK_STATES:
                continue
            if s.state == UNKNOWN:
                unknown = True
                continue
            return "fail"
    return "unknown" if unknown else "ok"
