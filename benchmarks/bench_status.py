#!/usr/bin/env python3
"""Headless: `tftui status --json` against the fleet lab, as a monitoring check would run it.

Wall time and peak memory of the whole process, interpreter start included. The lab runs in its
own process (started first, not timed).

    python benchmarks/bench_status.py              # 2000 vrouters + 3 controllers, 3 runs
    python benchmarks/bench_status.py --quick      # 50 vrouters, 1 run
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tftui.services.demo import start_demo_lab  # noqa: E402

# A tiny wrapper so the child reports its own peak RSS (ru_maxrss of a finished child is not per-child).
WRAPPER = """
import resource, runpy, sys
sys.argv = ["tftui"] + sys.argv[1:]
try:
    runpy.run_module("tftui", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("PEAK_RSS_KB=%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def run_once(config: Path) -> tuple[float, float, int, int]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, "status", "--config", str(config), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t0
    rss = next(int(line.split("=")[1]) for line in out.stderr.splitlines() if line.startswith("PEAK_RSS_KB="))
    nodes = len(json.loads(out.stdout)["nodes"])
    return wall, rss / 1024, nodes, out.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vrouters", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=float, default=5.0, help="simulated server ms per reply")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.vrouters, args.runs = 50, 1
    lab = start_demo_lab(scenario="fleet", vrouters=args.vrouters, churn=0, timeout=300,
                         extra=("--latency", str(args.latency)))
    try:
        runs = [run_once(lab.config_path) for _ in range(args.runs)]
    finally:
        lab.stop()
    walls = [r[0] for r in runs]
    print(f"tftui status --json: {runs[0][2]} nodes ({args.vrouters} vrouters + 3 controllers), "
          f"{args.latency:g} ms simulated server time per reply, {args.runs} run(s)")
    print(f"{'wall s (median)':<18}{'wall s (min)':<14}{'peak RSS MB':<13}{'exit':<5}")
    print(f"{statistics.median(walls):<18.2f}{min(walls):<14.2f}{max(r[1] for r in runs):<13.0f}{runs[0][3]:<5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
