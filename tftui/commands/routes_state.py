"""``tftui routes --control [NODE]`` and ``tftui routes --vrouter NAME``: the routes the control nodes and the agents
hold, in the router routes' JSON shape with per-path ``source`` and ``label``. Exit status: 0 read; 1 a node could
not be read; 2 bad usage or config."""

from __future__ import annotations

import argparse
import asyncio
import json

from .common import error, load_config_or_raise, write_stdout

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


async def _with_service(spec, call):
    from tftui.services.network_state import NetworkStateService

    svc = NetworkStateService(spec)
    try:
        return await call(svc)
    finally:
        await svc.close()


def control_output(snap, as_json: bool) -> str:
    from tftui.core.control.render import route_json, routes_text

    if as_json:
        routes = [route_json(node, t, r) for node, t in snap.tables for r in t.routes]
        doc = {"control_nodes": sorted({node for node, _ in snap.tables} | {n for n, _ in snap.errors}),
               "routes": routes, "errors": [{"control_node": n, "error": e} for n, e in snap.errors]}
        return json.dumps(doc, indent=2) + "\n"
    out = []
    for node in dict.fromkeys(node for node, _ in snap.tables):
        out += [f"# {node}", routes_text([t for n, t in snap.tables if n == node]), ""]
    return "\n".join(out) if out else "no routes\n"


def vrouter_output(snap, as_json: bool) -> str:
    from tftui.core.vrouter.render import route_json, route_lines

    if as_json:
        doc = {"vrouter": snap.vrouter, "address": snap.address, "vrf": snap.vrf or None,
               "vrfs": [{"name": v.name, "index": v.ucindex, "vn": v.vn} for v in snap.vrfs],
               "routes": [route_json(snap.vrouter, r) for r in snap.routes],
               "errors": [{"part": what, "error": why} for what, why in snap.errors]}
        return json.dumps(doc, indent=2) + "\n"
    lines = [f"# {snap.vrouter} ({snap.address}) VRF {snap.vrf or '-'}"]
    for r in snap.routes:
        lines += route_lines(r)
    if not snap.routes:
        lines.append("no routes")
    return "\n".join(lines) + "\n"


def run_state(args: argparse.Namespace) -> int:
    from tftui.core.inventory import ConfigError
    from tftui.services.network_state import StateError

    try:
        spec = load_config_or_raise(args).cluster
        if args.control is not None:
            if args.vrf:
                raise ConfigError("--vrf goes with --vrouter")
            snap = asyncio.run(_with_service(spec, lambda s: s.control_routes(
                args.control or None, args.instance, args.table, args.prefix, args.protocol, args.source)))
            text, failed = control_output(snap, args.json), [e for _, e in snap.errors]  # reasons name the node
        else:
            if args.instance or args.table or args.protocol or args.source:
                raise ConfigError("--instance, --table, --protocol and --source go with --control")
            snap = asyncio.run(_with_service(spec, lambda s: s.vrouter(args.vrouter, args.vrf, args.prefix, parts=())))
            text = vrouter_output(snap, args.json)
            failed = [f"{snap.vrouter} {what}: {why}" for what, why in snap.errors if what in ("VRFs", "routes")]
    except (ConfigError, StateError) as exc:
        error(str(exc))
        return EXIT_USAGE
    write_stdout(text)
    for line in failed:
        error(line)
    return EXIT_FAILED if failed else EXIT_OK
