"""An in-process lab for the flow tests: agents (introspect) and the config API on loopback, with the lab's
traffic attached, on a 127.B range derived from TFTUI_TEST_BASE and checked free."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

import tftui.lab.agent  # noqa: F401  (registers the agent's interface requests)
import tftui.lab.flows as lab_flows
from tftui.clients.agent import VrouterTarget
from tftui.lab.configapi import start_config_api
from tftui.lab.flows.traffic import LabTraffic
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.topology import build


def free_base(offset: int) -> int:
    """A 127.B range whose first vrouter's agent port is free, starting from TFTUI_TEST_BASE + offset."""
    start = int(os.environ.get("TFTUI_TEST_BASE", "100")) + offset
    for base in range(start, start + 20):
        base = 1 + (base - 1) % 250
        with socket.socket() as s:
            s.settimeout(0.05)
            if s.connect_ex((f"127.{base}.1.1", 8085)) != 0 and s.connect_ex((f"127.{base}.0.10", 8082)) != 0:
                return base
    raise RuntimeError("no free 127.B range for the flows lab")


@contextlib.asynccontextmanager
async def flows_lab(offset: int, scenario: str = "seed-full", vrouters: int | None = None, extra_flows: int = 0,
                    key_format: str = "partition", config_api: bool = True, clock=None):
    """``clock``: the traffic's (a fixed one makes setup times and counters reproducible, for snapshots)."""
    topo = build(scenario, base=free_base(offset), vrouters=vrouters)
    intro = IntrospectLab(topo)
    await intro.start()
    api = await start_config_api(topo, port=0) if config_api else None
    traffic = LabTraffic(topo, store=api.store if api else None, key_format=key_format, extra_flows=extra_flows,
                         **({"clock": clock} if clock is not None else {}))
    lab_flows.attach(intro, traffic)
    try:
        yield topo, intro, api, traffic
    finally:
        if api is not None:
            await api.stop()
        await intro.stop()


async def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """``tftui ARGV`` in-process (off the event loop, which serves the lab): exit code, stdout, stderr."""
    from tftui.cli import main

    capsys.readouterr()
    rc = await asyncio.to_thread(main, list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def target(topo, index: int = 0) -> VrouterTarget:
    vr = topo.vrouters()[index]
    return VrouterTarget(vr.name, vr.address)


def seed_walk_with_vnc_api(host: str, port: int, fixed_uuids: bool = False) -> None:
    """The seed's firewall walk, as the web UI's screens do it, with the real vnc_api client (``fixed_uuids``:
    the rule and the policy get uuids of the test's choosing, as a client may ask, for reproducible screens)."""
    from vnc_api import vnc_api as v

    api = v.VncApi(api_server_host=host, api_server_port=port, auth_type="noauth")
    pm = api.policy_management_read(fq_name=["default-policy-management"])
    for name in ("cirros1", "cirros2"):
        api.tag_create(v.Tag(tag_type_name="label", tag_value=name))
    for vmi in api.virtual_machine_interfaces_list(detail=True):
        name = vmi.get_display_name()
        if name in ("cirros1", "cirros2"):  # Configure > Networking > Ports: the tag on each port
            api.set_tag(vmi, "label", name, is_global=True)
    rule = v.FirewallRule(
        name="deny-icmp", parent_obj=pm, action_list=v.ActionListType(simple_action="deny"),
        service=v.FirewallServiceType(protocol="icmp"),
        endpoint_1=v.FirewallRuleEndpointType(tags=["label=cirros1"]),
        endpoint_2=v.FirewallRuleEndpointType(tags=["label=cirros2"]), direction="<>")
    if fixed_uuids:
        rule.uuid = "5eed0000-0000-4000-8000-000000000001"
    api.firewall_rule_create(rule)
    policy = v.FirewallPolicy(name="policy1", parent_obj=pm)
    if fixed_uuids:
        policy.uuid = "5eed0000-0000-4000-8000-000000000002"
    policy.add_firewall_rule(rule, v.FirewallSequence(sequence="1.0"))
    api.firewall_policy_create(policy)
    aps = api.application_policy_set_read(fq_name=["default-policy-management", "default-application-policy-set"])
    aps.add_firewall_policy(policy, v.FirewallSequence(sequence="1.0"))
    api.application_policy_set_update(aps)
