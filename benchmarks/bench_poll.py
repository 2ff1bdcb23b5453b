#!/usr/bin/env python3
"""Poll-round benchmark: tftui's poller vs a sequential client (as contrail-status does it) vs parse-only.

The lab runs in its own process (``tftui lab --scenario fleet``), so its cost is not counted here.
Prints one table: wall time per round, CPU seconds per round and peak RSS of this process.

    python benchmarks/bench_poll.py                 # 2000 vrouters + 3 controllers
    python benchmarks/bench_poll.py --vrouters 500
    python benchmarks/bench_poll.py --quick         # 50 vrouters, one round each: keeps the script alive in CI
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import add_lab_arguments, cpu, fleet_lab, load_line, peak_rss_mb  # noqa: E402
from tftui.clients.introspect import NODE_STATUS_PATH  # noqa: E402
from tftui.core.cluster import evaluate_node  # noqa: E402
from tftui.core.status import FetchKind, FetchResult  # noqa: E402
from tftui.services.config import load_config  # noqa: E402
from tftui.services.loop import install_fast_loop  # noqa: E402
from tftui.services.poller import Poller  # noqa: E402


async def bench_poller(spec, rounds: int) -> list[tuple[float, float]]:
    poller = Poller(spec)
    out = []
    try:
        for _ in range(rounds):
            c0, t0 = cpu(), time.perf_counter()
            await poller.poll_round(force=True)
            out.append((time.perf_counter() - t0, cpu() - c0))
    finally:
        await poller.close()
    bad = [r.name for r in poller.state.results.values() if not r.reachable]
    if bad:
        raise SystemExit(f"unreachable nodes in the fleet lab: {bad[:5]}")
    return out


def sequential_round(spec, timeout: float) -> tuple[float, float, dict]:
    """One request after another, a new connection each, like contrail-status's requests.get."""
    replies: dict[str, dict[str, FetchResult]] = {}
    c0, t0 = cpu(), time.perf_counter()
    for node in spec.nodes:
        fetches = {}
        for svc in node.services():
            if svc.port is None:
                continue
            conn = http.client.HTTPConnection(node.address, svc.port, timeout=timeout)
            try:
                conn.request("GET", NODE_STATUS_PATH)
            except ConnectionRefusedError:  # a daemon of another release (alarm-gen without its role on 2011)
                fetches[svc.key] = FetchResult(FetchKind.REFUSED, error="connection refused")
                continue
            resp = conn.getresponse()
            fetches[svc.key] = FetchResult(FetchKind.REPLY, resp.status, resp.read())
            conn.close()
        replies[node.name] = fetches
    return time.perf_counter() - t0, cpu() - c0, replies


def parse_only(spec, replies) -> tuple[float, float]:
    c0, t0 = cpu(), time.perf_counter()
    for node in spec.nodes:
        evaluate_node(node, replies[node.name], {}, at=0.0)
    return time.perf_counter() - t0, cpu() - c0


def main() -> int:
    loop = install_fast_loop()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vrouters", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--latency", type=float, default=5.0, help="simulated server ms per reply (default 5)")
    ap.add_argument("--live-stats", action="store_true",
                    help="every nodemgr reply differs from the last (CPU/memory), as on a live cluster")
    ap.add_argument("--quick", action="store_true")
    add_lab_arguments(ap)
    args = ap.parse_args()
    if args.quick:
        args.vrouters, args.rounds = 50, 2
    extra = ("--latency", str(args.latency)) + (("--live-stats",) if args.live_stats else ())
    lab = fleet_lab(args, args.vrouters, extra=extra)
    try:
        spec = load_config(str(lab.config_path)).cluster
        requests = sum(1 for n in spec.nodes for s in n.services() if s.port)
        rss_start = peak_rss_mb()
        poll = asyncio.run(bench_poller(spec, args.rounds))
        rss_poller = peak_rss_mb()
        seq_wall, seq_cpu, replies = sequential_round(spec, timeout=10)
        parse_wall, parse_cpu = parse_only(spec, replies)
    finally:
        lab.stop()
    first, steady = poll[0], poll[1:] or poll
    steady_wall = sum(w for w, _ in steady) / len(steady)
    steady_cpu = sum(c for _, c in steady) / len(steady)
    print(f"poll round: {len(spec.nodes)} nodes ({args.vrouters} vrouters + 3 controllers), {requests} requests, "
          f"{args.latency:g} ms simulated server time per reply, event loop: {loop}, "
          f"{'nodemgr replies change every round' if args.live_stats else 'replies unchanged between rounds'}; "
          f"{load_line()}")
    print(f"{'':<38}{'wall s':>9}{'cpu s':>9}")
    print(f"{'tftui poller, first round':<38}{first[0]:>9.2f}{first[1]:>9.2f}")
    print(f"{'tftui poller, steady (keep-alive)':<38}{steady_wall:>9.2f}{steady_cpu:>9.2f}")
    print(f"{'reference: parse-only floor':<38}{parse_wall:>9.2f}{parse_cpu:>9.2f}   (core decode + rules, in memory)")
    print(f"{'reference: sequential client':<38}{seq_wall:>9.2f}{seq_cpu:>9.2f}   (one request after another)")
    print(f"steady round / parse-only floor: {steady_wall / parse_wall:.2f}x wall, {steady_cpu / parse_cpu:.2f}x CPU "
          f"(target <= 2x)")
    print(f"sequential / steady round: {seq_wall / steady_wall:.1f}x faster")
    print(f"peak RSS: {rss_poller:.0f} MB after polling (started at {rss_start:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
