"""``tftui peer add|remove``: peer the gateway router with TF's control nodes on both sides, or take it away.

Prints the plan as a diff, asks for confirmation (unless --yes), applies both sides, and with --wait S follows
the sessions and the gatewayless cross-check. Exit status: 0 applied (and with --wait: Established on the
router's side and on each control node's -- its BGP neighbor introspect, when the inventory lists the control
nodes -- with every pod /32 on the router within S seconds; for remove: the sessions gone); 1 refused by the
router or TF (rolled back), or --wait ran out, or the router/config API could not be read; 2 usage, config or
plan problems, no confirmation, or --readonly.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys

from tftui.services.config import add_config_arguments

from .common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, error, load_config_or_raise


def fail(message: str, code: int) -> int:
    error(message)
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("peer", help="peer the gateway router with TF's control nodes (both sides), or undo it")
    psub = p.add_subparsers(dest="peer_command", metavar="ACTION", required=True)
    for action, text in (("add", "configure the BGP session on the router and in TF, then watch it come up"),
                         ("remove", "remove the BGP session from the router and from TF")):
        a = psub.add_parser(action, help=text)
        add_config_arguments(a)
        a.add_argument("--router", metavar="NAME", help="which router of the cluster's routers: list (default: first)")
        a.add_argument("--control", metavar="NODE", action="append", default=[],
                       help="a control node (its bgp-router name); repeat for several (default: all)")
        a.add_argument("--dry-run", action="store_true", help="show the plan only")
        a.add_argument("--yes", action="store_true", help="apply without asking")
        a.add_argument("--wait", type=float, metavar="S", default=None,
                       help="after applying, wait up to S seconds for the sessions (and, for add, every pod's /32)")
        a.add_argument("--json", action="store_true", help="print one JSON document")
        a.add_argument("--router-address", metavar="ADDR",
                       help="the address the control nodes peer with (default: the router's SSH host)")
        a.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                       help="send nothing: refuse unless --dry-run (same as tftui --readonly)")
        if action == "add":
            a.add_argument("--router-asn", metavar="ASN", help="the router's AS, when it has no BGP instance yet")
            a.add_argument("--hold-time", metavar="S", help="hold time of TF's bgp-router object (default: 90, "
                                                              "or what the object already has)")
            a.add_argument("--ebgp-policy", choices=("no-requirement", "route-map", "keep"),
                           help="plain FRR 7.4+ refuses eBGP routes without a policy: turn the requirement off, "
                                "add a permit-all import route-map for the control nodes, or keep it as it is")
        a.set_defaults(func=run)


def _options(args: argparse.Namespace):
    from tftui.core.peering import validate
    from tftui.core.peering.plan import PeerOptions

    router_asn = getattr(args, "router_asn", None)
    hold = getattr(args, "hold_time", None)
    return PeerOptions(
        controls=tuple(args.control), ebgp=getattr(args, "ebgp_policy", None),
        hold_time=validate.hold_time(hold, "--hold-time") if hold is not None else None,
        router_asn=validate.asn(router_asn, "--router-asn") if router_asn is not None else None,
        router_address=args.router_address)


async def _prompt(message: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    return await asyncio.to_thread(getpass.getpass, f"{message}: ")


def _confirm(args: argparse.Namespace) -> bool | None:
    """True: go ahead. False: the operator said no. None: nobody to ask."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        return None
    answer = input("Apply this change on both sides? [y/N] ").strip().lower()
    return answer in ("y", "yes")


class _Out:
    """Human text to stdout, or with --json everything gathered into one document (progress then to stderr)."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.doc: dict = {}

    def say(self, text: str) -> None:
        print(text, file=sys.stderr if self.as_json else sys.stdout, flush=True)

    def finish(self, code: int) -> int:
        if self.as_json:
            self.doc["exit"] = code
            print(json.dumps(self.doc, indent=2))
        return code


async def _run(args: argparse.Namespace, out: _Out) -> int:
    from tftui.services.control_neighbors import ControlNeighbors
    from tftui.services.peering import PeeringService

    loaded = load_config_or_raise(args)
    readonly = bool(getattr(args, "readonly", False))
    # the control nodes' own side of each session, when the inventory lists them (their BGP neighbor introspect)
    control = ControlNeighbors.for_cluster(loaded.cluster) if args.wait is not None else None
    svc = PeeringService(loaded.cluster, args.router, readonly=readonly, prompt=_prompt, control_source=control)
    try:
        plan = await svc.plan(args.peer_command, _options(args))
        out.doc["plan"] = plan.to_json()
        out.say(plan.diff())
        if plan.problems:
            return fail("the plan cannot be applied: " + "; ".join(plan.problems), EXIT_USAGE)
        if args.dry_run:
            out.say("(dry run: nothing sent)")
            return EXIT_OK
        started = svc.clock()
        if not plan.empty:
            if readonly:
                return fail("--readonly: nothing applied (use --dry-run to see the plan)", EXIT_USAGE)
            answer = _confirm(args)
            if answer is None:
                return fail("no terminal to confirm on: pass --yes to apply", EXIT_USAGE)
            if not answer:
                out.say("not applied")
                return EXIT_USAGE
            result = await svc.apply(plan)
            out.doc["applied"] = {"ok": result.ok, "message": result.message, "tf": result.tf_written,
                                  "router": result.router.words() if result.router else None}
            if not result.ok:
                return fail(result.words(), EXIT_FAIL)
            for warning in result.router.warnings if result.router else []:
                out.say(f"warning: {warning}")
            out.say("applied on both sides")
            started = svc.clock()
        else:
            out.say("nothing to change")
        if args.wait is None:
            return EXIT_OK
        last: list[tuple] = []

        def show(status) -> None:
            if not last or status.key() != last[0]:
                out.say("\n".join(status.lines()))
            last[:] = [status.key()]

        status = await svc.watch(plan, args.wait, show, started)
        out.doc["status"] = status.to_json()
        if status.done:
            out.say(f"done after {status.elapsed:.0f}s")
            if plan.brings_up:
                from tftui.core.peering.checks import data_path_advice

                out.say(data_path_advice([plan.router.address]).words())
            return EXIT_OK
        causes = await svc.causes(plan, status)
        out.doc["causes"] = [{"key": c.key, "verdict": c.verdict, "title": c.title, "detail": c.detail} for c in causes]
        out.say(f"not done within {args.wait:g}s; likely causes:")
        for c in causes:
            out.say(f"  {c.words()}")
        return EXIT_FAIL
    finally:
        await svc.aclose()
        if control is not None:
            await control.aclose()


def run(args: argparse.Namespace) -> int:
    from tftui.services.logsetup import headless_logging

    headless_logging()
    from tftui.clients.configapi import ConfigApiError
    from tftui.clients.router import RouterError
    from tftui.core.inventory import ConfigError
    from tftui.core.policy.validate import ValidationError
    from tftui.services.policy import ReadOnlyError

    if args.wait is not None and args.wait < 0:
        return fail("--wait must be 0 or more seconds", EXIT_USAGE)
    out = _Out(args.json)
    try:
        return out.finish(asyncio.run(_run(args, out)))
    except (ConfigError, ValidationError) as exc:
        return out.finish(fail(str(exc), EXIT_USAGE))
    except ReadOnlyError as exc:
        return out.finish(fail(str(exc), EXIT_USAGE))
    except (RouterError, ConfigApiError) as exc:
        return out.finish(fail(str(exc), EXIT_FAIL))
