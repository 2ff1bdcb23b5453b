"""``tftui drops [--vrouter NAME] [--interval S] [--json]``: every non-zero drop counter of the vrouters' datapath
(``KDropStatsReq``), each with a line saying what it counts; with ``--interval`` two samples S seconds apart give
each counter's rate. Exit status: 0 read; 1 a vrouter could not be read; 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from .common import error, load_config_or_raise, write_stdout

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("drops", help="the vrouters' drop counters, what each means, and their rates",
                       description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    add_config_arguments(p)
    p.add_argument("--vrouter", metavar="NAME", action="append", help="only this vrouter (repeatable)")
    p.add_argument("--interval", metavar="S", type=float, default=0.0, help="take two samples S seconds apart")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


async def _sample(spec, names: list[str] | None, interval: float):
    from tftui.services.network_state import NetworkStateService, StateError

    svc = NetworkStateService(spec)
    targets = [svc.node(n, "vrouter").name for n in names] if names else [v.name for v in svc.vrouters()]

    async def each() -> dict[str, object]:
        got = await asyncio.gather(*(svc.drops(n) for n in targets), return_exceptions=True)
        for result in got:
            if isinstance(result, BaseException) and not isinstance(result, StateError):
                raise result
        return dict(zip(targets, got, strict=True))

    try:
        results = await each()
        if interval > 0:
            await asyncio.sleep(interval)
            results = await each()
        return results
    finally:
        await svc.close()


def drops_output(results: dict, as_json: bool) -> str:
    from tftui.core.vrouter.render import drop_json, drop_line

    if as_json:
        doc = {"vrouters": [{"vrouter": name, "error": str(r)} if isinstance(r, Exception) else
                            {"vrouter": name, "drops": [drop_json(d) for d in r]} for name, r in results.items()]}
        return json.dumps(doc, indent=2) + "\n"
    lines = []
    for name, r in results.items():
        lines.append(f"# {name}")
        if isinstance(r, Exception):
            lines.append(f"? {r}")
        elif not r:
            lines.append("no drops")
        else:
            lines += [drop_line(d) for d in r]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from tftui.core.inventory import ConfigError
    from tftui.services.logsetup import headless_logging
    from tftui.services.network_state import StateError

    headless_logging()
    if args.interval < 0 or args.interval > 3600:
        error("--interval is 0 to 3600 seconds")
        return EXIT_USAGE
    try:
        spec = load_config_or_raise(args).cluster
        results = asyncio.run(_sample(spec, args.vrouter, args.interval))
    except (ConfigError, StateError) as exc:
        error(str(exc))
        return EXIT_USAGE
    write_stdout(drops_output(results, args.json))
    failed = [str(r) for r in results.values() if isinstance(r, Exception)]  # the reason names the vrouter
    for line in failed:
        error(line)
    return EXIT_FAILED if failed else EXIT_OK
