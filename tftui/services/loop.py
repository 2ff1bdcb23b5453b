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


def raise_open_files_limit() -> None:
    """Soft limit up to the hard one: the poller keeps a connection per introspect (two per vrouter)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
