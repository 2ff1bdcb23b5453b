"""What the benchmarks share: the fleet lab in its own process, CPU and memory readings, the machine's load."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tftui.services.demo import DemoLab, candidate_bases, start_demo_lab  # noqa: E402


def add_lab_arguments(ap) -> None:
    ap.add_argument("--base", type=int, default=int(os.environ.get("TFTUI_BENCH_BASE", "0")) or None,
                    help="127.B.x.y range of the lab (default $TFTUI_BENCH_BASE, else the first free one)")


def fleet_lab(args, vrouters: int, churn: float = 0.0, extra: tuple[str, ...] = (), base_offset: int = 0) -> DemoLab:
    """The fleet scenario, introspect only, a generous timeout in the config it writes (a benchmark measures
    throughput, not timeouts), on ``--base`` (+ offset, for a second lab in the same run) or a free range."""
    bases = (args.base + base_offset,) if args.base else candidate_bases()
    return start_demo_lab(scenario="fleet", vrouters=vrouters, churn=churn, bases=bases, timeout=600,
                          extra=("--status-only", "--timeout", "10", *extra))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proc_status(pid: int | str, field: str) -> int:
    """A ``/proc/PID/status`` figure in kB (VmRSS, VmHWM), 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def open_fds(pid: int | str = "self") -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
