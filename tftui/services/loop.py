"""The event loop: uvloop where available. At fleet scale the poller is bound by per-request event-loop work
(task creation, callbacks, socket sends); uvloop roughly halves it (see benchmarks/bench_poll.py)."""

from __future__ import annotations

import asyncio
import os


def install_fast_loop() -> str:
    if os.environ.get("TFTUI_ASYNCIO_LOOP") == "asyncio":
        return "asyncio"
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"
