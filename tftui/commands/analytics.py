"""Headless analytics: ``tftui alarms [ack ID]``, ``tftui uve``, ``tftui logs``, ``tftui flowlog``, ``tftui stats``.

Exit status: 0 fine (``alarms``: no unacknowledged critical or major alarm); 1 ``alarms``: at least one
unacknowledged critical or major alarm; 2 usage, config, a refused write (``--readonly``, no
confirmation) or no analytics API configured; 3 the analytics API did not answer or answered an error.
Partial data (some UVE partitions down) is shown, with a warning on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from tftui.services.config import add_config_arguments

from .common import EXIT_FAIL, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, error, load_config_or_raise, warning


def register(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("alarms", help="analytics alarms, one sentence each; exit 1 on unacknowledged critical/major")
    add_config_arguments(a)
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.add_argument("--unacked", action="store_true", help="only alarms not yet acknowledged")
    a.set_defaults(func=run_alarms)
    asub = a.add_subparsers(dest="alarms_command", metavar="ack")
    ack = asub.add_parser("ack", help="acknowledge an alarm (asks first; refused with --readonly)")
    ack.add_argument("alarm_id", metavar="ID", help="the id `tftui alarms` prints, or TABLE/NAME/TYPE")
    ack.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    ack.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                     help="refuse (same as tftui --readonly)")
    add_config_arguments(ack)
    ack.set_defaults(func=run_ack)

    u = sub.add_parser("uve", help="analytics UVEs: the keys of a type, or one UVE's structs")
    add_config_arguments(u)
    u.add_argument("uve_type", metavar="TYPE", help="vrouter, control-node, virtual-network, ... ('list' for types)")
    u.add_argument("name", metavar="NAME", nargs="?", help="the UVE key (a host name, a network's FQ name, ...)")
    u.add_argument("--flat", action="store_true", help="ask for the aggregated view (?flat)")
    u.add_argument("--cfilt", action="append", default=[], metavar="STRUCT[:ATTR]", help="only this struct")
    u.add_argument("--json", action="store_true", help="the UVE as the API returns it")
    u.set_defaults(func=run_uve)

    lg = sub.add_parser("logs", help="what contrail-logs prints: object logs and system logs from analytics")
    add_config_arguments(lg)
    lg.add_argument("--object-type", metavar="T", help="vrouter, control-node, virtual-network, ...")
    lg.add_argument("--object-id", metavar="ID", help="the object's key (a trailing * matches a prefix)")
    lg.add_argument("--message-type", metavar="M", help="e.g. NodeStatusUVE")
    lg.add_argument("--source", metavar="HOST")
    lg.add_argument("--module", metavar="MODULE", help="e.g. contrail-vrouter-agent")
    lg.add_argument("--level", metavar="SYS_LEVEL", help="at most this level, e.g. SYS_WARN")
    lg.add_argument("--last", default="10m", metavar="TIME", help="how far back: 10m, 1h, 30s, 2d (default 10m)")
    lg.add_argument("--limit", type=int, metavar="N")
    lg.add_argument("--reverse", action="store_true", help="newest first")
    lg.add_argument("--follow", action="store_true", help="keep printing new lines as they arrive")
    lg.add_argument("--json", action="store_true", help="machine-readable output")
    lg.set_defaults(func=run_logs)

    f = sub.add_parser("flowlog", help="flow records from analytics (FlowRecordTable, or SessionRecordTable with "
                                       "--sessions), when flow export is on")
    add_config_arguments(f)
    f.add_argument("--src", metavar="IP")
    f.add_argument("--dst", metavar="IP")
    f.add_argument("--vrouter", metavar="HOST")
    f.add_argument("--sessions", action="store_true",
                   help="query SessionRecordTable (what agents export since R4.1) as contrail-sessions does")
    f.add_argument("--session-type", choices=("client", "server"), default="client",
                   help="with --sessions: the exporting vrouter's VM is the client (SRC, default) or the server (DST)")
    f.add_argument("--last", default="1h", metavar="TIME", help="how far back (default 1h)")
    f.add_argument("--json", action="store_true", help="machine-readable output")
    f.set_defaults(func=run_flowlog)

    s = sub.add_parser("stats", help="a stat table over time (e.g. StatTable.VrouterStatsAgent.flow_rate)")
    add_config_arguments(s)
    s.add_argument("table", metavar="TABLE")
    s.add_argument("--select", action="append", required=True, metavar="FIELD", help="a column (repeatable)")
    s.add_argument("--where", action="append", default=[], metavar="NAME=VALUE", help="AND terms")
    s.add_argument("--value", metavar="FIELD", help="the column to plot (default: the last --select)")
    s.add_argument("--last", default="1h", metavar="TIME")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=run_stats)


def _service(args: argparse.Namespace, readonly: bool = False):
    from tftui.core.inventory import ConfigError
    from tftui.services.analytics import AnalyticsService, NoAnalyticsError

    try:
        loaded = load_config_or_raise(args)
        return AnalyticsService.from_cluster(loaded.cluster, readonly=readonly)
    except (ConfigError, NoAnalyticsError) as exc:
        error(exc)
        return None


def _run(args: argparse.Namespace, work, readonly: bool = False) -> int:
    """Run ``work(service)`` with the cluster's analytics service; API errors become exit 3."""
    from tftui.clients.analytics import AnalyticsError
    from tftui.core.analytics.query import QueryError

    svc = _service(args, readonly)
    if svc is None:
        return EXIT_USAGE

    async def go() -> int:
        try:
            return await work(svc)
        finally:
            await svc.close()

    try:
        return asyncio.run(go())
    except QueryError as exc:
        return error(exc, EXIT_USAGE)
    except AnalyticsError as exc:
        return error(exc, EXIT_UNAVAILABLE)
    except KeyboardInterrupt:
        return EXIT_OK


