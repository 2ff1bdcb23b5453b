"""``tftui exporter``: the poller, with the cluster's state served as Prometheus metrics on ``/metrics``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

EXIT_USAGE = 2
DEFAULT_LISTEN = "127.0.0.1:9838"


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("exporter", help="poll the cluster and serve its state as Prometheus metrics")
    add_config_arguments(p)
    p.add_argument("--listen", default=DEFAULT_LISTEN, metavar="ADDR:PORT",
                   help=f"where /metrics is served (default {DEFAULT_LISTEN}; [::1]:PORT for IPv6)")
    p.set_defaults(func=run)


def parse_listen(text: str) -> tuple[str, int]:
    """``ADDR:PORT`` or ``[V6ADDR]:PORT``; raises ValueError with what is wrong."""
    import ipaddress

    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ValueError(f"--listen {text!r}: expected ADDR:PORT")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise ValueError(f"--listen {text!r}: expected an IP address and a port number") from None
    if not 0 < number < 65536:
        raise ValueError(f"--listen {text!r}: port out of range")
    return host, number


async def _serve(spec, host: str, port: int) -> None:
    from prometheus_client import CollectorRegistry, start_http_server

    from tftui.services.metrics import ClusterCollector
    from tftui.services.poller import Poller

    poller = Poller(spec)
    registry = CollectorRegistry()
    registry.register(ClusterCollector(poller.state))
    server, thread = start_http_server(port, addr=host, registry=registry)
    print(f"tftui exporter: {len(spec.nodes)} nodes of {spec.name}, metrics on http://{host}:{port}/metrics",
          file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    polling = asyncio.create_task(poller.run())
    try:
        await asyncio.wait([polling, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
    finally:
        polling.cancel()
        server.shutdown()
        thread.join(5)
    if polling.done() and not polling.cancelled() and polling.exception() is not None:
        raise polling.exception()


def run(args: argparse.Namespace) -> int:
    from tftui.core.inventory import ConfigError
    from tftui.services.discovery import resolve_nodes
    from tftui.services.logsetup import headless_logging

    from .common import load_config_or_raise

    try:
        host, port = parse_listen(args.listen)
        loaded = load_config_or_raise(args)
    except (ValueError, ConfigError) as exc:  # ConfigError is a ValueError too
        print(f"tftui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    spec, warning = resolve_nodes(loaded.cluster)
    if warning:
        print(f"tftui: warning: {warning}", file=sys.stderr)
    if not spec.nodes:
        print(f"tftui: error: cluster {spec.name} has no nodes", file=sys.stderr)
        return EXIT_USAGE
    headless_logging()
    try:
        asyncio.run(_serve(spec, host, port))
    except OSError as exc:
        print(f"tftui: error: cannot serve metrics on {args.listen}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
