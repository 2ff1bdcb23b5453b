"""``tftui policy export|apply`` and ``tftui networks``: the security configuration and VN switches, headless."""

from __future__ import annotations

import argparse
import json
import sys

from .common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, error, load_config_or_raise


def _config_args(p: argparse.ArgumentParser) -> None:
    # Also accepted after the subcommand; SUPPRESS keeps values given before it.
    p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="tftui config file")
    p.add_argument("--cluster", metavar="NAME", default=argparse.SUPPRESS, help="which cluster of the config")
    p.add_argument("--inventory", metavar="FILE", default=argparse.SUPPRESS, help="instances.yaml")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("policy", help="export or apply the firewall security configuration (config API)")
    psub = p.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    exp = psub.add_parser("export", help="print tags, firewall rules, policies and sets as YAML (default) or JSON")
    fmt = exp.add_mutually_exclusive_group()
    fmt.add_argument("--yaml", dest="format", action="store_const", const="yaml", default="yaml")
    fmt.add_argument("--json", dest="format", action="store_const", const="json")
    _config_args(exp)
    exp.set_defaults(func=run)
    app = psub.add_parser("apply", help="show the diff against the cluster, then create/update to match FILE")
    app.add_argument("file", metavar="FILE", help="a document written by `tftui policy export` (YAML or JSON)")
    app.add_argument("--dry-run", action="store_true", help="show the diff only")
    app.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                     help="send nothing: refuse unless --dry-run (same as tftui --readonly)")
    _config_args(app)
    app.set_defaults(func=run)
    net = sub.add_parser("networks", help="virtual networks: subnets, IP fabric forwarding, fabric SNAT")
    net.add_argument("--json", action="store_true", help="JSON instead of a table")
    _config_args(net)
    net.set_defaults(func=run_networks)


def _service(args: argparse.Namespace):
    from tftui.services.policy import PolicyService

    loaded = load_config_or_raise(args)
    return PolicyService.from_cluster(loaded.cluster, readonly=bool(getattr(args, "readonly", False)))


def _fail(exc: Exception) -> int:
    from tftui.core.inventory import ConfigError

    return error(exc, EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAIL)


async def _export(args: argparse.Namespace) -> int:
    from tftui.core.policy.export import dump_yaml, export_doc

    svc = _service(args)
    try:
        await svc.load_tags()
        await svc.load_security()
        await svc.load_ports()
        st = svc.state
        doc = export_doc(st.tags, list(st.rules.values()), st.policies, st.apss, st.ports)
    finally:
        await svc.aclose()
    sys.stdout.write(json.dumps(doc, indent=2) + "\n" if args.format == "json" else dump_yaml(doc))
    return EXIT_OK


async def _current(svc, with_ports: bool) -> dict:
    out: dict = {}
    types = ("tag", "firewall-rule", "firewall-policy", "application-policy-set")
    for type_name in types + (("virtual-machine-interface",) if with_ports else ()):
        out[type_name] = {tuple(o["fq_name"]): o for o in await svc.client.list_all(type_name)}
    return out


async def _apply(args: argparse.Namespace) -> int:
    import yaml

    from tftui.core.policy.export import parse_doc, plan
    from tftui.core.policy.models import fq_str

    try:
        with open(args.file, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)  # JSON is YAML too
    except (OSError, yaml.YAMLError) as exc:
        return error(f"cannot read {args.file}: {exc}", EXIT_USAGE)
    desired = parse_doc(doc)
    svc = _service(args)
    if svc.readonly and not args.dry_run:
        await svc.aclose()
        return error("--readonly: nothing applied (use --dry-run to see the diff)", EXIT_USAGE)
    try:
        current = await _current(svc, bool(desired.ports))
        steps = plan(desired, current)
        for step in steps:
            print(step.diff() + "\n")
        print(f"{len(steps)} change(s)" + (" (dry run: nothing sent)" if args.dry_run else ""))
        if args.dry_run:
            return EXIT_OK
        for i, step in enumerate(steps, 1):
            if step.op == "create":
                await svc.client.create(step.type, step.body)
            else:
                uid = current[step.type][step.fq_name]["uuid"]
                await svc.client.update(step.type, uid, step.body)
            print(f"[{i}/{len(steps)}] {step.op}d {step.type} {fq_str(step.fq_name)}")
    finally:
        await svc.aclose()
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    from tftui.services.logsetup import headless_logging

    headless_logging()
    import asyncio

    from tftui.clients.configapi import ConfigApiError
    from tftui.core.inventory import ConfigError
    from tftui.core.policy.validate import ValidationError

    try:
        return asyncio.run(_export(args) if args.policy_command == "export" else _apply(args))
    except (ConfigError, ConfigApiError, ValidationError) as exc:
        return _fail(exc)


async def _networks(args: argparse.Namespace) -> int:
    from tftui.core.policy.models import fq_str

    svc = _service(args)
    try:
        nets = await svc.load_networks()
    finally:
        await svc.aclose()
    if args.json:
        print(json.dumps([{"name": fq_str(n.fq_name), "uuid": n.uuid, "subnets": list(n.subnets),
                           "ip_fabric_forwarding": n.ip_fabric_forwarding, "fabric_snat": n.fabric_snat,
                           "provider": n.provider} for n in nets], indent=2))
        return EXIT_OK
    rows = [("NETWORK", "SUBNETS", "IP-FABRIC-FWD", "FABRIC-SNAT")]
    rows += [(fq_str(n.fq_name), ",".join(n.subnets) or "-", "provider" if n.provider else
              ("on" if n.ip_fabric_forwarding else "off"), "on" if n.fabric_snat else "off") for n in nets]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return EXIT_OK


def run_networks(args: argparse.Namespace) -> int:
    from tftui.services.logsetup import headless_logging

    headless_logging()
    import asyncio

    from tftui.clients.configapi import ConfigApiError
    from tftui.core.inventory import ConfigError

    try:
        return asyncio.run(_networks(args))
    except (ConfigError, ConfigApiError) as exc:
        return _fail(exc)
