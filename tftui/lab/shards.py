"""A lab served by several processes: at ten thousand vrouters one Python process serving every introspect
is the bottleneck of a poll round (and needs more file descriptors than a default limit allows).

The main process builds the whole topology, writes the config and runs every other part of the lab (config
API, router, SSH hosts); it serves the introspect of share 0 and starts one helper per other share, each
serving the introspect of its nodes only. Nodes are dealt round-robin, so every share has controllers and
computes alike. Helpers stop with the main process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sys

from .topology import LabNode, Topology

VROUTERS_PER_PROCESS = 2500


def process_count(args: argparse.Namespace) -> int:
    """``--processes``, or enough that no process serves more than VROUTERS_PER_PROCESS vrouters."""
    if args.processes:
        return args.processes
    return max(1, math.ceil((args.vrouters or 0) / VROUTERS_PER_PROCESS))


def share_of(topo: Topology, index: int, count: int) -> list[LabNode]:
    return [n for i, n in enumerate(topo.nodes) if i % count == index]


def helper_argv(args: argparse.Namespace, index: int, count: int) -> list[str]:
    """The same lab, serving share ``index``: every option that shapes the topology or its replies."""
    argv = [sys.executable, "-m", "tftui", "lab", "--scenario", args.scenario, "--base", str(args.base),
            "--seed", str(args.seed), "--latency", str(args.latency), "--processes", str(count),
            "--share", str(index), "--parent", str(os.getpid())]
    if args.vrouters is not None:
        argv += ["--vrouters", str(args.vrouters)]
    if args.churn:
        argv += ["--churn", str(args.churn)]
    if args.live_stats:
        argv.append("--live-stats")
    if args.faults:
        argv += ["--faults", args.faults]
    return argv


async def start_helpers(args: argparse.Namespace, count: int, ready: str,
                        timeout: float = 300.0) -> list[asyncio.subprocess.Process]:
    """Start shares 1..count-1 and return once each printed its ready line (or raise RuntimeError)."""
    procs = [await asyncio.create_subprocess_exec(*helper_argv(args, i, count), stdin=asyncio.subprocess.DEVNULL,
                                                  stdout=asyncio.subprocess.PIPE)
             for i in range(1, count)]
    try:
        async with asyncio.timeout(timeout):
            for proc in procs:
                while True:
                    line = await proc.stdout.readline()
                    if not line:
                        raise RuntimeError(f"lab share process {proc.pid} exited before it was ready")
                    if line.decode(errors="replace").startswith(ready):
                        break
    except BaseException:
        await stop_helpers(procs)
        raise
    return procs


async def stop_helpers(procs: list[asyncio.subprocess.Process]) -> None:
    for proc in procs:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
    for proc in procs:
        try:
            async with asyncio.timeout(5):
                await proc.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
