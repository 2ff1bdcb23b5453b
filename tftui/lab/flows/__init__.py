"""The lab agents' flows: every vrouter answers the agent's flow requests from the lab's traffic, with
verdicts from the lab config API's security objects (see docs/flows.md).

The component starts after the config API (it reads its store) and the analytics API (it files flow
records there) and before the compute hosts (their VM shells send traffic through it); ``traffic_of(lab)`` is
how the introspect handlers and the shells find it.
"""

from __future__ import annotations

from tftui.lab.runner import LabContext, register_component

from .traffic import LabTraffic, attach, traffic_of

__all__ = ["attach", "start", "traffic_of"]

SCENARIO_EXTRA_FLOWS = {"fleet": 20}  # more conversations per vrouter where the scenario is about scale


@register_component
async def start(ctx: LabContext) -> None:
    args = ctx.args
    api = ctx.shared.get("config_api")
    extra = getattr(args, "flows", None)
    traffic = LabTraffic(ctx.topo, store=api.store if api is not None else None,
                         key_format=getattr(args, "flow_key_format", None) or "partition",
                         extra_flows=extra if extra is not None else SCENARIO_EXTRA_FLOWS.get(ctx.topo.scenario, 0))
    attach(ctx.introspect, traffic)
    ctx.shared["traffic"] = traffic
    ctx.topo.traffic = traffic  # what every other reader of the datapath counts drops from (lab/agent_model.py)
    analytics = ctx.shared.get("analytics")
    if analytics is not None:  # the simulated flows reach FlowRecordTable when flow export is on
        traffic.exporter = analytics.state.tables.flows.record
        for conv in traffic.conversations:
            if not traffic.export(conv):
                break  # export is off: the table keeps nothing


from . import handlers  # noqa: E402,F401  (registers the agent's flow requests in the lab's request table)
