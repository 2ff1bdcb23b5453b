"""``tftui status``: contrail-status for every node at once, as text or JSON, with a monitoring exit code."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

EXIT_USAGE = 2


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("status", help="print what contrail-status would print on every node (no login needed)")
    add_config_arguments(p)
    p.add_argument("--node", action="append", metavar="NAME", help="only this node (repeatable)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--source", choices=("auto", "introspect", "analytics"), default=None,
                   help="where NodeStatus comes from (default: the cluster's status_source, else introspect)")
    p.set_defaults(func=run)


def known_names(names: list[str], wanted: list[str], limit: int = 40) -> str:
    """``known: a, b, c`` (the closest to what was asked first; a long list cut with a count)."""
    import difflib

    close = [m for w in wanted for m in difflib.get_close_matches(w, names, n=3, cutoff=0.6)]
    ordered = list(dict.fromkeys(close + names))
    shown = ", ".join(ordered[:limit])
    more = f" and {len(ordered) - limit} more" if len(ordered) > limit else ""
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"known: {shown}{more}{hint}"


async def _poll(spec, source):
    from tftui.services.poller import Poller

    poller = Poller(spec, status_source=source)
    try:
        await poller.poll_round(force=True)
    finally:
        await poller.close()
    return poller.state.ordered()


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from tftui.core.inventory import ConfigError
    from tftui.core.render import exit_code, status_json, status_text

    from .common import load_config_or_raise

    try:
        loaded = load_config_or_raise(args)
    except ConfigError as exc:
        print(f"tftui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from tftui.services.discovery import resolve_nodes

    spec, warning = resolve_nodes(loaded.cluster)
    if warning:
        print(f"tftui: warning: {warning}", file=sys.stderr)
    if not spec.nodes:
        print(f"tftui: cluster {spec.name} has no nodes", file=sys.stderr)
        return EXIT_USAGE
    if args.node:
        unknown = [n for n in args.node if spec.node(n) is None]
        if unknown:
            print(f"tftui: no node {', '.join(unknown)} in cluster {spec.name}; "
                  f"{known_names([n.name for n in spec.nodes], unknown)}", file=sys.stderr)
            return EXIT_USAGE
        spec = replace(spec, nodes=tuple(n for n in spec.nodes if n.name in args.node))
    from tftui.core.analytics.settings import analytics_settings, status_source
    from tftui.services.status_sources import status_source_for

    try:
        mode = args.source or status_source(spec)
        if mode == "analytics" and analytics_settings(spec) is None:
            print(f"tftui: cluster {spec.name} has no analytics API (no analytics_api, no analytics node); "
                  f"use --source introspect", file=sys.stderr)
            return EXIT_USAGE
        source = status_source_for(spec, mode)
    except ConfigError as exc:
        print(f"tftui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    results = asyncio.run(_poll(spec, source))
    if source is not None and source.last_error and mode == "analytics":
        print(f"tftui: warning: {source.last_error}; node status came from introspect", file=sys.stderr)
    if args.json:
        json.dump(status_json(results), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(status_text(results))
    return exit_code(results)
