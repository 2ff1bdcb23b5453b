"""contrail-status's rules on the analytics API's NodeStatus UVEs, so the strings match introspect's exactly.

Analytics aggregates every daemon's NodeStatus of one node under one UVE per node type (``vrouter``,
``control-node``, ...): ``process_status`` holds one ProcessStatus per daemon (``module_id``), ``process_info``
the nodemgr's processes. A service's state is its own module's ProcessStatus, read with the same rule
contrail-status applies to the first ProcessStatus of its introspect (``Functional`` -> active, else
initializing; the description appended). A module analytics does not report — its generator is not
connected, or the UVE's ``__T`` is older than ``stale_after`` — gets no state here: the poller asks its
introspect as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from tftui.core.catalog import MODULE_IDS, ServiceDef
from tftui.core.nodestatus import NodeStatus, ProcessStatus
from tftui.core.status import ACTIVE, INITIALIZING, ServiceState

from .uve import node_status_of, uve_timestamp

EVIDENCE = "analytics"
DEFAULT_STALE_AFTER = 300.0  # seconds; nodemgrs refresh NodeStatus every minute or so
SOURCES = ("auto", "introspect", "analytics")


@dataclass(frozen=True)
class ReportedStatus:
    """One node's NodeStatus as one UVE type reports it, and when analytics last updated it."""

    uve_type: str
    status: NodeStatus
    at: float  # seconds since the epoch (the struct's __T), 0 when the server gives no timestamp


def reported_statuses(uve_type: str, multi: dict[str, dict], fetched_at: float) -> dict[str, ReportedStatus]:
    """Host name -> its NodeStatus, from a multi-get (``/analytics/uves/<type>/*?cfilt=NodeStatus``)."""
    out = {}
    for key, uve in multi.items():
        ns = node_status_of(uve)
        if ns is None or ns.deleted:
            continue
        at = uve_timestamp(uve.get("NodeStatus")) or fetched_at
        out[key] = ReportedStatus(uve_type, ns, at)
    return out


def _process_status(reports: list[ReportedStatus], module: str) -> tuple[ProcessStatus, ReportedStatus] | None:
    for rep in reports:
        for ps in rep.status.process_status:
            if ps.module_id == module and ps.instance_id in ("0", ""):
                return ps, rep
    return None


def service_states(services: list[ServiceDef], reports: list[ReportedStatus], now: float,
                   stale_after: float = DEFAULT_STALE_AFTER) -> dict[str, ServiceState]:
    """The states of the introspect services of one node that analytics reports freshly."""
    fresh = [r for r in reports if now - r.at <= stale_after]
    out: dict[str, ServiceState] = {}
    for svc in services:
        module = MODULE_IDS.get(svc.key)
        if svc.port is None or module is None:
            continue
        found = _process_status(fresh, module)
        if found is None:
            continue
        ps, rep = found
        state = ACTIVE if ps.state == "Functional" else INITIALIZING
        reason = (f"process reports {ps.state} (analytics {rep.uve_type} UVE)" if ps.state
                  else f"process_status without state (analytics {rep.uve_type} UVE)")
        out[svc.key] = ServiceState(svc.key, svc.pod, svc.name, state, description=ps.description or "",
                                    reason=reason, evidence=EVIDENCE, port=svc.port, at=rep.at,
                                    reported=(rep.status,) if svc.is_nodemgr else ())
    return out
