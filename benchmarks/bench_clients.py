#!/usr/bin/env python3
"""HTTP clients side by side, in one run, on the same lab: what one introspect GET costs at fleet scale.

Every client fetches every introspect of the fleet (NodeStatus, 4048 requests at 2000 vrouters) three times
over keep-alive connections, 256 in flight; the figures are wall and CPU seconds of the first round
(connections opened) and of a steady round (the median of the next two), and CPU microseconds per request.

- tftui: the introspect client as shipped (asyncio + httptools, clients/http1.py), on uvloop and on asyncio;
- aiohttp: a ClientSession set up as tftui's client was until this benchmark (one TCPConnector, no
  decompression, the body read in capped chunks), on uvloop;
- httpx: one AsyncClient with a pool as large as the fleet, on uvloop;
- pycurl: libcurl's multi interface, one easy handle per target, driven with select(); bare, and with the
  size cap and the Content-Encoding refusal in Python callbacks (what tftui's guarantees would cost there).

    python benchmarks/bench_clients.py            # 2000 vrouters
    python benchmarks/bench_clients.py --quick    # 50 vrouters
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import add_lab_arguments, cpu, fleet_lab, load_line  # noqa: E402
from tftui.clients.introspect import NODE_STATUS_PATH, IntrospectClient, IntrospectSettings  # noqa: E402
from tftui.services.config import load_config  # noqa: E402

ROUNDS = 3
IN_FLIGHT = 256
CAP = 8 * 1024 * 1024


async def _rounds(fetch_all) -> list[tuple[float, float, int]]:
    out = []
    for _ in range(ROUNDS):
        c0, t0 = cpu(), time.perf_counter()
        sizes = await fetch_all()
        out.append((time.perf_counter() - t0, cpu() - c0, sum(sizes)))
    return out


async def run_tftui(targets):
    async with IntrospectClient(IntrospectSettings(concurrency=IN_FLIGHT, timeout=30)) as client:
        async def fetch_all():
            results = await asyncio.gather(*(client.node_status(a, p) for a, p in targets))
            assert all(r.http_status == 200 for r in results), {r.error for r in results}
            return [len(r.body) for r in results]

        return await _rounds(fetch_all)


async def answering(candidates):
    async with IntrospectClient(IntrospectSettings(concurrency=IN_FLIGHT, timeout=30)) as client:
        results = await asyncio.gather(*(client.node_status(a, p) for a, p in candidates))
    return [t for t, r in zip(candidates, results, strict=True) if r.http_status == 200]


async def run_aiohttp(targets):
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0, limit_per_host=4, ssl=False, keepalive_timeout=60, ttl_dns_cache=300)
    sem = asyncio.Semaphore(IN_FLIGHT)
    timeout = aiohttp.ClientTimeout(total=30)
    urls = [f"http://{a}:{p}{NODE_STATUS_PATH}" for a, p in targets]
    async with aiohttp.ClientSession(connector=connector, trust_env=False, auto_decompress=False,
                                     headers={"Accept-Encoding": "identity"}) as session:
        async def one(url):
            async with sem, session.get(url, allow_redirects=False, timeout=timeout) as resp:
                chunks, size = [], 0
                async for chunk in resp.content.iter_chunked(65536):
                    size += len(chunk)
                    if size > CAP:
                        raise ValueError("too large")
                    chunks.append(chunk)
                return len(b"".join(chunks))

        async def fetch_all():
            return await asyncio.gather(*(one(u) for u in urls))

        return await _rounds(fetch_all)


async def run_httpx(targets):
    import httpx

    sem = asyncio.Semaphore(IN_FLIGHT)
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=len(targets))
    urls = [f"http://{a}:{p}{NODE_STATUS_PATH}" for a, p in targets]
    async with httpx.AsyncClient(limits=limits, trust_env=False, timeout=30) as client:
        async def one(url):
            async with sem:
                try:
                    return len((await client.get(url)).content)
                except httpx.HTTPError:  # counted: the bodies' total then differs from the others'
                    return -(10**9)

        async def fetch_all():
            return await asyncio.gather(*(one(u) for u in urls))

        return await _rounds(fetch_all)


class _CappedBody:
    """What tftui's guarantees cost with curl: the body counted against the cap as it arrives, and a
    Content-Encoding refused, in Python callbacks (curl's own MAXFILESIZE trusts Content-Length)."""

    def __init__(self):
        self.chunks, self.size, self.refused = [], 0, False

    def write(self, data: bytes):
        self.size += len(data)
        if self.size > CAP:
            return 0  # curl aborts the transfer
        self.chunks.append(data)
        return None

    def header(self, line: bytes):
        if line[:17].lower() == b"content-encoding:" and line[17:].strip().lower() not in (b"", b"identity"):
            self.refused = True
            return 0
        return None

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def run_pycurl(targets, guarded: bool = False):
    import pycurl

    multi = pycurl.CurlMulti()
    multi.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, IN_FLIGHT)
    handles = []
    for a, p in targets:
        h = pycurl.Curl()
        h.setopt(pycurl.URL, f"http://{a}:{p}{NODE_STATUS_PATH}")
        h.setopt(pycurl.PROXY, "")  # never the environment's proxy
        h.setopt(pycurl.TIMEOUT, 30)
        h.setopt(pycurl.MAXFILESIZE, CAP)
        handles.append(h)
    out = []
    for _ in range(ROUNDS):
        c0, t0 = cpu(), time.perf_counter()
        buffers = []
        for h in handles:
            if guarded:
                buf = _CappedBody()
                h.setopt(pycurl.WRITEFUNCTION, buf.write)
                h.setopt(pycurl.HEADERFUNCTION, buf.header)
            else:
                buf = io.BytesIO()
                h.setopt(pycurl.WRITEDATA, buf)
            buffers.append(buf)
            multi.add_handle(h)
        pending = len(handles)
        while pending:
            while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                pass
            while True:
                queued, ok, failed = multi.info_read()
                for h in ok:
                    multi.remove_handle(h)
                for h, _, _ in failed:
                    multi.remove_handle(h)
                pending -= len(ok) + len(failed)
                if not queued:
                    break
            if pending:
                multi.select(0.5)
        out.append((time.perf_counter() - t0, cpu() - c0, sum(len(b.getvalue()) for b in buffers)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vrouters", type=int, default=2000)
    ap.add_argument("--latency", type=float, default=5.0, help="simulated server ms per reply (default 5)")
    ap.add_argument("--quick", action="store_true")
    add_lab_arguments(ap)
    args = ap.parse_args()
    if args.quick:
        args.vrouters = 50
    import uvloop

    lab = fleet_lab(args, args.vrouters, extra=("--latency", str(args.latency)))
    try:
        spec = load_config(str(lab.config_path)).cluster
        # Every introspect the nodes answer (before a node's release is known, some ports it may have are closed).
        candidates = [(n.address, s.port) for n in spec.nodes for s in n.services() if s.port]
        targets = uvloop.run(answering(candidates))
        contenders = [
            ("tftui (asyncio+httptools), uvloop", lambda: uvloop.run(run_tftui(targets))),
            ("tftui (asyncio+httptools), asyncio", lambda: asyncio.run(run_tftui(targets))),
            ("aiohttp, uvloop", lambda: uvloop.run(run_aiohttp(targets))),
            ("httpx, uvloop", lambda: uvloop.run(run_httpx(targets))),
            ("pycurl multi", lambda: run_pycurl(targets)),
            ("pycurl multi, cap+encoding callbacks", lambda: run_pycurl(targets, guarded=True)),
        ]
        results = {}
        for name, fn in contenders:
            try:
                results[name] = fn()
            except ImportError as exc:
                results[name] = f"not installed ({exc.name})"
    finally:
        lab.stop()
    print(f"HTTP clients: {len(targets)} introspect GETs per round ({args.vrouters} vrouters + 3 controllers), "
          f"{args.latency:g} ms simulated server time, {IN_FLIGHT} in flight, lab in its own process; {load_line()}")
    print(f"{'client':<38}{'first wall':>11}{'first cpu':>10}{'steady wall':>12}{'steady cpu':>11}{'us/req':>8}")
    reference = None
    expected = next(r[0][2] for r in results.values() if not isinstance(r, str))  # tftui's bytes, all complete
    for name, rounds in results.items():
        if isinstance(rounds, str):
            print(f"{name:<38}{rounds}")
            continue
        (w0, c0, _), steady = rounds[0], rounds[1:]
        failed = "" if all(r[2] == expected for r in rounds) else "  (some requests FAILED)"
        wall, cpu_s = statistics.median(r[0] for r in steady), statistics.median(r[1] for r in steady)
        per = cpu_s / len(targets) * 1e6
        reference = reference or per
        print(f"{name:<38}{w0:>11.2f}{c0:>10.2f}{wall:>12.2f}{cpu_s:>11.2f}{per:>8.0f}  ({per / reference:.1f}x){failed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
