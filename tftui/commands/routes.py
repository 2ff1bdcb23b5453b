"""`tftui routes` (the gateway router's neighbors and routes) and `tftui check gatewayless` (pods vs routes).

Exit status: 0 fine; 1 the router could not be read (routes) or the cross-check found problems (check);
2 usage/config errors; 3 (check) no problem found but no pod/VM /32 could be compared (no vrouters known,
or no interface list): the check says what it lacked.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys

from tftui.services.config import add_config_arguments

from .common import (
    EXIT_FAIL,
    EXIT_NOTHING_COMPARED,
    EXIT_OK,
    EXIT_USAGE,
    error,
    load_config_or_raise,
    warning,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("routes", help="routes of the gateway router (over SSH), the control nodes or a vrouter",
                              description="Alone: the gateway router's neighbors and routes. --control: the control "
                                          "nodes' routes (ShowRouteReq). --vrouter: one vrouter's VRF routes.")
    add_config_arguments(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--router", metavar="NAME", help="which router of the cluster's routers: list (default: first)")
    where.add_argument("--control", metavar="NODE", nargs="?", const="",
                       help="the control nodes' routes (every control node, or NODE)")
    where.add_argument("--vrouter", metavar="NAME", help="one vrouter's routes (its agent's VRF tables)")
    p.add_argument("--instance", metavar="RI", default="", help="--control: only this routing instance")
    p.add_argument("--table", metavar="T", default="", help="--control: only this table (inet.0, <RI>.inet.0, ...)")
    p.add_argument("--protocol", metavar="P", default="", help="--control: only paths of this protocol (BGP, XMPP...)")
    p.add_argument("--source", metavar="PEER", default="", help="--control: only paths learned from this peer")
    p.add_argument("--vrf", metavar="VRF", help="--vrouter: the VRF (default: the first network VRF)")
    p.add_argument("--prefix", metavar="P", default="",
                   help="--control: prefixes matching P (a regular expression, as the control node reads it); "
                        "--vrouter: the route ADDR/LEN exactly")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)
    c = subparsers.add_parser("check", help="consistency checks across the cluster")
    csub = c.add_subparsers(dest="check", metavar="CHECK", required=True)
    g = csub.add_parser("gatewayless", help="every pod/VM /32 on an IP-fabric-forwarding network is on the router, "
                                            "via its own vrouter")
    add_config_arguments(g)
    g.add_argument("--router", metavar="NAME", help="which router (default: first)")
    g.add_argument("--hosts", metavar="FILE", help="interface list (YAML/JSON: vm_name, ip, vrouter_address, network, "
                                                   "ip_fabric_forwarding); default: the vrouter agents, with IP fabric forwarding networks from the config API or gatewayless.networks, else gatewayless.hosts_file")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(func=run_check)


async def _prompt(message: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    return await asyncio.to_thread(getpass.getpass, f"{message}: ")


def _monitor(args: argparse.Namespace):
    from tftui.core.inventory import ConfigError
    from tftui.services.gatewayless import hosts_from_file
    from tftui.services.routes import RouterMonitor

    try:
        loaded = load_config_or_raise(args)
        mon = RouterMonitor.from_cluster(loaded.cluster, getattr(args, "router", None), _prompt)
    except ConfigError as exc:
        error(exc)
        return None
    if getattr(args, "hosts", None):
        mon.hosts = hosts_from_file(args.hosts)
    return mon


async def _fetch(mon):
    try:
        return await mon.refresh()
    finally:
        await mon.stop()


def _report(st) -> None:
    for w in st.warnings:
        warning(w)
    for e in st.errors:
        error(e)


def run(args: argparse.Namespace) -> int:
    from tftui.core.routes.render import routes_document_chunks, routes_text
    from tftui.services.logsetup import headless_logging

    headless_logging()
    if args.control is not None or args.vrouter:
        from .routes_state import run_state

        return run_state(args)
    if args.instance or args.table or args.protocol or args.source or args.vrf or args.prefix:
        return error("--instance, --table, --protocol, --source, --vrf and --prefix go with --control or --vrouter",
                     EXIT_USAGE)

    mon = _monitor(args)
    if mon is None:
        return EXIT_USAGE
    mon.hosts = None  # this command prints no cross-check: do not poll every agent for one
    mon.cross_checks = False
    mon.settle_big_tables = False
    st = asyncio.run(_fetch(mon))
    _report(st)
    if st.last_fetched is None:
        return EXIT_FAIL
    if args.json:
        for chunk in routes_document_chunks(st.name, st.suite, st.neighbors, st.routes, st.warnings, st.errors):
            sys.stdout.write(chunk)
        sys.stdout.flush()
    else:
        print(routes_text(st.name, st.suite, st.neighbors, st.routes))
    return EXIT_FAIL if st.errors else EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from tftui.services.logsetup import headless_logging

    headless_logging()
    from tftui.core.routes.render import crosscheck_document, crosscheck_text

    mon = _monitor(args)
    if mon is None:
        return EXIT_USAGE
    st = asyncio.run(_fetch(mon))
    _report(st)
    if st.check is None:
        return error(f"cannot check: {st.check_note or 'no data'}", EXIT_USAGE)
    if args.json:
        print(json.dumps(crosscheck_document(st.name, st.check), indent=2))
    else:
        print(crosscheck_text(st.name, st.check))
    if st.check.problems:
        return EXIT_FAIL
    return EXIT_NOTHING_COMPARED if st.check.note else EXIT_OK
