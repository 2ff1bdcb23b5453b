#!/usr/bin/env python3
"""Routes at scale: the lab router with N synthetic routes (FRR JSON and Quagga text), fetched over SSH, parsed,
shown in the routes pane and filtered; and `tftui routes --json` end to end.

The lab (router included) runs in its own process, once per suite, so rendering the table is not counted here.
Measured, per suite:
  fetch      `show ip route [json]` over the reused SSH connection (the lab's rendering is cached: warm)
  parse      json.loads + parse_route_json (FRR) or parse_route_text (Quagga), in this process
  memory     peak RSS of a fresh interpreter that reads the saved output and parses it (and the growth)
  pane       data arrives -> first frame showing it; a filter keystroke -> first frame with its result
  headless   `python -m tftui routes --json` wall time and peak RSS (its own VmHWM, written at exit)

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


def decoder():
    """The client's decode path (json/text -> routes), and the GC pause it runs under, when the code has them."""
    import contextlib

    from tftui.core.routes.rib import parse_route_json, parse_route_text

    try:
        from tftui.clients.router import decode as client_decode
        from tftui.clients.router import gc_paused
    except ImportError:  # before the decode path existed: loads + parse on the event loop, GC on
        def client_decode(text, use_json, tp, jp):
            return (jp(json.loads(text)) if use_json else tp(text)), None

        gc_paused = contextlib.nullcontext

    def decode(text: str, use_json: bool):
        return client_decode(text, use_json, parse_route_text, parse_route_json)[0]

    return decode, gc_paused


async def fetch_and_parse(config: str, repeats: int) -> dict:
    from tftui.clients.router import build_command
    from tftui.services.config import load_config
    from tftui.services.routes import RouterMonitor

    decode, paused = decoder()
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
            with paused():
                t0 = time.perf_counter()
                doc = json.loads(stdout) if use_json else None
                loads.append(time.perf_counter() - t0)
                del doc
            t0 = time.perf_counter()
            parsed = decode(stdout, use_json)  # what the client does with a reply
            parses.append(time.perf_counter() - t0)
            items = len(parsed.items)
            del parsed
        st = await mon.refresh()  # the state the pane shows, fetched the way the pane fetches it
        return {"suite": suite.label(), "json": use_json, "bytes": len(stdout.encode()), "fetch": statistics.median(fetches),
                "loads": statistics.median(loads), "parse": statistics.median(parses), "items": items,
                "stdout": stdout, "routes": st.routes, "neighbors": st.neighbors, "errors": st.errors}
    finally:
        await mon.stop()


MEMORY_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/benchmarks")
from bench_routes import decoder
decode, _ = decoder()
text = open(sys.argv[2], encoding="utf-8").read()
def rss(field="VmRSS:"):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith(field)) / 1024
before = rss()
parsed = decode(text, sys.argv[3] == "json")
print(json.dumps({"before": before, "held": rss(), "peak": rss("VmHWM:"), "items": len(parsed.items)}))
"""


# The child's own peak RSS, written as it exits. Not rusage: Linux carries ru_maxrss over fork+exec, so a child of
# this (by then large) process would report at least this process's size.
PEAK_AT_EXIT = """
import atexit, os, runpy, sys
def peak():
    with open("/proc/self/status") as fh, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(l.split()[1] for l in fh if l.startswith("VmHWM:")))
