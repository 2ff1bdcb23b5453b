"""``tftui path POD_OR_IP [--json]``: a pod's /32 on its own vrouter's VRF, on every control node (its network's
instance, and inet.0 with IP fabric forwarding) and on the gateway router, the next hop and label at each hop,
and the first hop where it breaks (``broken_at``, null when the path is whole). Exit status: 0 whole; 1 broken,
or the pod was not found; 2 bad usage or config. A hop that could not be read is reported, not taken for a break.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from .common import error, load_config_or_raise, write_stdout

EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("path", help="a pod's /32 hop by hop (vrouter, control nodes, router); exit 1 when broken",
                       description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    add_config_arguments(p)
    p.add_argument("pod", metavar="POD_OR_IP", help="pod or VM name, its IP, or its tap interface")
    p.add_argument("--no-router", action="store_true", help="stop at the control nodes (no SSH to the router)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


async def _trace(spec, query: str, use_router: bool):
    from tftui.services.network_state import NetworkStateService
    from tftui.services.pod_path import pod_path

    svc = NetworkStateService(spec)
    try:
        return await pod_path(svc, query, use_router=use_router)
    finally:
        await svc.close()


def path_text(path) -> str:
    t = path.target
    lines = [f"{t.name} {t.prefix} on {t.vrouter} ({t.vrouter_address}), network {t.network}"
             + (", IP fabric forwarding" if t.ip_fabric_forwarding else "")]
    for h in path.hops:
        mark = "?" if h.unknown else ("ok" if h.ok else "X")
        where = f"{h.kind} {h.node}" + (f" {h.table}" if h.table else "")
        detail = h.unknown or (f"next hop {h.next_hop or '-'}" + (f" label {h.label}" if h.label is not None else "")
                               + (f" via {h.protocol}" if h.protocol else "")
                               + (f" from {h.source}" if h.source else "") if h.found else h.problem)
        lines.append(f"  {mark:<2} {where:<60} {detail}")
        if h.found and h.problem:
            lines.append(f"     {h.problem}")
    broken = path.broken_at
    lines.append(f"broken at {broken.kind} {broken.node}: {broken.problem}" if broken else "the path is whole")
    lines += [f"note: {n}" for n in path.notes]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from tftui.core.inventory import ConfigError
    from tftui.services.logsetup import headless_logging
    from tftui.services.network_state import StateError

    headless_logging()
    try:
        spec = load_config_or_raise(args).cluster
    except ConfigError as exc:
        error(str(exc))
        return EXIT_USAGE
    try:
        path = asyncio.run(_trace(spec, args.pod, not args.no_router))
    except StateError as exc:
        error(str(exc))
        return EXIT_BROKEN
    write_stdout(json.dumps(path.to_json(), indent=2) + "\n" if args.json else path_text(path))
    return EXIT_BROKEN if path.broken_at is not None else EXIT_OK
