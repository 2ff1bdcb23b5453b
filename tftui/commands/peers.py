"""``tftui peers [--node CONTROL] [--json]``: every control node's BGP and XMPP neighbors, and what is down.

A finding is a peer that should be Established and is not: a BGP neighbor not Established, a control node missing
from another's BGP peers, the gateway router Established with no control node, an XMPP session listed but not
Established, a vrouter of the inventory with fewer Established XMPP sessions than it keeps (two, or every control
node when there are fewer). Exit status: 0 none; 1 findings, or a control node that could not be read; 2 bad usage
or config.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from .common import error, load_config_or_raise, write_stdout

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("peers", help="every control node's BGP and XMPP neighbors; exit 1 when one is down",
                       description=__doc__.split("\n\n")[1])
    add_config_arguments(p)
    p.add_argument("--node", metavar="CONTROL", help="only this control node")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


async def _peers(spec, node: str | None):
    from tftui.services.network_state import NetworkStateService

    svc = NetworkStateService(spec)
    try:
        return await svc.peers(node)
    finally:
        await svc.close()


def peers_text(snap) -> str:
    from tftui.core.control.render import grid

    columns = ("control", "peer", "address", "asn", "encoding", "type", "state", "send state", "flaps", "last flap",
               "prefixes")
    rows = [(r.control_node, n.peer, n.peer_address, str(n.peer_asn), n.encoding, n.peer_type,
             n.state + (" (deleted)" if n.deleted else ""), n.send_state, str(n.flap_count), n.last_flap or "n/a",
             str(n.prefixes)) for r in snap.peers for n in (r.neighbor,)]
    lines = [grid(columns, rows)] if rows else ["no neighbors"]
    lines += [f"! {f.message}" for f in snap.findings]
    lines += [f"? {why}" for _, why in snap.errors]  # the reason names the node
    if not snap.findings and not snap.errors:
        lines.append("every peer is Established as expected")
    return "\n".join(lines) + "\n"


def peers_json(snap) -> str:
    doc = {"peers": [r.to_json() for r in snap.peers],
           "findings": [{"kind": f.kind, "subject": f.subject, "control_node": f.control_node or None,
                         "message": f.message} for f in snap.findings],
           "errors": [{"control_node": node, "error": why} for node, why in snap.errors]}
    return json.dumps(doc, indent=2) + "\n"


def run(args: argparse.Namespace) -> int:
    from tftui.core.inventory import ConfigError
    from tftui.services.logsetup import headless_logging
    from tftui.services.network_state import StateError

    headless_logging()
    try:
        spec = load_config_or_raise(args).cluster
        if not any("control" in n.roles for n in spec.nodes):
            raise ConfigError(f"cluster {spec.name} has no control node")
        snap = asyncio.run(_peers(spec, args.node))
    except (ConfigError, StateError) as exc:
        error(str(exc))
        return EXIT_USAGE
    write_stdout(peers_json(snap) if args.json else peers_text(snap))
    for _, why in snap.errors:
        error(why)
    return EXIT_FAILED if snap.findings or snap.errors else EXIT_OK
