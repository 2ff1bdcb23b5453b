#!/usr/bin/env python3
"""UI under load: key press -> updated screen latency while polling 2000 vrouters every 2 s, and time to first screen.

The app runs headless (``App.run_test``) against the lab in its own process. A "press" is timed from
sending the key until the app has processed it and its consequences (``pilot.pause()``).

    python benchmarks/bench_ui.py            # 2000 vrouters, 200 presses
    python benchmarks/bench_ui.py --quick    # 50 vrouters, 20 presses
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, add_lab_arguments, fleet_lab, load_line  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def presses(config: str, count: int, paused: bool = False) -> dict[str, list[float]]:
    from tftui.services.config import load_config
    from tftui.ui.app import TftuiApp

    spec = load_config(config).cluster
    app = TftuiApp(spec)
    timings: dict[str, list[float]] = {"move": [], "open": [], "filter": []}
    async with app.run_test(size=(100, 30)) as pilot:
        while app.cluster.rounds < 1:
            await pilot.pause(0.1)
        if paused:
            app.screen.action_pause()

        async def timed(kind: str, *keys: str) -> None:
            """Post the key straight to the app; stop the clock at the first frame painted after it was handled
            (Textual's call_after_refresh, scheduled once the key's handlers have run)."""
            from textual import events

            for key in keys:
                char = key if len(key) == 1 else None
                painted: list[float] = []
                t0 = time.perf_counter()
                app.post_message(events.Key(key, char))
                app.call_later(lambda marks=painted: app.call_after_refresh(
                    lambda: marks.append(time.perf_counter())))  # after the handlers: the next frame
                while not painted:
                    await asyncio.sleep(0.001)
                timings[kind].append((painted[0] - t0) * 1000)
                await asyncio.sleep(0.02)

        i = 0
        while sum(map(len, timings.values())) < count:
            i += 1
            if i % 10 == 0:  # type in the filter, then clear it
                await pilot.press("slash")
                await timed("filter", "c")
                await timed("filter", "7")
                await pilot.press("escape")
                await pilot.pause()
            elif i % 5 == 0:  # open (expand) the 2000-strong vrouter group, or collapse it again
                tree = app.query_one("NodeTree")
                group = tree.group_node("vrouter")
                tree.move_cursor(group)
                await pilot.pause()
                await timed("open", "enter")
            else:
                await timed("move", "down")
        rounds = app.cluster.rounds
    timings["_rounds"] = [rounds]
    return timings


def first_screen(config: str) -> dict[str, float]:
    """Spawn a fresh interpreter: process start -> tree filled -> first poll results on screen."""
    code = f"""
import asyncio, json, sys, time
t0 = {time.time()!r}
sys.path.insert(0, {str(ROOT)!r})
from tftui.services.loop import install_fast_loop
install_fast_loop()
from tftui.services.config import load_config
from tftui.ui.app import TftuiApp
async def main():
    app = TftuiApp(load_config({config!r}).cluster)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        filled = time.time() - t0
        while not any(r.polled for r in app.cluster.results.values()) or app.cluster.rounds < 1:
            await pilot.pause(0.02)
        feed = app.services.cluster
        while app.screen.applied_version < feed.version:  # the first round's results are on screen
            await pilot.pause(0.02)
        print(json.dumps({{"tree_filled": filled, "first_results": time.time() - t0}}))
asyncio.run(main())
"""
    t_spawn = time.time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["spawn_overhead"] = time.time() - t_spawn - result["first_results"]
    return result


def main() -> int:
    from tftui.services.loop import install_fast_loop

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vrouters", type=int, default=2000)
    ap.add_argument("--presses", type=int, default=200)
    ap.add_argument("--quick", action="store_true")
    add_lab_arguments(ap)
    args = ap.parse_args()
    if args.quick:
        args.vrouters, args.presses = 50, 20
    loop = install_fast_loop()
    lab = fleet_lab(args, args.vrouters, churn=1.0, extra=("--latency", "5", "--poll-interval", "2"))
    try:
        first = first_screen(str(lab.config_path))
        timings = asyncio.run(presses(str(lab.config_path), args.presses))
        idle = asyncio.run(presses(str(lab.config_path), args.presses, paused=True))
    finally:
        lab.stop()
    rounds = timings.pop("_rounds")[0]
    print(f"UI under load: {args.vrouters} vrouters + 3 controllers polled every 2 s, event loop {loop}; "
          f"{rounds} poll rounds during the presses")
    print(f"{'action':<10}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    everything = []
    for kind, values in timings.items():
        everything += values
        if values:
            print(f"{kind:<10}{len(values):>5}{statistics.median(values):>9.1f}{pct(values, 95):>9.1f}{max(values):>9.1f}")
    print(f"{'all':<10}{len(everything):>5}{statistics.median(everything):>9.1f}{pct(everything, 95):>9.1f}"
          f"{max(everything):>9.1f}")
    idle.pop("_rounds")
    quiet = [v for values in idle.values() for v in values]
    print(f"{'reference: all, polling paused':<32} p50 {statistics.median(quiet):.1f} ms, p95 {pct(quiet, 95):.1f} ms "
          f"(the UI's own cost, without a poll round competing for the CPU)")
    print(f"p95 while polling / p95 paused: {pct(everything, 95) / pct(quiet, 95):.2f}x (target <= 1.5x, "
          f"and p95 < 50 ms); {load_line()}")
    print(f"first screen: tree filled {first['tree_filled']:.2f} s, first poll results shown "
          f"{first['first_results']:.2f} s after process start")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
