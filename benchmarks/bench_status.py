#!/usr/bin/env python3
"""Headless: `tftui status --json` against the fleet lab, as a monitoring check runs it (a fresh process each time).

Figures, each beside its reference measured in the same run:
- 2000 vrouters: wall time of the whole process (interpreter start included) against the parse-only floor (the
  same replies decoded by tftui's core in memory, in this process) and against a sequential client (one
  request after another, a connection each, as contrail-status does); targets <= 3x the floor, >= 10x faster
  than sequential;
- 10,000 vrouters (the lab in several processes): wall time against the 2000 run (target <= 5.5x, linear or
  better) and peak RSS (target < 400 MB); and with ``--source analytics`` (the lab's analytics API answers
  node status in a few requests) against that introspect run (target >= 5x faster).

    python benchmarks/bench_status.py              # 2000 and 10,000 vrouters, 3 runs each
    python benchmarks/bench_status.py --quick      # 50 and 250 vrouters, 1 run each
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_poll import parse_only, sequential_round  # noqa: E402
from benchmarks.common import ROOT, add_lab_arguments, fleet_lab, load_line  # noqa: E402
from tftui.services.config import load_config  # noqa: E402

# The child reports its own peak RSS (ru_maxrss of a finished child is not per-child).
WRAPPER = """
import resource, runpy, sys
sys.argv = ["tftui"] + sys.argv[1:]
try:
    runpy.run_module("tftui", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
usage = resource.getrusage(resource.RUSAGE_SELF)
sys.stderr.write("PEAK_RSS_KB=%d CPU_S=%.3f\\n" % (usage.ru_maxrss, usage.ru_utime + usage.ru_stime))
sys.exit(code)
"""


def run_once(config: Path, source: str = "introspect") -> tuple[float, float, int, float]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, "status", "--config", str(config), "--json",
                          "--source", source],
                         capture_output=True, text=True, cwd=ROOT, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t0
    figures = next(line for line in out.stderr.splitlines() if line.startswith("PEAK_RSS_KB="))
    rss, cpu_s = (float(part.split("=")[1]) for part in figures.split())
    nodes = json.loads(out.stdout)["nodes"]
    unreachable = sum(1 for n in nodes if not n["reachable"])
    if out.returncode != 0 or unreachable:
        raise SystemExit(f"tftui status: exit {out.returncode}, {unreachable} unreachable: {out.stderr[-500:]}")
    return wall, rss / 1024, len(nodes), cpu_s


def measure(args, vrouters: int, offset: int, references: bool):
    lab = fleet_lab(args, vrouters, extra=("--latency", str(args.latency)), base_offset=offset)
    try:
        runs = [run_once(lab.config_path) for _ in range(args.runs)]
        if not references:  # the scale run: the same cluster with analytics as the source of node status
            try:
                runs.append([run_once(lab.config_path, "analytics") for _ in range(args.runs)])
            except SystemExit as exc:  # the lab's analytics API may not keep up: say so, keep the other figures
                runs.append(str(exc))
        refs = None
        if references:
            spec = load_config(str(lab.config_path)).cluster
            seq_wall, _, replies = sequential_round(spec, timeout=10)
            parse_wall, _ = parse_only(spec, replies)
            refs = (parse_wall, seq_wall)
        return runs, refs, lab.info.get("processes", 1)
    finally:
        lab.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vrouters", type=int, default=2000)
    ap.add_argument("--big", type=int, default=10_000, help="vrouters of the scale run (0: skip it)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=float, default=5.0, help="simulated server ms per reply")
    ap.add_argument("--quick", action="store_true")
    add_lab_arguments(ap)
    args = ap.parse_args()
    if args.quick:
        args.vrouters, args.big, args.runs = 50, 250, 1
    print(f"tftui status --json, a fresh process per run, median of {args.runs}; "
          f"{args.latency:g} ms simulated server time per reply; {load_line()}")
    runs, (parse_wall, seq_wall), _ = measure(args, args.vrouters, 0, references=True)
    wall = statistics.median(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    cpu_s = statistics.median(r[3] for r in runs)
    print(f"{args.vrouters} vrouters: {wall:.2f} s wall (min {min(r[0] for r in runs):.2f}), {cpu_s:.2f} s CPU, "
          f"peak RSS {rss:.0f} MB")
    print(f"  reference parse-only floor {parse_wall:.2f} s: {wall / parse_wall:.1f}x the floor (target <= 3x)")
    print(f"  reference sequential client {seq_wall:.2f} s: {seq_wall / wall:.1f}x faster (target >= 10x)")
    if args.big:
        big_runs, _, processes = measure(args, args.big, 1, references=False)
        analytics_runs = big_runs.pop()
        big_wall = statistics.median(r[0] for r in big_runs)
        big_rss = max(r[1] for r in big_runs)
        big_cpu = statistics.median(r[3] for r in big_runs)
        print(f"{args.big} vrouters (lab in {processes} processes): {big_wall:.2f} s wall "
              f"(min {min(r[0] for r in big_runs):.2f}), {big_cpu:.2f} s CPU, peak RSS {big_rss:.0f} MB "
              f"(target < 400 MB)")
        print(f"  reference the {args.vrouters} run: {big_wall / wall:.2f}x the wall, {big_cpu / cpu_s:.2f}x the CPU "
              f"for {args.big / args.vrouters:g}x the nodes "
              f"(target <= {5.5 * args.big / 10_000 * 2000 / args.vrouters:.1f}x)")
        if isinstance(analytics_runs, str):
            print(f"{args.big} vrouters, --source analytics: not measured: {analytics_runs[:300]}")
        else:
            analytics_wall = statistics.median(r[0] for r in analytics_runs)
            print(f"{args.big} vrouters, --source analytics: {analytics_wall:.2f} s wall, "
                  f"{statistics.median(r[3] for r in analytics_runs):.2f} s CPU, "
                  f"peak RSS {max(r[1] for r in analytics_runs):.0f} MB")
            print(f"  reference the introspect run: {big_wall / analytics_wall:.1f}x faster (target >= 5x)")
    print(load_line() + " at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
