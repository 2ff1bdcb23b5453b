"""An in-process lab for the flow tests: agents (introspect) and the config API on loopback, with the lab's
traffic attached, on a 127.B range derived from TFTUI_TEST_BASE and checked free."""

from __future__ import annotations

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
                    key_format: str = "partition", config_api: bool = True):
    topo = build(scenario, base=free_base(offset), vrouters=vrouters)
    intro = IntrospectLab(topo)
    await intro.start()
    api = await start_config_api(topo, port=0) if config_api else None
    traffic = LabTraffic(topo, store=api.store if api else None, key_format=key_format, extra_flows=extra_flows)
    lab_flows.attach(intro, traffic)
    try:
        yield topo, intro, api, traffic
    finally:
        if api is not None:
            await api.stop()
        await intro.stop()


def target(topo, index: int = 0) -> VrouterTarget:
    vr = topo.vrouters()[index]
    return VrouterTarget(vr.name, vr.address)
