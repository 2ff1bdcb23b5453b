"""``tftui lab``: serve a simulated cluster on loopback until stopped.

Each part of the lab (introspect, and whatever registers in ``COMPONENTS``: config API, router,
compute hosts) starts on the same event loop and may add keys to the cluster config the lab writes,
so ``tftui --config THAT_FILE`` finds everything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from tftui.lab.fault_spec import parse_fault_spec

from .churn import churn
from .introspect_server import IntrospectLab
from .peering import DEFAULT_DELAY, LabPeering
from .shards import process_count, share_of, start_helpers, stop_helpers
from .topology import (
    DEFAULT_ROUTER_OS,
    LAB_PROBE_PORTS,
    Topology,
    apply_faults,
    build,
)
from .trace_feed import feed, trace_event

READY = "tftui-lab ready"
STATUS_PARTS = {"tftui.lab.analytics"}  # besides introspect, what --status-only keeps: it answers node status too
MAX_VROUTERS = 10_000


@dataclass
class LabContext:
    topo: Topology
    args: argparse.Namespace
    introspect: IntrospectLab
    cluster: dict[str, Any] = field(default_factory=dict)  # the cluster config being written
    stoppers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)  # what one component offers the next (e.g. "keystone")
    peering: LabPeering | None = None  # the router <-> control node sessions, shared by the parts that show them


# Each component: async fn(ctx) that starts its servers, registers stoppers and adds config keys.
COMPONENTS: list[Callable[[LabContext], Awaitable[None]]] = []


def register_component(fn: Callable[[LabContext], Awaitable[None]]) -> Callable[[LabContext], Awaitable[None]]:
    COMPONENTS.append(fn)
    return fn


def _raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if needed > hard:  # root may raise the hard limit too (a fleet lab holds tens of thousands of sockets)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, needed))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def cluster_config(topo: Topology, poll_interval: float, timeout: float) -> dict[str, Any]:
    return {
        "poll_interval": poll_interval,
        "timeout": timeout,
        "probe_ports": dict(LAB_PROBE_PORTS),
        "nodes": [{"name": n.name, "address": n.address, "roles": list(n.roles)} for n in topo.nodes],
    }


def write_config(path: str, cluster: dict[str, Any], name: str = "lab") -> None:
    doc = {"default_cluster": name, "clusters": {name: cluster}}
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("# written by `tftui lab`; it describes a simulated cluster on loopback\n")
        yaml.safe_dump(doc, fh, sort_keys=False)
    os.replace(tmp, path)


async def start_traces(lab: IntrospectLab, topo: Topology) -> None:
    """The sessions the scenario starts with down were traced going down; then the buffers fill as the lab runs."""
    for (vrouter, control), state in topo.sessions.xmpp.items():
        if not state.up:
            trace_event(lab, topo, "xmpp", vrouter, control, up=False)
    await feed(lab, topo)


async def _exit_with_parent(pid: int, stop: asyncio.Event) -> None:
    """A demo lab must not outlive the UI that started it, even when that UI was killed outright."""
    while True:
        await asyncio.sleep(1.0)
        if os.getppid() != pid:
            stop.set()
            return


def _introspect_tls(args: argparse.Namespace, topo: Topology):
    """With --introspect-tls: HTTPS introspect with a lab CA the written config trusts (verify stays on)."""
    if not getattr(args, "introspect_tls", False):
        return None, None
    import ssl
    from pathlib import Path

    from .tls import make_lab_pki

    where = Path(args.write_config).parent if args.write_config else Path.cwd()
    ca, cert, key = make_lab_pki(where / "lab-pki", [n.address for n in topo.nodes])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, {"scheme": "https", "verify": True, "ca": str(ca)}


def router_os(args: argparse.Namespace) -> str:
    chosen = getattr(args, "router_os", None)
    if chosen:
        return chosen
    return "vyos-1.1" if getattr(args, "router_suite", None) == "quagga" else DEFAULT_ROUTER_OS


def unpeered(args: argparse.Namespace) -> tuple[str, ...] | None:
    value = getattr(args, "unpeered", None)
    return None if value is None else tuple(v for v in value.split(",") if v)


async def serve(args: argparse.Namespace) -> int:
    try:
        topo = build(args.scenario, vrouters=args.vrouters, base=args.base, seed=args.seed,
                     unpeered=unpeered(args), release=getattr(args, "release", None))
    except ValueError as exc:
        print(f"tftui lab: {exc}", file=sys.stderr)
        return 2
    topo.router.os = router_os(args)
    topo.flow_export_rate = getattr(args, "flow_export_rate", 0)
    if getattr(args, "faults", ""):
        try:
            apply_faults(topo, parse_fault_spec(args.faults))
        except ValueError as exc:  # FaultSpecError included
            print(f"tftui lab: {exc}", file=sys.stderr)
            return 2
    _raise_fd_limit(len(topo.nodes) * 8 + 4096)
    count = process_count(args)
    helper = args.share is not None
    ssl_context, tls_config = _introspect_tls(args, topo)
    lab = IntrospectLab(topo, latency=args.latency / 1000.0, ssl_context=ssl_context, live_stats=args.live_stats,
                        served=share_of(topo, args.share or 0, count))
    ctx = LabContext(topo, args, lab, cluster_config(topo, args.poll_interval, args.timeout),
                     peering=LabPeering(topo, delay=max(0.0, getattr(args, "peer_delay", DEFAULT_DELAY))))
    lab.peering = ctx.peering  # the control nodes' neighbor lists show the router's sessions from it
    if tls_config:
        ctx.cluster["introspect"] = tls_config
    try:
        await lab.start()
    except OSError as exc:
        print(f"tftui lab: cannot listen: {exc} (another lab on 127.{args.base}.x? try --base)", file=sys.stderr)
        return 2
    ctx.stoppers.append(lab.stop)
    if not helper:  # a share process serves introspect only; everything else runs once, here
        if count > 1:
            helpers = await start_helpers(args, count, READY)
            ctx.stoppers.append(lambda: stop_helpers(helpers))
        for component in COMPONENTS:
            if args.status_only and component.__module__ not in STATUS_PARTS:
                continue
            await component(ctx)
        if args.write_config:
            write_config(args.write_config, ctx.cluster)
    tasks = [asyncio.create_task(start_traces(lab, topo))]
    if args.churn:
        tasks.append(asyncio.create_task(churn(ctx, args.churn, random.Random(args.seed + (args.share or 0)),
                                               sharded=count > 1)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    if args.parent:
        tasks.append(asyncio.create_task(_exit_with_parent(args.parent, stop)))
    info = {"scenario": topo.scenario, "nodes": len(topo.nodes), "config": args.write_config,
            "listeners": len(lab.listeners()), "processes": count}
    print(f"{READY} {json.dumps(info)}", flush=True)
    await stop.wait()
    for t in tasks:
        t.cancel()
    for stopper in reversed(ctx.stoppers):
        with contextlib.suppress(Exception):
            await stopper()
    return 0


def run(args: argparse.Namespace) -> int:
    if args.vrouters is not None and not 0 <= args.vrouters <= MAX_VROUTERS:
        print(f"tftui lab: --vrouters must be between 0 and {MAX_VROUTERS}", file=sys.stderr)
        return 2
    if process_count(args) > 1 and args.introspect_tls:
        print("tftui lab: --introspect-tls is served by one process: leave --processes at 1", file=sys.stderr)
        return 2
    _load_components()
    # The lab stays on the standard loop: under uvloop, OpenSSH's -J through the simulated computes gets a
    # garbled banner from the forwarded VM connection (asyncssh's channel forwarding), and the lab must be exact.
    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    try:
        return asyncio.run(serve(args))
    except KeyboardInterrupt:
        return 0


def _load_components() -> None:
    """Import the optional lab parts so they register themselves; a part that is absent is skipped."""
    import importlib

    # in start order: the flows read the config API's store; the hosts' VM shells send traffic through the flows
    for mod in ("tftui.lab.agent", "tftui.lab.agent_oper", "tftui.lab.control_node", "tftui.lab.router",
                "tftui.lab.configapi", "tftui.lab.analytics", "tftui.lab.flows", "tftui.lab.hosts"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
