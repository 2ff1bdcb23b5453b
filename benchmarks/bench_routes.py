#!/usr/bin/env python3
"""Routes at scale: the lab router with N synthetic routes (FRR JSON and Quagga text), fetched over SSH, parsed,
shown in the routes pane and filtered; and `tftui routes --json` end to end.

The lab (router included) runs in its own process, once per suite, so rendering the table is not counted here.
Measured, per suite:
  fetch      `show ip route [json]` over the reused SSH connection (the lab's rendering is cached: warm)
  parse      json.loads + parse_route_json (FRR) or parse_route_text (Quagga), in this process
  memory     peak RSS of a fresh interpreter that reads the saved output and parses it (and the growth)
  pane       data arrives -> first frame showing it; a filter keystroke -> first frame with its result
  headless   `python -m tftui routes --json` wall time and peak RSS (its own rusage, via wait4)

    python benchmarks/bench_routes.py              # 200,000 routes, both suites
    python benchmarks/bench_routes.py --routes 50000 --suite quagga
    python benchmarks/bench_routes.py --quick      # 5,000 routes, one repeat: keeps the script alive in CI
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# typed one character at a time into `/`, then erased; every prefix narrows the synthetic 100.64.0.0+k table
FILTER_KEYS = ("1", "0", "0", ".", "6", "5", ".", "1", "2", "backspace", "backspace", "backspace")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def median_of(fn, repeats: int) -> float:
    return statistics.median(fn() for _ in range(repeats))


async def fetch_and_parse(config: str, repeats: int) -> dict:
    from tftui.clients.router import build_command
    from tftui.core.routes.rib import parse_route_json, parse_route_text
    from tftui.services.config import load_config
    from tftui.services.routes import RouterMonitor

    cluster = load_config(config).cluster
    mon = RouterMonitor.from_cluster(cluster, interval=3600)
    mon.hosts = None  # the cross-check is part of the headless figure, not of fetch/parse
    client = mon.client
    try:
        suite = await client.detect()
        use_json = suite.json
        cmd = build_command("routes", use_json, client.via)
        await client.run_raw(cmd)  # the lab renders the table once and caches it: time the transfer, not that
        fetches, out = [], None
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = await client.run_raw(cmd)
            fetches.append(time.perf_counter() - t0)
        stdout = out.stdout
        loads, parses, items = [], [], 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            if use_json:
                doc = json.loads(stdout)
                t1 = time.perf_counter()
                parsed = parse_route_json(doc)
                del doc
            else:
                t1 = t0
                parsed = parse_route_text(stdout)
            t2 = time.perf_counter()
            loads.append(t1 - t0)
            parses.append(t2 - t0)
            items = len(parsed.items)
            del parsed
        st = await mon.refresh()  # the state the pane shows, fetched the way the pane fetches it
        return {"suite": suite.label(), "json": use_json, "bytes": len(stdout.encode()), "fetch": statistics.median(fetches),
                "loads": statistics.median(loads), "parse": statistics.median(parses), "items": items,
                "stdout": stdout, "routes": st.routes, "neighbors": st.neighbors, "errors": st.errors}
    finally:
        await mon.stop()


MEMORY_PROBE = """
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from tftui.core.routes.rib import parse_route_json, parse_route_text
text = open(sys.argv[2], encoding="utf-8").read()
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS:")) / 1024
before = rss()
parsed = parse_route_json(json.loads(text)) if sys.argv[3] == "json" else parse_route_text(text)
print(json.dumps({"before": before, "held": rss(), "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "items": len(parsed.items)}))
"""


def run_child(argv: list[str], stdout) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one child, from its own rusage (not other children's)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[2:5]} exited {proc.returncode}: {err[-1500:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def parse_memory(stdout: str, use_json: bool) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".out", delete=False, encoding="utf-8") as fh:
        fh.write(stdout)
    try:
        out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(ROOT), fh.name, "json" if use_json else "text"],
                             capture_output=True, text=True, timeout=300, check=True)
    finally:
        os.unlink(fh.name)
    return json.loads(out.stdout)


def headless(config: str, repeats: int) -> tuple[float, float, int]:
    walls, rsss, size = [], [], 0
    for _ in range(repeats):
        with tempfile.TemporaryFile() as out:
            wall, rss, code = run_child([sys.executable, "-m", "tftui", "routes", "--json", "--config", config], out)
            size = out.tell()
            out.seek(0)
            doc = json.load(out)  # it must be a whole document, not a timing of a failure
            if not doc.get("routes"):
                raise SystemExit(f"tftui routes --json returned no routes (exit {code}): {doc.get('errors')}")
        walls.append(wall)
        rsss.append(rss)
    return statistics.median(walls), statistics.median(rsss), size


async def pane(routes, neighbors, rounds: int) -> dict:
    """The RoutesScreen at 100x30: data arrives -> first frame after it is shown; keystrokes in `/` -> frame."""
    from textual import events
    from textual.app import App
    from textual.widgets import Input

    from tftui.core.routes.config import RouterSpec
    from tftui.services.routes import RouterMonitor
    from tftui.ui.routes_screen import RoutesScreen

    mon = RouterMonitor(RouterSpec("bench", "127.0.0.1", 1), None, interval=3600)

    class BenchApp(App):
        def on_mount(self) -> None:
            self.push_screen(RoutesScreen(mon, auto_start=False))

    app = BenchApp()
    result: dict[str, list[float]] = {"show": [], "key": [], "enter": []}
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        painted: list[float] = []
        original_display = app._display

        def display_hook(scr, renderable):
            painted.append(time.perf_counter())
            return original_display(scr, renderable)

        app._display = display_hook
        applied: list[float] = []
        original_apply = screen.apply

        def apply_hook(st):
            original_apply(st)
            applied.append(time.perf_counter())

        screen.apply = apply_hook

        async def frame_after(mark: float) -> float:
            while not (painted and painted[-1] > mark):
                await asyncio.sleep(0.001)
            return next(t for t in painted if t > mark)

        for _ in range(rounds):
            mon.state.routes, mon.state.neighbors = [], []
            mon._notify()
            await pilot.pause()
            applied.clear()
            painted.clear()
            mon.state.routes, mon.state.neighbors = routes, neighbors
            t0 = time.perf_counter()
            mon._notify()  # what RouterMonitor.refresh does when a fetch has been parsed
            while not applied:
                await asyncio.sleep(0.001)
            result["show"].append((await frame_after(applied[-1]) - t0) * 1000)
        await pilot.pause()
        box = screen.query_one("#filter", Input)
        live = getattr(screen, "LIVE_FILTER", False)  # older panes filter on enter only
        pending = getattr(screen, "is_filter_pending", lambda: False)

        async def timed(kind: str, key: str) -> None:
            handled: list[float] = []
            painted.clear()
            t0 = time.perf_counter()
            app.post_message(events.Key(key, key if len(key) == 1 else None))
            app.call_later(lambda: handled.append(time.perf_counter()))
            while not handled:
                await asyncio.sleep(0.001)
            mark = handled[0]
            if live or kind == "enter":  # done when the table shows what the box says
                while screen.text_filter != box.value.strip() or pending():
                    await asyncio.sleep(0.001)
                mark = max(mark, time.perf_counter() - 0.0005)
            result[kind].append((await frame_after(mark) - t0) * 1000)
            await asyncio.sleep(0.02)

        for _ in range(rounds):
            await pilot.press("slash")
            await pilot.pause()
            for key in FILTER_KEYS:
                await timed("key", key)
            await timed("enter", "enter")
            await pilot.press("escape")  # clears the filter: every round starts from the whole table
            await pilot.pause()
    result["_live"] = [1.0 if live else 0.0]
    return result


def slow_router(path: Path) -> None:
    """A 200k-route table takes longer than the lab's 5 s router timeout to render cold; the agents keep theirs."""
    import yaml

    doc = yaml.safe_load(path.read_text())
    for cluster in doc.get("clusters", {}).values() if isinstance(doc.get("clusters"), dict) else doc.get("clusters", []):
        for router in cluster.get("routers", []):
            router["timeout"] = 120
    path.write_text(yaml.safe_dump(doc))


def bench_suite(suite: str, n: int, repeats: int, rounds: int) -> dict:
    from tftui.services.demo import start_demo_lab

    lab = start_demo_lab(scenario="demo", churn=0, timeout=300,
                         extra=("--router-suite", suite, "--routes", str(n)))
    try:
        cfg = str(lab.config_path)
        slow_router(lab.config_path)
        got = asyncio.run(fetch_and_parse(cfg, repeats))
        if got["errors"] or not got["routes"]:
            raise SystemExit(f"{suite}: the router could not be read: {got['errors']}")
        mem = parse_memory(got["stdout"], got["json"])
        ui = asyncio.run(pane(got.pop("routes"), got.pop("neighbors"), rounds))
        wall, rss, size = headless(cfg, repeats)
    finally:
        lab.stop()
    got.pop("stdout")
    return {**got, "mem": mem, "ui": ui, "headless": (wall, rss, size)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--routes", type=int, default=200_000, help="synthetic routes on the lab router")
    ap.add_argument("--suite", choices=("frr", "quagga", "both"), default="both")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each timing; medians are reported")
    ap.add_argument("--rounds", type=int, default=3, help="times the filter is typed (12 keys + enter each)")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.routes, args.repeats, args.rounds = 5000, 1, 1
    from tftui.services.loop import install_fast_loop

    loop = install_fast_loop()
    suites = ("frr", "quagga") if args.suite == "both" else (args.suite,)
    results = [bench_suite(s, args.routes, args.repeats, args.rounds) for s in suites]
    print(f"routes: lab router with {args.routes} synthetic routes, medians of {args.repeats} runs, event loop {loop}")
    print(f"{'suite / format':<24}{'routes':>8}{'MB':>7}{'fetch s':>9}{'loads s':>9}{'parse s':>9}"
          f"{'peak MB':>9}{'+MB':>6}")
    for r in results:
        fmt = "FRR JSON" if r["json"] else "Quagga text"
        m = r["mem"]
        print(f"{r['suite'] + ' ' + fmt:<24}{r['items']:>8}{r['bytes'] / 1e6:>7.1f}{r['fetch']:>9.2f}"
              f"{r['loads'] if r['json'] else float('nan'):>9.2f}{r['parse']:>9.2f}{m['peak']:>9.0f}"
              f"{m['peak'] - m['before']:>6.0f}")
    print("(parse includes json.loads; peak MB: a fresh interpreter holding the output and parsing it, +MB over "
          "its RSS before parsing)")
    print(f"{'pane (100x30)':<24}{'show ms':>9}{'key p50':>9}{'key p95':>9}{'key max':>9}{'enter ms':>9}  filter")
    for r in results:
        ui = r["ui"]
        mode = "live, per keystroke" if ui["_live"][0] else "applied on enter (keys only echo)"
        print(f"{r['suite']:<24}{statistics.median(ui['show']):>9.0f}{statistics.median(ui['key']):>9.0f}"
              f"{pct(ui['key'], 95):>9.0f}{max(ui['key']):>9.0f}{statistics.median(ui['enter']):>9.0f}  {mode}")
    print(f"{'tftui routes --json':<24}{'wall s':>9}{'peak MB':>9}{'out MB':>9}")
    for r in results:
        wall, rss, size = r["headless"]
        print(f"{r['suite']:<24}{wall:>9.2f}{rss:>9.0f}{size / 1e6:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