atexit.register(peak)
sys.argv = ["tftui", *sys.argv[1:]]
runpy.run_module("tftui", run_name="__main__", alter_sys=True)
"""


def run_child(args: list[str], stdout) -> tuple[float, float, int]:
    """Wall seconds (interpreter start included), peak RSS (MB) and exit status of `python -m tftui ARGS`."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", PEAK_AT_EXIT, *args], stdout=stdout, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                             "BENCH_PEAK_FILE": peak.name})
        wall = time.perf_counter() - t0
        rss_kb = peak.read().strip()
    if proc.returncode not in (0, 1) or not rss_kb:
        raise SystemExit(f"tftui {' '.join(args)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-1500:]}")
    return wall, int(rss_kb) / 1024, proc.returncode


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
            wall, rss, code = run_child(["routes", "--json", "--config", config], out)
            size = out.tell()
            out.seek(0)
            doc = json.load(out)  # it must be a whole document, not a timing of a failure
            if not doc.get("routes"):
                raise SystemExit(f"tftui routes --json returned no routes (exit {code}): {doc.get('errors')}")
        walls.append(wall)
        rsss.append(rss)
    return statistics.median(walls), statistics.median(rsss), size


async def pane(routes, neighbors, rounds: int) -> dict:
    """The routes view at 100x30: data arrives -> first frame showing it; keystrokes in `/` -> frame.

    Public hooks only: the monitor's publish (what it does after a fetch), the view's applied_version (the feed
    version on screen), filter_text and rows_pending, and Textual's call_after_refresh for the frame."""
    from textual import events

    from tftui.core.inventory import ClusterSpec, NodeSpec
    from tftui.core.routes.config import RouterSpec
    from tftui.services.heap import settle_heap
    from tftui.services.registry import Services
    from tftui.services.routes import BIG_TABLE, RouterMonitor
    from tftui.ui.app import TftuiApp

    mon = RouterMonitor(RouterSpec("bench", "127.0.0.1", 1), None, interval=3600)
    mon.autostart = False  # the bench hands it the tables
    spec = ClusterSpec(name="bench", nodes=(NodeSpec("ctrl1", "127.0.0.1", ("config",)),))
    app = TftuiApp(spec, services=Services(spec, autopoll=False, overrides={"router": mon}), view="routes")
    result: dict[str, list[float]] = {"show": [], "key": [], "enter": []}
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen

        async def next_frame() -> float:
            """Wall time of the first frame painted from now."""
            painted: list[float] = []
            app.call_after_refresh(lambda: painted.append(time.perf_counter()))
            while not painted:
                await asyncio.sleep(0.001)
            return painted[0]

        for _ in range(rounds):
            mon.state.routes, mon.state.neighbors = [], []
            mon.publish(mon.state)
            while screen.applied_version < mon.version:
                await asyncio.sleep(0.001)
            await pilot.pause()
            mon.state.routes, mon.state.neighbors = routes, neighbors
            t0 = time.perf_counter()
            if len(routes) > BIG_TABLE:  # what RouterMonitor.refresh does with a big table before it publishes
                settle_heap()
            mon.publish(mon.state)
            while screen.applied_version < mon.version or screen.rows_pending:
                await asyncio.sleep(0.001)
            result["show"].append((await next_frame() - t0) * 1000)
        await pilot.pause()
        box = screen.filter_box

        async def timed(kind: str, key: str) -> None:
            handled: list[float] = []
            t0 = time.perf_counter()
            app.post_message(events.Key(key, key if len(key) == 1 else None))
            app.call_later(lambda: handled.append(time.perf_counter()))
            while not handled:
                await asyncio.sleep(0.001)
            while screen.filter_text != box.value.strip() or screen.rows_pending:  # the table shows the box
                await asyncio.sleep(0.001)
            result[kind].append((await next_frame() - t0) * 1000)
            await asyncio.sleep(0.02)

        for _ in range(rounds):
            await pilot.press("slash")
            await pilot.pause()
            for key in FILTER_KEYS:
                await timed("key", key)
            await timed("enter", "enter")
            await pilot.press("escape")  # clears the filter: every round starts from the whole table
            await pilot.pause()
    result["_live"] = [1.0]
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
              f"{m['held'] - m['before']:>6.0f}")
    print("(parse: reply text -> routes as the client does it, json.loads included; peak MB: a fresh interpreter holding the output and parsing it; +MB: "
          "its RSS after parsing minus before)")
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
