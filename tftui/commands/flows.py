"""``tftui flows`` (a vrouter's live flows, drops first, each with why) and ``tftui why SRC DST`` (is traffic
between two workloads passing, and which rule decided).

``tftui flows`` exit codes: 0 the table was read to its end, 1 the agent could not be read (or only in part),
2 bad usage. ``tftui why``: 0 the traffic passes, 1 it is dropped, 3 no flow exists (nothing has tried to
talk yet) or no vrouter could tell, 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from .common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    error,
    load_config_or_raise,
    warning,
    write_stdout,
)

ALL_PAGES = 100_000  # "every page": ten million flows, far beyond any vrouter's table
PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17}


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("flows", help="a vrouter's live flows, drops first, with the rule that decided each",
                       description=__doc__.split("\n\n")[0])
    add_config_arguments(p)
    p.add_argument("--vrouter", metavar="NAME", required=True)
    p.add_argument("--vmi", metavar="NAME_OR_IP", help="only the flows of this interface (VM/pod name, IP, tap)")
    p.add_argument("--drops", action="store_true", help="only dropped flows")
    p.add_argument("--kernel", action="store_true", help="the datapath's flow table (KFlowReq) instead")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_flows)

    w = sub.add_parser("why", help="is traffic between two workloads dropped, and by which rule",
                       description="Finds the flows between SRC and DST on their vrouters and says why they pass "
                                   "or not. Exit: 0 passes, 1 dropped, 3 no flow yet.")
    add_config_arguments(w)
    w.add_argument("src", metavar="SRC", help="VM/pod name or IP")
    w.add_argument("dst", metavar="DST", help="VM/pod name or IP")
    w.add_argument("--proto", default=None, help="icmp, tcp, udp or a protocol number (default: any)")
    w.add_argument("--port", type=int, default=None, help="destination port (tcp/udp)")
    w.add_argument("--json", action="store_true", help="machine-readable output")
    w.set_defaults(func=run_why)


def _spec(args: argparse.Namespace):
    from tftui.core.inventory import ConfigError

    try:
        return load_config_or_raise(args).cluster
    except ConfigError as exc:
        error(str(exc))
        return None


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows)


def _ports(rec) -> tuple[str, str]:
    from tftui.core.flows.actions import endpoint

    return endpoint(rec.sip, rec.src_port, rec.protocol), endpoint(rec.dip, rec.dst_port, rec.protocol)


def _flow_rows(snap, drops_only: bool) -> tuple[list[dict], str]:
    from tftui.core.flows.actions import protocol_name
    from tftui.core.flows.why import flow_json

    flows = [r for r in snap.flows if r.dropped or not drops_only]
    docs, rows = [], [("ACTION", "PROTO", "SOURCE", "DESTINATION", "DIR", "PACKETS", "WHY")]
    for rec in flows:
        verdict = snap.explainer.why(rec)
        docs.append(flow_json(rec, verdict))
        src, dst = _ports(rec)
        why = verdict.summary.split(" dropped by ", 1)[-1] if verdict.dropped else verdict.summary.split(
            " passed", 1)[-1].strip().removeprefix("by ")
        rows.append((verdict.verdict.upper() if verdict.dropped else verdict.verdict, protocol_name(rec.protocol),
                     src, dst, rec.direction, str(rec.packets), why))
    return docs, _table(rows) if flows else "no flows\n"


def run_flows(args: argparse.Namespace) -> int:
    from tftui.services.logsetup import headless_logging

    headless_logging()
    spec = _spec(args)
    if spec is None:
        return EXIT_USAGE
    from tftui.clients.flows import FlowReadError
    from tftui.services.flows import FlowService, FlowServiceError

    svc = FlowService(spec, page_cap=ALL_PAGES)
    try:
        if args.kernel:
            return _kernel(svc, args)
        snap = asyncio.run(svc.flows(args.vrouter, args.vmi))
    except FlowServiceError as exc:
        error(str(exc))
        return EXIT_USAGE
    except FlowReadError as exc:
        error(str(exc))
        return EXIT_FAIL
    docs, text = _flow_rows(snap, args.drops)
    if args.json:
        text = json.dumps({"vrouter": snap.vrouter, "interface": snap.interface.vm_name if snap.interface else None,
                           "complete": snap.complete, "rules_from": snap.explainer.source or None,
                           "flows": docs, "error": snap.error or None}, indent=2) + "\n"
    else:
        head = f"# {snap.vrouter} ({snap.address}): {len(snap.flows)} flows, {snap.drops} dropped"
        if snap.explainer.source != "config-api":
            head += " (rules from the agent's ACLs: no config API)" if snap.explainer.source else ""
        text = head + "\n" + text
    if not write_stdout(text):
        return EXIT_FAIL
    if snap.error:
        error(f"{snap.vrouter}: the table was read only in part: {snap.error}")
        return EXIT_FAIL
    return EXIT_OK


def _kernel(svc, args: argparse.Namespace) -> int:
    flows = asyncio.run(svc.kernel_flows(args.vrouter))
    if args.json:
        text = json.dumps({"vrouter": args.vrouter, "kernel_flows": [
            {"index": k.index, "rflow": k.rflow, "sip": k.sip, "dip": k.dip, "sport": k.sport, "dport": k.dport,
             "proto": k.proto, "action": k.action, "flags": list(k.flags), "tcp_flags": list(k.tcp_flags),
             "drop_reason": k.drop_reason or None, "drop_text": k.drop_words or None, "packets": k.pkts,
             "bytes": k.bytes} for k in flows if k.action == "DROP" or not args.drops]}, indent=2) + "\n"
    else:
        rows = [("INDEX", "ACTION", "PROTO", "SOURCE", "DESTINATION", "FLAGS", "DROP REASON")]
        rows += [(str(k.index), k.action, str(k.proto), f"{k.sip}:{k.sport}", f"{k.dip}:{k.dport}", "|".join(k.flags),
                  k.drop_words) for k in flows if k.action == "DROP" or not args.drops]
        text = _table(rows)
    return EXIT_OK if write_stdout(text) else EXIT_FAIL


def _protocol(value: str | None) -> int | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v in PROTOCOLS:
        return PROTOCOLS[v]
    if v.isdigit() and 0 <= int(v) <= 255:
        return int(v)
    raise ValueError(f"--proto: {value!r} is not icmp, tcp, udp or a protocol number")


def _why_text(result) -> str:
    from tftui.core.flows.actions import protocol_name

    a, b = result.source, result.destination
    proto = protocol_name(result.protocol) if result.protocol is not None else "any protocol"
    port = f"/{result.port}" if result.port is not None else ""
    out = [f"{a.name or a.ip} ({a.ip}{', ' + a.vrouter if a.vrouter else ''}) → "
           f"{b.name or b.ip} ({b.ip}{', ' + b.vrouter if b.vrouter else ''}), {proto}{port}"]
    for vrouter, flows in result.flows.items():
        out.append(f"{vrouter}: {len(flows)} flow(s) between them")
    if result.why is None:
        out.append("no flow: nothing has tried to talk yet (or the flows aged out)")
        return "\n".join(out) + "\n"
    out += [f"  {line}" for line in result.why.chain]
    word = {"drop": "DROPPED", "pass": "PASSES"}[result.verdict]
    out.append(f"verdict: {word}: {result.why.summary}")
    return "\n".join(out) + "\n"


def run_why(args: argparse.Namespace) -> int:
    from tftui.services.logsetup import headless_logging

    headless_logging()
    try:
        protocol = _protocol(args.proto)
    except ValueError as exc:
        error(str(exc))
        return EXIT_USAGE
    if args.port is not None and not 0 <= args.port <= 65535:
        error("--port must be 0..65535")
        return EXIT_USAGE
    spec = _spec(args)
    if spec is None:
        return EXIT_USAGE
    from tftui.core.flows.why import flow_json, rule_json
    from tftui.services.flows import FlowService, FlowServiceError, why_between

    try:
        result = asyncio.run(why_between(FlowService(spec), args.src, args.dst, protocol, args.port))
    except FlowServiceError as exc:
        error(str(exc))
        return EXIT_USAGE
    for vrouter, why in sorted(result.errors.items()):
        warning(f"{vrouter}: {why}")
    for vrouter in result.incomplete:
        warning(f"{vrouter}: its flow table is larger than what was read; the flow may be further on")
    if args.json:
        doc = {
            "source": vars_of(result.source), "destination": vars_of(result.destination),
            "protocol": result.protocol, "port": result.port, "verdict": result.verdict,
            "why": result.why.summary if result.why else None, "chain": list(result.why.chain) if result.why else [],
            "rule": rule_json(result.why) if result.why else None, "rules_from": result.explainer.source or None,
            "flows": {v: [flow_json(r, result.explainer.why(r)) for r in rs] for v, rs in result.flows.items()},
        }
        text = json.dumps(doc, indent=2) + "\n"
    else:
        text = _why_text(result)
    write_stdout(text)
    if result.verdict == "drop":
        return EXIT_FAIL
    return EXIT_OK if result.verdict == "pass" else EXIT_UNKNOWN


def vars_of(ep) -> dict:
    return {"query": ep.query, "ip": ep.ip, "name": ep.name or None, "vrouter": ep.vrouter or None}
