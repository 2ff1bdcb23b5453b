"""``tftui vmis``: every VM/pod interface with its metadata IP; ``tftui ssh``: log into one by name or IP.

Exit codes: 0 all vrouters read (or the ssh session's own status), 1 some vrouter unreadable or the
VM not found, 2 usage/config errors; ``tftui ssh`` returns ssh's own status once it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from .common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, error, load_config_or_raise, note, write_stdout


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("vmis", help="list VM/pod interfaces with their metadata IPs, from the vrouter agents")
    add_config_arguments(p)
    p.add_argument("--vrouter", metavar="NAME", help="only this vrouter")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_vmis)

    s = sub.add_parser("ssh", help="log into a VM or pod through its compute, by VM name or IP",
                       description="Runs the system OpenSSH client: ssh -J USER@COMPUTE ... USER@METADATA_IP")
    add_config_arguments(s)
    s.add_argument("target", metavar="VM_NAME_OR_IP")
    s.add_argument("--vrouter", metavar="NAME", help="look only on this vrouter (also picks one of several matches)")
    s.add_argument("--user", help="VM user (default: ssh.vm.username or the per-VN/per-name rules)")
    s.add_argument("--print", dest="print_only", action="store_true", help="print the ssh command, do not run it")
    s.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND",
                   help="a command to run instead of a shell")
    s.set_defaults(func=run_ssh)


def _load(args: argparse.Namespace):
    from tftui.core.inventory import ConfigError

    try:
        return load_config_or_raise(args).cluster
    except ConfigError as exc:
        error(exc)
        return None


def _snapshot(spec, vrouter: str | None):
    from tftui.clients.agent import AgentFetchError
    from tftui.services.vmis import VmiService

    service = VmiService(spec)
    try:
        return asyncio.run(service.refresh(vrouter))
    except AgentFetchError as exc:  # an unknown --vrouter
        error(exc)
        return None


def _report_errors(errors: dict[str, str]) -> None:
    for _, why in sorted(errors.items()):
        error(why)  # the reason already names the vrouter


def run_vmis(args: argparse.Namespace) -> int:
    spec = _load(args)
    if spec is None:
        return EXIT_USAGE
    snap = _snapshot(spec, args.vrouter)
    if snap is None:
        return EXIT_USAGE
    if args.json:
        text = json.dumps({"interfaces": [v.to_json() for v in snap.vmis], "errors": snap.errors}, indent=2) + "\n"
    else:
        rows = [("VROUTER", "VM", "IP", "METADATA IP", "VN", "INTERFACE", "STATE")]
        rows += [(v.vrouter, v.vm_name, v.ip, v.metadata_ip, v.vn_short, v.name, "active" if v.active else "inactive")
                 for v in snap.vmis]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        text = "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows)
    if not write_stdout(text):
        return EXIT_FAIL
    _report_errors(snap.errors)
    return EXIT_FAIL if snap.errors else EXIT_OK


_VALUE_OPTIONS = {"--vrouter": "vrouter", "--user": "user", "--config": "config", "--inventory": "inventory",
                  "--cluster": "cluster"}
_FLAG_OPTIONS = {"--print": "print_only"}


def _options_after_target(args: argparse.Namespace, rest: list[str]) -> list[str]:
    """argparse's REMAINDER takes everything after the VM name, so ``tftui ssh vm --print`` would run ssh with
    "--print" as the remote command. Options right after the name are ours; the remote command starts at ``--``
    or at the first word that is not one of our options; an unknown option there is refused, not sent."""
    while rest:
        word = rest[0]
        if word == "--":
            return rest[1:]
        name, eq, value = word.partition("=")
        if name in _VALUE_OPTIONS:
            if not eq:
                if len(rest) < 2:
                    raise ValueError(f"{name} needs a value")
                value = rest[1]
                rest = rest[1:]
            setattr(args, _VALUE_OPTIONS[name], value)
        elif word in _FLAG_OPTIONS:
            setattr(args, _FLAG_OPTIONS[word], True)
        elif word.startswith("-"):
            raise ValueError(f"unknown option {word[:60]!r}; put the remote command after --")
        else:
            return rest
        rest = rest[1:]
    return rest


def run_ssh(args: argparse.Namespace) -> int:
    from tftui.core.agent import InvalidInput, validate_user, validate_vm_name
    from tftui.core.inventory import ConfigError
    from tftui.services.launcher import Launcher
    from tftui.services.vmis import find

    try:
        command = _options_after_target(args, list(args.command or []))
    except ValueError as exc:
        error(exc)
        return EXIT_USAGE
    try:
        validate_vm_name(args.target)
        user = validate_user(args.user) if args.user else None
    except InvalidInput as exc:
        error(exc)
        return EXIT_USAGE
    spec = _load(args)
    if spec is None:
        return EXIT_USAGE
    try:
        launcher = Launcher(spec)
    except ConfigError as exc:
        error(exc)
        return EXIT_USAGE
    snap = _snapshot(spec, args.vrouter)
    if snap is None:
        return EXIT_USAGE
    found = find(snap.vmis, args.target)
    if not found:
        error(f"no interface of a VM named or addressed {args.target!r} "
              f"({len(snap.vmis)} interfaces on {snap.vrouters - len(snap.errors)} readable vrouters)")
        _report_errors(snap.errors)
        return EXIT_FAIL
    if len(found) > 1:
        error(f"{args.target!r} matches {len(found)} interfaces; pick one with --vrouter:")
        for v in found:
            note(f"  {v.vrouter}  {v.vm_name}  {v.ip}  {v.metadata_ip}  {v.name}")
        return EXIT_USAGE
    try:
        if args.print_only:
            print(launcher.command_line(found[0], user=user, command=command or None))
            return EXIT_OK
        return launcher.interactive(found[0], command or None, user=user)
    except InvalidInput as exc:
        return error(exc)
    except FileNotFoundError:
        return error("the OpenSSH client (ssh) is not installed")
