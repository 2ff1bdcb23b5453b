"""``tftui introspect NODE SERVICE [REQUEST [FIELD=VALUE ...]]``: any introspect request of any daemon.

Without REQUEST: the modules and requests the daemon offers, read from its own index and module pages.
With one: the decoded reply, every page followed (text: an indented tree; ``--json``: the Sandesh tree
with types dropped). Arguments go by field name and are sent in declaration order, as introspect binds
them; requests with side effects are refused. Exit codes: 0 answered; 1 the node answered with an error
or not at all; 2 bad usage (unknown node, service, request or field; a request with side effects).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json

from .common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, error, load_config_or_raise, warning, write_stdout


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("introspect", help="send any introspect request to a node's daemon (read-only)",
                       description=__doc__.split("\n\n")[1])
    add_config_arguments(p)
    p.add_argument("node", metavar="NODE", help="node name or address")
    p.add_argument("service", metavar="SERVICE", help="service key (vrouter-agent, control, ...) or port")
    p.add_argument("request", metavar="REQUEST", nargs="?", help="e.g. VrfListReq; none: list what it offers")
    p.add_argument("fields", metavar="FIELD=VALUE", nargs="*", help="request fields by name")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--max-pages", type=int, default=50, metavar="N", help="pages to follow at most (default 50)")
    p.set_defaults(func=run)


class UsageError(Exception):
    pass


def _target(spec, node_arg: str, service_arg: str) -> tuple[str, str, int, str | None]:
    """(node name, address, port, service key or None) from what the operator typed."""
    from tftui.core.catalog import ROLE_SERVICES

    node = spec.node(node_arg) or next((n for n in spec.nodes if n.address == node_arg), None)
    if node is None:
        try:
            ipaddress.ip_address(node_arg)
        except ValueError:
            known = ", ".join(n.name for n in spec.nodes[:20]) or "none"
            raise UsageError(f"no node {node_arg!r} in cluster {spec.name} (known: {known})") from None
    services = node.services() if node is not None else []
    name, address = (node.name, node.address) if node is not None else (node_arg, node_arg)
    if service_arg.isdigit() and 0 < int(service_arg) < 65536:
        port = int(service_arg)
        key = next((s.key for s in services if s.port == port), None)
        return name, address, port, key
    svc = next((s for s in services if s.key == service_arg and s.port), None)
    if svc is None and node is None:  # a bare address: the service's default port
        svc = next((s for group in ROLE_SERVICES.values() for s in group if s.key == service_arg and s.port), None)
    if svc is None:
        offered = ", ".join(s.key for s in services if s.port) or "none"
        raise UsageError(f"{name} has no introspect service {service_arg!r} (it has: {offered}); "
                         "give a service key or a port")
    return name, address, svc.port, svc.key


def _field_args(words: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in words:
        name, eq, value = word.partition("=")
        if not eq or not name:
            raise UsageError(f"arguments are FIELD=VALUE, not {word[:60]!r}")
        out[name] = value
    return out


def _settings(spec):
    from tftui.clients.introspect import IntrospectSettings

    return IntrospectSettings.from_cluster(spec)


async def _offered(spec, address: str, port: int):
    from tftui.clients.introspect_requests import IntrospectRequester

    async with IntrospectRequester(_settings(spec)) as requester:
        return await requester.offered(address, port)


async def _ask(spec, address: str, port: int, request: str, fields: dict, service: str | None, max_pages: int):
    from tftui.clients.introspect_requests import IntrospectRequester, RequestLimits

    async with IntrospectRequester(_settings(spec), RequestLimits(max_pages=max_pages)) as requester:
        return await requester.request(address, port, request, fields, service=service)


def _offered_output(header: dict, offered: dict, as_json: bool) -> str:
    from tftui.core.introspect import side_effect

    if as_json:
        modules = [{"name": mod, "requests": [
            {"name": r.name, "fields": [{"name": f.name, "type": f.type} for f in r.fields],
             "writes": side_effect(r) or None} for r in reqs]} for mod, reqs in offered.items()]
        return json.dumps({**header, "modules": modules}, indent=2) + "\n"
    lines = [f"# {header['node']} ({header['address']}:{header['port']})"]
    for mod, reqs in offered.items():
        lines.append(mod)
        for r in reqs:
            note = "  [not sent: has side effects]" if side_effect(r) else ""
            lines.append(f"  {r.name}" + "".join(f" {f.name}" for f in r.fields) + note)
    return "\n".join(lines) + "\n"


def _reply_output(header: dict, reply, fields: dict, as_json: bool) -> str:
    from tftui.core.introspect.tree import reply_json, tree_text

    if as_json:
        more = {"request": reply.more.request, "key": reply.more.key} if reply.more else None
        return json.dumps({**header, "request": reply.request, "args": fields, "pages": reply.pages,
                           "complete": reply.complete, "stopped": reply.stopped or None, "more": more,
                           "error": reply.error, "messages": reply_json(reply.messages)}, indent=2) + "\n"
    return f"# {header['node']} ({header['address']}:{header['port']}) {reply.request}\n" + tree_text(reply.messages)


def run(args: argparse.Namespace) -> int:
    from tftui.clients.introspect_requests import RequestRefused, ServerUnreadable
    from tftui.core.inventory import ConfigError

    try:
        spec = load_config_or_raise(args).cluster
        name, address, port, service = _target(spec, args.node, args.service)
        fields = _field_args(args.fields or [])
        if fields and not args.request:
            raise UsageError("fields given without a request")
        if args.max_pages < 1:
            raise UsageError("--max-pages must be 1 or more")
    except (ConfigError, UsageError) as exc:
        error(str(exc))
        return EXIT_USAGE
    header = {"node": name, "address": address, "port": port, "service": service}
    if not args.request:
        try:
            offered = asyncio.run(_offered(spec, address, port))
        except ServerUnreadable as exc:
            error(str(exc))
            return EXIT_FAIL
        write_stdout(_offered_output(header, offered, args.json))
        return EXIT_OK if offered else EXIT_FAIL
    try:
        reply = asyncio.run(_ask(spec, address, port, args.request, fields, service, args.max_pages))
    except RequestRefused as exc:
        error(str(exc))
        return EXIT_USAGE
    except ServerUnreadable as exc:
        error(str(exc))
        return EXIT_FAIL
    if args.json or reply.messages:
        write_stdout(_reply_output(header, reply, fields, args.json))
    if reply.stopped:
        warning(f"{reply.stopped}; the reply is incomplete")
    if reply.error:
        error(f"{name} {reply.request}: {reply.error}")
        return EXIT_FAIL
    return EXIT_OK if reply.messages else EXIT_FAIL