def _dump(doc) -> None:
    json.dump(doc, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def _partial(partial: bool) -> None:
    if partial:
        warning("partial data: some analytics partitions did not answer")


def _age(ts_us: int, now: float) -> str:
    if not ts_us:
        return "-"
    s = max(0, int(now - ts_us / 1e6))
    return f"{s}s ago" if s < 120 else f"{s // 60}m ago" if s < 7200 else f"{s // 3600}h ago"


# ------------------------------------------------------------------------------------------ alarms


def run_alarms(args: argparse.Namespace) -> int:
    from tftui.core.analytics.alarms import alarm_json

    async def work(svc) -> int:
        snap = await svc.alarms(ackfilt=False if args.unacked else None)
        _partial(snap.partial)
        if args.json:
            _dump({"partial": snap.partial, "alarms": [alarm_json(a) for a in snap.alarms]})
        else:
            now = time.time()
            for a in snap.alarms:
                ack = "  [acknowledged]" if a.ack else ""
                print(f"{a.severity_name:<8} {a.id}  {a.table} {a.name}: {a.sentence}  "
                      f"({a.short_type}, {_age(a.timestamp, now)}){ack}")
            serious = len(snap.serious_unacknowledged)
            print(f"{len(snap.alarms)} alarm(s), {len(snap.unacknowledged)} unacknowledged, "
                  f"{serious} of them critical or major")
        return EXIT_FAIL if snap.serious_unacknowledged else EXIT_OK

    return _run(args, work)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def run_ack(args: argparse.Namespace) -> int:
    readonly = bool(getattr(args, "readonly", False))
    if readonly:
        return error("--readonly: no alarm is acknowledged", EXIT_USAGE)

    async def work(svc) -> int:
        snap = await svc.alarms()
        alarm = snap.find(args.alarm_id)
        if alarm is None:
            return error(f"no alarm {args.alarm_id!r} (see `tftui alarms`)", EXIT_USAGE)
        if alarm.ack:
            print(f"already acknowledged: {alarm.sentence}")
            return EXIT_OK
        question = f"acknowledge {alarm.severity_name} alarm {alarm.short_type} of {alarm.table} {alarm.name}?"
        if not args.yes and not await asyncio.to_thread(_confirm, question):
            return error("not acknowledged (no confirmation; pass --yes when there is no terminal)", EXIT_USAGE)
        after = await svc.acknowledge(alarm, confirmed=True)
        now = after.find(alarm.id)
        print(f"acknowledged: {alarm.sentence}" + ("" if now is None or now.ack else " (the server still shows it "
                                                                                      "unacknowledged)"))
        return EXIT_OK

    return _run(args, work, readonly=readonly)


# ------------------------------------------------------------------------------------------ UVEs


def run_uve(args: argparse.Namespace) -> int:
    from tftui.core.analytics.uve import unflatten_sandesh, uve_rows

    async def work(svc) -> int:
        if args.uve_type == "list":
            types = await svc.uve_types()
            _dump(list(types)) if args.json else print("\n".join(types))
            return EXIT_OK
        if not args.name:
            keys = await svc.uve_keys(args.uve_type)
            _dump(list(keys)) if args.json else print("\n".join(keys))
            return EXIT_OK
        snap = await svc.uve(args.uve_type, args.name, flat=args.flat, cfilt=tuple(args.cfilt))
        _partial(snap.partial)
        if not snap.data:
            return error(f"no {args.uve_type} UVE {args.name!r}", EXIT_USAGE)
        if args.json:
            _dump(snap.data)
            return EXIT_OK
        data = snap.data if snap.flat else unflatten_sandesh(snap.data)
        for row in uve_rows(data):
            print(f"{row.path} = {row.value}" + ("   (sources disagree)" if row.conflict else ""))
        return EXIT_OK

    return _run(args, work)


# ------------------------------------------------------------------------------------------ logs


def run_logs(args: argparse.Namespace) -> int:
    from tftui.core.analytics.query import LogQuery

    query = LogQuery(object_type=args.object_type, object_id=args.object_id, message_type=args.message_type,
                     source=args.source, module=args.module, level=args.level, limit=args.limit,
                     reverse=args.reverse)

    async def work(svc) -> int:
        snaps = svc.follow_logs(query, args.last) if args.follow else None
        if snaps is None:
            snap = await svc.logs(query, args.last)
            if args.json:
                _dump([ln.as_json() for ln in snap.lines])
            else:
                for ln in snap.lines:
                    print(ln.line)
            return EXIT_OK
        async for snap in snaps:
            for ln in snap.lines:
                print(json.dumps(ln.as_json()) if args.json else ln.line, flush=True)
        return EXIT_OK

    return _run(args, work)


# ------------------------------------------------------------------------------------------ flows, stats


def run_flowlog(args: argparse.Namespace) -> int:
    from tftui.core.analytics.query import FLOW_RECORD_TABLE, SESSION_RECORD_TABLE, FlowQuery

    query = FlowQuery(src=args.src, dst=args.dst, vrouter=args.vrouter,
                      table=SESSION_RECORD_TABLE if args.sessions else FLOW_RECORD_TABLE,
                      session_type=args.session_type)

    async def work(svc) -> int:
        snap = await svc.flowlog(query, args.last)
        if args.json:
            _dump({"table": query.table, "export_rate": snap.export_rate, "export_off": snap.export_off,
                   "note": snap.note, "flows": [r.as_json() for r in snap.rows]})
            return EXIT_OK
        if snap.note:
            print(snap.note)
        for r in snap.rows:
            why = f" ({r.drop_reason})" if r.drop_reason else ""
            rule = f" rule {r.policy_rule}" if r.policy_rule else ""
            print(f"{r.vrouter} {r.source_ip}:{r.sport} -> {r.dest_ip}:{r.dport} proto {r.protocol} "
                  f"{r.action}{why}{rule} {r.packets} pkts {r.bytes} bytes  {r.source_vn} -> {r.dest_vn}")
        return EXIT_OK

    return _run(args, work)


def run_stats(args: argparse.Namespace) -> int:
    from tftui.core.analytics.query import StatsQuery, parse_where_terms
    from tftui.core.analytics.results import sparkline

    value = args.value or args.select[-1]

    async def work(svc) -> int:
        select = tuple(dict.fromkeys([*args.select, "T", "Source"]) if "T=" not in args.select else args.select)
        query = StatsQuery(args.table, select, parse_where_terms(args.where))
        snap = await svc.stats(query, value, args.last)
        if args.json:
            _dump({"table": snap.table, "value": value, "rows": list(snap.rows)})
            return EXIT_OK
        for s in snap.series:
            vals = [v for _, v in s.points]
            print(f"{s.key:<24} {sparkline(vals)}  last {vals[-1]:g} min {min(vals):g} max {max(vals):g}")
        if not snap.series:
            print(f"no {value} values in {args.table} over the last {args.last}")
        return EXIT_OK

    return _run(args, work)
